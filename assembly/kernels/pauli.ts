// Pauli words P = i^ny · X^xMask · Z^zMask (Y sets its bit in both masks and
// counts once in ny), so P|i> = i^ny · (-1)^popcount(i & zMask) · |i ^ xMask>.
// One kernel applies  ψ ← c·ψ + s·i^m·P'ψ  where P' = X^x Z^z:
//   applying P:           c = 0, s = 1, m = ny
//   exp(-iθ/2·P):         c = cos θ/2, s = sin θ/2, m = ny + 3  (−i·i^ny)
// on the amplitudes whose `ctrlMask` bits are all 1.
import { amp, nextFree, pairRun, pairStep, parity, runSkip } from './bits';
import { swapReIm } from './complex';

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

/**
 * a·c + t(b)·sign, where t swaps re/im when `swap`. With `unitC` (c is
 * exactly 1) the first product is skipped: a·1 == a exactly, so the result
 * is the same bits. `swap` and `unitC` are constants after inlining.
 */
// @ts-ignore: decorator
@inline
function mix(a: v128, b: v128, vc: v128, sign: v128, swap: bool, unitC: bool): v128 {
  return f64x2.add(unitC ? a : f64x2.mul(a, vc), f64x2.mul(swap ? swapReIm(b) : b, sign));
}

/** One pair (p, p + stride) of the single-bit word: mix both ways. */
// @ts-ignore: decorator
@inline
function mixPair(p: usize, stride: usize, vc: v128, signP: v128, signQ: v128, swap: bool, unitC: bool): void {
  const x0 = v128.load(p), x1 = v128.load(p + stride);
  v128.store(p, mix(x0, x1, vc, signP, swap, unitC));
  v128.store(p + stride, mix(x1, x0, vc, signQ, swap, unitC));
}

/**
 * The single-bit word (xMask one bit, zMask ⊆ xMask: X or Y on one qubit):
 * pairs (j, j + 2^bit) with fixed signs, walked in runs (see bits.ts). Each
 * output is two multiplies and one add (one multiply when c = 1): half the
 * work of a dense 2x2. RX, RY, CRX, CRY, PauliY and CY are this kernel.
 */
// @ts-ignore: decorator
@inline
function singleBit(
  state: usize, numQubits: i32, xMask: u32, ctrlMask: u32, vc: v128, signP: v128, signQ: v128, swap: bool, unitC: bool,
): void {
  const fixed = ctrlMask | xMask;
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  const stride = <usize>xMask << 4;
  const run = pairRun(fixed, count);
  let i: u32 = 0;
  const step = pairStep(fixed), skip = runSkip(fixed, run), runBytes = <usize>run * step;
  if (run <= 4 && count >= run << 2) {
    // Short runs (low bits, or a pair at a time when bits 0 and 1 are both fixed): four runs per iteration,
    // so the walk's cost is spread over 4–16 pairs.
    for (let k: u32 = 0; k < count; k += run << 2) {
      const b0 = amp(state, i | ctrlMask);
      i = nextFree(i, skip);
      const b1 = amp(state, i | ctrlMask);
      i = nextFree(i, skip);
      const b2 = amp(state, i | ctrlMask);
      i = nextFree(i, skip);
      const b3 = amp(state, i | ctrlMask);
      i = nextFree(i, skip);
      for (let o: usize = 0; o < runBytes; o += step) {
        mixPair(b0 + o, stride, vc, signP, signQ, swap, unitC);
        mixPair(b1 + o, stride, vc, signP, signQ, swap, unitC);
        mixPair(b2 + o, stride, vc, signP, signQ, swap, unitC);
        mixPair(b3 + o, stride, vc, signP, signQ, swap, unitC);
      }
    }
    return;
  }
  if (run >= 2) {
    for (let k: u32 = 0; k < count; k += run) {
      const base = amp(state, i | ctrlMask);
      for (let o: usize = 0; o < runBytes; o += step << 1) {
        const p = base + o, r = p + step;
        const x0 = v128.load(p), x1 = v128.load(p + stride);
        const y0 = v128.load(r), y1 = v128.load(r + stride);
        v128.store(p, mix(x0, x1, vc, signP, swap, unitC));
        v128.store(p + stride, mix(x1, x0, vc, signQ, swap, unitC));
        v128.store(r, mix(y0, y1, vc, signP, swap, unitC));
        v128.store(r + stride, mix(y1, y0, vc, signQ, swap, unitC));
      }
      i = nextFree(i, skip);
    }
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, i | ctrlMask), q = p + stride;
    const a = v128.load(p), b = v128.load(q);
    v128.store(p, mix(a, b, vc, signP, swap, unitC));
    v128.store(q, mix(b, a, vc, signQ, swap, unitC));
    i = nextFree(i, fixed);
  }
}

