// 2-D convolution (NCHW, cross-correlation like PyTorch) by im2col + gemm.
// One call runs the whole batch; the SDK hands in the scratch buffers
// (`col`, `dcol`: (c·kh·kw)·(oh·ow) floats each), so nothing allocates here.
import { gemmF32, gemmNtF32 } from './gemm';

// Copies n floats (short rows: an inline f32x4 loop beats a memory.copy call).
@inline
function copyF32(dst: usize, src: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

// Zeroes n floats.
@inline
function zeroF32(dst: usize, n: i32): void {
  const n4 = n & ~3;
  const z = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) v128.store(dst + ((<usize>i) << 2), z);
  for (; i < n; i++) store<f32>(dst + ((<usize>i) << 2), 0);
}

// First output column whose input column ox·stride − pad + kj is ≥ 0.
@inline
function validLo(pad: i32, kj: i32, stride: i32): i32 {
  const d = pad - kj;
  return d > 0 ? (d + stride - 1) / stride : 0;
}

// One past the last output column whose input column is < w, clamped to [lo, ow].
@inline
function validHi(w: i32, pad: i32, kj: i32, stride: i32, ow: i32, lo: i32): i32 {
  const lim = w - 1 + pad - kj;
  let hi = lim < 0 ? 0 : lim / stride + 1;
  if (hi > ow) hi = ow;
  if (hi < lo) hi = lo;
  return hi;
}

/**
 * col[(ci·kh + ki)·kw + kj][oy·ow + ox] = x[ci][oy·stride − pad + ki][ox·stride − pad + kj]
 * (zero outside the image), for one image x[c×h×w].
 */
export function im2colF32(
  c: i32,
  h: i32,
  w: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  oh: i32,
  ow: i32,
  x: usize,
  col: usize,
): void {
  const ohw = <usize>(oh * ow);
  let row: usize = 0;
  for (let ci = 0; ci < c; ci++) {
    const plane = x + (<usize>(ci * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const dstRow = col + ((row * ohw) << 2);
        const lo = validLo(pad, kj, stride);
        const hi = validHi(w, pad, kj, stride, ow, lo);
        for (let oy = 0; oy < oh; oy++) {
          const dst = dstRow + (<usize>(oy * ow) << 2);
          const iy = oy * stride - pad + ki;
          if (iy < 0 || iy >= h) {
            zeroF32(dst, ow);
            continue;
          }
          if (lo > 0) zeroF32(dst, lo);
          if (hi < ow) zeroF32(dst + ((<usize>hi) << 2), ow - hi);
          const src = plane + (<usize>(iy * w) << 2);
          if (stride == 1) {
            copyF32(dst + ((<usize>lo) << 2), src + (<usize>(lo - pad + kj) << 2), hi - lo);
          } else {
            for (let ox = lo; ox < hi; ox++) {
              store<f32>(dst + ((<usize>ox) << 2), load<f32>(src + (<usize>(ox * stride - pad + kj) << 2)));
            }
          }
        }
        row++;
      }
    }
  }
}

/** The adjoint of im2colF32: dx[ci][iy][ix] += every dcol entry that was copied from it. */
export function col2imF32(
  c: i32,
  h: i32,
  w: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  oh: i32,
  ow: i32,
  dcol: usize,
  dx: usize,
): void {
  const ohw = <usize>(oh * ow);
  let row: usize = 0;
  for (let ci = 0; ci < c; ci++) {
    const plane = dx + (<usize>(ci * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const srcRow = dcol + ((row * ohw) << 2);
        const lo = validLo(pad, kj, stride);
        const hi = validHi(w, pad, kj, stride, ow, lo);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * stride - pad + ki;
          if (iy < 0 || iy >= h) continue;
          const src = srcRow + (<usize>(oy * ow) << 2);
          const dst = plane + (<usize>(iy * w) << 2);
          if (stride == 1) {
            const d = dst + (<usize>(lo - pad + kj) << 2);
            const s = src + ((<usize>lo) << 2);
            const len = hi - lo;
            const len4 = len & ~3;
            let t = 0;
            for (; t < len4; t += 4) {
              const o = (<usize>t) << 2;
              v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
            }
            for (; t < len; t++) {
              const o = (<usize>t) << 2;
              store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
            }
          } else {
            for (let ox = lo; ox < hi; ox++) {
              const d = dst + (<usize>(ox * stride - pad + kj) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + ((<usize>ox) << 2)));
            }
          }
        }
        row++;
      }
    }
  }
}

// y[f][:] += bias[f] over one image's output planes.
function addPlaneBias(f: i32, ohw: i32, y: usize, bias: usize): void {
  const n4 = ohw & ~3;
  for (let o = 0; o < f; o++) {
    const b = load<f32>(bias + ((<usize>o) << 2));
    const bv = f32x4.splat(b);
    const p = y + (<usize>(o * ohw) << 2);
    let t = 0;
    for (; t < n4; t += 4) {
      const q = p + ((<usize>t) << 2);
      v128.store(q, f32x4.add(v128.load(q), bv));
    }
    for (; t < ohw; t++) {
      const q = p + ((<usize>t) << 2);
      store<f32>(q, load<f32>(q) + b);
    }
  }
}

