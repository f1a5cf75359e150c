/**
 * Lanczos eigensolver for the lowest eigenpairs of a Hermitian operator given
 * only as a matrix-vector product (here: a Pauli sum applied by the
 * WebAssembly engine).
 *
 * - **Full re-orthogonalisation**: every new Krylov vector is orthogonalised
 *   against the whole basis by classical Gram–Schmidt done twice ("CGS2",
 *   as accurate as modified Gram–Schmidt). The projected matrix
 *   T = Vᴴ A V is assembled from those coefficients, so Ritz values are a true
 *   Rayleigh–Ritz projection.
 * - **Thick restart** (Wu & Simon) bounds memory: when the basis reaches
 *   `maxBasisSize` vectors it is compressed to the lowest Ritz vectors plus the
 *   residual direction, and the iteration continues.
 * - **Convergence**: the Ritz pair (θ, y) has residual ‖A y − θ y‖ = β·|s_last|;
 *   the lowest `numEigenpairs` pairs must each reach
 *   `tolerance · max(1, |θ|)`. The eigenvalue error is then at most
 *   residual² / gap (and at most the residual).
 * - **Small spaces are exhausted**: when the (sector) dimension is at most
 *   `exhaustBelow`, the basis is grown to the full dimension (with fresh random
 *   vectors after each invariant subspace), so the result is exact and every
 *   multiplicity is found.
 * - **Bit-flip symmetry sectors**: for an operator that commutes with
 *   X-strings X^{m_i}, `sector` restricts the search to the joint eigenspace
 *   with eigenvalues λ_i = ±1. Vectors are stored by one representative
 *   amplitude per symmetry orbit, so the basis is 2^k times smaller, and
 *   levels in other sectors cannot mix in: near-degenerate levels in different
 *   sectors are resolved exactly.
 *
 * Known limit (as for any single-vector Krylov method): in large spaces an
 * exactly degenerate eigenvalue is found once per Krylov block; copies show
 * up only after an invariant subspace is exhausted. Use a symmetry `sector`
 * (or `exhaustBelow`) when multiplicities matter.
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { QDistillError } from '../errors.js';
import type { ComplexState } from './hamiltonian.js';
import { Random, type Seed } from '../util/random.js';

/**
 * A Hermitian operator on C^dimension, applied to interleaved complex vectors
 * (re, im, re, im, …). Implement `applyInterleaved`, and optionally the
 * zero-copy pair `inputBuffer` / `applyBuffer` (used when present).
 *
 * @example
 * ```ts
 * const diagonal: HermitianOperator = {
 *   dimension: 2,
 *   isReal: true,
 *   applyInterleaved: (x, y) => { y[0] = x[0]; y[1] = x[1]; y[2] = -x[2]; y[3] = -x[3]; },
 * };
 * lanczos(diagonal).eigenvalues; // [-1]
 * ```
 */
export interface HermitianOperator {
  /** Number of complex amplitudes. */
  readonly dimension: number;
  /** True if the matrix is real: real vectors stay real and the solver runs in real arithmetic. */
  readonly isReal?: boolean;
  /** output = A·input (both 2·dimension doubles, interleaved). */
  applyInterleaved(input: Float64Array, output: Float64Array): void;
  /** Optional: a writable view the next {@link applyBuffer} reads. */
  inputBuffer?(): Float64Array;
  /** Optional: computes A·(inputBuffer) and returns a view of the result. */
  applyBuffer?(): Float64Array;
  /** Optional: rows [rowStart, rowStart + rowCount) of A·(inputBuffer) (used for symmetry sectors). */
  applyRowsBuffer?(rowStart: number, rowCount: number): Float64Array;
  /** Optional: whether A commutes with the bit flip X^{mask}; checked for every sector mask when present. */
  commutesWithFlip?(mask: number): boolean;
}

/**
 * A joint eigenspace of commuting bit flips X^{mask} (index-bit masks) with eigenvalues ±1.
 *
 * @example
 * ```ts
 * const evenParity: BitFlipSector = { masks: [2 ** n - 1], eigenvalues: [1] }; // Π X_i = +1
 * ```
 */
