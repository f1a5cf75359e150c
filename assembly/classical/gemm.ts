// Dense float32 matrix products for the classical layers (Linear, Conv2d via
// im2col). Row-major, raw pointers handed in by the SDK; the engine never
// allocates. f32x4 SIMD, separate multiply and add (no FMA), so every output
// element is summed over k in ascending order exactly like the scalar loop
// (gemmF32) or in four interleaved lanes (gemmNtF32).

/**
 * C[m×n] (+)= A·B with A(i,p) = a[i·aRowStride + p·aColStride] (so A or Aᵀ
 * both work), B row-major with row stride `ldb`, C row-major with row stride
 * `ldc`. `accumulate` = 0 overwrites C, 1 adds to it.
 *
 * Micro-kernel: 4 rows × 8 columns of C held in eight f32x4 registers; each
 * step of p broadcasts one A value per row and multiplies two B vectors.
 * Leftover rows run 2×8, then 1×8; leftover columns 4-wide, then scalar.
 */
export function gemmF32(
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
  const aRS = (<usize>aRowStride) << 2;
  const aCS = (<usize>aColStride) << 2;
  const bRS = (<usize>ldb) << 2;
  const cRS = (<usize>ldc) << 2;
  const n8 = n & ~7;
  const n4 = n & ~3;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * aRS;
    const c0 = c + <usize>i * cRS;
    let j = 0;
    for (; j < n8; j += 8) {
      const jo = (<usize>j) << 2;
      let x00 = f32x4.splat(0);
      let x01 = f32x4.splat(0);
      let x10 = f32x4.splat(0);
      let x11 = f32x4.splat(0);
      let x20 = f32x4.splat(0);
      let x21 = f32x4.splat(0);
      let x30 = f32x4.splat(0);
      let x31 = f32x4.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        let s = v128.load32_splat(ap);
        x00 = f32x4.add(x00, f32x4.mul(s, b0));
        x01 = f32x4.add(x01, f32x4.mul(s, b1));
        s = v128.load32_splat(ap + aRS);
        x10 = f32x4.add(x10, f32x4.mul(s, b0));
        x11 = f32x4.add(x11, f32x4.mul(s, b1));
        s = v128.load32_splat(ap + 2 * aRS);
        x20 = f32x4.add(x20, f32x4.mul(s, b0));
        x21 = f32x4.add(x21, f32x4.mul(s, b1));
        s = v128.load32_splat(ap + 3 * aRS);
        x30 = f32x4.add(x30, f32x4.mul(s, b0));
        x31 = f32x4.add(x31, f32x4.mul(s, b1));
        ap += aCS;
        bp += bRS;
      }
      let cp = c0 + jo;
      if (accumulate) {
        x00 = f32x4.add(v128.load(cp), x00);
        x01 = f32x4.add(v128.load(cp, 16), x01);
      }
      v128.store(cp, x00);
      v128.store(cp, x01, 16);
      cp += cRS;
      if (accumulate) {
        x10 = f32x4.add(v128.load(cp), x10);
        x11 = f32x4.add(v128.load(cp, 16), x11);
      }
      v128.store(cp, x10);
      v128.store(cp, x11, 16);
      cp += cRS;
      if (accumulate) {
        x20 = f32x4.add(v128.load(cp), x20);
        x21 = f32x4.add(v128.load(cp, 16), x21);
      }
      v128.store(cp, x20);
      v128.store(cp, x21, 16);
      cp += cRS;
      if (accumulate) {
        x30 = f32x4.add(v128.load(cp), x30);
        x31 = f32x4.add(v128.load(cp, 16), x31);
      }
      v128.store(cp, x30);
      v128.store(cp, x31, 16);
    }
    for (; j < n4; j += 4) {
      const jo = (<usize>j) << 2;
      let x0 = f32x4.splat(0);
      let x1 = f32x4.splat(0);
      let x2 = f32x4.splat(0);
      let x3 = f32x4.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(ap), b0));
        x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(ap + aRS), b0));
        x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(ap + 2 * aRS), b0));
        x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(ap + 3 * aRS), b0));
        ap += aCS;
        bp += bRS;
      }
      let cp = c0 + jo;
      if (accumulate) x0 = f32x4.add(v128.load(cp), x0);
      v128.store(cp, x0);
      cp += cRS;
      if (accumulate) x1 = f32x4.add(v128.load(cp), x1);
      v128.store(cp, x1);
      cp += cRS;
      if (accumulate) x2 = f32x4.add(v128.load(cp), x2);
      v128.store(cp, x2);
      cp += cRS;
      if (accumulate) x3 = f32x4.add(v128.load(cp), x3);
      v128.store(cp, x3);
    }
    for (; j < n; j++) {
      for (let r = 0; r < 4; r++) gemmScalar(a0 + <usize>r * aRS, aCS, b + ((<usize>j) << 2), bRS, k, c0 + <usize>r * cRS + ((<usize>j) << 2), accumulate);
    }
  }
  if (i + 2 <= m) {
    // two leftover rows together: each B vector feeds two rows
    const a0 = a + <usize>i * aRS;
    const c0 = c + <usize>i * cRS;
    let j = 0;
    for (; j < n8; j += 8) {
      const jo = (<usize>j) << 2;
      let x00 = f32x4.splat(0);
      let x01 = f32x4.splat(0);
      let x10 = f32x4.splat(0);
      let x11 = f32x4.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        let s = v128.load32_splat(ap);
        x00 = f32x4.add(x00, f32x4.mul(s, b0));
        x01 = f32x4.add(x01, f32x4.mul(s, b1));
        s = v128.load32_splat(ap + aRS);
        x10 = f32x4.add(x10, f32x4.mul(s, b0));
        x11 = f32x4.add(x11, f32x4.mul(s, b1));
        ap += aCS;
        bp += bRS;
      }
      let cp = c0 + jo;
      if (accumulate) {
        x00 = f32x4.add(v128.load(cp), x00);
        x01 = f32x4.add(v128.load(cp, 16), x01);
      }
      v128.store(cp, x00);
      v128.store(cp, x01, 16);
      cp += cRS;
      if (accumulate) {
        x10 = f32x4.add(v128.load(cp), x10);
        x11 = f32x4.add(v128.load(cp, 16), x11);
      }
      v128.store(cp, x10);
      v128.store(cp, x11, 16);
    }
    for (; j < n4; j += 4) {
      const jo = (<usize>j) << 2;
      let x0 = f32x4.splat(0);
      let x1 = f32x4.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(ap), b0));
        x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(ap + aRS), b0));
        ap += aCS;
        bp += bRS;
      }
      const cp = c0 + jo;
      if (accumulate) x0 = f32x4.add(v128.load(cp), x0);
      v128.store(cp, x0);
      if (accumulate) x1 = f32x4.add(v128.load(cp + cRS), x1);
      v128.store(cp + cRS, x1);
    }
    for (; j < n; j++) {
      gemmScalar(a0, aCS, b + ((<usize>j) << 2), bRS, k, c0 + ((<usize>j) << 2), accumulate);
      gemmScalar(a0 + aRS, aCS, b + ((<usize>j) << 2), bRS, k, c0 + cRS + ((<usize>j) << 2), accumulate);
    }
    i += 2;
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * aRS;
    const c0 = c + <usize>i * cRS;
    let j = 0;
    for (; j < n8; j += 8) {
      const jo = (<usize>j) << 2;
      let x0 = f32x4.splat(0);
      let x1 = f32x4.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        const s = v128.load32_splat(ap);
        x0 = f32x4.add(x0, f32x4.mul(s, v128.load(bp)));
        x1 = f32x4.add(x1, f32x4.mul(s, v128.load(bp, 16)));
        ap += aCS;
        bp += bRS;
      }
      const cp = c0 + jo;
      if (accumulate) {
        x0 = f32x4.add(v128.load(cp), x0);
        x1 = f32x4.add(v128.load(cp, 16), x1);
      }
      v128.store(cp, x0);
      v128.store(cp, x1, 16);
    }
    for (; j < n4; j += 4) {
      const jo = (<usize>j) << 2;
      let x0 = f32x4.splat(0);
      let ap = a0;
      let bp = b + jo;
      for (let p = 0; p < k; p++) {
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
        ap += aCS;
        bp += bRS;
      }
      const cp = c0 + jo;
      if (accumulate) x0 = f32x4.add(v128.load(cp), x0);
      v128.store(cp, x0);
    }
    for (; j < n; j++) gemmScalar(a0, aCS, b + ((<usize>j) << 2), bRS, k, c0 + ((<usize>j) << 2), accumulate);
  }
}

