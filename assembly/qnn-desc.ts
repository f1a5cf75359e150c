// Accessors of the QNN layer descriptor and its tables (layout: layout.ts).
import {
  D_BITS, D_READOUTS, D_SLOTS, R_PAULI, R_WIDTH, RF_BITS_OFFSET, RF_KIND, RF_X_MASK, RF_Z_MASK, SLOT_WIDTH,
} from './layout';

// @ts-ignore: decorator
@inline
export function field(desc: usize, index: i32): f64 {
  return load<f64>(desc + (<usize>index << 3));
}

// @ts-ignore: decorator
@inline
export function setField(desc: usize, index: i32, value: f64): void {
  store<f64>(desc + (<usize>index << 3), value);
}

// @ts-ignore: decorator
@inline
export function ptr(desc: usize, index: i32): usize {
  return <usize>field(desc, index);
}

/** Field `f` (an RF_ constant) of readout `r`. */
// @ts-ignore: decorator
@inline
export function readoutField(desc: usize, r: i32, f: i32): f64 {
  return load<f64>(ptr(desc, D_READOUTS) + ((<usize>(r * R_WIDTH + f)) << 3));
}

/** Where readout `r`'s bits start (i32, most significant first). */
// @ts-ignore: decorator
@inline
export function readoutBits(desc: usize, r: i32): usize {
  return ptr(desc, D_BITS) + (<usize>readoutField(desc, r, RF_BITS_OFFSET) << 2);
}

/** Field `f` (an SF_ constant) of slot `s`. */
// @ts-ignore: decorator
@inline
export function slotField(desc: usize, s: i32, f: i32): f64 {
  return load<f64>(ptr(desc, D_SLOTS) + ((<usize>(s * SLOT_WIDTH + f)) << 3));
}

/** A ⟨Z_b⟩ readout on one bit: its bit, else −1. */
// @ts-ignore: decorator
@inline
export function singleZBit(desc: usize, r: i32): i32 {
  if (<i32>readoutField(desc, r, RF_KIND) != R_PAULI || <u32>readoutField(desc, r, RF_X_MASK) != 0) return -1;
  const z = <u32>readoutField(desc, r, RF_Z_MASK);
  return popcnt(z) == 1 ? <i32>ctz(z) : -1;
}
