/**
 * The gate table: every gate is defined once, here, as data. Its matrix,
 * adjoint, generator(s) and parameter-shift rule(s) are derived from the
 * entry; the engines never see gate names (the tape compiler maps an entry's
 * `action` or `factors` to structure-level kernels).
 *
 * Conventions are PennyLane's: names, parameter order, wire order (controls
 * first, the first wire is the most significant bit of the local index).
 * Adding a gate is one `defineGate` call plus nothing else; the conformance
 * suite (test/circuit/gate-conformance.test.ts) checks every entry.
 */
import { QDistillError } from '../errors.js';
import {
  add, controlled, dagger, fromRows, hermitianEigenvalues, identity, kron, matmul, scale, zeros, type ComplexMatrix,
} from './matrix.js';
import { pauliWordMatrix } from './pauli.js';

/** How the matrix is laid out; the conformance suite checks the declaration. */
export type GateStructure = 'dense' | 'diagonal' | 'permutation' | 'controlled';

/**
 * A one-parameter factor of a parametric gate, acting on the gate's target
 * wires (after its controls):
 * - `rotation`: exp(−iθ/2 · P) for the Pauli word `pauli` (one letter per target wire);
 * - `phase`: e^{iθ} on the basis state where every target wire is 1.
 */
export type Factor =
  | { readonly kind: 'rotation'; readonly pauli: string; readonly param: number }
  | { readonly kind: 'phase'; readonly param: number };

/** What a fixed (parameter-free) gate does, for the tape compiler. */
export type FixedAction =
  | { readonly kind: 'dense'; readonly matrix: ComplexMatrix }
  | { readonly kind: 'flip' }
  | { readonly kind: 'swap' }
  | { readonly kind: 'pauli'; readonly word: string }
  | { readonly kind: 'phase'; readonly re: number; readonly im: number };

/** A parameter-shift rule: ∂f/∂θ = Σ c_k · (f(θ + s_k) − f(θ − s_k)). */
export interface ShiftRule {
  readonly shifts: readonly number[];
  readonly coefficients: readonly number[];
}

/** The input to {@link defineGate}. */
export interface GateSpec {
  readonly name: string;
  /** Total number of wires (controls included), or `'any'` (≥ 1). */
  readonly numWires: number | 'any';
  /** The first `numControls` wires are controls. */
  readonly numControls?: number;
  /** Parameter names in PennyLane order. */
  readonly params?: readonly string[];
  readonly structure: GateStructure;
  /** Fixed gates: the action on the target wires. */
  readonly action?: FixedAction;
  /** Parametric gates: factors in the order they are applied. */
  readonly factors?: readonly Factor[];
  /** `QubitUnitary`: the matrix is the parameter. */
  readonly matrixParam?: boolean;
  /** Smallest and largest allowed wire count for `numWires: 'any'` or matrix gates. */
  readonly wireRange?: readonly [number, number];
  readonly description: string;
}

/** A gate of the table, with everything derived from its spec. */
export interface GateDefinition extends GateSpec {
  readonly numControls: number;
  readonly params: readonly string[];
  /** Full matrix on all its wires (controls first), for `numWires` wires. */
  matrix(params: readonly number[], numWires?: number): ComplexMatrix;
  /** Generator H_k of parameter k on all wires: ∂U/∂θ_k = −i·(U_after)·H_k·(U_before) … see {@link factorGenerator}. */
  shiftRule(paramIndex: number): ShiftRule;
}

const table = new Map<string, GateDefinition>();

const SQRT1_2 = Math.SQRT1_2;

