import { QDistillError } from '../errors.js';
import { fromRows, kron, identity, type ComplexMatrix } from './matrix.js';
import { wireBit } from './wires.js';

/** One letter of a Pauli word. */
export type PauliLetter = 'I' | 'X' | 'Y' | 'Z';

const SINGLE: Record<PauliLetter, ComplexMatrix> = {
  I: identity(2),
  X: fromRows([[0, 1], [1, 0]]),
  Y: fromRows([[0, [0, -1]], [[0, 1], 0]]),
  Z: fromRows([[1, 0], [0, -1]]),
};

/** The 2×2 matrix of a Pauli letter. */
export function pauliMatrix(letter: PauliLetter): ComplexMatrix {
  return SINGLE[letter];
}

/** The matrix of a word like "XYZ" (first letter on the most significant bit). */
export function pauliWordMatrix(word: string): ComplexMatrix {
  let out: ComplexMatrix | undefined;
  for (const ch of word) {
    if (!(ch in SINGLE)) throw new QDistillError('E_OBSERVABLE', `Pauli word "${word}": unknown letter "${ch}" (expected I, X, Y or Z)`);
    const m = SINGLE[ch as PauliLetter];
    out = out ? kron(out, m) : m;
  }
  return out ?? identity(1);
}

/** A Pauli term on explicit wires: letters[k] acts on wires[k]. */
export interface PauliTerm {
  readonly letters: readonly PauliLetter[];
  readonly wires: readonly number[];
}

/**
 * Parses `"Z0 X1 Y3"` (letter + wire, space-separated) or `"I"` into a
 * {@link PauliTerm}. Identity letters are dropped; a wire may appear once.
 *
 * @example
 * ```ts
 * parsePauliString('Z0 X1 Y3'); // { letters: ['Z','X','Y'], wires: [0,1,3] }
 * ```
 */
export function parsePauliString(text: string): PauliTerm {
  const trimmed = text.trim();
  if (trimmed === 'I' || trimmed === '') return { letters: [], wires: [] };
  const letters: PauliLetter[] = [];
  const wires: number[] = [];
  for (const token of trimmed.split(/[\s@*]+/)) {
    const match = /^([IXYZ])\(?(\d+)\)?$/.exec(token);
    if (!match) {
      throw new QDistillError(
        'E_OBSERVABLE',
        `Pauli string "${text}": cannot read "${token}" (expected a letter I/X/Y/Z followed by a wire, e.g. "Z0 X1 Y3")`,
      );
    }
    const wire = Number(match[2]);
    if (wires.includes(wire)) {
      throw new QDistillError('E_DUPLICATE_WIRES', `Pauli string "${text}": wire ${wire} appears more than once`);
    }
    if (match[1] === 'I') continue;
    letters.push(match[1] as PauliLetter);
    wires.push(wire);
  }
  return { letters, wires };
}

/**
 * Engine masks of a Pauli term on an n-qubit register: X and Y set their bit
 * in `xMask`, Z and Y in `zMask`; `numY` counts the Ys. Wire w is bit n−1−w.
 */
export function pauliMasks(term: PauliTerm, numQubits: number): { xMask: number; zMask: number; numY: number } {
  let xMask = 0;
  let zMask = 0;
  let numY = 0;
  term.letters.forEach((letter, k) => {
    const bit = 1 << wireBit(numQubits, term.wires[k]!);
    if (letter === 'X' || letter === 'Y') xMask |= bit;
    if (letter === 'Z' || letter === 'Y') zMask |= bit;
    if (letter === 'Y') numY++;
  });
  return { xMask: xMask >>> 0, zMask: zMask >>> 0, numY };
}
