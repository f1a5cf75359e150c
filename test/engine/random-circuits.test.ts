// Seeded random circuits over every registered gate (random wires, parameters,
// inverses, unitaries), 1–10 qubits: the WebAssembly engine must reproduce the
// reference engine's state to 1e-12, and its probs / expval / var must match
// the same quantities computed in plain TypeScript from the reference state.
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { weight, input, type ParamSource } from '../../sdk/circuit/params.js';
import { referenceRun } from '../../sdk/circuit/reference.js';
import { amplitudeEmbedding } from '../../sdk/circuit/templates.js';
import type { Simulator } from '../../sdk/qnn/simulator.js';
import { testSimulator } from '../helpers/engine.js';
import {
  applyOp, randomCircuit, randomHermitian, randomPauliWord, randomState, randomWires, rngFor,
} from '../helpers/random.js';
import { expvalOf, pauliWordObservable, probsOf, varianceOf } from '../helpers/reference-measure.js';
import { expectArrayClose, expectClose, expectComplexClose, tolerance } from '../helpers/tolerance.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await testSimulator();
});

const ENGINE = tolerance('engine');
const SEEDS_PER_SIZE = 4;

describe.each(Array.from({ length: 10 }, (_, i) => i + 1))('random circuits on %i qubit(s)', (n) => {
  it('engine state equals the reference state to 1e-12, from |0…0⟩ and from a random state', () => {
    for (let seed = 0; seed < SEEDS_PER_SIZE; seed++) {
      const rng = rngFor('random-circuit', n, seed);
      const { circuit } = randomCircuit(rng, n, 4 * n + 6);
      expectComplexClose(sim.state(circuit), referenceRun(circuit), ENGINE, `seed ${seed}: from |0…0⟩`);
      const initialState = randomState(rng, n);
      expectComplexClose(sim.state(circuit, { initialState }), referenceRun(circuit, initialState), ENGINE, `seed ${seed}: from a random state`);
    }
  });

  it('probs (all wires and a random wire subset in random order) match the reference state', () => {
    for (let seed = 0; seed < SEEDS_PER_SIZE; seed++) {
      const rng = rngFor('random-probs', n, seed);
      const { circuit } = randomCircuit(rng, n, 3 * n + 4);
      const state = referenceRun(circuit);
      expectArrayClose(sim.probs(circuit), probsOf(state), ENGINE, `seed ${seed}: probs`);
      const subset = randomWires(rng, n, 1 + rng.int(n));
      expectArrayClose(sim.probs(circuit, subset), probsOf(state, subset), ENGINE, `seed ${seed}: probs on [${subset}]`);
    }
  });

  it('expval and var of random Pauli words and random Hermitian matrices match the reference state', () => {
    for (let seed = 0; seed < SEEDS_PER_SIZE; seed++) {
      const rng = rngFor('random-expval', n, seed);
      const { circuit } = randomCircuit(rng, n, 3 * n + 4);
      const state = referenceRun(circuit);
      const words = [randomPauliWord(rng, n), randomPauliWord(rng, n), 'I'];
      const k = 1 + rng.int(Math.min(n, 3));
      const hermitian = { hermitian: randomHermitian(rng, 1 << k), wires: randomWires(rng, n, k) };
      const observables = [...words, hermitian];
      const local = [...words.map(pauliWordObservable), [{ matrix: hermitian.hermitian, wires: hermitian.wires }]];
      const reference = (f: typeof expvalOf): number[] => local.map((o) => f(state, o));
      const labels = [...words, `Hermitian on [${hermitian.wires}]`];
      const expvals = sim.expval(circuit, observables);
      const variances = sim.var(circuit, observables);
      reference(expvalOf).forEach((v, i) => expectClose(expvals[i]!, v, ENGINE, `seed ${seed}: <${labels[i]}>`));
      reference(varianceOf).forEach((v, i) => expectClose(variances[i]!, v, ENGINE, `seed ${seed}: var ${labels[i]}`));
    }
  });
});

describe('random circuits with symbolic parameters', () => {
  it('weights and inputs (θ = scale·x + offset) give the same state as the same numbers written in', () => {
    for (let seed = 0; seed < 8; seed++) {
      const rng = rngFor('symbolic', seed);
      const n = 1 + rng.int(6);
      const { ops } = randomCircuit(rng, n, 12);
      const weights: number[] = [];
      const inputs: number[] = [];
      const symbolic = new Circuit(n);
      const numeric = new Circuit(n);
      for (const op of ops) {
        applyOp(numeric, op);
        if (!Array.isArray(op.params)) {
          applyOp(symbolic, op);
          continue;
        }
        const params: ParamSource[] = op.params.map((theta) => {
          const pick = rng.int(3);
          if (pick === 0) return theta;
          if (pick === 1) {
            const scale = rng.range(0.5, 2);
            weights.push(theta / scale);
            return weight(weights.length - 1, scale);
          }
          const scale = rng.range(-2, 2);
          const offset = rng.range(-1, 1);
          inputs.push((theta - offset) / scale);
          return input(inputs.length - 1, scale, offset);
        });
        symbolic.op(op.name, op.wires, params, { inverse: op.inverse });
      }
      const initialState = randomState(rng, n);
      const expected = referenceRun(numeric, initialState);
      expectComplexClose(sim.state(symbolic, { initialState, weights, inputs }), expected, 1e-11, `seed ${seed}: symbolic circuit on ${n} qubits`);
    }
  });

  it('amplitude embedding of sample inputs equals embedding the same numbers', () => {
    for (let seed = 0; seed < 6; seed++) {
      const rng = rngFor('amplitude-inputs', seed);
      const n = 1 + rng.int(5);
      const count = 1 + rng.int(1 << n);
      const features = Array.from({ length: count }, () => rng.normal());
      const offset = rng.int(3);
      const inputs = [...Array.from({ length: offset }, () => rng.normal()), ...features];
      const { ops } = randomCircuit(rng, n, 8);
      const fromInputs = amplitudeEmbedding(new Circuit(n), { inputs: count, offset }, { pad: 0.25, normalize: true });
      const fromNumbers = amplitudeEmbedding(new Circuit(n), features, { pad: 0.25, normalize: true });
      ops.forEach((op) => {
        applyOp(fromInputs, op);
        applyOp(fromNumbers, op);
      });
      expect(fromInputs.isSymbolic).toBe(true);
      expectComplexClose(sim.state(fromInputs, { inputs }), referenceRun(fromNumbers), ENGINE, `seed ${seed}: ${count} features on ${n} qubits`);
    }
  });
});
