// Index arithmetic shared by every kernel. Bit positions count from the least
// significant bit of a basis-state index (the SDK converts PennyLane wires,
// where wire 0 is the MOST significant bit, in exactly one place: the tape
// compiler).

/**
 * Spreads the bits of `k` around the set bits of `mask`: inserts a zero at
 * every set bit position of `mask`, in ascending order. Enumerating k over
 * 0..2^(n - popcount(mask)) visits every index whose `mask` bits are zero.
 */
// @ts-ignore: decorator
@inline
export function insertZeros(k: u32, mask: u32): u32 {
  let m = mask;
  while (m != 0) {
    const low = m & (~m + 1);
    const below = low - 1;
    k = ((k & ~below) << 1) | (k & below);
    m ^= low;
  }
  return k;
}

/**
 * The next index after `i` whose `fixed` bits are all zero (`i` must have them
 * zero): the carry of the increment skips over the fixed bits. Starting from
 * 0, repeated calls visit every such index in increasing order, which is how
 * the kernels walk "target bit 0, control bits free" without per-index bit
 * loops; OR the control mask in to get the amplitude's index.
 */
// @ts-ignore: decorator
@inline
export function nextFree(i: u32, fixed: u32): u32 {
  return ((i | fixed) + 1) & ~fixed;
}

// Single-bit kernels update pairs (i, i + 2^bit) for the indices i whose
// target and control bits are 0 ("free" indices). They walk the pairs in
// RUNS: `pairRun` pairs that sit at a constant distance `pairStep` apart, runs
// found with `nextFree(i, runSkip(…))`, two pairs per iteration (Node's engine
// needs the unrolled form to gain from SIMD):
// - lowest fixed bit ≥ 1: neighbouring pairs (i, i+1), a run is 2^(lowest
//   fixed bit) long;
// - bit 0 fixed (the target): pairs (i, i+1), (i+2, i+3), … are contiguous
//   up to the next fixed bit;
// - a run of one pair (bits 0 and 1 both fixed): the kernel steps pair by
//   pair.

/** Number of pairs per run, given `fixed` (target and control bits) and `count` = number of pairs. */
// @ts-ignore: decorator
@inline
export function pairRun(fixed: u32, count: u32): u32 {
  const low = fixed & (~fixed + 1);
  if (low >= 2) return low;
  const rest = fixed & ~1;
  const next = rest & (~rest + 1);
  return next == 0 ? count : next >> 1;
}

/** Bytes from one pair's first amplitude to the next pair's in a run. */
// @ts-ignore: decorator
@inline
export function pairStep(fixed: u32): usize {
  return (fixed & 1) == 0 ? 16 : 32;
}

/** The `nextFree` mask that jumps from one run's first index to the next run's. */
// @ts-ignore: decorator
@inline
export function runSkip(fixed: u32, run: u32): u32 {
  return fixed | (((fixed & 1) == 0 ? run : run << 1) - 1);
}

/** Parity (0 or 1) of the set bits of `x`. */
// @ts-ignore: decorator
@inline
export function parity(x: u32): u32 {
  return <u32>popcnt(x) & 1;
}

/** Address of amplitude `i` in a complex128 state at `state`. */
// @ts-ignore: decorator
@inline
export function amp(state: usize, i: u32): usize {
  return state + (<usize>i << 4);
}
