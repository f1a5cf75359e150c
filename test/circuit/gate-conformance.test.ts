// Registry-driven conformance suite: every gate of `listGates()` is checked
// generically — a gate added with `defineGate` is covered with no change here.
//
// For each gate: unitarity; declared structure (and that it is the most
// specific one); generator vs finite differences for every parameter; the
// parameter-shift rule vs finite differences of ⟨O⟩; the adjoint; and the
// WebAssembly engine against the reference engine for every target wire
// position (1–5 qubits exhaustively, 6–8 qubits where the SIMD kernels take
// two amplitude pairs per iteration), every wire order, with and without
// `inverse`.
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { factorGenerator, factorMatrix, listGates, type GateDefinition } from '../../sdk/circuit/gates.js';
import {
  add, controlled, dagger, hermiticityError, identity, matmul, scale, unitarityError, zeros, type ComplexMatrix,
} from '../../sdk/circuit/matrix.js';
import { referenceRun } from '../../sdk/circuit/reference.js';
import type { Simulator, StateVector } from '../../sdk/qnn/simulator.js';
import { compileTape } from '../../sdk/qnn/tape.js';
import { runTapeRaw, testSimulator } from '../helpers/engine.js';
import {
  randomHermitian, randomOpOf, randomParams, randomState, randomUnitary, randomWires, rngFor, wireCounts, wireTuples,
  applyOp, type Random, type RandomOp,
} from '../helpers/random.js';
import { fullMatrixOf } from '../helpers/reference-measure.js';
import { FD_STEP, expectClose, expectComplexClose, tolerance } from '../helpers/tolerance.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await testSimulator();
});

const EXACT = tolerance('exact');
const ENGINE = tolerance('engine');
const FD = tolerance('finiteDifference');

/** Wire counts to check a gate's matrix at (all of them for fixed gates, up to 4 for any-wire gates). */
function matrixWireCounts(gate: GateDefinition): number[] {
  return wireCounts(gate, 4);
}

/** A random instance of the gate on k wires: its parameters and full matrix (controls first). */
function instance(gate: GateDefinition, k: number, rng: Random): { params: number[]; matrix: ComplexMatrix } {
  if (gate.matrixParam) return { params: [], matrix: randomUnitary(rng, 1 << k) };
  const params = randomParams(rng, gate);
  return { params, matrix: gate.matrix(params, k) };
}

function offDiagonalZero(m: ComplexMatrix): boolean {
  for (let r = 0; r < m.dim; r++)
    for (let c = 0; c < m.dim; c++) if (r !== c && (m.re[r * m.dim + c] !== 0 || m.im[r * m.dim + c] !== 0)) return false;
  return true;
}

function isPermutation(m: ComplexMatrix): boolean {
  const rowHits = new Array<number>(m.dim).fill(0);
  const colHits = new Array<number>(m.dim).fill(0);
  for (let r = 0; r < m.dim; r++)
    for (let c = 0; c < m.dim; c++) {
      const re = m.re[r * m.dim + c]!, im = m.im[r * m.dim + c]!;
      if (re === 0 && im === 0) continue;
      if (re !== 1 || im !== 0) return false;
      rowHits[r]!++;
      colHits[c]!++;
    }
  return rowHits.every((h) => h === 1) && colHits.every((h) => h === 1);
}

/** Identity (exactly) on every row/column where some control bit (the most significant bits) is 0. */
function isControlled(m: ComplexMatrix, numControls: number): boolean {
  if (numControls === 0) return false;
  const onStart = m.dim - (m.dim >> numControls);
  for (let r = 0; r < m.dim; r++)
    for (let c = 0; c < m.dim; c++) {
      if (r >= onStart && c >= onStart) continue;
      const want = r === c ? 1 : 0;
      if (m.re[r * m.dim + c] !== want || m.im[r * m.dim + c] !== 0) return false;
    }
  return true;
}

/** (U(θ + h·e_p) − U(θ − h·e_p)) / 2h. */
function finiteDifference(gate: GateDefinition, params: number[], p: number, k: number): ComplexMatrix {
  const plus = [...params];
  const minus = [...params];
  plus[p]! += FD_STEP;
  minus[p]! -= FD_STEP;
  return scale(add(gate.matrix(plus, k), scale(gate.matrix(minus, k), -1)), 1 / (2 * FD_STEP));
}

/**
 * dU/dθ_p from the factor decomposition U = F_m ⋯ F_1 with F_j = exp(−iθ G_j):
 * Σ_{j uses p} F_m ⋯ F_{j+1} · (−i G_j) · F_j ⋯ F_1.
 */
