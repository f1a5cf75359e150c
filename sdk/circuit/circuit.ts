import { QDistillError, assertFinite } from '../errors.js';
import { getGate, type GateDefinition } from './gates.js';
import { unitarityError, type ComplexMatrix } from './matrix.js';
import { isInputRef, isWeightRef, type ParamSource } from './params.js';

/** One gate application. */
export interface Operation {
  /** PennyLane gate name. */
  readonly name: string;
  readonly wires: readonly number[];
  readonly params: readonly ParamSource[];
  /** Apply the adjoint (inverse) of the gate. */
  readonly inverse: boolean;
  /** `QubitUnitary` only: the unitary. */
  readonly matrix?: ComplexMatrix;
}

/**
 * State preparation at the start of a circuit:
 * - `amplitude`: PennyLane's `AmplitudeEmbedding` — features padded with `pad`
 *   to 2^k and (if `normalize`) divided by their L2 norm. `features` are
 *   numbers, or `null` when they come from the sample inputs
 *   `[inputOffset, inputOffset + numFeatures)` (a QNN layer). Two optional
 *   extras (not PennyLane's; see {@link amplitudeEmbedding}) follow the
 *   features before padding: the norm feature `normScale`·‖x‖², then the
 *   constant `bias`.
 * - `state`: the whole input is a statevector (2^n re then 2^n im inputs).
 */
export type StatePrep =
  | {
      readonly kind: 'amplitude';
      readonly wires: readonly number[];
      readonly features: readonly number[] | null;
      readonly numFeatures: number;
      readonly inputOffset: number;
      readonly pad: number;
      readonly normalize: boolean;
      /** A constant amplitude after the features (and the norm feature); absent or 0: none. */
      readonly bias?: number;
      /** s of the norm feature s·‖x‖² appended after the features; absent or 0: none. */
      readonly normScale?: number;
    }
  | { readonly kind: 'state'; readonly inputOffset: number };

/** Options of {@link Circuit.op}. */
export interface OpOptions {
  /** Apply the adjoint of the gate. */
  inverse?: boolean;
  /** `QubitUnitary`: the matrix (alternatively pass it as the params argument). */
  matrix?: ComplexMatrix;
}

const MAX_QUBITS = 30;

/**
 * A quantum circuit on `numQubits` wires: an optional state preparation and
 * a list of gate operations. A pure description — simulate it with
 * {@link createSimulator}, differentiate it with a QNN layer.
 *
 * Wire 0 is the most significant bit of a basis-state index (PennyLane).
 *
 * @example
 * ```ts
 * const c = new Circuit(3)
 *   .h(0)
 *   .cnot(0, 1)
 *   .rx(0.3, 2)
 *   .op('CRot', [1, 2], [0.1, 0.2, 0.3]);
 * const sim = await createSimulator();
 * const { re, im } = sim.state(c);
 * ```
 */
export class Circuit {
  readonly numQubits: number;
  private readonly operations: Operation[] = [];
  private preparation: StatePrep | undefined;