export interface BitFlipSector {
  /** Index-bit masks of the symmetry operators (non-zero, linearly independent over GF(2)). */
  masks: readonly number[];
  /** The eigenvalue (+1 or −1) of each mask's operator. */
  eigenvalues: readonly number[];
}

/**
 * Options of {@link lanczos}.
 *
 * @example
 * ```ts
 * lanczos(op, { numEigenpairs: 2, tolerance: 1e-10, maxIterations: 500, seed: 7 });
 * ```
 */
export interface LanczosOptions {
  /** How many of the lowest eigenvalues must converge (default 1). */
  numEigenpairs?: number;
  /** How many eigenvectors to return, lowest first (default 1, at most `numEigenpairs`). */
  numEigenvectors?: number;
  /** Residual tolerance: ‖A y − θ y‖ ≤ tolerance · max(1, |θ|) for each wanted pair (default 1e-10). */
  tolerance?: number;
  /** Maximum number of matrix-vector products (default 3000; never below the dimension when exhausting). */
  maxIterations?: number;
  /** Basis size before a thick restart (default max(24, 2·numEigenpairs + 14), fewer if 256 MiB would not hold them; at least numEigenpairs + 8). */
  maxBasisSize?: number;
  /** Exhaust spaces of at most this dimension for an exact answer (default 256; 0 disables). */
  exhaustBelow?: number;
  /** Seed of the random start vector (default 0). */
  seed?: Seed;
  /** Start vector (full space); projected onto the sector if one is given. */
  startVector?: ComplexState;
  /** Restrict to a bit-flip symmetry sector. */
  sector?: BitFlipSector;
  /** Use complex arithmetic even for a real operator. */
  complex?: boolean;
}

/**
 * Result of {@link lanczos}.
 *
 * @example
 * ```ts
 * const { eigenvalues, residuals, eigenvectors, iterations } = lanczos(op);
 * ```
 */
export interface LanczosResult {
  /** The lowest `numEigenpairs` eigenvalues, ascending. */
  eigenvalues: number[];
  /** Residual norm ‖A y − θ y‖ of each (unit-norm Ritz vectors). */
  residuals: number[];
  /** Unit-norm eigenvectors (full space), lowest first; global phase fixed so the largest amplitude is real positive. */
  eigenvectors: ComplexState[];
  /** Matrix-vector products used. */
  iterations: number;
  /** Thick restarts performed. */
  restarts: number;
  /** Dimension of the searched space (the sector's, if any). */
  searchDimension: number;
  /** True if the whole (sector) space was spanned (the result is exact). */
  exhausted: boolean;
}

const DEFAULT_TOLERANCE = 1e-10;
const DEFAULT_MAX_ITERATIONS = 3000;
const DEFAULT_EXHAUST_BELOW = 256;
const BASIS_BUDGET_BYTES = 256 * 1024 * 1024;

/** Maps a symmetry sector's vectors to one representative amplitude per orbit and back. */
class SectorMap {
  readonly size: number;
  readonly reps: Uint32Array | undefined;
  readonly groupMasks: Uint32Array;
  readonly groupChars: Float64Array;
  /** True if the representatives are exactly 0..size−1. */
  readonly contiguous: boolean;

