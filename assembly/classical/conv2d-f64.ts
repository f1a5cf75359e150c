// 2-D convolution (NCHW, cross-correlation like PyTorch) in float64: the
// kernels behind float64 tensors (dataset distillation's unrolled inner steps
// and its central-difference Hessian-vector products).
//
// Unlike the float32 path (im2col + gemm), these are direct loops that add
// every term in EXACTLY the order of the TypeScript reference
// (sdk/nn/reference.ts), so float64 results are bit-identical to it:
//   y[n,f,oy,ox]   = bias[f], then + w·x over (c, ki, kj) ascending, padded taps skipped;
//   dw[f,c,ki,kj] += dy·x over (n, oy, ox) ascending, one term at a time;
//   dx[n,c,iy,ix] += dy·w over (f, oy, ox) ascending, one term at a time;
//   db[f]         += dy over (n, oy, ox) ascending.
// f64x2 SIMD only ever puts two DIFFERENT outputs in the two lanes (adjacent
// output columns, adjacent input columns, or adjacent filters), so each
// output still sees its own terms in the reference order; separate multiply
// and add (no FMA). Taps that fall in the padding are skipped, never added
// as zeros (adding w·0 could turn −0 into +0, or w = ±Inf into NaN).

// Byte offset of element i of a float64 array.
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 3);
}

// First output index o ≥ 0 whose input o·stride − pad + k is ≥ 0.
@inline
function validLo(pad: i32, k: i32, stride: i32): i32 {
  const d = pad - k;
  return d > 0 ? (d + stride - 1) / stride : 0;
}

// One past the last output index whose input o·stride − pad + k is < size, clamped to [lo, out].
@inline
function validHi(size: i32, pad: i32, k: i32, stride: i32, out: i32, lo: i32): i32 {
  const lim = size - 1 + pad - k;
  let hi = lim < 0 ? 0 : lim / stride + 1;
  if (hi > out) hi = out;
  if (hi < lo) hi = lo;
  return hi;
}

// One forward output, scalar, taps in reference order.
@inline
function forwardOne(
  c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32,
  xn: usize, wf: usize, kiLo: i32, kiHi: i32, oy: i32, ox: i32, b0: f64,
): f64 {
  let s = b0;
  const ix0 = ox * stride - pad;
  const kjLo = ix0 < 0 ? -ix0 : 0;
  let kjHi = w - ix0;
  if (kjHi > kw) kjHi = kw;
  for (let ci = 0; ci < c; ci++) {
    const xc = xn + ((<usize>(ci * h * w)) << 3);
    const wc = wf + ((<usize>(ci * kh * kw)) << 3);
    for (let ki = kiLo; ki < kiHi; ki++) {
      const xr = at(xc, (oy * stride - pad + ki) * w + ix0);
      const wr = at(wc, ki * kw);
      for (let kj = kjLo; kj < kjHi; kj++) {
        s += load<f64>(at(wr, kj)) * load<f64>(at(xr, kj));
      }
    }
  }
  return s;
}

/**
 * y[n,f,oy,ox] = bias[f] + Σ_{c,ki,kj} w[f,c,ki,kj]·x[n,c,oy·s−p+ki,ox·s−p+kj]
 * (taps outside the image skipped), for the whole batch; overwrites y.
 * Stride 1: interior columns eight (then two) outputs at a time.
 */
