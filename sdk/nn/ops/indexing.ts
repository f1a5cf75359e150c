/**
 * Index arithmetic shared by the ops: broadcasting, axis normalisation and
 * strided index maps.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import { formatShape, shapeSize } from '../tensor.js';

/**
 * Row-major strides of a shape.
 *
 * @example
 * ```ts
 * stridesOf([2, 3, 4]); // [12, 4, 1]
 * ```
 */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/**
 * Normalises a possibly negative axis (−1 is the last), throwing `E_SHAPE` naming `op` if out of range.
 *
 * @example
 * ```ts
 * normalizeAxis('softmax', -1, 2); // 1
 * ```
 */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new QDistillError('E_SHAPE', `${op}: axis ${axis} is out of range for a rank-${rank} tensor (valid ${-rank}..${rank - 1})`);
  }
  return a;
}

/**
 * The NumPy broadcast of two shapes.
 *
 * @throws E_SHAPE naming `op` and both shapes when they do not broadcast
 * @example
 * ```ts
 * broadcastShapes('add', [4, 1, 3], [2, 3]); // [4, 2, 3]
 * ```
 */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new QDistillError(
        'E_SHAPE',
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dimension ${i} of the result: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every flat index of `iterShape` (row-major), the flat offset Σ idx[d]·strides[d].
 * With `strides` of a smaller broadcast operand (0 on broadcast dims) this maps
 * output elements to operand elements; with reduced strides it maps inputs to a reduction's outputs.
 *
 * @example
 * ```ts
 * indexMap([2, 3], [0, 1]); // Int32Array [0, 1, 2, 0, 1, 2]
 * ```
 */
export function indexMap(iterShape: readonly number[], strides: readonly number[]): Int32Array {
  const size = shapeSize(iterShape);
  const map = new Int32Array(size);
  const rank = iterShape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let o = 0; o < size; o++) {
    map[o] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < iterShape[d]!) break;
      off -= strides[d]! * iterShape[d]!;
      idx[d] = 0;
    }
  }
  return map;
}

/**
 * Map from each element of the broadcast result `outShape` to the element of
 * an operand of shape `shape` it reads, or `null` if the shapes are equal.
 *
 * @example
 * ```ts
 * broadcastMap([3], [2, 3]); // Int32Array [0, 1, 2, 0, 1, 2]
 * ```
 */
export function broadcastMap(shape: readonly number[], outShape: readonly number[]): Int32Array | null {
  if (shape.length === outShape.length && shape.every((d, i) => d === outShape[i])) return null;
  const own = stridesOf(shape);
  const rank = outShape.length;
  const strides = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const j = i - (rank - shape.length);
    strides[i] = j < 0 || shape[j] === 1 ? 0 : own[j]!;
  }
  return indexMap(outShape, strides);
}
