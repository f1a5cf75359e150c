/**
 * Paper 003's quantum student: Conv(1→10, k5) → max-pool → ReLU → Conv(10→20,
 * k5) → dropout → max-pool → ReLU → Linear 320→50 → ReLU → dropout → Linear
 * 50→n; angles θ = π·tanh(·); H + RY(θ) on each qubit; basis-state
 * probabilities of the first C states as class scores (exact or shots).
 */
import { QDistillError } from '../../errors.js';
import { Random } from '../../util/random.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { ParamResolver } from '../../nn/module.js';
import { Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../nn/layers.js';
import { add, log, scale, tanh } from '../../nn/ops/elementwise.js';
import { tensor, type Tensor } from '../../nn/tensor.js';
import { QNNLayer, type DiffMethod } from '../qnn-layer.js';
import { QNNModule } from '../qnn-module.js';
import { HybridModel } from './hybrid-model.js';

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

