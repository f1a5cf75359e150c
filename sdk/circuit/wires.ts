/**
 * Wires and index bits: the ONE place where a PennyLane wire becomes a bit
 * position of a basis-state index. Wire 0 is the most significant bit, so on
 * an n-qubit register wire w is bit n − 1 − w (bit 0 = least significant):
 *
 *   index = Σ_w b_w · 2^(n−1−w)
 *
 * The engine, the reference engine, readouts and Pauli masks all count bits
 * from the least significant end and call these helpers to get there.
 *
 * @module
 */

/**
 * Bit position of `wire` in a basis-state index of a `numQubits`-qubit
 * register (wire 0 = most significant bit).
 *
 * @example
 * ```ts
 * wireBit(3, 0); // 2
 * wireBit(3, 2); // 0
 * ```
 */
export function wireBit(numQubits: number, wire: number): number {
  return numQubits - 1 - wire;
}

/**
 * The bit positions of `wires`, in the order given.
 *
 * @example
 * ```ts
 * wireBits(4, [0, 3]); // [3, 0]
 * ```
 */
export function wireBits(numQubits: number, wires: readonly number[]): number[] {
  return wires.map((w) => wireBit(numQubits, w));
}

/**
 * The index mask with the bits of `wires` set (an unsigned 32-bit integer;
 * registers are at most 30 qubits).
 *
 * @example
 * ```ts
 * wireMask(3, [0, 2]); // 0b101
 * ```
 */
export function wireMask(numQubits: number, wires: readonly number[]): number {
  let mask = 0;
  for (const w of wires) mask |= 1 << wireBit(numQubits, w);
  return mask >>> 0;
}
