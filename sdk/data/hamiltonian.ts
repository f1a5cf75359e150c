/**
 * Pauli-sum Hamiltonians H = Σ_k c_k P_k with real coefficients c_k and Pauli
 * words P_k such as `"Z0 X1 Z2"` (PennyLane convention: wire 0 is the most
 * significant bit of a basis-state index). H·ψ and ⟨ψ|H|ψ⟩ run in the
 * WebAssembly engine (`assembly/hamiltonian.ts`); {@link applyPauliSumReference}
 * is the plain-TypeScript definition it must agree with bit for bit.
 *
 * @module
 */
import { QDistillError, assertAllFinite } from '../errors.js';
import { wireBit } from '../circuit/wires.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';

/**
 * A complex vector as separate real and imaginary parts (a state of 2^n amplitudes).
 *
 * @example
 * ```ts
 * const plus: ComplexState = { re: Float64Array.of(Math.SQRT1_2, Math.SQRT1_2), im: new Float64Array(2) };
 * ```
 */
export interface ComplexState {
  re: Float64Array;
  im: Float64Array;
}

/**
 * One letter of a Pauli word (identity letters are dropped when parsing).
 *
 * @example
 * ```ts
 * const letter: PauliLetter = 'Y';
 * ```
 */
export type PauliLetter = 'X' | 'Y' | 'Z';

/**
 * One term c·P of a {@link Hamiltonian}: `letters[k]` acts on `wires[k]`, wires ascending.
 *
 * @example
 * ```ts
 * new Hamiltonian(3, [[2, 'X2 Z0']]).terms[0]; // { coefficient: 2, letters: ['Z', 'X'], wires: [0, 2] }
 * ```
 */
export interface HamiltonianTerm {
  readonly coefficient: number;
  readonly letters: readonly PauliLetter[];
  readonly wires: readonly number[];
}

/**
 * A term as the user writes it: `[coefficient, "Z0 X1 Z2"]` or `{ coefficient, word }`.
 *
 * @example
 * ```ts
 * const terms: HamiltonianTermInput[] = [[-1, 'Z0 Z1'], { coefficient: 0.5, word: 'X0' }];
 * ```
 */
export type HamiltonianTermInput = readonly [number, string] | { readonly coefficient: number; readonly word: string };

/**
 * Plain-JSON form of a {@link Hamiltonian}.
 *
 * @example
 * ```ts
 * const json: HamiltonianJSON = { numQubits: 2, terms: [[-1, 'Z0 Z1']] };
 * ```
 */
export interface HamiltonianJSON {
  numQubits: number;
  terms: Array<[number, string]>;
}

/**
 * Largest register a Hamiltonian may act on (index masks are 32-bit; states must fit wasm32 memory anyway).
 *
 * @example
 * ```ts
 * if (n > MAX_HAMILTONIAN_QUBITS) throw new Error('too large');
 * ```
 */
export const MAX_HAMILTONIAN_QUBITS = 30;

/**
 * Parses a Pauli word: tokens `X3`, `Y0`, `Z12` (also `Z(12)`), separated by
 * spaces, `@` or `*`; `"I"` or `""` is the identity; `I<w>` tokens are ignored.
 */
