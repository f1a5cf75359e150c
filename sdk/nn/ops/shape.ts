/**
 * Shape ops: reshape/flatten, permute/transpose, concat, slice, cast.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import { allocData, assertSameDtype, formatShape, record, shapeSize, Tensor, type DType } from '../tensor.js';
import { indexMap, normalizeAxis, stridesOf } from './indexing.js';

/**
 * The same data viewed with a new shape (one dimension may be −1 and is inferred).
 *
 * @throws E_SHAPE when the element counts differ
 * @example
 * ```ts
 * reshape(tensor([1, 2, 3, 4, 5, 6]), [2, -1]).shape; // [2, 3]
 * ```
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const dims = [...shape];
  const infer = dims.indexOf(-1);
  if (infer >= 0) {
    if (dims.indexOf(-1, infer + 1) >= 0) {
      throw new QDistillError('E_SHAPE', `reshape: at most one dimension may be -1, got ${formatShape(shape)}`);
    }
    const known = dims.reduce((p, d, i) => (i === infer ? p : p * d), 1);
    if (known === 0 || x.size % known !== 0) {
      throw new QDistillError('E_SHAPE', `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
    }
    dims[infer] = x.size / known;
  }
  if (shapeSize(dims) !== x.size || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new QDistillError('E_SHAPE', `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
  }
  const y = new Tensor(x.data, dims);
  return record('reshape', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += g[i]!;
  });
}

/**
 * Collapses dimensions `startDim..endDim` (default 1..−1: `[N, C, H, W]` → `[N, C·H·W]`).
 *
 * @example
 * ```ts
 * flatten(zeros([8, 16, 5, 5])).shape; // [8, 400]
 * ```
 */
export function flatten(x: Tensor, startDim = 1, endDim = -1): Tensor {
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.rank);
  const e = normalizeAxis('flatten', endDim, x.rank);
  if (e < s) throw new QDistillError('E_SHAPE', `flatten: endDim ${endDim} comes before startDim ${startDim}`);
  const mid = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

/**
 * Reorders dimensions: output dimension i is input dimension `axes[i]`.
 *
 * @example
 * ```ts
 * permute(zeros([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 * ```
 */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length !== x.rank) {
    throw new QDistillError('E_SHAPE', `permute: ${axes.length} axes given for a rank-${x.rank} tensor ${formatShape(x.shape)}`);
  }
  const norm = axes.map((a) => normalizeAxis('permute', a, x.rank));
  if (new Set(norm).size !== norm.length) throw new QDistillError('E_SHAPE', `permute: axes ${formatShape(axes)} repeat a dimension`);
  const inStrides = stridesOf(x.shape);
  const outShape = norm.map((a) => x.shape[a]!);
  const map = indexMap(
    outShape,
    norm.map((a) => inStrides[a]!),
  );
  const y = new Tensor(allocData(x.dtype, x.size), outShape);
  const xd = x.data;
  const yd = y.data;
  for (let o = 0; o < map.length; o++) yd[o] = xd[map[o]!]!;
  return record('permute', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let o = 0; o < map.length; o++) gx[map[o]!]! += g[o]!;
  });
}

/**
 * Swaps two dimensions (default: the last two).
 *
 * @example
 * ```ts
 * transpose(zeros([2, 3])).shape; // [3, 2]
 * ```
 */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const a = normalizeAxis('transpose', dim0, x.rank);
  const b = normalizeAxis('transpose', dim1, x.rank);
  const axes = x.shape.map((_, i) => i);
  axes[a] = b;
  axes[b] = a;
  return permute(x, axes);
}

/**
 * Joins tensors along `axis`; all other dimensions must match.
 *
 * @throws E_SHAPE naming the first mismatching input and both shapes
 * @example
 * ```ts
 * concat([zeros([2, 3]), ones([1, 3])], 0).shape; // [3, 3]
 * ```
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'concat: needs at least one tensor');
  const dtype = assertSameDtype('concat', xs);
  const first = xs[0]!;
  const ax = normalizeAxis('concat', axis, first.rank);
  let total = 0;
  xs.forEach((t, k) => {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new QDistillError(
        'E_SHAPE',
        `concat: input ${k} has shape ${formatShape(t.shape)}, incompatible with input 0 ${formatShape(first.shape)} along axis ${ax}`,
      );
    }
    total += t.shape[ax]!;
  });
  const outShape = [...first.shape];
  outShape[ax] = total;
  const outer = first.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = first.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const y = new Tensor(allocData(dtype, shapeSize(outShape)), outShape);
  const yd = y.data;
  const rowOut = total * inner;
  let offset = 0;
  const offsets: number[] = [];
  for (const t of xs) {
    offsets.push(offset);
    const block = t.shape[ax]! * inner;
    for (let o = 0; o < outer; o++) yd.set(t.data.subarray(o * block, (o + 1) * block), o * rowOut + offset);
    offset += block;
  }
  return record('concat', xs, y, (g, sink) => {
    xs.forEach((t, k) => {
      const gx = sink(k);
      if (!gx) return;
      const block = t.shape[ax]! * inner;
      for (let o = 0; o < outer; o++) {
        const base = o * rowOut + offsets[k]!;
        for (let i = 0; i < block; i++) gx[o * block + i]! += g[base + i]!;
      }
    });
  });
}

/**
 * Stacks equally shaped tensors along a new dimension `axis`.
 *
 * @example
 * ```ts
 * stack([zeros([3]), ones([3])]).shape; // [2, 3]
 * ```
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'stack: needs at least one tensor');
  const rank = xs[0]!.rank;
  const ax = normalizeAxis('stack', axis, rank + 1);
  return concat(
    xs.map((t) => reshape(t, [...t.shape.slice(0, ax), 1, ...t.shape.slice(ax)])),
    ax,
  );
}

/**
 * Elements `start..end−1` along `axis` (negative indices count from the end).
 *
 * @throws E_SHAPE when the range is outside the dimension
 * @example
 * ```ts
 * slice(tensor([[1, 2, 3], [4, 5, 6]]), 1, 1, 3).toArray(); // [2, 3, 5, 6]
 * ```
 */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const ax = normalizeAxis('slice', axis, x.rank);
  const dim = x.shape[ax]!;
  const s = start < 0 ? start + dim : start;
  const e = end === undefined ? dim : end < 0 ? end + dim : end;
  if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > dim || s > e) {
    throw new QDistillError('E_SHAPE', `slice: range ${start}..${end ?? dim} is outside dimension ${ax} of ${formatShape(x.shape)}`);
  }
  const outer = x.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const outShape = [...x.shape];
  outShape[ax] = e - s;
  const block = (e - s) * inner;
  const row = dim * inner;
  const y = new Tensor(allocData(x.dtype, outer * block), outShape);
  for (let o = 0; o < outer; o++) y.data.set(x.data.subarray(o * row + s * inner, o * row + s * inner + block), o * block);
  return record('slice', [x], y, (g, sink) => {
    const gx = sink(0);
    if (!gx) return;
    for (let o = 0; o < outer; o++) {
      const base = o * row + s * inner;
      for (let i = 0; i < block; i++) gx[base + i]! += g[o * block + i]!;
    }
  });
}

/**
 * Converts to another dtype (identity if equal). Gradients convert back.
 *
 * @example
 * ```ts
 * cast(tensor([1, 2]), 'float64').dtype; // 'float64'
 * ```
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const y = new Tensor(allocData(dtype, x.size), x.shape);
  y.data.set(x.data);
  return record('cast', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += g[i]!;
  });
}
