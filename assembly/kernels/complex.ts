// Complex arithmetic in SIMD registers, shared by every kernel: one complex
// f64 per v128, lanes (re, im). The product a·m with m = mr + i·mi is
//   a·(mr, mr) + swap(a)·(−mi, mi)
// so a kernel builds the two constant operands of each matrix entry once per
// call (`splatRe`, `splatIm`) and each product costs two multiplies, one add
// and one lane swap. Every kernel sums the terms of a row in the same order
// (column 0 first) and nothing uses fused multiply-add, so results are
// bit-identical in every runtime.

/** (re, im) → (im, re). */
// @ts-ignore: decorator
@inline
export function swapReIm(a: v128): v128 {
  return i64x2.shuffle(a, a, 1, 0);
}

/** The real-part operand of a constant factor: (mr, mr). */
// @ts-ignore: decorator
@inline
export function splatRe(mr: f64): v128 {
  return f64x2.splat(mr);
}

/** The imaginary-part operand of a constant factor: (−mi, mi). */
// @ts-ignore: decorator
@inline
export function splatIm(mi: f64): v128 {
  return f64x2(-mi, mi);
}

/** a·m for m given as (splatRe(mr), splatIm(mi)). */
// @ts-ignore: decorator
@inline
export function cmul(a: v128, mr: v128, mi: v128): v128 {
  return f64x2.add(f64x2.mul(a, mr), f64x2.mul(swapReIm(a), mi));
}

/** a·m0 + b·m1: one row of a 2x2 matrix, column 0 then column 1. */
// @ts-ignore: decorator
@inline
export function row2(a: v128, m0r: v128, m0i: v128, b: v128, m1r: v128, m1i: v128): v128 {
  return f64x2.add(cmul(a, m0r, m0i), cmul(b, m1r, m1i));
}

/** Sum of the two lanes: lane 0 + lane 1. */
// @ts-ignore: decorator
@inline
export function laneSum(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/** Difference of the two lanes: lane 0 − lane 1. */
// @ts-ignore: decorator
@inline
export function laneDiff(a: v128): f64 {
  return f64x2.extract_lane(a, 0) - f64x2.extract_lane(a, 1);
}
