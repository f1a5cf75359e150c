/**
 * Circuit serialisation: a versioned, plain-JSON form of a {@link Circuit}
 * that round-trips exactly (numbers, symbolic parameters, QubitUnitary
 * matrices, state preparations).
 *
 * ```json
 * { "format": "qdistill.circuit", "version": 1, "numQubits": 2,
 *   "prep": { "kind": "amplitude", "wires": [0, 1], "features": [1, 2, 3], "numFeatures": 3,
 *             "inputOffset": 0, "pad": 0, "normalize": true },
 *   "ops": [ { "name": "RX", "wires": [0], "params": [0.5] },
 *            { "name": "CRot", "wires": [0, 1], "params": [{ "weight": 0 }, 0.2, { "input": 1, "scale": 3.14, "offset": 0 }] },
 *            { "name": "QubitUnitary", "wires": [1], "params": [], "inverse": true,
 *              "matrix": { "re": [[0, 1], [1, 0]], "im": [[0, 0], [0, 0]] } } ] }
 * ```
 *
 * Loading validates every field and throws `E_PARSE` naming the bad field's
 * path (`ops[3].wires[1]`); gate-level checks (names, wire counts, ranges,
 * parameter counts, unitarity) are {@link Circuit.op}'s own, re-thrown as
 * `E_PARSE` with the path and the original error as `cause`.
 *
 * One caveat of JSON itself: `-0` is written as `0` by `JSON.stringify`.
 * The object form returned by {@link circuitToJSON} keeps it.
 */
import { QDistillError, isQDistillError, type ErrorCode } from '../errors.js';
import { Circuit, matrixFromRows, type Operation, type RowsMatrix, type StatePrep } from './circuit.js';
import type { ComplexMatrix } from './matrix.js';
import { isInputRef, isWeightRef, type ParamSource } from './params.js';
import { amplitudeEmbedding } from './templates.js';

/** The `format` tag of a serialised circuit. */
export const CIRCUIT_FORMAT = 'qdistill.circuit';
/** The version this SDK writes and reads. */
export const CIRCUIT_FORMAT_VERSION = 1;

/** A gate parameter in JSON: a number, `{ weight, scale? }` or `{ input, scale?, offset? }`. */
export type ParamJSON = number | { weight: number; scale?: number } | { input: number; scale?: number; offset?: number };

/** One operation in JSON. `inverse` appears only when true, `matrix` only for QubitUnitary. */
export interface OperationJSON {
  name: string;
  wires: number[];
  params: ParamJSON[];
  inverse?: true;
  matrix?: { re: number[][]; im: number[][] };
}

/** A state preparation in JSON (the fields of {@link StatePrep}). */
export type StatePrepJSON =
  | {
      kind: 'amplitude';
      wires: number[];
      features: number[] | null;
      numFeatures: number;
      inputOffset: number;
      pad: number;
      normalize: boolean;
      /** Present only when set (see amplitudeEmbedding). */
      bias?: number;
      normScale?: number;
    }
  | { kind: 'state'; inputOffset: number };

/** The serialised form of a circuit. */
export interface CircuitJSON {
  format: typeof CIRCUIT_FORMAT;
  version: typeof CIRCUIT_FORMAT_VERSION;
  numQubits: number;
  prep?: StatePrepJSON;
  ops: OperationJSON[];
}

/**
 * The plain-JSON form of a circuit (safe for `JSON.stringify`).
 *
 * @example
 * ```ts
 * const text = JSON.stringify(circuitToJSON(new Circuit(2).h(0).cnot(0, 1)));
 * const again = circuitFromJSON(text);
 * ```
 */
export function circuitToJSON(circuit: Circuit): CircuitJSON {
  const out: CircuitJSON = { format: CIRCUIT_FORMAT, version: CIRCUIT_FORMAT_VERSION, numQubits: circuit.numQubits, ops: [] };
  if (circuit.prep) out.prep = prepToJSON(circuit.prep);
  out.ops = circuit.ops.map(opToJSON);
  return out;
}

