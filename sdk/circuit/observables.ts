import { QDistillError, assertFinite } from '../errors.js';
import { checkWireList } from './circuit.js';
import { hermiticityError, type ComplexMatrix } from './matrix.js';
import { parsePauliString, type PauliTerm } from './pauli.js';

/**
 * An observable to measure:
 * - a Pauli string such as `"Z0 X1 Y3"` (`"I"` is the identity), or `{ pauli }`;
 * - `{ hermitian, wires }`: a Hermitian matrix on any wires, in any order
 *   (the first listed wire is the most significant bit of the matrix index).
 */
export type Observable = string | { readonly pauli: string } | { readonly hermitian: ComplexMatrix; readonly wires: readonly number[] };

/** A validated observable. */
export type ResolvedObservable =
  | { readonly kind: 'pauli'; readonly term: PauliTerm; readonly label: string }
  | { readonly kind: 'hermitian'; readonly matrix: ComplexMatrix; readonly wires: readonly number[]; readonly label: string };

/** Parses and validates an observable against a register size. */
export function resolveObservable(obs: Observable, numQubits: number): ResolvedObservable {
  if (typeof obs === 'string' || 'pauli' in obs) {
    const text = typeof obs === 'string' ? obs : obs.pauli;
    const term = parsePauliString(text);
    checkWireList(term.wires, numQubits, `observable "${text}"`);
    return { kind: 'pauli', term, label: text };
  }
  if ('hermitian' in obs) {
    const { hermitian: m, wires } = obs;
    const where = `Hermitian on wires [${wires.join(', ')}]`;
    checkWireList(wires, numQubits, where);
    const dim = 1 << wires.length;
    if (m.dim !== dim || m.re.length !== dim * dim || m.im.length !== dim * dim) {
      throw new QDistillError('E_SHAPE', `${where}: expected a ${dim}×${dim} matrix, got ${m.dim}×${m.dim}`);
    }
    for (let i = 0; i < m.re.length; i++) {
      assertFinite(m.re[i]!, `${where}: entry ${i} (re)`);
      assertFinite(m.im[i]!, `${where}: entry ${i} (im)`);
    }
    const err = hermiticityError(m);
    if (err > 1e-10) throw new QDistillError('E_NOT_HERMITIAN', `${where}: the matrix is not Hermitian (max |H − H†| = ${err.toExponential(2)})`);
    return { kind: 'hermitian', matrix: m, wires: [...wires], label: where };
  }
  throw new QDistillError('E_OBSERVABLE', `observable: expected a Pauli string, { pauli } or { hermitian, wires }, got ${JSON.stringify(obs)}`);
}