/**
 * y[n, f, oy, ox] = bias[f] + Σ_{ci,ki,kj} weight[f, ci, ki, kj] · x[n, ci, oy·s − p + ki, ox·s − p + kj]
 * for the whole batch. weight is [f, c·kh·kw] row-major; `col` is scratch of
 * (c·kh·kw)·(oh·ow) floats (unused for 1×1, stride 1, no padding).
 */
export function conv2dForwardF32(
  batch: i32,
  c: i32,
  h: i32,
  w: i32,
  f: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  oh: i32,
  ow: i32,
  x: usize,
  weight: usize,
  bias: usize,
  hasBias: i32,
  y: usize,
  col: usize,
): void {
  const ckk = c * kh * kw;
  const ohw = oh * ow;
  const direct = kh == 1 && kw == 1 && stride == 1 && pad == 0;
  const xBytes = <usize>(c * h * w) << 2;
  const yBytes = <usize>(f * ohw) << 2;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * xBytes;
    const yn = y + <usize>n * yBytes;
    let cols = xn;
    if (!direct) {
      im2colF32(c, h, w, kh, kw, stride, pad, oh, ow, xn, col);
      cols = col;
    }
    gemmF32(f, ohw, ckk, weight, ckk, 1, cols, ohw, yn, ohw, 0);
    if (hasBias) addPlaneBias(f, ohw, yn, bias);
  }
}

/**
 * Gradients of conv2dForwardF32 for the whole batch, each ADDED into its
 * output when its flag is set:
 * dweight = Σ_n dy_n · col_nᵀ, dbias[f] = Σ_{n,oy,ox} dy, dx_n = col2im(weightᵀ · dy_n).
 * `col` and `dcol` are scratch of (c·kh·kw)·(oh·ow) floats each.
 * With `termsPerSample` set, every sample's ∂w and ∂b terms are kept apart:
 * sample n's go into dweight + n·(f·c·kh·kw) and dbias + n·f (filled with −0
 * by the caller, they are the terms themselves, bit for bit), so a worker
 * pool can sum them over the batch in sample order — the bits of the sums.
 */
export function conv2dBackwardF32(
  batch: i32,
  c: i32,
  h: i32,
  w: i32,
  f: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  oh: i32,
  ow: i32,
  x: usize,
  weight: usize,
  dy: usize,
  dx: usize,
  needDx: i32,
  dweight: usize,
  needDweight: i32,
  dbias: usize,
  needDbias: i32,
  col: usize,
  dcol: usize,
  termsPerSample: i32,
): void {
  const ckk = c * kh * kw;
  const ohw = oh * ow;
  const direct = kh == 1 && kw == 1 && stride == 1 && pad == 0;
  const xBytes = <usize>(c * h * w) << 2;
  const yBytes = <usize>(f * ohw) << 2;
  const ohw4 = ohw & ~3;
  const dwStride: usize = termsPerSample ? <usize>(f * ckk) << 2 : 0;
  const dbStride: usize = termsPerSample ? <usize>f << 2 : 0;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * xBytes;
    const dyn = dy + <usize>n * yBytes;
    if (needDweight) {
      let cols = xn;
      if (!direct) {
        im2colF32(c, h, w, kh, kw, stride, pad, oh, ow, xn, col);
        cols = col;
      }
      gemmNtF32(f, ckk, ohw, dyn, ohw, cols, ohw, dweight + <usize>n * dwStride, ckk, 1);
    }
    if (needDbias) {
      const dbn = dbias + <usize>n * dbStride;
      for (let o = 0; o < f; o++) {
        const p = dyn + (<usize>(o * ohw) << 2);
        let acc = f32x4.splat(0);
        let t = 0;
        for (; t < ohw4; t += 4) acc = f32x4.add(acc, v128.load(p + ((<usize>t) << 2)));
        let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
        for (; t < ohw; t++) s += load<f32>(p + ((<usize>t) << 2));
        const q = dbn + ((<usize>o) << 2);
        store<f32>(q, load<f32>(q) + s);
      }
    }
    if (needDx) {
      const dxn = dx + <usize>n * xBytes;
      if (direct) {
        gemmF32(ckk, ohw, f, weight, 1, ckk, dyn, ohw, dxn, ohw, 1);
      } else {
        gemmF32(ckk, ohw, f, weight, 1, ckk, dyn, ohw, dcol, ohw, 0);
        col2imF32(c, h, w, kh, kw, stride, pad, oh, ow, dcol, dxn);
      }
    }
  }
}
