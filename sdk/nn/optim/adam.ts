import { QDistillError } from '../../errors.js';
import type { TypedData } from '../tensor.js';
import { Optimizer, type OptimizerTarget } from './optimizer.js';
import * as pm from '../../util/portable-math.js';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** (β₁, β₂), default (0.9, 0.999). */
  betas?: readonly [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 0.01). */
  weightDecay?: number;
}

abstract class AdamBase extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected abstract readonly decoupled: boolean;

  constructor(target: OptimizerTarget, options: AdamOptions, defaultDecay: number, name: string) {
    super(target, options.lr ?? 1e-3);
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.beta1 = b1;
    this.beta2 = b2;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? defaultDecay;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new QDistillError('E_INVALID_ARGUMENT', `${name}: betas must be in [0, 1), got (${b1}, ${b2})`);
    if (!(this.eps >= 0)) throw new QDistillError('E_INVALID_ARGUMENT', `${name}: eps must be ≥ 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new QDistillError('E_INVALID_ARGUMENT', `${name}: weightDecay must be ≥ 0, got ${this.weightDecay}`);
  }

  protected update(slot: number, p: TypedData, grad: TypedData): void {
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, lr } = this;
    const m = this.buffer('expAvg', slot);
    const v = this.buffer('expAvgSq', slot);
    const t = this.slotSteps[slot]!;
    const bc1 = 1 - pm.pow(b1, t);
    const bc2 = 1 - pm.pow(b2, t);
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    for (let i = 0; i < p.length; i++) {
      let g = grad[i]!;
      if (this.decoupled) p[i] = p[i]! * (1 - lr * wd);
      else if (wd !== 0) g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      p[i] = p[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / sqrtBc2 + eps);
    }
  }

  protected hyperparameters(): Record<string, number | boolean> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }
}

/**
 * Adam (Kingma & Ba) with PyTorch's rule; `weightDecay` adds λθ to the gradient (L2).
 * θ ← θ − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε).
 *
 * @example
 * ```ts
 * const opt = new Adam(model, { lr: 1e-3 });
 * ```
 */
export class Adam extends AdamBase {
  readonly kind: string = 'adam';
  protected readonly decoupled: boolean = false;
  constructor(target: OptimizerTarget, options: AdamOptions = {}) {
    super(target, options, 0, 'Adam');
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay θ ← θ(1 − lr·λ), default λ = 0.01.
 *
 * @example
 * ```ts
 * const opt = new AdamW(model, { lr: 1e-3, weightDecay: 0.05 });
 * ```
 */
export class AdamW extends AdamBase {
  readonly kind: string = 'adamw';
  protected readonly decoupled: boolean = true;
  constructor(target: OptimizerTarget, options: AdamOptions = {}) {
    super(target, options, 0.01, 'AdamW');
  }
}
