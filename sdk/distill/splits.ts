/**
 * The splits of a distillation experiment, carved from one training split so
 * that they are disjoint by construction:
 *
 * 1. **validation**: per class, the last V samples (dataset order), or V drawn
 *    at random with a seed — taken first, so nothing else can touch them;
 * 2. **labelled**: per class, the first (or seeded-random) L of what remains;
 * 3. **transfer**: per class, the rest, or the first (seeded-random) U of it.
 *
 * The test split is a different split altogether (the canonical test set).
 */
import { QDistillError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { Random } from '../util/random.js';

/** Options of {@link carveSplits}. */
export interface SplitSpec {
  /** Validation samples per class, or a fraction of each class (default fraction 0.1). */
  validationPerClass?: number;
  validationFraction?: number;
  /** With a seed, validation samples are drawn at random; without, the last ones of each class are taken. */
  validationSeed?: number;
  /** Labelled samples per class (undefined/null: all that remain). */
  labelledPerClass?: number | null;
  /** `first` or `random` (with `seed`) choice of the labelled and transfer samples. */
  selection?: 'first' | 'random';
  /** Seed of `random` selection. */
  seed?: number;
  /** Transfer set: none (default), everything that remains (`rest`), or U per class. */
  transfer?: 'rest' | { perClass: number } | null;
}

/** Indices into the training split, per role, each sorted by class then dataset order. */
export interface SplitIndices {
  validation: Int32Array;
  labelled: Int32Array;
  transfer: Int32Array;
}

function byClass(labels: Int32Array, numClasses: number): number[][] {
  const groups: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, i) => groups[y]!.push(i));
  return groups;
}

function take(group: number[], k: number, mode: 'first' | 'random', rng: Random | null): { picked: number[]; rest: number[] } {
  if (mode === 'first' || !rng) return { picked: group.slice(0, k), rest: group.slice(k) };
  const chosen = new Set(Array.from(rng.sample(group.length, k)));
  const picked: number[] = [];
  const rest: number[] = [];
  group.forEach((v, p) => (chosen.has(p) ? picked : rest).push(v));
  return { picked, rest };
}

/**
 * Carves validation, labelled and transfer index sets from a training split
 * (see the module doc for the order). Deterministic: the same dataset and
 * spec give the same indices.
 *
 * @throws E_DATA if a class has too few samples for the request; E_INVALID_ARGUMENT for bad counts
 * @example
 * ```ts
 * const s = carveSplits(train, { validationPerClass: 100, labelledPerClass: 150, transfer: 'rest' });
 * const labelled = subset(train, s.labelled);
 * ```
 */
export function carveSplits(train: Dataset, spec: SplitSpec): SplitIndices {
  const where = 'carveSplits';
  const groups = byClass(train.y, train.numClasses);
  if (spec.validationPerClass !== undefined && spec.validationFraction !== undefined) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: give validationPerClass or validationFraction, not both`);
  }
  const fraction = spec.validationFraction ?? (spec.validationPerClass === undefined ? 0.1 : undefined);
  if (fraction !== undefined && !(fraction > 0 && fraction < 1)) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: validationFraction must be in (0, 1), got ${fraction}`);
  const validationRng = spec.validationSeed === undefined ? null : new Random([spec.validationSeed, 0x7a1]);
  const selectionRng = spec.selection === 'random' ? new Random([spec.seed ?? 0, 0x5e1]) : null;
  const validation: number[] = [];
  const labelled: number[] = [];
  const transfer: number[] = [];
  groups.forEach((group, c) => {
    const v = fraction !== undefined ? Math.max(1, Math.round(fraction * group.length)) : spec.validationPerClass!;
    if (!Number.isInteger(v) || v < 1) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: validationPerClass must be a positive integer, got ${v}`);
    if (v >= group.length) throw new QDistillError('E_DATA', `${where}: class ${c} has ${group.length} training samples; ${v} for validation leave none to train on`);
    let remaining: number[];
    if (validationRng) {
      const { picked, rest } = take(group, v, 'random', validationRng);
      validation.push(...picked);
      remaining = rest;
    } else {
      validation.push(...group.slice(group.length - v));
      remaining = group.slice(0, group.length - v);
    }
    const l = spec.labelledPerClass ?? remaining.length;
    if (!Number.isInteger(l) || l < 1) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: labelledPerClass must be a positive integer, got ${l}`);
    if (l > remaining.length) {
      throw new QDistillError('E_DATA', `${where}: class ${c} has ${remaining.length} training samples outside validation; ${l} labelled requested`);
    }
    const { picked, rest } = take(remaining, l, spec.selection ?? 'first', selectionRng);
    labelled.push(...picked);
    const t = spec.transfer;
    if (t === 'rest') transfer.push(...rest);
    else if (t && typeof t === 'object') {
      if (!Number.isInteger(t.perClass) || t.perClass < 1) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: transfer.perClass must be a positive integer, got ${t.perClass}`);
      if (t.perClass > rest.length) {
        throw new QDistillError('E_DATA', `${where}: class ${c} has ${rest.length} samples left for the transfer set; ${t.perClass} requested`);
      }
      transfer.push(...take(rest, t.perClass, spec.selection ?? 'first', selectionRng).picked);
    } else if (t !== undefined && t !== null) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${where}: transfer must be 'rest', { perClass } or null, got ${JSON.stringify(t)}`);
    }
  });
  return { validation: Int32Array.from(validation), labelled: Int32Array.from(labelled), transfer: Int32Array.from(transfer) };
}
