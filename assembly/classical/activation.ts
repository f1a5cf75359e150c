// Elementwise activations over n floats, f32x4 SIMD, branch-free (the JS
// versions of ReLU are dominated by branch mispredictions, and Math.tanh
// costs ≈20 ns per element). Backward kernels ADD into the gradient.

/** y = max(x, 0) (NaN propagates). */
export function reluF32(n: i32, x: usize, y: usize): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const v = v128.load(x + o);
    // keep v where v > 0 or v is NaN (v != v), else 0
    v128.store(y + o, v128.and(v, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v))));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 || v != v ? v : 0);
  }
}

/** gx += g where x > 0. */
export function reluBackwardF32(n: i32, x: usize, g: usize, gx: usize): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const pass = v128.and(v128.load(g + o), f32x4.gt(v128.load(x + o), zero));
    v128.store(gx + o, f32x4.add(v128.load(gx + o), pass));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    if (load<f32>(x + o) > 0) store<f32>(gx + o, load<f32>(gx + o) + load<f32>(g + o));
  }
}

// tanh as the rational minimax approximation used by Eigen/TensorFlow for
// float32: x·P(x²)/Q(x²) on x clamped to ±7.9053111, and x itself for
// |x| < 4e-4. Max relative error vs the exact tanh ≈ 3.5e-7 (≈3 ulp),
// measured by the tests against Math.tanh. Plain mul/add (no FMA).
const A1: f32 = 4.89352455891786e-3;
const A3: f32 = 6.37261928875436e-4;
const A5: f32 = 1.48572235717979e-5;
const A7: f32 = 5.12229709037114e-8;
const A9: f32 = -8.60467152213735e-11;
const A11: f32 = 2.00018790482477e-13;
const A13: f32 = -2.76076847742355e-16;
const B0: f32 = 4.89352518554385e-3;
const B2: f32 = 2.268434632439e-3;
const B4: f32 = 1.18534705686654e-4;
const B6: f32 = 1.19825839466702e-6;
const CLAMP: f32 = 7.90531110763549805;
const TINY: f32 = 4e-4;

@inline
function tanhV(a: v128): v128 {
  const x = f32x4.max(f32x4.min(a, f32x4.splat(CLAMP)), f32x4.splat(-CLAMP));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(x2, f32x4.splat(A13)), f32x4.splat(A11));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A9));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A7));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A5));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A3));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A1));
  p = f32x4.mul(x, p);
  let q = f32x4.add(f32x4.mul(x2, f32x4.splat(B6)), f32x4.splat(B4));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(B2));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(B0));
  const r = f32x4.div(p, q);
  const tiny = f32x4.lt(f32x4.abs(a), f32x4.splat(TINY));
  return v128.bitselect(a, r, tiny);
}

/** y = tanh(x) (see the approximation note above). */
export function tanhF32(n: i32, x: usize, y: usize): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(y + o, tanhV(v128.load(x + o)));
  }
  if (i < n) {
    // the tail through the same SIMD path, via a zero-padded vector
    const o = (<usize>i) << 2;
    let v = f32x4.splat(0);
    const rest = n - i;
    v = f32x4.replace_lane(v, 0, load<f32>(x + o));
    if (rest > 1) v = f32x4.replace_lane(v, 1, load<f32>(x + o, 4));
    if (rest > 2) v = f32x4.replace_lane(v, 2, load<f32>(x + o, 8));
    const t = tanhV(v);
    store<f32>(y + o, f32x4.extract_lane(t, 0));
    if (rest > 1) store<f32>(y + o, f32x4.extract_lane(t, 1), 4);
    if (rest > 2) store<f32>(y + o, f32x4.extract_lane(t, 2), 8);
  }
}

/** gx += g·(1 − y²) with y = tanh(x) from the forward pass. */
export function tanhBackwardF32(n: i32, y: usize, g: usize, gx: usize): void {
  const n4 = n & ~3;
  const one = f32x4.splat(1);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const t = v128.load(y + o);
    const d = f32x4.mul(v128.load(g + o), f32x4.sub(one, f32x4.mul(t, t)));
    v128.store(gx + o, f32x4.add(v128.load(gx + o), d));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const t = load<f32>(y + o);
    store<f32>(gx + o, load<f32>(gx + o) + load<f32>(g + o) * (1 - t * t));
  }
}