export function conv2dForwardF64(
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32,
  x: usize, wt: usize, bias: usize, hasBias: i32, y: usize,
): void {
  // Interior columns [oxA, oxB): every kj lands inside the image.
  let oxA = 0;
  let oxB = 0;
  if (stride == 1) {
    oxA = pad < ow ? pad : ow;
    oxB = w - kw + pad + 1;
    if (oxB > ow) oxB = ow;
    if (oxB < oxA) oxB = oxA;
  }
  const ckk = c * kh * kw;
  for (let n = 0; n < batch; n++) {
    const xn = at(x, n * c * h * w);
    for (let fi = 0; fi < f; fi++) {
      const wf = at(wt, fi * ckk);
      const b0: f64 = hasBias ? load<f64>(at(bias, fi)) : 0;
      for (let oy = 0; oy < oh; oy++) {
        const iy0 = oy * stride - pad;
        const kiLo = iy0 < 0 ? -iy0 : 0;
        let kiHi = h - iy0;
        if (kiHi > kh) kiHi = kh;
        const yr = at(y, ((n * f + fi) * oh + oy) * ow);
        let ox = 0;
        for (; ox < oxA; ox++) store<f64>(at(yr, ox), forwardOne(c, h, w, kh, kw, stride, pad, xn, wf, kiLo, kiHi, oy, ox, b0));
        for (; ox + 8 <= oxB; ox += 8) {
          const init = f64x2.splat(b0);
          let s0 = init;
          let s1 = init;
          let s2 = init;
          let s3 = init;
          for (let ci = 0; ci < c; ci++) {
            const xc = xn + ((<usize>(ci * h * w)) << 3);
            const wc = wf + ((<usize>(ci * kh * kw)) << 3);
            for (let ki = kiLo; ki < kiHi; ki++) {
              const xr = at(xc, (iy0 + ki) * w + ox - pad);
              const wr = at(wc, ki * kw);
              for (let kj = 0; kj < kw; kj++) {
                const wv = v128.load64_splat(at(wr, kj));
                const xp = at(xr, kj);
                s0 = f64x2.add(s0, f64x2.mul(wv, v128.load(xp)));
                s1 = f64x2.add(s1, f64x2.mul(wv, v128.load(xp, 16)));
                s2 = f64x2.add(s2, f64x2.mul(wv, v128.load(xp, 32)));
                s3 = f64x2.add(s3, f64x2.mul(wv, v128.load(xp, 48)));
              }
            }
          }
          const yp = at(yr, ox);
          v128.store(yp, s0);
          v128.store(yp, s1, 16);
          v128.store(yp, s2, 32);
          v128.store(yp, s3, 48);
        }
        for (; ox + 2 <= oxB; ox += 2) {
          let s0 = f64x2.splat(b0);
          for (let ci = 0; ci < c; ci++) {
            const xc = xn + ((<usize>(ci * h * w)) << 3);
            const wc = wf + ((<usize>(ci * kh * kw)) << 3);
            for (let ki = kiLo; ki < kiHi; ki++) {
              const xr = at(xc, (iy0 + ki) * w + ox - pad);
              const wr = at(wc, ki * kw);
              for (let kj = 0; kj < kw; kj++) {
                s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(at(wr, kj)), v128.load(at(xr, kj))));
              }
            }
          }
          v128.store(at(yr, ox), s0);
        }
        for (; ox < ow; ox++) store<f64>(at(yr, ox), forwardOne(c, h, w, kh, kw, stride, pad, xn, wf, kiLo, kiHi, oy, ox, b0));
      }
    }
  }
}

// dx[ix] of one input row (stride 1), scalar: terms over (f, ki descending, kj descending).
@inline
function dxOneStride1(
  c: i32, kh: i32, kw: i32, pad: i32, oh: i32, ow: i32, f: i32,
  dyn: usize, wt: usize, ci: i32, kiTop: i32, kiBot: i32, iy: i32, ix: i32, start: f64,
): f64 {
  let s = start;
  const ckk = c * kh * kw;
  const ohw = oh * ow;
  for (let fi = 0; fi < f; fi++) {
    const dyf = at(dyn, fi * ohw);
    const wc = at(wt, fi * ckk + ci * kh * kw);
    for (let ki = kiTop; ki >= kiBot; ki--) {
      const dyr = at(dyf, (iy + pad - ki) * ow);
      const wr = at(wc, ki * kw);
      for (let kj = kw - 1; kj >= 0; kj--) {
        const ox = ix + pad - kj;
        if (ox < 0 || ox >= ow) continue;
        s += load<f64>(at(dyr, ox)) * load<f64>(at(wr, kj));
      }
    }
  }
  return s;
}