function combine(state: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, c: f64, s: f64, m: i32): void {
  const vc = f64x2.splat(c);
  const plus = phaseSigns(m, s);
  const minus = f64x2.neg(plus);
  const swap = (m & 1) != 0;
  const size: u32 = <u32>1 << <u32>numQubits;
  if (xMask == 0) {
    // Diagonal: ψ_i ← c·ψ_i + s·i^m·(−1)^parity(i & z)·ψ_i.
    const count: u32 = size >> <u32>popcnt(ctrlMask);
    let j: u32 = 0;
    for (let k: u32 = 0; k < count; k++) {
      const i = j | ctrlMask;
      const p = amp(state, i);
      const a = v128.load(p);
      v128.store(p, f64x2.add(f64x2.mul(a, vc), f64x2.mul(swap ? swapReIm(a) : a, parity(i & zMask) ? minus : plus)));
      j = nextFree(j, ctrlMask);
    }
    return;
  }
  if (popcnt(xMask) == 1 && (zMask & ~xMask) == 0) {
    // j has the bit 0, its partner has it 1: the partner's sign is (−1)^(z ≠ 0), j's is +.
    const signP = zMask != 0 ? minus : plus;
    if (c == 1.0) {
      if (swap) singleBit(state, numQubits, xMask, ctrlMask, vc, signP, plus, true, true);
      else singleBit(state, numQubits, xMask, ctrlMask, vc, signP, plus, false, true);
    } else {
      if (swap) singleBit(state, numQubits, xMask, ctrlMask, vc, signP, plus, true, false);
      else singleBit(state, numQubits, xMask, ctrlMask, vc, signP, plus, false, false);
    }
    return;
  }
  // General word: pairs (j, j ^ xMask) with j's lowest x bit 0; signs per pair.
  const lowX = xMask & (~xMask + 1);
  const fixed = ctrlMask | lowX;
  const count: u32 = size >> <u32>popcnt(fixed);
  let i: u32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const j = i | ctrlMask;
    const l = j ^ xMask;
    const p = amp(state, j), q = amp(state, l);
    const a = v128.load(p), b = v128.load(q);
    const ta = swap ? swapReIm(a) : a;
    const tb = swap ? swapReIm(b) : b;
    v128.store(p, f64x2.add(f64x2.mul(a, vc), f64x2.mul(tb, parity(l & zMask) ? minus : plus)));
    v128.store(q, f64x2.add(f64x2.mul(b, vc), f64x2.mul(ta, parity(j & zMask) ? minus : plus)));
    i = nextFree(i, fixed);
  }
}

/** Updates the pair (x, y) (x has the bit 0) by ψ + i^m·P'ψ·t in place: a unit-diagonal single-bit rotation. */
// @ts-ignore: decorator
@inline
function unitPair(x: v128, y: v128, signP: v128, signQ: v128, swap: bool, first: bool): v128 {
  return first ? mix(x, y, signP, signP, swap, true) : mix(y, x, signQ, signQ, swap, true);
}