function parseWord(word: string, numQubits: number, where: string): { letters: PauliLetter[]; wires: number[] } {
  const trimmed = word.trim();
  const pairs: Array<[number, PauliLetter]> = [];
  if (trimmed !== '' && trimmed !== 'I') {
    const seen = new Set<number>();
    for (const token of trimmed.split(/[\s@*]+/)) {
      const match = /^([IXYZ])\(?(\d+)\)?$/.exec(token);
      if (!match) {
        throw new QDistillError(
          'E_OBSERVABLE',
          `${where}: cannot read "${token}" in Pauli word "${word}" (expected a letter I/X/Y/Z followed by a wire, e.g. "Z0 X1 Y3", or "I")`,
        );
      }
      const wire = Number(match[2]);
      if (wire >= numQubits) {
        throw new QDistillError(
          'E_WIRE_RANGE',
          `${where}: wire ${wire} in Pauli word "${word}" is out of range for a ${numQubits}-qubit Hamiltonian (valid 0..${numQubits - 1})`,
        );
      }
      if (seen.has(wire)) throw new QDistillError('E_DUPLICATE_WIRES', `${where}: wire ${wire} appears more than once in Pauli word "${word}"`);
      seen.add(wire);
      if (match[1] !== 'I') pairs.push([wire, match[1] as PauliLetter]);
    }
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return { wires: pairs.map((p) => p[0]), letters: pairs.map((p) => p[1]) };
}

/**
 * Engine term records (see `assembly/hamiltonian.ts`), sorted by xMask so that
 * terms sharing an xMask form one group. `coefRe/coefIm` hold c·i^{#Y}.
 *
 * @example
 * ```ts
 * const { numTerms, xMask, zMask } = h.pack();
 * ```
 */
export interface PackedPauliSum {
  readonly numQubits: number;
  readonly numTerms: number;
  /** 8 uint32 per term: xMask, zMask, 0, 0, then the two f64 coefficient halves (viewed via `f64`). */
  readonly bytes: ArrayBuffer;
  readonly xMask: Uint32Array;
  readonly zMask: Uint32Array;
  readonly coefRe: Float64Array;
  readonly coefIm: Float64Array;
}

/**
 * Bytes per packed term record.
 *
 * @example
 * ```ts
 * const ptr = kernel.alloc(h.pack().numTerms * PAULI_TERM_BYTES);
 * ```
 */
export const PAULI_TERM_BYTES = 32;

/**
 * A Hermitian Pauli-sum Hamiltonian on `numQubits` wires: H = Σ_k c_k P_k,
 * c_k real, P_k a tensor product of X/Y/Z on distinct wires (identity
 * elsewhere). Immutable.
 *
 * @example
 * ```ts
 * const h = new Hamiltonian(3, [[-1, 'Z0 X1 Z2'], [-0.5, 'X0'], [-0.5, 'X1'], [-0.5, 'X2']]);
 * h.toString(); // "-1 Z0 X1 Z2 - 0.5 X0 - 0.5 X1 - 0.5 X2"
 * ```
 */
export class Hamiltonian {
  readonly numQubits: number;
  readonly terms: readonly HamiltonianTerm[];
  private packedCache: PackedPauliSum | undefined;

  /**
   * @throws QDistillError `E_INVALID_ARGUMENT` (bad qubit count or term shape),
   *   `E_NON_FINITE` (coefficient), `E_OBSERVABLE` (unreadable word),
   *   `E_WIRE_RANGE`, `E_DUPLICATE_WIRES`.
   */
  constructor(numQubits: number, terms: Iterable<HamiltonianTermInput>) {
    if (!Number.isInteger(numQubits) || numQubits < 1 || numQubits > MAX_HAMILTONIAN_QUBITS) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `Hamiltonian: numQubits must be an integer in 1..${MAX_HAMILTONIAN_QUBITS}, got ${numQubits}`,
      );
    }
    this.numQubits = numQubits;
    const out: HamiltonianTerm[] = [];
    let k = 0;
    for (const term of terms) {
      const where = `Hamiltonian term ${k}`;
      let coefficient: unknown;
      let word: unknown;
      if (Array.isArray(term)) [coefficient, word] = term as [unknown, unknown];
      else if (term && typeof term === 'object') ({ coefficient, word } = term as { coefficient: unknown; word: unknown });
      if (typeof coefficient !== 'number' || typeof word !== 'string') {
        throw new QDistillError(
          'E_INVALID_ARGUMENT',
          `${where}: expected [coefficient, "Pauli word"] or { coefficient, word }, got ${JSON.stringify(term)}`,
        );
      }
      if (!Number.isFinite(coefficient)) throw new QDistillError('E_NON_FINITE', `${where}: coefficient is ${coefficient}; expected a finite real number`);
      const { letters, wires } = parseWord(word, numQubits, where);
      out.push(Object.freeze({ coefficient, letters: Object.freeze(letters), wires: Object.freeze(wires) }));
      k++;
    }
    this.terms = Object.freeze(out);
  }

  /**
   * Builds a Hamiltonian from {@link Hamiltonian.toJSON} output.
   *
   * @example
   * ```ts
   * const copy = Hamiltonian.fromJSON(JSON.parse(JSON.stringify(h)));
   * ```
   * @throws QDistillError `E_CONFIG` if the object does not have the JSON shape.
   */
  static fromJSON(json: HamiltonianJSON): Hamiltonian {
    if (!json || typeof json !== 'object' || !Array.isArray(json.terms)) {
      throw new QDistillError('E_CONFIG', `Hamiltonian.fromJSON: expected { numQubits, terms: [[coefficient, word], …] }, got ${JSON.stringify(json)}`);
    }
    return new Hamiltonian(json.numQubits, json.terms);
  }

  /**
   * The Pauli word of term k, e.g. `"Z0 X1 Z2"` (`"I"` for the identity).
   *
   * @example
   * ```ts
   * new Hamiltonian(2, [[1, 'X1 Z0']]).word(0); // "Z0 X1"
   * ```
   */
  word(k: number): string {
    const term = this.terms[k];
    if (!term) throw new QDistillError('E_INVALID_ARGUMENT', `Hamiltonian.word: term index ${k} out of range 0..${this.terms.length - 1}`);
    return term.letters.length === 0 ? 'I' : term.letters.map((l, i) => `${l}${term.wires[i]}`).join(' ');
  }

  /**
   * True if the matrix is real in the computational basis (every term has an
   * even number of Y letters). Real Hamiltonians have real eigenvectors.
   *
   * @example
   * ```ts
   * new Hamiltonian(1, [[1, 'Y0']]).isReal(); // false
   * ```
   */
  isReal(): boolean {
    return this.terms.every((t) => t.letters.filter((l) => l === 'Y').length % 2 === 0);
  }

  /**
   * True if H commutes with the bit flip X^{mask} (the product of X on the
   * wires whose index bits are set in `mask`): every term has an even number
   * of Z/Y letters on those wires.
   *
   * @example
   * ```ts
   * const parity = 0b111; // X0 X1 X2 on 3 qubits
   * new Hamiltonian(3, [[1, 'Z0 Z1']]).commutesWithFlip(parity); // true
   * ```
   */
  commutesWithFlip(mask: number): boolean {
    const packed = this.pack();
    for (let k = 0; k < packed.numTerms; k++) if (popcount(packed.zMask[k]! & mask) % 2 !== 0) return false;
    return true;
  }

  /**
   * `"c0 P0 + c1 P1 …"` with signs folded in.
   *
   * @example
   * ```ts
   * String(new Hamiltonian(2, [[-1, 'Z0 Z1'], [0.5, 'X0']])); // "-1 Z0 Z1 + 0.5 X0"
   * ```
   */
  toString(): string {
    return this.terms
      .map((t, k) => {
        const c = t.coefficient;
        const text = `${Math.abs(c)} ${this.word(k)}`;
        if (k === 0) return c < 0 ? `-${text}` : text;
        return c < 0 ? ` - ${text}` : ` + ${text}`;
      })
      .join('');
  }

  /**
   * Plain JSON: `{ numQubits, terms: [[coefficient, word], …] }`.
   *
   * @example
   * ```ts
   * JSON.stringify(new Hamiltonian(1, [[2, 'Z0']])); // '{"numQubits":1,"terms":[[2,"Z0"]]}'
   * ```
   */
  toJSON(): HamiltonianJSON {
    return { numQubits: this.numQubits, terms: this.terms.map((t, k) => [t.coefficient, this.word(k)]) };
  }

  /**
   * The engine's packed term records (cached): terms stably sorted by xMask,
   * wire w → index bit n−1−w, coefficient c·i^{#Y}.
   *
   * @example
   * ```ts
   * const packed = h.pack(); packed.numTerms; // number of terms
   * ```
   */
  pack(): PackedPauliSum {
    if (this.packedCache) return this.packedCache;
    const n = this.numQubits;
    // Zero-coefficient terms contribute nothing (states are validated finite), so they are not packed.
    const records = this.terms.filter((t) => t.coefficient !== 0).map((t) => {
      let xMask = 0;
      let zMask = 0;
      let numY = 0;
      t.letters.forEach((letter, i) => {
        const bit = 2 ** wireBit(n, t.wires[i]!);
        if (letter === 'X' || letter === 'Y') xMask += bit;
        if (letter === 'Z' || letter === 'Y') zMask += bit;
        if (letter === 'Y') numY++;
      });
      // i^{#Y}: 1, i, -1, -i
      const c = t.coefficient;
      const phase = numY % 4;
      const re = phase === 0 ? c : phase === 2 ? -c : 0;
      const im = phase === 1 ? c : phase === 3 ? -c : 0;
      return { xMask, zMask, re, im };
    });
    const order = records.map((_, i) => i).sort((a, b) => records[a]!.xMask - records[b]!.xMask || a - b);
    const bytes = new ArrayBuffer(Math.max(1, records.length) * PAULI_TERM_BYTES);
    const u32 = new Uint32Array(bytes);
    const f64 = new Float64Array(bytes);
    const xMask = new Uint32Array(records.length);
    const zMask = new Uint32Array(records.length);
    const coefRe = new Float64Array(records.length);
    const coefIm = new Float64Array(records.length);
    order.forEach((src, k) => {
      const r = records[src]!;
      u32[k * 8] = r.xMask;
      u32[k * 8 + 1] = r.zMask;
      f64[k * 4 + 2] = r.re;
      f64[k * 4 + 3] = r.im;
      xMask[k] = r.xMask;
      zMask[k] = r.zMask;
      coefRe[k] = r.re;
      coefIm[k] = r.im;
    });
    this.packedCache = Object.freeze({ numQubits: n, numTerms: records.length, bytes, xMask, zMask, coefRe, coefIm });
    return this.packedCache;
  }
}

