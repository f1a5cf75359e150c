/**
 * Hybrid quantum–classical models of the papers, built from nn modules and
 * {@link QNNModule}s, each constructible from a plain JSON config:
 *
 * - `quantum-lenet-000` (paper 000): conv trunk (ReLU, max-pool, pad 2) →
 *   Linear 400→120 + ReLU → Linear 120→64 → 6-qubit QNN (AmplitudeEmbedding
 *   of the 64 features, normalised; 3 StronglyEntanglingLayers; one
 *   trainable 2×2 Hermitian per wire) → Linear 6→C; a residual branch
 *   ReLU(Linear 64→C) on the same 64-vector; output α·quantum + (1−α)·residual
 *   with α trainable (0.5 at start); then Linear C→C. Ablations: no residual,
 *   Pauli-Z readout, frozen (random) Hermitian.
 * - `student-003` (paper 003): Conv(1→10, k5) → max-pool → ReLU → Conv(10→20,
 *   k5) → dropout → max-pool → ReLU → Linear 320→50 → ReLU → dropout → Linear
 *   50→n; angles θ = π·tanh(·); H + RY(θ) on each qubit; basis-state
 *   probabilities of the first C states as class scores (exact or shots).
 * - `qnn-classifier`: encoder + ansatz + readout, optionally with a classical
 *   head (a "genuinely quantum" student).
 */
import { QDistillError, unreachable } from '../errors.js';
import { Random } from '../util/random.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { init as initNN } from '../nn/backend.js';
import { Module, type ParamResolver } from '../nn/module.js';
import {
  Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential,
} from '../nn/layers.js';
import { add, mul, relu, scale, sub, tanh } from '../nn/ops/elementwise.js';
import { log } from '../nn/ops/elementwise.js';
import { tensor, type Tensor } from '../nn/tensor.js';
import type { AnsatzConfig, EncoderConfig } from './ansatz.js';
import { QNNLayer, type DiffMethod, type MeasurementConfig } from './qnn-layer.js';
import { QNNModule } from './qnn-module.js';

/** Paper 000's quantum LeNet. */
export interface QuantumLeNetConfig {
  /** Classical parameter dtype (default float32; float64 for gradient checks). */
  dtype?: 'float32' | 'float64';
  arch: 'quantum-lenet-000';
  numClasses: number;
  /** Image side (28 for MNIST, 32 for CIFAR) and channels. */
  imageSize?: number;
  inChannels?: number;
  /** Residual branch (default true). */
  residual?: boolean;
  /** 'hermitian' (default, trainable unless `hermitianFrozen`) or 'pauliZ'. */
  readout?: 'hermitian' | 'pauliZ';
  /** Keep the (randomly initialised) Hermitian observables fixed. */
  hermitianFrozen?: boolean;
  /** StronglyEntanglingLayers depth (default 3). */
  layers?: number;
  diffMethod?: DiffMethod;
  shots?: number | null;
  seed?: number;
}

/** Paper 003's quantum student. */
export interface Student003Config {
  /** Classical parameter dtype (default float32; float64 for gradient checks). */
  dtype?: 'float32' | 'float64';
  arch: 'student-003';
  numClasses: number;
  /** 3 or 4 in the paper. */
  numQubits: number;
  /** Dropout probability (default 0.5, PyTorch's Dropout/Dropout2d default). */
  dropout?: number;
  /** Finite shots (the paper used 5000) or null for exact probabilities. */
  shots?: number | null;
  /**
   * Class scores fed to the losses: 'probs' (default: the basis-state probabilities
   * themselves, as logits — what a PyTorch `cross_entropy(qnn(x), y)` does) or
   * 'log-probs' (log p: sharper, but training can collapse once the class
   * probabilities leak onto the unused basis states, since no loss sees the leak).
   */
  scores?: 'log-probs' | 'probs';
  diffMethod?: DiffMethod;
  seed?: number;
}

/** A pure QNN classifier (optionally with a classical head). */
export interface QNNClassifierConfig {
  /** Classical parameter dtype (default float32; float64 for gradient checks). */
  dtype?: 'float32' | 'float64';
  arch: 'qnn-classifier';
  numClasses: number;
  numQubits: number;
  encoder: EncoderConfig;
  ansatz: Exclude<AnsatzConfig, { type: 'circuit' }>;
  measurements: MeasurementConfig[];
  /** Linear head from the QNN outputs to the classes (default true when outputs ≠ classes). */
  head?: boolean;
  /** Multiply the QNN outputs by this before the head/loss (default 1). */
  outputScale?: number;
  /** Log of probability readouts as scores (default false). */
  logProbs?: boolean;
  diffMethod?: DiffMethod;
  shots?: number | null;
  seed?: number;
}

