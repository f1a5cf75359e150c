/**
 * Reductions and normalisations along an axis: sum, mean, softmax,
 * log-softmax, argmax.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import { allocData, record, shapeSize, Tensor } from '../tensor.js';
import { scale } from './elementwise.js';
import { indexMap, normalizeAxis, stridesOf } from './indexing.js';
import * as pm from '../../util/portable-math.js';

function reductionAxes(op: string, x: Tensor, axis: number | readonly number[] | undefined): Set<number> {
  if (axis === undefined) return new Set(x.shape.map((_, i) => i));
  const list = typeof axis === 'number' ? [axis] : axis;
  return new Set(list.map((a) => normalizeAxis(op, a, x.rank)));
}

/**
 * Σ over `axis` (a number, a list, or all axes when omitted).
 * `keepDims` keeps reduced dimensions with size 1.
 *
 * @example
 * ```ts
 * sum(tensor([[1, 2], [3, 4]]), 0).toArray(); // [4, 6]
 * sum(tensor([[1, 2], [3, 4]])).item();        // 10
 * ```
 */
export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const axes = reductionAxes('sum', x, axis);
  const keptShape = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !axes.has(i));
  const keptStrides = stridesOf(keptShape).map((s, i) => (axes.has(i) ? 0 : s));
  const map = indexMap(x.shape, keptStrides);
  const y = new Tensor(allocData(x.dtype, shapeSize(keptShape)), outShape);
  const xd = x.data;
  const yd = y.data;
  if (yd.length === 1) {
    let s = 0;
    for (let i = 0; i < xd.length; i++) s += xd[i]!;
    yd[0] = s;
  } else {
    for (let i = 0; i < xd.length; i++) yd[map[i]!]! += xd[i]!;
  }
  return record('sum', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < gx.length; i++) gx[i]! += g[map[i]!]!;
  });
}

/**
 * Mean over `axis` (all axes when omitted); built from {@link sum} and a scale.
 *
 * @example
 * ```ts
 * mean(tensor([[1, 2], [3, 4]]), 1).toArray(); // [1.5, 3.5]
 * ```
 */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const axes = reductionAxes('mean', x, axis);
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  if (count === 0) throw new QDistillError('E_SHAPE', 'mean: cannot average over an empty dimension');
  return scale(sum(x, axis, keepDims), 1 / count);
}

/**
 * Calls `visit(base)` for every 1-D lane of `x` along `axis` (outer-major):
 * entry j of a lane sits at `base + j·inner`, j = 0..n−1.
 */
function forEachLane(x: Tensor, axis: number, op: string, visit: (base: number, n: number, inner: number) => void): void {
  const ax = normalizeAxis(op, axis, x.rank);
  const outer = x.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const n = x.shape[ax]!;
  const inner = x.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) visit(o * n * inner + i, n, inner);
  }
}

/** The largest entry of the lane at `base` (see {@link forEachLane}); −∞ for an empty lane. */
function laneMax(d: Tensor['data'], base: number, n: number, inner: number): number {
  let m = -Infinity;
  for (let j = 0; j < n; j++) m = Math.max(m, d[base + j * inner]!);
  return m;
}

/**
 * softmax along `axis` (default last): yᵢ = e^{xᵢ−max} / Σⱼ e^{xⱼ−max}.
 * VJP: y ⊙ (g − Σ g⊙y).
 *
 * @example
 * ```ts
 * softmax(tensor([[0, 0]])).toArray(); // [0.5, 0.5]
 * ```
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const y = new Tensor(allocData(x.dtype, x.size), x.shape);
  const xd = x.data;
  const yd = y.data;
  forEachLane(x, axis, 'softmax', (base, n, inner) => {
    const m = laneMax(xd, base, n, inner);
    let s = 0;
    for (let j = 0; j < n; j++) {
      const e = pm.exp(xd[base + j * inner]! - m);
      yd[base + j * inner] = e;
      s += e;
    }
    for (let j = 0; j < n; j++) yd[base + j * inner]! /= s;
  });
  return record('softmax', [x], y, (g, sink) => {
    const gx = sink(0);
    if (!gx) return;
    forEachLane(x, axis, 'softmax', (base, n, inner) => {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += g[base + j * inner]! * yd[base + j * inner]!;
      for (let j = 0; j < n; j++) gx[base + j * inner]! += yd[base + j * inner]! * (g[base + j * inner]! - dot);
    });
  });
}

/**
 * log-softmax along `axis` (default last): x − logΣe^x (stable).
 * VJP: g − softmax(x)·Σg.
 *
 * @example
 * ```ts
 * logSoftmax(tensor([[0, 0]])).toArray(); // [-0.693…, -0.693…]
 * ```
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const y = new Tensor(allocData(x.dtype, x.size), x.shape);
  const xd = x.data;
  const yd = y.data;
  forEachLane(x, axis, 'logSoftmax', (base, n, inner) => {
    const m = laneMax(xd, base, n, inner);
    let s = 0;
    for (let j = 0; j < n; j++) s += pm.exp(xd[base + j * inner]! - m);
    const lse = m + pm.log(s);
    for (let j = 0; j < n; j++) yd[base + j * inner] = xd[base + j * inner]! - lse;
  });
  return record('logSoftmax', [x], y, (g, sink) => {
    const gx = sink(0);
    if (!gx) return;
    forEachLane(x, axis, 'logSoftmax', (base, n, inner) => {
      let total = 0;
      for (let j = 0; j < n; j++) total += g[base + j * inner]!;
      for (let j = 0; j < n; j++) gx[base + j * inner]! += g[base + j * inner]! - pm.exp(yd[base + j * inner]!) * total;
    });
  });
}

/**
 * Index of the largest entry along the last axis of a `[N, C]` (or `[C]`)
 * tensor, as an `Int32Array` of length N. Not differentiable.
 *
 * @example
 * ```ts
 * argmax(tensor([[0.1, 0.9], [0.8, 0.2]])); // Int32Array [1, 0]
 * ```
 */
export function argmax(x: Tensor): Int32Array {
  if (x.rank < 1) throw new QDistillError('E_SHAPE', 'argmax: expected a tensor of rank ≥ 1');
  const c = x.shape[x.rank - 1]!;
  const rows = c === 0 ? 0 : x.size / c;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let m = x.data[r * c]!;
    for (let j = 1; j < c; j++) {
      const v = x.data[r * c + j]!;
      if (v > m) {
        m = v;
        best = j;
      }
    }
    out[r] = best;
  }
  return out;
}
