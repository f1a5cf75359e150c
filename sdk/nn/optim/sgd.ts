import { QDistillError } from '../../errors.js';
import type { TypedData } from '../tensor.js';
import { Optimizer, type OptimizerTarget } from './optimizer.js';

/** Options of {@link SGD}. */
export interface SGDOptions {
  lr: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Dampening of the momentum update (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with PyTorch's rule:
 * g ← g + λθ; b ← μb + (1 − d)g (b = g on the first step);
 * g ← g + μb (Nesterov) or b; θ ← θ − lr·g.
 *
 * @throws E_INVALID_ARGUMENT on negative hyperparameters or Nesterov without momentum
 * @example
 * ```ts
 * const opt = new SGD(model, { lr: 0.01, momentum: 0.9, nesterov: true });
 * const raw = new SGD(new Float64Array(10), { lr: 0.1 }); raw.step(grad);
 * ```
 */
export class SGD extends Optimizer {
  readonly kind = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(target: OptimizerTarget, options: SGDOptions) {
    super(target, options.lr);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    for (const [k, v] of [
      ['momentum', this.momentum],
      ['dampening', this.dampening],
      ['weightDecay', this.weightDecay],
    ] as const) {
      if (!(v >= 0 && Number.isFinite(v))) throw new QDistillError('E_INVALID_ARGUMENT', `SGD: ${k} must be ≥ 0, got ${v}`);
    }
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new QDistillError('E_INVALID_ARGUMENT', 'SGD: Nesterov momentum needs momentum > 0 and dampening 0');
    }
  }

  protected update(slot: number, p: TypedData, grad: TypedData): void {
    const { momentum: mu, dampening: d, weightDecay: wd, nesterov, lr } = this;
    const first = mu !== 0 && !this.hasBuffer('momentum', slot);
    const buf = mu !== 0 ? this.buffer('momentum', slot) : null;
    for (let i = 0; i < p.length; i++) {
      let g = grad[i]! + wd * p[i]!;
      if (buf) {
        buf[i] = first ? g : mu * buf[i]! + (1 - d) * g;
        g = nesterov ? g + mu * buf[i]! : buf[i]!;
      }
      p[i] = p[i]! - lr * g;
    }
  }

  protected hyperparameters(): Record<string, number | boolean> {
    return { momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }
}
