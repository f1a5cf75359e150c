// adjoint == parameter-shift == central difference, on seeded random circuits:
// for EVERY gate of the table (listGates(), so a new gate is covered with no
// change here) with and without the inverse flag, for every readout type, and
// for every kind of input (angle inputs with scale/offset, amplitude-embedded
// raw features through padding and normalisation, state inputs), weights
// (including one weight shared by two gates) and trainable observable
// parameters. The reference is this suite's own central difference over
// `forward` (qnn-helpers.ts); the layer's three backward methods must agree
// with it and with each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { getGate, listGates, type GateDefinition } from '../../sdk/circuit/gates.js';
import { input, weight, type ParamSource } from '../../sdk/circuit/params.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { QNNLayer, type DiffMethod, type MeasurementConfig, type QNNGradients, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { Random, randomState, randomUnitary, randomWires, wireCounts } from '../helpers/random.js';
import {
  checkAllMethods, dot, everyReadout, randomArray, testKernel,
} from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel();
});
afterAll(() => expect(kernel.retired).toBe(false));

/** Angle inputs that also feed the user circuit: AngleEmbedding(Y) with scale and offset on every wire. */
const angleEncoder = (n: number) => ({ type: 'AngleEmbedding', rotation: 'Y', numFeatures: n, scale: 0.8, offset: 0.3 }) as const;

/**
 * A circuit around `gate`: a random product state from weights; the gate with
 * weight parameters (random scales); the gate again on other wires with
 * mixed parameters — input(j, scale, offset), weight, constant — and the
 * opposite inverse flag; a CNOT chain and RX(weight) on every wire; and
 * weight 0 reused with scale −0.7 (two slots, one weight).
 */
function circuitAround(rng: Random, gate: GateDefinition, n: number, inverse: boolean): Circuit {
  const c = new Circuit(n);
  let w = 0;
  for (let i = 0; i < n; i++) c.ry(weight(w++), i).rz(weight(w++), i);
  const place = (params: (p: number) => ParamSource, inv: boolean): void => {
    const counts = wireCounts(gate, n);
    const k = counts[rng.int(counts.length)]!;
    const wires = randomWires(rng, n, k);
    if (gate.matrixParam) c.op(gate.name, wires, randomUnitary(rng, 1 << k), { inverse: inv });
    else c.op(gate.name, wires, gate.params.map((_, p) => params(p)), { inverse: inv });
  };
  place(() => weight(w++, rng.range(0.5, 1.5)), inverse);
  place((p) => (p % 3 === 0 ? input(rng.int(n), rng.range(0.5, 1.5), rng.range(-1, 1)) : p % 3 === 1 ? weight(w++) : rng.range(-3, 3)), !inverse);
  for (let i = 0; i + 1 < n; i++) c.cnot(i, i + 1);
  for (let i = 0; i < n; i++) c.rx(weight(w++), i);
  c.rx(weight(0, -0.7), n - 1);
  return c;
}

describe('every gate of the table: adjoint == parameter-shift == finite-diff == central difference', () => {
  const N = 4;
  const gates = listGates();
  it('the table is non-empty and every gate fits the test register', () => {
    expect(gates.length).toBeGreaterThan(20);
    for (const g of gates) expect(wireCounts(g, N).length, `${g.name} fits ${N} qubits`).toBeGreaterThan(0);
  });

  const cases = gates.flatMap((g, gi) => [false, true].map((inverse) => [g.name, inverse ? 'inverse' : 'plain', gi * 2 + (inverse ? 1 : 0), inverse] as const));
  it.each(cases)('%s (%s first): gradients w.r.t. weights, angle inputs and observable parameters agree, all readouts at once', (name, _, seed, inverse) => {
    const rng = new Random(1000 + seed);
    const gate = getGate(name);
    const circuit = circuitAround(rng, gate, N, inverse);
    const measurements = Object.values(everyReadout(rng, N));
    const batch = 2;
    checkAllMethods(kernel, 
      {
        config: { numQubits: N, encoder: angleEncoder(N), ansatz: { type: 'circuit', circuit }, measurements },
        inputs: randomArray(rng, batch * N, -2, 2),
        batch,
        inputQuantity: 'angle-inputs',
      },
      seed,
      `${name}${inverse ? ' (inverse first)' : ''}`,
    );
  });
});

