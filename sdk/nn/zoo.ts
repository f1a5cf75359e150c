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
import { QDistillError } from '../errors.js';
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

const ALLOWED_KEYS: Record<ModelConfig['arch'], readonly string[]> = {
  'lenet-003': ['arch', 'numClasses', 'seed', 'dtype', 'inChannels', 'imageSize'],
  'lenet-000': ['arch', 'numClasses', 'seed', 'dtype', 'inChannels', 'imageSize'],
  lenet5: ['arch', 'numClasses', 'seed', 'dtype', 'inChannels', 'imageSize'],
  'alexnet-mini': ['arch', 'numClasses', 'seed', 'dtype', 'inChannels', 'imageSize', 'fcWidths', 'dropout'],
  mlp: ['arch', 'numClasses', 'seed', 'dtype', 'inputSize', 'hiddenSizes', 'activation', 'dropout'],
};

function configError(message: string): QDistillError {
  return new QDistillError('E_CONFIG', `model config: ${message}`);
}

function intField(cfg: Record<string, unknown>, key: string, def: number | undefined, min: number): number {
  const v = cfg[key] ?? def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw configError(`${key} must be an integer ≥ ${min}, got ${JSON.stringify(cfg[key])}`);
  }
  return v;
}

function probField(cfg: Record<string, unknown>, key: string, def: number): number {
  const v = cfg[key] ?? def;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw configError(`${key} must be a number in [0, 1), got ${JSON.stringify(cfg[key])}`);
  return v;
}

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
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw configError(`expected an object, got ${JSON.stringify(config)}`);
  const cfg = config as Record<string, unknown>;
  const arch = cfg.arch;
  if (typeof arch !== 'string' || !(ARCHITECTURES as readonly string[]).includes(arch)) {
    throw configError(`unknown arch ${JSON.stringify(arch)}; known: ${ARCHITECTURES.join(', ')}`);
  }
  const a = arch as ModelConfig['arch'];
  for (const key of Object.keys(cfg)) {
    if (!ALLOWED_KEYS[a].includes(key)) throw configError(`unknown key "${key}" for arch ${a} (allowed: ${ALLOWED_KEYS[a].join(', ')})`);
  }
  const numClasses = intField(cfg, 'numClasses', undefined, 1);
  const seed = cfg.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw configError(`seed must be an integer, got ${JSON.stringify(cfg.seed)}`);
  const rawDtype = cfg.dtype ?? 'float32';
  if (rawDtype !== 'float32' && rawDtype !== 'float64') throw configError(`dtype must be "float32" or "float64", got ${JSON.stringify(cfg.dtype)}`);
  const dtype: DType = rawDtype;
  const common = { numClasses, seed, dtype };
  switch (a) {
    case 'lenet-003':
    case 'lenet-000':
    case 'lenet5':
      return { arch: a, ...common, inChannels: intField(cfg, 'inChannels', 1, 1), imageSize: intField(cfg, 'imageSize', 28, 1) };
    case 'alexnet-mini': {
      const raw = cfg.fcWidths ?? 128;
      const widths = typeof raw === 'number' ? [raw, raw] : raw;
      if (!Array.isArray(widths) || widths.length !== 2 || widths.some((w) => typeof w !== 'number' || !Number.isInteger(w) || w < 1)) {
        throw configError(`fcWidths must be a positive integer or a pair of them, got ${JSON.stringify(cfg.fcWidths)}`);
      }
      return {
        arch: a,
        ...common,
        inChannels: intField(cfg, 'inChannels', 1, 1),
        imageSize: intField(cfg, 'imageSize', 28, 1),
        fcWidths: [widths[0] as number, widths[1] as number],
        dropout: probField(cfg, 'dropout', 0.5),
      };
    }
    case 'mlp': {
      const hidden = cfg.hiddenSizes;
      if (!Array.isArray(hidden) || hidden.some((h) => typeof h !== 'number' || !Number.isInteger(h) || h < 1)) {
        throw configError(`hiddenSizes must be an array of positive integers, got ${JSON.stringify(hidden)}`);
      }
      const activation = cfg.activation ?? 'relu';
      if (activation !== 'relu' && activation !== 'tanh' && activation !== 'sigmoid') {
        throw configError(`activation must be relu, tanh or sigmoid, got ${JSON.stringify(activation)}`);
      }
      return {
        arch: a,
        ...common,
        inputSize: intField(cfg, 'inputSize', undefined, 1),
        hiddenSizes: [...(hidden as number[])],
        activation,
        dropout: probField(cfg, 'dropout', 0),
      };
    }
    default: {
      const never: never = a;
      throw configError(`unknown arch ${String(never)}`);
    }
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
