import { QDistillError } from '../../errors.js';
import type { Optimizer } from './optimizer.js';
import * as pm from '../../util/portable-math.js';

/** `value` if it is an integer ≥ 1; else E_INVALID_ARGUMENT naming `where` and `name`. */
function positiveInt(where: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: ${name} must be an integer ≥ 1, got ${value}`);
  }
  return value;
}

/**
 * Learning-rate scheduler base: call `step()` once per epoch (after the
 * optimiser steps); it writes `optimizer.lr` from a closed form of the epoch.
 *
 * @example
 * ```ts
 * class HalveEveryEpoch extends LRScheduler {
 *   lrAt(epoch: number) { return this.baseLr / 2 ** epoch; }
 * }
 * ```
 */
export abstract class LRScheduler {
  /** Epochs completed. */
  epoch = 0;
  readonly baseLr: number;
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  /** The learning rate for `epoch`. */
  abstract lrAt(epoch: number): number;
  /** Advances one epoch and updates the optimiser's lr. */
  step(): void {
    this.epoch++;
    this.optimizer.lr = this.lrAt(this.epoch);
  }
  /** `{ epoch }` for checkpoints. */
  stateDict(): { epoch: number } {
    return { epoch: this.epoch };
  }
  /** Restores the epoch (and the optimiser's lr). */
  loadStateDict(state: { epoch: number }): void {
    this.epoch = state.epoch;
    this.optimizer.lr = this.lrAt(this.epoch);
  }
}

/**
 * lr = base·γ^⌊epoch/stepSize⌋.
 *
 * @example
 * ```ts
 * const sched = new StepLR(opt, { stepSize: 10, gamma: 0.1 });
 * for (let e = 0; e < 30; e++) { trainEpoch(); sched.step(); }
 * ```
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = positiveInt('StepLR', 'stepSize', options.stepSize);
    this.gamma = options.gamma ?? 0.1;
  }
  lrAt(epoch: number): number {
    return this.baseLr * pm.pow(this.gamma, Math.floor(epoch / this.stepSize));
  }
}

/**
 * Cosine annealing without restarts: lr = η_min + (base − η_min)(1 + cos(π·min(epoch, T)/T))/2.
 *
 * @example
 * ```ts
 * const sched = new CosineAnnealingLR(opt, { tMax: 50 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = positiveInt('CosineAnnealingLR', 'tMax', options.tMax);
    this.etaMin = options.etaMin ?? 0;
  }
  lrAt(epoch: number): number {
    const t = Math.min(epoch, this.tMax);
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + pm.cos((Math.PI * t) / this.tMax))) / 2;
  }
}
