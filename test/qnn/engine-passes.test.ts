// The layer's passes live in the engine: every forward and backward, whatever
// the method, is ONE engine call per batch (no loop per parameter, per
// sample or per shot in JavaScript); shots are drawn in the engine with the
// very draws of the SDK's reference samplers (sampleFromProbabilities and a
// binomial count per two-outcome readout, the generator's stream continued);
// and parameter shift's shifted circuits, built in the engine by linearity,
// are the circuits evaluated directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermitianEigenvalues } from '../../sdk/circuit/matrix.js';
import { matrixFromRows } from '../../sdk/circuit/circuit.js';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { input, weight } from '../../sdk/circuit/params.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { QNNLayer, type DiffMethod, type MeasurementConfig, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { createSimulator, sampleFromProbabilities } from '../../sdk/qnn/simulator.js';
import { Random } from '../../sdk/util/random.js';
import { DIFF_METHODS, dot, expectBitwiseEqual, expectGradClose, randomArray, randomHermitianRows, testKernel } from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel();
});
afterAll(() => expect(kernel.retired).toBe(false));

/** Counts the engine calls `body` makes through `kernel.run`. */
function countEngineCalls<T>(body: () => T): { result: T; calls: string[] } {
  const calls: string[] = [];
  const run = kernel.run.bind(kernel);
  kernel.run = ((where: string, fn: Parameters<Kernel['run']>[1]) => {
    calls.push(where);
    return run(where, fn);
  }) as Kernel['run'];
  try {
    return { result: body(), calls };
  } finally {
    kernel.run = run;
  }
}

const N = 3;
const rng0 = new Random(4242);
const H1 = randomHermitianRows(rng0, 1);
const READOUTS: MeasurementConfig[] = [
  { type: 'expvalZ' },
  { type: 'expvalZZ', pairs: 'ring' },
  { type: 'expval', observable: 'X0 Y2' },
  { type: 'hermitian', wires: [1], matrix: H1 },
  { type: 'hermitian', wires: [2], trainable: true, parametrization: 'pauli' },
  { type: 'probs', wires: [2, 0], classes: 3 },
];

/**
 * The SDK's former JavaScript sampler, kept here as the reference: per
 * sample, per readout, a probability readout of C classes draws
 * sampleFromProbabilities over C + 1 outcomes (the classes, then the rest),
 * and every other readout counts uniforms below p = (value − low)/(high − low).
 */
function referenceSample(exact: Float64Array, layer: QNNLayer, spectra: Map<number, [number, number]>, shots: number, rng: Random): Float64Array {
  const out = new Float64Array(exact.length);
  const per = layer.numOutputs;
  const sizes: number[] = [];
  for (const m of layer.config.measurements) {
    if (m.type === 'expvalZ') sizes.push(...Array<number>((m.wires ?? [0, 1, 2]).length).fill(-1));
    else if (m.type === 'expvalZZ') sizes.push(-1, -1, -1);
    else if (m.type === 'probs') sizes.push(m.classes!);
    else sizes.push(-1);
  }
  for (let b = 0; b < exact.length / per; b++) {
    let o = b * per;
    sizes.forEach((size, r) => {
      if (size > 0) {
        let rest = 1;
        const probs: number[] = [];
        for (let c = 0; c < size; c++) {
          const p = Math.max(0, exact[o + c]!);
          probs.push(p);
          rest -= p;
        }
        probs.push(Math.max(0, rest));
        const counts = new Float64Array(probs.length);
        for (const idx of sampleFromProbabilities(probs, shots, rng)) counts[idx]++;
        for (let c = 0; c < size; c++) out[o + c] = counts[c]! / shots;
        o += size;
        return;
      }
      const [low, high] = spectra.get(r) ?? [-1, 1];
      const p = Math.min(1, Math.max(0, (exact[o]! - low) / (high - low)));
      let hits = 0;
      for (let s = 0; s < shots; s++) if (rng.uniform() < p) hits++;
      out[o] = low + ((high - low) * hits) / shots;
      o += 1;
    });
  }
  return out;
}