// dx += conv2d input VJP, stride 1: for each input element the terms over
// (f, oy ascending = ki descending, ox ascending = kj descending), added one
// at a time to the existing value; interior columns eight (then two) at a time.
function conv2dDxStride1F64(
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, pad: i32, oh: i32, ow: i32,
  wt: usize, dy: usize, dx: usize,
): void {
  // Interior columns [ixA, ixB): ox = ix + pad − kj is inside [0, ow) for every kj.
  let ixA = kw - 1 - pad;
  if (ixA < 0) ixA = 0;
  if (ixA > w) ixA = w;
  let ixB = ow - pad;
  if (ixB > w) ixB = w;
  if (ixB < ixA) ixB = ixA;
  const ckk = c * kh * kw;
  const ohw = oh * ow;
  for (let n = 0; n < batch; n++) {
    const dyn = at(dy, n * f * ohw);
    for (let ci = 0; ci < c; ci++) {
      for (let iy = 0; iy < h; iy++) {
        // oy = iy + pad − ki inside [0, oh)
        let kiTop = iy + pad;
        if (kiTop > kh - 1) kiTop = kh - 1;
        let kiBot = iy + pad - oh + 1;
        if (kiBot < 0) kiBot = 0;
        const dxr = at(dx, ((n * c + ci) * h + iy) * w);
        let ix = 0;
        for (; ix < ixA; ix++) {
          const p = at(dxr, ix);
          store<f64>(p, dxOneStride1(c, kh, kw, pad, oh, ow, f, dyn, wt, ci, kiTop, kiBot, iy, ix, load<f64>(p)));
        }
        for (; ix + 8 <= ixB; ix += 8) {
          const p = at(dxr, ix);
          let s0 = v128.load(p);
          let s1 = v128.load(p, 16);
          let s2 = v128.load(p, 32);
          let s3 = v128.load(p, 48);
          for (let fi = 0; fi < f; fi++) {
            const dyf = at(dyn, fi * ohw);
            const wc = at(wt, fi * ckk + ci * kh * kw);
            for (let ki = kiTop; ki >= kiBot; ki--) {
              const dyr = at(dyf, (iy + pad - ki) * ow + ix + pad);
              const wr = at(wc, ki * kw);
              for (let kj = kw - 1; kj >= 0; kj--) {
                const wv = v128.load64_splat(at(wr, kj));
                const dp = dyr - ((<usize>kj) << 3);
                s0 = f64x2.add(s0, f64x2.mul(v128.load(dp), wv));
                s1 = f64x2.add(s1, f64x2.mul(v128.load(dp, 16), wv));
                s2 = f64x2.add(s2, f64x2.mul(v128.load(dp, 32), wv));
                s3 = f64x2.add(s3, f64x2.mul(v128.load(dp, 48), wv));
              }
            }
          }
          v128.store(p, s0);
          v128.store(p, s1, 16);
          v128.store(p, s2, 32);
          v128.store(p, s3, 48);
        }
        for (; ix + 2 <= ixB; ix += 2) {
          const p = at(dxr, ix);
          let s0 = v128.load(p);
          for (let fi = 0; fi < f; fi++) {
            const dyf = at(dyn, fi * ohw);
            const wc = at(wt, fi * ckk + ci * kh * kw);
            for (let ki = kiTop; ki >= kiBot; ki--) {
              const dyr = at(dyf, (iy + pad - ki) * ow + ix + pad);
              const wr = at(wc, ki * kw);
              for (let kj = kw - 1; kj >= 0; kj--) {
                s0 = f64x2.add(s0, f64x2.mul(v128.load(dyr - ((<usize>kj) << 3)), v128.load64_splat(at(wr, kj))));
              }
            }
          }
          v128.store(p, s0);
        }
        for (; ix < w; ix++) {
          const p = at(dxr, ix);
          store<f64>(p, dxOneStride1(c, kh, kw, pad, oh, ow, f, dyn, wt, ci, kiTop, kiBot, iy, ix, load<f64>(p)));
        }
      }
    }
  }
}

