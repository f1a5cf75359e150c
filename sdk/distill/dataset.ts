/**
 * Dataset distillation by performance matching (Wang et al. 2018), as paper
 * 000's authors run it (PROTOCOLS.md C.3/C.4): learn a handful of synthetic
 * images and one learning rate per inner step such that a fixed network,
 * trained on those images by a few unrolled SGD steps, does well on real
 * data.
 *
 * ## The algorithm
 *
 * Synthetic images X̃ start as N(0, 1) in normalised-pixel space with fixed,
 * class-major labels (`imagesPerClass` per class per step, `steps` steps).
 * Each outer iteration draws a real batch (1,024 by default) and runs
 *
 *   θ₀ = fixed init (or a fresh random one),
 *   θ_{t+1} = θ_t − η_t ∇θ CE(f(X̃_{t mod steps}; θ_t), ỹ),   t = 0..T−1, T = steps·epochs,
 *   L = CE(f(x_real; θ_T), y_real),
 *
 * then one Adam step (lr 0.01, betas (0.5, 0.999)) on X̃ and on the raw
 * learning rates r_t (η_t = softplus(r_t), r₀ = log(expm1(initialLr))), with
 * the hypergradients dL/dX̃ and dL/dη_t taken through all T steps by
 * {@link unrolledHypergradient} (Hessian-vector products by central
 * differences of first-order gradients: it works through the quantum layer's
 * adjoint gradients). The outer lr halves every 40 epochs over the real
 * data, with the authors' off-by-one (their `scheduler.step()` runs at the
 * start of each epoch, so lr = 0.01·0.5^⌊(e+1)/40⌋).
 *
 * ## Precision
 *
 * The outer loss (the big real batch, the hot path) runs in the model's own
 * dtype (float32, SIMD kernels). The inner steps and the central
 * differences run in `innerPrecision`: float64 by default, because the
 * difference of two float32 gradients divided by 2ε loses most of its
 * digits (bench/dd.ts measures both against brute finite differences).
 *
 * ## Evaluation
 *
 * {@link evaluateDistilled} replays the T ordered steps with the learned
 * rates from a fresh copy of the initial network and measures accuracy;
 * {@link distillationBaselines} does the same with random real images,
 * per-class mean images and per-class k-means centroids of the same count.
 *
 * @packageDocumentation
 */
import { QDistillError, unreachable } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { createKernel } from '../kernel/kernel.js';
import { init as initNN } from '../nn/backend.js';
import { unrolledHypergradient, valueAndGrad } from '../nn/functional.js';
import { initLayer } from '../nn/init.js';
import { Conv2d, Linear } from '../nn/layers.js';
import { accuracy, crossEntropy } from '../nn/losses.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../nn/optim/adam.js';
import { StepLR } from '../nn/optim/scheduler.js';
import { noGrad, Tensor, type DType } from '../nn/tensor.js';
import { ARCHITECTURES, createModel, type ModelConfig } from '../nn/zoo.js';
import { createHybridModel, QuantumLeNet, type HybridModelConfig } from '../qnn/hybrid.js';
import { QNNModule } from '../qnn/qnn-module.js';
import { featureSize, validateDataset, type Dataset } from '../data/dataset.js';
import { batches } from '../data/select.js';
import { Random } from '../util/random.js';
import { hashFloat64 } from '../util/hash.js';
import { parseTrainingState, serializeTrainingState, type TrainingState } from '../nn/training-state.js';
import type { OptimizerState } from '../nn/optim/optimizer.js';
import type { CheckpointEvent, DistillCheckpoint } from './knowledge.js';

/** A model to distil for: any zoo config (`lenet-000`, …) or hybrid config (`quantum-lenet-000`, …). */
export type DistillModelConfig = ModelConfig | HybridModelConfig;

/** Per-channel normalisation x' = (x − mean)/std applied to the real data; the synthetic images live in x' space. */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** MNIST's normalisation (torchvision's, used by the authors). */
export const MNIST_NORMALIZATION: Normalization = { mean: [0.1307], std: [0.3081] };
/** CIFAR-10's normalisation in the authors' code. */
export const CIFAR10_NORMALIZATION: Normalization = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261] };

/** How θ₀ is chosen. */
export type InitMode = 'fixed' | 'random';
/** How a network's weights are initialised: the authors' scheme, or as the model's constructor built them. */
export type WeightInit = 'paper-000' | 'model';

/** Progress of {@link distillDataset}, once per outer iteration. */
export interface DistillProgress {
  epoch: number;
  epochs: number;
  /** Outer iterations done and planned. */
  iteration: number;
  iterations: number;
  /** Outer (real-batch) loss of this iteration. */
  outerLoss: number;
  /** Current learned learning rates η_t. */
  learningRates: number[];
  /** Outer (Adam) learning rate. */
  outerLr: number;
  /** Validation accuracy of the current images when it was just measured, else null. */
  validationAccuracy: number | null;
  seconds: number;
  /** Estimated seconds left. */
  etaSeconds: number;
  /** A copy of the current synthetic images (normalised space, as `DistilledDataset.images`), made on call: for showing them as they learn. */
  images?: () => Float32Array;
}

/** Options of {@link distillDataset}. */
export interface DistillDatasetOptions {
  /** The network (config: the distilled file must be able to rebuild it). */
  model: DistillModelConfig;
  /** Real training images, raw pixels as loaded (e.g. [0, 1]); normalised here. */
  realData: Dataset;
  /** Held-out real images for progress and selection (never the test split). */
  validation?: Dataset;
  /** Default: MNIST's for 1 channel, CIFAR-10's for 3; required otherwise. */
  normalization?: Normalization;
  /** Synthetic images per class per step (default 1). */
  imagesPerClass?: number;
  /** Distinct synthetic batches (default 1). */
  steps?: number;
  /** Passes over the batches in the inner loop (default 3): T = steps·epochs unrolled steps. */
  epochs?: number;
  /** 'fixed' (the authors' known_init, default) or 'random' (a fresh θ₀ every outer iteration). */
  init?: InitMode;
  /** Default 'paper-000': xavier-normal Conv/Linear, bias 0, the quantum part as their code. */
  weightInit?: WeightInit;
  /** Initial learned lr (default 0.02, MNIST; the authors use 0.001 for CIFAR-10). */
  initialLr?: number;
  /** Outer Adam lr (default 0.01), betas (default (0.5, 0.999)). */
  outerLr?: number;
  betas?: [number, number];
  /** StepLR: halve (gamma 0.5) every 40 outer epochs by default. */
  decayEpochs?: number;
  decayGamma?: number;
  /** Outer epochs over the real data (default 400). */
  outerEpochs?: number;
  /** Stop after this many outer iterations (default: no limit). */
  maxIterations?: number;
  /** Real batch size (default 1024). */
  batchSize?: number;
  /** Seed of θ₀, the synthetic images and the batch order (default 0). */
  seed?: number;
  /** dtype of the inner steps and central differences (default float64, see the module doc). */
  innerPrecision?: DType;
  /** Relative central-difference step (default 1e-6 for float64, 1e-2 for float32; see bench/dd.ts). */
  hvpEps?: number;
  /** Freeze the circuit weights in the inner steps (mirrors what the authors' code probably did, PROTOCOLS C.5.1). */
  freezeCircuitWeights?: boolean;
  /** Real-batch augmentation: 'cifar' = reflect-pad 4, random 32×32 crop, random horizontal flip (the authors' CIFAR-10 training transform). */
  augment?: 'none' | 'cifar';
  /** Measure validation accuracy every this many epochs (default 10; 0 = never). */
  evalEvery?: number;
  /** 'last' (the authors') or 'best-validation': keep the images with the best validation accuracy seen. */
  select?: 'last' | 'best-validation';
  onProgress?: (p: DistillProgress) => void;
  signal?: AbortSignal;
  /** Engine to run the quantum layers on (default: a fresh one). */
  kernel?: Kernel;
  /**
   * Keep the complete run state (a `dd-run` training state: images, raw learning rates, Adam and StepLR state, the
   * augmentation generator, position, history, best-validation snapshot) at every outer epoch end (every
   * `everyEpochs`), when `signal` cancels the run, and when it finishes — the same contract as `distillKnowledge`'s
   * (`event.step` counts outer iterations of the epoch).
   */
  checkpoint?: DistillCheckpoint;
  /**
   * Continue from a state saved by `checkpoint.save` (bytes or a parsed state): the run finishes with the history and
   * images of an uninterrupted run. The options must describe the same run (else `E_CHECKPOINT`).
   */
  resumeFrom?: Uint8Array | TrainingState;
}