/** Registers a gate. Throws if the name is taken or the spec is inconsistent. */
export function defineGate(spec: GateSpec): GateDefinition {
  if (table.has(spec.name)) throw new QDistillError('E_INVALID_ARGUMENT', `defineGate: "${spec.name}" is already defined`);
  const params = spec.params ?? [];
  const numControls = spec.numControls ?? 0;
  if (!spec.matrixParam && !spec.action && !spec.factors) {
    throw new QDistillError('E_INVALID_ARGUMENT', `defineGate ${spec.name}: give an action, factors or matrixParam`);
  }
  if (spec.factors) {
    spec.factors.forEach((f) => {
      if (f.param < 0 || f.param >= params.length) {
        throw new QDistillError('E_INVALID_ARGUMENT', `defineGate ${spec.name}: factor uses parameter ${f.param}, the gate has ${params.length}`);
      }
    });
  }
  const definition: GateDefinition = {
    ...spec,
    params,
    numControls,
    matrix(values: readonly number[], numWires?: number): ComplexMatrix {
      const wires = numWires ?? (typeof spec.numWires === 'number' ? spec.numWires : 1);
      return controlled(targetMatrix(spec, values, wires - numControls), numControls);
    },
    shiftRule(paramIndex: number): ShiftRule {
      const factor = spec.factors?.find((f) => f.param === paramIndex);
      if (!factor) throw new QDistillError('E_UNSUPPORTED', `${spec.name}: parameter ${paramIndex} has no generator (no shift rule)`);
      return shiftRuleFromSpectrum(hermitianEigenvalues(factorGenerator(factor, numControls, typeof spec.numWires === 'number' ? spec.numWires - numControls : factor.kind === 'rotation' ? factor.pauli.length : 1)));
    },
  };
  table.set(spec.name, definition);
  return definition;
}

function targetMatrix(spec: GateSpec, values: readonly number[], numTargets: number): ComplexMatrix {
  if (spec.matrixParam) throw new QDistillError('E_INVALID_ARGUMENT', `${spec.name}: the matrix is the parameter; use the op's matrix`);
  if (spec.action) return actionMatrix(spec.action, numTargets);
  let u = identity(1 << numTargets);
  for (const factor of spec.factors!) u = matmul(factorMatrix(factor, values[factor.param]!, numTargets), u);
  return u;
}

/** Matrix of a fixed action on `numTargets` wires. */
export function actionMatrix(action: FixedAction, numTargets: number): ComplexMatrix {
  switch (action.kind) {
    case 'dense':
      return action.matrix;
    case 'flip':
      return fromRows([[0, 1], [1, 0]]);
    case 'swap':
      return fromRows([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]);
    case 'pauli':
      return pauliWordMatrix(action.word);
    case 'phase': {
      const m = identity(1 << numTargets);
      const last = (1 << numTargets) - 1;
      m.re[last * m.dim + last] = action.re;
      m.im[last * m.dim + last] = action.im;
      return m;
    }
  }
}

/** Matrix of one factor at angle θ on its target wires. */
export function factorMatrix(factor: Factor, theta: number, numTargets: number): ComplexMatrix {
  if (factor.kind === 'rotation') {
    const word = factor.pauli.length === 1 && numTargets > 1 ? factor.pauli.repeat(numTargets) : factor.pauli;
    const p = pauliWordMatrix(word);
    // exp(−iθ/2 P) = cos(θ/2)·I − i·sin(θ/2)·P
    return add(scale(identity(p.dim), Math.cos(theta / 2)), scale(p, 0, -Math.sin(theta / 2)));
  }
  const m = identity(1 << numTargets);
  const last = m.dim - 1;
  m.re[last * m.dim + last] = Math.cos(theta);
  m.im[last * m.dim + last] = Math.sin(theta);
  return m;
}

/**
 * Generator H of a factor on all the gate's wires (controls first), with
 * U(θ) = exp(−iθH): rotation H = ½·Π_controls⊗P, phase H = −Π_all-ones.
 */
export function factorGenerator(factor: Factor, numControls: number, numTargets: number): ComplexMatrix {
  let h: ComplexMatrix;
  if (factor.kind === 'rotation') {
    const word = factor.pauli.length === 1 && numTargets > 1 ? factor.pauli.repeat(numTargets) : factor.pauli;
    h = scale(pauliWordMatrix(word), 0.5);
  } else {
    h = zeros(1 << numTargets);
    h.re[h.re.length - 1] = -1;
  }
  // Controlled: Π⊗H, i.e. zero blocks except the last.
  const dim = h.dim << numControls;
  const out = zeros(dim);
  const offset = dim - h.dim;
  for (let r = 0; r < h.dim; r++)
    for (let c = 0; c < h.dim; c++) {
      out.re[(offset + r) * dim + offset + c] = h.re[r * h.dim + c]!;
      out.im[(offset + r) * dim + offset + c] = h.im[r * h.dim + c]!;
    }
  return out;
}

/**
 * The parameter-shift rule of a generator with the given eigenvalues: its
 * frequencies (positive eigenvalue differences) must be equidistant,
 * Ω = {b, 2b, …, Rb}; then shifts s_μ = (2μ−1)π/(2Rb) and coefficients
 * c_μ = b·(−1)^{μ−1} / (4R·sin²((2μ−1)π/(4R))). One frequency gives the
 * familiar two-term rule; a controlled rotation ({½, 1}) the four-term rule.
 */