// dx += conv2d input VJP for channels [c0, c0 + 2·lanes) with `lanes` f64x2
// accumulators (1, 2 or 4), any stride, on transposed copies (dxT
// [n][iy][ix][c], wT [f][ki][kj][c]): both lanes of a register are two
// channels of the same input pixel, so they share every tap's validity. Terms
// over (f, oy ascending, ox ascending), as the reference adds them.
@inline
function dxChannelBlock(
  lanes: i32, c0: i32,
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32,
  wT: usize, dy: usize, dxT: usize,
): void {
  const ohw = oh * ow;
  const kjStep = (<usize>c) << 3;
  for (let n = 0; n < batch; n++) {
    for (let iy = 0; iy < h; iy++) {
      // oy with ki = iy + pad − oy·stride in [0, kh) and oy in [0, oh)
      const ty = iy + pad;
      let oyLo = ty - kh + 1 > 0 ? (ty - kh + 1 + stride - 1) / stride : 0;
      let oyHi = ty / stride + 1;
      if (oyHi > oh) oyHi = oh;
      for (let ix = 0; ix < w; ix++) {
        const tx = ix + pad;
        const oxLo = tx - kw + 1 > 0 ? (tx - kw + 1 + stride - 1) / stride : 0;
        let oxHi = tx / stride + 1;
        if (oxHi > ow) oxHi = ow;
        const p = at(dxT, ((n * h + iy) * w + ix) * c + c0);
        let a0 = v128.load(p);
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        if (lanes > 1) a1 = v128.load(p, 16);
        if (lanes > 2) {
          a2 = v128.load(p, 32);
          a3 = v128.load(p, 48);
        }
        for (let fi = 0; fi < f; fi++) {
          const dyf = at(dy, (n * f + fi) * ohw);
          const wf = at(wT, fi * kh * kw * c + c0);
          for (let oy = oyLo; oy < oyHi; oy++) {
            const dyr = at(dyf, oy * ow);
            const wr = at(wf, ((ty - oy * stride) * kw + tx - oxLo * stride) * c);
            let wp = wr;
            const wstep = <usize>stride * kjStep;
            for (let ox = oxLo; ox < oxHi; ox++) {
              const gv = v128.load64_splat(at(dyr, ox));
              a0 = f64x2.add(a0, f64x2.mul(gv, v128.load(wp)));
              if (lanes > 1) a1 = f64x2.add(a1, f64x2.mul(gv, v128.load(wp, 16)));
              if (lanes > 2) {
                a2 = f64x2.add(a2, f64x2.mul(gv, v128.load(wp, 32)));
                a3 = f64x2.add(a3, f64x2.mul(gv, v128.load(wp, 48)));
              }
              wp -= wstep;
            }
          }
        }
        v128.store(p, a0);
        if (lanes > 1) v128.store(p, a1, 16);
        if (lanes > 2) {
          v128.store(p, a2, 32);
          v128.store(p, a3, 48);
        }
      }
    }
  }
}

