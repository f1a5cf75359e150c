// Diagonal gates: phases on masks of bits and Z-type rotations. Nothing
// moves; each amplitude is multiplied by a phase that depends on its index.
import { amp, nextFree, pairRun, pairStep, parity, runSkip } from './bits';
import { cmul, splatIm, splatRe, swapReIm } from './complex';

/**
 * Multiplies every amplitude whose `mask` bits are all 1 by (pr + i·pi).
 * PhaseShift, S, T, PauliZ, CZ, ControlledPhaseShift and controlled phases
 * are all this kernel. The indices come in contiguous runs of 2^(lowest bit
 * of mask) amplitudes (pairs (even, even + 1) when bit 0 is not in the mask).
 */
export function applyPhaseOnMask(state: usize, numQubits: i32, mask: u32, pr: f64, pi: f64): void {
  const vr = splatRe(pr), vi = splatIm(pi);
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(mask);
  const run: u32 = mask == 0 ? count : mask & (~mask + 1);
  let i: u32 = 0;
  if (run <= 2 && count >= run << 2) {
    // Short runs (mask on the lowest bits): four runs per iteration, so the walk's cost is spread over 4–8 amplitudes.
    const skip = mask | (run - 1), runBytes = <usize>run << 4;
    for (let k: u32 = 0; k < count; k += run << 2) {
      const b0 = amp(state, i | mask);
      i = nextFree(i, skip);
      const b1 = amp(state, i | mask);
      i = nextFree(i, skip);
      const b2 = amp(state, i | mask);
      i = nextFree(i, skip);
      const b3 = amp(state, i | mask);
      i = nextFree(i, skip);
      for (let o: usize = 0; o < runBytes; o += 16) {
        v128.store(b0 + o, cmul(v128.load(b0 + o), vr, vi));
        v128.store(b1 + o, cmul(v128.load(b1 + o), vr, vi));
        v128.store(b2 + o, cmul(v128.load(b2 + o), vr, vi));
        v128.store(b3 + o, cmul(v128.load(b3 + o), vr, vi));
      }
    }
    return;
  }
  if (run >= 2) {
    const skip = mask | (run - 1), runBytes = <usize>run << 4;
    for (let k: u32 = 0; k < count; k += run) {
      const base = amp(state, i | mask);
      for (let o: usize = 0; o < runBytes; o += 32) {
        const p = base + o;
        const a = v128.load(p), b = v128.load(p, 16);
        v128.store(p, cmul(a, vr, vi));
        v128.store(p, cmul(b, vr, vi), 16);
      }
      i = nextFree(i, skip);
    }
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, i | mask);
    v128.store(p, cmul(v128.load(p), vr, vi));
    i = nextFree(i, mask);
  }
}

/**
 * Multiplies amplitude i (with all `ctrlMask` bits 1) by d0 when bit `bit` is
 * 0 and by d1 when it is 1: a controlled diagonal 2x2. RZ is this kernel.
 * Pairs (i, i + 2^bit) are walked in runs (see bits.ts). When both real
 * parts are exactly 1 (a rotation with its cos(θ/2) deferred, see tape.ts)
 * each amplitude costs one multiply instead of two, with the same bits.
 */
export function applyDiagonal1(
  state: usize, numQubits: i32, bit: i32, ctrlMask: u32, d0r: f64, d0i: f64, d1r: f64, d1i: f64,
): void {
  if (d0r == 1.0 && d1r == 1.0) diagonalPairs(state, numQubits, bit, ctrlMask, d0r, d0i, d1r, d1i, true);
  else diagonalPairs(state, numQubits, bit, ctrlMask, d0r, d0i, d1r, d1i, false);
}

/** a·(vr + i·vi); with `unitRe` (vr is exactly 1) a·1 is skipped: same bits. */
// @ts-ignore: decorator
@inline
function phase(a: v128, vr: v128, vi: v128, unitRe: bool): v128 {
  return f64x2.add(unitRe ? a : f64x2.mul(a, vr), f64x2.mul(swapReIm(a), vi));
}

/** One pair (p, p + stride): d0 on the first amplitude, d1 on the second. */
// @ts-ignore: decorator
@inline
function phasePair(p: usize, stride: usize, v0r: v128, v0i: v128, v1r: v128, v1i: v128, unitRe: bool): void {
  v128.store(p, phase(v128.load(p), v0r, v0i, unitRe));
  v128.store(p + stride, phase(v128.load(p + stride), v1r, v1i, unitRe));
}

// @ts-ignore: decorator
@inline
function diagonalPairs(
  state: usize, numQubits: i32, bit: i32, ctrlMask: u32, d0r: f64, d0i: f64, d1r: f64, d1i: f64, unitRe: bool,
): void {
  const v0r = splatRe(d0r), v0i = splatIm(d0i);
  const v1r = splatRe(d1r), v1i = splatIm(d1i);
  const fixed = ctrlMask | (<u32>1 << <u32>bit);
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  const stride = <usize>16 << <usize>bit;
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
        phasePair(b0 + o, stride, v0r, v0i, v1r, v1i, unitRe);
        phasePair(b1 + o, stride, v0r, v0i, v1r, v1i, unitRe);
        phasePair(b2 + o, stride, v0r, v0i, v1r, v1i, unitRe);
        phasePair(b3 + o, stride, v0r, v0i, v1r, v1i, unitRe);
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
        v128.store(p, phase(x0, v0r, v0i, unitRe));
        v128.store(p + stride, phase(x1, v1r, v1i, unitRe));
        v128.store(r, phase(y0, v0r, v0i, unitRe));
        v128.store(r + stride, phase(y1, v1r, v1i, unitRe));
      }
      i = nextFree(i, skip);
    }
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, i | ctrlMask), q = p + stride;
    v128.store(p, phase(v128.load(p), v0r, v0i, unitRe));
    v128.store(q, phase(v128.load(q), v1r, v1i, unitRe));
    i = nextFree(i, fixed);
  }
}

/**
 * exp(-i·θ/2·Z_mask) on the amplitudes with all `ctrlMask` bits 1: amplitude i
 * is multiplied by (c - i·s) when the parity of (i & zMask) is even, by
 * (c + i·s) when odd, where c = cos(θ/2), s = sin(θ/2). IsingZZ, MultiRZ
 * and CRZ are this kernel (an uncontrolled single-bit RZ is applyDiagonal1).
 */
export function applyZRotation(state: usize, numQubits: i32, zMask: u32, ctrlMask: u32, c: f64, s: f64): void {
  const vr = f64x2.splat(c);
  const evenI = f64x2(s, -s); // multiply by (c - i s): swap(a) * (s, -s)
  const oddI = f64x2(-s, s);
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(ctrlMask);
  let i: u32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const index = i | ctrlMask;
    const p = amp(state, index);
    const a = v128.load(p);
    const vi = parity(index & zMask) ? oddI : evenI;
    v128.store(p, f64x2.add(f64x2.mul(a, vr), f64x2.mul(swapReIm(a), vi)));
    i = nextFree(i, ctrlMask);
  }
}
