import { QDistillError } from '../errors.js';

/**
 * Where a gate parameter comes from:
 * - a number (a constant angle);
 * - `{ weight: k }`: trainable weight k of the layer, times `scale` (default 1);
 * - `{ input: j, scale, offset }`: feature j of each sample, θ = scale·x_j + offset
 *   (so θ = π·x is `{ input: j, scale: Math.PI }`).
 */
export type ParamSource = number | WeightRef | InputRef;

/** A trainable weight. */
export interface WeightRef {
  readonly weight: number;
  readonly scale?: number;
}

/** An input feature, θ = scale·x + offset. */
export interface InputRef {
  readonly input: number;
  readonly scale?: number;
  readonly offset?: number;
}

/** A symbolic reference to trainable weight `index`. */
export function weight(index: number, scale = 1): WeightRef {
  return { weight: checkIndex(index, 'weight'), scale };
}

/** A symbolic reference to input feature `index`, θ = scale·x + offset. */
export function input(index: number, scale = 1, offset = 0): InputRef {
  return { input: checkIndex(index, 'input'), scale, offset };
}

/** True for `{ weight }`. */
export function isWeightRef(p: ParamSource): p is WeightRef {
  return typeof p === 'object' && p !== null && 'weight' in p;
}

/** True for `{ input }`. */
export function isInputRef(p: ParamSource): p is InputRef {
  return typeof p === 'object' && p !== null && 'input' in p;
}

function checkIndex(index: number, what: string): number {
  if (!Number.isInteger(index) || index < 0) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${what}(${index}): the index must be a non-negative integer`);
  }
  return index;
}