// dx += conv2d input VJP for one channel (the odd one left over), scalar, on the transposed copies.
function dxChannelOne(
  c0: i32,
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32,
  wT: usize, dy: usize, dxT: usize,
): void {
  const ohw = oh * ow;
  for (let n = 0; n < batch; n++) {
    for (let iy = 0; iy < h; iy++) {
      const ty = iy + pad;
      let oyLo = ty - kh + 1 > 0 ? (ty - kh + 1 + stride - 1) / stride : 0;
      let oyHi = ty / stride + 1;
      if (oyHi > oh) oyHi = oh;
      for (let ix = 0; ix < w; ix++) {
        const tx = ix + pad;
        const oxLo = tx - kw + 1 > 0 ? (tx - kw + 1 + stride - 1) / stride : 0;
        let oxHi = tx / stride + 1;
        if (oxHi > ow) oxHi = ow;
        const p = at(dxT, ((n * h + iy) * w + ix) * c + c0);
        let s = load<f64>(p);
        for (let fi = 0; fi < f; fi++) {
          const dyf = at(dy, (n * f + fi) * ohw);
          const wf = at(wT, fi * kh * kw * c + c0);
          for (let oy = oyLo; oy < oyHi; oy++) {
            const dyr = at(dyf, oy * ow);
            for (let ox = oxLo; ox < oxHi; ox++) {
              s += load<f64>(at(dyr, ox)) * load<f64>(at(wf, ((ty - oy * stride) * kw + tx - ox * stride) * c));
            }
          }
        }
        store<f64>(p, s);
      }
    }
  }
}

// dx += conv2d input VJP with channels in the SIMD lanes (c ≥ 2, any stride):
// transposes w and dx into scratch, accumulates, transposes dx back.
function conv2dDxChannelsF64(
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32,
  wt: usize, dy: usize, dx: usize, wT: usize, dxT: usize,
): void {
  const kk = kh * kw;
  const hw = h * w;
  for (let fi = 0; fi < f; fi++) {
    for (let ci = 0; ci < c; ci++) {
      const src = at(wt, (fi * c + ci) * kk);
      const dst = at(wT, fi * kk * c + ci);
      for (let t = 0; t < kk; t++) store<f64>(at(dst, t * c), load<f64>(at(src, t)));
    }
  }
  for (let n = 0; n < batch; n++) {
    for (let ci = 0; ci < c; ci++) {
      const src = at(dx, (n * c + ci) * hw);
      const dst = at(dxT, n * hw * c + ci);
      for (let t = 0; t < hw; t++) store<f64>(at(dst, t * c), load<f64>(at(src, t)));
    }
  }
  let ci = 0;
  for (; ci + 8 <= c; ci += 8) dxChannelBlock(4, ci, batch, c, h, w, f, kh, kw, stride, pad, oh, ow, wT, dy, dxT);
  for (; ci + 4 <= c; ci += 4) dxChannelBlock(2, ci, batch, c, h, w, f, kh, kw, stride, pad, oh, ow, wT, dy, dxT);
  for (; ci + 2 <= c; ci += 2) dxChannelBlock(1, ci, batch, c, h, w, f, kh, kw, stride, pad, oh, ow, wT, dy, dxT);
  for (; ci < c; ci++) dxChannelOne(ci, batch, c, h, w, f, kh, kw, stride, pad, oh, ow, wT, dy, dxT);
  for (let n = 0; n < batch; n++) {
    for (let cj = 0; cj < c; cj++) {
      const src = at(dxT, n * hw * c + cj);
      const dst = at(dx, (n * c + cj) * hw);
      for (let t = 0; t < hw; t++) store<f64>(at(dst, t), load<f64>(at(src, t * c)));
    }
  }
}

// dx += conv2d input VJP, any stride: the reference loop nest itself
// (n, f, oy, ox, c, ki, kj), scalar.
function conv2dDxGeneralF64(
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32,
  wt: usize, dy: usize, dx: usize,
): void {
  for (let n = 0; n < batch; n++) {
    for (let fi = 0; fi < f; fi++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const gv = load<f64>(at(dy, ((n * f + fi) * oh + oy) * ow + ox));
          for (let ci = 0; ci < c; ci++) {
            for (let ki = 0; ki < kh; ki++) {
              const iy = oy * stride - pad + ki;
              if (iy < 0 || iy >= h) continue;
              for (let kj = 0; kj < kw; kj++) {
                const ix = ox * stride - pad + kj;
                if (ix < 0 || ix >= w) continue;
                const p = at(dx, ((n * c + ci) * h + iy) * w + ix);
                store<f64>(p, load<f64>(p) + gv * load<f64>(at(wt, ((fi * c + ci) * kh + ki) * kw + kj)));
              }
            }
          }
        }
      }
    }
  }
}