/** Any hybrid model config. */
export type HybridModelConfig = QuantumLeNetConfig | Student003Config | QNNClassifierConfig;

/** A model with a quantum layer inside, and the config that rebuilds it. */
export abstract class HybridModel extends Module {
  abstract readonly config: HybridModelConfig;
}

function randomHermitian(rng: Random): { re: number[][]; im: number[][] } {
  const a = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const b = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  // H = (A + A†)/2 for A = a + i·b
  return {
    re: [[a[0]!, (a[1]! + a[2]!) / 2], [(a[1]! + a[2]!) / 2, a[3]!]],
    im: [[0, (b[1]! - b[2]!) / 2], [-(b[1]! - b[2]!) / 2, 0]],
  };
}

/** Paper 000's quantum LeNet (see the module docs). */
export class QuantumLeNet extends HybridModel {
  readonly label = 'QuantumLeNet';
  readonly config: QuantumLeNetConfig;
  readonly qnn: QNNModule;
  private readonly trunk: Sequential;
  private readonly quantumHead: Linear;
  private readonly residualBranch: Linear | null;
  private readonly output: Linear;

  constructor(config: QuantumLeNetConfig, kernel: Kernel) {
    super();
    this.config = config;
    const seed = config.seed ?? 0;
    const rng = new Random(seed);
    const c = config.numClasses;
    const size = config.imageSize ?? 28;
    const inChannels = config.inChannels ?? 1;
    const dtype = config.dtype ?? 'float32';
    const afterConv = Math.floor((Math.floor(size / 2) - 4) / 2); // pad 2 keeps size, pool /2, conv k5 −4, pool /2
    const flat = 16 * afterConv * afterConv;
    this.trunk = this.registerModule('trunk', new Sequential(
      new Conv2d(inChannels, 6, 5, { padding: 2, rng, dtype }), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5, { rng, dtype }), new ReLU(), new MaxPool2d(2), new Flatten(),
      new Linear(flat, 120, { rng, dtype }), new ReLU(), new Linear(120, 64, { rng, dtype }),
    ));
    const readout = config.readout ?? 'hermitian';
    const measurements: MeasurementConfig[] = readout === 'pauliZ'
      ? [{ type: 'expvalZ' }]
      : Array.from({ length: 6 }, (_, w) => ({
          type: 'hermitian' as const, wires: [w], trainable: !config.hermitianFrozen, parametrization: 'A' as const, matrix: randomHermitian(rng),
        }));
    const layer = new QNNLayer({
      numQubits: 6,
      encoder: { type: 'AmplitudeEmbedding', numFeatures: 64, normalize: true, pad: 0 },
      ansatz: { type: 'StronglyEntanglingLayers', layers: config.layers ?? 3 },
      measurements,
      diffMethod: config.diffMethod ?? 'adjoint',
      shots: config.shots ?? null,
      seed,
    }, kernel);
    this.qnn = this.registerModule('qnn', new QNNModule(layer, { dtype: config.dtype ?? 'float32' }));
    this.quantumHead = this.registerModule('quantumHead', new Linear(6, c, { rng, dtype }));
    this.residualBranch = config.residual === false ? null : this.registerModule('residual', new Linear(64, c, { rng, dtype }));
    if (this.residualBranch) this.registerParameter('alpha', tensor([0.5], { dtype }));
    this.output = this.registerModule('output', new Linear(c, c, { rng, dtype }));
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    const features = this.trunk.forwardWith(x, p);
    const quantum = this.quantumHead.forwardWith(this.qnn.forwardWith(features, p), p);
    let mixed = quantum;
    if (this.residualBranch) {
      const residual = relu(this.residualBranch.forwardWith(features, p));
      const alpha = p(this.getParameter('alpha'));
      mixed = add(mul(quantum, alpha), sub(residual, mul(residual, alpha)));
    }
    return this.output.forwardWith(mixed, p);
  }
}

/** Paper 003's quantum student (see the module docs). */
export class Student003 extends HybridModel {
  readonly label = 'Student003';
  readonly config: Student003Config;
  readonly qnn: QNNModule;
  private readonly features: Sequential;

