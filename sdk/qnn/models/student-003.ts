/**
 * Paper 003's quantum student: Conv(1→10, k5) → max-pool → ReLU → Conv(10→20,
 * k5) → dropout → max-pool → ReLU → Linear 320→50 → ReLU → dropout → Linear
 * 50→n; angles θ = π·tanh(·); H + RY(θ) on each qubit; the 2ⁿ basis-state
 * probabilities (exact or sampled with shots), class c ↔ basis state c.
 *
 * Heads (what `forward` returns):
 * - `born` (default): the 2ⁿ Born probabilities themselves, declared as such,
 *   so losses use −log p_y and KD softens them as p^{1/T};
 * - `sigmoid-concat`: paper 003's KD notebooks: y = σ(p), out = [y, 1 − y]
 *   (2ⁿ⁺¹ values used as logits; its KD term reads the first C);
 * - `softmax`: paper 003's FashionMNIST 3-qubit baselines: softmax(p), 2ⁿ values used as logits;
 * - `probs-as-logits`: the first C probabilities used as logits (what
 *   `cross_entropy(qnn(x), y)` does in PyTorch).
 *
 * The paper heads index outcomes as its Qiskit code does (bit k of the index
 * is qubit k); `born` uses PennyLane's order (wire 0 is the most significant
 * bit). Both map class c to outcome c.
 */
import { QDistillError, unreachable } from '../../errors.js';
import { Random } from '../../util/random.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { ParamResolver } from '../../nn/module.js';
import { Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../nn/layers.js';
import { add, neg, scale, sigmoid, tanh } from '../../nn/ops/elementwise.js';
import { softmax } from '../../nn/ops/reduce.js';
import { concat, slice } from '../../nn/ops/shape.js';
import type { OutputSpec } from '../../nn/outputs.js';
import type { Tensor } from '../../nn/tensor.js';
import { QNNLayer, type DiffMethod, type ShiftRuleConfig } from '../qnn-layer.js';
import { QNNModule } from '../qnn-module.js';
import { HybridModel } from './hybrid-model.js';

/** The output head of {@link Student003}. */
export type Student003Head = 'born' | 'sigmoid-concat' | 'softmax' | 'probs-as-logits';

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
  /** What `forward` returns (see the module docs); default `born`. */
  head?: Student003Head;
  diffMethod?: DiffMethod;
  /** Parameter-shift rule (paper 003's notebooks: `{ shift: π/4, factor: 'none' }`, √2 × the derivative). */
  shiftRule?: ShiftRuleConfig;
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
      measurements: [{ type: 'probs' }],
      diffMethod: config.diffMethod ?? (config.shots ? 'parameter-shift' : 'adjoint'),
      shots: config.shots ?? null,
      ...(config.shiftRule ? { shiftRule: config.shiftRule } : {}),
      seed: config.seed ?? 0,
    }, kernel);
    this.qnn = this.registerModule('qnn', new QNNModule(layer, { dtype: config.dtype ?? 'float32' }));
  }

  /** The head in use. */
  get head(): Student003Head {
    return this.config.head ?? 'born';
  }

  override get outputSpec(): OutputSpec {
    const classes = this.config.numClasses;
    return this.head === 'born' ? { kind: 'probabilities', classes } : { kind: 'logits', classes };
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    const angles = scale(tanh(this.features.forwardWith(x, p)), Math.PI);
    const probs = this.qnn.forwardWith(angles, p);
    const head = this.head;
    switch (head) {
      case 'born':
        return probs;
      case 'probs-as-logits':
        return slice(probs, 1, 0, this.config.numClasses);
      case 'sigmoid-concat': {
        const y = sigmoid(qiskitOrder(probs, this.config.numQubits));
        return concat([y, add(neg(y), 1)], 1);
      }
      case 'softmax':
        return softmax(qiskitOrder(probs, this.config.numQubits), 1);
      default:
        return unreachable(head, 'student-003 head');
    }
  }
}

/** Reorders 2ⁿ outcome columns from PennyLane's order (wire 0 = MSB) to Qiskit's (qubit 0 = LSB): a bit reversal. */
function qiskitOrder(probs: Tensor, numQubits: number): Tensor {
  const size = 1 << numQubits;
  const columns: Tensor[] = [];
  for (let j = 0; j < size; j++) {
    let r = 0;
    for (let b = 0; b < numQubits; b++) if (j & (1 << b)) r |= 1 << (numQubits - 1 - b);
    columns.push(slice(probs, 1, r, r + 1));
  }
  return concat(columns, 1);
}