describe('every readout type alone: adjoint == parameter-shift == finite-diff == central difference', () => {
  const N = 3;
  const names = Object.keys(everyReadout(new Random(0), N));
  it.each(names.map((n, i) => [n, i] as const))('%s', (name, i) => {
    const rng = new Random(2000 + i);
    const readout = everyReadout(rng, N)[name]!;
    const adjoint = checkAllMethods(kernel, 
      {
        config: {
          numQubits: N,
          encoder: { type: 'AngleEmbedding', rotation: 'X', scale: 1.3, offset: -0.4 },
          ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
          measurements: [readout],
        },
        inputs: randomArray(rng, 2 * N, -2, 2),
        batch: 2,
        inputQuantity: 'angle-inputs',
      },
      2000 + i,
      name,
    );
    // Not vacuous: the readout depends on the weights.
    expect(Math.max(...adjoint.params.map(Math.abs)), `${name}: some gradient is non-zero`).toBeGreaterThan(1e-3);
  });
});

describe('gradients w.r.t. every kind of input', () => {
  const N = 3;
  const all = (rng: Random): MeasurementConfig[] => Object.values(everyReadout(rng, N));

  it.each(['X', 'Y', 'Z'] as const)('AngleEmbedding(%s) with scale and offset after a Hadamard layer: ∂L/∂x = scale·∂L/∂θ', (rotation) => {
    const rng = new Random(3000 + rotation.charCodeAt(0));
    const encoderCircuit = new Circuit(N);
    // H first so that a Z-embedding is not a global phase; the embedding itself is a circuit here.
    for (let i = 0; i < N; i++) encoderCircuit.h(i);
    for (let i = 0; i < N; i++) encoderCircuit.op(`R${rotation}`, [i], [input(i, 1.7, -0.6)]);
    for (let i = 0; i < N; i++) encoderCircuit.rot(weight(3 * i), weight(3 * i + 1), weight(3 * i + 2), i);
    for (let i = 0; i < N; i++) encoderCircuit.cz(i, (i + 1) % N);
    for (let i = 0; i < N; i++) encoderCircuit.ry(weight(3 * N + i), i);
    const adjoint = checkAllMethods(kernel, 
      {
        config: { numQubits: N, encoder: { type: 'AngleEmbedding', rotation, scale: 0.5, offset: 0.25 }, ansatz: { type: 'circuit', circuit: encoderCircuit }, measurements: all(rng) },
        inputs: randomArray(rng, 3 * N, -2, 2),
        batch: 3,
        inputQuantity: 'angle-inputs',
      },
      3000,
      `AngleEmbedding(${rotation})`,
    );
    expect(Math.max(...adjoint.inputs.map(Math.abs)), 'input gradients are not all zero').toBeGreaterThan(1e-3);
  });

  it.each([
    ['5 features, pad 0.3, normalize', 5, 0.3, true],
    ['8 features, pad 0, normalize', 8, 0, true],
    ['1 feature, pad −0.5, normalize', 1, -0.5, true],
  ] as const)('AmplitudeEmbedding raw features (%s): through padding and the normalisation', (label, numFeatures, pad, normalize) => {
    const rng = new Random(3100 + numFeatures);
    const batch = 2;
    checkAllMethods(kernel, 
      {
        config: {
          numQubits: N,
          encoder: { type: 'AmplitudeEmbedding', numFeatures, pad, normalize },
          ansatz: { type: 'StronglyEntanglingLayers', layers: 2, imprimitive: 'CZ' },
          measurements: all(rng),
        },
        inputs: randomArray(rng, batch * numFeatures, -1, 1),
        batch,
        inputQuantity: 'prep-inputs',
      },
      3100 + numFeatures,
      `AmplitudeEmbedding ${label}`,
    );
  });

  it('AmplitudeEmbedding without normalisation (unit-norm features): the three methods agree', () => {
    const rng = new Random(3200);
    const batch = 2;
    const x = randomArray(rng, batch * 8, -1, 1);
    for (let b = 0; b < batch; b++) {
      const row = x.subarray(b * 8, b * 8 + 8);
      const norm = Math.sqrt(dot(row, row));
      row.forEach((v, i) => (row[i] = v / norm));
    }
    checkAllMethods(kernel, 
      {
        config: { numQubits: N, encoder: { type: 'AmplitudeEmbedding', normalize: false }, ansatz: { type: 'BasicEntanglerLayers', layers: 2, rotation: 'Y' }, measurements: all(rng) },
        inputs: x,
        batch,
        inputQuantity: 'prep-inputs',
        // forward is entitled to reject the off-norm perturbations of a central difference here.
        ownFiniteDifference: false,
      },
      3200,
      'AmplitudeEmbedding normalize: false',
    );
  });

  it('StateInput: ∂L/∂Re ψ and ∂L/∂Im ψ of a random complex state', () => {
    const rng = new Random(3300);
    const batch = 2;
    const x = new Float64Array(batch * 2 * (1 << N));
    for (let b = 0; b < batch; b++) {
      const s = randomState(rng, N);
      x.set(s.re, b * 2 * (1 << N));
      x.set(s.im, b * 2 * (1 << N) + (1 << N));
    }
    checkAllMethods(kernel, 
      {
        config: { numQubits: N, encoder: { type: 'StateInput' }, ansatz: { type: 'HardwareEfficient', layers: 2 }, measurements: all(rng) },
        inputs: x,
        batch,
        inputQuantity: 'prep-inputs',
        // Perturbed states are not normalised, and forward rejects them: the layer's own
        // finite-diff method (which bypasses that check) is the finite-difference reference here.
        ownFiniteDifference: false,
      },
      3300,
      'StateInput',
    );
  });

  it('BasisEmbedding and PhaseEmbedding: weight and observable gradients agree (phase inputs too)', () => {
    const rng = new Random(3400);
    checkAllMethods(kernel, 
      {
        config: { numQubits: N, encoder: { type: 'BasisEmbedding' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 1 }, measurements: all(rng) },
        inputs: Float64Array.from([1, 0, 1, 0, 1, 1]),
        batch: 2,
        inputQuantity: 'angle-inputs',
        inputIndices: [], // bits are not differentiable (forward rejects 1 ± h)
      },
      3400,
      'BasisEmbedding',
    );
    checkAllMethods(kernel, 
      {
        config: { numQubits: N, encoder: { type: 'PhaseEmbedding', scale: 1.1 }, ansatz: { type: 'StronglyEntanglingLayers', layers: 1 }, measurements: all(rng) },
        inputs: randomArray(rng, 2 * N),
        batch: 2,
        inputQuantity: 'angle-inputs',
      },
      3401,
      'PhaseEmbedding',
    );
  });
});