function analyticDerivative(gate: GateDefinition, params: number[], p: number, k: number): ComplexMatrix {
  const factors = gate.factors!;
  const numTargets = k - gate.numControls;
  const mats = factors.map((f) => controlled(factorMatrix(f, params[f.param]!, numTargets), gate.numControls));
  let total = zeros(1 << k);
  factors.forEach((f, j) => {
    if (f.param !== p) return;
    let term = identity(1 << k);
    for (let i = 0; i < factors.length; i++) {
      term = matmul(mats[i]!, term);
      if (i === j) term = matmul(scale(factorGenerator(f, gate.numControls, numTargets), 0, -1), term);
    }
    total = add(total, term);
  });
  return total;
}

/** Engine and reference final states of one op applied to `initial`. */
function bothEngines(n: number, op: RandomOp, initial: StateVector): { engine: StateVector; reference: StateVector } {
  const circuit = applyOp(new Circuit(n), op);
  return { engine: sim.state(circuit, { initialState: initial }), reference: referenceRun(circuit, initial) };
}

function describeOp(n: number, op: RandomOp): string {
  return `${op.name}${op.inverse ? '†' : ''} on wires [${op.wires}] of ${n} qubits`;
}

const gates = listGates();

it('the registry lists every gate the design names, each once', () => {
  const names = gates.map((g) => g.name);
  expect(new Set(names).size).toBe(names.length);
  for (const name of [
    'Hadamard', 'PauliX', 'PauliY', 'PauliZ', 'S', 'T', 'SX', 'RX', 'RY', 'RZ', 'PhaseShift', 'Rot', 'U3', 'CNOT', 'CZ', 'CY',
    'SWAP', 'CRX', 'CRY', 'CRZ', 'CRot', 'ControlledPhaseShift', 'IsingXX', 'IsingYY', 'IsingZZ', 'Toffoli', 'MultiRZ', 'QubitUnitary',
  ]) expect(names).toContain(name);
});

