/**
 * Matrix products: `matmul` and the fused fully connected `linear`.
 * float32 runs in the WebAssembly SIMD gemm, float64 in the float64 engine
 * gemm after `nn.init()` (the reference loops' bits) or in the reference loops.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import * as backend from '../backend.js';
import { allocData, assertSameDtype, formatShape, record, Tensor } from '../tensor.js';

/**
 * Matrix product of `[m, k]` and `[k, n]` → `[m, n]`.
 * VJP: ga = g·bᵀ, gb = aᵀ·g.
 *
 * @throws E_SHAPE for non-2-D inputs or mismatched inner dimensions (both shapes named)
 * @example
 * ```ts
 * matmul(tensor([[1, 2]]), tensor([[3], [4]])).item(); // 11
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const dtype = assertSameDtype('matmul', [a, b]);
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) {
    throw new QDistillError(
      'E_SHAPE',
      `matmul: expected [m, k] × [k, n], got ${formatShape(a.shape)} × ${formatShape(b.shape)}`,
    );
  }
  const m = a.shape[0]!;
  const k = a.shape[1]!;
  const n = b.shape[1]!;
  const y = new Tensor(allocData(dtype, m * n), [m, n]);
  backend.gemm('matmul', m, n, k, a.data, false, b.data, false, y.data, false);
  return record('matmul', [a, b], y, (g, sink) => {
    const ga = sink(0);
    const gb = sink(1);
    if (ga) backend.gemm('matmul backward', m, k, n, g, false, b.data, true, ga, true);
    if (gb) backend.gemm('matmul backward', k, n, m, a.data, true, g, false, gb, true);
  });
}

/**
 * Fully connected layer y = x·wᵀ + b with PyTorch's layout: x `[N, in]`,
 * w `[out, in]`, b `[out]` (optional). One engine call forward, one backward.
 *
 * @throws E_SHAPE naming `where` (default `linear`) with the expected and actual shapes
 * @example
 * ```ts
 * const y = linear(x, weight, bias); // [N, out]
 * ```
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null, where = 'linear'): Tensor {
  const dtype = assertSameDtype(where, b ? [x, w, b] : [x, w]);
  if (w.rank !== 2) throw new QDistillError('E_SHAPE', `${where}: weight must be [out, in], got ${formatShape(w.shape)}`);
  const outF = w.shape[0]!;
  const inF = w.shape[1]!;
  if (x.rank !== 2 || x.shape[1] !== inF) {
    throw new QDistillError('E_SHAPE', `${where}: expected input [N, ${inF}], got ${formatShape(x.shape)}`);
  }
  if (b && (b.rank !== 1 || b.shape[0] !== outF)) {
    throw new QDistillError('E_SHAPE', `${where}: bias must be [${outF}], got ${formatShape(b.shape)}`);
  }
  const rows = x.shape[0]!;
  const y = new Tensor(allocData(dtype, rows * outF), [rows, outF]);
  backend.linearForward(rows, inF, outF, x.data, w.data, b ? b.data : null, y.data);
  return record('linear', b ? [x, w, b] : [x, w], y, (g, sink) => {
    backend.linearBackward(rows, inF, outF, x.data, w.data, g, sink(0), sink(1), b ? sink(2) : null);
  });
}