  constructor(numQubits: number) {
    if (!Number.isInteger(numQubits) || numQubits < 1 || numQubits > MAX_QUBITS) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `Circuit: numQubits must be an integer in 1..${MAX_QUBITS}, got ${numQubits}`,
      );
    }
    this.numQubits = numQubits;
  }

  /** The operations, in order. */
  get ops(): readonly Operation[] {
    return this.operations;
  }

  /** The state preparation, if any. */
  get prep(): StatePrep | undefined {
    return this.preparation;
  }

  /**
   * Appends any gate by its PennyLane name.
   *
   * @throws E_UNKNOWN_GATE, E_WIRE_RANGE, E_DUPLICATE_WIRES, E_WIRE_COUNT,
   *   E_PARAM_COUNT, E_NON_FINITE, E_NOT_UNITARY
   * @example
   * ```ts
   * circuit.op('CRot', [1, 2], [0.1, 0.2, 0.3]);
   * circuit.op('QubitUnitary', [0], matrix);
   * circuit.op('RX', [0], [0.5], { inverse: true });
   * ```
   */
  op(name: string, wires: readonly number[] | number, params: readonly ParamSource[] | ComplexMatrix | readonly [RowsMatrix] = [], options: OpOptions = {}): this {
    const gate = getGate(name);
    const wireList = typeof wires === 'number' ? [wires] : [...wires];
    const wireText = wireList.join(', ');
    let matrix = options.matrix;
    let paramList: readonly ParamSource[] = [];
    if (isComplexMatrix(params)) matrix = params;
    else if (gate.matrixParam && params.length === 1 && isRowsMatrix(params[0])) matrix = matrixFromRows(params[0]);
    else paramList = params as readonly ParamSource[];
    this.checkWires(gate, wireList);
    if (gate.matrixParam) {
      if (!matrix) {
        throw new QDistillError('E_PARAM_COUNT', `${name} on wires [${wireText}]: expected a unitary matrix, got none`);
      }
      checkUnitary(name, wireList, matrix);
    } else {
      if (matrix) throw new QDistillError('E_PARAM_COUNT', `${name}: takes no matrix (only QubitUnitary does)`);
      if (paramList.length !== gate.params.length) {
        throw new QDistillError(
          'E_PARAM_COUNT',
          `${name} on wires [${wireText}]: expected ${gate.params.length} parameter(s) (${gate.params.join(', ') || 'none'}), got ${paramList.length}`,
        );
      }
      paramList.forEach((p, k) => checkParam(p, `${name} on wires [${wireText}], parameter ${gate.params[k]}`));
    }
    this.operations.push({
      name,
      wires: wireList,
      params: [...paramList],
      inverse: options.inverse ?? false,
      ...(matrix ? { matrix } : {}),
    });
    return this;
  }

  /** Appends the adjoint of a gate: `adjoint('RX', 0, [0.3])` is RX(0.3)†. */
  adjoint(name: string, wires: readonly number[] | number, params: readonly ParamSource[] | ComplexMatrix = []): this {
    return this.op(name, wires, params, { inverse: true });
  }

  // ------------------------------------------------------------ typed helpers
  /** Hadamard on `wire`. */ h(wire: number): this { return this.op('Hadamard', [wire]); }
  /** Pauli X on `wire`. */ x(wire: number): this { return this.op('PauliX', [wire]); }
  /** Pauli Y on `wire`. */ y(wire: number): this { return this.op('PauliY', [wire]); }
  /** Pauli Z on `wire`. */ z(wire: number): this { return this.op('PauliZ', [wire]); }
  /** S on `wire`. */ s(wire: number): this { return this.op('S', [wire]); }
  /** T on `wire`. */ t(wire: number): this { return this.op('T', [wire]); }
  /** √X on `wire`. */ sx(wire: number): this { return this.op('SX', [wire]); }
  /** RX(φ) on `wire`. */ rx(phi: ParamSource, wire: number): this { return this.op('RX', [wire], [phi]); }
  /** RY(φ) on `wire`. */ ry(phi: ParamSource, wire: number): this { return this.op('RY', [wire], [phi]); }
  /** RZ(φ) on `wire`. */ rz(phi: ParamSource, wire: number): this { return this.op('RZ', [wire], [phi]); }
  /** PhaseShift(φ) on `wire`. */ phaseShift(phi: ParamSource, wire: number): this { return this.op('PhaseShift', [wire], [phi]); }
  /** Rot(φ, θ, ω) = RZ(ω)RY(θ)RZ(φ) on `wire`. */
  rot(phi: ParamSource, theta: ParamSource, omega: ParamSource, wire: number): this { return this.op('Rot', [wire], [phi, theta, omega]); }
  /** U3(θ, φ, δ) on `wire`. */
  u3(theta: ParamSource, phi: ParamSource, delta: ParamSource, wire: number): this { return this.op('U3', [wire], [theta, phi, delta]); }
  /** CNOT with `control` and `target`. */ cnot(control: number, target: number): this { return this.op('CNOT', [control, target]); }
  /** CZ. */ cz(control: number, target: number): this { return this.op('CZ', [control, target]); }
  /** CY. */ cy(control: number, target: number): this { return this.op('CY', [control, target]); }
  /** SWAP. */ swap(a: number, b: number): this { return this.op('SWAP', [a, b]); }
  /** CRX(φ). */ crx(phi: ParamSource, control: number, target: number): this { return this.op('CRX', [control, target], [phi]); }
  /** CRY(φ). */ cry(phi: ParamSource, control: number, target: number): this { return this.op('CRY', [control, target], [phi]); }
  /** CRZ(φ). */ crz(phi: ParamSource, control: number, target: number): this { return this.op('CRZ', [control, target], [phi]); }
  /** CRot(φ, θ, ω). */
  crot(phi: ParamSource, theta: ParamSource, omega: ParamSource, control: number, target: number): this {
    return this.op('CRot', [control, target], [phi, theta, omega]);
  }
  /** ControlledPhaseShift(φ). */
  controlledPhaseShift(phi: ParamSource, control: number, target: number): this { return this.op('ControlledPhaseShift', [control, target], [phi]); }
  /** IsingXX(φ). */ isingXX(phi: ParamSource, a: number, b: number): this { return this.op('IsingXX', [a, b], [phi]); }
  /** IsingYY(φ). */ isingYY(phi: ParamSource, a: number, b: number): this { return this.op('IsingYY', [a, b], [phi]); }
  /** IsingZZ(φ). */ isingZZ(phi: ParamSource, a: number, b: number): this { return this.op('IsingZZ', [a, b], [phi]); }
  /** Toffoli with controls `c0`, `c1`. */ toffoli(c0: number, c1: number, target: number): this { return this.op('Toffoli', [c0, c1, target]); }
  /** MultiRZ(θ) on any wires. */ multiRZ(theta: ParamSource, wires: readonly number[]): this { return this.op('MultiRZ', wires, [theta]); }
  /** QubitUnitary on 1–3 wires. */ qubitUnitary(matrix: ComplexMatrix, wires: readonly number[]): this { return this.op('QubitUnitary', wires, matrix); }

  /**
   * Sets the state preparation (it must come before any gate).
   * @internal templates call this; users call {@link amplitudeEmbedding}.
   */
  setPrep(prep: StatePrep): this {
    if (this.operations.length > 0 || this.preparation) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `${prep.kind === 'amplitude' ? 'AmplitudeEmbedding' : 'state input'}: state preparation must be the first operation of the circuit`,
      );
    }
    this.preparation = prep;
    return this;
  }

  /** Appends every operation of `other` (same number of qubits, no state preparation). */
  append(other: Circuit): this {
    if (other.numQubits !== this.numQubits) {
      throw new QDistillError('E_INVALID_ARGUMENT', `append: circuit has ${other.numQubits} qubits, this one ${this.numQubits}`);
    }
    if (other.prep) throw new QDistillError('E_INVALID_ARGUMENT', 'append: the appended circuit has a state preparation');
    for (const op of other.ops) this.operations.push(op);
    return this;
  }

  /** The adjoint circuit: operations reversed, each inverted (no state preparation allowed). */
  inverse(): Circuit {
    if (this.preparation) throw new QDistillError('E_INVALID_ARGUMENT', 'inverse: a circuit with a state preparation has no inverse');
    const out = new Circuit(this.numQubits);
    for (let i = this.operations.length - 1; i >= 0; i--) {
      const op = this.operations[i]!;
      out.operations.push({ ...op, inverse: !op.inverse });
    }
    return out;
  }

  /** A copy. */
  clone(): Circuit {
    const out = new Circuit(this.numQubits);
    out.preparation = this.preparation;
    out.operations.push(...this.operations);
    return out;
  }

  /** True if any parameter or the preparation is symbolic (needs weights or inputs). */
  get isSymbolic(): boolean {
    if (this.preparation && (this.preparation.kind === 'state' || this.preparation.features === null)) return true;
    return this.operations.some((op) => op.params.some((p) => typeof p !== 'number'));
  }

  private checkWires(gate: GateDefinition, wires: number[]): void {
    const where = `${gate.name} on wires [${wires.join(', ')}]`;
    if (typeof gate.numWires === 'number') {
      if (wires.length !== gate.numWires) {
        throw new QDistillError('E_WIRE_COUNT', `${where}: expected ${gate.numWires} wire(s), got ${wires.length}`);
      }
    } else {
      const [lo, hi] = gate.wireRange ?? [1, MAX_QUBITS];
      if (wires.length < lo || wires.length > hi) {
        throw new QDistillError('E_WIRE_COUNT', `${where}: expected ${lo}..${hi} wires, got ${wires.length}`);
      }
    }
    checkWireList(wires, this.numQubits, where);
  }
}