describe('parameter-shift rules', () => {
  const controlledRotations = ['CRX', 'CRY', 'CRZ', 'CRot'];

  it.each(controlledRotations)('%s: every parameter has the four-term rule (2 shifts, each taken ±) of the spectrum {0, ±½}', (name) => {
    const gate = getGate(name);
    gate.params.forEach((_, p) => {
      const rule = gate.shiftRule(p);
      expect(rule.shifts.length, `${name} parameter ${p}: shifts`).toBe(2);
      expect(rule.coefficients.length).toBe(2);
      // PennyLane's four-term rule: shifts π/2 and 3π/2, coefficients (√2 + 1)/(4√2) and −(√2 − 1)/(4√2).
      expect(rule.shifts[0]).toBeCloseTo(Math.PI / 2, 14);
      expect(rule.shifts[1]).toBeCloseTo((3 * Math.PI) / 2, 14);
      expect(rule.coefficients[0]).toBeCloseTo((Math.SQRT2 + 1) / (4 * Math.SQRT2), 14);
      expect(rule.coefficients[1]).toBeCloseTo(-(Math.SQRT2 - 1) / (4 * Math.SQRT2), 14);
    });
  });

  /** A 3-qubit layer around one application of `name` whose parameters are weights 0..p−1. */
  const layerAround = (name: string, method: DiffMethod, rng: Random): QNNLayer => {
    const gate = getGate(name);
    const c = new Circuit(3);
    let w = gate.params.length;
    for (let i = 0; i < 3; i++) c.ry(weight(w++), i).rz(weight(w++), i);
    const counts = wireCounts(gate, 3);
    const k = counts[counts.length - 1]!;
    c.op(name, randomWires(rng, 3, k), gate.params.map((_, p) => weight(p)));
    c.cnot(0, 1).cnot(1, 2);
    for (let i = 0; i < 3; i++) c.rx(weight(w++), i);
    return new QNNLayer({ numQubits: 3, encoder: { type: 'none' }, ansatz: { type: 'circuit', circuit: c }, measurements: [{ type: 'expval', observable: 'Z0 X1' }, { type: 'expval', observable: 'Y2' }, { type: 'probs', wires: [1] }], diffMethod: method }, kernel);
  };

  const parametric = listGates().filter((g) => g.factors && g.params.length > 0);
  it.each(parametric.map((g) => [g.name, g.params.length] as const))('%s: the table rule, evaluated by forward passes, is exact (== adjoint to 1e-12)', (name) => {
    const rng = new Random(4000 + name.length);
    const adjointLayer = layerAround(name, 'adjoint', rng);
    const shiftLayer = layerAround(name, 'parameter-shift', new Random(4000 + name.length));
    try {
      const params = Float64Array.from(adjointLayer.getParams(), () => rng.range(-Math.PI, Math.PI));
      const g = [0.7, -1.3, 0.4, 0.9];
      adjointLayer.setParams(params);
      adjointLayer.forward([], 1);
      const exact = adjointLayer.backward(g).params;
      shiftLayer.setParams(params);
      shiftLayer.forward([], 1);
      const layerShift = shiftLayer.backward(g).params;
      const gate = getGate(name);
      gate.params.forEach((_, p) => {
        const rule = gate.shiftRule(p);
        let byRule = 0;
        rule.shifts.forEach((s, mu) => {
          const q = params.slice();
          q[p] = params[p]! + s;
          const plus = dot(g, adjointLayer.forward([], 1, q));
          q[p] = params[p]! - s;
          const minus = dot(g, adjointLayer.forward([], 1, q));
          byRule += rule.coefficients[mu]! * (plus - minus);
        });
        adjointLayer.setParams(params);
        expect(Math.abs(byRule - exact[p]!), `${name} parameter ${p}: the table's ${rule.shifts.length * 2}-term rule vs adjoint`).toBeLessThan(1e-12);
        expect(Math.abs(layerShift[p]! - exact[p]!), `${name} parameter ${p}: the layer's parameter-shift vs adjoint`).toBeLessThan(1e-12);
      });
    } finally {
      adjointLayer.dispose();
      shiftLayer.dispose();
    }
  });

  it.each(controlledRotations)('%s: the two-term rule would be wrong, so the layer really uses the four-term one', (name) => {
    const rng = new Random(4100 + name.length);
    const layer = layerAround(name, 'adjoint', rng);
    try {
      const params = Float64Array.from(layer.getParams(), () => rng.range(-Math.PI, Math.PI));
      const g = [0.7, -1.3, 0.4, 0.9];
      layer.setParams(params);
      layer.forward([], 1);
      const exact = layer.backward(g).params;
      let worst = 0;
      getGate(name).params.forEach((_, p) => {
        const q = params.slice();
        q[p] = params[p]! + Math.PI / 2;
        const plus = dot(g, layer.forward([], 1, q));
        q[p] = params[p]! - Math.PI / 2;
        const minus = dot(g, layer.forward([], 1, q));
        worst = Math.max(worst, Math.abs(0.5 * (plus - minus) - exact[p]!));
      });
      expect(worst, `${name}: the two-term rule misses the exact gradient by far more than the 1e-12 the four-term rule achieves`).toBeGreaterThan(1e-6);
    } finally {
      layer.dispose();
    }
  });
});