function popcount(v: number): number {
  let x = v >>> 0;
  let count = 0;
  while (x) {
    x &= x - 1;
    count++;
  }
  return count;
}

function parity(v: number): number {
  return popcount(v) & 1;
}

/**
 * Checks that `state` is a finite complex vector of 2^numQubits amplitudes.
 *
 * @example
 * ```ts
 * checkState({ re, im }, 3, 'my function'); // throws E_SHAPE unless re/im have 8 entries
 * ```
 */
export function checkState(state: ComplexState, numQubits: number, where: string): void {
  const dim = 2 ** numQubits;
  if (!state || !(state.re instanceof Float64Array) || !(state.im instanceof Float64Array)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: expected a state { re: Float64Array, im: Float64Array }`);
  }
  if (state.re.length !== dim || state.im.length !== dim) {
    throw new QDistillError(
      'E_SHAPE',
      `${where}: a ${numQubits}-qubit state needs ${dim} amplitudes, got re ${state.re.length} and im ${state.im.length}`,
    );
  }
  assertAllFinite(state.re, `${where} (state.re)`);
  assertAllFinite(state.im, `${where} (state.im)`);
}

/**
 * (Hψ)[j] as the kernel computes it: for each group of terms sharing an xMask
 * (in packed order), g = Σ_k ±c'_k (sign (−1)^{popcount((j⊕x)∧z_k)}, summed
 * in term order from 0), then acc += g·ψ[j⊕x] with
 * (a+ib)(c+id) = (ac + (−b)d) + i(ad + bc); acc starts at 0.
 */
function referenceRow(packed: PackedPauliSum, state: ComplexState, j: number, out: Float64Array): void {
  let accRe = 0;
  let accIm = 0;
  let k = 0;
  while (k < packed.numTerms) {
    const x = packed.xMask[k]!;
    const src = (j ^ x) >>> 0;
    let gr = 0;
    let gi = 0;
    do {
      const neg = parity(src & packed.zMask[k]!) === 1;
      gr += neg ? -packed.coefRe[k]! : packed.coefRe[k]!;
      gi += neg ? -packed.coefIm[k]! : packed.coefIm[k]!;
      k++;
    } while (k < packed.numTerms && packed.xMask[k] === x);
    const ar = state.re[src]!;
    const ai = state.im[src]!;
    accRe += gr * ar + -gi * ai;
    accIm += gr * ai + gi * ar;
  }
  out[0] = accRe;
  out[1] = accIm;
}

/**
 * H·ψ in plain TypeScript: the reference that defines what the WebAssembly
 * kernel computes, with the same operations in the same order, so the results
 * are bit-identical. For each index j and each group of terms sharing an
 * xMask (in packed order): g = Σ_k ±c'_k with sign (−1)^{popcount((j⊕x)∧z_k)}
 * summed in term order from 0; then (Hψ)[j] += g·ψ[j⊕x], starting from 0.
 *
 * @example
 * ```ts
 * const h = new Hamiltonian(1, [[1, 'X0']]);
 * applyPauliSumReference(h, { re: new Float64Array([1, 0]), im: new Float64Array(2) }).re; // [0, 1]
 * ```
 * @throws QDistillError `E_SHAPE` / `E_NON_FINITE` for a bad state.
 */
export function applyPauliSumReference(h: Hamiltonian, state: ComplexState): ComplexState {
  checkState(state, h.numQubits, 'applyPauliSumReference');
  const packed = h.pack();
  const dim = 2 ** h.numQubits;
  const re = new Float64Array(dim);
  const im = new Float64Array(dim);
  const row = new Float64Array(2);
  for (let j = 0; j < dim; j++) {
    referenceRow(packed, state, j, row);
    re[j] = row[0]!;
    im[j] = row[1]!;
  }
  return { re, im };
}

/**
 * Re⟨ψ|H|ψ⟩ in plain TypeScript, in the kernel's summation order: with
 * h = (Hψ)[j], the products ψ[j].re·h.re and ψ[j].im·h.im are accumulated
 * separately for even and odd j (four running sums), then
 * (even.re + odd.re) + (even.im + odd.im).
 *
 * @example
 * ```ts
 * expectationReference(new Hamiltonian(1, [[1, 'Z0']]), { re: new Float64Array([1, 0]), im: new Float64Array(2) }); // 1
 * ```
 * @throws QDistillError `E_SHAPE` / `E_NON_FINITE` for a bad state.
 */
export function expectationReference(h: Hamiltonian, state: ComplexState): number {
  checkState(state, h.numQubits, 'expectationReference');
  const packed = h.pack();
  const dim = 2 ** h.numQubits;
  const acc = [0, 0, 0, 0]; // even re, even im, odd re, odd im
  const row = new Float64Array(2);
  for (let j = 0; j < dim; j++) {
    referenceRow(packed, state, j, row);
    const lane = (j & 1) * 2;
    acc[lane] = acc[lane]! + state.re[j]! * row[0]!;
    acc[lane + 1] = acc[lane + 1]! + state.im[j]! * row[1]!;
  }
  return acc[0]! + acc[2]! + (acc[1]! + acc[3]!);
}

/**
 * Options for {@link PauliSumOperator.create} and the one-shot helpers.
 *
 * @example
 * ```ts
 * const op = await PauliSumOperator.create(h, { kernel: await createKernel() });
 * ```
 */
export interface OperatorOptions {
  /** Engine instance to run on; a new one is created if omitted. */
  kernel?: Kernel;
}

/**
 * A Hamiltonian bound to a WebAssembly engine instance, with its term
 * records and two state buffers allocated once in engine memory. Use it for
 * repeated H·ψ (Lanczos does hundreds). Call {@link dispose} to free the
 * engine memory.
 *
 * @example
 * ```ts
 * const op = await PauliSumOperator.create(h);
 * const hPsi = op.apply(psi);
 * const energy = op.expectation(psi);
 * op.dispose();
 * ```
 */
export class PauliSumOperator {
  readonly hamiltonian: Hamiltonian;
  readonly kernel: Kernel;
  readonly numQubits: number;
  /** 2^numQubits. */
  readonly dimension: number;
  private termsPtr: number;
  private inPtr: number;
  private outPtr: number;
  private scratchPtr: number;
  private disposed = false;

  private constructor(h: Hamiltonian, kernel: Kernel) {
    this.hamiltonian = h;
    this.kernel = kernel;
    this.numQubits = h.numQubits;
    this.dimension = 2 ** h.numQubits;
    const packed = h.pack();
    const where = `PauliSumOperator (${h.numQubits} qubits)`;
    this.termsPtr = kernel.alloc(packed.bytes.byteLength, `${where} terms`);
    new Uint8Array(kernel.exports.memory.buffer, this.termsPtr, packed.bytes.byteLength).set(new Uint8Array(packed.bytes));
    this.inPtr = kernel.alloc(this.dimension * 16, `${where} input state`);
    this.outPtr = kernel.alloc(this.dimension * 16, `${where} output state`);
    this.scratchPtr = kernel.alloc(32, `${where} scratch`);
  }

  /**
   * Binds `h` to `options.kernel` (or a new engine instance).
   *
   * @example
   * ```ts
   * const op = await PauliSumOperator.create(h, { kernel: await createKernel() });
   * ```
   * @throws QDistillError `E_OUT_OF_MEMORY` if two states do not fit engine memory.
   */
  static async create(h: Hamiltonian, options: OperatorOptions = {}): Promise<PauliSumOperator> {
    if (!(h instanceof Hamiltonian)) throw new QDistillError('E_INVALID_ARGUMENT', 'PauliSumOperator.create: expected a Hamiltonian');
    const kernel = options.kernel ?? (await createKernel());
    return new PauliSumOperator(h, kernel);
  }

  /**
   * out = H·input on interleaved complex vectors (re, im, re, im, …; length
   * 2·2^n). This is the hot path used by the Lanczos solver: no validation
   * beyond lengths.
   *
   * @example
   * ```ts
   * const input = new Float64Array(2 * op.dimension); input[0] = 1; // |0…0⟩
   * const output = new Float64Array(2 * op.dimension);
   * op.applyInterleaved(input, output);
   * ```
   * @throws QDistillError `E_SHAPE` on wrong lengths, `E_INVALID_ARGUMENT` after dispose.
   */
  applyInterleaved(input: Float64Array, output: Float64Array): void {
    this.assertLive();
    const length = 2 * this.dimension;
    if (input.length !== length || output.length !== length) {
      throw new QDistillError(
        'E_SHAPE',
        `PauliSumOperator.applyInterleaved: expected interleaved vectors of ${length} doubles (2·2^${this.numQubits}), got ${input.length} and ${output.length}`,
      );
    }
    const k = this.kernel;
    k.f64(this.inPtr, length).set(input);
    const packed = this.hamiltonian.pack();
    k.run('pauliSumApply', (ex) => ex.pauliSumApply(this.inPtr, this.outPtr, this.numQubits, this.termsPtr, packed.numTerms));
    output.set(k.f64(this.outPtr, length));
  }

  /**
   * True if H is a real matrix (see {@link Hamiltonian.isReal}); the Lanczos
   * solver then works in real arithmetic.
   *
   * @example
   * ```ts
   * op.isReal; // true for the ZXZ Hamiltonian
   * ```
   */
  get isReal(): boolean {
    return this.hamiltonian.isReal();
  }

  /**
   * Whether H commutes with the bit flip X^{mask} (see {@link Hamiltonian.commutesWithFlip}).
   *
   * @example
   * ```ts
   * op.commutesWithFlip(op.dimension - 1); // global parity Π X
   * ```
   */
  commutesWithFlip(mask: number): boolean {
    return this.hamiltonian.commutesWithFlip(mask);
  }

  /**
   * Zero-copy input: a fresh view of the engine input buffer (interleaved,
   * 2·2^n doubles) that the next {@link applyBuffer} reads. Do not keep it
   * across other engine calls.
   *
   * @example
   * ```ts
   * op.inputBuffer().set(interleavedPsi);
   * const hPsi = op.applyBuffer();
   * ```
   */
  inputBuffer(): Float64Array {
    this.assertLive();
    return this.kernel.f64(this.inPtr, 2 * this.dimension);
  }

  /**
   * Zero-copy apply: computes H·(input buffer) in the engine and returns a
   * fresh view of the output buffer (valid until the next engine call).
   *
   * @example
   * ```ts
   * const hPsi = op.applyBuffer().slice();
   * ```
   */
  applyBuffer(): Float64Array {
    this.assertLive();
    const packed = this.hamiltonian.pack();
    this.kernel.run('pauliSumApply', (ex) => ex.pauliSumApply(this.inPtr, this.outPtr, this.numQubits, this.termsPtr, packed.numTerms));
    return this.kernel.f64(this.outPtr, 2 * this.dimension);
  }

  /**
   * Zero-copy partial apply: rows [rowStart, rowStart + rowCount) of
   * H·(input buffer), returned as a fresh view of 2·rowCount doubles (valid
   * until the next engine call). rowStart and rowCount must be even (or cover
   * the whole 2-amplitude state).
   *
   * @example
   * ```ts
   * const firstQuarter = op.applyRowsBuffer(0, op.dimension / 4);
   * ```
   * @throws QDistillError `E_INVALID_ARGUMENT` for a bad row range.
   */
  applyRowsBuffer(rowStart: number, rowCount: number): Float64Array {
    this.assertLive();
    if (
      !Number.isInteger(rowStart) ||
      !Number.isInteger(rowCount) ||
      rowStart < 0 ||
      rowCount < 2 ||
      rowStart % 2 !== 0 ||
      rowCount % 2 !== 0 ||
      rowStart + rowCount > this.dimension
    ) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `PauliSumOperator.applyRowsBuffer: rows [${rowStart}, ${rowStart + rowCount}) must be an even-aligned, even-length range within 0..${this.dimension}`,
      );
    }
    const packed = this.hamiltonian.pack();
    this.kernel.run('pauliSumApplyRows', (ex) =>
      ex.pauliSumApplyRows(this.inPtr, this.outPtr, this.numQubits, this.termsPtr, packed.numTerms, rowStart, rowCount),
    );
    return this.kernel.f64(this.outPtr, 2 * rowCount);
  }

  /**
   * H·ψ as a new state.
   *
   * @example
   * ```ts
   * const hPsi = op.apply({ re, im });
   * ```
   * @throws QDistillError `E_SHAPE` / `E_NON_FINITE` for a bad state.
   */
  apply(state: ComplexState): ComplexState {
    this.assertLive();
    checkState(state, this.numQubits, 'PauliSumOperator.apply');
    this.load(state);
    const packed = this.hamiltonian.pack();
    this.kernel.run('pauliSumApply', (ex) => ex.pauliSumApply(this.inPtr, this.outPtr, this.numQubits, this.termsPtr, packed.numTerms));
    const view = this.kernel.f64(this.outPtr, 2 * this.dimension);
    const re = new Float64Array(this.dimension);
    const im = new Float64Array(this.dimension);
    for (let j = 0; j < this.dimension; j++) {
      re[j] = view[2 * j]!;
      im[j] = view[2 * j + 1]!;
    }
    return { re, im };
  }

  /**
   * ⟨ψ|H|ψ⟩ (real because H is Hermitian). ψ is used as given, not normalised.
   *
   * @example
   * ```ts
   * const energy = op.expectation(groundState);
   * ```
   * @throws QDistillError `E_SHAPE` / `E_NON_FINITE` for a bad state.
   */
  expectation(state: ComplexState): number {
    this.assertLive();
    checkState(state, this.numQubits, 'PauliSumOperator.expectation');
    this.load(state);
    const packed = this.hamiltonian.pack();
    return this.kernel.run('pauliSumExpectation', (ex) => ex.pauliSumExpectation(this.inPtr, this.numQubits, this.termsPtr, packed.numTerms, this.scratchPtr));
  }

  /**
   * Frees the engine memory; the operator cannot be used afterwards.
   *
   * @example
   * ```ts
   * op.dispose();
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.kernel.retired) return;
    this.kernel.free(this.scratchPtr);
    this.kernel.free(this.outPtr);
    this.kernel.free(this.inPtr);
    this.kernel.free(this.termsPtr);
  }

  private load(state: ComplexState): void {
    const view = this.kernel.f64(this.inPtr, 2 * this.dimension);
    for (let j = 0; j < this.dimension; j++) {
      view[2 * j] = state.re[j]!;
      view[2 * j + 1] = state.im[j]!;
    }
  }

  private assertLive(): void {
    if (this.disposed) throw new QDistillError('E_INVALID_ARGUMENT', 'PauliSumOperator: used after dispose()');
  }
}

/**
 * H·ψ on the WebAssembly engine (one-shot; for repeated use bind a
 * {@link PauliSumOperator}).
 *
 * @example
 * ```ts
 * const hPsi = await applyHamiltonian(h, psi);
 * ```
 */
export async function applyHamiltonian(h: Hamiltonian, state: ComplexState, options: OperatorOptions = {}): Promise<ComplexState> {
  const op = await PauliSumOperator.create(h, options);
  try {
    return op.apply(state);
  } finally {
    op.dispose();
  }
}

/**
 * ⟨ψ|H|ψ⟩ on the WebAssembly engine (one-shot).
 *
 * @example
 * ```ts
 * const energy = await expectationValue(h, psi);
 * ```
 */
export async function expectationValue(h: Hamiltonian, state: ComplexState, options: OperatorOptions = {}): Promise<number> {
  const op = await PauliSumOperator.create(h, options);
  try {
    return op.expectation(state);
  } finally {
    op.dispose();
  }
}
