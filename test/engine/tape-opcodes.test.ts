// The tape interpreter (assembly/tape.ts) opcode by opcode. Every opcode of the
// tape format must be exercised: either the compiler emits it for some gate of
// the table (then the gate conformance suite covers it on every wire position)
// or it is checked here through a hand-written tape, forward and reverse.
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { fromRows, type ComplexMatrix } from '../../sdk/circuit/matrix.js';
import { listGates } from '../../sdk/circuit/gates.js';
import { referenceApplyMatrix } from '../../sdk/circuit/reference.js';
import type { Simulator, StateVector } from '../../sdk/qnn/simulator.js';
import { compileTape, type Tape } from '../../sdk/qnn/tape.js';
import { OP_WIDTH, Opcode, TAPE_FORMAT_VERSION } from '../../sdk/qnn/tape-format.js';
import { runTapeRaw, testSimulator } from '../helpers/engine.js';
import { randomOpOf, randomState, rngFor, wireCounts, applyOp } from '../helpers/random.js';
import { expectComplexClose, tolerance } from '../helpers/tolerance.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await testSimulator();
});

/** A one-op tape written by hand. */
function rawTape(numQubits: number, fields: number[], consts: number[]): Tape {
  const ops = new Int32Array(OP_WIDTH);
  ops.set(fields);
  return {
    numQubits, numOps: 1, ops, consts: Float64Array.from(consts), slots: [], slotOrigins: [], prep: undefined,
    maxDenseWires: 1, numWeights: 0, numInputs: 0,
  };
}

function referenceApply(state: StateVector, matrix: ComplexMatrix, wires: number[]): StateVector {
  const n = Math.log2(state.re.length);
  const out = { numQubits: n, re: Float64Array.from(state.re), im: Float64Array.from(state.im) };
  referenceApplyMatrix(out, matrix, wires);
  return out;
}

describe('tape interpreter', () => {
  it('agrees with the SDK on the tape format version', () => {
    expect(sim.kernel.exports.tapeFormatVersion()).toBe(TAPE_FORMAT_VERSION);
  });

  it('every opcode is either emitted for some gate of the table or checked by a hand-written tape below', () => {
    const emitted = new Set<number>();
    const rng = rngFor('opcodes');
    for (const gate of listGates())
      for (const k of wireCounts(gate, 4))
        for (const inverse of [false, true]) {
          const c = applyOp(new Circuit(4), randomOpOf(rng, gate, [3, 1, 0, 2].slice(0, k), inverse));
          const tape = compileTape(c);
          for (let i = 0; i < tape.numOps; i++) emitted.add(tape.ops[i * OP_WIDTH]!);
        }
    const handWritten = new Set<number>([Opcode.Diag1]);
    const uncovered = Object.entries(Opcode).filter(([, code]) => !emitted.has(code) && !handWritten.has(code));
    expect(uncovered, 'opcodes no test reaches').toEqual([]);
  });

  it('Diag1 applies diag(d0, d1) on a bit under a control mask, and its conjugate in the reverse pass', () => {
    const rng = rngFor('diag1');
    const n = 4;
    for (let target = 0; target < n; target++)
      for (const control of [-1, ...Array.from({ length: n }, (_, w) => w).filter((w) => w !== target)]) {
        const a = rng.range(-Math.PI, Math.PI);
        const b = rng.range(-Math.PI, Math.PI);
        const d = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b)];
        const bit = (w: number): number => n - 1 - w;
        const ctrl = control < 0 ? 0 : 1 << bit(control);
        const tape = rawTape(n, [Opcode.Diag1, bit(target), ctrl, 0], d);
        const local = fromRows([[[d[0]!, d[1]!], 0], [0, [d[2]!, d[3]!]]]);
        const conj = fromRows([[[d[0]!, -d[1]!], 0], [0, [d[2]!, -d[3]!]]]);
        const controlledLocal = (m: ComplexMatrix): ComplexMatrix =>
          fromRows([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, [m.re[0]!, m.im[0]!], 0], [0, 0, 0, [m.re[3]!, m.im[3]!]]]);
        const wires = control < 0 ? [target] : [control, target];
        const initial = randomState(rng, n);
        const where = `Diag1 on wire ${target}${control < 0 ? '' : `, control ${control}`}`;
        expectComplexClose(runTapeRaw(sim.kernel, tape, initial, false), referenceApply(initial, control < 0 ? local : controlledLocal(local), wires), tolerance('engine'), `${where}: forward`);
        expectComplexClose(runTapeRaw(sim.kernel, tape, initial, true), referenceApply(initial, control < 0 ? conj : controlledLocal(conj), wires), tolerance('engine'), `${where}: reverse`);
      }
  });
});
