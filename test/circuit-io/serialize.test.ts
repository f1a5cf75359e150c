// Circuit JSON (sdk/circuit/serialize.ts): exact round trips, and E_PARSE
// errors that name the bad field.
import { describe, expect, it } from 'vitest';
import { Circuit, type Operation } from '../../sdk/circuit/circuit.js';
import { circuitFromJSON, circuitToJSON } from '../../sdk/circuit/serialize.js';
import { amplitudeEmbedding } from '../../sdk/circuit/templates.js';
import { isQDistillError } from '../../sdk/errors.js';
import { Random } from '../../sdk/util/random.js';
import { randomCircuit, thrown } from './helpers.js';

/** Field-by-field identity of two operations, numbers compared with Object.is. */
function expectSameOp(a: Operation, b: Operation, where: string): void {
  expect(b.name, where).toBe(a.name);
  expect(b.wires, where).toEqual(a.wires);
  expect(b.inverse, where).toBe(a.inverse);
  expect(b.params.length, where).toBe(a.params.length);
  a.params.forEach((p, k) => {
    const q = b.params[k]!;
    if (typeof p === 'number') expect(Object.is(p, q), `${where} param ${k}: ${p} vs ${String(q)}`).toBe(true);
    else expect(q, `${where} param ${k}`).toStrictEqual(p);
  });
  expect(b.matrix === undefined, where).toBe(a.matrix === undefined);
  if (a.matrix) {
    expect(b.matrix!.dim).toBe(a.matrix.dim);
    expect(Array.from(b.matrix!.re)).toEqual(Array.from(a.matrix.re));
    expect(Array.from(b.matrix!.im)).toEqual(Array.from(a.matrix.im));
  }
}

const base = { format: 'qdistill.circuit', version: 1, numQubits: 3 };