  constructor(dimension: number, sector: BitFlipSector | undefined) {
    if (!sector || sector.masks.length === 0) {
      this.size = dimension;
      this.reps = undefined;
      this.groupMasks = new Uint32Array([0]);
      this.groupChars = new Float64Array([1]);
      this.contiguous = true;
      return;
    }
    if (!Number.isInteger(Math.log2(dimension))) {
      throw new QDistillError('E_INVALID_ARGUMENT', `lanczos: a symmetry sector needs a power-of-two dimension, got ${dimension}`);
    }
    if (sector.masks.length !== sector.eigenvalues.length) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `lanczos sector: ${sector.masks.length} masks but ${sector.eigenvalues.length} eigenvalues; give one eigenvalue (+1 or -1) per mask`,
      );
    }
    // Reduce the masks to reduced row-echelon form over GF(2) (pivot = highest bit),
    // carrying each row's eigenvalue (products of the original eigenvalues).
    const rows: Array<{ mask: number; char: number; pivot: number }> = [];
    sector.masks.forEach((original, i) => {
      const eigenvalue = sector.eigenvalues[i];
      if (eigenvalue !== 1 && eigenvalue !== -1) {
        throw new QDistillError('E_INVALID_ARGUMENT', `lanczos sector: eigenvalue ${i} is ${eigenvalue}; expected +1 or -1`);
      }
      if (!Number.isInteger(original) || original <= 0 || original >= dimension) {
        throw new QDistillError(
          'E_INVALID_ARGUMENT',
          `lanczos sector: mask ${i} is ${original}; expected a non-zero index-bit mask below the dimension ${dimension}`,
        );
      }
      let mask = original;
      let char = eigenvalue;
      for (const row of rows) {
        if (mask & row.pivot) {
          mask ^= row.mask;
          char *= row.char;
        }
      }
      if (mask === 0) {
        throw new QDistillError('E_INVALID_ARGUMENT', `lanczos sector: mask ${i} (${original}) is a product of the previous masks; give independent masks`);
      }
      const pivot = 2 ** Math.floor(Math.log2(mask));
      for (const row of rows) {
        if (row.mask & pivot) {
          row.mask ^= mask;
          row.char *= char;
        }
      }
      rows.push({ mask, char, pivot });
    });
    const k = rows.length;
    this.size = dimension / 2 ** k;
    this.groupMasks = new Uint32Array(2 ** k);
    this.groupChars = new Float64Array(2 ** k);
    for (let s = 0; s < 2 ** k; s++) {
      let mask = 0;
      let char = 1;
      for (let r = 0; r < k; r++) {
        if ((s >> r) & 1) {
          mask ^= rows[r]!.mask;
          char *= rows[r]!.char;
        }
      }
      this.groupMasks[s] = mask;
      this.groupChars[s] = char;
    }
    const pivots = rows.reduce((acc, r) => acc | r.pivot, 0);
    this.reps = new Uint32Array(this.size);
    let count = 0;
    for (let i = 0; i < dimension; i++) if ((i & pivots) === 0) this.reps[count++] = i;
    this.contiguous = this.reps[this.size - 1] === this.size - 1;
  }

  /** Work vector → full interleaved vector (every entry written). */
  expand(v: Float64Array, full: Float64Array, real: boolean): void {
    const reps = this.reps;
    if (!reps) {
      if (real) {
        for (let i = 0; i < this.size; i++) {
          full[2 * i] = v[i]!;
          full[2 * i + 1] = 0;
        }
      } else full.set(v);
      return;
    }
    const g = this.groupMasks;
    const chi = this.groupChars;
    const m = this.size;
    for (let e = 0; e < g.length; e++) {
      const mask = g[e]!;
      const c = chi[e]!;
      if (real) {
        for (let r = 0; r < m; r++) {
          const idx = 2 * ((reps[r]! ^ mask) >>> 0);
          full[idx] = c * v[r]!;
          full[idx + 1] = 0;
        }
      } else {
        for (let r = 0; r < m; r++) {
          const idx = 2 * ((reps[r]! ^ mask) >>> 0);
          full[idx] = c * v[2 * r]!;
          full[idx + 1] = c * v[2 * r + 1]!;
        }
      }
    }
  }

  /** Full interleaved vector (assumed in the sector) → work vector. */
  compress(full: Float64Array, v: Float64Array, real: boolean): void {
    const reps = this.reps;
    if (!reps) {
      if (real) for (let i = 0; i < this.size; i++) v[i] = full[2 * i]!;
      else v.set(full);
      return;
    }
    for (let r = 0; r < this.size; r++) {
      const idx = reps[r]!;
      if (real) v[r] = full[2 * idx]!;
      else {
        v[2 * r] = full[2 * idx]!;
        v[2 * r + 1] = full[2 * idx + 1]!;
      }
    }
  }

  /** Projection of an arbitrary full state onto the sector, as a work vector. */
  project(state: ComplexState, v: Float64Array, real: boolean): void {
    const reps = this.reps;
    const g = this.groupMasks;
    const chi = this.groupChars;
    for (let r = 0; r < this.size; r++) {
      const base = reps ? reps[r]! : r;
      let re = 0;
      let im = 0;
      for (let e = 0; e < g.length; e++) {
        const idx = (base ^ g[e]!) >>> 0;
        re += chi[e]! * state.re[idx]!;
        im += chi[e]! * state.im[idx]!;
      }
      if (real) v[r] = re;
      else {
        v[2 * r] = re;
        v[2 * r + 1] = im;
      }
    }
  }
}

