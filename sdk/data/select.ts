/**
 * Selecting, splitting, shuffling and batching datasets. Every random choice
 * takes a seed and uses {@link Random}, so the same seed picks the same
 * samples in every runtime.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import { featureSize, numSamples, subset, type Dataset } from './dataset.js';
import { Random, type Seed } from '../util/random.js';

function checkK(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 0) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: k must be a non-negative integer, got ${k}`);
}

/** Indices of each label's samples, in dataset order. */
function indicesByClass(dataset: Dataset): number[][] {
  const byClass: number[][] = Array.from({ length: dataset.numClasses }, () => []);
  for (let i = 0; i < dataset.y.length; i++) byClass[dataset.y[i]!]!.push(i);
  return byClass;
}

/**
 * Keeps only the given labels and relabels them 0..C−1 in ascending order of
 * the given labels (the canonical order), keeping sample order. The mapping
 * is kept in `classIds` (composed with any earlier relabelling, so ids stay
 * the original class ids) and `classNames` follows.
 *
 * @example
 * ```ts
 * const ones_and_fives = selectClasses(train, [1, 5]); // labels 0 (was 1) and 1 (was 5)
 * ones_and_fives.classIds; // [1, 5]
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` for an empty list, duplicates or labels out of range.
 */
export function selectClasses(dataset: Dataset, classes: readonly number[]): Dataset {
  if (!Array.isArray(classes) || classes.length === 0) {
    throw new QDistillError('E_INVALID_ARGUMENT', 'selectClasses: expected a non-empty list of labels');
  }
  const sorted = [...classes].sort((a, b) => a - b);
  sorted.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= dataset.numClasses) {
      throw new QDistillError('E_INVALID_ARGUMENT', `selectClasses: label ${c} is not in 0..${dataset.numClasses - 1}`);
    }
    if (i > 0 && sorted[i - 1] === c) throw new QDistillError('E_INVALID_ARGUMENT', `selectClasses: label ${c} is listed twice`);
  });
  const newLabel = new Int32Array(dataset.numClasses).fill(-1);
  sorted.forEach((c, i) => (newLabel[c] = i));
  const keep: number[] = [];
  for (let i = 0; i < dataset.y.length; i++) if (newLabel[dataset.y[i]!]! >= 0) keep.push(i);
  const picked = subset(dataset, keep);
  for (let i = 0; i < picked.y.length; i++) picked.y[i] = newLabel[picked.y[i]!]!;
  const oldIds = dataset.classIds ?? Array.from({ length: dataset.numClasses }, (_, i) => i);
  return {
    x: picked.x,
    y: picked.y,
    shape: [...dataset.shape],
    numClasses: sorted.length,
    classIds: sorted.map((c) => oldIds[c]!),
    ...(dataset.classNames ? { classNames: sorted.map((c) => dataset.classNames![c]!) } : {}),
  };
}

/**
 * Indices of the first k samples of each label (dataset order), grouped by
 * label ascending.
 *
 * @example
 * ```ts
 * firstPerClassIndices(train, 150);
 * ```
 * @throws QDistillError `E_DATA` if a label has fewer than k samples.
 */
export function firstPerClassIndices(dataset: Dataset, k: number): Int32Array {
  checkK(k, 'firstPerClass');
  const byClass = indicesByClass(dataset);
  const out: number[] = [];
  byClass.forEach((idx, c) => {
    if (idx.length < k) throw new QDistillError('E_DATA', `firstPerClass: label ${c} has only ${idx.length} samples; ${k} requested`);
    out.push(...idx.slice(0, k));
  });
  return Int32Array.from(out);
}

/**
 * The first k samples of each label (paper 003's protocol of a fixed number
 * per class), in canonical order: labels ascending, dataset order within.
 *
 * @example
 * ```ts
 * const small = firstPerClass(selectClasses(train, [0, 1, 2, 3, 4, 5]), 150);
 * ```
 * @throws QDistillError `E_DATA` if a label has fewer than k samples.
 */
export function firstPerClass(dataset: Dataset, k: number): Dataset {
  return subset(dataset, firstPerClassIndices(dataset, k));
}

/**
 * Indices of k samples per label drawn without replacement by a seeded
 * generator (labels in ascending order, one generator for all), sorted back
 * into dataset order within each label.
 *
 * @example
 * ```ts
 * randomPerClassIndices(train, 150, 42);
 * ```
 * @throws QDistillError `E_DATA` if a label has fewer than k samples.
 */
export function randomPerClassIndices(dataset: Dataset, k: number, seed: Seed): Int32Array {
  checkK(k, 'randomPerClass');
  const rng = new Random(seed);
  const byClass = indicesByClass(dataset);
  const out: number[] = [];
  byClass.forEach((idx, c) => {
    if (idx.length < k) throw new QDistillError('E_DATA', `randomPerClass: label ${c} has only ${idx.length} samples; ${k} requested`);
    const picks = Array.from(rng.sample(idx.length, k)).sort((a, b) => a - b);
    for (const p of picks) out.push(idx[p]!);
  });
  return Int32Array.from(out);
}

/**
 * A seeded stratified random sample of k per label, in canonical order.
 *
 * @example
 * ```ts
 * const small = randomPerClass(train, 150, 42);
 * ```
 * @throws QDistillError `E_DATA` if a label has fewer than k samples.
 */
