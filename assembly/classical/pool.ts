// 2-D pooling over `planes` = batch·channels planes of h×w floats (NCHW), no
// padding, floor mode (PyTorch's defaults). The 2×2 stride-2 case, the one
// LeNet and AlexNet use, has an f32x4 path: two rows of eight inputs give four
// outputs per step (vertical op, then a shuffle pairs the columns).

@inline
function isPair(kh: i32, kw: i32, stride: i32): bool {
  return kh == 2 && kw == 2 && stride == 2;
}

/** y = mean over each kh×kw window (window sum in row-major order, times 1/(kh·kw)). */
export function avgPool2dF32(
  planes: i32,
  h: i32,
  w: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  oh: i32,
  ow: i32,
  x: usize,
  y: usize,
): void {
  const scale: f32 = <f32>1 / <f32>(kh * kw);
  const pair = isPair(kh, kw, stride);
  const ow4 = ow & ~3;
  const scaleV = f32x4.splat(scale);
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + (<usize>(pl * h * w) << 2);
    const yp = y + (<usize>(pl * oh * ow) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const yr = yp + (<usize>(oy * ow) << 2);
      let ox = 0;
      if (pair) {
        const r0 = xp + (<usize>(2 * oy * w) << 2);
        const r1 = r0 + ((<usize>w) << 2);
        for (; ox < ow4; ox += 4) {
          const o = (<usize>ox) << 3;
          const s0 = f32x4.add(v128.load(r0 + o), v128.load(r1 + o));
          const s1 = f32x4.add(v128.load(r0 + o, 16), v128.load(r1 + o, 16));
          const s = f32x4.add(f32x4.shuffle(s0, s1, 0, 2, 4, 6), f32x4.shuffle(s0, s1, 1, 3, 5, 7));
          v128.store(yr + ((<usize>ox) << 2), f32x4.mul(s, scaleV));
        }
      }
      for (; ox < ow; ox++) {
        let s: f32 = 0;
        for (let ki = 0; ki < kh; ki++) {
          const r = xp + (<usize>((oy * stride + ki) * w + ox * stride) << 2);
          for (let kj = 0; kj < kw; kj++) s += load<f32>(r + ((<usize>kj) << 2));
        }
        store<f32>(yr + ((<usize>ox) << 2), s * scale);
      }
    }
  }
}

/** dx += Σ over windows of dy/(kh·kw). */
export function avgPool2dBackwardF32(
  planes: i32,
  h: i32,
  w: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  oh: i32,
  ow: i32,
  dy: usize,
  dx: usize,
): void {
  const scale: f32 = <f32>1 / <f32>(kh * kw);
  const pair = isPair(kh, kw, stride);
  const ow4 = ow & ~3;
  const scaleV = f32x4.splat(scale);
  for (let pl = 0; pl < planes; pl++) {
    const dxp = dx + (<usize>(pl * h * w) << 2);
    const dyp = dy + (<usize>(pl * oh * ow) << 2);
    for (let oy = 0; oy < oh; oy++) {
      let ox = 0;
      if (pair) {
        const r0 = dxp + (<usize>(2 * oy * w) << 2);
        const r1 = r0 + ((<usize>w) << 2);
        for (; ox < ow4; ox += 4) {
          const q = f32x4.mul(v128.load(dyp + (<usize>(oy * ow + ox) << 2)), scaleV);
          const lo = f32x4.shuffle(q, q, 0, 0, 1, 1);
          const hi = f32x4.shuffle(q, q, 2, 2, 3, 3);
          const o = (<usize>ox) << 3;
          v128.store(r0 + o, f32x4.add(v128.load(r0 + o), lo));
          v128.store(r0 + o, f32x4.add(v128.load(r0 + o, 16), hi), 16);
          v128.store(r1 + o, f32x4.add(v128.load(r1 + o), lo));
          v128.store(r1 + o, f32x4.add(v128.load(r1 + o, 16), hi), 16);
        }
      }
      for (; ox < ow; ox++) {
        const g = load<f32>(dyp + (<usize>(oy * ow + ox) << 2)) * scale;
        for (let ki = 0; ki < kh; ki++) {
          const r = dxp + (<usize>((oy * stride + ki) * w + ox * stride) << 2);
          for (let kj = 0; kj < kw; kj++) {
            const q = r + ((<usize>kj) << 2);
            store<f32>(q, load<f32>(q) + g);
          }
        }
      }
    }
  }
}

