// Template decompositions beyond the golden cases: non-default options
// (ranges, imprimitive, rotation), small registers, BasisEmbedding, shapes and
// symbolic weights, all against PennyLane's documented definitions.
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import {
  amplitudeEmbedding, angleEmbedding, basicEntanglerLayers, basicEntanglerLayersShape, basisEmbedding,
  stronglyEntanglingLayers, stronglyEntanglingLayersShape, weightRefs,
} from '../../sdk/circuit/templates.js';
import type { Simulator } from '../../sdk/qnn/simulator.js';
import { testSimulator } from '../helpers/engine.js';
import { expectQDistillError } from '../helpers/errors.js';
import { rngFor } from '../helpers/random.js';
import { expectComplexClose, tolerance } from '../helpers/tolerance.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await testSimulator();
});

const opList = (c: Circuit): string[] => c.ops.map((op) => `${op.name}(${op.wires.join(',')})`);

describe('StronglyEntanglingLayers', () => {
  it('applies Rot on every wire then imprimitive(w_i, w_{(i+r_l) mod n}) with the given ranges and gate', () => {
    const weights = Array.from({ length: 2 * 3 * 3 }, (_, i) => i / 10);
    const c = stronglyEntanglingLayers(new Circuit(3), weights, { ranges: [2, 1], imprimitive: 'CZ' });
    expect(opList(c)).toEqual([
      'Rot(0)', 'Rot(1)', 'Rot(2)', 'CZ(0,2)', 'CZ(1,0)', 'CZ(2,1)',
      'Rot(0)', 'Rot(1)', 'Rot(2)', 'CZ(0,1)', 'CZ(1,2)', 'CZ(2,0)',
    ]);
    expect(c.ops[4]!.params).toEqual([]);
    expect(c.ops[7]!.params).toEqual([weights[12], weights[13], weights[14]]);
  });

  it('uses the default ranges r_l = (l mod (n−1)) + 1, on the given wires', () => {
    const c = stronglyEntanglingLayers(new Circuit(5), Array.from({ length: 3 * 3 * 3 }, () => 0.1), { wires: [4, 1, 2] });
    const entanglers = c.ops.filter((op) => op.name === 'CNOT').map((op) => op.wires.join(','));
    // layer 0: r = 1; layer 1: r = 2; layer 2: r = 1 — over the wire list [4, 1, 2].
    expect(entanglers).toEqual(['4,1', '1,2', '2,4', '4,2', '1,4', '2,1', '4,1', '1,2', '2,4']);
  });

  it('has no entangler on one wire, and two CNOTs (0,1), (1,0) on two wires', () => {
    expect(opList(stronglyEntanglingLayers(new Circuit(1), [0.1, 0.2, 0.3]))).toEqual(['Rot(0)']);
    expect(opList(stronglyEntanglingLayers(new Circuit(2), Array.from({ length: 6 }, () => 0)))).toEqual(['Rot(0)', 'Rot(1)', 'CNOT(0,1)', 'CNOT(1,0)']);
  });

  it('rejects ranges divisible by the number of wires and a ranges list of the wrong length', () => {
    const w = Array.from({ length: 9 }, () => 0);
    expectQDistillError(() => stronglyEntanglingLayers(new Circuit(3), w, { ranges: [3] }), 'E_INVALID_ARGUMENT', 'ranges [3]', 'not divisible by the number of wires (3)');
    expectQDistillError(() => stronglyEntanglingLayers(new Circuit(3), w, { ranges: [1, 2] }), 'E_SHAPE', '2 ranges for 1 layers');
  });

  it('reports PennyLane weight shapes', () => {
    expect(stronglyEntanglingLayersShape(2, 4)).toEqual([2, 4, 3]);
    expect(basicEntanglerLayersShape(2, 4)).toEqual([2, 4]);
  });
});