/** The format version of {@link DistilledDataset}. */
export const DISTILLED_FORMAT_VERSION = 1;

/** Everything needed to replay a distillation: the images, their labels and order, the learned rates and θ₀. */
export interface DistilledDataset {
  format: 'qdistill-distilled-dataset';
  version: number;
  model: DistillModelConfig;
  /** Synthetic images in normalised space, [steps·C·imagesPerClass, ...imageShape], batch-major. */
  images: Float32Array;
  imageShape: number[];
  /** Labels, batch-major (class-major inside a batch). */
  labels: Int32Array;
  numClasses: number;
  classIds?: number[];
  classNames?: string[];
  steps: number;
  epochs: number;
  imagesPerClass: number;
  /** η_t for t = 0..T−1. */
  learningRates: number[];
  init: InitMode;
  weightInit: WeightInit;
  /** θ₀ (fixed init), flat in the model's canonical parameter order. */
  theta0: Float64Array;
  innerPrecision: DType;
  freezeCircuitWeights: boolean;
  normalization: Normalization;
  seed: number;
  /** Outer iterations trained. */
  iterations: number;
}

/** One record of the distillation history. */
export interface DistillHistoryRecord {
  epoch: number;
  iteration: number;
  /** Mean outer loss over the epoch. */
  outerLoss: number;
  validationAccuracy: number | null;
  learningRates: number[];
  seconds: number;
}

/** Result of {@link distillDataset}. */
export interface DistillDatasetResult {
  distilled: DistilledDataset;
  history: DistillHistoryRecord[];
  iterations: number;
  seconds: number;
  /** Mean seconds per outer iteration. */
  secondsPerIteration: number;
  /** Validation accuracy of the returned images (null without validation data). */
  validationAccuracy: number | null;
  /** Hessian-vector products retaken with a smaller ε because they straddled a ReLU/max-pool kink, and those still inconsistent (see nn `hvp`). */
  hvpRetries: number;
  hvpUnresolved: number;
  /** Where the run resumed (`resumeFrom`): the completed outer epochs and iterations of the state, or null. */
  resumedFrom: { epoch: number; iteration: number; finished: boolean } | null;
}

interface Prepared {
  x: Float32Array;
  y: Int32Array;
  shape: number[];
  numClasses: number;
}

const HYBRID_ARCHS = ['quantum-lenet-000', 'student-003', 'qnn-classifier'] as const;

function optionError(message: string): QDistillError {
  return new QDistillError('E_INVALID_ARGUMENT', `distillDataset: ${message}`);
}

function positiveInt(name: string, value: unknown, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw optionError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return v;
}

