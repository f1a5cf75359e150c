/**
 * Optimiser base: works on a module's parameters, a list of tensors, or a
 * raw flat `Float32Array`/`Float64Array` updated in place.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import { Module } from '../module.js';
import { Tensor, type TypedData } from '../tensor.js';

/** What an optimiser updates. */
export type OptimizerTarget = Module | Iterable<Tensor> | TypedData;

/** Serializable optimiser state (stored in checkpoints). */
export interface OptimizerState {
  /** `sgd`, `adam` or `adamw`. */
  kind: string;
  /** Hyperparameters. */
  options: Record<string, number | boolean>;
  /** Current learning rate (a scheduler may have changed it). */
  lr: number;
  /** Steps taken. */
  step: number;
  /** Updates applied to each parameter (a parameter without a gradient in a step is skipped). */
  slotSteps: number[];
  /** Per-parameter buffers by name (`momentum.0`, `expAvg.3`, …). */
  buffers: Record<string, Float64Array>;
}

interface Slot {
  data: TypedData;
  tensor: Tensor | null;
}

/**
 * Base class of the optimisers. `step()` reads each tensor's `grad`;
 * `step(grads)` takes one flat gradient for all parameters (required for raw
 * arrays, handy with `model.getFlatGrad()`).
 *
 * @example
 * ```ts
 * const opt = new Adam(model, { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export abstract class Optimizer {
  /** Learning rate (schedulers write it). */
  lr: number;
  /** Steps taken so far. */
  stepCount = 0;
  /** Kind name stored in checkpoints. */
  abstract readonly kind: string;
  protected readonly slots: Slot[];
  /** Updates applied to each slot so far (Adam's bias correction uses it). */
  protected readonly slotSteps: number[];
  private readonly raw: boolean;
  /** Per-slot state buffers by buffer name, allocated on first use. */
  protected readonly buffers = new Map<string, Array<Float64Array | null>>();

  constructor(target: OptimizerTarget, lr: number) {
    if (!(lr >= 0 && Number.isFinite(lr))) throw new QDistillError('E_INVALID_ARGUMENT', `optimizer: lr must be a finite number ≥ 0, got ${lr}`);
    this.lr = lr;
    if (target instanceof Float32Array || target instanceof Float64Array) {
      this.raw = true;
      this.slots = [{ data: target, tensor: null }];
    } else {
      this.raw = false;
      const tensors = target instanceof Module ? target.parameters() : [...target];
      if (tensors.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'optimizer: no parameters to optimise');
      this.slots = tensors.map((t) => ({ data: t.data, tensor: t }));
    }
    this.slotSteps = this.slots.map(() => 0);
  }

  /** Total number of scalars updated. */
  get size(): number {
    return this.slots.reduce((s, x) => s + x.data.length, 0);
  }

  /** Clears the gradients of the tensors this optimiser updates. */
  zeroGrad(): void {
    for (const s of this.slots) s.tensor?.zeroGrad();
  }

  /**
   * One update. Without `grads`, uses every tensor's accumulated gradient
   * (tensors without one are skipped). With `grads` (flat, all parameters in
   * order), uses those.
   *
   * @throws E_INVALID_ARGUMENT for a raw array without grads; E_SHAPE for a wrong length; E_NAN for NaN gradients
   */
  step(grads?: ArrayLike<number>): void {
    if (grads === undefined && this.raw) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${this.kind}.step: an optimiser over a raw array needs the gradient: step(grad)`);
    }
    if (grads !== undefined && grads.length !== this.size) {
      throw new QDistillError('E_SHAPE', `${this.kind}.step: expected a gradient of ${this.size} values, got ${grads.length}`);
    }
    this.stepCount++;
    // One concrete array type for the hot loops (a plain number[] would make them megamorphic).
    const flat: TypedData | undefined =
      grads === undefined ? undefined : grads instanceof Float64Array || grads instanceof Float32Array ? grads : Float64Array.from(grads);
    let offset = 0;
    this.slots.forEach((slot, i) => {
      const n = slot.data.length;
      const g: TypedData | null = flat ? flat.subarray(offset, offset + n) : slot.tensor!.gradData;
      offset += n;
      if (!g) return;
      let sum = 0;
      for (let k = 0; k < g.length; k++) sum += g[k]!;
      if (Number.isNaN(sum)) {
        const k = g.findIndex((v) => Number.isNaN(v));
        throw new QDistillError('E_NAN', `${this.kind}.step: the gradient of parameter ${slot.tensor?.name ?? i} holds NaN at index ${k}`);
      }
      this.slotSteps[i]!++;
      this.update(i, slot.data, g);
    });
  }

  /** Applies the rule to one parameter slot. */
  protected abstract update(slot: number, param: TypedData, grad: TypedData): void;

  /** Hyperparameters for the state dict. */
  protected abstract hyperparameters(): Record<string, number | boolean>;

  /** A named per-slot buffer (zero-filled on first use). */
  protected buffer(name: string, slot: number): Float64Array {
    let list = this.buffers.get(name);
    if (!list) {
      list = this.slots.map(() => null);
      this.buffers.set(name, list);
    }
    let b = list[slot];
    if (!b) {
      b = new Float64Array(this.slots[slot]!.data.length);
      list[slot] = b;
    }
    return b;
  }

  /** True if the buffer exists already (e.g. momentum after the first step). */
  protected hasBuffer(name: string, slot: number): boolean {
    return !!this.buffers.get(name)?.[slot];
  }

  /**
   * A copy of the optimiser state.
   *
   * @example
   * ```ts
   * const state = opt.stateDict();
   * ```
   */
  stateDict(): OptimizerState {
    const buffers: Record<string, Float64Array> = {};
    for (const [name, list] of this.buffers) list.forEach((b, i) => b && (buffers[`${name}.${i}`] = b.slice()));
    return { kind: this.kind, options: this.hyperparameters(), lr: this.lr, step: this.stepCount, slotSteps: [...this.slotSteps], buffers };
  }

  /**
   * Restores a state from {@link stateDict} (same kind, same parameter sizes).
   *
   * @throws E_CHECKPOINT on another kind, an unknown buffer or a size mismatch
   * @example
   * ```ts
   * opt.loadStateDict(saved);
   * ```
   */
  loadStateDict(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new QDistillError('E_CHECKPOINT', `${this.kind}.loadStateDict: the state is for a ${state.kind} optimiser`);
    }
    const parsed: Array<[string, number, Float64Array]> = [];
    for (const [key, data] of Object.entries(state.buffers)) {
      const m = /^(\w+)\.(\d+)$/.exec(key);
      const slot = m ? Number(m[2]) : -1;
      if (!m || slot >= this.slots.length) {
        throw new QDistillError('E_CHECKPOINT', `${this.kind}.loadStateDict: unexpected buffer "${key}" (the optimiser has ${this.slots.length} parameters)`);
      }
      if (data.length !== this.slots[slot]!.data.length) {
        throw new QDistillError(
          'E_CHECKPOINT',
          `${this.kind}.loadStateDict: buffer "${key}" has ${data.length} values, parameter ${slot} has ${this.slots[slot]!.data.length}`,
        );
      }
      parsed.push([m[1]!, slot, data]);
    }
    if (state.slotSteps.length !== this.slots.length) {
      throw new QDistillError('E_CHECKPOINT', `${this.kind}.loadStateDict: the state covers ${state.slotSteps.length} parameters, this optimiser ${this.slots.length}`);
    }
    this.buffers.clear();
    state.slotSteps.forEach((s, i) => (this.slotSteps[i] = s));
    for (const [name, slot, data] of parsed) this.buffer(name, slot).set(data);
    this.lr = state.lr;
    this.stepCount = state.step;
  }
}
