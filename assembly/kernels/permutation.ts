// Permutation gates: amplitudes move, nothing is multiplied.
import { amp, nextFree, pairRun, pairStep, runSkip } from './bits';

/** Exchanges the amplitudes at p and p + distance. */
// @ts-ignore: decorator
@inline
function swapPair(p: usize, distance: isize): void {
  const q = <usize>(<isize>p + distance);
  const a = v128.load(p);
  v128.store(p, v128.load(q));
  v128.store(q, a);
}

/**
 * Exchanges amplitude i|from and i|to for every index i whose `fixed` bits
 * (from, to and the controls) are 0, with `ctrlMask` ORed in: the shared
 * walk of X (from = 0, to = the target bit) and SWAP (from, to = the two
 * bits). The pairs are walked in runs (see bits.ts).
 */
// @ts-ignore: decorator
@inline
function exchange(state: usize, numQubits: i32, fixed: u32, ctrlMask: u32, from: u32, to: u32): void {
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  const offset = ctrlMask | from;
  const distance = (<isize>to - <isize>from) << 4; // bytes from one amplitude of a pair to the other
  const run = pairRun(fixed, count);
  let i: u32 = 0;
  const step = pairStep(fixed), skip = runSkip(fixed, run), runBytes = <usize>run * step;
  if (run <= 4 && count >= run << 2) {
    // Short runs (low bits, or a pair at a time when bits 0 and 1 are both fixed): four runs per iteration,
    // so the walk's cost is spread over 4–16 pairs.
    for (let k: u32 = 0; k < count; k += run << 2) {
      const b0 = amp(state, i | offset);
      i = nextFree(i, skip);
      const b1 = amp(state, i | offset);
      i = nextFree(i, skip);
      const b2 = amp(state, i | offset);
      i = nextFree(i, skip);
      const b3 = amp(state, i | offset);
      i = nextFree(i, skip);
      for (let o: usize = 0; o < runBytes; o += step) {
        swapPair(b0 + o, distance);
        swapPair(b1 + o, distance);
        swapPair(b2 + o, distance);
        swapPair(b3 + o, distance);
      }
    }
    return;
  }
  if (run >= 2) {
    for (let k: u32 = 0; k < count; k += run) {
      const base = amp(state, i | offset);
      for (let o: usize = 0; o < runBytes; o += step << 1) {
        const p = base + o, r = p + step;
        const q = <usize>(<isize>p + distance), s = <usize>(<isize>r + distance);
        const a0 = v128.load(p), b0 = v128.load(q);
        const a1 = v128.load(r), b1 = v128.load(s);
        v128.store(p, b0);
        v128.store(q, a0);
        v128.store(r, b1);
        v128.store(s, a1);
      }
      i = nextFree(i, skip);
    }
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, i | offset), q = <usize>(<isize>p + distance);
    const a = v128.load(p);
    v128.store(p, v128.load(q));
    v128.store(q, a);
    i = nextFree(i, fixed);
  }
}

/** Bit flip on `bit` where every `ctrlMask` bit is 1 (PauliX, CNOT, Toffoli). */
export function applyX(state: usize, numQubits: i32, bit: i32, ctrlMask: u32): void {
  const half: u32 = <u32>1 << <u32>bit;
  exchange(state, numQubits, ctrlMask | half, ctrlMask, 0, half);
}

/** Exchanges bits `bitA` and `bitB` where every `ctrlMask` bit is 1 (SWAP, CSWAP). */
export function applySwap(state: usize, numQubits: i32, bitA: i32, bitB: i32, ctrlMask: u32): void {
  const a: u32 = <u32>1 << <u32>bitA;
  const b: u32 = <u32>1 << <u32>bitB;
  exchange(state, numQubits, ctrlMask | a | b, ctrlMask, a, b);
}