describe('BasicEntanglerLayers and AngleEmbedding', () => {
  it('applies the rotation on every wire then a CNOT ring (one CNOT for two wires, none for one)', () => {
    expect(opList(basicEntanglerLayers(new Circuit(3), [[0.1, 0.2, 0.3]], { rotation: 'Y' }))).toEqual(['RY(0)', 'RY(1)', 'RY(2)', 'CNOT(0,1)', 'CNOT(1,2)', 'CNOT(2,0)']);
    expect(opList(basicEntanglerLayers(new Circuit(2), [[0.1, 0.2], [0.3, 0.4]]))).toEqual(['RX(0)', 'RX(1)', 'CNOT(0,1)', 'RX(0)', 'RX(1)', 'CNOT(0,1)']);
    expect(opList(basicEntanglerLayers(new Circuit(1), [[0.1], [0.2]], { rotation: 'Z' }))).toEqual(['RZ(0)', 'RZ(0)']);
  });

  it('AngleEmbedding puts feature i on wire i and allows fewer features than wires', () => {
    const c = angleEmbedding(new Circuit(4), [0.5, -0.25], { rotation: 'Z', wires: [3, 0, 1, 2] });
    expect(c.ops.map((op) => [op.name, op.wires, op.params])).toEqual([['RZ', [3], [0.5]], ['RZ', [0], [-0.25]]]);
    expectQDistillError(() => angleEmbedding(new Circuit(1), [0.1], { rotation: 'W' as never }), 'E_INVALID_ARGUMENT', "rotation must be 'X', 'Y' or 'Z'");
  });
});

describe('BasisEmbedding and AmplitudeEmbedding', () => {
  it('BasisEmbedding flips the wires whose bit is 1, wire 0 the most significant bit of an integer', () => {
    expect(opList(basisEmbedding(new Circuit(3), 5))).toEqual(['PauliX(0)', 'PauliX(2)']);
    expect(opList(basisEmbedding(new Circuit(3), [0, 1, 1]))).toEqual(['PauliX(1)', 'PauliX(2)']);
    const probs = sim.probs(basisEmbedding(new Circuit(3), 6));
    expect(probs[6]).toBe(1);
    expectQDistillError(() => basisEmbedding(new Circuit(2), 4), 'E_INVALID_ARGUMENT', 'integer 4 does not fit in 2 wires');
    expectQDistillError(() => basisEmbedding(new Circuit(2), [1, 2]), 'E_INVALID_ARGUMENT', 'bit 1 is 2');
  });

  it('AmplitudeEmbedding pads with the pad value before normalising', () => {
    const c = amplitudeEmbedding(new Circuit(2), [3, 0, 0], { pad: 4, normalize: true });
    expectComplexClose(sim.state(c), { re: [3 / 5, 0, 0, 4 / 5], im: [0, 0, 0, 0] }, tolerance('engine'), 'padded state');
  });

  it('AmplitudeEmbedding must be the first operation and cover all wires in order (narrower than PennyLane)', () => {
    expectQDistillError(() => amplitudeEmbedding(new Circuit(2).h(0), [1, 0, 0, 0]), 'E_INVALID_ARGUMENT', 'must be the first operation');
    expectQDistillError(() => amplitudeEmbedding(new Circuit(3), [1, 0, 0, 0], { wires: [1, 2] }), 'E_UNSUPPORTED', 'must cover all 3 wires');
  });
});

describe('symbolic template weights', () => {
  it('weightRefs give the same state as the numbers they stand for', () => {
    const rng = rngFor('templates-symbolic');
    const weights = Array.from({ length: 2 * 3 * 3 }, () => rng.range(-3, 3));
    const symbolic = stronglyEntanglingLayers(new Circuit(3), weightRefs(weights.length), { ranges: [1, 2] });
    const numeric = stronglyEntanglingLayers(new Circuit(3), weights, { ranges: [1, 2] });
    expect(symbolic.isSymbolic).toBe(true);
    expectComplexClose(sim.state(symbolic, { weights }), sim.state(numeric), tolerance('engine'), 'state');
  });
});
