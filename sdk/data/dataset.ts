/**
 * The in-memory classification dataset type and its basic operations.
 *
 * @module
 */
import { QDistillError } from '../errors.js';

/**
 * A labelled dataset held in memory. `x` is N × F float32, row-major, where
 * F = product of `shape` (the per-sample shape, e.g. `[1, 28, 28]` for MNIST,
 * `[3, 32, 32]` for CIFAR-10, `[16]` after flatten/PCA). `y[i]` is the label
 * of sample i in 0..numClasses−1.
 *
 * @example
 * ```ts
 * const ds: Dataset = { x: new Float32Array(8), y: Int32Array.of(0, 1), shape: [4], numClasses: 2 };
 * ```
 */
export interface Dataset {
  x: Float32Array;
  y: Int32Array;
  /** Per-sample shape. */
  shape: number[];
  numClasses: number;
  /** Names of labels 0..numClasses−1. */
  classNames?: string[];
  /**
   * Original class id of each label after relabelling ({@link selectClasses}):
   * label i stands for original class `classIds[i]`. Absent means the identity.
   */
  classIds?: number[];
}

/**
 * Product of a shape's dimensions (the feature count per sample).
 *
 * @example
 * ```ts
 * featureSize([1, 28, 28]); // 784
 * ```
 */
export function featureSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Number of samples.
 *
 * @example
 * ```ts
 * numSamples(train); // e.g. 8000
 * ```
 */
export function numSamples(dataset: Dataset): number {
  return dataset.y.length;
}

/**
 * Validates a dataset's invariants and returns it: typed arrays, a positive
 * integer shape, `x.length = N·F`, labels in range, names/ids consistent,
 * finite features.
 *
 * @example
 * ```ts
 * const ds = validateDataset({ x, y, shape: [4], numClasses: 2 }, 'my data');
 * ```
 * @throws QDistillError `E_DATA` (wrong types, labels out of range, names/ids
 *   inconsistent), `E_SHAPE` (x length vs shape), `E_NON_FINITE` (features).
 */