describe('shots are drawn in the engine', () => {
  it('forward with shots equals the reference sampler on the exact outputs, bit for bit, and continues its stream', () => {
    const config: QNNLayerConfig = { numQubits: N, encoder: { type: 'AngleEmbedding', rotation: 'Y' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 2 }, measurements: READOUTS, seed: 31 };
    const exactLayer = new QNNLayer(config, kernel);
    const shotLayer = new QNNLayer({ ...config, shots: 777 }, kernel);
    try {
      const params = exactLayer.getParams();
      params[params.length - 3] = 0.4; // the trainable observable away from its initial Z
      exactLayer.setParams(params);
      shotLayer.setParams(params);
      const x = randomArray(new Random(2), 4 * N, -2, 2);
      const exact = exactLayer.forward(x, 4);
      const hermitian = hermitianEigenvalues(matrixFromRows(H1)) as [number, number];
      const trainable = params.slice(exactLayer.numWeights);
      const pauliH = { dim: 2, re: Float64Array.from([trainable[0]! + trainable[3]!, trainable[1]!, trainable[1]!, trainable[0]! - trainable[3]!]), im: Float64Array.from([0, -trainable[2]!, trainable[2]!, 0]) };
      const spectra = new Map<number, [number, number]>([[7, hermitian], [8, hermitianEigenvalues(pauliH) as [number, number]]]);
      const rng = new Random(31);
      const { result: first, calls } = countEngineCalls(() => shotLayer.forward(x, 4));
      expect(calls, 'one engine call for the whole batch, shots included').toEqual(['QNNLayer.forward']);
      expectBitwiseEqual(first, referenceSample(exact, exactLayer, spectra, 777, rng), 'first forward');
      expectBitwiseEqual(shotLayer.forward(x, 4), referenceSample(exact, exactLayer, spectra, 777, rng), 'second forward (the stream goes on)');
    } finally {
      exactLayer.dispose();
      shotLayer.dispose();
    }
  });

  it('Simulator.sample draws in the engine exactly what sampleFromProbabilities draws', async () => {
    const sim = await createSimulator({ kernel });
    const c = new Circuit(4).h(0).cnot(0, 1).ry(0.7, 2).rx(1.9, 3).cry(0.4, 3, 1);
    for (const [wires, seed] of [[undefined, 3], [[2, 0], 9], [[3], 11]] as const) {
      const probs = sim.probs(c, wires);
      const { result, calls } = countEngineCalls(() => sim.sample(c, 5000, { seed, ...(wires ? { wires } : {}) }));
      expect(calls.filter((w) => w === 'sample'), 'one sampling call').toHaveLength(1);
      expectBitwiseEqual(result, sampleFromProbabilities(probs, 5000, new Random(seed)), `wires ${wires ?? 'all'}`);
    }
  });
});

describe('one engine call per batch on every gradient path', () => {
  const configs: Array<[string, QNNLayerConfig, () => Float64Array, number]> = [
    ['angle inputs, every readout', { numQubits: N, encoder: { type: 'AngleEmbedding', rotation: 'X' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 2 }, measurements: READOUTS }, () => randomArray(new Random(5), 5 * N, -2, 2), 5],
    ['amplitude-embedded inputs with both extras', { numQubits: N, encoder: { type: 'AmplitudeEmbedding', numFeatures: 6, bias: 0.5, normFeature: 0.3 }, ansatz: { type: 'BasicEntanglerLayers', layers: 2 }, measurements: READOUTS }, () => randomArray(new Random(6), 5 * 6), 5],
  ];
  for (const method of DIFF_METHODS) {
    it.each(configs)(`${method}: %s`, (_, config, makeInputs, batch) => {
      const layer = new QNNLayer({ ...config, diffMethod: method }, kernel);
      try {
        const x = makeInputs();
        layer.forward(x, batch);
        const g = randomArray(new Random(7), batch * layer.numOutputs);
        const { calls } = countEngineCalls(() => layer.backward(g));
        expect(calls, `${method} backward`).toHaveLength(1);
      } finally {
        layer.dispose();
      }
    });
  }

  it('parameter shift with shots: one call for the whole batch too', () => {
    const layer = new QNNLayer({ numQubits: N, encoder: { type: 'AngleEmbedding' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 2 }, measurements: READOUTS, diffMethod: 'parameter-shift', shots: 300 }, kernel);
    try {
      layer.forward(randomArray(new Random(8), 4 * N), 4);
      const { calls } = countEngineCalls(() => layer.backward(randomArray(new Random(9), 4 * layer.numOutputs)));
      expect(calls).toHaveLength(1);
    } finally {
      layer.dispose();
    }
  });
});