// One element of C: Σ_p A(row, p)·B(p, col), ascending p (same order as the SIMD lanes).
@inline
function gemmScalar(ap: usize, aCS: usize, bp: usize, bRS: usize, k: i32, cp: usize, accumulate: i32): void {
  let s: f32 = 0;
  for (let p = 0; p < k; p++) {
    s += load<f32>(ap) * load<f32>(bp);
    ap += aCS;
    bp += bRS;
  }
  store<f32>(cp, accumulate ? load<f32>(cp) + s : s);
}

@inline
function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// Dot product of two contiguous rows of length k: four SIMD lanes, then the tail.
@inline
function dotF32(x: usize, y: usize, k: i32): f32 {
  const k4 = k & ~3;
  let acc = f32x4.splat(0);
  let p = 0;
  for (; p < k4; p += 4) {
    const o = (<usize>p) << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s = hsum(acc);
  for (; p < k; p++) {
    const o = (<usize>p) << 2;
    s += load<f32>(x + o) * load<f32>(y + o);
  }
  return s;
}

/**
 * C[m×n] (+)= A·Bᵀ with A row-major m×k (row stride `lda`) and B row-major
 * n×k (row stride `ldb`): every element is a dot product of two contiguous
 * rows. Micro-kernel: 2 rows of A × 4 rows of B, eight f32x4 partial sums
 * over p (lane l sums p ≡ l mod 4), reduced at the end, then the k % 4 tail.
 */
export function gemmNtF32(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  accumulate: i32,
): void {
  const aRS = (<usize>lda) << 2;
  const bRS = (<usize>ldb) << 2;
  const cRS = (<usize>ldc) << 2;
  const k4 = k & ~3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = a + <usize>i * aRS;
    const a1 = a0 + aRS;
    const c0 = c + <usize>i * cRS;
    const c1 = c0 + cRS;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = b + <usize>j * bRS;
      const b1 = b0 + bRS;
      const b2 = b1 + bRS;
      const b3 = b2 + bRS;
      let s00 = f32x4.splat(0);
      let s01 = f32x4.splat(0);
      let s02 = f32x4.splat(0);
      let s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0);
      let s11 = f32x4.splat(0);
      let s12 = f32x4.splat(0);
      let s13 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const o = (<usize>p) << 2;
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        s00 = f32x4.add(s00, f32x4.mul(x0, y));
        s10 = f32x4.add(s10, f32x4.mul(x1, y));
        y = v128.load(b1 + o);
        s01 = f32x4.add(s01, f32x4.mul(x0, y));
        s11 = f32x4.add(s11, f32x4.mul(x1, y));
        y = v128.load(b2 + o);
        s02 = f32x4.add(s02, f32x4.mul(x0, y));
        s12 = f32x4.add(s12, f32x4.mul(x1, y));
        y = v128.load(b3 + o);
        s03 = f32x4.add(s03, f32x4.mul(x0, y));
        s13 = f32x4.add(s13, f32x4.mul(x1, y));
      }
      let r00 = hsum(s00);
      let r01 = hsum(s01);
      let r02 = hsum(s02);
      let r03 = hsum(s03);
      let r10 = hsum(s10);
      let r11 = hsum(s11);
      let r12 = hsum(s12);
      let r13 = hsum(s13);
      for (let p = k4; p < k; p++) {
        const o = (<usize>p) << 2;
        const x0 = load<f32>(a0 + o);
        const x1 = load<f32>(a1 + o);
        let y = load<f32>(b0 + o);
        r00 += x0 * y;
        r10 += x1 * y;
        y = load<f32>(b1 + o);
        r01 += x0 * y;
        r11 += x1 * y;
        y = load<f32>(b2 + o);
        r02 += x0 * y;
        r12 += x1 * y;
        y = load<f32>(b3 + o);
        r03 += x0 * y;
        r13 += x1 * y;
      }
      const jo = (<usize>j) << 2;
      if (accumulate) {
        r00 += load<f32>(c0 + jo);
        r01 += load<f32>(c0 + jo, 4);
        r02 += load<f32>(c0 + jo, 8);
        r03 += load<f32>(c0 + jo, 12);
        r10 += load<f32>(c1 + jo);
        r11 += load<f32>(c1 + jo, 4);
        r12 += load<f32>(c1 + jo, 8);
        r13 += load<f32>(c1 + jo, 12);
      }
      store<f32>(c0 + jo, r00);
      store<f32>(c0 + jo, r01, 4);
      store<f32>(c0 + jo, r02, 8);
      store<f32>(c0 + jo, r03, 12);
      store<f32>(c1 + jo, r10);
      store<f32>(c1 + jo, r11, 4);
      store<f32>(c1 + jo, r12, 8);
      store<f32>(c1 + jo, r13, 12);
    }
    for (; j < n; j++) {
      const bj = b + <usize>j * bRS;
      const jo = (<usize>j) << 2;
      let r0 = dotF32(a0, bj, k);
      let r1 = dotF32(a1, bj, k);
      if (accumulate) {
        r0 += load<f32>(c0 + jo);
        r1 += load<f32>(c1 + jo);
      }
      store<f32>(c0 + jo, r0);
      store<f32>(c1 + jo, r1);
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * aRS;
    const c0 = c + <usize>i * cRS;
    for (let j = 0; j < n; j++) {
      const jo = (<usize>j) << 2;
      let r = dotF32(a0, b + <usize>j * bRS, k);
      if (accumulate) r += load<f32>(c0 + jo);
      store<f32>(c0 + jo, r);
    }
  }
}

/** out[i] (+)= Σ over the rows of x[rows×cols] (column sums, e.g. a Linear bias gradient). */
export function colSumF32(rows: i32, cols: i32, x: usize, out: usize, accumulate: i32): void {
  const cols4 = cols & ~3;
  if (!accumulate) memory.fill(out, 0, (<usize>cols) << 2);
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    let j = 0;
    for (; j < cols4; j += 4) {
      const o = (<usize>j) << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(xr + o)));
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(xr + o));
    }
  }
}

/** y[r, :] += bias for every row of y[rows×cols] (the Linear bias). */
export function addRowBiasF32(rows: i32, cols: i32, y: usize, bias: usize): void {
  const cols4 = cols & ~3;
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * rowBytes;
    let j = 0;
    for (; j < cols4; j += 4) {
      const o = (<usize>j) << 2;
      v128.store(yr + o, f32x4.add(v128.load(yr + o), v128.load(bias + o)));
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 2;
      store<f32>(yr + o, load<f32>(yr + o) + load<f32>(bias + o));
    }
  }
}
