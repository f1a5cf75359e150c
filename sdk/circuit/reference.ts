/**
 * The reference engine: plain TypeScript, scalar, written for clarity. It
 * DEFINES the semantics the WebAssembly engine must reproduce: every gate is
 * applied as its full matrix from the gate table (controls included) to the
 * amplitudes of its wires. No structure, no SIMD, no tape.
 */
import { QDistillError } from '../errors.js';
import type { Circuit } from './circuit.js';
import { getGate } from './gates.js';
import { dagger, type ComplexMatrix } from './matrix.js';
import type { ParamSource } from './params.js';
import { prepareAmplitudes } from './templates.js';
import { wireBits } from './wires.js';

/** A mutable statevector (wire 0 = most significant bit). */
export interface ReferenceState {
  readonly numQubits: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** |0…0⟩ on n qubits. */
export function referenceZeroState(numQubits: number): ReferenceState {
  const re = new Float64Array(1 << numQubits);
  re[0] = 1;
  return { numQubits, re, im: new Float64Array(1 << numQubits) };
}

/**
 * Applies a k-qubit matrix to `wires` (wires[0] = most significant bit of
 * the matrix index) in place.
 */
export function referenceApplyMatrix(state: ReferenceState, matrix: ComplexMatrix, wires: readonly number[]): void {
  const n = state.numQubits;
  const k = wires.length;
  const dim = 1 << k;
  const bits = wireBits(n, wires);
  const mask = bits.reduce((m, b) => m | (1 << b), 0);
  const inRe = new Float64Array(dim);
  const inIm = new Float64Array(dim);
  const index = new Int32Array(dim);
  for (let base = 0; base < 1 << n; base++) {
    if ((base & mask) !== 0) continue;
    for (let a = 0; a < dim; a++) {
      let i = base;
      for (let t = 0; t < k; t++) if ((a >> (k - 1 - t)) & 1) i |= 1 << bits[t]!;
      index[a] = i;
      inRe[a] = state.re[i]!;
      inIm[a] = state.im[i]!;
    }
    for (let r = 0; r < dim; r++) {
      let sr = 0;
      let si = 0;
      for (let c = 0; c < dim; c++) {
        const mr = matrix.re[r * dim + c]!, mi = matrix.im[r * dim + c]!;
        sr += mr * inRe[c]! - mi * inIm[c]!;
        si += mr * inIm[c]! + mi * inRe[c]!;
      }
      state.re[index[r]!] = sr;
      state.im[index[r]!] = si;
    }
  }
}

function numericParams(params: readonly ParamSource[], where: string): number[] {
  return params.map((p) => {
    if (typeof p !== 'number') throw new QDistillError('E_INVALID_ARGUMENT', `${where}: the reference engine needs numeric parameters`);
    return p;
  });
}

/**
 * Runs a circuit (numeric parameters only) on the reference engine.
 *
 * @example
 * ```ts
 * const { re, im } = referenceRun(new Circuit(2).h(0).cnot(0, 1));
 * ```
 */
export function referenceRun(circuit: Circuit, initial?: { re: ArrayLike<number>; im: ArrayLike<number> }): ReferenceState {
  const n = circuit.numQubits;
  const state = referenceZeroState(n);
  if (initial) {
    state.re.set(initial.re);
    state.im.set(initial.im);
  } else if (circuit.prep) {
    const prep = circuit.prep;
    if (prep.kind !== 'amplitude' || !prep.features) {
      throw new QDistillError('E_INVALID_ARGUMENT', 'referenceRun: symbolic state preparation needs inputs');
    }
    state.re.set(prepareAmplitudes(prep.features, 1 << n, prep.pad, prep.normalize, 'AmplitudeEmbedding', prep));
  }
  for (const op of circuit.ops) {
    const gate = getGate(op.name);
    const matrix = gate.matrixParam ? op.matrix! : gate.matrix(numericParams(op.params, op.name), op.wires.length);
    referenceApplyMatrix(state, op.inverse ? dagger(matrix) : matrix, op.wires);
  }
  return state;
}