export function shiftRuleFromSpectrum(eigenvalues: readonly number[]): ShiftRule {
  const freqs: number[] = [];
  for (let i = 0; i < eigenvalues.length; i++)
    for (let j = i + 1; j < eigenvalues.length; j++) {
      const d = Math.abs(eigenvalues[i]! - eigenvalues[j]!);
      if (d > 1e-9 && !freqs.some((f) => Math.abs(f - d) < 1e-9)) freqs.push(d);
    }
  freqs.sort((a, b) => a - b);
  const base = freqs[0]!;
  const r = freqs.length;
  freqs.forEach((f, k) => {
    if (Math.abs(f - base * (k + 1)) > 1e-9) {
      throw new QDistillError('E_UNSUPPORTED', `shift rule: frequencies ${freqs.join(', ')} are not equidistant`);
    }
  });
  const shifts: number[] = [];
  const coefficients: number[] = [];
  for (let mu = 1; mu <= r; mu++) {
    const x = ((2 * mu - 1) * Math.PI) / (2 * r);
    shifts.push(x / base);
    coefficients.push((base * (mu % 2 === 1 ? 1 : -1)) / (4 * r * Math.sin(x / 2) ** 2));
  }
  return { shifts, coefficients };
}

/** Looks a gate up by its PennyLane name; throws `E_UNKNOWN_GATE` listing the known names. */
export function getGate(name: string): GateDefinition {
  const gate = table.get(name);
  if (!gate) {
    throw new QDistillError(
      'E_UNKNOWN_GATE',
      `unknown gate "${name}"; known gates: ${[...table.keys()].join(', ')}`,
    );
  }
  return gate;
}

/** Every registered gate, in definition order. */
export function listGates(): GateDefinition[] {
  return [...table.values()];
}

/** Adjoint of a full gate matrix (for reference and tests). */
export function adjointMatrix(gate: GateDefinition, params: readonly number[], numWires?: number): ComplexMatrix {
  return dagger(gate.matrix(params, numWires));
}

// ---------------------------------------------------------------- the table

const H = fromRows([[SQRT1_2, SQRT1_2], [SQRT1_2, -SQRT1_2]]);
const SX = fromRows([[[0.5, 0.5], [0.5, -0.5]], [[0.5, -0.5], [0.5, 0.5]]]);