/** Validates a wire list against a register size. */
export function checkWireList(wires: readonly number[], numQubits: number, where: string): void {
  const seen = new Set<number>();
  for (const w of wires) {
    if (!Number.isInteger(w) || w < 0 || w >= numQubits) {
      throw new QDistillError(
        'E_WIRE_RANGE',
        `${where}: wire ${w} is out of range for a ${numQubits}-qubit circuit (valid 0..${numQubits - 1})`,
      );
    }
    if (seen.has(w)) throw new QDistillError('E_DUPLICATE_WIRES', `${where}: wire ${w} appears more than once`);
    seen.add(w);
  }
}

function checkParam(p: ParamSource, where: string): void {
  if (typeof p === 'number') {
    assertFinite(p, where);
    return;
  }
  if (isWeightRef(p)) {
    if (p.scale !== undefined) assertFinite(p.scale, `${where} (weight scale)`);
    return;
  }
  if (isInputRef(p)) {
    if (p.scale !== undefined) assertFinite(p.scale, `${where} (input scale)`);
    if (p.offset !== undefined) assertFinite(p.offset, `${where} (input offset)`);
    return;
  }
  throw new QDistillError('E_INVALID_ARGUMENT', `${where}: expected a number, { weight } or { input }, got ${JSON.stringify(p)}`);
}