describe.each(gates.map((g) => [g.name, g] as const))('%s', (_name, gate) => {
  it('has a consistent table entry (controls < wires, every parameter drives a factor)', () => {
    for (const k of matrixWireCounts(gate)) expect(gate.numControls).toBeLessThan(k);
    gate.params.forEach((_, p) => expect(gate.factors?.some((f) => f.param === p), `parameter ${gate.params[p]} has a factor`).toBe(true));
    if (gate.matrixParam) expect(gate.params).toEqual([]);
  });

  it('has a unitary matrix at random parameters', () => {
    const rng = rngFor(gate.name, 'unitary');
    for (const k of matrixWireCounts(gate))
      for (let trial = 0; trial < 5; trial++) {
        const { params, matrix } = instance(gate, k, rng);
        expect(matrix.dim).toBe(1 << k);
        expect(unitarityError(matrix), `${gate.name}(${params}) on ${k} wires: max |U†U − I|`).toBeLessThan(EXACT);
      }
  });

  it(`has the declared structure "${gate.structure}", and no more specific one`, () => {
    const rng = rngFor(gate.name, 'structure');
    for (const k of matrixWireCounts(gate))
      for (let trial = 0; trial < 5; trial++) {
        const { params, matrix } = instance(gate, k, rng);
        const where = `${gate.name}(${params}) on ${k} wires`;
        const facts = { diagonal: offDiagonalZero(matrix), permutation: isPermutation(matrix), controlled: isControlled(matrix, gate.numControls) };
        switch (gate.structure) {
          case 'diagonal':
            expect(facts.diagonal, `${where}: declared diagonal`).toBe(true);
            break;
          case 'permutation':
            expect(facts.permutation, `${where}: declared permutation (one entry exactly 1 per row and column)`).toBe(true);
            break;
          case 'controlled':
            expect(facts.controlled, `${where}: declared controlled (identity on the control-off subspace)`).toBe(true);
            expect(facts.diagonal || facts.permutation, `${where}: controlled but also diagonal/permutation`).toBe(false);
            break;
          case 'dense':
            expect(facts, `${where}: declared dense but has a more specific structure`).toEqual({ diagonal: false, permutation: false, controlled: false });
            break;
          default:
            throw new Error(`${where}: unknown structure ${JSON.stringify(gate.structure)}`);
        }
      }
  });

  if (gate.params.length === 0) {
    it('has no parameter, so no shift rule', () => {
      expect(() => gate.shiftRule(0)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    });
  } else {
    it('factors compose to the matrix, with Hermitian generators that match finite differences for every parameter', () => {
      const rng = rngFor(gate.name, 'generator');
      for (const k of matrixWireCounts(gate))
        for (let trial = 0; trial < 3; trial++) {
          const params = randomParams(rng, gate);
          const numTargets = k - gate.numControls;
          let composed = identity(1 << k);
          for (const f of gate.factors!) {
            composed = matmul(controlled(factorMatrix(f, params[f.param]!, numTargets), gate.numControls), composed);
            expect(hermiticityError(factorGenerator(f, gate.numControls, numTargets)), `${gate.name}: generator is Hermitian`).toBeLessThan(EXACT);
          }
          expectComplexClose(composed, gate.matrix(params, k), EXACT, `${gate.name}(${params}) on ${k} wires: product of factors`);
          gate.params.forEach((pname, p) => {
            expectComplexClose(
              analyticDerivative(gate, params, p, k),
              finiteDifference(gate, params, p, k),
              FD,
              `${gate.name}(${params}) on ${k} wires: dU/d${pname}, −i·(after)·G·(before) vs central difference`,
            );
          });
        }
    });

    it('parameter-shift rule reproduces d<O>/dθ of every parameter (random observable and state)', () => {
      const rng = rngFor(gate.name, 'shift');
      for (const k of matrixWireCounts(gate)) {
        const n = k + 1; // one spectator wire
        const wires = randomWires(rng, n, k);
        const all = Array.from({ length: n }, (_, i) => i);
        const observable = { hermitian: randomHermitian(rng, 1 << n), wires: all };
        const initialState = randomState(rng, n);
        const params = randomParams(rng, gate);
        const f = (values: number[]): number => sim.expval(new Circuit(n).op(gate.name, wires, values), observable, { initialState });
        gate.params.forEach((pname, p) => {
          const at = (delta: number): number => f(params.map((v, i) => (i === p ? v + delta : v)));
          const rule = gate.shiftRule(p);
          expect(rule.shifts.length, `${gate.name}.${pname}: shifts and coefficients pair up`).toBe(rule.coefficients.length);
          const shifted = rule.shifts.reduce((s, shift, mu) => s + rule.coefficients[mu]! * (at(shift) - at(-shift)), 0);
          const central = (at(FD_STEP) - at(-FD_STEP)) / (2 * FD_STEP);
          expectClose(shifted, central, FD, `${gate.name} on [${wires}] of ${n}: d<O>/d${pname} by the ${rule.shifts.length * 2}-term shift rule`);
        });
      }
    });
  }

  it('adjoint (inverse: true) is the conjugate transpose, in both engines, and U then U† restores the state', () => {
    const rng = rngFor(gate.name, 'adjoint');
    for (const k of matrixWireCounts(gate)) {
      const wires = randomWires(rng, k, k);
      const forward = randomOpOf(rng, gate, wires, false);
      const inverse: RandomOp = { ...forward, inverse: true };
      const u = fullMatrixOf(applyOp(new Circuit(k), forward));
      const expected = dagger(u);
      expectComplexClose(fullMatrixOf(applyOp(new Circuit(k), inverse)), expected, EXACT, `${describeOp(k, inverse)}: reference`);
      expectComplexClose(
        fullMatrixOf(applyOp(new Circuit(k), inverse), undefined, (c, init) => sim.state(c, { initialState: init })),
        expected,
        ENGINE,
        `${describeOp(k, inverse)}: engine`,
      );
      const n = k + 1;
      const spread = randomWires(rng, n, k);
      const initialState = randomState(rng, n);
      const roundTrip = applyOp(applyOp(new Circuit(n), { ...forward, wires: spread }), { ...inverse, wires: spread });
      expectComplexClose(sim.state(roundTrip, { initialState }), initialState, ENGINE, `${gate.name} then its adjoint on [${spread}]`);
    }
  });

  it("engine's reverse tape pass (tapeApply with inverse) applies U† and undoes the forward pass", () => {
    const rng = rngFor(gate.name, 'reverse-pass');
    for (const k of matrixWireCounts(gate))
      for (const n of [k, k + 2]) {
        for (const inverseOp of [false, true]) {
          const op = randomOpOf(rng, gate, randomWires(rng, n, k), inverseOp);
          const circuit = applyOp(new Circuit(n), op);
          const tape = compileTape(circuit);
          const initial = randomState(rng, n);
          const reversed = runTapeRaw(sim.kernel, tape, initial, true);
          const adjointCircuit = applyOp(new Circuit(n), { ...op, inverse: !inverseOp });
          expectComplexClose(reversed, referenceRun(adjointCircuit, initial), ENGINE, `${describeOp(n, op)}: reverse pass`);
          const there = runTapeRaw(sim.kernel, tape, initial, false);
          expectComplexClose(runTapeRaw(sim.kernel, tape, there, true), initial, ENGINE, `${describeOp(n, op)}: forward then reverse`);
        }
      }
  });

  it('engine matches the reference for every target wire position and wire order on 1–5 qubits, with and without inverse', () => {
    const rng = rngFor(gate.name, 'positions-small');
    let checked = 0;
    for (let n = 1; n <= 5; n++)
      for (const k of wireCounts(gate, n)) {
        // Every ordered wire tuple up to 3 wires; for wider gates (MultiRZ) a sample that includes 0 and n−1.
        const tuples = k <= 3 ? wireTuples(n, k) : sampleTuples(rng, n, k, 12);
        for (const wires of tuples)
          for (const inverse of [false, true]) {
            const op = randomOpOf(rng, gate, wires, inverse);
            const { engine, reference } = bothEngines(n, op, randomState(rng, n));
            expectComplexClose(engine, reference, ENGINE, describeOp(n, op));
            checked++;
          }
      }
    expect(checked).toBeGreaterThan(0);
  });

  it('engine matches the reference on 6–8 qubits, every single-wire position and wire pair, sampled wider tuples', () => {
    const rng = rngFor(gate.name, 'positions-large');
    for (let n = 6; n <= 8; n++)
      for (const k of wireCounts(gate, n)) {
        // Wide matrices (MultiRZ on 7–8 wires) cost 4^k in the reference engine: sample those lightly.
        const tuples = k <= 2 ? wireTuples(n, k) : k <= 3 ? sampleTuples(rng, n, k, 16) : sampleTuples(rng, n, k, 0).slice(0, k <= 5 ? 4 : 1);
        for (const wires of tuples)
          for (const inverse of [false, true]) {
            const op = randomOpOf(rng, gate, wires, inverse);
            const { engine, reference } = bothEngines(n, op, randomState(rng, n));
            expectComplexClose(engine, reference, ENGINE, describeOp(n, op));
          }
      }
  });
});

/** `count` random ordered k-tuples of distinct wires, plus ones that start at 0, end at n−1, and the reverse. */
function sampleTuples(rng: Random, n: number, k: number, count: number): number[][] {
  const out: number[][] = [];
  const ascending = Array.from({ length: k }, (_, i) => i);
  out.push(ascending, [...ascending].reverse(), ascending.map((w) => w + n - k), ascending.map((w) => n - 1 - w));
  for (let i = 0; i < count; i++) out.push(randomWires(rng, n, k));
  return out;
}

describe('QubitUnitary (matrix parameter)', () => {
  it('accepts random unitaries from Gram–Schmidt on 1, 2 and 3 wires and matches the reference on every wire order', () => {
    const rng = rngFor('QubitUnitary', 'explicit');
    for (const k of [1, 2, 3])
      for (const wires of wireTuples(4, k).filter((_, i) => i % 3 === 0)) {
        const u = randomUnitary(rng, 1 << k);
        expect(unitarityError(u)).toBeLessThan(EXACT);
        for (const inverse of [false, true]) {
          const { engine, reference } = bothEngines(4, { name: 'QubitUnitary', wires, params: u, inverse }, randomState(rng, 4));
          expectComplexClose(engine, reference, ENGINE, `QubitUnitary${inverse ? '†' : ''} on [${wires}]`);
        }
      }
  });
});

describe('MultiRZ on any number of wires', () => {
  it('is exp(−iθ/2·Z⊗…⊗Z) on 1..n wires in any order, in both engines', () => {
    const rng = rngFor('MultiRZ', 'explicit');
    const n = 6;
    for (let k = 1; k <= n; k++) {
      const wires = randomWires(rng, n, k);
      const theta = rng.range(-Math.PI, Math.PI);
      const initial = randomState(rng, n);
      // exp(−iθ/2·Z^⊗k) multiplies basis state i by e^{∓iθ/2} for an even/odd number of ones on `wires`.
      const re = new Float64Array(1 << n);
      const im = new Float64Array(1 << n);
      for (let i = 0; i < 1 << n; i++) {
        const ones = wires.reduce((s, w) => s + ((i >> (n - 1 - w)) & 1), 0);
        const phase = ones % 2 === 0 ? -theta / 2 : theta / 2;
        re[i] = Math.cos(phase) * initial.re[i]! - Math.sin(phase) * initial.im[i]!;
        im[i] = Math.cos(phase) * initial.im[i]! + Math.sin(phase) * initial.re[i]!;
      }
      const circuit = new Circuit(n).multiRZ(theta, wires);
      expectComplexClose(sim.state(circuit, { initialState: initial }), { re, im }, ENGINE, `MultiRZ on [${wires}]: engine`);
      expectComplexClose(referenceRun(circuit, initial), { re, im }, ENGINE, `MultiRZ on [${wires}]: reference`);
    }
  });
});
