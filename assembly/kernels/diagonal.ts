// Diagonal gates: phases on masks of bits and Z-type rotations.
import { amp, insertZeros, parity } from './bits';

// @ts-ignore: decorator
@inline
function swapReIm(a: v128): v128 {
  return i64x2.shuffle(a, a, 1, 0);
}

/**
 * Multiplies every amplitude whose `mask` bits are all 1 by (pr + i·pi).
 * PhaseShift, S, T, PauliZ, CZ, ControlledPhaseShift and controlled phases
 * are all this kernel.
 */
export function applyPhaseOnMask(state: usize, numQubits: i32, mask: u32, pr: f64, pi: f64): void {
  const vr = f64x2.splat(pr), vi = f64x2(-pi, pi);
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(mask);
  if ((mask & 1) == 0 && count >= 2) {
    // Indices come in neighbouring pairs (even, even + 1).
    for (let k: u32 = 0; k < count; k += 2) {
      const p = amp(state, insertZeros(k, mask) | mask);
      const a = v128.load(p), b = v128.load(p, 16);
      v128.store(p, f64x2.add(f64x2.mul(a, vr), f64x2.mul(swapReIm(a), vi)));
      v128.store(p, f64x2.add(f64x2.mul(b, vr), f64x2.mul(swapReIm(b), vi)), 16);
    }
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, insertZeros(k, mask) | mask);
    const a = v128.load(p);
    v128.store(p, f64x2.add(f64x2.mul(a, vr), f64x2.mul(swapReIm(a), vi)));
  }
}

/**
 * Multiplies amplitude i (with all `ctrlMask` bits 1) by d0 when bit `bit` is
 * 0 and by d1 when it is 1: a controlled diagonal 2x2.
 */
export function applyDiagonal1(
  state: usize, numQubits: i32, bit: i32, ctrlMask: u32, d0r: f64, d0i: f64, d1r: f64, d1i: f64,
): void {
  const v0r = f64x2.splat(d0r), v0i = f64x2(-d0i, d0i);
  const v1r = f64x2.splat(d1r), v1i = f64x2(-d1i, d1i);
  const half: u32 = <u32>1 << <u32>bit;
  const fixed = ctrlMask | half;
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  const stride = <usize>half << 4;
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, insertZeros(k, fixed) | ctrlMask);
    const q = p + stride;
    const a = v128.load(p), b = v128.load(q);
    v128.store(p, f64x2.add(f64x2.mul(a, v0r), f64x2.mul(swapReIm(a), v0i)));
    v128.store(q, f64x2.add(f64x2.mul(b, v1r), f64x2.mul(swapReIm(b), v1i)));
  }
}

/**
 * exp(-i·θ/2·Z_mask) on the amplitudes with all `ctrlMask` bits 1: amplitude i
 * is multiplied by (c - i·s) when the parity of (i & zMask) is even, by
 * (c + i·s) when odd, where c = cos(θ/2), s = sin(θ/2). RZ, IsingZZ,
 * MultiRZ and CRZ are this kernel.
 */
export function applyZRotation(state: usize, numQubits: i32, zMask: u32, ctrlMask: u32, c: f64, s: f64): void {
  const vr = f64x2.splat(c);
  const evenI = f64x2(s, -s); // multiply by (c - i s): swap(a) * (s, -s)
  const oddI = f64x2(-s, s);
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(ctrlMask);
  for (let k: u32 = 0; k < count; k++) {
    const i = insertZeros(k, ctrlMask) | ctrlMask;
    const p = amp(state, i);
    const a = v128.load(p);
    const vi = parity(i & zMask) ? oddI : evenI;
    v128.store(p, f64x2.add(f64x2.mul(a, vr), f64x2.mul(swapReIm(a), vi)));
  }
}