/** `{ re: rows, im: rows }` — the form PennyLane fixtures and JSON use. */
export interface RowsMatrix {
  readonly re: readonly (readonly number[])[];
  readonly im: readonly (readonly number[])[];
}

function isRowsMatrix(value: unknown): value is RowsMatrix {
  return typeof value === 'object' && value !== null && Array.isArray((value as RowsMatrix).re) && Array.isArray((value as RowsMatrix).im) && Array.isArray((value as RowsMatrix).re[0]);
}

/** Converts `{ re: rows, im: rows }` into a {@link ComplexMatrix}, checking it is square. */
export function matrixFromRows(rows: RowsMatrix): ComplexMatrix {
  const dim = rows.re.length;
  const re = new Float64Array(dim * dim);
  const im = new Float64Array(dim * dim);
  for (let r = 0; r < dim; r++) {
    if (rows.re[r]!.length !== dim || rows.im[r]?.length !== dim) {
      throw new QDistillError('E_SHAPE', `matrix: row ${r} must have ${dim} re and im entries`);
    }
    for (let c = 0; c < dim; c++) {
      re[r * dim + c] = rows.re[r]![c]!;
      im[r * dim + c] = rows.im[r]![c]!;
    }
  }
  return { dim, re, im };
}

function isComplexMatrix(value: unknown): value is ComplexMatrix {
  return typeof value === 'object' && value !== null && 'dim' in value && 're' in value && 'im' in value;
}

function checkUnitary(name: string, wires: readonly number[], matrix: ComplexMatrix): void {
  const where = `${name} on wires [${wires.join(', ')}]`;
  const dim = 1 << wires.length;
  if (matrix.dim !== dim || matrix.re.length !== dim * dim || matrix.im.length !== dim * dim) {
    throw new QDistillError('E_SHAPE', `${where}: expected a ${dim}×${dim} matrix, got ${matrix.dim}×${matrix.dim}`);
  }
  for (let i = 0; i < matrix.re.length; i++) {
    assertFinite(matrix.re[i]!, `${where}: matrix entry ${i} (re)`);
    assertFinite(matrix.im[i]!, `${where}: matrix entry ${i} (im)`);
  }
  const err = unitarityError(matrix);
  if (err > 1e-8) {
    throw new QDistillError('E_NOT_UNITARY', `${where}: the matrix is not unitary (max |U†U − I| = ${err.toExponential(2)}, tolerance 1e-8)`);
  }
}
