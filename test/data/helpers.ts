/**
 * Shared helpers of the data-layer tests: fixture locations, a dense matrix
 * of a Pauli sum built independently of the SDK (Kronecker products of the
 * 2×2 Pauli matrices), and error assertions.
 */
import type { ErrorCode, QDistillError } from '../../sdk/errors.js';
import { expectQDistillErrorValue, rejectionOf, thrownBy } from '../helpers/errors.js';

export { goldenDir, REPO_ROOT, teachersDir } from '../helpers/fixtures.js';

/** Asserts that `fn` throws a QDistillError with `code` whose message matches every pattern. */
export function expectError(fn: () => unknown, code: string, ...patterns: RegExp[]): void {
  expectQDistillErrorValue(thrownBy(fn), code as ErrorCode, ...patterns);
}

/** Async version of {@link expectError}; returns the error for further checks. */
export async function expectRejects(promise: Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<QDistillError> {
  return expectQDistillErrorValue(await rejectionOf(() => promise), code as ErrorCode, ...patterns);
}

type C = [number, number];
const PAULI: Record<string, C[][]> = {
  I: [[[1, 0], [0, 0]], [[0, 0], [1, 0]]],
  X: [[[0, 0], [1, 0]], [[1, 0], [0, 0]]],
  Y: [[[0, 0], [0, -1]], [[0, 1], [0, 0]]],
  Z: [[[1, 0], [0, 0]], [[0, 0], [-1, 0]]],
};

function kron(a: C[][], b: C[][]): C[][] {
  const out: C[][] = [];
  for (const ra of a) {
    for (const rb of b) {
      const row: C[] = [];
      for (const [xr, xi] of ra) for (const [yr, yi] of rb) row.push([xr * yr - xi * yi, xr * yi + xi * yr]);
      out.push(row);
    }
  }
  return out;
}

/**
 * Dense matrix of Σ c_k P_k from its terms ([coefficient, "X0 Z2"]), built as
 * Kronecker products with wire 0 the leftmost (most significant) factor.
 */
export function denseMatrix(numQubits: number, terms: ReadonlyArray<readonly [number, string]>): { re: number[][]; im: number[][] } {
  const dim = 2 ** numQubits;
  const re = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
  const im = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
  for (const [c, word] of terms) {
    const letters = new Array<string>(numQubits).fill('I');
    for (const token of word.trim() === 'I' ? [] : word.trim().split(/\s+/)) letters[Number(token.slice(1))] = token[0]!;
    let m: C[][] = [[[1, 0]]];
    for (const l of letters) m = kron(m, PAULI[l]!);
    for (let r = 0; r < dim; r++) {
      for (let s = 0; s < dim; s++) {
        re[r]![s]! += c * m[r]![s]![0];
        im[r]![s]! += c * m[r]![s]![1];
      }
    }
  }
  return { re, im };
}

/** Random Pauli-sum terms on n qubits (letters I/X/Y/Z uniformly; identity words become "I"). */
export function randomTerms(rand: () => number, numQubits: number, count: number, letters = 'IXYZ'): Array<[number, string]> {
  const terms: Array<[number, string]> = [];
  for (let t = 0; t < count; t++) {
    const word: string[] = [];
    for (let q = 0; q < numQubits; q++) {
      const l = letters[Math.floor(rand() * letters.length)]!;
      if (l !== 'I') word.push(`${l}${q}`);
    }
    terms.push([2 * rand() - 1, word.join(' ') || 'I']);
  }
  return terms;
}
