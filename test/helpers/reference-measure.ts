/**
 * Measurements computed from a statevector in plain TypeScript, independent
 * of the engine's measurement kernels: marginal probabilities, ⟨ψ|O|ψ⟩ of a
 * matrix on given wires (through the reference engine's matrix application),
 * Pauli words parsed here (not by the SDK parser under test), and the full
 * matrix of a circuit (column j = circuit applied to |j⟩).
 */
import type { Circuit } from '../../sdk/circuit/circuit.js';
import { fromRows, identity, zeros, type ComplexMatrix } from '../../sdk/circuit/matrix.js';
import { referenceApplyMatrix, referenceRun } from '../../sdk/circuit/reference.js';
import type { StateVector } from '../../sdk/qnn/simulator.js';
import { basisState } from './random.js';

/** Number of qubits of a state (its length must be a power of two). */
export function qubitsOf(state: StateVector): number {
  const n = Math.log2(state.re.length);
  if (!Number.isInteger(n)) throw new Error(`state of length ${state.re.length} is not 2^n`);
  return n;
}

/** Marginal probabilities of `wires` (first wire = most significant bit), default all wires. */
export function probsOf(state: StateVector, wires?: readonly number[]): Float64Array {
  const n = qubitsOf(state);
  const list = wires ?? Array.from({ length: n }, (_, i) => i);
  const out = new Float64Array(1 << list.length);
  for (let i = 0; i < state.re.length; i++) {
    let outcome = 0;
    for (const w of list) outcome = (outcome << 1) | ((i >> (n - 1 - w)) & 1);
    out[outcome] = out[outcome]! + state.re[i]! ** 2 + state.im[i]! ** 2;
  }
  return out;
}

/** A matrix on given wires (first wire = most significant bit of its index). */
export interface LocalMatrix {
  readonly matrix: ComplexMatrix;
  readonly wires: readonly number[];
}

/**
 * An observable as a product of local matrices on disjoint wires (a Pauli
 * word is one 2×2 factor per letter; a Hermitian matrix is one factor).
 */
export type LocalObservable = readonly LocalMatrix[];

/** O·ψ, applying each factor with the reference engine (an empty product is the identity). */
export function applyObservable(state: StateVector, observable: LocalObservable): StateVector {
  const n = qubitsOf(state);
  const out = { numQubits: n, re: Float64Array.from(state.re), im: Float64Array.from(state.im) };
  for (const { matrix, wires } of observable) referenceApplyMatrix(out, matrix, wires);
  return out;
}

/** Re⟨ψ|O|ψ⟩. */
export function expvalOf(state: StateVector, observable: LocalObservable): number {
  const applied = applyObservable(state, observable);
  let sum = 0;
  for (let i = 0; i < state.re.length; i++) sum += state.re[i]! * applied.re[i]! + state.im[i]! * applied.im[i]!;
  return sum;
}

/** ⟨O²⟩ − ⟨O⟩² = ‖Oψ‖² − ⟨ψ|O|ψ⟩² for a Hermitian O. */
export function varianceOf(state: StateVector, observable: LocalObservable): number {
  const applied = applyObservable(state, observable);
  let mean = 0;
  let square = 0;
  for (let i = 0; i < state.re.length; i++) {
    mean += state.re[i]! * applied.re[i]! + state.im[i]! * applied.im[i]!;
    square += applied.re[i]! ** 2 + applied.im[i]! ** 2;
  }
  return square - mean * mean;
}

const PAULI: Record<string, ComplexMatrix> = {
  I: identity(2),
  X: fromRows([[0, 1], [1, 0]]),
  Y: fromRows([[0, [0, -1]], [[0, 1], 0]]),
  Z: fromRows([[1, 0], [0, -1]]),
};

/** Parses "Z0 X1 Y3" (or "I") independently of the SDK parser under test: one 2×2 factor per letter. */
export function pauliWordObservable(text: string): LocalObservable {
  const trimmed = text.trim();
  if (trimmed === 'I') return [];
  return trimmed.split(/\s+/).map((token) => {
    const m = /^([IXYZ])(\d+)$/.exec(token);
    if (!m) throw new Error(`test helper: cannot parse Pauli token "${token}" in "${text}"`);
    return { matrix: PAULI[m[1]!]!, wires: [Number(m[2])] };
  });
}

/**
 * The full matrix of a gate-only circuit on the wire order `wireOrder`
 * (default 0..n−1; the first listed wire is the most significant bit of the
 * matrix index), column j = the circuit applied (by `run`) to basis state j.
 */
export function fullMatrixOf(
  circuit: Circuit,
  wireOrder: readonly number[] = Array.from({ length: circuit.numQubits }, (_, i) => i),
  run: (c: Circuit, initial: StateVector) => StateVector = (c, initial) => referenceRun(c, initial),
): ComplexMatrix {
  const n = circuit.numQubits;
  const dim = 1 << n;
  // Index in `wireOrder` → index in the PennyLane order 0..n−1.
  const toNatural = (j: number): number => {
    let idx = 0;
    wireOrder.forEach((w, p) => {
      if ((j >> (n - 1 - p)) & 1) idx |= 1 << (n - 1 - w);
    });
    return idx;
  };
  const out = zeros(dim);
  for (let c = 0; c < dim; c++) {
    const column = run(circuit, basisState(n, toNatural(c)));
    for (let r = 0; r < dim; r++) {
      out.re[r * dim + c] = column.re[toNatural(r)]!;
      out.im[r * dim + c] = column.im[toNatural(r)]!;
    }
  }
  return out;
}

/** M·ψ for a full-register matrix. */
export function applyFull(matrix: ComplexMatrix, state: StateVector): StateVector {
  const dim = matrix.dim;
  const re = new Float64Array(dim);
  const im = new Float64Array(dim);
  for (let r = 0; r < dim; r++) {
    let sr = 0;
    let si = 0;
    for (let c = 0; c < dim; c++) {
      const mr = matrix.re[r * dim + c]!, mi = matrix.im[r * dim + c]!;
      sr += mr * state.re[c]! - mi * state.im[c]!;
      si += mr * state.im[c]! + mi * state.re[c]!;
    }
    re[r] = sr;
    im[r] = si;
  }
  return { re, im };
}