function positiveNumber(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw optionError(`${name} must be a finite number > 0, got ${JSON.stringify(value)}`);
  return v;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  const v = value ?? fallback;
  if (!allowed.includes(v as T)) throw optionError(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`);
  return v as T;
}

/** Whether a config names a hybrid (quantum) model rather than a zoo model. */
export function isHybridConfig(config: DistillModelConfig): config is HybridModelConfig {
  return (HYBRID_ARCHS as readonly string[]).includes(config.arch);
}

function checkModelConfig(config: unknown): DistillModelConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw optionError(`model must be a model config object, got ${JSON.stringify(config)}`);
  const arch = (config as { arch?: unknown }).arch;
  if (typeof arch !== 'string' || ![...ARCHITECTURES, ...HYBRID_ARCHS].includes(arch as never)) {
    throw new QDistillError('E_CONFIG', `distillDataset: model.arch ${JSON.stringify(arch)} is unknown; known: ${[...ARCHITECTURES, ...HYBRID_ARCHS].join(', ')}`);
  }
  return config as DistillModelConfig;
}

/**
 * Builds a model from its config in the given dtype (a zoo model, or a
 * hybrid model on `kernel`).
 *
 * @example
 * ```ts
 * const model = await buildDistillModel({ arch: 'lenet-000', numClasses: 10 }, 'float32', kernel);
 * ```
 */
export async function buildDistillModel(config: DistillModelConfig, dtype: DType, kernel: Kernel): Promise<Module> {
  if (isHybridConfig(config)) return createHybridModel({ ...config, dtype } as HybridModelConfig, { kernel });
  return createModel({ ...config, dtype } as ModelConfig);
}

function forEachModule(m: Module, visit: (m: Module) => void): void {
  visit(m);
  for (const [, child] of m.namedChildren()) forEachModule(child, visit);
}

/**
 * Initialises a model's parameters as paper 000's code does (PROTOCOLS C.3):
 * every Conv2d/Linear weight xavier-normal (gain 1) with bias 0, in module
 * order; the quantum LeNet's circuit weights xavier-normal on their
 * (layers, 6, 3) tensor, trainable Hermitian parameters N(0, 1), α = 0.5.
 * Other parameters keep their constructor values.
 *
 * @example
 * ```ts
 * initializePaper000(model, new Random(1));
 * const theta0 = model.getFlatParams();
 * ```
 */
export function initializePaper000(model: Module, rng: Random): void {
  forEachModule(model, (m) => {
    if (m instanceof Linear || m instanceof Conv2d) initLayer('xavier-normal', m.weight, m.bias, rng);
  });
  forEachModule(model, (m) => {
    if (m instanceof QuantumLeNet) m.initQuantumPaper000(rng);
  });
}

/**
 * The flat-parameter ranges of every quantum circuit's weights (the QNN
 * layers' ansatz angles), `[start, end)` in canonical order.
 *
 * @example
 * ```ts
 * circuitWeightRanges(qlenet); // [[1, 55]]
 * ```
 */
export function circuitWeightRanges(model: Module): Array<[number, number]> {
  const owners = new Map<unknown, QNNModule>();
  forEachModule(model, (m) => {
    if (m instanceof QNNModule) owners.set(m.weight, m);
  });
  const out: Array<[number, number]> = [];
  let offset = 0;
  for (const [, p] of model.namedParameters()) {
    const q = owners.get(p);
    if (q) out.push([offset, offset + q.layer.numWeights]);
    offset += p.size;
  }
  return out;
}

function defaultNormalization(channels: number): Normalization {
  if (channels === 1) return MNIST_NORMALIZATION;
  if (channels === 3) return CIFAR10_NORMALIZATION;
  throw optionError(`no default normalization for ${channels}-channel images; pass normalization { mean, std } with ${channels} values each`);
}

function checkNormalization(n: Normalization, channels: number): Normalization {
  if (!n || !Array.isArray(n.mean) || !Array.isArray(n.std) || n.mean.length !== channels || n.std.length !== channels) {
    throw optionError(`normalization must give ${channels} mean and ${channels} std values, got ${JSON.stringify(n)}`);
  }
  if (n.std.some((s) => !(s > 0) || !Number.isFinite(s)) || n.mean.some((m) => !Number.isFinite(m))) {
    throw optionError(`normalization needs finite means and std > 0, got ${JSON.stringify(n)}`);
  }
  return { mean: [...n.mean], std: [...n.std] };
}

/**
 * Normalises a dataset's images per channel: x' = (x − mean)/std (a copy).
 *
 * @example
 * ```ts
 * const test = normalizeImages(raw, MNIST_NORMALIZATION);
 * ```
 */
export function normalizeImages(dataset: Dataset, normalization: Normalization): Dataset {
  const channels = dataset.shape.length === 3 ? dataset.shape[0]! : 1;
  const norm = checkNormalization(normalization, channels);
  const per = featureSize(dataset.shape) / channels;
  const x = new Float32Array(dataset.x.length);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / per) % channels;
    x[i] = (dataset.x[i]! - norm.mean[c]!) / norm.std[c]!;
  }
  return { ...dataset, x, y: dataset.y.slice(), shape: [...dataset.shape] };
}

function imageShapeOf(dataset: Dataset, where: string): number[] {
  if (dataset.shape.length !== 3) throw new QDistillError('E_SHAPE', `${where}: expected images of shape [channels, height, width], got [${dataset.shape.join(', ')}]`);
  return [...dataset.shape];
}

function prepare(dataset: Dataset, norm: Normalization, where: string): Prepared {
  validateDataset(dataset, where);
  imageShapeOf(dataset, where);
  const n = normalizeImages(dataset, norm);
  return { x: n.x, y: n.y, shape: n.shape, numClasses: n.numClasses };
}

/** A tensor of `count` images starting at image `start` of a flat array, in `dtype`. */
function imageTensor(data: ArrayLike<number>, start: number, count: number, shape: readonly number[], dtype: DType): Tensor {
  const per = featureSize(shape);
  const out = dtype === 'float64' ? new Float64Array(count * per) : new Float32Array(count * per);
  for (let i = 0; i < count * per; i++) out[i] = data[start * per + i]!;
  return new Tensor(out, [count, ...shape]);
}

/** Class-major labels of one synthetic batch: each class `perClass` times. */
export function batchLabels(numClasses: number, perClass: number): Int32Array {
  const out = new Int32Array(numClasses * perClass);
  for (let c = 0; c < numClasses; c++) out.fill(c, c * perClass, (c + 1) * perClass);
  return out;
}

const softplus = (r: number): number => (r > 20 ? r : Math.log1p(Math.exp(r)));
const sigmoid = (r: number): number => 1 / (1 + Math.exp(-r));
/** softplus⁻¹(η) = log(expm1(η)): the raw value whose softplus is η. */
export function inverseSoftplus(eta: number): number {
  return eta > 20 ? eta : Math.log(Math.expm1(eta));
}

/** The learned step of the unrolled loop: which batch step t trains on. */
const batchOfStep = (steps: number) => (t: number): number => t % steps;

/** Replay context: models and losses shared by distillation, evaluation and baselines. */
export class DistillRunner {
  readonly config: DistillModelConfig;
  readonly inner: Module;
  readonly outer: Module;
  readonly imageShape: number[];
  readonly numClasses: number;
  readonly circuitRanges: Array<[number, number]>;
  readonly mask: Float64Array | undefined;
  readonly hvpEps: number;

  private constructor(config: DistillModelConfig, inner: Module, outer: Module, imageShape: number[], numClasses: number, freezeCircuit: boolean, hvpEps: number) {
    this.config = config;
    this.inner = inner.train();
    this.outer = outer.eval();
    this.imageShape = imageShape;
    this.numClasses = numClasses;
    this.circuitRanges = circuitWeightRanges(outer);
    this.hvpEps = hvpEps;
    if (freezeCircuit) {
      const mask = new Float64Array(outer.numParameters()).fill(1);
      for (const [a, b] of this.circuitRanges) mask.fill(0, a, b);
      this.mask = mask;
    } else this.mask = undefined;
  }

  /**
   * Builds the outer model (the config's dtype) and the inner model (`innerPrecision`).
   *
   * @example
   * ```ts
   * const runner = await DistillRunner.create({ arch: 'lenet-000', numClasses: 10 }, [1, 28, 28], 'float64', false, kernel);
   * ```
   */
  static async create(
    config: DistillModelConfig, imageShape: number[], innerPrecision: DType, freezeCircuit: boolean, kernel: Kernel, hvpEps?: number,
  ): Promise<DistillRunner> {
    const outerDtype: DType = config.dtype ?? 'float32';
    const outer = await buildDistillModel(config, outerDtype, kernel);
    const inner = outerDtype === innerPrecision ? outer : await buildDistillModel(config, innerPrecision, kernel);
    if (inner.numParameters() !== outer.numParameters()) throw new QDistillError('E_INVALID_ARGUMENT', 'distillDataset: inner and outer models differ');
    if (freezeCircuit && circuitWeightRanges(outer).length === 0) {
      throw optionError(`freezeCircuitWeights: model ${config.arch} has no quantum circuit weights`);
    }
    const numClasses = config.numClasses;
    return new DistillRunner(config, inner, outer, imageShape, numClasses, freezeCircuit, hvpEps ?? (innerPrecision === 'float64' ? 1e-6 : 1e-2));
  }

  /** θ₀ from the weight-init scheme and a seed. */
  initialParams(weightInit: WeightInit, seed: number | readonly number[]): Float64Array {
    // The outer model's own parameters are scratch: apply() never reads them.
    const fresh = this.outer;
    switch (weightInit) {
      case 'paper-000':
        initializePaper000(fresh, new Random(seed));
        break;
      case 'model':
        break;
      default:
        unreachable(weightInit, 'weightInit');
    }
    return fresh.getFlatParams();
  }

  /** ℓ(θ, X_b) of the inner steps (class-major labels). */
  innerLoss(labels: readonly Int32Array[]): (p: Tensor, x: Tensor, b: number) => Tensor {
    return (p, x, b) => crossEntropy(this.inner.apply(p, x), labels[b]!);
  }

  /**
   * Replays the T ordered inner steps (plain SGD with the given rates) from θ₀.
   *
   * @returns θ_T
   */
  replay(theta0: Float64Array, images: ArrayLike<number>, labels: readonly Int32Array[], learningRates: readonly number[], steps: number): Float64Array {
    const per = labels[0]!.length;
    const xs = labels.map((_, b) => imageTensor(images, b * per, per, this.imageShape, this.innerDtype));
    const loss = this.innerLoss(labels);
    let theta = theta0.slice();
    learningRates.forEach((eta, t) => {
      const b = batchOfStep(steps)(t);
      const { dParams } = valueAndGrad((p, x) => loss(p, x, b), theta, xs[b]!, { inputGrad: false });
      const next = new Float64Array(theta.length);
      for (let i = 0; i < next.length; i++) next[i] = theta[i]! - eta * (this.mask ? this.mask[i]! : 1) * dParams[i]!;
      theta = next;
    });
    return theta;
  }

  /** dtype of the inner model. */
  get innerDtype(): DType {
    return this.inner.parameters()[0]!.dtype;
  }

  /**
   * L(θ) and ∇θL on one real batch: the hot path, one batched forward and
   * backward in the outer model's dtype. Kept as one function so a worker
   * pool can split the batch and sum.
   */
  outerValueAndGrad(theta: Float64Array, x: Tensor, y: Int32Array): { loss: number; dParams: Float64Array } {
    const r = valueAndGrad((p, input) => crossEntropy(this.outer.apply(p, input), y), theta, x, { inputGrad: false });
    return { loss: r.loss, dParams: r.dParams };
  }

  /** Accuracy of the outer model at θ on normalised data (batches of 1024, no graph). */
  accuracy(theta: Float64Array, data: Prepared): number {
    const dtype = this.outer.parameters()[0]!.dtype;
    let correct = 0;
    const n = data.y.length;
    noGrad(() => {
      for (let start = 0; start < n; start += 1024) {
        const count = Math.min(1024, n - start);
        const x = imageTensor(data.x, start, count, data.shape, dtype);
        const logits = this.outer.apply(theta, x);
        correct += Math.round(accuracy(logits, data.y.subarray(start, start + count)) * count);
      }
    });
    return n === 0 ? 0 : correct / n;
  }
}

/** Labels of every synthetic batch. */
function labelsOf(steps: number, numClasses: number, perClass: number): Int32Array[] {
  return Array.from({ length: steps }, () => batchLabels(numClasses, perClass));
}

/** Reflect-pad 4, random crop back to the size, random horizontal flip — per image, seeded (the authors' CIFAR-10 train transform). */
function augmentCifar(x: Float32Array, count: number, shape: readonly number[], rng: Random): Float32Array {
  const [c, h, w] = shape as [number, number, number];
  const pad = 4;
  const out = new Float32Array(x.length);
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  for (let n = 0; n < count; n++) {
    const dy = rng.int(2 * pad + 1) - pad;
    const dx = rng.int(2 * pad + 1) - pad;
    const flip = rng.uniform() < 0.5;
    const base = n * c * h * w;
    for (let ch = 0; ch < c; ch++) {
      for (let r = 0; r < h; r++) {
        const sr = reflect(r + dy, h);
        for (let q = 0; q < w; q++) {
          const sq = reflect((flip ? w - 1 - q : q) + dx, w);
          out[base + (ch * h + r) * w + q] = x[base + (ch * h + sr) * w + sq]!;
        }
      }
    }
  }
  return out;
}

/**
 * Distils a dataset (see the module doc): learns `steps·C·imagesPerClass`
 * synthetic images and `steps·epochs` learning rates for the given model by
 * performance matching, with the authors' defaults.
 *
 * **Checkpoints.** With `checkpoint`, the complete run state (a `dd-run`
 * training state, the format of `distillKnowledge`'s: images and raw rates,
 * Adam moments and step counts, StepLR's epoch, the augmentation generator,
 * the position inside the epoch, history, best-validation snapshot, hvp
 * counters) goes to `checkpoint.save` at every outer epoch end, when
 * `signal` cancels the run (after the current outer iteration) and when it
 * finishes. `resumeFrom` continues from such a state and ends with the
 * history (wall-clock `seconds` aside) and images of an uninterrupted run,
 * bit for bit; the batch order is a function of (seed, epoch) and θ₀ of the
 * seed (and, for `init: 'random'`, the iteration), so they need no state.
 *
 * @throws E_INVALID_ARGUMENT / E_CONFIG on bad options, E_DATA / E_SHAPE on bad data, E_NAN if the hypergradient is not finite (the last checkpoint stays intact), E_ABORTED when `signal` fires (after saving the position), E_CHECKPOINT if `resumeFrom` is damaged or of another run
 * @example
 * ```ts
 * import { distillDataset, evaluateDistilled } from 'qdistill';
 * import { fileCheckpointStore, loadMnist } from 'qdistill/node';
 * const { train, test } = await loadMnist();
 * const { distilled } = await distillDataset({
 *   model: { arch: 'quantum-lenet-000', numClasses: 10 },
 *   realData: train, imagesPerClass: 1, steps: 1, epochs: 3, init: 'fixed', outerEpochs: 50,
 * });
 * const { accuracy } = await evaluateDistilled(distilled, test);
 *
 * // Resumable (nn.memoryCheckpointStore() or your own { load, save } outside Node):
 * const store = fileCheckpointStore('runs/dd');
 * await distillDataset({
 *   model: { arch: 'lenet-000', numClasses: 10 }, realData: train,
 *   checkpoint: { save: (bytes) => store.save('mnist-10', bytes) },
 *   resumeFrom: (await store.load('mnist-10')) ?? undefined,
 * });
 * ```
 */
export async function distillDataset(options: DistillDatasetOptions): Promise<DistillDatasetResult> {
  const started = performance.now();
  const config = checkModelConfig(options.model);
  validateDataset(options.realData, 'distillDataset realData');
  const imageShape = imageShapeOf(options.realData, 'distillDataset realData');
  const numClasses = options.realData.numClasses;
  if (config.numClasses !== numClasses) {
    throw optionError(`model.numClasses is ${config.numClasses} but realData has ${numClasses} classes`);
  }
  const norm = checkNormalization(options.normalization ?? defaultNormalization(imageShape[0]!), imageShape[0]!);
  const perClass = positiveInt('imagesPerClass', options.imagesPerClass, 1);
  const steps = positiveInt('steps', options.steps, 1);
  const epochs = positiveInt('epochs', options.epochs, 3);
  const init = oneOf('init', options.init, ['fixed', 'random'] as const, 'fixed');
  const weightInit = oneOf('weightInit', options.weightInit, ['paper-000', 'model'] as const, 'paper-000');
  const initialLr = positiveNumber('initialLr', options.initialLr, 0.02);
  const outerLr = positiveNumber('outerLr', options.outerLr, 0.01);
  const betas = options.betas ?? [0.5, 0.999];
  const decayEpochs = positiveInt('decayEpochs', options.decayEpochs, 40);
  const decayGamma = positiveNumber('decayGamma', options.decayGamma, 0.5);
  const outerEpochs = positiveInt('outerEpochs', options.outerEpochs, 400);
  const batchSize = positiveInt('batchSize', options.batchSize, 1024);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw optionError(`seed must be an integer, got ${JSON.stringify(options.seed)}`);
  const innerPrecision = oneOf('innerPrecision', options.innerPrecision, ['float32', 'float64'] as const, 'float64');
  const augment = oneOf('augment', options.augment, ['none', 'cifar'] as const, 'none');
  const select = oneOf('select', options.select, ['last', 'best-validation'] as const, 'last');
  const evalEvery = positiveInt('evalEvery', options.evalEvery, 10, 0);
  const maxIterations = options.maxIterations === undefined ? Infinity : positiveInt('maxIterations', options.maxIterations, 1);
  if (options.hvpEps !== undefined) positiveNumber('hvpEps', options.hvpEps, 1e-3);
  if (select === 'best-validation' && !options.validation) throw optionError("select 'best-validation' needs validation data");
  if (init === 'random' && weightInit === 'model') throw optionError("init 'random' draws a fresh θ₀ from the weight-init scheme: use weightInit 'paper-000'");

  await initNN();
  const kernel = options.kernel ?? (await createKernel());
  const runner = await DistillRunner.create(config, imageShape, innerPrecision, options.freezeCircuitWeights === true, kernel, options.hvpEps);
  const train = prepare(options.realData, norm, 'distillDataset realData');
  const validation = options.validation ? prepare(options.validation, norm, 'distillDataset validation') : null;
  if (validation && (validation.numClasses !== numClasses || validation.shape.join() !== imageShape.join())) {
    throw optionError(`validation must have ${numClasses} classes and images of shape [${imageShape}], got ${validation.numClasses} and [${validation.shape}]`);
  }

  const per = numClasses * perClass;
  const numImages = steps * per;
  const T = steps * epochs;
  const imageSize = featureSize(imageShape);
  const labels = labelsOf(steps, numClasses, perClass);
  // Adam's variables: the images (normalised space) then the raw learning rates.
  const packed = new Float64Array(numImages * imageSize + T);
  const imageRng = new Random([seed, 1]);
  for (let i = 0; i < numImages * imageSize; i++) packed[i] = imageRng.normal();
  packed.fill(inverseSoftplus(initialLr), numImages * imageSize);
  const optimizer = new Adam(packed, { lr: outerLr, betas });
  const scheduler = new StepLR(optimizer, { stepSize: decayEpochs, gamma: decayGamma });
  const fixedTheta0 = runner.initialParams(weightInit, [seed, 0]);
  const learningRates = (): number[] => Array.from({ length: T }, (_, t) => softplus(packed[numImages * imageSize + t]!));
  const innerLoss = runner.innerLoss(labels);

  const itersPerEpoch = Math.ceil(train.y.length / batchSize);
  const iterations = Math.min(outerEpochs * itersPerEpoch, maxIterations);
  const history: DistillHistoryRecord[] = [];
  let best: { accuracy: number; packed: Float64Array } | null = null;
  const validate = (): number | null => {
    if (!validation) return null;
    const theta = runner.replay(fixedTheta0, packed, labels, learningRates(), steps);
    const acc = runner.accuracy(theta, validation);
    if (select === 'best-validation' && (!best || acc > best.accuracy)) best = { accuracy: acc, packed: packed.slice() };
    return acc;
  };
  const augRng = new Random([seed, 3]);
  let iteration = 0;
  let hvpRetries = 0;
  let hvpUnresolved = 0;

  // Checkpointing and resuming (a `dd-run` training state, see DDRunState).
  const where = 'distillDataset';
  const checkpoint = options.checkpoint;
  if (checkpoint !== undefined && typeof checkpoint?.save !== 'function') throw new QDistillError('E_CONFIG', `${where}: checkpoint.save must be a function`);
  const everyEpochs = checkpoint?.everyEpochs ?? 1;
  if (!Number.isInteger(everyEpochs) || everyEpochs < 1) throw new QDistillError('E_CONFIG', `${where}: checkpoint.everyEpochs must be a positive integer, got ${everyEpochs}`);
  const context = checkpoint?.context ?? null;
  const setup: Record<string, unknown> = {
    model: config, imageShape, numClasses, normalization: norm, imagesPerClass: perClass, steps, epochs, init, weightInit, initialLr, outerLr, betas: [...betas],
    decayEpochs, decayGamma, outerEpochs, maxIterations: Number.isFinite(maxIterations) ? maxIterations : null, batchSize, seed, innerPrecision,
    hvpEps: runner.hvpEps, freezeCircuitWeights: options.freezeCircuitWeights === true, augment, evalEvery, select,
    train: dataFingerprint(train), validation: validation ? dataFingerprint(validation) : null, theta0: hashFloat64(fixedTheta0),
  };
  let firstEpoch = 0;
  let inEpoch: DDRunState['inEpoch'] = null;
  let secondsBefore = 0;
  let outerSecondsBefore = 0;
  let resumedFrom: DistillDatasetResult['resumedFrom'] = null;
  let finished = false;
  if (options.resumeFrom !== undefined) {
    const state = options.resumeFrom instanceof Uint8Array ? parseTrainingState(options.resumeFrom, { kind: 'dd-run' }) : options.resumeFrom;
    if (state.kind !== 'dd-run') throw new QDistillError('E_CHECKPOINT', `${where}: cannot resume from a "${state.kind}" state (expected "dd-run")`);
    const r = readDDRunState(state, setup, context, packed.length, itersPerEpoch, iterations, where);
    packed.set(r.packed);
    try {
      scheduler.loadStateDict(r.json.scheduler);
      optimizer.loadStateDict(r.optimizer);
    } catch (cause) {
      throw new QDistillError('E_CHECKPOINT', `${where}: cannot resume: the outer optimiser state does not fit (${(cause as Error).message})`, { cause });
    }
    augRng.setState(r.json.augRng);
    history.push(...r.json.history);
    if (r.best) best = { accuracy: r.json.bestAccuracy!, packed: r.best };
    iteration = r.json.iteration;
    hvpRetries = r.json.hvpRetries;
    hvpUnresolved = r.json.hvpUnresolved;
    secondsBefore = r.json.seconds;
    outerSecondsBefore = r.json.outerSeconds;
    inEpoch = r.json.inEpoch;
    firstEpoch = inEpoch ? inEpoch.epoch : r.json.completedEpochs;
    finished = r.json.finished;
    resumedFrom = { epoch: r.json.completedEpochs, iteration, finished };
  }
  const processStart = performance.now();
  const elapsed = (): number => secondsBefore + (performance.now() - started) / 1000;
  const startIteration = iteration;
  /** Hands the complete state to `checkpoint.save`. */
  const save = async (event: CheckpointEvent, completedEpochs: number, position: DDRunState['inEpoch'], done: boolean): Promise<void> => {
    if (!checkpoint) return;
    const opt = optimizer.stateDict();
    const json: DDRunState = {
      setup, context, iteration, completedEpochs, inEpoch: position, augRng: augRng.getState(), history: structuredClone(history),
      bestAccuracy: best ? (best as { accuracy: number }).accuracy : null, hvpRetries, hvpUnresolved, seconds: elapsed(),
      outerSeconds: outerSecondsBefore + (performance.now() - processStart) / 1000, finished: done, scheduler: scheduler.stateDict(),
      optimizer: { kind: opt.kind, options: opt.options, lr: opt.lr, step: opt.step, slotSteps: opt.slotSteps },
    };
    const state: TrainingState = { kind: 'dd-run', json: json as unknown as Record<string, unknown>, arrays: new Map() };
    state.arrays.set('packed', packed.slice());
    for (const [key, buffer] of Object.entries(opt.buffers)) state.arrays.set(`optimizer/${key}`, buffer);
    if (best) state.arrays.set('best', (best as { packed: Float64Array }).packed.slice());
    await checkpoint.save(serializeTrainingState(state), event);
  };

  outer: for (let epoch = firstEpoch; epoch < outerEpochs && !finished; epoch++) {
    const resumeHere = inEpoch?.epoch === epoch ? inEpoch : null;
    inEpoch = null;
    if (!resumeHere) scheduler.step(); // at the start of the epoch, as the authors' loop: lr = base·γ^⌊(e+1)/step⌋
    let lossSum = resumeHere?.lossSum ?? 0;
    let lossCount = resumeHere?.lossCount ?? 0;
    let skip = lossCount;
    for (const batch of batches({ x: train.x, y: train.y, shape: train.shape, numClasses }, { batchSize, shuffle: true, seed: seed * 7919 + 2, epoch })) {
      if (skip > 0) {
        skip--;
        continue;
      }
      if (iteration >= iterations) break outer;
      // Let a Ctrl-C (a signal handler, a worker message) reach `signal` between iterations: they take ~1 s, a yield ~0.01 ms.
      if (options.signal) await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.signal?.aborted) {
        await save({ reason: 'cancelled', epoch, step: lossCount, stepsPerEpoch: itersPerEpoch }, epoch, { epoch, lossSum, lossCount }, false);
        throw new QDistillError('E_ABORTED', `distillDataset: aborted at iteration ${iteration}`, { cause: options.signal.reason, details: { iteration, epoch, history } });
      }
      const xs = augment === 'cifar' ? augmentCifar(batch.x, batch.size, imageShape, augRng) : batch.x;
      const realX = new Tensor(xs, [batch.size, ...imageShape]);
      const theta0 = init === 'fixed' ? fixedTheta0 : runner.initialParams(weightInit, [seed, 100, iteration]);
      const etas = learningRates();
      const synthetic = labels.map((_, b) => imageTensor(packed, b * per, per, imageShape, runner.innerDtype));
      const r = unrolledHypergradient({
        innerLoss,
        outerGradient: (theta) => runner.outerValueAndGrad(theta, realX, batch.y),
        theta0,
        syntheticInputs: synthetic,
        learningRates: etas,
        batchOfStep: batchOfStep(steps),
        ...(runner.mask ? { trainableMask: runner.mask } : {}),
      }, { eps: runner.hvpEps });
      const grad = new Float64Array(packed.length);
      grad.set(r.dInputs);
      for (let t = 0; t < T; t++) grad[numImages * imageSize + t] = r.dLearningRates[t]! * sigmoid(packed[numImages * imageSize + t]!);
      for (let i = 0; i < grad.length; i++) {
        if (!Number.isFinite(grad[i]!)) {
          throw new QDistillError('E_NAN', `distillDataset: the hypergradient is ${grad[i]} at iteration ${iteration} (epoch ${epoch}); lower initialLr or outerLr${checkpoint ? '; the last checkpoint is intact' : ''}`, { details: { iteration, epoch } });
        }
      }
      optimizer.step(grad);
      hvpRetries += r.hvpRetries;
      hvpUnresolved += r.hvpUnresolved;
      iteration++;
      lossSum += r.outerLoss;
      lossCount++;
      const lastOfEpoch = iteration === iterations || lossCount === itersPerEpoch;
      const measure = lastOfEpoch && evalEvery > 0 && ((epoch + 1) % evalEvery === 0 || iteration === iterations);
      const validationAccuracy = measure ? validate() : null;
      const seconds = elapsed();
      const perIter = (performance.now() - processStart) / 1000 / (iteration - startIteration);
      options.onProgress?.({
        epoch: epoch + 1, epochs: outerEpochs, iteration, iterations, outerLoss: r.outerLoss, learningRates: etas, outerLr: optimizer.lr,
        validationAccuracy, seconds, etaSeconds: perIter * (iterations - iteration),
        images: () => Float32Array.from(packed.subarray(0, numImages * imageSize)),
      });
      if (lastOfEpoch) {
        history.push({ epoch: epoch + 1, iteration, outerLoss: lossSum / lossCount, validationAccuracy, learningRates: learningRates(), seconds });
        const done = iteration === iterations;
        if (done || (epoch + 1) % everyEpochs === 0) {
          await save({ reason: done ? 'finished' : 'epoch', epoch: epoch + 1, step: lossCount, stepsPerEpoch: itersPerEpoch }, epoch + 1, null, done);
        }
      }
    }
  }
  const outerSeconds = outerSecondsBefore + (performance.now() - processStart) / 1000;
  let finalPacked: Float64Array = packed;
  let validationAccuracy: number | null = null;
  if (select === 'best-validation') {
    validate(); // the final images compete too
    const kept = best as { accuracy: number; packed: Float64Array } | null;
    finalPacked = kept?.packed ?? packed;
    validationAccuracy = kept?.accuracy ?? null;
  } else if (validation) {
    validationAccuracy = history.at(-1)?.validationAccuracy ?? validate();
  }
  const distilled: DistilledDataset = {
    format: 'qdistill-distilled-dataset',
    version: DISTILLED_FORMAT_VERSION,
    model: structuredClone(config),
    images: Float32Array.from(finalPacked.subarray(0, numImages * imageSize)),
    imageShape,
    labels: concatLabels(labels),
    numClasses,
    ...(options.realData.classIds ? { classIds: [...options.realData.classIds] } : {}),
    ...(options.realData.classNames ? { classNames: [...options.realData.classNames] } : {}),
    steps,
    epochs,
    imagesPerClass: perClass,
    learningRates: Array.from({ length: T }, (_, t) => softplus(finalPacked[numImages * imageSize + t]!)),
    init,
    weightInit,
    theta0: fixedTheta0,
    innerPrecision,
    freezeCircuitWeights: options.freezeCircuitWeights === true,
    normalization: norm,
    seed,
    iterations: iteration,
  };
  const seconds = elapsed();
  return {
    distilled, history, iterations: iteration, seconds, secondsPerIteration: iteration ? outerSeconds / iteration : 0, validationAccuracy, hvpRetries, hvpUnresolved, resumedFrom,
  };
}

/** The JSON of a `dd-run` training state (arrays: `packed` — the images then the raw rates —, `optimizer/<buffer>`, `best`). */
interface DDRunState {
  /** The resolved options and data fingerprints: a state of another run is refused. */
  setup: Record<string, unknown>;
  context: Record<string, unknown> | null;
  /** Outer iterations done. */
  iteration: number;
  completedEpochs: number;
  /** A cancelled run's position inside epoch `epoch` (0-based; its scheduler step is done). */
  inEpoch: { epoch: number; lossSum: number; lossCount: number } | null;
  augRng: number[];
  history: DistillHistoryRecord[];
  bestAccuracy: number | null;
  hvpRetries: number;
  hvpUnresolved: number;
  seconds: number;
  outerSeconds: number;
  finished: boolean;
  scheduler: { epoch: number };
  optimizer: Omit<OptimizerState, 'buffers'>;
}

/** Labels and a strided sample of the pixels: enough to tell another dataset from this one, cheaply. */
function dataFingerprint(data: Prepared): { size: number; hash: string } {
  const stride = 61;
  const sample = new Float64Array(Math.ceil(data.x.length / stride));
  for (let i = 0, k = 0; i < data.x.length; i += stride, k++) sample[k] = data.x[i]!;
  return { size: data.y.length, hash: hashFloat64(Float64Array.from(data.y), sample) };
}

/** JSON with sorted keys, to compare settings. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

const isRngState = (v: unknown): v is number[] => Array.isArray(v) && v.length === 4 && v.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) && v.some((w) => w !== 0);
const isNum = (v: unknown): v is number => typeof v === 'number';
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Validates a `dd-run` state against this run (settings, context, sizes, every field it restores). */
function readDDRunState(
  state: TrainingState, setup: Record<string, unknown>, context: Record<string, unknown> | null, packedLength: number, itersPerEpoch: number, iterations: number, where: string,
): { json: DDRunState; packed: Float64Array; best: Float64Array | null; optimizer: OptimizerState } {
  const fail = (m: string): never => {
    throw new QDistillError('E_CHECKPOINT', `${where}: cannot resume: ${m}`);
  };
  const j = state.json as unknown as DDRunState;
  if (typeof j.setup !== 'object' || j.setup === null || Array.isArray(j.setup)) fail('the state has no run settings');
  for (const key of new Set([...Object.keys(setup), ...Object.keys(j.setup)])) {
    if (canonicalJson(j.setup[key]) !== canonicalJson(setup[key])) fail(`the state is of another run (${key}: saved ${canonicalJson(j.setup[key])}, now ${canonicalJson(setup[key])})`);
  }
  if (canonicalJson(j.context ?? null) !== canonicalJson(context)) fail(`the state was saved for ${canonicalJson(j.context ?? null)}, this run is ${canonicalJson(context)}`);
  const outerEpochs = setup.outerEpochs as number;
  if (!isCount(j.iteration) || j.iteration > iterations) fail(`iteration ${j.iteration} is not in 0..${iterations}`);
  if (!isCount(j.completedEpochs) || j.completedEpochs > outerEpochs) fail(`completedEpochs ${j.completedEpochs} is not in 0..${outerEpochs}`);
  if (!Array.isArray(j.history) || j.history.length !== j.completedEpochs) fail(`the history holds ${Array.isArray(j.history) ? j.history.length : 'no'} epochs, the state ${j.completedEpochs}`);
  j.history.forEach((r, i) => {
    const ok = typeof r === 'object' && r !== null && r.epoch === i + 1 && isCount(r.iteration) && isNum(r.outerLoss) && isNum(r.seconds)
      && (r.validationAccuracy === null || isNum(r.validationAccuracy)) && Array.isArray(r.learningRates) && r.learningRates.every(isNum);
    if (!ok) fail(`history record ${i} is malformed`);
  });
  if (!isRngState(j.augRng)) fail('the augmentation generator state is malformed');
  if (!isCount(j.hvpRetries) || !isCount(j.hvpUnresolved) || !isNum(j.seconds) || !isNum(j.outerSeconds) || typeof j.finished !== 'boolean') fail('the state is malformed');
  if (typeof j.scheduler !== 'object' || j.scheduler === null || !isCount(j.scheduler.epoch)) fail('the scheduler state is malformed');
  const e = j.inEpoch;
  if (e !== null) {
    if (typeof e !== 'object' || e.epoch !== j.completedEpochs || !isCount(e.lossCount) || e.lossCount >= itersPerEpoch || !isNum(e.lossSum) || j.scheduler.epoch !== e.epoch + 1) {
      fail('the mid-epoch position is malformed');
    }
  } else if (j.scheduler.epoch !== j.completedEpochs) fail(`the scheduler is at epoch ${j.scheduler.epoch}, the state at ${j.completedEpochs}`);
  if (j.finished && j.iteration !== iterations) fail(`the finished state has ${j.iteration} iterations, the run ${iterations}`);
  const packed = state.arrays.get('packed');
  if (!(packed instanceof Float64Array) || packed.length !== packedLength) fail(`the images and learning rates hold ${packed?.length ?? 'no'} values, this run ${packedLength}`);
  if (!packed!.every(Number.isFinite)) fail('the images or learning rates are not finite');
  const bestArray = state.arrays.get('best') ?? null;
  if ((bestArray === null) !== (j.bestAccuracy === null) || (bestArray !== null && (!(bestArray instanceof Float64Array) || bestArray.length !== packedLength || !isNum(j.bestAccuracy)))) {
    fail('the best-validation snapshot is malformed');
  }
  const o = j.optimizer;
  if (typeof o !== 'object' || o === null || typeof o.kind !== 'string' || !isNum(o.lr) || !isCount(o.step) || !Array.isArray(o.slotSteps) || !o.slotSteps.every(isCount)) {
    fail('the outer optimiser state is malformed');
  }
  const buffers: Record<string, Float64Array> = {};
  for (const [name, a] of state.arrays) {
    if (!name.startsWith('optimizer/')) continue;
    if (!(a instanceof Float64Array) || a.length !== packedLength) fail(`optimiser buffer ${name} is malformed`);
    buffers[name.slice('optimizer/'.length)] = a as Float64Array;
  }
  return { json: j, packed: packed as Float64Array, best: bestArray as Float64Array | null, optimizer: { ...o, buffers } };
}

function concatLabels(labels: readonly Int32Array[]): Int32Array {
  const out = new Int32Array(labels.reduce((s, l) => s + l.length, 0));
  let o = 0;
  for (const l of labels) {
    out.set(l, o);
    o += l.length;
  }
  return out;
}

/** How far the circuit weights moved in the replayed inner steps. */
export interface CircuitWeightMovement {
  /** Number of circuit weights. */
  count: number;
  /** max |θ_T − θ₀| and ‖θ_T − θ₀‖/‖θ₀‖ over the circuit weights. */
  maxAbsChange: number;
  relativeChange: number;
  /** The same relative change over every other parameter, for scale. */
  otherRelativeChange: number;
  /** Whether any circuit weight changed. */
  moved: boolean;
}

/** Result of {@link evaluateDistilled}. */
export interface DistilledEvaluation {
  /** Accuracy after the replayed steps (mean over the evaluation networks). */
  accuracy: number;
  /** Accuracy of the initial network(s), before any step. */
  initialAccuracy: number;
  /** Per evaluation network. */
  accuracies: number[];
  /** null for models without a quantum circuit. */
  circuitWeights: CircuitWeightMovement | null;
}

/** Options of {@link evaluateDistilled} and {@link distillationBaselines}. */
export interface EvaluateOptions {
  /** For `init: 'random'`: how many fresh networks to average over (default 5). */
  networks?: number;
  kernel?: Kernel;
}

function movement(ranges: Array<[number, number]>, theta0: Float64Array, thetaT: Float64Array): CircuitWeightMovement | null {
  if (ranges.length === 0) return null;
  const inCircuit = new Uint8Array(theta0.length);
  for (const [a, b] of ranges) inCircuit.fill(1, a, b);
  let count = 0;
  let maxAbs = 0;
  let d2 = 0;
  let n2 = 0;
  let od2 = 0;
  let on2 = 0;
  for (let i = 0; i < theta0.length; i++) {
    const d = thetaT[i]! - theta0[i]!;
    if (inCircuit[i]) {
      count++;
      maxAbs = Math.max(maxAbs, Math.abs(d));
      d2 += d * d;
      n2 += theta0[i]! * theta0[i]!;
    } else {
      od2 += d * d;
      on2 += theta0[i]! * theta0[i]!;
    }
  }
  return { count, maxAbsChange: maxAbs, relativeChange: Math.sqrt(d2 / Math.max(n2, 1e-300)), otherRelativeChange: Math.sqrt(od2 / Math.max(on2, 1e-300)), moved: maxAbs > 0 };
}

/** The evaluation networks' θ₀: the fixed one, or fresh random ones (seeds unused in training). */
function evaluationInits(runner: DistillRunner, distilled: DistilledDataset, networks: number): Float64Array[] {
  if (distilled.init === 'fixed') return [distilled.theta0];
  return Array.from({ length: networks }, (_, k) => runner.initialParams(distilled.weightInit, [distilled.seed, 200, k]));
}

async function runnerFor(distilled: DistilledDataset, kernel: Kernel | undefined, where: string): Promise<DistillRunner> {
  await initNN();
  const runner = await DistillRunner.create(distilled.model, distilled.imageShape, distilled.innerPrecision, distilled.freezeCircuitWeights, kernel ?? (await createKernel()));
  const expected = runner.outer.numParameters();
  if (distilled.theta0.length !== expected) {
    throw new QDistillError('E_SHAPE', `${where}: θ₀ has ${distilled.theta0.length} values but model ${distilled.model.arch} has ${expected} parameters (was the distilled set made for another model config?)`);
  }
  return runner;
}

function stepLabels(distilled: DistilledDataset): Int32Array[] {
  const per = distilled.labels.length / distilled.steps;
  return Array.from({ length: distilled.steps }, (_, b) => distilled.labels.slice(b * per, (b + 1) * per));
}

/**
 * Replays the distilled steps (in order, with the learned rates) on a fresh
 * copy of the initial network(s) and measures accuracy on `data` (raw
 * pixels; normalised with the distilled set's normalisation). Also reports
 * how far the circuit weights moved.
 *
 * @throws E_DATA / E_SHAPE if the data does not fit the distilled set
 * @example
 * ```ts
 * const { accuracy, circuitWeights } = await evaluateDistilled(distilled, test);
 * ```
 */
export async function evaluateDistilled(distilled: DistilledDataset, data: Dataset, options: EvaluateOptions = {}): Promise<DistilledEvaluation> {
  checkDataFits(distilled, data, 'evaluateDistilled');
  const runner = await runnerFor(distilled, options.kernel, 'evaluateDistilled');
  const prepared = prepare(data, distilled.normalization, 'evaluateDistilled data');
  const labels = stepLabels(distilled);
  const accuracies: number[] = [];
  const initial: number[] = [];
  let circuit: CircuitWeightMovement | null = null;
  for (const theta0 of evaluationInits(runner, distilled, options.networks ?? 5)) {
    const thetaT = runner.replay(theta0, distilled.images, labels, distilled.learningRates, distilled.steps);
    accuracies.push(runner.accuracy(thetaT, prepared));
    initial.push(runner.accuracy(theta0, prepared));
    circuit ??= movement(runner.circuitRanges, theta0, thetaT);
  }
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  return { accuracy: mean(accuracies), initialAccuracy: mean(initial), accuracies, circuitWeights: circuit };
}

function checkDataFits(distilled: DistilledDataset, data: Dataset, where: string): void {
  validateDataset(data, `${where} data`);
  if (data.numClasses !== distilled.numClasses || data.shape.join() !== distilled.imageShape.join()) {
    throw new QDistillError(
      'E_DATA',
      `${where}: the data has ${data.numClasses} classes of shape [${data.shape}], the distilled set ${distilled.numClasses} of shape [${distilled.imageShape}]`,
    );
  }
}

/** Options of {@link distillationBaselines}. */
export interface BaselineOptions extends EvaluateOptions {
  /** Random real draws to average (default 5). */
  draws?: number;
  /** Seed of the random draws and k-means (default: the distilled set's). */
  seed?: number;
  /** k-means iterations (default 30). */
  kmeansIterations?: number;
}

/** Accuracies of the same-size baselines, each replayed like the distilled set. */
export interface BaselineResult {
  /** Random real training images (mean over draws). */
  randomReal: number;
  randomRealDraws: number[];
  /** Per-class mean images. */
  classMean: number;
  /** Per-class k-means centroids (k = steps·imagesPerClass per class). */
  kmeans: number;
}

/**
 * Same-size baselines (PROTOCOLS C.4 "alternative tests"): random real
 * training images, per-class mean images and per-class k-means centroids,
 * arranged in the distilled set's steps and replayed with its learned rates
 * on the same initial network(s), scored on `testData`.
 *
 * @example
 * ```ts
 * const b = await distillationBaselines(distilled, train, test);
 * b.randomReal; b.classMean; b.kmeans;
 * ```
 */
export async function distillationBaselines(distilled: DistilledDataset, trainData: Dataset, testData: Dataset, options: BaselineOptions = {}): Promise<BaselineResult> {
  checkDataFits(distilled, trainData, 'distillationBaselines');
  checkDataFits(distilled, testData, 'distillationBaselines');
  const runner = await runnerFor(distilled, options.kernel, 'distillationBaselines');
  const train = prepare(trainData, distilled.normalization, 'distillationBaselines train');
  const test = prepare(testData, distilled.normalization, 'distillationBaselines test');
  const labels = stepLabels(distilled);
  const inits = evaluationInits(runner, distilled, options.networks ?? 5);
  const score = (images: Float32Array): number => {
    let sum = 0;
    for (const theta0 of inits) sum += runner.accuracy(runner.replay(theta0, images, labels, distilled.learningRates, distilled.steps), test);
    return sum / inits.length;
  };
  const seed = options.seed ?? distilled.seed;
  const draws = positiveInt('draws', options.draws, 5);
  const randomRealDraws = Array.from({ length: draws }, (_, d) => score(randomRealImages(train, distilled, [seed, 300, d])));
  return {
    randomReal: randomRealDraws.reduce((s, v) => s + v, 0) / draws,
    randomRealDraws,
    classMean: score(classMeanImages(train, distilled)),
    kmeans: score(kmeansImages(train, distilled, [seed, 400], options.kmeansIterations ?? 30)),
  };
}

function byClass(data: Prepared): number[][] {
  const out: number[][] = Array.from({ length: data.numClasses }, () => []);
  for (let i = 0; i < data.y.length; i++) out[data.y[i]!]!.push(i);
  return out;
}

/** Fills the distilled layout (batch-major, class-major inside) from per-class image lists of length steps·perClass. */
function arrange(distilled: DistilledDataset, perClassImages: Float32Array[][]): Float32Array {
  const size = featureSize(distilled.imageShape);
  const out = new Float32Array(distilled.images.length);
  const k = distilled.imagesPerClass;
  let o = 0;
  for (let b = 0; b < distilled.steps; b++) {
    for (let c = 0; c < distilled.numClasses; c++) {
      for (let j = 0; j < k; j++) {
        out.set(perClassImages[c]![b * k + j]!, o);
        o += size;
      }
    }
  }
  return out;
}

function randomRealImages(train: Prepared, distilled: DistilledDataset, seed: readonly number[]): Float32Array {
  const rng = new Random(seed);
  const size = featureSize(distilled.imageShape);
  const need = distilled.steps * distilled.imagesPerClass;
  const classes = byClass(train);
  const picked = classes.map((idx, c) => {
    if (idx.length < need) throw new QDistillError('E_DATA', `distillationBaselines: class ${c} has ${idx.length} training images, the baseline needs ${need}`);
    return Array.from(rng.sample(idx.length, need), (p) => train.x.subarray(idx[p]! * size, (idx[p]! + 1) * size));
  });
  return arrange(distilled, picked);
}

function classMeanImages(train: Prepared, distilled: DistilledDataset): Float32Array {
  const size = featureSize(distilled.imageShape);
  const need = distilled.steps * distilled.imagesPerClass;
  const means = byClass(train).map((idx) => {
    const m = new Float64Array(size);
    for (const i of idx) for (let p = 0; p < size; p++) m[p] += train.x[i * size + p]!;
    const img = Float32Array.from(m, (v) => v / Math.max(1, idx.length));
    return Array.from({ length: need }, () => img);
  });
  return arrange(distilled, means);
}

/**
 * Per-class k-means (Lloyd, k-means++ seeding) with k = steps·imagesPerClass;
 * centroids sorted by cluster size (largest first) so the arrangement is
 * deterministic.
 */
function kmeansImages(train: Prepared, distilled: DistilledDataset, seed: readonly number[], iterations: number): Float32Array {
  const rng = new Random(seed);
  const size = featureSize(distilled.imageShape);
  const k = distilled.steps * distilled.imagesPerClass;
  const centroids = byClass(train).map((idx, c) => {
    if (idx.length < k) throw new QDistillError('E_DATA', `distillationBaselines: class ${c} has ${idx.length} training images, k-means needs ${k}`);
    return kmeans(train.x, size, idx, k, rng, iterations);
  });
  return arrange(distilled, centroids);
}

function kmeans(x: Float32Array, size: number, idx: number[], k: number, rng: Random, iterations: number): Float32Array[] {
  const dist2 = (i: number, c: Float64Array): number => {
    let s = 0;
    for (let p = 0; p < size; p++) {
      const d = x[i * size + p]! - c[p]!;
      s += d * d;
    }
    return s;
  };
  const copy = (i: number): Float64Array => Float64Array.from(x.subarray(i * size, (i + 1) * size));
  const centers: Float64Array[] = [copy(idx[rng.int(idx.length)]!)];
  const best = new Float64Array(idx.length).fill(Infinity);
  while (centers.length < k) {
    let total = 0;
    idx.forEach((i, n) => {
      best[n] = Math.min(best[n]!, dist2(i, centers.at(-1)!));
      total += best[n]!;
    });
    let r = rng.uniform() * total;
    let chosen = idx.length - 1;
    for (let n = 0; n < idx.length; n++) {
      r -= best[n]!;
      if (r <= 0) {
        chosen = n;
        break;
      }
    }
    centers.push(copy(idx[chosen]!));
  }
  const assign = new Int32Array(idx.length);
  const counts = new Int32Array(k);
  for (let it = 0; it < (k === 1 ? 1 : iterations); it++) {
    let changed = false;
    idx.forEach((i, n) => {
      let bestC = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = dist2(i, centers[c]!);
        if (d < bestD) {
          bestD = d;
          bestC = c;
        }
      }
      if (assign[n] !== bestC || it === 0) changed = true;
      assign[n] = bestC;
    });
    counts.fill(0);
    const sums = centers.map(() => new Float64Array(size));
    idx.forEach((i, n) => {
      const c = assign[n]!;
      counts[c]++;
      const s = sums[c]!;
      for (let p = 0; p < size; p++) s[p] += x[i * size + p]!;
    });
    sums.forEach((s, c) => {
      if (counts[c]! > 0) for (let p = 0; p < size; p++) centers[c]![p] = s[p]! / counts[c]!;
    });
    if (!changed) break;
  }
  return centers
    .map((c, i) => ({ c, n: counts[i]! }))
    .sort((a, b) => b.n - a.n)
    .map(({ c }) => Float32Array.from(c));
}