describe('circuitToJSON / circuitFromJSON', () => {
  it('round-trips random circuits exactly through JSON text (numbers, symbolic params, matrices, preparations)', () => {
    const rng = new Random(99);
    for (let trial = 0; trial < 80; trial++) {
      const n = 1 + (trial % 5);
      const original = randomCircuit(rng, n, rng.int(25), { symbolic: trial % 2 === 0, prep: true, maxUnitaryWires: 3 });
      const json = circuitToJSON(original);
      const text = JSON.stringify(json);
      const back = circuitFromJSON(JSON.parse(text));
      expect(back.numQubits).toBe(n);
      expect(back.ops.length).toBe(original.ops.length);
      original.ops.forEach((op, i) => expectSameOp(op, back.ops[i]!, `trial ${trial}, ops[${i}]`));
      expect(back.prep).toStrictEqual(original.prep);
      expect(JSON.stringify(circuitToJSON(back))).toBe(text);
      expect(circuitFromJSON(text).ops.length).toBe(original.ops.length); // the text form too
    }
  });

  it('writes the documented plain form', () => {
    const c = amplitudeEmbedding(new Circuit(2), [1, 2, 3], { pad: 0, normalize: true })
      .rx(0.5, 0)
      .op('CRot', [0, 1], [{ weight: 0 }, 0.2, { input: 1, scale: 3, offset: 0 }])
      .op('QubitUnitary', [1], [{ re: [[0, 1], [1, 0]], im: [[0, 0], [0, 0]] }], { inverse: true });
    expect(circuitToJSON(c)).toStrictEqual({
      format: 'qdistill.circuit',
      version: 1,
      numQubits: 2,
      prep: { kind: 'amplitude', wires: [0, 1], features: [1, 2, 3], numFeatures: 3, inputOffset: 0, pad: 0, normalize: true },
      ops: [
        { name: 'RX', wires: [0], params: [0.5] },
        { name: 'CRot', wires: [0, 1], params: [{ weight: 0 }, 0.2, { input: 1, scale: 3, offset: 0 }] },
        { name: 'QubitUnitary', wires: [1], params: [], inverse: true, matrix: { re: [[0, 1], [1, 0]], im: [[0, 0], [0, 0]] } },
      ],
    });
    expect(circuitToJSON(amplitudeEmbedding(new Circuit(2), { inputs: 3, offset: 2 }, { pad: 0 })).prep).toStrictEqual({
      kind: 'amplitude', wires: [0, 1], features: null, numFeatures: 3, inputOffset: 2, pad: 0, normalize: false,
    });
  });

  const cases: [string, unknown, string, RegExp, string?][] = [
    ['text that is not JSON', '{"format": "qdistill.circuit",', '', /the text is not valid JSON/],
    ['a non-object', [1, 2], '', /expected an object, got an array of 2/],
    ['a wrong format tag', { ...base, format: 'qiskit', ops: [] }, 'format', /expected "qdistill.circuit", got "qiskit"/],
    ['a newer version', { ...base, version: 2, ops: [] }, 'version', /expected 1, got 2 \(written by a newer qdistill; upgrade to read it\)/],
    ['a bad qubit count', { ...base, numQubits: 0, ops: [] }, 'numQubits', /numQubits must be an integer in 1\.\.30, got 0/, 'E_INVALID_ARGUMENT'],
    ['missing ops', { ...base }, 'ops', /expected an array, got nothing/],
    ['an unknown top-level field', { ...base, ops: [], comment: 'hi' }, 'comment', /unknown field; allowed fields: format, version, numQubits, prep, ops/],
    ['an unknown gate name', { ...base, ops: [{ name: 'H', wires: [0], params: [] }] }, 'ops[0].name', /unknown gate "H"; known gates: Hadamard/, 'E_UNKNOWN_GATE'],
    [
      'a wire out of range in ops[3]',
      { ...base, ops: [...Array(3).fill({ name: 'Hadamard', wires: [0], params: [] }), { name: 'CNOT', wires: [0, 7], params: [] }] },
      'ops[3].wires[1]',
      /CNOT on wires \[0, 7\]: wire 7 is out of range for a 3-qubit circuit \(valid 0\.\.2\)/,
      'E_WIRE_RANGE',
    ],
    ['a non-integer wire', { ...base, ops: [{ name: 'RX', wires: [0.5], params: [1] }] }, 'ops[0].wires[0]', /expected an integer wire, got 0\.5/],
    ['a repeated wire', { ...base, ops: [{ name: 'CZ', wires: [1, 1], params: [] }] }, 'ops[0].wires[1]', /wire 1 appears more than once/, 'E_DUPLICATE_WIRES'],
    ['a wrong wire count', { ...base, ops: [{ name: 'CZ', wires: [1], params: [] }] }, 'ops[0].wires', /expected 2 wire\(s\), got 1/, 'E_WIRE_COUNT'],
    ['a missing parameter', { ...base, ops: [{ name: 'Rot', wires: [1], params: [1, 2] }] }, 'ops[0].params', /expected 3 parameter\(s\) \(phi, theta, omega\), got 2/, 'E_PARAM_COUNT'],
    ['a string parameter', { ...base, ops: [{ name: 'RY', wires: [1], params: ['0.5'] }] }, 'ops[0].params[0]', /expected a number, \{ weight \} or \{ input \}, got "0\.5"/],
    ['a bad weight index', { ...base, ops: [{ name: 'RY', wires: [1], params: [{ weight: -1 }] }] }, 'ops[0].params[0].weight', /expected a non-negative integer, got -1/],
    ['an unknown op field', { ...base, ops: [{ name: 'RY', wires: [1], params: [1], inverted: true }] }, 'ops[0].inverted', /unknown field; allowed fields: name, wires, params, inverse, matrix/],
    ['a non-boolean inverse', { ...base, ops: [{ name: 'RY', wires: [1], params: [1], inverse: 1 }] }, 'ops[0].inverse', /expected true or false, got 1/],
    [
      'a non-unitary matrix',
      { ...base, ops: [{ name: 'QubitUnitary', wires: [2], params: [], matrix: { re: [[1, 1], [0, 1]], im: [[0, 0], [0, 0]] } }] },
      'ops[0].matrix',
      /the matrix is not unitary/,
      'E_NOT_UNITARY',
    ],
    [
      'a ragged matrix',
      { ...base, ops: [{ name: 'QubitUnitary', wires: [2], params: [], matrix: { re: [[1, 0], [0]], im: [[0, 0], [0, 0]] } }] },
      'ops[0].matrix.re[1]',
      /expected 2 entries \(a square matrix\), got 1/,
    ],
    [
      'a matrix of the wrong size',
      { ...base, ops: [{ name: 'QubitUnitary', wires: [0, 1], params: [], matrix: { re: [[1, 0], [0, 1]], im: [[0, 0], [0, 0]] } }] },
      'ops[0].matrix',
      /expected a 4×4 matrix, got 2×2/,
      'E_SHAPE',
    ],
    ['a QubitUnitary without a matrix', { ...base, ops: [{ name: 'QubitUnitary', wires: [0], params: [] }] }, 'ops[0].matrix', /expected a unitary matrix, got none/, 'E_PARAM_COUNT'],
    ['a matrix on a gate that takes none', { ...base, ops: [{ name: 'PauliX', wires: [0], params: [], matrix: { re: [[0, 1], [1, 0]], im: [[0, 0], [0, 0]] } }] }, 'ops[0].matrix', /takes no matrix/, 'E_PARAM_COUNT'],
    [
      'a zero amplitude embedding',
      { ...base, prep: { kind: 'amplitude', wires: [0, 1, 2], features: [0, 0], numFeatures: 2, inputOffset: 0, pad: 0, normalize: true }, ops: [] },
      'prep',
      /cannot embed a zero vector/,
      'E_ZERO_VECTOR',
    ],
    [
      'a feature count that disagrees',
      { ...base, prep: { kind: 'amplitude', wires: [0, 1, 2], features: [1, 0], numFeatures: 3, inputOffset: 0, pad: 0, normalize: true }, ops: [] },
      'prep.numFeatures',
      /is 3 but features has 2 entries/,
    ],
    ['an unknown preparation', { ...base, prep: { kind: 'basis' }, ops: [] }, 'prep.kind', /expected "amplitude" or "state", got "basis"/],
  ];
  for (const [what, json, path, message, reason] of cases) {
    it(`throws E_PARSE naming the field for ${what}`, () => {
      const error = thrown(() => circuitFromJSON(json));
      expect(error.code).toBe('E_PARSE');
      expect(error.message).toMatch(message);
      expect(error.message.startsWith(`circuitFromJSON: ${path ? `${path}: ` : ''}`), error.message).toBe(true);
      expect(error.details?.path).toBe(path);
      if (reason) {
        expect(error.details?.reason).toBe(reason);
        expect(isQDistillError(error.cause) && error.cause.code).toBe(reason);
      }
    });
  }
});
