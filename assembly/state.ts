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

/** ψ ← factor·ψ for a real factor (one multiply per amplitude). */
export function stateScale(state: usize, numQubits: i32, factor: f64): void {
  const f = f64x2.splat(factor);
  const end = state + (<usize>16 << <usize>numQubits);
  if (numQubits < 2) {
    for (let p = state; p < end; p += 16) v128.store(p, f64x2.mul(v128.load(p), f));
    return;
  }
  // Four amplitudes per iteration: Node's engine pays a fixed cost per loop iteration.
  for (let p = state; p < end; p += 64) {
    const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32), d = v128.load(p, 48);
    v128.store(p, f64x2.mul(a, f));
    v128.store(p, f64x2.mul(b, f), 16);
    v128.store(p, f64x2.mul(c, f), 32);
    v128.store(p, f64x2.mul(d, f), 48);
  }
}
