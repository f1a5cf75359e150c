// Dense single-qubit gates: a general complex 2x2 matrix applied to one bit,
// optionally controlled by a mask of bits that must all be 1.
//
// One complex amplitude per v128 (re, im). A complex product m*a is
//   a * (mr, mr) + swap(a) * (-mi, mi)
// and every kernel sums the terms of a row in the same order (column 0 then 1)
// with no fused multiply-add, so results are bit-identical across runtimes.
import { amp, insertZeros } from './bits';

// @ts-ignore: decorator
@inline
function swapReIm(a: v128): v128 {
  return i64x2.shuffle(a, a, 1, 0);
}

// @ts-ignore: decorator
@inline
function cmul(a: v128, mr: v128, mi: v128): v128 {
  return f64x2.add(f64x2.mul(a, mr), f64x2.mul(swapReIm(a), mi));
}

/**
 * Applies [[m00, m01], [m10, m11]] (complex, given as re/im) to bit `bit` of
 * the n-qubit state at `state`, on the amplitudes whose `ctrlMask` bits are 1.
 */
export function applyDense1(
  state: usize, numQubits: i32, bit: i32, ctrlMask: u32,
  m00r: f64, m00i: f64, m01r: f64, m01i: f64,
  m10r: f64, m10i: f64, m11r: f64, m11i: f64,
): void {
  const a00r = f64x2.splat(m00r), a00i = f64x2(-m00i, m00i);
  const a01r = f64x2.splat(m01r), a01i = f64x2(-m01i, m01i);
  const a10r = f64x2.splat(m10r), a10i = f64x2(-m10i, m10i);
  const a11r = f64x2.splat(m11r), a11i = f64x2(-m11i, m11i);
  const size: u32 = <u32>1 << <u32>numQubits;
  const half: u32 = <u32>1 << <u32>bit;

  if (ctrlMask == 0 && numQubits >= 2) {
    if (bit == 0) {
      // Pairs are neighbours: (i, i+1) and (i+2, i+3) per iteration.
      for (let i: u32 = 0; i < size; i += 4) {
        const p = amp(state, i);
        const x0 = v128.load(p), x1 = v128.load(p, 16);
        const y0 = v128.load(p, 32), y1 = v128.load(p, 48);
        v128.store(p, f64x2.add(cmul(x0, a00r, a00i), cmul(x1, a01r, a01i)));
        v128.store(p, f64x2.add(cmul(x0, a10r, a10i), cmul(x1, a11r, a11i)), 16);
        v128.store(p, f64x2.add(cmul(y0, a00r, a00i), cmul(y1, a01r, a01i)), 32);
        v128.store(p, f64x2.add(cmul(y0, a10r, a10i), cmul(y1, a11r, a11i)), 48);
      }
      return;
    }
    // Two neighbouring pairs (i, i+half) and (i+1, i+1+half) per iteration.
    const stride = <usize>half << 4;
    for (let block: u32 = 0; block < size; block += half << 1) {
      for (let lo: u32 = 0; lo < half; lo += 2) {
        const p = amp(state, block + lo);
        const q = p + stride;
        const x0 = v128.load(p), y0 = v128.load(p, 16);
        const x1 = v128.load(q), y1 = v128.load(q, 16);
        v128.store(p, f64x2.add(cmul(x0, a00r, a00i), cmul(x1, a01r, a01i)));
        v128.store(q, f64x2.add(cmul(x0, a10r, a10i), cmul(x1, a11r, a11i)));
        v128.store(p, f64x2.add(cmul(y0, a00r, a00i), cmul(y1, a01r, a01i)), 16);
        v128.store(q, f64x2.add(cmul(y0, a10r, a10i), cmul(y1, a11r, a11i)), 16);
      }
    }
    return;
  }

  // General path: one pair per iteration over the indices with the target
  // bit 0 and every control bit 1.
  const fixed = ctrlMask | half;
  const count: u32 = size >> <u32>popcnt(fixed);
  const stride = <usize>half << 4;
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, insertZeros(k, fixed) | ctrlMask);
    const q = p + stride;
    const x0 = v128.load(p), x1 = v128.load(q);
    v128.store(p, f64x2.add(cmul(x0, a00r, a00i), cmul(x1, a01r, a01i)));
    v128.store(q, f64x2.add(cmul(x0, a10r, a10i), cmul(x1, a11r, a11i)));
  }
}