export function validateDataset(dataset: Dataset, where = 'dataset'): Dataset {
  if (!dataset || typeof dataset !== 'object') throw new QDistillError('E_DATA', `${where}: expected a dataset object { x, y, shape, numClasses }`);
  const { x, y, shape, numClasses } = dataset;
  if (!(x instanceof Float32Array)) throw new QDistillError('E_DATA', `${where}: x must be a Float32Array, got ${describe(x)}`);
  if (!(y instanceof Int32Array)) throw new QDistillError('E_DATA', `${where}: y must be an Int32Array, got ${describe(y)}`);
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new QDistillError('E_SHAPE', `${where}: shape must be a non-empty list of positive integers, got ${JSON.stringify(shape)}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new QDistillError('E_DATA', `${where}: numClasses must be a positive integer, got ${numClasses}`);
  }
  const features = featureSize(shape);
  if (x.length !== y.length * features) {
    throw new QDistillError(
      'E_SHAPE',
      `${where}: x has ${x.length} values but ${y.length} samples of shape [${shape.join(', ')}] need ${y.length * features}`,
    );
  }
  for (let i = 0; i < y.length; i++) {
    const label = y[i]!;
    if (label < 0 || label >= numClasses) {
      throw new QDistillError('E_DATA', `${where}: label of sample ${i} is ${label}; expected 0..${numClasses - 1}`);
    }
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new QDistillError(
        'E_NON_FINITE',
        `${where}: feature ${i % features} of sample ${Math.floor(i / features)} is ${x[i]}; expected finite numbers`,
      );
    }
  }
  if (dataset.classNames !== undefined && (!Array.isArray(dataset.classNames) || dataset.classNames.length !== numClasses)) {
    throw new QDistillError('E_DATA', `${where}: classNames must list ${numClasses} names, got ${JSON.stringify(dataset.classNames)}`);
  }
  if (dataset.classIds !== undefined && (!Array.isArray(dataset.classIds) || dataset.classIds.length !== numClasses)) {
    throw new QDistillError('E_DATA', `${where}: classIds must list ${numClasses} ids, got ${JSON.stringify(dataset.classIds)}`);
  }
  return dataset;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Creates a validated dataset, converting plain arrays: `x` as numbers
 * (N·F values) or one array per sample, `y` as numbers.
 *
 * @example
 * ```ts
 * const ds = createDataset({ x: [[0, 1], [1, 0]], y: [0, 1], shape: [2], numClasses: 2, classNames: ['a', 'b'] });
 * ```
 * @throws QDistillError as {@link validateDataset}, plus `E_SHAPE` for ragged rows.
 */
export function createDataset(parts: {
  x: Float32Array | ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  y: Int32Array | ArrayLike<number>;
  shape: readonly number[];
  numClasses: number;
  classNames?: readonly string[];
  classIds?: readonly number[];
}): Dataset {
  const features = featureSize(parts.shape);
  let x: Float32Array;
  if (parts.x instanceof Float32Array) x = parts.x;
  else if (parts.x.length > 0 && typeof (parts.x as ArrayLike<unknown>)[0] === 'object') {
    const rows = parts.x as ReadonlyArray<ArrayLike<number>>;
    x = new Float32Array(rows.length * features);
    rows.forEach((row, i) => {
      if (row.length !== features) {
        throw new QDistillError('E_SHAPE', `createDataset: sample ${i} has ${row.length} values; shape [${parts.shape.join(', ')}] needs ${features}`);
      }
      for (let f = 0; f < features; f++) x[i * features + f] = row[f]!;
    });
  } else x = Float32Array.from(parts.x as ArrayLike<number>);
  const yIn = parts.y;
  if (!(yIn instanceof Int32Array)) {
    for (let i = 0; i < yIn.length; i++) {
      if (!Number.isInteger(yIn[i])) throw new QDistillError('E_DATA', `createDataset: label ${i} is ${yIn[i]}; expected an integer`);
    }
  }
  const y = yIn instanceof Int32Array ? yIn : Int32Array.from(yIn);
  return validateDataset(
    {
      x,
      y,
      shape: [...parts.shape],
      numClasses: parts.numClasses,
      ...(parts.classNames ? { classNames: [...parts.classNames] } : {}),
      ...(parts.classIds ? { classIds: [...parts.classIds] } : {}),
    },
    'createDataset',
  );
}

/**
 * The samples at `indices` (in that order, repeats allowed) as a new dataset
 * with copied arrays; class metadata is kept.
 *
 * @example
 * ```ts
 * const firstTen = subset(train, Int32Array.from({ length: 10 }, (_, i) => i));
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` if an index is out of range.
 */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const n = numSamples(dataset);
  const features = featureSize(dataset.shape);
  const x = new Float32Array(indices.length * features);
  const y = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new QDistillError('E_INVALID_ARGUMENT', `subset: index ${k} is ${i}; expected an integer in 0..${n - 1}`);
    }
    x.set(dataset.x.subarray(i * features, (i + 1) * features), k * features);
    y[k] = dataset.y[i]!;
  }
  return withArrays(dataset, x, y, dataset.shape);
}

/**
 * A copy of `dataset`'s metadata with new arrays/shape.
 *
 * @example
 * ```ts
 * const flipped = withArrays(ds, ds.x.map((v) => 1 - v), ds.y.slice(), ds.shape);
 * ```
 */
export function withArrays(dataset: Dataset, x: Float32Array, y: Int32Array, shape: readonly number[]): Dataset {
  return {
    x,
    y,
    shape: [...shape],
    numClasses: dataset.numClasses,
    ...(dataset.classNames ? { classNames: [...dataset.classNames] } : {}),
    ...(dataset.classIds ? { classIds: [...dataset.classIds] } : {}),
  };
}

/**
 * Number of samples of each label, as an array of length numClasses.
 *
 * @example
 * ```ts
 * classCounts(test); // e.g. [201, 228, …]
 * ```
 */
export function classCounts(dataset: Dataset): number[] {
  const counts = new Array<number>(dataset.numClasses).fill(0);
  for (let i = 0; i < dataset.y.length; i++) counts[dataset.y[i]!]!++;
  return counts;
}

/**
 * A view (no copy) of sample i's features.
 *
 * @example
 * ```ts
 * const pixels = sample(train, 0); // Float32Array(784)
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` if i is out of range.
 */
export function sample(dataset: Dataset, i: number): Float32Array {
  const n = numSamples(dataset);
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new QDistillError('E_INVALID_ARGUMENT', `sample: index ${i} out of range 0..${n - 1}`);
  const f = featureSize(dataset.shape);
  return dataset.x.subarray(i * f, (i + 1) * f);
}

/**
 * Concatenates datasets with the same shape and classes (e.g. train + test).
 *
 * @example
 * ```ts
 * const all = concatDatasets([train, test]);
 * ```
 * @throws QDistillError `E_SHAPE` / `E_DATA` if shapes or class counts differ.
 */
export function concatDatasets(datasets: readonly Dataset[]): Dataset {
  if (datasets.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'concatDatasets: expected at least one dataset');
  const first = datasets[0]!;
  for (const [k, d] of datasets.entries()) {
    if (d.shape.join(',') !== first.shape.join(',')) {
      throw new QDistillError('E_SHAPE', `concatDatasets: dataset ${k} has shape [${d.shape}] but dataset 0 has [${first.shape}]`);
    }
    if (d.numClasses !== first.numClasses) {
      throw new QDistillError('E_DATA', `concatDatasets: dataset ${k} has ${d.numClasses} classes but dataset 0 has ${first.numClasses}`);
    }
  }
  const x = new Float32Array(datasets.reduce((a, d) => a + d.x.length, 0));
  const y = new Int32Array(datasets.reduce((a, d) => a + d.y.length, 0));
  let xo = 0;
  let yo = 0;
  for (const d of datasets) {
    x.set(d.x, xo);
    y.set(d.y, yo);
    xo += d.x.length;
    yo += d.y.length;
  }
  return withArrays(first, x, y, first.shape);
}
