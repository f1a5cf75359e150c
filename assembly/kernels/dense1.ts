// Dense single-qubit gates: a general complex 2x2 matrix applied to one bit,
// optionally controlled by a mask of bits that must all be 1. A matrix whose
// entries are all real (Hadamard, RY, real products of them) takes the real
// path: each output is two multiplies and one add instead of four
// multiplies, two adds and two lane swaps.
import { amp, nextFree, pairRun, pairStep, runSkip } from './bits';
import { row2, splatIm, splatRe } from './complex';

// @ts-ignore: decorator
@inline
function update(
  p: usize, q: usize, a00r: v128, a00i: v128, a01r: v128, a01i: v128, a10r: v128, a10i: v128, a11r: v128, a11i: v128, real: bool,
): void {
  const x0 = v128.load(p), x1 = v128.load(q);
  if (real) {
    v128.store(p, f64x2.add(f64x2.mul(x0, a00r), f64x2.mul(x1, a01r)));
    v128.store(q, f64x2.add(f64x2.mul(x0, a10r), f64x2.mul(x1, a11r)));
  } else {
    v128.store(p, row2(x0, a00r, a00i, x1, a01r, a01i));
    v128.store(q, row2(x0, a10r, a10i, x1, a11r, a11i));
  }
}

/**
 * Applies [[m00, m01], [m10, m11]] (complex, given as re/im) to bit `bit` of
 * the n-qubit state at `state`, on the amplitudes whose `ctrlMask` bits are 1.
 * Pairs are walked in runs (see bits.ts).
 */
export function applyDense1(
  state: usize, numQubits: i32, bit: i32, ctrlMask: u32,
  m00r: f64, m00i: f64, m01r: f64, m01i: f64,
  m10r: f64, m10i: f64, m11r: f64, m11i: f64,
): void {
  const a00r = splatRe(m00r), a00i = splatIm(m00i);
  const a01r = splatRe(m01r), a01i = splatIm(m01i);
  const a10r = splatRe(m10r), a10i = splatIm(m10i);
  const a11r = splatRe(m11r), a11i = splatIm(m11i);
  if (m00i == 0 && m01i == 0 && m10i == 0 && m11i == 0) {
    walk(state, numQubits, bit, ctrlMask, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, true);
  } else {
    walk(state, numQubits, bit, ctrlMask, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, false);
  }
}

// @ts-ignore: decorator
@inline
function walk(
  state: usize, numQubits: i32, bit: i32, ctrlMask: u32,
  a00r: v128, a00i: v128, a01r: v128, a01i: v128, a10r: v128, a10i: v128, a11r: v128, a11i: v128, real: bool,
): void {
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
        update(b0 + o, b0 + o + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
        update(b1 + o, b1 + o + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
        update(b2 + o, b2 + o + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
        update(b3 + o, b3 + o + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
      }
    }
    return;
  }
  if (run >= 2) {
    // Within a run: four pairs per iteration (two when the run is two long).
    const unroll: usize = run >= 4 ? 4 : 2;
    for (let k: u32 = 0; k < count; k += run) {
      const base = amp(state, i | ctrlMask);
      for (let o: usize = 0; o < runBytes; o += step * unroll) {
        const p = base + o;
        update(p, p + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
        update(p + step, p + step + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
        if (unroll == 4) {
          const r = p + (step << 1);
          update(r, r + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
          update(r + step, r + step + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
        }
      }
      i = nextFree(i, skip);
    }
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, i | ctrlMask);
    update(p, p + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i, real);
    i = nextFree(i, fixed);
  }
}
