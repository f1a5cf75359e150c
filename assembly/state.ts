// Whole-state operations.
import { amp } from './kernels/bits';

/** Sets the n-qubit state at `state` to |0…0⟩. */
export function stateZero(state: usize, numQubits: i32): void {
  memory.fill(state, 0, <usize>16 << <usize>numQubits);
  store<f64>(state, 1.0);
}

/** Sets the state to the basis state |index⟩. */
export function stateBasis(state: usize, numQubits: i32, index: u32): void {
  memory.fill(state, 0, <usize>16 << <usize>numQubits);
  store<f64>(amp(state, index), 1.0);
}

/** Copies 2^n amplitudes from `src` to `dst`. */
export function stateCopy(dst: usize, src: usize, numQubits: i32): void {
  memory.copy(dst, src, <usize>16 << <usize>numQubits);
}

/** Σ|ψ_i|². */
export function stateNormSquared(state: usize, numQubits: i32): f64 {
  const size: u32 = <u32>1 << <u32>numQubits;
  let sum = 0.0;
  for (let i: u32 = 0; i < size; i++) {
    const p = amp(state, i);
    const re = load<f64>(p), im = load<f64>(p, 8);
    sum += re * re + im * im;
  }
  return sum;
}
