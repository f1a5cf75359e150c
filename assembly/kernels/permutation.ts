// Permutation gates: amplitudes move, nothing is multiplied.
import { amp, insertZeros } from './bits';

/** Bit flip on `bit` where every `ctrlMask` bit is 1 (PauliX, CNOT, Toffoli). */
export function applyX(state: usize, numQubits: i32, bit: i32, ctrlMask: u32): void {
  const half: u32 = <u32>1 << <u32>bit;
  const size: u32 = <u32>1 << <u32>numQubits;
  const stride = <usize>half << 4;
  if (ctrlMask == 0 && bit > 0) {
    for (let block: u32 = 0; block < size; block += half << 1) {
      for (let lo: u32 = 0; lo < half; lo += 2) {
        const p = amp(state, block + lo);
        const q = p + stride;
        const a0 = v128.load(p), a1 = v128.load(p, 16);
        const b0 = v128.load(q), b1 = v128.load(q, 16);
        v128.store(p, b0);
        v128.store(p, b1, 16);
        v128.store(q, a0);
        v128.store(q, a1, 16);
      }
    }
    return;
  }
  const fixed = ctrlMask | half;
  const count: u32 = size >> <u32>popcnt(fixed);
  if ((fixed & 1) == 0 && count >= 2) {
    for (let k: u32 = 0; k < count; k += 2) {
      const p = amp(state, insertZeros(k, fixed) | ctrlMask);
      const q = p + stride;
      const a0 = v128.load(p), a1 = v128.load(p, 16);
      const b0 = v128.load(q), b1 = v128.load(q, 16);
      v128.store(p, b0);
      v128.store(p, b1, 16);
      v128.store(q, a0);
      v128.store(q, a1, 16);
    }
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, insertZeros(k, fixed) | ctrlMask);
    const q = p + stride;
    const a = v128.load(p);
    v128.store(p, v128.load(q));
    v128.store(q, a);
  }
}

/** Exchanges bits `bitA` and `bitB` where every `ctrlMask` bit is 1 (SWAP, CSWAP). */
export function applySwap(state: usize, numQubits: i32, bitA: i32, bitB: i32, ctrlMask: u32): void {
  const a: u32 = <u32>1 << <u32>bitA;
  const b: u32 = <u32>1 << <u32>bitB;
  const fixed = ctrlMask | a | b;
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  for (let k: u32 = 0; k < count; k++) {
    const i = insertZeros(k, fixed) | ctrlMask;
    const p = amp(state, i | a), q = amp(state, i | b);
    const t = v128.load(p);
    v128.store(p, v128.load(q));
    v128.store(q, t);
  }
}