  constructor(config: Student003Config, kernel: Kernel) {
    super();
    this.config = config;
    const n = config.numQubits;
    if (2 ** n < config.numClasses) {
      throw new QDistillError('E_CONFIG', `student-003: ${n} qubits give ${2 ** n} basis states, fewer than ${config.numClasses} classes`);
    }
    const rng = new Random(config.seed ?? 0);
    const p = config.dropout ?? 0.5;
    const dtype = config.dtype ?? 'float32';
    this.features = this.registerModule('features', new Sequential(
      new Conv2d(1, 10, 5, { rng, dtype }), new MaxPool2d(2), new ReLU(),
      new Conv2d(10, 20, 5, { rng, dtype }), new Dropout(p, { rng }), new MaxPool2d(2), new ReLU(), new Flatten(),
      new Linear(320, 50, { rng, dtype }), new ReLU(), new Dropout(p, { rng }), new Linear(50, n, { rng, dtype }),
    ));
    const layer = new QNNLayer({
      numQubits: n,
      encoder: { type: 'none' },
      ansatz: { type: 'HadamardRY' },
      measurements: [{ type: 'probs', classes: config.numClasses }],
      diffMethod: config.diffMethod ?? (config.shots ? 'parameter-shift' : 'adjoint'),
      shots: config.shots ?? null,
      seed: config.seed ?? 0,
    }, kernel);
    this.qnn = this.registerModule('qnn', new QNNModule(layer, { dtype: config.dtype ?? 'float32' }));
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    const angles = scale(tanh(this.features.forwardWith(x, p)), Math.PI);
    const probs = this.qnn.forwardWith(angles, p);
    if ((this.config.scores ?? 'probs') === 'probs') return probs;
    return log(add(probs, tensor([1e-9], { dtype: probs.dtype })));
  }
}

/** A pure QNN classifier, optionally with a linear head. */
export class QNNClassifier extends HybridModel {
  readonly label = 'QNNClassifier';
  readonly config: QNNClassifierConfig;
  readonly qnn: QNNModule;
  private readonly head: Linear | null;

  constructor(config: QNNClassifierConfig, kernel: Kernel) {
    super();
    this.config = config;
    const layer = new QNNLayer({
      numQubits: config.numQubits,
      encoder: config.encoder,
      ansatz: config.ansatz,
      measurements: config.measurements,
      diffMethod: config.diffMethod ?? 'adjoint',
      shots: config.shots ?? null,
      seed: config.seed ?? 0,
    }, kernel);
    this.qnn = this.registerModule('qnn', new QNNModule(layer, { dtype: config.dtype ?? 'float32' }));
    const wantHead = config.head ?? layer.numOutputs !== config.numClasses;
    if (!wantHead && layer.numOutputs !== config.numClasses) {
      throw new QDistillError('E_CONFIG', `qnn-classifier: the QNN has ${layer.numOutputs} outputs for ${config.numClasses} classes; enable the head`);
    }
    this.head = wantHead ? this.registerModule('head', new Linear(layer.numOutputs, config.numClasses, { rng: new Random((config.seed ?? 0) + 1), dtype: config.dtype ?? 'float32' })) : null;
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    let y = this.qnn.forwardWith(x, p);
    if (this.config.logProbs) y = log(add(y, tensor([1e-9], { dtype: y.dtype })));
    if ((this.config.outputScale ?? 1) !== 1) y = scale(y, this.config.outputScale!);
    return this.head ? this.head.forwardWith(y, p) : y;
  }
}

/**
 * Builds a hybrid model from its JSON config (on a fresh engine unless a kernel is given).
 *
 * @example
 * ```ts
 * const model = await createHybridModel({ arch: 'student-003', numClasses: 6, numQubits: 3 });
 * const scores = model.forward(images); // [N, 6]
 * ```
 */
export async function createHybridModel(config: HybridModelConfig, options: { kernel?: Kernel } = {}): Promise<HybridModel> {
  await initNN();
  const kernel = options.kernel ?? (await createKernel());
  switch (config.arch) {
    case 'quantum-lenet-000':
      return new QuantumLeNet(config, kernel);
    case 'student-003':
      return new Student003(config, kernel);
    case 'qnn-classifier':
      return new QNNClassifier(config, kernel);
    default:
      return unreachable(config, 'hybrid model arch');
  }
}