/** y = max over each kh×kw window. */
export function maxPool2dF32(
  planes: i32,
  h: i32,
  w: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  oh: i32,
  ow: i32,
  x: usize,
  y: usize,
): void {
  const pair = isPair(kh, kw, stride);
  const ow4 = ow & ~3;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + (<usize>(pl * h * w) << 2);
    const yp = y + (<usize>(pl * oh * ow) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const yr = yp + (<usize>(oy * ow) << 2);
      let ox = 0;
      if (pair) {
        const r0 = xp + (<usize>(2 * oy * w) << 2);
        const r1 = r0 + ((<usize>w) << 2);
        for (; ox < ow4; ox += 4) {
          const o = (<usize>ox) << 3;
          const s0 = f32x4.max(v128.load(r0 + o), v128.load(r1 + o));
          const s1 = f32x4.max(v128.load(r0 + o, 16), v128.load(r1 + o, 16));
          v128.store(yr + ((<usize>ox) << 2), f32x4.max(f32x4.shuffle(s0, s1, 0, 2, 4, 6), f32x4.shuffle(s0, s1, 1, 3, 5, 7)));
        }
      }
      for (; ox < ow; ox++) {
        let m = load<f32>(xp + (<usize>(oy * stride * w + ox * stride) << 2));
        for (let ki = 0; ki < kh; ki++) {
          const r = xp + (<usize>((oy * stride + ki) * w + ox * stride) << 2);
          for (let kj = 0; kj < kw; kj++) {
            m = max<f32>(m, load<f32>(r + ((<usize>kj) << 2)));
          }
        }
        store<f32>(yr + ((<usize>ox) << 2), m);
      }
    }
  }
}

/**
 * dx[argmax of each window] += dy. The argmax is found
 * again from x: the first element of the window, in row-major order, that
 * holds the window's maximum (ties go to the first).
 */
export function maxPool2dBackwardF32(
  planes: i32,
  h: i32,
  w: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  oh: i32,
  ow: i32,
  x: usize,
  dy: usize,
  dx: usize,
): void {
  const pair = isPair(kh, kw, stride);
  const ow4 = ow & ~3;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + (<usize>(pl * h * w) << 2);
    const dxp = dx + (<usize>(pl * h * w) << 2);
    const dyp = dy + (<usize>(pl * oh * ow) << 2);
    for (let oy = 0; oy < oh; oy++) {
      let ox = 0;
      if (pair) {
        // Windows (a b / c d) of four outputs at once; the winner is chosen by
        // the same strict ">" scan in row-major order as the scalar path.
        const x0 = xp + (<usize>(2 * oy * w) << 2);
        const x1 = x0 + ((<usize>w) << 2);
        const d0 = dxp + (<usize>(2 * oy * w) << 2);
        const d1 = d0 + ((<usize>w) << 2);
        for (; ox < ow4; ox += 4) {
          const o = (<usize>ox) << 3;
          const u0 = v128.load(x0 + o);
          const u1 = v128.load(x0 + o, 16);
          const l0 = v128.load(x1 + o);
          const l1 = v128.load(x1 + o, 16);
          const a = f32x4.shuffle(u0, u1, 0, 2, 4, 6);
          const b = f32x4.shuffle(u0, u1, 1, 3, 5, 7);
          const c = f32x4.shuffle(l0, l1, 0, 2, 4, 6);
          const d = f32x4.shuffle(l0, l1, 1, 3, 5, 7);
          const gb = f32x4.gt(b, a);
          const m1 = v128.bitselect(b, a, gb);
          const gc = f32x4.gt(c, m1);
          const m2 = v128.bitselect(c, m1, gc);
          const gd = f32x4.gt(d, m2);
          const wc = v128.andnot(gc, gd);
          const wb = v128.andnot(v128.andnot(gb, gc), gd);
          const wa = v128.not(v128.or(v128.or(gb, gc), gd));
          const g = v128.load(dyp + (<usize>(oy * ow + ox) << 2));
          const ga = v128.and(g, wa);
          const gbv = v128.and(g, wb);
          const gcv = v128.and(g, wc);
          const gdv = v128.and(g, gd);
          v128.store(d0 + o, f32x4.add(v128.load(d0 + o), f32x4.shuffle(ga, gbv, 0, 4, 1, 5)));
          v128.store(d0 + o, f32x4.add(v128.load(d0 + o, 16), f32x4.shuffle(ga, gbv, 2, 6, 3, 7)), 16);
          v128.store(d1 + o, f32x4.add(v128.load(d1 + o), f32x4.shuffle(gcv, gdv, 0, 4, 1, 5)));
          v128.store(d1 + o, f32x4.add(v128.load(d1 + o, 16), f32x4.shuffle(gcv, gdv, 2, 6, 3, 7)), 16);
        }
      }
      for (; ox < ow; ox++) {
        let best = (oy * stride) * w + ox * stride;
        let m = load<f32>(xp + ((<usize>best) << 2));
        for (let ki = 0; ki < kh; ki++) {
          for (let kj = 0; kj < kw; kj++) {
            const idx = (oy * stride + ki) * w + ox * stride + kj;
            const v = load<f32>(xp + ((<usize>idx) << 2));
            if (v > m) {
              m = v;
              best = idx;
            }
          }
        }
        const q = dxp + ((<usize>best) << 2);
        store<f32>(q, load<f32>(q) + load<f32>(dyp + (<usize>(oy * ow + ox) << 2)));
      }
    }
  }
}
