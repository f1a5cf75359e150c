/**
 * The ZXZ (cluster-Ising) quantum phase dataset of paper 002:
 *
 *   H = −J Σ_{i=1}^{n−2} Z_{i−1} X_i Z_{i+1} − h1 Σ_{i=0}^{n−1} X_i − h2 Σ_{i=0}^{n−2} X_i X_{i+1}
 *
 * with open boundaries. Ground states are computed by Lanczos (matrix-vector
 * products in the WebAssembly engine) **per symmetry sector**: H commutes with
 * P_even = Π_{i even} X_i and P_odd = Π_{i odd} X_i (each Z_{i−1}·Z_{i+1}
 * pair sits on one sublattice; X and XX terms commute trivially), so its
 * spectrum splits into four sectors (P_even, P_odd) = (±1, ±1).
 *
 * **What "the ground state" means here.** With open boundaries the SPT phase
 * has edge modes: the four lowest levels lie in the four different sectors and
 * are split only by ~2·h1^((n+1)/2) (2e−4 at n = 7, h1 = 0.1; ~2e−8 at n = 15).
 * A full-space Krylov method needs ~√(width/gap) iterations to separate such
 * levels, and a loosely converged "ground state" is then an arbitrary mixture
 * of them. Within each sector the lowest level is separated from the next by
 * a bulk gap, so each sector's ground state converges quickly and exactly; the
 * ground state is the lowest of the four, and the first gap is taken over all
 * sectors (the full spectrum, as in the golden file). If the two lowest sector
 * energies agree to within `degeneracyTolerance` the ground level is
 * degenerate (e.g. h1 = h2 = 0) and no single state is "the" ground state: the
 * state of the first such sector in the order (+,+), (+,−), (−,+), (−,−) is
 * returned and `degenerate` is set.
 *
 * **Labels** (paper 002): 1 = SPT, 0 = paramagnetic.
 * - `'h1'`: SPT iff |h1| < |J| (h1/J < 1 for the paper's h1, J > 0; exact on the h2 = 0 line).
 * - `'stringOrder'`: SPT iff |S| > threshold, S = ⟨Π_{odd i ≤ n−2} K_i⟩ with
 *   K_i = Z_{i−1} X_i Z_{i+1} (for n = 7: S = Z0 X1 X3 X5 Z6). The default
 *   threshold is |S| of the ground state at (h1 = |J|, h2 = 0) for the same n,
 *   the finite-size value at the h2 = 0 transition; since S decreases
 *   monotonically in h1 on that line, the two rules agree at h2 = 0. The
 *   absolute value makes the rule independent of the sign of J.
 * - `'auto'` (default): `'h1'` if every sample has h2 = 0, else `'stringOrder'`.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import { wireBit } from '../circuit/wires.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { Hamiltonian, PauliSumOperator, type ComplexState } from './hamiltonian.js';
import { lanczos, type LanczosResult } from './lanczos.js';
import { Random } from '../util/random.js';

/**
 * Parameters of one ZXZ Hamiltonian.
 *
 * @example
 * ```ts
 * const params: ZxzParams = { h1: 0.8, h2: -0.2 }; // J = 1
 * ```
 */
export interface ZxzParams {
  h1: number;
  /** Default 0. */
  h2?: number;
  /** Default 1. */
  J?: number;
}

/**
 * The four symmetry sectors (P_even, P_odd), in tie-break order.
 *
 * @example
 * ```ts
 * ZXZ_SECTORS[0]; // [1, 1]: the tie-break winner
 * ```
 */
export const ZXZ_SECTORS: ReadonlyArray<readonly [number, number]> = Object.freeze([
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
]);

/**
 * Class names of the ZXZ labels: index 0 paramagnetic, 1 SPT.
 *
 * @example
 * ```ts
 * ZXZ_CLASS_NAMES[dataset.y[0]]; // 'SPT' or 'paramagnetic'
 * ```
 */