defineGate({ name: 'Hadamard', numWires: 1, structure: 'dense', action: { kind: 'dense', matrix: H }, description: 'Hadamard: (X + Z)/√2' });
defineGate({ name: 'PauliX', numWires: 1, structure: 'permutation', action: { kind: 'flip' }, description: 'Pauli X (bit flip)' });
defineGate({ name: 'PauliY', numWires: 1, structure: 'dense', action: { kind: 'pauli', word: 'Y' }, description: 'Pauli Y' });
defineGate({ name: 'PauliZ', numWires: 1, structure: 'diagonal', action: { kind: 'phase', re: -1, im: 0 }, description: 'Pauli Z (phase flip)' });
defineGate({ name: 'S', numWires: 1, structure: 'diagonal', action: { kind: 'phase', re: 0, im: 1 }, description: 'S = diag(1, i)' });
defineGate({ name: 'T', numWires: 1, structure: 'diagonal', action: { kind: 'phase', re: SQRT1_2, im: SQRT1_2 }, description: 'T = diag(1, e^{iπ/4})' });
defineGate({ name: 'SX', numWires: 1, structure: 'dense', action: { kind: 'dense', matrix: SX }, description: 'SX = √X' });
defineGate({ name: 'RX', numWires: 1, params: ['phi'], structure: 'dense', factors: [{ kind: 'rotation', pauli: 'X', param: 0 }], description: 'RX(φ) = exp(−iφX/2)' });
defineGate({ name: 'RY', numWires: 1, params: ['phi'], structure: 'dense', factors: [{ kind: 'rotation', pauli: 'Y', param: 0 }], description: 'RY(φ) = exp(−iφY/2)' });
defineGate({ name: 'RZ', numWires: 1, params: ['phi'], structure: 'diagonal', factors: [{ kind: 'rotation', pauli: 'Z', param: 0 }], description: 'RZ(φ) = exp(−iφZ/2)' });
defineGate({ name: 'PhaseShift', numWires: 1, params: ['phi'], structure: 'diagonal', factors: [{ kind: 'phase', param: 0 }], description: 'PhaseShift(φ) = diag(1, e^{iφ})' });
defineGate({
  name: 'Rot', numWires: 1, params: ['phi', 'theta', 'omega'], structure: 'dense',
  factors: [{ kind: 'rotation', pauli: 'Z', param: 0 }, { kind: 'rotation', pauli: 'Y', param: 1 }, { kind: 'rotation', pauli: 'Z', param: 2 }],
  description: 'Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ)',
});
defineGate({
  name: 'U3', numWires: 1, params: ['theta', 'phi', 'delta'], structure: 'dense',
  factors: [{ kind: 'phase', param: 2 }, { kind: 'rotation', pauli: 'Y', param: 0 }, { kind: 'phase', param: 1 }],
  description: 'U3(θ, φ, δ) = PhaseShift(φ)·RY(θ)·PhaseShift(δ)',
});
defineGate({ name: 'CNOT', numWires: 2, numControls: 1, structure: 'permutation', action: { kind: 'flip' }, description: 'controlled X' });
defineGate({ name: 'CZ', numWires: 2, numControls: 1, structure: 'diagonal', action: { kind: 'phase', re: -1, im: 0 }, description: 'controlled Z' });
defineGate({ name: 'CY', numWires: 2, numControls: 1, structure: 'controlled', action: { kind: 'pauli', word: 'Y' }, description: 'controlled Y' });
defineGate({ name: 'SWAP', numWires: 2, structure: 'permutation', action: { kind: 'swap' }, description: 'exchanges two wires' });
defineGate({ name: 'CRX', numWires: 2, numControls: 1, params: ['phi'], structure: 'controlled', factors: [{ kind: 'rotation', pauli: 'X', param: 0 }], description: 'controlled RX' });
defineGate({ name: 'CRY', numWires: 2, numControls: 1, params: ['phi'], structure: 'controlled', factors: [{ kind: 'rotation', pauli: 'Y', param: 0 }], description: 'controlled RY' });
defineGate({ name: 'CRZ', numWires: 2, numControls: 1, params: ['phi'], structure: 'diagonal', factors: [{ kind: 'rotation', pauli: 'Z', param: 0 }], description: 'controlled RZ' });
defineGate({
  name: 'CRot', numWires: 2, numControls: 1, params: ['phi', 'theta', 'omega'], structure: 'controlled',
  factors: [{ kind: 'rotation', pauli: 'Z', param: 0 }, { kind: 'rotation', pauli: 'Y', param: 1 }, { kind: 'rotation', pauli: 'Z', param: 2 }],
  description: 'controlled Rot',
});
defineGate({ name: 'ControlledPhaseShift', numWires: 2, numControls: 1, params: ['phi'], structure: 'diagonal', factors: [{ kind: 'phase', param: 0 }], description: 'diag(1, 1, 1, e^{iφ})' });
defineGate({ name: 'IsingXX', numWires: 2, params: ['phi'], structure: 'dense', factors: [{ kind: 'rotation', pauli: 'XX', param: 0 }], description: 'exp(−iφ X⊗X/2)' });
defineGate({ name: 'IsingYY', numWires: 2, params: ['phi'], structure: 'dense', factors: [{ kind: 'rotation', pauli: 'YY', param: 0 }], description: 'exp(−iφ Y⊗Y/2)' });
defineGate({ name: 'IsingZZ', numWires: 2, params: ['phi'], structure: 'diagonal', factors: [{ kind: 'rotation', pauli: 'ZZ', param: 0 }], description: 'exp(−iφ Z⊗Z/2)' });
defineGate({ name: 'Toffoli', numWires: 3, numControls: 2, structure: 'permutation', action: { kind: 'flip' }, description: 'doubly-controlled X' });
defineGate({ name: 'MultiRZ', numWires: 'any', wireRange: [1, 30], params: ['theta'], structure: 'diagonal', factors: [{ kind: 'rotation', pauli: 'Z', param: 0 }], description: 'exp(−iθ Z⊗…⊗Z/2) on any number of wires' });
defineGate({ name: 'QubitUnitary', numWires: 'any', wireRange: [1, 3], structure: 'dense', matrixParam: true, description: 'an arbitrary unitary on 1–3 wires' });

/** Kronecker helper re-exported for tests that build expected matrices. */
export { kron };
