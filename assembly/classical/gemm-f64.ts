// Dense float64 matrix products (matmul, Linear) for float64 tensors.
// Every output element is the sum over p in ascending order, started from +0
// and added to C (or stored) at the end — exactly the TypeScript reference
// (sdk/nn/reference.ts gemmReference), so results are bit-identical to it.
// f64x2 SIMD holds two adjacent output COLUMNS (never two terms of one sum);
// separate multiply and add (no FMA).

/**
 * C[m×n] (+)= A·B with A(i,p) = a[i·aRowStride + p·aColStride] (A or Aᵀ),
 * B row-major [k×n] with row stride `ldb`, C row-major with row stride `ldc`.
 * `accumulate` = 0 stores the sums, 1 adds them to C. (A transposed B is
 * first copied to [k×n] with transposeF64.)
 *
 * Micro-kernel: 2 rows × 8 columns in eight f64x2 registers; leftover rows
 * run 1×8; leftover columns two, then one at a time.
 */
export function gemmF64(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  aRowStride: i32,
  aColStride: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  accumulate: i32,
): void {
  const aRS = (<usize>aRowStride) << 3;
  const aCS = (<usize>aColStride) << 3;
  const bRS = (<usize>ldb) << 3;
  const cRS = (<usize>ldc) << 3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = a + <usize>i * aRS;
    const c0 = c + <usize>i * cRS;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const jo = (<usize>j) << 3;
      let x00 = f64x2.splat(0);
      let x01 = f64x2.splat(0);
      let x02 = f64x2.splat(0);
      let x03 = f64x2.splat(0);
      let x10 = f64x2.splat(0);
      let x11 = f64x2.splat(0);
      let x12 = f64x2.splat(0);
      let x13 = f64x2.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const b2 = v128.load(bp, 32);
        const b3 = v128.load(bp, 48);
        let s = v128.load64_splat(ap);
        x00 = f64x2.add(x00, f64x2.mul(s, b0));
        x01 = f64x2.add(x01, f64x2.mul(s, b1));
        x02 = f64x2.add(x02, f64x2.mul(s, b2));
        x03 = f64x2.add(x03, f64x2.mul(s, b3));
        s = v128.load64_splat(ap + aRS);
        x10 = f64x2.add(x10, f64x2.mul(s, b0));
        x11 = f64x2.add(x11, f64x2.mul(s, b1));
        x12 = f64x2.add(x12, f64x2.mul(s, b2));
        x13 = f64x2.add(x13, f64x2.mul(s, b3));
        ap += aCS;
        bp += bRS;
      }
      storeRow8(c0 + jo, x00, x01, x02, x03, accumulate);
      storeRow8(c0 + cRS + jo, x10, x11, x12, x13, accumulate);
    }
    for (; j + 2 <= n; j += 2) {
      const jo = (<usize>j) << 3;
      let x0 = f64x2.splat(0);
      let x1 = f64x2.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        const bv = v128.load(bp);
        x0 = f64x2.add(x0, f64x2.mul(v128.load64_splat(ap), bv));
        x1 = f64x2.add(x1, f64x2.mul(v128.load64_splat(ap + aRS), bv));
        ap += aCS;
        bp += bRS;
      }
      storePair(c0 + jo, x0, accumulate);
      storePair(c0 + cRS + jo, x1, accumulate);
    }
    for (; j < n; j++) {
      scalarDot(a0, aCS, b + ((<usize>j) << 3), bRS, k, c0 + ((<usize>j) << 3), accumulate);
      scalarDot(a0 + aRS, aCS, b + ((<usize>j) << 3), bRS, k, c0 + cRS + ((<usize>j) << 3), accumulate);
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * aRS;
    const c0 = c + <usize>i * cRS;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const jo = (<usize>j) << 3;
      let x0 = f64x2.splat(0);
      let x1 = f64x2.splat(0);
      let x2 = f64x2.splat(0);
      let x3 = f64x2.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        const s = v128.load64_splat(ap);
        x0 = f64x2.add(x0, f64x2.mul(s, v128.load(bp)));
        x1 = f64x2.add(x1, f64x2.mul(s, v128.load(bp, 16)));
        x2 = f64x2.add(x2, f64x2.mul(s, v128.load(bp, 32)));
        x3 = f64x2.add(x3, f64x2.mul(s, v128.load(bp, 48)));
        ap += aCS;
        bp += bRS;
      }
      storeRow8(c0 + jo, x0, x1, x2, x3, accumulate);
    }
    for (; j + 2 <= n; j += 2) {
      const jo = (<usize>j) << 3;
      let x0 = f64x2.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        x0 = f64x2.add(x0, f64x2.mul(v128.load64_splat(ap), v128.load(bp)));
        ap += aCS;
        bp += bRS;
      }
      storePair(c0 + jo, x0, accumulate);
    }
    for (; j < n; j++) scalarDot(a0, aCS, b + ((<usize>j) << 3), bRS, k, c0 + ((<usize>j) << 3), accumulate);
  }
}

@inline
function storePair(p: usize, s: v128, accumulate: i32): void {
  v128.store(p, accumulate ? f64x2.add(v128.load(p), s) : s);
}

@inline
function storeRow8(p: usize, s0: v128, s1: v128, s2: v128, s3: v128, accumulate: i32): void {
  storePair(p, s0, accumulate);
  storePair(p + 16, s1, accumulate);
  storePair(p + 32, s2, accumulate);
  storePair(p + 48, s3, accumulate);
}

@inline
function scalarDot(ap: usize, aCS: usize, bp: usize, bRS: usize, k: i32, cp: usize, accumulate: i32): void {
  let s: f64 = 0;
  for (let p = 0; p < k; p++) {
    s += load<f64>(ap) * load<f64>(bp);
    ap += aCS;
    bp += bRS;
  }
  store<f64>(cp, accumulate ? load<f64>(cp) + s : s);
}

/** dst[cols×rows] = srcᵀ for a row-major src[rows×cols] of float64. */
export function transposeF64(rows: i32, cols: i32, src: usize, dst: usize): void {
  for (let i = 0; i < rows; i++) {
    const s = src + ((<usize>(i * cols)) << 3);
    const d = dst + ((<usize>i) << 3);
    const step = (<usize>rows) << 3;
    for (let j = 0; j < cols; j++) store<f64>(d + <usize>j * step, load<f64>(s + ((<usize>j) << 3)));
  }
}