interface SymmetricEigen {
  size: number;
  values: Float64Array;
  /** vectors[l * size + i] = component l of eigenvector i. */
  vectors: Float64Array;
}

/** Dense symmetric eigen-decomposition of the leading size×size block of T (ascending). */
function eigenSymmetric(T: Float64Array, stride: number, size: number): SymmetricEigen {
  const rows: number[][] = [];
  for (let i = 0; i < size; i++) {
    const row = new Array<number>(size);
    for (let j = 0; j < size; j++) row[j] = T[i * stride + j]!;
    rows.push(row);
  }
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = raw.map((_, i) => i).sort((a, b) => raw[a]! - raw[b]! || a - b);
  const values = new Float64Array(size);
  const vectors = new Float64Array(size * size);
  order.forEach((src, i) => {
    values[i] = raw[src]!;
    for (let l = 0; l < size; l++) vectors[l * size + i] = vecs.get(l, src);
  });
  return { size, values, vectors };
}

function checkPositiveInteger(value: number, name: string, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new QDistillError('E_INVALID_ARGUMENT', `lanczos: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Lowest eigenpairs of a Hermitian operator by Lanczos with full
 * re-orthogonalisation and thick restarts (see the module notes).
 *
 * @example
 * ```ts
 * const op = await PauliSumOperator.create(h);
 * const { eigenvalues, eigenvectors } = lanczos(op, { numEigenpairs: 2, tolerance: 1e-10 });
 * const groundEnergy = eigenvalues[0], gap = eigenvalues[1] - eigenvalues[0];
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` for bad options or sector,
 *   `E_NOT_CONVERGED` if `maxIterations` products were not enough (the error's
 *   `details` hold the current estimates), `E_NON_FINITE` if the operator
 *   produced NaN/Infinity.
 */
export function lanczos(op: HermitianOperator, options: LanczosOptions = {}): LanczosResult {
  const dimension = op.dimension;
  checkPositiveInteger(dimension, 'operator dimension');
  const sector = new SectorMap(dimension, options.sector);
  if (options.sector && typeof op.commutesWithFlip === 'function') {
    for (const mask of options.sector.masks) {
      if (!op.commutesWithFlip(mask)) {
        throw new QDistillError(
          'E_INVALID_ARGUMENT',
          `lanczos sector: the operator does not commute with the bit flip of mask ${mask} (0b${mask.toString(2)}), so that sector is not invariant`,
        );
      }
    }
  }
  const m = sector.size;
  const nev = options.numEigenpairs ?? 1;
  checkPositiveInteger(nev, 'numEigenpairs');
  if (nev > m) {
    throw new QDistillError('E_INVALID_ARGUMENT', `lanczos: numEigenpairs ${nev} exceeds the dimension ${m} of the searched space`);
  }
  const nvec = options.numEigenvectors ?? 1;
  if (!Number.isInteger(nvec) || nvec < 0 || nvec > nev) {
    throw new QDistillError('E_INVALID_ARGUMENT', `lanczos: numEigenvectors must be an integer in 0..numEigenpairs (${nev}), got ${nvec}`);
  }
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!(tolerance > 0) || !Number.isFinite(tolerance)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `lanczos: tolerance must be a positive finite number, got ${tolerance}`);
  }
  const exhaustBelow = options.exhaustBelow ?? DEFAULT_EXHAUST_BELOW;
  if (!Number.isInteger(exhaustBelow) || exhaustBelow < 0) {
    throw new QDistillError('E_INVALID_ARGUMENT', `lanczos: exhaustBelow must be a non-negative integer, got ${exhaustBelow}`);
  }
  const exhaust = m <= exhaustBelow;
  let maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  checkPositiveInteger(maxIterations, 'maxIterations');
  if (exhaust) maxIterations = Math.max(maxIterations, m + 1);

  const startImag = options.startVector ? options.startVector.im.some((v) => v !== 0) : false;
  const real = op.isReal === true && !options.complex && !startImag;
  const L = real ? m : 2 * m;
  let maxBasis: number;
  if (exhaust) maxBasis = m;
  else if (options.maxBasisSize !== undefined) {
    checkPositiveInteger(options.maxBasisSize, 'maxBasisSize', nev + 2);
    maxBasis = Math.min(m, options.maxBasisSize);
  } else {
    // Small bases with thick restarts were fastest in measurements (n = 15
    // ZXZ sectors: 24 vectors beat 60 by ~1.6x); the budget caps huge states.
    const byBudget = Math.floor(BASIS_BUDGET_BYTES / (L * 8));
    const preferred = Math.max(24, 2 * nev + 14);
    maxBasis = Math.min(m, Math.max(nev + 8, Math.min(preferred, byBudget)));
  }
  if (!exhaust && maxBasis < nev + 2) maxBasis = Math.min(m, nev + 2);

  // Operator I/O buffers (zero-copy when the operator offers them).
  const zeroCopy = typeof op.inputBuffer === 'function' && typeof op.applyBuffer === 'function';
  const fullIn = zeroCopy ? undefined : new Float64Array(2 * dimension);
  const fullOut = zeroCopy ? undefined : new Float64Array(2 * dimension);
  // In a sector whose representatives are the first m indices (pivot bits on
  // top, as for the ZXZ symmetries) only those rows of A·v are computed.
  const rowsOnly = zeroCopy && typeof op.applyRowsBuffer === 'function' && sector.contiguous && m % 2 === 0 && m < dimension;
  const matvec = (v: Float64Array, out: Float64Array): void => {
    if (rowsOnly) {
      sector.expand(v, op.inputBuffer!(), real);
      const rows = op.applyRowsBuffer!(0, m);
      if (real) for (let i = 0; i < m; i++) out[i] = rows[2 * i]!;
      else out.set(rows);
    } else if (zeroCopy) {
      sector.expand(v, op.inputBuffer!(), real);
      sector.compress(op.applyBuffer!(), out, real);
    } else {
      sector.expand(v, fullIn!, real);
      op.applyInterleaved(fullIn!, fullOut!);
      sector.compress(fullOut!, out, real);
    }
  };

  const rng = new Random(options.seed ?? 0);
  const V: Float64Array[] = [];
  const T = new Float64Array(maxBasis * maxBasis);
  const w = new Float64Array(L);
  const coefRe = new Float64Array(maxBasis);
  const passRe = new Float64Array(maxBasis);
  const passIm = new Float64Array(maxBasis);

  /**
   * One classical Gram–Schmidt pass of `x` against V[from..to): all
   * coefficients c_i = ⟨V_i, x⟩ first, then x −= Σ c_i V_i; the real parts are
   * added to coefRe (the projected-matrix column).
   */
  const gramSchmidtPass = (x: Float64Array, from: number, to: number): void => {
    if (real) {
      for (let i = from; i < to; i++) passRe[i] = dotReal(V[i]!, x);
      for (let i = from; i < to; i++) {
        axpyReal(x, -passRe[i]!, V[i]!);
        coefRe[i] = coefRe[i]! + passRe[i]!;
      }
      return;
    }
    for (let i = from; i < to; i++) dotComplex(V[i]!, x, passRe, passIm, i);
    for (let i = from; i < to; i++) {
      axpyComplex(x, -passRe[i]!, -passIm[i]!, V[i]!);
      coefRe[i] = coefRe[i]! + passRe[i]!;
    }
  };
  /** Full CGS2 of `x` against V[0..count). */
  const orthogonalize = (x: Float64Array, count: number): void => {
    coefRe.fill(0, 0, count);
    gramSchmidtPass(x, 0, count);
    gramSchmidtPass(x, 0, count);
  };

  const norm = (x: Float64Array): number => {
    let s = 0;
    for (let t = 0; t < L; t++) s += x[t]! * x[t]!;
    return Math.sqrt(s);
  };
  const randomVector = (): Float64Array => {
    const x = new Float64Array(L);
    for (let t = 0; t < L; t++) x[t] = rng.uniform() - 0.5;
    return x;
  };
  /** A fresh unit vector orthogonal to V[0..count), or undefined if V spans (numerically) everything. */
  const freshOrthogonal = (count: number): Float64Array | undefined => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const x = randomVector();
      const before = norm(x);
      orthogonalize(x, count);
      const after = norm(x);
      if (after > 1e-8 * before) {
        for (let t = 0; t < L; t++) x[t] = x[t]! / after;
        return x;
      }
    }
    return undefined;
  };

  // Start vector.
  let v0: Float64Array;
  if (options.startVector) {
    const s = options.startVector;
    if (!(s.re instanceof Float64Array) || !(s.im instanceof Float64Array) || s.re.length !== dimension || s.im.length !== dimension) {
      throw new QDistillError('E_SHAPE', `lanczos: startVector must be { re, im } Float64Arrays of length ${dimension}`);
    }
    v0 = new Float64Array(L);
    sector.project(s, v0, real);
    const n0 = norm(v0);
    if (!(n0 > 0) || !Number.isFinite(n0)) {
      throw new QDistillError('E_ZERO_VECTOR', 'lanczos: the start vector is zero (or not finite) after projection onto the sector');
    }
    for (let t = 0; t < L; t++) v0[t] = v0[t]! / n0;
  } else {
    v0 = freshOrthogonal(0)!;
  }
  V.push(v0);

  let size = 1;
  let iterations = 0;
  let restarts = 0;
  let normEstimate = 0;
  let lastCheckSize = 0;
  let eig: SymmetricEigen | undefined;
  let residuals: number[] = [];
  let exhausted = false;
  /** First basis index the newest vector couples to in exact arithmetic. */
  let couplingStart = 0;

  for (;;) {
    const j = size - 1;
    matvec(V[j]!, w);
    iterations++;
    // Lanczos step with full re-orthogonalisation: first against the vectors
    // the new one couples to (the previous one, or every kept Ritz vector
    // right after a restart), then one classical Gram–Schmidt pass against the
    // whole basis. Together the passes give the column ⟨V_i, A v_j⟩ of T.
    coefRe.fill(0, 0, size);
    gramSchmidtPass(w, couplingStart, size);
    gramSchmidtPass(w, 0, size);
    let columnSum = 0;
    for (let i = 0; i < size; i++) {
      T[i * maxBasis + j] = coefRe[i]!;
      T[j * maxBasis + i] = coefRe[i]!;
      columnSum += Math.abs(coefRe[i]!);
    }
    const beta = norm(w);
    if (!Number.isFinite(beta)) {
      throw new QDistillError('E_NON_FINITE', `lanczos: the operator produced a non-finite value (iteration ${iterations})`);
    }
    normEstimate = Math.max(normEstimate, columnSum + beta);
    const breakdown = beta <= 1e-12 * normEstimate || beta === 0;
    const full = size === m;

    let check: boolean;
    if (exhaust) check = full || (breakdown && size === m);
    else {
      check =
        size >= nev &&
        (breakdown || full || size === maxBasis || iterations >= maxIterations || size - lastCheckSize >= Math.max(1, Math.floor(size / 16)));
    }
    eig = undefined;
    if (check) {
      lastCheckSize = size;
      eig = eigenSymmetric(T, maxBasis, size);
      residuals = [];
      let converged = true;
      for (let i = 0; i < nev; i++) {
        const r = full ? 0 : beta * Math.abs(eig.vectors[j * size + i]!);
        residuals.push(r);
        if (r > tolerance * Math.max(1, Math.abs(eig.values[i]!))) converged = false;
      }
      if (full) exhausted = true;
      if (converged) break;
    }
    if (full) break; // cannot happen without convergence (residuals are 0), kept for safety
    if (iterations >= maxIterations) {
      const current = eig ?? eigenSymmetric(T, maxBasis, size);
      throw new QDistillError(
        'E_NOT_CONVERGED',
        `lanczos: not converged after ${iterations} matrix-vector products (maxIterations ${maxIterations}); ` +
          `residuals ${residuals.map((r) => r.toExponential(2)).join(', ') || 'n/a'} vs tolerance ${tolerance}. ` +
          'Raise maxIterations or maxBasisSize, or loosen the tolerance.',
        {
          details: {
            eigenvalues: Array.from(current.values.slice(0, nev)),
            residuals,
            iterations,
            restarts,
            tolerance,
          },
        },
      );
    }

    // Next basis vector.
    let next: Float64Array | undefined;
    if (breakdown) {
      next = freshOrthogonal(size);
      if (!next) {
        // V spans the space numerically: the projection is exact.
        eig = eigenSymmetric(T, maxBasis, size);
        residuals = Array.from({ length: nev }, () => 0);
        exhausted = true;
        break;
      }
      for (let i = 0; i < size; i++) {
        T[i * maxBasis + size] = 0;
        T[size * maxBasis + i] = 0;
      }
      couplingStart = size;
    } else {
      couplingStart = j;
      next = w.slice();
      for (let t = 0; t < L; t++) next[t] = next[t]! / beta;
    }

    if (size === maxBasis) {
      // Thick restart: keep the lowest Ritz vectors, then continue from `next`.
      const e = eig ?? eigenSymmetric(T, maxBasis, size);
      const keep = Math.min(size - 1, Math.max(nev + 2, Math.floor(size / 2)));
      rotateBasis(V, size, e, keep, L);
      T.fill(0);
      for (let i = 0; i < keep; i++) T[i * maxBasis + i] = e.values[i]!;
      V.length = keep;
      size = keep;
      couplingStart = 0;
      lastCheckSize = 0;
      restarts++;
    }
    V[size] = next;
    size++;
  }

  const e = eig ?? eigenSymmetric(T, maxBasis, size);
  const eigenvalues = Array.from(e.values.slice(0, nev));
  const eigenvectors: ComplexState[] = [];
  const full = new Float64Array(2 * dimension);
  for (let i = 0; i < nvec; i++) {
    const y = new Float64Array(L);
    for (let l = 0; l < size; l++) {
      const s = e.vectors[l * size + i]!;
      if (s === 0) continue;
      const v = V[l]!;
      for (let t = 0; t < L; t++) y[t] = y[t]! + s * v[t]!;
    }
    sector.expand(y, full, real);
    eigenvectors.push(normalizeAndFixPhase(full, dimension));
  }
  return { eigenvalues, residuals, eigenvectors, iterations, restarts, searchDimension: m, exhausted };
}

function dotReal(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    s0 += a[t]! * b[t]!;
    s1 += a[t + 1]! * b[t + 1]!;
    s2 += a[t + 2]! * b[t + 2]!;
    s3 += a[t + 3]! * b[t + 3]!;
  }
  for (; t < n; t++) s0 += a[t]! * b[t]!;
  return s0 + s1 + (s2 + s3);
}

/** ⟨a, b⟩ = Σ conj(a) b on interleaved complex vectors, written to re[at], im[at]. */
function dotComplex(a: Float64Array, b: Float64Array, re: Float64Array, im: Float64Array, at: number): void {
  const n = a.length;
  let r0 = 0;
  let r1 = 0;
  let i0 = 0;
  let i1 = 0;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    const ar0 = a[t]!;
    const ai0 = a[t + 1]!;
    const br0 = b[t]!;
    const bi0 = b[t + 1]!;
    const ar1 = a[t + 2]!;
    const ai1 = a[t + 3]!;
    const br1 = b[t + 2]!;
    const bi1 = b[t + 3]!;
    r0 += ar0 * br0 + ai0 * bi0;
    i0 += ar0 * bi0 - ai0 * br0;
    r1 += ar1 * br1 + ai1 * bi1;
    i1 += ar1 * bi1 - ai1 * br1;
  }
  for (; t < n; t += 2) {
    r0 += a[t]! * b[t]! + a[t + 1]! * b[t + 1]!;
    i0 += a[t]! * b[t + 1]! - a[t + 1]! * b[t]!;
  }
  re[at] = r0 + r1;
  im[at] = i0 + i1;
}

/** x += c·v (real). */
function axpyReal(x: Float64Array, c: number, v: Float64Array): void {
  const n = x.length;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    x[t] = x[t]! + c * v[t]!;
    x[t + 1] = x[t + 1]! + c * v[t + 1]!;
    x[t + 2] = x[t + 2]! + c * v[t + 2]!;
    x[t + 3] = x[t + 3]! + c * v[t + 3]!;
  }
  for (; t < n; t++) x[t] = x[t]! + c * v[t]!;
}

/** x += (cr + i·ci)·v on interleaved complex vectors. */
function axpyComplex(x: Float64Array, cr: number, ci: number, v: Float64Array): void {
  const n = x.length;
  for (let t = 0; t < n; t += 2) {
    const vr = v[t]!;
    const vi = v[t + 1]!;
    x[t] = x[t]! + (cr * vr - ci * vi);
    x[t + 1] = x[t + 1]! + (cr * vi + ci * vr);
  }
}

/**
 * In place: V[i] ← Σ_l S[l][i] V[l] for i < keep, in chunks of coordinates
 * (contiguous inner loops, no second copy of the basis).
 */
function rotateBasis(V: Float64Array[], size: number, e: SymmetricEigen, keep: number, L: number): void {
  const CHUNK = 1024;
  const rows = Array.from({ length: keep }, () => new Float64Array(CHUNK));
  for (let t0 = 0; t0 < L; t0 += CHUNK) {
    const len = Math.min(CHUNK, L - t0);
    for (let i = 0; i < keep; i++) rows[i]!.fill(0);
    for (let l = 0; l < size; l++) {
      const v = V[l]!.subarray(t0, t0 + len);
      for (let i = 0; i < keep; i++) {
        const s = e.vectors[l * size + i]!;
        if (s !== 0) axpyReal(rows[i]!.subarray(0, len), s, v);
      }
    }
    for (let i = 0; i < keep; i++) V[i]!.set(len === CHUNK ? rows[i]! : rows[i]!.subarray(0, len), t0);
  }
}

/**
 * Splits an interleaved vector into {re, im}, normalises it, and fixes the
 * global phase: the first amplitude whose modulus is within 1e-9 (relative)
 * of the largest becomes real and positive.
 */
function normalizeAndFixPhase(full: Float64Array, dimension: number): ComplexState {
  let normSq = 0;
  let maxAbs = 0;
  for (let j = 0; j < dimension; j++) {
    const a = full[2 * j]! * full[2 * j]! + full[2 * j + 1]! * full[2 * j + 1]!;
    normSq += a;
    if (a > maxAbs) maxAbs = a;
  }
  let pivot = 0;
  for (let j = 0; j < dimension; j++) {
    const a = full[2 * j]! * full[2 * j]! + full[2 * j + 1]! * full[2 * j + 1]!;
    if (a >= maxAbs * (1 - 1e-9)) {
      pivot = j;
      break;
    }
  }
  const pr = full[2 * pivot]!;
  const pi = full[2 * pivot + 1]!;
  const pm = Math.sqrt(pr * pr + pi * pi);
  const scale = 1 / Math.sqrt(normSq);
  // multiply by conj(p)/|p| and by 1/‖v‖
  const cr = (pr / pm) * scale;
  const ci = (-pi / pm) * scale;
  const re = new Float64Array(dimension);
  const im = new Float64Array(dimension);
  for (let j = 0; j < dimension; j++) {
    const a = full[2 * j]!;
    const b = full[2 * j + 1]!;
    re[j] = a * cr - b * ci;
    im[j] = a * ci + b * cr;
  }
  im[pivot] = 0;
  return { re, im };
}