// dw += conv2d weight VJP for filters [f0, f0 + 2·lanes) with `lanes` f64x2
// accumulators (1, 2 or 4), from dyT (dy transposed to [n][oy][ox][f]):
// for each tap (c, ki, kj) the terms over (n, oy, ox) ascending.
@inline
function dwBlock(
  lanes: i32, f0: i32,
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32,
  x: usize, dyT: usize, dw: usize,
): void {
  const ckk = c * kh * kw;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      const oyLo = validLo(pad, ki, stride);
      const oyHi = validHi(h, pad, ki, stride, oh, oyLo);
      for (let kj = 0; kj < kw; kj++) {
        const oxLo = validLo(pad, kj, stride);
        const oxHi = validHi(w, pad, kj, stride, ow, oxLo);
        const tap = (ci * kh + ki) * kw + kj;
        // Start from the current dw values of the block's filters.
        const q0 = at(dw, f0 * ckk + tap);
        const fs = (<usize>ckk) << 3;
        let a0 = f64x2.replace_lane(f64x2.splat(load<f64>(q0)), 1, load<f64>(q0 + fs));
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        if (lanes > 1) a1 = f64x2.replace_lane(f64x2.splat(load<f64>(q0 + 2 * fs)), 1, load<f64>(q0 + 3 * fs));
        if (lanes > 2) {
          a2 = f64x2.replace_lane(f64x2.splat(load<f64>(q0 + 4 * fs)), 1, load<f64>(q0 + 5 * fs));
          a3 = f64x2.replace_lane(f64x2.splat(load<f64>(q0 + 6 * fs)), 1, load<f64>(q0 + 7 * fs));
        }
        for (let n = 0; n < batch; n++) {
          const xc = at(x, (n * c + ci) * h * w);
          for (let oy = oyLo; oy < oyHi; oy++) {
            const xr = at(xc, (oy * stride - pad + ki) * w - pad + kj);
            let dp = at(dyT, ((n * oh + oy) * ow + oxLo) * f + f0);
            const dstep = (<usize>f) << 3;
            for (let ox = oxLo; ox < oxHi; ox++) {
              const xv = v128.load64_splat(at(xr, ox * stride));
              a0 = f64x2.add(a0, f64x2.mul(v128.load(dp), xv));
              if (lanes > 1) a1 = f64x2.add(a1, f64x2.mul(v128.load(dp, 16), xv));
              if (lanes > 2) {
                a2 = f64x2.add(a2, f64x2.mul(v128.load(dp, 32), xv));
                a3 = f64x2.add(a3, f64x2.mul(v128.load(dp, 48), xv));
              }
              dp += dstep;
            }
          }
        }
        store<f64>(q0, f64x2.extract_lane(a0, 0));
        store<f64>(q0 + fs, f64x2.extract_lane(a0, 1));
        if (lanes > 1) {
          store<f64>(q0 + 2 * fs, f64x2.extract_lane(a1, 0));
          store<f64>(q0 + 3 * fs, f64x2.extract_lane(a1, 1));
        }
        if (lanes > 2) {
          store<f64>(q0 + 4 * fs, f64x2.extract_lane(a2, 0));
          store<f64>(q0 + 5 * fs, f64x2.extract_lane(a2, 1));
          store<f64>(q0 + 6 * fs, f64x2.extract_lane(a3, 0));
          store<f64>(q0 + 7 * fs, f64x2.extract_lane(a3, 1));
        }
      }
    }
  }
}