// @ts-ignore: decorator
@inline
function rotationPair(
  state: usize, numQubits: i32, lo: u32, hi: u32,
  pLo: v128, qLo: v128, pHi: v128, qHi: v128, swapLo: bool, swapHi: bool,
): void {
  const fixed = lo | hi;
  const count: u32 = (<u32>1 << <u32>numQubits) >> 2;
  const sLo = <usize>lo << 4, sHi = <usize>hi << 4;
  const run = pairRun(fixed, count);
  const step = pairStep(fixed), skip = runSkip(fixed, run), runBytes = <usize>run * step;
  let i: u32 = 0;
  for (let k: u32 = 0; k < count; k += run) {
    const base = amp(state, i);
    for (let o: usize = 0; o < runBytes; o += step) {
      const p = base + o;
      const v0 = v128.load(p), v1 = v128.load(p + sLo), v2 = v128.load(p + sHi), v3 = v128.load(p + sLo + sHi);
      // the low bit's rotation on (v0, v1) and (v2, v3) …
      const w0 = unitPair(v0, v1, pLo, qLo, swapLo, true), w1 = unitPair(v0, v1, pLo, qLo, swapLo, false);
      const w2 = unitPair(v2, v3, pLo, qLo, swapLo, true), w3 = unitPair(v2, v3, pLo, qLo, swapLo, false);
      // … then the high bit's on (w0, w2) and (w1, w3)
      v128.store(p, unitPair(w0, w2, pHi, qHi, swapHi, true));
      v128.store(p + sHi, unitPair(w0, w2, pHi, qHi, swapHi, false));
      v128.store(p + sLo, unitPair(w1, w3, pHi, qHi, swapHi, true));
      v128.store(p + sLo + sHi, unitPair(w1, w3, pHi, qHi, swapHi, false));
    }
    i = nextFree(i, skip);
  }
}

/**
 * Two uncontrolled single-bit X or Y rotations on DIFFERENT bits in one
 * pass, each in unit-diagonal form ψ ← ψ − i·t·Pψ (exp(−iθ/2·P) with its
 * cos(θ/2) deferred by the caller, t = tan(θ/2)): per group of four
 * amplitudes, the lower bit's rotation then the higher bit's (they
 * commute). Half the loads and stores of two passes — a layer of rotations
 * (RX or RY on every wire) costs about a quarter less.
 */
export function applyPauliRotationPair(
  state: usize, numQubits: i32, xA: u32, zA: u32, numYA: i32, tA: f64, xB: u32, zB: u32, numYB: i32, tB: f64,
): void {
  const aLow = xA < xB;
  const lo = aLow ? xA : xB, hi = aLow ? xB : xA;
  const mLo = (aLow ? numYA : numYB) + 3, mHi = (aLow ? numYB : numYA) + 3;
  const plusLo = phaseSigns(mLo, aLow ? tA : tB), plusHi = phaseSigns(mHi, aLow ? tB : tA);
  // The partner with the bit set carries the Z sign (Y words): see combine.
  const pLo = (aLow ? zA : zB) != 0 ? f64x2.neg(plusLo) : plusLo;
  const pHi = (aLow ? zB : zA) != 0 ? f64x2.neg(plusHi) : plusHi;
  const swapLo = (mLo & 1) != 0, swapHi = (mHi & 1) != 0;
  if (swapLo) {
    if (swapHi) rotationPair(state, numQubits, lo, hi, pLo, plusLo, pHi, plusHi, true, true);
    else rotationPair(state, numQubits, lo, hi, pLo, plusLo, pHi, plusHi, true, false);
  } else {
    if (swapHi) rotationPair(state, numQubits, lo, hi, pLo, plusLo, pHi, plusHi, false, true);
    else rotationPair(state, numQubits, lo, hi, pLo, plusLo, pHi, plusHi, false, false);
  }
}

/** ψ ← Pψ on the controlled subspace (PauliY, CY, and any Pauli word). */
export function applyPauliWord(state: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, numY: i32): void {
  combine(state, numQubits, xMask, zMask, ctrlMask, 0.0, 1.0, numY);
}

/**
 * ψ ← exp(-i·θ/2·P)ψ = cos(θ/2)ψ − i·sin(θ/2)·Pψ on the controlled subspace,
 * given c = cos(θ/2), s = sin(θ/2). RX, RY (single-bit fast path),
 * IsingXX/YY, controlled X/Y rotations and any Pauli-word rotation use it;
 * single-bit Z rotations go to the diagonal kernel instead (see tape.ts).
 */
export function applyPauliRotation(
  state: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, numY: i32, c: f64, s: f64,
): void {
  combine(state, numQubits, xMask, zMask, ctrlMask, c, s, numY + 3);
}
