// Dense single-qubit gates: a general complex 2x2 matrix applied to one bit,
// optionally controlled by a mask of bits that must all be 1.
import { amp, nextFree, pairRun, pairStep, runSkip } from './bits';
import { row2, splatIm, splatRe } from './complex';

// @ts-ignore: decorator
@inline
function update(p: usize, q: usize, a00r: v128, a00i: v128, a01r: v128, a01i: v128, a10r: v128, a10i: v128, a11r: v128, a11i: v128): void {
  const x0 = v128.load(p), x1 = v128.load(q);
  v128.store(p, row2(x0, a00r, a00i, x1, a01r, a01i));
  v128.store(q, row2(x0, a10r, a10i, x1, a11r, a11i));
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
  const fixed = ctrlMask | (<u32>1 << <u32>bit);
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  const stride = <usize>16 << <usize>bit;
  const run = pairRun(fixed, count);
  let i: u32 = 0;
  if (run >= 2) {
    // Within a run: four pairs per iteration (two when the run is two long).
    const step = pairStep(fixed), skip = runSkip(fixed, run), runBytes = <usize>run * step;
    const unroll: usize = run >= 4 ? 4 : 2;
    for (let k: u32 = 0; k < count; k += run) {
      const base = amp(state, i | ctrlMask);
      for (let o: usize = 0; o < runBytes; o += step * unroll) {
        const p = base + o;
        update(p, p + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i);
        update(p + step, p + step + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i);
        if (unroll == 4) {
          const r = p + (step << 1);
          update(r, r + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i);
          update(r + step, r + step + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i);
        }
      }
      i = nextFree(i, skip);
    }
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, i | ctrlMask);
    update(p, p + stride, a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i);
    i = nextFree(i, fixed);
  }
}