// dw += conv2d weight VJP for one filter, scalar (the odd filter left over).
function dwOne(
  fi: i32,
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32,
  x: usize, dy: usize, dw: usize,
): void {
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      const oyLo = validLo(pad, ki, stride);
      const oyHi = validHi(h, pad, ki, stride, oh, oyLo);
      for (let kj = 0; kj < kw; kj++) {
        const oxLo = validLo(pad, kj, stride);
        const oxHi = validHi(w, pad, kj, stride, ow, oxLo);
        const q = at(dw, ((fi * c + ci) * kh + ki) * kw + kj);
        let s = load<f64>(q);
        for (let n = 0; n < batch; n++) {
          const xc = at(x, (n * c + ci) * h * w);
          const dyp = at(dy, (n * f + fi) * oh * ow);
          for (let oy = oyLo; oy < oyHi; oy++) {
            const xr = at(xc, (oy * stride - pad + ki) * w - pad + kj);
            const dyr = at(dyp, oy * ow);
            for (let ox = oxLo; ox < oxHi; ox++) {
              s += load<f64>(at(dyr, ox)) * load<f64>(at(xr, ox * stride));
            }
          }
        }
        store<f64>(q, s);
      }
    }
  }
}

/**
 * Adds the conv2d VJP into dx, dw, db (each when its flag is 1), bit-identical
 * to the reference loops. Scratch: `dyT` batch·f·oh·ow floats (used when dw
 * is wanted and f ≥ 2); `wT` f·c·kh·kw and `dxT` batch·c·h·w floats (used
 * when dx is wanted and c ≥ 2).
 */
export function conv2dBackwardF64(
  batch: i32, c: i32, h: i32, w: i32, f: i32, kh: i32, kw: i32, stride: i32, pad: i32, oh: i32, ow: i32,
  x: usize, wt: usize, dy: usize,
  dx: usize, wantDx: i32, dw: usize, wantDw: i32, db: usize, wantDb: i32, dyT: usize, wT: usize, dxT: usize,
): void {
  const ohw = oh * ow;
  if (wantDb) {
    for (let n = 0; n < batch; n++) {
      for (let fi = 0; fi < f; fi++) {
        const dyp = at(dy, (n * f + fi) * ohw);
        const q = at(db, fi);
        let s = load<f64>(q);
        for (let i = 0; i < ohw; i++) s += load<f64>(at(dyp, i));
        store<f64>(q, s);
      }
    }
  }
  if (wantDw) {
    let fi = 0;
    if (f >= 2) {
      // dyT[n][q][f] = dy[n][f][q]
      for (let n = 0; n < batch; n++) {
        for (let fj = 0; fj < f; fj++) {
          const src = at(dy, (n * f + fj) * ohw);
          const dst = at(dyT, n * ohw * f + fj);
          const step = (<usize>f) << 3;
          for (let i = 0; i < ohw; i++) store<f64>(dst + <usize>i * step, load<f64>(at(src, i)));
        }
      }
      for (; fi + 8 <= f; fi += 8) dwBlock(4, fi, batch, c, h, w, f, kh, kw, stride, pad, oh, ow, x, dyT, dw);
      for (; fi + 4 <= f; fi += 4) dwBlock(2, fi, batch, c, h, w, f, kh, kw, stride, pad, oh, ow, x, dyT, dw);
      for (; fi + 2 <= f; fi += 2) dwBlock(1, fi, batch, c, h, w, f, kh, kw, stride, pad, oh, ow, x, dyT, dw);
    }
    for (; fi < f; fi++) dwOne(fi, batch, c, h, w, f, kh, kw, stride, pad, oh, ow, x, dy, dw);
  }
  if (wantDx) {
    if (c >= 2) conv2dDxChannelsF64(batch, c, h, w, f, kh, kw, stride, pad, oh, ow, wt, dy, dx, wT, dxT);
    else if (stride == 1) conv2dDxStride1F64(batch, c, h, w, f, kh, kw, pad, oh, ow, wt, dy, dx);
    else conv2dDxGeneralF64(batch, c, h, w, f, kh, kw, stride, pad, oh, ow, wt, dy, dx);
  }
}