function prepToJSON(prep: StatePrep): StatePrepJSON {
  if (prep.kind === 'state') return { kind: 'state', inputOffset: prep.inputOffset };
  return {
    kind: 'amplitude',
    wires: [...prep.wires],
    features: prep.features ? [...prep.features] : null,
    numFeatures: prep.numFeatures,
    inputOffset: prep.inputOffset,
    pad: prep.pad,
    normalize: prep.normalize,
    ...(prep.bias ? { bias: prep.bias } : {}),
    ...(prep.normScale ? { normScale: prep.normScale } : {}),
  };
}

function opToJSON(op: Operation): OperationJSON {
  const out: OperationJSON = { name: op.name, wires: [...op.wires], params: op.params.map(paramToJSON) };
  if (op.inverse) out.inverse = true;
  if (op.matrix) out.matrix = matrixToRows(op.matrix);
  return out;
}

function paramToJSON(p: ParamSource): ParamJSON {
  if (typeof p === 'number') return p;
  if (isWeightRef(p)) return p.scale === undefined ? { weight: p.weight } : { weight: p.weight, scale: p.scale };
  const out: { input: number; scale?: number; offset?: number } = { input: p.input };
  if (p.scale !== undefined) out.scale = p.scale;
  if (p.offset !== undefined) out.offset = p.offset;
  return out;
}

/** `{ re: rows, im: rows }` of a {@link ComplexMatrix}. */
export function matrixToRows(m: ComplexMatrix): { re: number[][]; im: number[][] } {
  const re: number[][] = [];
  const im: number[][] = [];
  for (let r = 0; r < m.dim; r++) {
    re.push(Array.from(m.re.subarray(r * m.dim, (r + 1) * m.dim)));
    im.push(Array.from(m.im.subarray(r * m.dim, (r + 1) * m.dim)));
  }
  return { re, im };
}

// ------------------------------------------------------------------ loading

