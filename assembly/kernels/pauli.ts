// Pauli words P = i^ny · X^xMask · Z^zMask (Y sets its bit in both masks and
// counts once in ny), so P|i> = i^ny · (-1)^popcount(i & zMask) · |i ^ xMask>.
// One kernel applies  ψ ← c·ψ + s·i^m·P'ψ  where P' = X^x Z^z:
//   applying P:           c = 0, s = 1, m = ny
//   exp(-iθ/2·P):         c = cos θ/2, s = sin θ/2, m = ny + 3  (−i·i^ny)
// on the amplitudes whose `ctrlMask` bits are all 1.
import { amp, insertZeros, parity } from './bits';

// @ts-ignore: decorator
@inline
function swapReIm(a: v128): v128 {
  return i64x2.shuffle(a, a, 1, 0);
}

// i^m as a lane sign pattern applied after an optional re/im swap:
// m=0: (r, i); m=1: (-i, r); m=2: (-r, -i); m=3: (i, -r).
// @ts-ignore: decorator
@inline
function phaseSigns(m: i32, s: f64): v128 {
  switch (m & 3) {
    case 0: return f64x2(s, s);
    case 1: return f64x2(-s, s);
    case 2: return f64x2(-s, -s);
    default: return f64x2(s, -s);
  }
}

function combine(state: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, c: f64, s: f64, m: i32): void {
  const vc = f64x2.splat(c);
  const plus = phaseSigns(m, s);
  const minus = f64x2.neg(plus);
  const swap = (m & 1) != 0;
  const size: u32 = <u32>1 << <u32>numQubits;
  if (xMask == 0) {
    const count: u32 = size >> <u32>popcnt(ctrlMask);
    for (let k: u32 = 0; k < count; k++) {
      const i = insertZeros(k, ctrlMask) | ctrlMask;
      const p = amp(state, i);
      const a = v128.load(p);
      const t = swap ? swapReIm(a) : a;
      v128.store(p, f64x2.add(f64x2.mul(a, vc), f64x2.mul(t, parity(i & zMask) ? minus : plus)));
    }
    return;
  }
  const lowX = xMask & (~xMask + 1);
  const fixed = ctrlMask | lowX;
  const count: u32 = size >> <u32>popcnt(fixed);
  for (let k: u32 = 0; k < count; k++) {
    const j = insertZeros(k, fixed) | ctrlMask;
    const l = j ^ xMask;
    const p = amp(state, j), q = amp(state, l);
    const a = v128.load(p), b = v128.load(q);
    const ta = swap ? swapReIm(a) : a;
    const tb = swap ? swapReIm(b) : b;
    v128.store(p, f64x2.add(f64x2.mul(a, vc), f64x2.mul(tb, parity(l & zMask) ? minus : plus)));
    v128.store(q, f64x2.add(f64x2.mul(b, vc), f64x2.mul(ta, parity(j & zMask) ? minus : plus)));
  }
}

/** ψ ← Pψ on the controlled subspace (PauliY, CY, and any Pauli word). */
export function applyPauliWord(state: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, numY: i32): void {
  combine(state, numQubits, xMask, zMask, ctrlMask, 0.0, 1.0, numY);
}

/**
 * ψ ← exp(-i·θ/2·P)ψ = cos(θ/2)ψ − i·sin(θ/2)·Pψ on the controlled subspace,
 * given c = cos(θ/2), s = sin(θ/2). IsingXX/YY, controlled X/Y rotations and
 * any Pauli-word rotation use it; single-bit X/Y rotations go to the dense
 * SIMD kernel instead (see tape.ts).
 */
export function applyPauliRotation(
  state: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, numY: i32, c: f64, s: f64,
): void {
  combine(state, numQubits, xMask, zMask, ctrlMask, c, s, numY + 3);
}
