/**
 * Dataset-distillation experiments from a JSON config (`qdistill dd`): load
 * the data, carve a validation split from the training data, distil once
 * per seed, replay on the test split, and score the same-size baselines on
 * the same initial networks (paired seeds).
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { numSamples, type Dataset } from '../data/dataset.js';
import { trainValidationSplit } from '../data/select.js';
import {
  distillationBaselines, distillDataset, evaluateDistilled, isHybridConfig,
  type CircuitWeightMovement, type DistillDatasetOptions, type DistilledDataset, type DistillModelConfig, type DistillProgress,
} from './dataset.js';

/** Where the real images come from. */
export type DDDatasetSpec =
  | { name: 'mnist' | 'fashion-mnist'; classes?: number[] }
  | { name: 'cifar10'; trainFiles: string[]; testFiles: string[]; classes?: number[] };

/** The distillation settings of a config (the options of `distillDataset` that are plain data). */
export type DDSettings = Pick<
  DistillDatasetOptions,
  | 'imagesPerClass' | 'steps' | 'epochs' | 'init' | 'weightInit' | 'initialLr' | 'outerLr' | 'betas' | 'decayEpochs' | 'decayGamma'
  | 'outerEpochs' | 'maxIterations' | 'batchSize' | 'innerPrecision' | 'hvpEps' | 'freezeCircuitWeights' | 'augment' | 'evalEvery' | 'select'
  | 'normalization'
>;

/** A dataset-distillation experiment (JSON). */
export interface DDExperimentConfig {
  name?: string;
  /** What the paper leaves open and what we chose. */
  notes?: string;
  dataset: DDDatasetSpec;
  /** Training samples held out as validation (default 1000; 0 = none). Selection uses it, never the test split. */
  validation?: number;
  model: DistillModelConfig;
  distill?: DDSettings;
  /** Seeds (θ₀, images, batch order, baseline draws); default [0]. */
  seeds?: number[];
  /** Score the random-real / class-mean / k-means baselines (default true). */
  baselines?: boolean;
  /** Random real draws per seed (default 5). */
  baselineDraws?: number;
  /** The paper's number for this row (for tables). */
  paper?: { testAccuracy: number; table: string };
}

const SETTING_KEYS: ReadonlyArray<keyof DDSettings> = [
  'imagesPerClass', 'steps', 'epochs', 'init', 'weightInit', 'initialLr', 'outerLr', 'betas', 'decayEpochs', 'decayGamma',
  'outerEpochs', 'maxIterations', 'batchSize', 'innerPrecision', 'hvpEps', 'freezeCircuitWeights', 'augment', 'evalEvery', 'select', 'normalization',
];
const TOP_KEYS = ['name', 'notes', 'dataset', 'validation', 'model', 'distill', 'seeds', 'baselines', 'baselineDraws', 'paper'];

function configError(message: string): QDistillError {
  return new QDistillError('E_CONFIG', `dd config: ${message}`);
}

/**
 * Validates a dataset-distillation config: unknown keys, wrong types and
 * values are `E_CONFIG` errors naming the field (the distillation options
 * themselves are checked again, in depth, when the run starts).
 *
 * @example
 * ```ts
 * const config = validateDDConfig(JSON.parse(text));
 * ```
 */
export function validateDDConfig(raw: unknown): DDExperimentConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw configError(`expected an object, got ${JSON.stringify(raw)}`);
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) if (!TOP_KEYS.includes(key)) throw configError(`unknown key "${key}" (allowed: ${TOP_KEYS.join(', ')})`);
  const ds = c.dataset as Record<string, unknown> | undefined;
  if (!ds || typeof ds !== 'object') throw configError('"dataset" is required: { name: "mnist" | "fashion-mnist" | "cifar10", … }');
  if (ds.name === 'cifar10') {
    for (const k of ['trainFiles', 'testFiles']) {
      const v = ds[k];
      if (!Array.isArray(v) || v.length === 0 || v.some((p) => typeof p !== 'string')) throw configError(`dataset.${k} must be a non-empty list of CIFAR-10 binary file paths`);
    }
  } else if (ds.name !== 'mnist' && ds.name !== 'fashion-mnist') {
    throw configError(`dataset.name must be "mnist", "fashion-mnist" or "cifar10", got ${JSON.stringify(ds.name)}`);
  }
  if (ds.classes !== undefined && (!Array.isArray(ds.classes) || ds.classes.length < 2 || ds.classes.some((x) => !Number.isInteger(x) || x < 0 || x > 9))) {
    throw configError(`dataset.classes must list at least 2 class ids in 0..9, got ${JSON.stringify(ds.classes)}`);
  }
  const model = c.model as Record<string, unknown> | undefined;
  if (!model || typeof model !== 'object' || typeof model.arch !== 'string' || !Number.isInteger(model.numClasses)) {
    throw configError('"model" must be a model config with arch and numClasses');
  }
  const classes = (ds.classes as number[] | undefined)?.length ?? 10;
  if (model.numClasses !== classes) throw configError(`model.numClasses is ${String(model.numClasses)} but the dataset has ${classes} classes`);
  if (c.distill !== undefined) {
    if (typeof c.distill !== 'object' || c.distill === null) throw configError('"distill" must be an object');
    for (const key of Object.keys(c.distill)) {
      if (!(SETTING_KEYS as readonly string[]).includes(key)) throw configError(`unknown key "distill.${key}" (allowed: ${SETTING_KEYS.join(', ')})`);
    }
  }
  if (c.seeds !== undefined && (!Array.isArray(c.seeds) || c.seeds.length === 0 || c.seeds.some((s) => !Number.isSafeInteger(s)))) {
    throw configError(`seeds must be a non-empty list of integers, got ${JSON.stringify(c.seeds)}`);
  }
  if (c.validation !== undefined && (!Number.isInteger(c.validation) || (c.validation as number) < 0)) {
    throw configError(`validation must be a sample count ≥ 0, got ${JSON.stringify(c.validation)}`);
  }
  if (c.baselineDraws !== undefined && (!Number.isInteger(c.baselineDraws) || (c.baselineDraws as number) < 1)) {
    throw configError(`baselineDraws must be an integer ≥ 1, got ${JSON.stringify(c.baselineDraws)}`);
  }
  if (c.baselines !== undefined && typeof c.baselines !== 'boolean') throw configError('baselines must be true or false');
  return c as unknown as DDExperimentConfig;
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
  signal?: AbortSignal;
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
    options.onMessage?.(`${config.name ?? 'dd'}: seed ${seed}, ${config.model.arch}${isHybridConfig(config.model) ? '' : ''}, ${numSamples(train)} training / ${validation ? numSamples(validation) : 0} validation images`);
    const result = await distillDataset({
      ...settings,
      model: { ...config.model, seed },
      realData: train,
      ...(validation ? { validation } : {}),
      seed,
      ...(env.kernel ? { kernel: env.kernel } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (p) => options.onProgress?.(seed, p),
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