function parseError(path: string, message: string, options: { cause?: unknown; code?: ErrorCode } = {}): QDistillError {
  return new QDistillError('E_PARSE', `circuitFromJSON: ${path ? `${path}: ` : ''}${message}`, {
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    details: { path, ...(options.code ? { reason: options.code } : {}) },
  });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectRecord(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(value)) throw parseError(path, `expected an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw parseError(path ? `${path}.${key}` : key, `unknown field; allowed fields: ${allowed.join(', ')}`);
    }
  }
  return value;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw parseError(path, `expected an array, got ${describe(value)}`);
  return value;
}

function expectNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw parseError(path, `expected a finite number, got ${describe(value)}`);
  return value;
}

function expectIndex(value: unknown, path: string, what = 'a non-negative integer'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw parseError(path, `expected ${what}, got ${describe(value)}`);
  return value;
}

function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw parseError(path, `expected true or false, got ${describe(value)}`);
  return value;
}

/**
 * Rebuilds a circuit from {@link circuitToJSON}'s form (an object, or its
 * JSON text). Every field is validated; gates go through {@link Circuit.op}.
 *
 * @throws E_PARSE — malformed JSON text, a missing, unknown or mistyped
 *   field, an unsupported version, or a gate that {@link Circuit.op}
 *   rejects. The message and `details.path` name the field, e.g.
 *   `ops[3].wires[1]`; `details.reason` keeps the original error code and
 *   `cause` the original error.
 * @example
 * ```ts
 * const circuit = circuitFromJSON('{"format":"qdistill.circuit","version":1,"numQubits":1,"ops":[{"name":"Hadamard","wires":[0],"params":[]}]}');
 * ```
 */
export function circuitFromJSON(json: unknown): Circuit {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw parseError('', `the text is not valid JSON (${(cause as Error).message})`, { cause });
    }
  }
  const root = expectRecord(value, '', ['format', 'version', 'numQubits', 'prep', 'ops']);
  if (root.format !== CIRCUIT_FORMAT) {
    throw parseError('format', `expected "${CIRCUIT_FORMAT}", got ${describe(root.format)}`);
  }
  if (root.version !== CIRCUIT_FORMAT_VERSION) {
    const newer = typeof root.version === 'number' && root.version > CIRCUIT_FORMAT_VERSION;
    throw parseError(
      'version',
      `expected ${CIRCUIT_FORMAT_VERSION}, got ${describe(root.version)}${newer ? ' (written by a newer qdistill; upgrade to read it)' : ''}`,
    );
  }
  const numQubits = expectIndex(root.numQubits, 'numQubits', 'a positive integer');
  let circuit: Circuit;
  try {
    circuit = new Circuit(numQubits);
  } catch (cause) {
    throw rethrow(cause, 'numQubits');
  }
  if (root.prep !== undefined) loadPrep(circuit, root.prep);
  const ops = expectArray(root.ops, 'ops');
  ops.forEach((op, i) => loadOp(circuit, op, `ops[${i}]`));
  return circuit;
}

function rethrow(cause: unknown, path: string): QDistillError {
  if (isQDistillError(cause)) return parseError(path, cause.message, { cause, code: cause.code });
  return parseError(path, String((cause as Error)?.message ?? cause), { cause });
}

function loadPrep(circuit: Circuit, raw: unknown): void {
  const path = 'prep';
  if (!isRecord(raw)) throw parseError(path, `expected an object, got ${describe(raw)}`);
  if (raw.kind === 'state') {
    const prep = expectRecord(raw, path, ['kind', 'inputOffset']);
    const inputOffset = expectIndex(prep.inputOffset, `${path}.inputOffset`);
    circuit.setPrep({ kind: 'state', inputOffset });
    return;
  }
  if (raw.kind !== 'amplitude') throw parseError(`${path}.kind`, `expected "amplitude" or "state", got ${describe(raw.kind)}`);
  const prep = expectRecord(raw, path, ['kind', 'wires', 'features', 'numFeatures', 'inputOffset', 'pad', 'normalize', 'bias', 'normScale']);
  const wires = expectArray(prep.wires, `${path}.wires`).map((w, i) => expectIndex(w, `${path}.wires[${i}]`));
  const numFeatures = expectIndex(prep.numFeatures, `${path}.numFeatures`, 'a positive integer');
  const inputOffset = expectIndex(prep.inputOffset, `${path}.inputOffset`);
  const pad = expectNumber(prep.pad, `${path}.pad`);
  const normalize = expectBoolean(prep.normalize, `${path}.normalize`);
  const extras = {
    ...(prep.bias !== undefined ? { bias: expectNumber(prep.bias, `${path}.bias`) } : {}),
    ...(prep.normScale !== undefined ? { normScale: expectNumber(prep.normScale, `${path}.normScale`) } : {}),
  };
  let features: number[] | { inputs: number; offset: number };
  if (prep.features === null) features = { inputs: numFeatures, offset: inputOffset };
  else {
    features = expectArray(prep.features, `${path}.features`).map((f, i) => expectNumber(f, `${path}.features[${i}]`));
    if (features.length !== numFeatures) {
      throw parseError(`${path}.numFeatures`, `is ${numFeatures} but features has ${features.length} entries`);
    }
    if (inputOffset !== 0) throw parseError(`${path}.inputOffset`, `must be 0 when features are numbers, got ${inputOffset}`);
  }
  try {
    amplitudeEmbedding(circuit, features, { wires, pad, normalize, ...extras });
  } catch (cause) {
    throw rethrow(cause, path);
  }
}

function loadParam(raw: unknown, path: string): ParamSource {
  if (typeof raw === 'number') return expectNumber(raw, path);
  if (isRecord(raw) && 'weight' in raw) {
    const p = expectRecord(raw, path, ['weight', 'scale']);
    const weight = expectIndex(p.weight, `${path}.weight`);
    return p.scale === undefined ? { weight } : { weight, scale: expectNumber(p.scale, `${path}.scale`) };
  }
  if (isRecord(raw) && 'input' in raw) {
    const p = expectRecord(raw, path, ['input', 'scale', 'offset']);
    const out: { input: number; scale?: number; offset?: number } = { input: expectIndex(p.input, `${path}.input`) };
    if (p.scale !== undefined) out.scale = expectNumber(p.scale, `${path}.scale`);
    if (p.offset !== undefined) out.offset = expectNumber(p.offset, `${path}.offset`);
    return out;
  }
  throw parseError(path, `expected a number, { weight } or { input }, got ${describe(raw)}`);
}

function loadMatrix(raw: unknown, path: string): RowsMatrix {
  const m = expectRecord(raw, path, ['re', 'im']);
  const parts = (['re', 'im'] as const).map((part) => {
    const rows = expectArray(m[part], `${path}.${part}`);
    return rows.map((row, r) => {
      const cells = expectArray(row, `${path}.${part}[${r}]`);
      if (cells.length !== rows.length) {
        throw parseError(`${path}.${part}[${r}]`, `expected ${rows.length} entries (a square matrix), got ${cells.length}`);
      }
      return cells.map((cell, c) => expectNumber(cell, `${path}.${part}[${r}][${c}]`));
    });
  });
  if (parts[0]!.length !== parts[1]!.length) {
    throw parseError(`${path}.im`, `expected ${parts[0]!.length} rows like re, got ${parts[1]!.length}`);
  }
  return { re: parts[0]!, im: parts[1]! };
}

function loadOp(circuit: Circuit, raw: unknown, path: string): void {
  const op = expectRecord(raw, path, ['name', 'wires', 'params', 'inverse', 'matrix']);
  if (typeof op.name !== 'string') throw parseError(`${path}.name`, `expected a gate name, got ${describe(op.name)}`);
  const wires = expectArray(op.wires, `${path}.wires`).map((w, i) => {
    if (typeof w !== 'number' || !Number.isInteger(w)) throw parseError(`${path}.wires[${i}]`, `expected an integer wire, got ${describe(w)}`);
    return w;
  });
  const params = expectArray(op.params, `${path}.params`).map((p, i) => loadParam(p, `${path}.params[${i}]`));
  const inverse = op.inverse === undefined ? false : expectBoolean(op.inverse, `${path}.inverse`);
  const matrix = op.matrix === undefined ? undefined : loadMatrix(op.matrix, `${path}.matrix`);
  let complex: ComplexMatrix | undefined;
  if (matrix) {
    try {
      complex = matrixFromRows(matrix);
    } catch (cause) {
      throw rethrow(cause, `${path}.matrix`);
    }
  }
  if (complex && params.length > 0) throw parseError(`${path}.params`, `a gate with a matrix takes no params, got ${params.length}`);
  try {
    circuit.op(op.name, wires, complex ?? params, { inverse });
  } catch (cause) {
    throw rethrow(cause, fieldOf(cause, path, wires, circuit.numQubits, complex !== undefined));
  }
}

/** Which field of an op a {@link Circuit.op} error is about. */
function fieldOf(cause: unknown, path: string, wires: readonly number[], numQubits: number, hasMatrix: boolean): string {
  if (!isQDistillError(cause)) return path;
  switch (cause.code) {
    case 'E_UNKNOWN_GATE':
      return `${path}.name`;
    case 'E_WIRE_RANGE': {
      const i = wires.findIndex((w) => w < 0 || w >= numQubits);
      return i >= 0 ? `${path}.wires[${i}]` : `${path}.wires`;
    }
    case 'E_DUPLICATE_WIRES': {
      const i = wires.findIndex((w, k) => wires.indexOf(w) !== k);
      return i >= 0 ? `${path}.wires[${i}]` : `${path}.wires`;
    }
    case 'E_WIRE_COUNT':
      return `${path}.wires`;
    case 'E_PARAM_COUNT':
      return hasMatrix || /matrix/.test(cause.message) ? `${path}.matrix` : `${path}.params`;
    case 'E_NOT_UNITARY':
    case 'E_SHAPE':
      return `${path}.matrix`;
    default:
      return path;
  }
}