export const ZXZ_CLASS_NAMES: readonly string[] = Object.freeze(['paramagnetic', 'SPT']);

function checkNumQubits(numQubits: number, where: string): void {
  if (!Number.isInteger(numQubits) || numQubits < 3 || numQubits > 26) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: numQubits must be an integer in 3..26, got ${numQubits}`);
  }
}

function resolveParams(params: ZxzParams, where: string): Required<ZxzParams> {
  const h1 = params?.h1;
  const h2 = params?.h2 ?? 0;
  const J = params?.J ?? 1;
  for (const [name, value] of [
    ['h1', h1],
    ['h2', h2],
    ['J', J],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new QDistillError('E_NON_FINITE', `${where}: ${name} must be a finite number, got ${value}`);
    }
  }
  return { h1, h2, J };
}

/**
 * The ZXZ Hamiltonian on `numQubits` wires (open boundaries).
 *
 * @example
 * ```ts
 * const h = zxzHamiltonian(7, { h1: 0.5 });          // J = 1, h2 = 0
 * const h2 = zxzHamiltonian(15, { h1: 0.8, h2: -0.3 });
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` (numQubits outside 3..26), `E_NON_FINITE`.
 */
export function zxzHamiltonian(numQubits: number, params: ZxzParams): Hamiltonian {
  checkNumQubits(numQubits, 'zxzHamiltonian');
  const { h1, h2, J } = resolveParams(params, 'zxzHamiltonian');
  const terms: Array<[number, string]> = [];
  for (let i = 1; i <= numQubits - 2; i++) terms.push([-J, `Z${i - 1} X${i} Z${i + 1}`]);
  for (let i = 0; i < numQubits; i++) terms.push([-h1, `X${i}`]);
  for (let i = 0; i <= numQubits - 2; i++) terms.push([-h2, `X${i} X${i + 1}`]);
  return new Hamiltonian(numQubits, terms);
}

/**
 * The string order operator S = Π_{odd i ≤ n−2} Z_{i−1} X_i Z_{i+1}
 * = Z_0 X_1 X_3 … X_last Z_{last+1} (last = largest odd i ≤ n−2), as a
 * one-term Hamiltonian. For n = 7: `Z0 X1 X3 X5 Z6`.
 *
 * @example
 * ```ts
 * zxzStringOrderOperator(7).word(0); // "Z0 X1 X3 X5 Z6"
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` (numQubits outside 3..26).
 */
export function zxzStringOrderOperator(numQubits: number): Hamiltonian {
  checkNumQubits(numQubits, 'zxzStringOrderOperator');
  const odd: number[] = [];
  for (let i = 1; i <= numQubits - 2; i += 2) odd.push(i);
  const last = odd[odd.length - 1]!;
  const word = ['Z0', ...odd.map((i) => `X${i}`), `Z${last + 1}`].join(' ');
  return new Hamiltonian(numQubits, [[1, word]]);
}

/**
 * Index-bit masks of P_even and P_odd (wire w ↔ bit n−1−w).
 *
 * @example
 * ```ts
 * zxzSymmetryMasks(5); // [0b10101, 0b01010]
 * ```
 */
export function zxzSymmetryMasks(numQubits: number): [even: number, odd: number] {
  let even = 0;
  let odd = 0;
  for (let w = 0; w < numQubits; w++) {
    const bit = 2 ** wireBit(numQubits, w);
    if (w % 2 === 0) even += bit;
    else odd += bit;
  }
  return [even, odd];
}

/**
 * Solver options shared by {@link zxzGroundState} and {@link zxzDataset}.
 *
 * @example
 * ```ts
 * await zxzGroundState(15, { h1: 0.3 }, { numEnergies: 3, tolerance: 1e-9 });
 * ```
 */
export interface ZxzSolveOptions {
  /** Engine instance (a new one is created if omitted). */
  kernel?: Kernel;
  /**
   * Lowest energies to converge in every sector and report, merged (default 2
   * for {@link zxzGroundState}, giving the first gap; 1 for
   * {@link zxzDataset}, which is about twice as fast).
   */
  numEnergies?: number;
  /** Lanczos residual tolerance (default 1e-10). */
  tolerance?: number;
  /** Lanczos matrix-vector product budget per sector (default 3000). */
  maxIterations?: number;
  /** Seed of the Lanczos start vectors (default 0). */
  seed?: number;
  /**
   * Sector ground energies closer than this (absolute) count as degenerate
   * (default 1e-12·max(1, Σ|coefficients|), a few hundred times the rounding
   * level of the energies).
   */
  degeneracyTolerance?: number;
}

/**
 * One solved ZXZ Hamiltonian.
 *
 * @example
 * ```ts
 * const { energies, gap, state, stringOrder, sector, degenerate } = await zxzGroundState(7, { h1: 0.5 });
 * ```
 */
export interface ZxzGroundState {
  numQubits: number;
  h1: number;
  h2: number;
  J: number;
  /** Lowest `numEnergies` energies of the full spectrum, ascending (merged over sectors). */
  energies: number[];
  /** E1 − E0 over the full spectrum (present when numEnergies >= 2). */
  gap?: number;
  /** The ground state (unit norm, largest amplitude real positive; real for this real Hamiltonian). */
  state: ComplexState;
  /** ⟨S⟩ in the ground state ({@link zxzStringOrderOperator}). */
  stringOrder: number;
  /** (P_even, P_odd) eigenvalues of the ground state. */
  sector: [number, number];
  /** True if another sector's lowest level is within `degeneracyTolerance` of E0. */
  degenerate: boolean;
  /** Lanczos matrix-vector products, summed over sectors. */
  iterations: number;
}

interface SectorSolution {
  sector: readonly [number, number];
  result: LanczosResult;
}

/** Solves one Hamiltonian on an existing kernel (internal; reuses the string-order operator). */
async function solve(
  numQubits: number,
  params: Required<ZxzParams>,
  kernel: Kernel,
  stringOp: PauliSumOperator,
  options: ZxzSolveOptions,
): Promise<ZxzGroundState> {
  const numEnergies = options.numEnergies ?? 2;
  if (!Number.isInteger(numEnergies) || numEnergies < 1 || numEnergies > 2 ** (numQubits - 2)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `zxzGroundState: numEnergies must be an integer in 1..${2 ** (numQubits - 2)}, got ${numEnergies}`);
  }
  const h = zxzHamiltonian(numQubits, params);
  const coefficientSum = h.terms.reduce((acc, t) => acc + Math.abs(t.coefficient), 0);
  const degeneracyTolerance = options.degeneracyTolerance ?? 1e-12 * Math.max(1, coefficientSum);
  if (!(degeneracyTolerance >= 0)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `zxzGroundState: degeneracyTolerance must be >= 0, got ${degeneracyTolerance}`);
  }
  const op = await PauliSumOperator.create(h, { kernel });
  const [even, odd] = zxzSymmetryMasks(numQubits);
  const solutions: SectorSolution[] = [];
  try {
    for (const sector of ZXZ_SECTORS) {
      const result = lanczos(op, {
        numEigenpairs: numEnergies,
        numEigenvectors: 1,
        tolerance: options.tolerance ?? 1e-10,
        ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
        seed: [options.seed ?? 0, sector[0] > 0 ? 0 : 1, sector[1] > 0 ? 0 : 1],
        sector: { masks: [even, odd], eigenvalues: [sector[0], sector[1]] },
      });
      solutions.push({ sector, result });
    }
  } finally {
    op.dispose();
  }
  // Ground sector: lowest energy; ties (within tolerance) go to the first sector in ZXZ_SECTORS order.
  let best = 0;
  for (let s = 1; s < solutions.length; s++) {
    if (solutions[s]!.result.eigenvalues[0]! < solutions[best]!.result.eigenvalues[0]! - degeneracyTolerance) best = s;
  }
  const e0 = solutions[best]!.result.eigenvalues[0]!;
  const degenerate = solutions.some((s, i) => i !== best && Math.abs(s.result.eigenvalues[0]! - e0) <= degeneracyTolerance);
  const energies = solutions
    .flatMap((s) => s.result.eigenvalues)
    .sort((a, b) => a - b)
    .slice(0, numEnergies);
  const state = solutions[best]!.result.eigenvectors[0]!;
  const stringOrder = stringOp.expectation(state);
  return {
    numQubits,
    ...params,
    energies,
    ...(energies.length > 1 ? { gap: energies[1]! - energies[0]! } : {}),
    state,
    stringOrder,
    sector: [solutions[best]!.sector[0], solutions[best]!.sector[1]],
    degenerate,
    iterations: solutions.reduce((acc, s) => acc + s.result.iterations, 0),
  };
}

/**
 * Ground state, lowest energies, first gap and string order of one ZXZ
 * Hamiltonian (see the module notes for the sector method and degeneracies).
 *
 * @example
 * ```ts
 * const g = await zxzGroundState(7, { h1: 0.1 });
 * g.energies[0];   // ground energy
 * g.gap;           // E1 − E0 (≈ 2e−4 here)
 * g.stringOrder;   // ≈ 0.99 (SPT)
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT`, `E_NON_FINITE`, `E_NOT_CONVERGED`.
 */
export async function zxzGroundState(numQubits: number, params: ZxzParams, options: ZxzSolveOptions = {}): Promise<ZxzGroundState> {
  checkNumQubits(numQubits, 'zxzGroundState');
  const resolved = resolveParams(params, 'zxzGroundState');
  const kernel = options.kernel ?? (await createKernel());
  const stringOp = await PauliSumOperator.create(zxzStringOrderOperator(numQubits), { kernel });
  try {
    return await solve(numQubits, resolved, kernel, stringOp, options);
  } finally {
    stringOp.dispose();
  }
}

/**
 * A closed interval [low, high] for a field (random draws) or with a count (grid, inclusive ends).
 *
 * @example
 * ```ts
 * const config: ZxzSampling = { kind: 'grid', h1: [0, 2, 41] }; // or { kind: 'random', count: 200, seed: 1, h1: [0, 2], h2: [-0.5, 0.5] }
 * ```
 */
export type ZxzSampling =
  /** Cartesian grid: h1 from `h1[0]` to `h1[1]` in `h1[2]` points (inclusive); h2 fixed or its own grid (outer loop). */
  | { kind: 'grid'; h1: readonly [number, number, number]; h2?: number | readonly [number, number, number] }
  /** `count` independent uniform draws of h1 in [h1[0], h1[1]) (and h2 if a range), from a seeded {@link Random}. */
  | { kind: 'random'; count: number; seed: number; h1: readonly [number, number]; h2?: number | readonly [number, number] }
  /** Explicit parameter points. */
  | { kind: 'points'; points: ReadonlyArray<{ h1: number; h2?: number }> };

/**
 * Options of {@link zxzDataset}.
 *
 * @example
 * ```ts
 * await zxzDataset({ numQubits: 15, sampling: { kind: 'random', count: 64, seed: 2, h1: [0, 2] }, onProgress: (i, n) => bar.update(i / n) });
 * ```
 */
export interface ZxzDatasetOptions extends ZxzSolveOptions {
  /** 7 or 15 in paper 002; any 3..26 works. */
  numQubits: number;
  /** Coupling J (default 1). */
  J?: number;
  sampling: ZxzSampling;
  /** Label rule (default `'auto'`, see the module notes). */
  labelRule?: 'auto' | 'h1' | 'stringOrder';
  /** |S| threshold for `'stringOrder'` (default |S| at h1 = |J|, h2 = 0). */
  stringOrderThreshold?: number;
  /** Called after each solved sample. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * A labelled set of quantum states (ZXZ ground states).
 *
 * @example
 * ```ts
 * const { states, y, params, stringOrders } = await zxzDataset({ numQubits: 7, sampling: { kind: 'grid', h1: [0, 2, 21] } });
 * ```
 */
export interface ZxzDataset {
  numQubits: number;
  /** One ground state per sample. */
  states: ComplexState[];
  /** Labels: 0 paramagnetic, 1 SPT. */
  y: Int32Array;
  numClasses: 2;
  classNames: string[];
  params: Array<{ h1: number; h2: number; J: number }>;
  /** Ground energies. */
  energies: Float64Array;
  /** First gaps E1 − E0 (present when numEnergies >= 2). */
  gaps?: Float64Array;
  stringOrders: Float64Array;
  degenerate: boolean[];
  /** The rule actually used and, for `'stringOrder'`, the threshold. */
  labelRule: 'h1' | 'stringOrder';
  stringOrderThreshold?: number;
}

function samplePoints(sampling: ZxzSampling): Array<{ h1: number; h2: number }> {
  const where = 'zxzDataset sampling';
  if (!sampling || typeof sampling !== 'object') throw new QDistillError('E_INVALID_ARGUMENT', `${where}: expected { kind: 'grid' | 'random' | 'points', … }`);
  const grid = (spec: readonly [number, number, number], name: string): number[] => {
    const [lo, hi, count] = spec;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isInteger(count) || count < 1) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${where}: ${name} grid must be [low, high, count >= 1] with finite ends, got ${JSON.stringify(spec)}`);
    }
    if (count === 1) return [lo];
    return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
  };
  switch (sampling.kind) {
    case 'grid': {
      const h1s = grid(sampling.h1, 'h1');
      const h2s = typeof sampling.h2 === 'object' ? grid(sampling.h2, 'h2') : [sampling.h2 ?? 0];
      return h2s.flatMap((h2) => h1s.map((h1) => ({ h1, h2 })));
    }
    case 'random': {
      const { count, seed } = sampling;
      if (!Number.isInteger(count) || count < 1) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: count must be a positive integer, got ${count}`);
      const rng = new Random(seed);
      const range = (spec: readonly [number, number], name: string): readonly [number, number] => {
        if (!Array.isArray(spec) || spec.length !== 2 || !(spec[0] <= spec[1])) {
          throw new QDistillError('E_INVALID_ARGUMENT', `${where}: ${name} must be [low, high] with low <= high, got ${JSON.stringify(spec)}`);
        }
        return spec;
      };
      const h1r = range(sampling.h1, 'h1');
      const h2r = typeof sampling.h2 === 'object' ? range(sampling.h2, 'h2') : undefined;
      const fixedH2 = typeof sampling.h2 === 'number' ? sampling.h2 : 0;
      const out: Array<{ h1: number; h2: number }> = [];
      for (let i = 0; i < count; i++) {
        const h1 = rng.uniform(h1r[0], h1r[1]);
        const h2 = h2r ? rng.uniform(h2r[0], h2r[1]) : fixedH2;
        out.push({ h1, h2 });
      }
      return out;
    }
    case 'points':
      if (!Array.isArray(sampling.points) || sampling.points.length === 0) {
        throw new QDistillError('E_INVALID_ARGUMENT', `${where}: points must be a non-empty array of { h1, h2? }`);
      }
      return sampling.points.map((p) => ({ h1: p.h1, h2: p.h2 ?? 0 }));
    default: {
      const kind: never = sampling;
      throw new QDistillError('E_INVALID_ARGUMENT', `${where}: unknown kind ${JSON.stringify((kind as { kind?: unknown }).kind)} (expected grid, random or points)`);
    }
  }
}

/**
 * A labelled dataset of ZXZ ground states (paper 002): states as
 * `{ re, im }` per sample, labels 1 = SPT / 0 = paramagnetic, with energies,
 * gaps and string orders for inspection.
 *
 * @example
 * ```ts
 * const train = await zxzDataset({
 *   numQubits: 7,
 *   sampling: { kind: 'random', count: 40, seed: 1, h1: [0, 2] },
 * });
 * train.states[0].re; // Float64Array(128)
 * train.y;            // Int32Array of 0/1
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT`, `E_NON_FINITE`, `E_NOT_CONVERGED`.
 */
export async function zxzDataset(options: ZxzDatasetOptions): Promise<ZxzDataset> {
  checkNumQubits(options?.numQubits, 'zxzDataset');
  const { numQubits } = options;
  const J = options.J ?? 1;
  const points = samplePoints(options.sampling).map((p) => resolveParams({ ...p, J }, 'zxzDataset sample'));
  const requested = options.labelRule ?? 'auto';
  if (!['auto', 'h1', 'stringOrder'].includes(requested)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `zxzDataset: labelRule must be 'auto', 'h1' or 'stringOrder', got ${JSON.stringify(requested)}`);
  }
  const rule: 'h1' | 'stringOrder' = requested === 'auto' ? (points.every((p) => p.h2 === 0) ? 'h1' : 'stringOrder') : requested;
  if (rule === 'h1' && points.some((p) => p.h2 !== 0)) {
    throw new QDistillError('E_INVALID_ARGUMENT', "zxzDataset: labelRule 'h1' is only defined for h2 = 0; use 'stringOrder' (or 'auto')");
  }
  if (J === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'zxzDataset: J must be non-zero to define the phases');
  const kernel = options.kernel ?? (await createKernel());
  const stringOp = await PauliSumOperator.create(zxzStringOrderOperator(numQubits), { kernel });
  try {
    let threshold: number | undefined;
    if (rule === 'stringOrder') {
      if (options.stringOrderThreshold !== undefined) {
        if (!Number.isFinite(options.stringOrderThreshold)) {
          throw new QDistillError('E_NON_FINITE', `zxzDataset: stringOrderThreshold must be finite, got ${options.stringOrderThreshold}`);
        }
        threshold = options.stringOrderThreshold;
      } else {
        const critical = await solve(numQubits, { h1: Math.abs(J), h2: 0, J }, kernel, stringOp, { ...options, numEnergies: 1 });
        threshold = Math.abs(critical.stringOrder);
      }
    }
    const n = points.length;
    const out: ZxzDataset = {
      numQubits,
      states: [],
      y: new Int32Array(n),
      numClasses: 2,
      classNames: [...ZXZ_CLASS_NAMES],
      params: [],
      energies: new Float64Array(n),
      ...((options.numEnergies ?? 1) >= 2 ? { gaps: new Float64Array(n) } : {}),
      stringOrders: new Float64Array(n),
      degenerate: [],
      labelRule: rule,
      ...(threshold !== undefined ? { stringOrderThreshold: threshold } : {}),
    };
    for (let i = 0; i < n; i++) {
      const p = points[i]!;
      const g = await solve(numQubits, p, kernel, stringOp, { ...options, numEnergies: options.numEnergies ?? 1 });
      out.states.push(g.state);
      out.params.push({ h1: p.h1, h2: p.h2, J: p.J });
      out.energies[i] = g.energies[0]!;
      if (out.gaps) out.gaps[i] = g.gap!;
      out.stringOrders[i] = g.stringOrder;
      out.degenerate.push(g.degenerate);
      out.y[i] = rule === 'h1' ? (Math.abs(p.h1) < Math.abs(J) ? 1 : 0) : Math.abs(g.stringOrder) > threshold! ? 1 : 0;
      options.onProgress?.(i + 1, n);
    }
    return out;
  } finally {
    stringOp.dispose();
  }
}
