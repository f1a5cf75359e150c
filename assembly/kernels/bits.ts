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