export function randomPerClass(dataset: Dataset, k: number, seed: Seed): Dataset {
  return subset(dataset, randomPerClassIndices(dataset, k, seed));
}

/**
 * Options of {@link trainValidationSplit}.
 *
 * @example
 * ```ts
 * trainValidationSplit(ds, { validation: 0.2, seed: 1, stratify: true });
 * ```
 */
export interface SplitOptions {
  /** Fraction in (0, 1) or a whole number of samples for validation. */
  validation: number;
  /** Seed: with a seed the validation samples are drawn at random; without, the last ones are taken. */
  seed?: Seed;
  /** Split each label separately in the same proportion (default true). */
  stratify?: boolean;
}

/**
 * Splits a dataset into train and validation parts, both in dataset order.
 * Stratified (default): per label, round(fraction·n_c) samples (the count
 * version uses the fraction count/N) go to validation. Without a seed the
 * last samples are taken, with a seed a random choice.
 *
 * @example
 * ```ts
 * const { train, validation } = trainValidationSplit(full, { validation: 0.1, seed: 7 });
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` for a fraction outside (0, 1) or a count outside 1..N−1.
 */
export function trainValidationSplit(dataset: Dataset, options: SplitOptions): { train: Dataset; validation: Dataset } {
  const n = numSamples(dataset);
  const v = options?.validation;
  let fraction: number;
  if (typeof v === 'number' && v > 0 && v < 1) fraction = v;
  else if (Number.isInteger(v) && v >= 1 && v < n) fraction = v / n;
  else {
    throw new QDistillError(
      'E_INVALID_ARGUMENT',
      `trainValidationSplit: validation must be a fraction in (0, 1) or a sample count in 1..${n - 1}, got ${v}`,
    );
  }
  const rng = options.seed === undefined ? undefined : new Random(options.seed);
  const groups = options.stratify === false ? [Array.from({ length: n }, (_, i) => i)] : indicesByClass(dataset);
  const isValidation = new Uint8Array(n);
  for (const idx of groups) {
    const count = Math.round(fraction * idx.length);
    if (rng) for (const p of rng.sample(idx.length, count)) isValidation[idx[p]!] = 1;
    else for (let p = idx.length - count; p < idx.length; p++) isValidation[idx[p]!] = 1;
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < n; i++) (isValidation[i] ? validation : train).push(i);
  return { train: subset(dataset, train), validation: subset(dataset, validation) };
}

/**
 * The dataset in a seeded random order (Fisher–Yates over {@link Random}).
 *
 * @example
 * ```ts
 * const shuffled = shuffleDataset(train, 3);
 * ```
 */
export function shuffleDataset(dataset: Dataset, seed: Seed): Dataset {
  return subset(dataset, new Random(seed).permutation(numSamples(dataset)));
}

/**
 * One mini-batch.
 *
 * @example
 * ```ts
 * for (const { x, y, size } of batches(train, { batchSize: 32 })) console.log(x.length, y.length, size);
 * ```
 */
export interface Batch {
  /** size × features, row-major (a copy). */
  x: Float32Array;
  y: Int32Array;
  /** Indices of the batch's samples in the dataset. */
  indices: Int32Array;
  /** Per-sample shape. */
  shape: number[];
  size: number;
}

/**
 * Options of {@link batches}.
 *
 * @example
 * ```ts
 * batches(train, { batchSize: 64, shuffle: true, seed: 3, epoch: 2, dropLast: true });
 * ```
 */
export interface BatchOptions {
  batchSize: number;
  /** Shuffle the order (default false). */
  shuffle?: boolean;
  /** Seed of the order (default 0); the permutation uses `new Random([seed, epoch])`. */
  seed?: number;
  /** Epoch number, so each epoch gets its own order from one seed (default 0). */
  epoch?: number;
  /** Drop a last incomplete batch (default false). */
  dropLast?: boolean;
}

/**
 * Iterates over mini-batches. With `shuffle`, the order is a permutation
 * drawn from `new Random([seed, epoch])`: the same (seed, epoch) gives the
 * same batches everywhere.
 *
 * @example
 * ```ts
 * for (let epoch = 0; epoch < 5; epoch++) {
 *   for (const batch of batches(train, { batchSize: 64, shuffle: true, seed: 1, epoch })) {
 *     // batch.x: Float32Array(batch.size * 784), batch.y: Int32Array(batch.size)
 *   }
 * }
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` for a batch size below 1.
 */
export function* batches(dataset: Dataset, options: BatchOptions): Generator<Batch, void, undefined> {
  const { batchSize } = options ?? ({} as BatchOptions);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new QDistillError('E_INVALID_ARGUMENT', `batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const epoch = options.epoch ?? 0;
  if (!Number.isInteger(epoch) || epoch < 0) throw new QDistillError('E_INVALID_ARGUMENT', `batches: epoch must be a non-negative integer, got ${epoch}`);
  const n = numSamples(dataset);
  const order = options.shuffle ? new Random([options.seed ?? 0, epoch]).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const features = featureSize(dataset.shape);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    if (size < batchSize && options.dropLast) return;
    const indices = order.slice(start, start + size);
    const x = new Float32Array(size * features);
    const y = new Int32Array(size);
    for (let k = 0; k < size; k++) {
      const i = indices[k]!;
      x.set(dataset.x.subarray(i * features, (i + 1) * features), k * features);
      y[k] = dataset.y[i]!;
    }
    yield { x, y, indices, shape: [...dataset.shape], size };
  }
}