describe('parameter shift builds the shifted circuits the direct way would', () => {
  // Each slot of this circuit is one kind the engine shifts by linearity: a fused run (Rot, PhaseShift inside a
  // run), a standalone Pauli rotation (IsingXX), a controlled rotation (CRY: two directions), a controlled phase.
  const c = new Circuit(3)
    .rot(weight(0), weight(1), weight(2), 0)
    .rx(input(0), 1).phaseShift(weight(3), 1)
    .op('IsingXX', [0, 2], [weight(4)])
    .cry(weight(5), 2, 1)
    .op('ControlledPhaseShift', [1, 0], [weight(6)])
    .cnot(0, 2).ry(weight(7), 2);
  const config: QNNLayerConfig = { numQubits: 3, encoder: { type: 'none' }, ansatz: { type: 'circuit', circuit: c }, measurements: READOUTS, diffMethod: 'parameter-shift' };

  it('∂L/∂w from the engine equals Σ_μ c_μ·(L(w + s_μ) − L(w − s_μ)) from forward passes at shifted weights (every weight feeds one slot)', () => {
    const layer = new QNNLayer(config, kernel);
    const direct = new QNNLayer({ ...config, diffMethod: 'adjoint' }, kernel);
    try {
      const rng = new Random(12);
      const params = Float64Array.from(layer.getParams(), (v, i) => (i < layer.numWeights ? rng.range(-3, 3) : v));
      layer.setParams(params);
      const x = randomArray(rng, 2, -2, 2);
      const g = randomArray(rng, 2 * layer.numOutputs);
      layer.forward(x, 2);
      const engine = layer.backward(g);
      // Rules by gate: two-term π/2 (coefficient ½) for RX/RZ/RY, IsingXX, PhaseShift and ControlledPhaseShift;
      // the controlled rotation CRY: four terms (frequencies ½ and 1).
      const s1 = (Math.sqrt(2) + 1) / (4 * Math.sqrt(2)), s2 = (Math.sqrt(2) - 1) / (4 * Math.sqrt(2));
      const rules: Array<[number, number][]> = Array.from({ length: layer.numWeights }, (_, w) =>
        w === 5 ? [[Math.PI / 2, s1], [(3 * Math.PI) / 2, -s2]] : [[Math.PI / 2, 0.5]]);
      const loss = (p: Float64Array): number => dot(g, direct.forward(x, 2, p));
      const expected = rules.map((rule, w) => rule.reduce((sum, [s, coefficient]) => {
        const plus = params.slice();
        const minus = params.slice();
        plus[w] += s;
        minus[w] -= s;
        return sum + coefficient * (loss(plus) - loss(minus));
      }, 0));
      expectGradClose(engine.params.subarray(0, layer.numWeights), expected, 1e-10, 'engine shift vs direct shifted forwards');
    } finally {
      layer.dispose();
      direct.dispose();
    }
  });
});

describe('finite differences of amplitude inputs: the linear path equals re-running the circuit', () => {
  it('a circuit without input-fed angles (columns) and the same circuit with a dummy input-fed angle (re-runs) agree', () => {
    const make = (extra: boolean, method: DiffMethod): QNNLayer => {
      const user = new Circuit(3).rot(weight(0), weight(1), weight(2), 1).cnot(1, 2).ry(weight(3), 0);
      if (extra) user.rz(input(5, 0), 2); // θ = 0·x_5: reads an input, so the unitary is per sample, and changes nothing
      return new QNNLayer({
        numQubits: 3, encoder: { type: 'AmplitudeEmbedding', numFeatures: 6, normFeature: 0.4, bias: -0.8 },
        ansatz: { type: 'circuit', circuit: user }, measurements: READOUTS, diffMethod: method, seed: 2,
      }, kernel);
    };
    for (const method of ['parameter-shift', 'finite-diff'] as const) {
      const linear = make(false, method);
      const rerun = make(true, method);
      try {
        rerun.setParams(linear.getParams());
        const x = randomArray(new Random(21), 3 * 6);
        const g = randomArray(new Random(22), 3 * linear.numOutputs);
        linear.forward(x, 3);
        const a = linear.backward(g);
        rerun.forward(x, 3);
        const b = rerun.backward(g);
        expectGradClose(a.inputs, b.inputs, 1e-8, `${method}: ∂L/∂x by columns vs by re-running`);
        expectGradClose(a.params, b.params, 1e-8, `${method}: ∂L/∂params`);
      } finally {
        linear.dispose();
        rerun.dispose();
      }
    }
  });
});
