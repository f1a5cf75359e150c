/**
 * Classical model zoo, each model built from a plain JSON config (which
 * checkpoints store):
 *
 * | arch | structure |
 * |---|---|
 * | `lenet-003` | paper 003 (Hasan & Mahdy, Fig. 3): conv 6@5×5 → tanh → avgpool 2 → conv 16@5×5 → tanh → avgpool 2 → flatten 256 → fc 120 → tanh → fc 84 → tanh → fc C (28→24→12→8→4, no padding) |
 * | `lenet-000` | paper 000's classical LeNet: conv 6@5×5 pad 2 → ReLU → maxpool 2 → conv 16@5×5 → ReLU → maxpool 2 → flatten 400 → fc 120 → ReLU → fc 84 → ReLU → fc C |
 * | `lenet5` | the shared teachers' LeNet-5: conv 6@5×5 pad 2 → tanh → avgpool 2 → conv 16@5×5 → tanh → avgpool 2 → flatten 400 → fc 120 → tanh → fc 84 → tanh → fc C |
 * | `alexnet-mini` | paper 003's modified AlexNet: conv 64@3×3 p1 → ReLU → maxpool 2 → conv 192@3×3 p1 → ReLU → maxpool 2 → conv 384@3×3 p1 → ReLU → flatten → dropout → fc W₁ → ReLU → dropout → fc W₂ → ReLU → fc C (teachers: W = 128; paper: 4096) |
 * | `mlp` | Linear/activation stack |
 *
 * Layer order (hence parameter order and names `"0.weight"`, …) follows the
 * PyTorch `nn.Sequential` written the same way.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { QDistillError, unreachable } from '../errors.js';
import { LIMITS, oneOf, parseConfig, positiveInt, seedValue, strictObject, tagged } from '../util/schema.js';
import { Random } from '../util/random.js';
import {
  AvgPool2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
} from './layers.js';
import type { Module } from './module.js';
import type { DType } from './tensor.js';

/** Fields shared by every zoo config. */
export interface CommonModelConfig {
  /** Output classes (logits). */
  numClasses: number;
  /** Seed of the initial weights (and dropout masks); default 0. */
  seed?: number;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** Fields of the convolutional zoo configs. */
export interface ConvModelConfig extends CommonModelConfig {
  /** Image channels (default 1). */
  inChannels?: number;
  /** Square image side (default 28). */
  imageSize?: number;
}

/** Paper 003's classical LeNet (tanh, avg-pool, no padding). */
export interface LeNet003Config extends ConvModelConfig {
  arch: 'lenet-003';
}
/** Paper 000's classical LeNet (ReLU, max-pool, padding 2). */
export interface LeNet000Config extends ConvModelConfig {
  arch: 'lenet-000';
}
/** The shared teachers' LeNet-5 (tanh, avg-pool, padding 2). */
export interface LeNet5Config extends ConvModelConfig {
  arch: 'lenet5';
}
/** Paper 003's AlexNet-mini. */
export interface AlexNetMiniConfig extends ConvModelConfig {
  arch: 'alexnet-mini';
  /** Widths of the two hidden FC layers (a number for both; default 128 like the teachers; the paper used 4096). */
  fcWidths?: number | readonly [number, number];
  /** Dropout before each hidden FC layer (default 0.5). */
  dropout?: number;
}
/** A multilayer perceptron on flat inputs. */
export interface MLPConfig extends CommonModelConfig {
  arch: 'mlp';
  inputSize: number;
  hiddenSizes: readonly number[];
  /** Default relu. */
  activation?: 'relu' | 'tanh' | 'sigmoid';
  /** Dropout after each hidden activation (default 0: none). */
  dropout?: number;
}

/** Any zoo config. */
export type ModelConfig = LeNet003Config | LeNet000Config | LeNet5Config | AlexNetMiniConfig | MLPConfig;

/**
 * Every `arch` the zoo knows.
 *
 * @example
 * ```ts
 * ARCHITECTURES.includes('lenet-000'); // true
 * ```
 */
export const ARCHITECTURES = ['lenet-003', 'lenet-000', 'lenet5', 'alexnet-mini', 'mlp'] as const;

const convFields = {
  numClasses: positiveInt(LIMITS.classes).describe('output classes (logits)'),
  seed: seedValue().optional().describe('seed of the initial weights and dropout masks (default 0)'),
  dtype: z.enum(['float32', 'float64']).optional().describe('parameter dtype (default float32)'),
  inChannels: positiveInt(LIMITS.small).optional().describe('image channels (default 1)'),
  imageSize: positiveInt(LIMITS.imageSide).optional().describe('square image side (default 28)'),
};
const probability = z.number().min(0).lt(1);

/** The one schema of zoo configs (tagged by `arch`): strict, sizes bounded. */
export const zooModelSchema = tagged('arch', [
  strictObject({ arch: z.literal('lenet-003'), ...convFields }).describe("paper 003's classical LeNet (tanh, avg-pool, no padding)"),
  strictObject({ arch: z.literal('lenet-000'), ...convFields }).describe("paper 000's classical LeNet (ReLU, max-pool, padding 2)"),
  strictObject({ arch: z.literal('lenet5'), ...convFields }).describe("the PyTorch teachers' LeNet-5 (tanh, avg-pool, padding 2)"),
  strictObject({
    arch: z.literal('alexnet-mini'),
    ...convFields,
    fcWidths: oneOf(`a width (an integer in 1..${LIMITS.width}) or a pair of them`, [positiveInt(LIMITS.width), z.tuple([positiveInt(LIMITS.width), positiveInt(LIMITS.width)]).readonly()]).optional()
      .describe('widths of the two hidden FC layers (default 128; the paper used 4096)'),
    dropout: probability.optional().describe('dropout before each hidden FC layer (default 0.5)'),
  }).describe("paper 003's AlexNet-mini"),
  strictObject({
    arch: z.literal('mlp'),
    numClasses: convFields.numClasses,
    seed: convFields.seed,
    dtype: convFields.dtype,
    inputSize: positiveInt(LIMITS.features),
    hiddenSizes: z.array(positiveInt(LIMITS.width)).max(64).readonly(),
    activation: z.enum(['relu', 'tanh', 'sigmoid']).optional().describe('default relu'),
    dropout: probability.optional().describe('dropout after each hidden activation (default 0)'),
  }).describe('a multilayer perceptron on flat inputs'),
]);

// The schema's type and ModelConfig are the same: a field added to one and not the other fails to compile here.
type Extends<A, B> = [A] extends [B] ? true : false;
const schemaTypeIsAConfig: Extends<z.infer<typeof zooModelSchema>, ModelConfig> = true;
const configIsSchemaType: Extends<ModelConfig, z.infer<typeof zooModelSchema>> = true;
void schemaTypeIsAConfig;
void configIsSchemaType;

/**
 * Validates a config (unknown `arch`, unknown keys, bad values → `E_CONFIG`)
 * and fills in every default, so equal models have equal configs.
 *
 * @example
 * ```ts
 * normalizeModelConfig({ arch: 'lenet-000', numClasses: 10 });
 * // { arch: 'lenet-000', numClasses: 10, seed: 0, dtype: 'float32', inChannels: 1, imageSize: 28 }
 * ```
 */
export function normalizeModelConfig(config: unknown): ModelConfig {
  const cfg = parseConfig(zooModelSchema, config, 'model config');
  const a = cfg.arch;
  const numClasses = cfg.numClasses;
  const seed = cfg.seed ?? 0;
  const dtype: DType = cfg.dtype ?? 'float32';
  const common = { numClasses, seed, dtype };
  switch (a) {
    case 'lenet-003':
    case 'lenet-000':
    case 'lenet5':
      return { arch: a, ...common, inChannels: cfg.inChannels ?? 1, imageSize: cfg.imageSize ?? 28 };
    case 'alexnet-mini': {
      const raw = cfg.fcWidths ?? 128;
      const widths = typeof raw === 'number' ? [raw, raw] : raw;
      return {
        arch: a,
        ...common,
        inChannels: cfg.inChannels ?? 1,
        imageSize: cfg.imageSize ?? 28,
        fcWidths: [widths[0], widths[1]],
        dropout: cfg.dropout ?? 0.5,
      };
    }
    case 'mlp':
      return {
        arch: a,
        ...common,
        inputSize: cfg.inputSize,
        hiddenSizes: [...cfg.hiddenSizes],
        activation: cfg.activation ?? 'relu',
        dropout: cfg.dropout ?? 0,
      };
    default:
      return unreachable(cfg, 'zoo arch');
  }
}

/**
 * A zoo model: a `Sequential` that remembers its normalised config.
 *
 * @example
 * ```ts
 * const model = createModel({ arch: 'lenet-003', numClasses: 6 });
 * model.config.arch; // 'lenet-003'
 * ```
 */
export class ZooModel extends Sequential {
  override readonly label: string;
  readonly config: ModelConfig;
  constructor(config: ModelConfig, layers: Module[]) {
    super(...layers);
    this.config = config;
    this.label = config.arch;
  }
}

function configError(message: string): QDistillError {
  return new QDistillError('E_CONFIG', `model config: ${message}`);
}

function spatial(arch: string, size: number, kernel: number, pad: number, what: string): number {
  const out = size + 2 * pad - kernel + 1;
  if (out < 1) throw configError(`${arch}: imageSize is too small (${what} would be ${out}×${out})`);
  return out;
}

function pooled(arch: string, size: number, what: string): number {
  const out = Math.floor(size / 2);
  if (out < 1) throw configError(`${arch}: imageSize is too small (${what} would be ${out}×${out})`);
  return out;
}

/**
 * Builds a zoo model from a config (see the table above).
 *
 * @throws E_CONFIG on an unknown arch, unknown keys, bad values, or an image too small for the architecture
 * @example
 * ```ts
 * const lenet = createModel({ arch: 'lenet-000', numClasses: 10, seed: 1 });
 * lenet.numParameters(); // 61706
 * ```
 */
export function createModel(config: ModelConfig | Record<string, unknown>): ZooModel {
  const cfg = normalizeModelConfig(config);
  const rng = new Random(cfg.seed ?? 0);
  const dtype = cfg.dtype ?? 'float32';
  const opts = { rng, dtype };
  const C = cfg.numClasses;
  switch (cfg.arch) {
    case 'lenet-003': {
      const s1 = spatial(cfg.arch, cfg.imageSize!, 5, 0, 'conv1 output');
      const p1 = pooled(cfg.arch, s1, 'pool1 output');
      const s2 = spatial(cfg.arch, p1, 5, 0, 'conv2 output');
      const p2 = pooled(cfg.arch, s2, 'pool2 output');
      return new ZooModel(cfg, [
        new Conv2d(cfg.inChannels!, 6, 5, opts),
        new Tanh(),
        new AvgPool2d(2),
        new Conv2d(6, 16, 5, opts),
        new Tanh(),
        new AvgPool2d(2),
        new Flatten(),
        new Linear(16 * p2 * p2, 120, opts),
        new Tanh(),
        new Linear(120, 84, opts),
        new Tanh(),
        new Linear(84, C, opts),
      ]);
    }
    case 'lenet-000':
    case 'lenet5': {
      const relu = cfg.arch === 'lenet-000';
      const act = (): Module => (relu ? new ReLU() : new Tanh());
      const pool = (): Module => (relu ? new MaxPool2d(2) : new AvgPool2d(2));
      const s1 = spatial(cfg.arch, cfg.imageSize!, 5, 2, 'conv1 output');
      const p1 = pooled(cfg.arch, s1, 'pool1 output');
      const s2 = spatial(cfg.arch, p1, 5, 0, 'conv2 output');
      const p2 = pooled(cfg.arch, s2, 'pool2 output');
      return new ZooModel(cfg, [
        new Conv2d(cfg.inChannels!, 6, 5, { ...opts, padding: 2 }),
        act(),
        pool(),
        new Conv2d(6, 16, 5, opts),
        act(),
        pool(),
        new Flatten(),
        new Linear(16 * p2 * p2, 120, opts),
        act(),
        new Linear(120, 84, opts),
        act(),
        new Linear(84, C, opts),
      ]);
    }
    case 'alexnet-mini': {
      const [w1, w2] = cfg.fcWidths as [number, number];
      const p1 = pooled(cfg.arch, cfg.imageSize!, 'pool1 output');
      const p2 = pooled(cfg.arch, p1, 'pool2 output');
      const p = cfg.dropout!;
      return new ZooModel(cfg, [
        new Conv2d(cfg.inChannels!, 64, 3, { ...opts, padding: 1 }),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(64, 192, 3, { ...opts, padding: 1 }),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(192, 384, 3, { ...opts, padding: 1 }),
        new ReLU(),
        new Flatten(),
        new Dropout(p, { rng: rng.fork() }),
        new Linear(384 * p2 * p2, w1, opts),
        new ReLU(),
        new Dropout(p, { rng: rng.fork() }),
        new Linear(w1, w2, opts),
        new ReLU(),
        new Linear(w2, C, opts),
      ]);
    }
    case 'mlp': {
      const layers: Module[] = [];
      let width = cfg.inputSize;
      for (const h of cfg.hiddenSizes) {
        layers.push(new Linear(width, h, opts));
        layers.push(cfg.activation === 'tanh' ? new Tanh() : cfg.activation === 'sigmoid' ? new Sigmoid() : new ReLU());
        if (cfg.dropout) layers.push(new Dropout(cfg.dropout, { rng: rng.fork() }));
        width = h;
      }
      layers.push(new Linear(width, C, opts));
      return new ZooModel(cfg, layers);
    }
    default: {
      const never: never = cfg;
      throw configError(`unknown arch ${JSON.stringify(never)}`);
    }
  }
}
