// Pauli-sum Hamiltonians: parsing and validation, H·ψ and ⟨H⟩ in the
// WebAssembly engine against the plain-TypeScript reference (bit for bit) and
// against dense matrices built independently, and the Lanczos solver against
// a dense eigen-decomposition (ml-matrix) and an exactly solvable 20-qubit model.
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Hamiltonian,
  PauliSumOperator,
  applyHamiltonian,
  applyPauliSumReference,
  expectationReference,
  expectationValue,
  type ComplexState,
} from '../../sdk/data/hamiltonian.js';
import { lanczos, type HermitianOperator } from '../../sdk/data/lanczos.js';
import { Random } from '../../sdk/util/random.js';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { denseMatrix, expectError, randomTerms } from './helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await createKernel();
});

function randomState(rng: Random, numQubits: number): ComplexState {
  const dim = 2 ** numQubits;
  return { re: Float64Array.from({ length: dim }, () => rng.normal()), im: Float64Array.from({ length: dim }, () => rng.normal()) };
}

function denseApply(m: { re: number[][]; im: number[][] }, s: ComplexState): ComplexState {
  const dim = s.re.length;
  const re = new Float64Array(dim);
  const im = new Float64Array(dim);
  for (let r = 0; r < dim; r++) {
    for (let c = 0; c < dim; c++) {
      re[r] += m.re[r]![c]! * s.re[c]! - m.im[r]![c]! * s.im[c]!;
      im[r] += m.re[r]![c]! * s.im[c]! + m.im[r]![c]! * s.re[c]!;
    }
  }
  return { re, im };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('Hamiltonian', () => {
  it('parses Pauli words with wire 0 as the most significant bit and prints them back', () => {
    const h = new Hamiltonian(3, [[-1, 'Z0 X1 Z2'], { coefficient: 0.5, word: 'X2 Y0' }, [2, 'I']]);
    expect(h.word(0)).toBe('Z0 X1 Z2');
    expect(h.word(1)).toBe('Y0 X2');
    expect(h.word(2)).toBe('I');
    expect(String(h)).toBe('-1 Z0 X1 Z2 + 0.5 Y0 X2 + 2 I');
    expect(Hamiltonian.fromJSON(JSON.parse(JSON.stringify(h))).toJSON()).toEqual(h.toJSON());
    const packed = new Hamiltonian(3, [[1, 'X0']]).pack();
    expect(packed.xMask[0]).toBe(0b100); // wire 0 ↔ bit n−1
    expect(h.isReal()).toBe(false);
    expect(new Hamiltonian(2, [[1, 'Y0 Y1'], [1, 'Z0']]).isReal()).toBe(true);
  });

  it('rejects bad words, wires, coefficients and sizes with typed errors', () => {
    expectError(() => new Hamiltonian(3, [[1, 'Q0']]), 'E_OBSERVABLE', /term 0/, /"Q0"/);
    expectError(() => new Hamiltonian(3, [[1, 'X3']]), 'E_WIRE_RANGE', /wire 3/, /0\.\.2/);
    expectError(() => new Hamiltonian(3, [[1, 'X1 Z1']]), 'E_DUPLICATE_WIRES', /wire 1/);
    expectError(() => new Hamiltonian(3, [[Number.NaN, 'X1']]), 'E_NON_FINITE', /coefficient/);
    expectError(() => new Hamiltonian(0, []), 'E_INVALID_ARGUMENT', /numQubits/);
    expectError(() => new Hamiltonian(2, [[1, 2] as unknown as [number, string]]), 'E_INVALID_ARGUMENT', /term 0/);
    expectError(() => Hamiltonian.fromJSON({} as never), 'E_CONFIG');
  });

  it('checks commutation with bit flips', () => {
    const h = new Hamiltonian(3, [[1, 'Z0 Z2'], [1, 'X1']]);
    expect(h.commutesWithFlip(0b101)).toBe(true); // X0 X2
    expect(h.commutesWithFlip(0b100)).toBe(false); // X0 anticommutes with Z0 Z2
  });
});

describe('H·ψ in the WebAssembly engine', () => {
  it('is bit-identical to the TypeScript reference on random Pauli sums with Y terms, 1 to 9 qubits', async () => {
    const rng = new Random(11);
    for (let n = 1; n <= 9; n++) {
      for (let trial = 0; trial < 3; trial++) {
        const h = new Hamiltonian(n, randomTerms(() => rng.uniform(), n, 3 + rng.int(12)));
        const psi = randomState(rng, n);
        const op = await PauliSumOperator.create(h, { kernel });
        const engine = op.apply(psi);
        const reference = applyPauliSumReference(h, psi);
        for (let j = 0; j < psi.re.length; j++) {
          expect(Object.is(engine.re[j], reference.re[j]) && Object.is(engine.im[j], reference.im[j]), `n=${n} trial ${trial} amplitude ${j}`).toBe(true);
        }
        expect(op.expectation(psi)).toBe(expectationReference(h, psi));
        op.dispose();
      }
    }
  });

  it('matches a dense Kronecker-product matrix, including every single-wire Pauli on every wire', async () => {
    const rng = new Random(12);
    for (const n of [1, 2, 3, 5]) {
      const terms = randomTerms(() => rng.uniform(), n, 10);
      for (let w = 0; w < n; w++) for (const l of 'XYZ') terms.push([rng.uniform(-1, 1), `${l}${w}`]);
      const h = new Hamiltonian(n, terms);
      const psi = randomState(rng, n);
      const expected = denseApply(denseMatrix(n, terms), psi);
      const got = await applyHamiltonian(h, psi, { kernel });
      expect(maxDiff(got.re, expected.re), `n=${n} re`).toBeLessThan(1e-12);
      expect(maxDiff(got.im, expected.im), `n=${n} im`).toBeLessThan(1e-12);
      // ⟨ψ|H|ψ⟩ = Re Σ conj(ψ_j)(Hψ)_j
      let dense = 0;
      for (let j = 0; j < psi.re.length; j++) dense += psi.re[j]! * expected.re[j]! + psi.im[j]! * expected.im[j]!;
      expect(Math.abs((await expectationValue(h, psi, { kernel })) - dense)).toBeLessThan(1e-11);
    }
  });

  it('computes any even row range equal to the corresponding rows of the full product', async () => {
    const rng = new Random(13);
    const n = 6;
    const h = new Hamiltonian(n, randomTerms(() => rng.uniform(), n, 9));
    const psi = randomState(rng, n);
    const op = await PauliSumOperator.create(h, { kernel });
    const full = op.apply(psi);
    const input = op.inputBuffer();
    for (let j = 0; j < 64; j++) {
      input[2 * j] = psi.re[j]!;
      input[2 * j + 1] = psi.im[j]!;
    }
    const rows = op.applyRowsBuffer(16, 20).slice();
    for (let k = 0; k < 20; k++) {
      expect(rows[2 * k]).toBe(full.re[16 + k]);
      expect(rows[2 * k + 1]).toBe(full.im[16 + k]);
    }
    expectError(() => op.applyRowsBuffer(1, 4), 'E_INVALID_ARGUMENT', /even/);
    op.dispose();
    expectError(() => op.apply(psi), 'E_INVALID_ARGUMENT', /dispose/);
  });

  it('validates states: wrong length and non-finite amplitudes', async () => {
    const op = await PauliSumOperator.create(new Hamiltonian(2, [[1, 'X0']]), { kernel });
    expectError(() => op.apply({ re: new Float64Array(3), im: new Float64Array(3) }), 'E_SHAPE', /4 amplitudes/);
    expectError(() => op.expectation({ re: Float64Array.of(1, 0, 0, Number.NaN), im: new Float64Array(4) }), 'E_NON_FINITE', /entry 3/);
    op.dispose();
  });
});

/** Eigenvalues (ascending) of a dense Hermitian matrix: real symmetric directly, complex via the 2N real embedding. */
function denseEigenvalues(m: { re: number[][]; im: number[][] }): number[] {
  const dim = m.re.length;
  const complex = m.im.some((row) => row.some((v) => v !== 0));
  if (!complex) return [...new EigenvalueDecomposition(new Matrix(m.re), { assumeSymmetric: true }).realEigenvalues].sort((a, b) => a - b);
  // [[Re, −Im], [Im, Re]] has every eigenvalue of H twice.
  const big: number[][] = [];
  for (let r = 0; r < 2 * dim; r++) {
    const row: number[] = [];
    for (let c = 0; c < 2 * dim; c++) {
      const rr = r % dim;
      const cc = c % dim;
      if (r < dim) row.push(c < dim ? m.re[rr]![cc]! : -m.im[rr]![cc]!);
      else row.push(c < dim ? m.im[rr]![cc]! : m.re[rr]![cc]!);
    }
    big.push(row);
  }
  const all = [...new EigenvalueDecomposition(new Matrix(big), { assumeSymmetric: true }).realEigenvalues].sort((a, b) => a - b);
  return all.filter((_, i) => i % 2 === 0);
}

function residual(op: PauliSumOperator, v: ComplexState, lambda: number): number {
  const hv = op.apply(v);
  let r = 0;
  for (let j = 0; j < v.re.length; j++) r += (hv.re[j]! - lambda * v.re[j]!) ** 2 + (hv.im[j]! - lambda * v.im[j]!) ** 2;
  return Math.sqrt(r);
}

describe('Lanczos', () => {
  it('finds the lowest eigenvalues of random real and complex Pauli sums like a dense eigen-decomposition (4–6 qubits)', async () => {
    const rng = new Random(21);
    for (const n of [4, 5, 6]) {
      for (const letters of ['IXZ', 'IXYZ']) {
        const terms = randomTerms(() => rng.uniform(), n, 4 * n, letters);
        const h = new Hamiltonian(n, terms);
        const exact = denseEigenvalues(denseMatrix(n, terms));
        const op = await PauliSumOperator.create(h, { kernel });
        for (const exhaustBelow of [256, 0]) {
          const result = lanczos(op, { numEigenpairs: 3, numEigenvectors: 3, tolerance: 1e-10, exhaustBelow, seed: 5 });
          const label = `n=${n} ${letters} exhaustBelow=${exhaustBelow}`;
          for (let i = 0; i < 3; i++) expect(Math.abs(result.eigenvalues[i]! - exact[i]!), `${label} eigenvalue ${i}`).toBeLessThan(1e-9);
          result.eigenvectors.forEach((v, i) => {
            expect(residual(op, v, result.eigenvalues[i]!), `${label} residual ${i}`).toBeLessThan(1e-8);
            const norm = v.re.reduce((a, x, j) => a + x * x + v.im[j]! ** 2, 0);
            expect(Math.abs(norm - 1)).toBeLessThan(1e-12);
          });
          if (exhaustBelow > 0) expect(result.exhausted).toBe(true);
        }
        op.dispose();
      }
    }
  });

  it('finds degenerate eigenvalues with their multiplicity when the space is exhausted', async () => {
    // Z0 + Z1 on 3 qubits: eigenvalues −2 (×2), 0 (×4), 2 (×2).
    const op = await PauliSumOperator.create(new Hamiltonian(3, [[1, 'Z0'], [1, 'Z1']]), { kernel });
    const result = lanczos(op, { numEigenpairs: 4 });
    expect(result.eigenvalues.map((e) => Math.round(e * 1e9) / 1e9 + 0)).toEqual([-2, -2, 0, 0]);
    op.dispose();
  });

  it('restricts to bit-flip symmetry sectors whose union is the full spectrum', async () => {
    const rng = new Random(22);
    const n = 5;
    const flip = 0b10110;
    // Terms commuting with X^flip: an even number of Z/Y letters on the flipped wires.
    const terms: Array<[number, string]> = [];
    while (terms.length < 14) {
      const [t] = randomTerms(() => rng.uniform(), n, 1);
      const h1 = new Hamiltonian(n, [t!]);
      if (h1.commutesWithFlip(flip)) terms.push(t!);
    }
    const h = new Hamiltonian(n, terms);
    const op = await PauliSumOperator.create(h, { kernel });
    const exact = denseEigenvalues(denseMatrix(n, terms));
    const plus = lanczos(op, { numEigenpairs: 16, sector: { masks: [flip], eigenvalues: [1] } });
    const minus = lanczos(op, { numEigenpairs: 16, sector: { masks: [flip], eigenvalues: [-1] } });
    expect(plus.searchDimension).toBe(16);
    const merged = [...plus.eigenvalues, ...minus.eigenvalues].sort((a, b) => a - b);
    expect(maxDiff(merged, exact)).toBeLessThan(1e-10);
    // Eigenvectors lie in their sector: X^flip v = λ v.
    const v = plus.eigenvectors[0]!;
    for (let j = 0; j < 32; j++) expect(v.re[j ^ flip]).toBeCloseTo(v.re[j]!, 12);
    expectError(() => lanczos(op, { sector: { masks: [0b00001], eigenvalues: [1] } }), 'E_INVALID_ARGUMENT', /does not commute/);
    expectError(() => lanczos(op, { sector: { masks: [flip, flip], eigenvalues: [1, 1] } }), 'E_INVALID_ARGUMENT', /independent/);
    op.dispose();
  });

  it('throws E_NOT_CONVERGED with the current estimates when the budget is too small', async () => {
    const rng = new Random(23);
    const op = await PauliSumOperator.create(new Hamiltonian(9, randomTerms(() => rng.uniform(), 9, 30)), { kernel });
    let caught: { code?: string; message?: string; details?: { eigenvalues?: number[] } } | undefined;
    try {
      lanczos(op, { maxIterations: 5, exhaustBelow: 0 });
    } catch (e) {
      caught = e as typeof caught;
    }
    expect(caught?.code).toBe('E_NOT_CONVERGED');
    expect(caught?.message).toMatch(/after 5 matrix-vector products/);
    expect(caught?.details?.eigenvalues?.length).toBe(1);
    expectError(() => lanczos(op, { numEigenpairs: 0 }), 'E_INVALID_ARGUMENT', /numEigenpairs/);
    expectError(() => lanczos(op, { tolerance: -1 }), 'E_INVALID_ARGUMENT', /tolerance/);
    op.dispose();
  });

  it('accepts any operator with applyInterleaved (here a diagonal one written in plain TypeScript)', () => {
    const diag = [3, -1, 4, 1.5, -2, 9, 2.6, 5];
    const op: HermitianOperator = {
      dimension: 8,
      isReal: true,
      applyInterleaved(input, output) {
        for (let j = 0; j < 8; j++) {
          output[2 * j] = diag[j]! * input[2 * j]!;
          output[2 * j + 1] = diag[j]! * input[2 * j + 1]!;
        }
      },
    };
    const result = lanczos(op, { numEigenpairs: 2 });
    expect(result.eigenvalues[0]).toBeCloseTo(-2, 12);
    expect(result.eigenvalues[1]).toBeCloseTo(-1, 12);
    expect(Math.abs(result.eigenvectors[0]!.re[4]!)).toBeCloseTo(1, 12);
  });

  it('solves a 20-qubit transverse-field Ising chain to its exact free-fermion ground energy', async () => {
    // H = −Σ Z_i Z_{i+1} − h Σ X_i (open): E0 = −Σ σ_k(M), M bidiagonal (h on the diagonal, 1 above).
    const n = 20;
    const h = 0.5;
    const terms: Array<[number, string]> = [];
    for (let i = 0; i < n - 1; i++) terms.push([-1, `Z${i} Z${i + 1}`]);
    for (let i = 0; i < n; i++) terms.push([-h, `X${i}`]);
    const m = Matrix.zeros(n, n);
    for (let i = 0; i < n; i++) {
      m.set(i, i, h);
      if (i < n - 1) m.set(i, i + 1, 1);
    }
    const exact = -new SingularValueDecomposition(m).diagonal.reduce((a, s) => a + s, 0);
    const op = await PauliSumOperator.create(new Hamiltonian(n, terms), { kernel });
    // The ground state of the chain is even under the global flip Π X_i.
    const result = lanczos(op, { tolerance: 1e-8, sector: { masks: [2 ** n - 1], eigenvalues: [1] } });
    expect(Math.abs(result.eigenvalues[0]! - exact)).toBeLessThan(1e-9);
    expect(result.eigenvectors[0]!.re.length).toBe(2 ** n);
    op.dispose();
  }, 60_000);
});
