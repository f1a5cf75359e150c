// Finite shots: seeded estimates within 4 standard deviations of the exact
// values (binomial for ±1 / two-eigenvalue readouts and for each
// probability), reproducible by seed, and parameter-shift gradients with
// shots within a few standard errors of the exact gradients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { hermitianEigenvalues } from '../../sdk/circuit/matrix.js';
import { matrixFromRows, type RowsMatrix } from '../../sdk/circuit/circuit.js';
import { QNNLayer, type MeasurementConfig, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { getGate } from '../../sdk/circuit/gates.js';
import { Random } from '../helpers/random.js';
import { expectBitwiseEqual, expectQError, randomArray, randomHermitianRows, testKernel } from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel();
});
afterAll(() => expect(kernel.retired).toBe(false));

const SHOTS = 10_000;
const N = 3;
const rng = new Random(77);
const H1: RowsMatrix = randomHermitianRows(rng, 1);
const MEASUREMENTS: MeasurementConfig[] = [
  { type: 'expvalZ' },
  { type: 'expval', observable: 'X0 Y2' },
  { type: 'expval', observable: 'X1' },
  { type: 'hermitian', wires: [1], matrix: H1 },
  { type: 'probs' },
  { type: 'probs', wires: [2, 0], classes: 3 },
];
const BASE: QNNLayerConfig = {
  numQubits: N,
  encoder: { type: 'AngleEmbedding', rotation: 'Y' },
  ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
  measurements: MEASUREMENTS,
  seed: 5,
};
const BATCH = 4;
const X = randomArray(rng, BATCH * N, -2, 2);

/** Per output of one sample: the exact value's sampling standard deviation for `shots`, and the grid step of estimates. */
function sampling(layer: QNNLayer, exact: Float64Array, shots: number): { sd: Float64Array; low: Float64Array; range: Float64Array } {
  const sd = new Float64Array(exact.length);
  const low = new Float64Array(exact.length);
  const range = new Float64Array(exact.length);
  const per = layer.numOutputs;
  for (let b = 0; b < exact.length / per; b++) {
    let o = 0;
    for (const m of layer.config.measurements) {
      const at = b * per + o;
      if (m.type === 'probs') {
        const count = m.classes ?? 2 ** (m.wires ?? Array.from({ length: N }, (_, i) => i)).length;
        for (let c = 0; c < count; c++) {
          const p = exact[at + c]!;
          sd[at + c] = Math.sqrt(Math.max(0, p * (1 - p)) / shots);
          range[at + c] = 1;
        }
        o += count;
        continue;
      }
      const words = m.type === 'expvalZ' ? (m.wires ?? Array.from({ length: N }, (_, i) => i)).length : 1;
      for (let k = 0; k < words; k++) {
        let lowest = -1;
        let highest = 1;
        if (m.type === 'hermitian') [lowest, highest] = hermitianEigenvalues(matrixFromRows(m.matrix!)) as [number, number];
        const p = (exact[at + k]! - lowest) / (highest - lowest);
        sd[at + k] = (highest - lowest) * Math.sqrt(Math.max(0, p * (1 - p)) / shots);
        low[at + k] = lowest;
        range[at + k] = highest - lowest;
      }
      o += words;
    }
  }
  return { sd, low, range };
}

describe('shots: seeded estimates', () => {
  it(`expvals (Pauli, 1-qubit Hermitian) and probabilities with ${SHOTS} shots are within 4σ of the exact values`, () => {
    const exactLayer = new QNNLayer(BASE, kernel);
    const shotLayer = new QNNLayer({ ...BASE, shots: SHOTS }, kernel);
    try {
      shotLayer.setParams(exactLayer.getParams());
      const exact = exactLayer.forward(X, BATCH);
      const estimate = shotLayer.forward(X, BATCH);
      const { sd, low, range } = sampling(exactLayer, exact, SHOTS);
      let worst = 0;
      for (let i = 0; i < exact.length; i++) {
        const z = sd[i]! > 0 ? Math.abs(estimate[i]! - exact[i]!) / sd[i]! : estimate[i] === exact[i] ? 0 : Infinity;
        worst = Math.max(worst, z);
        expect(z, `${shotLayer.outputLabels[i % shotLayer.numOutputs]} (sample ${Math.floor(i / shotLayer.numOutputs)}): estimate ${estimate[i]}, exact ${exact[i]}, σ ${sd[i]}`).toBeLessThan(4);
        // An estimate is a count: lowest eigenvalue + range·hits/shots (probabilities: low 0, range 1).
        const hits = ((estimate[i]! - low[i]!) / range[i]!) * SHOTS;
        expect(Math.abs(hits - Math.round(hits)), `${shotLayer.outputLabels[i % shotLayer.numOutputs]}: the estimate is a count over ${SHOTS} shots`).toBeLessThan(1e-6);
      }
      // Not vacuous: estimates are not the exact values, and the worst deviation is a plausible one.
      expect(worst).toBeGreaterThan(0.5);
    } finally {
      exactLayer.dispose();
      shotLayer.dispose();
    }
  });

  it('same seed → identical outputs; different seeds → different outputs; repeated calls draw new shots', () => {
    const a = new QNNLayer({ ...BASE, shots: 1000, seed: 11 }, kernel);
    const b = new QNNLayer({ ...BASE, shots: 1000, seed: 11 }, kernel);
    const c = new QNNLayer({ ...BASE, shots: 1000, seed: 12 }, kernel);
    try {
      c.setParams(a.getParams());
      const ya = a.forward(X, BATCH);
      expectBitwiseEqual(b.forward(X, BATCH), ya, 'same seed, same config');
      const yc = c.forward(X, BATCH);
      expect(yc.some((v, i) => v !== ya[i]), 'another seed (same weights) gives other estimates').toBe(true);
      const again = a.forward(X, BATCH);
      expect(again.some((v, i) => v !== ya[i]), 'the generator advances between calls').toBe(true);
    } finally {
      a.dispose();
      b.dispose();
      c.dispose();
    }
  });

  it('parameter-shift with shots: gradients within 4 standard errors of the exact ones, and reproducible', () => {
    const measurements: MeasurementConfig[] = [{ type: 'expvalZ', wires: [0, 1] }, { type: 'hermitian', wires: [2], matrix: H1 }, { type: 'probs', wires: [1] }];
    const config: QNNLayerConfig = { ...BASE, measurements, ansatz: { type: 'StronglyEntanglingLayers', layers: 1 } };
    const exactLayer = new QNNLayer(config, kernel);
    const shotLayer = new QNNLayer({ ...config, shots: SHOTS, diffMethod: 'parameter-shift', seed: 3 }, kernel);
    const twin = new QNNLayer({ ...config, shots: SHOTS, diffMethod: 'parameter-shift', seed: 3 }, kernel);
    try {
      const params = exactLayer.getParams();
      shotLayer.setParams(params);
      twin.setParams(params);
      const batch = 2;
      const x = X.subarray(0, batch * N);
      const g = randomArray(new Random(9), batch * exactLayer.numOutputs, -1, 1);
      exactLayer.forward(x, batch);
      const exact = exactLayer.backward(g);
      shotLayer.forward(x, batch);
      const est = shotLayer.backward(g);
      twin.forward(x, batch);
      expectBitwiseEqual(twin.backward(g).params, est.params, 'same seed: the same shot gradients');

      // Standard error bound: each slot's estimate is Σ_μ c_μ (Ĝ(θ+s_μ) − Ĝ(θ−s_μ)) with Ĝ = Σ_k g_k·ôut_k
      // from independent readouts: Var Ĝ ≤ Σ_readouts (spread of g·eigenvalues)²/(4·shots). Every
      // weight and input feeds exactly one slot (Rot angles, AngleEmbedding) with a two-term rule.
      const rule = getGate('RY').shiftRule(0);
      expect(rule.shifts.length).toBe(1);
      const lo = hermitianEigenvalues(matrixFromRows(H1))[0]!;
      const hi = hermitianEigenvalues(matrixFromRows(H1))[1]!;
      const per = exactLayer.numOutputs;
      const varG = (b: number): number => {
        const gb = g.subarray(b * per, (b + 1) * per);
        const zTerms = (2 * gb[0]!) ** 2 / 4 + (2 * gb[1]!) ** 2 / 4;
        const hTerm = (gb[2]! * (hi - lo)) ** 2 / 4;
        const pTerm = Math.max(gb[3]!, gb[4]!, 0) - Math.min(gb[3]!, gb[4]!, 0);
        return (zTerms + hTerm + (pTerm * pTerm) / 4) / SHOTS;
      };
      const c2 = rule.coefficients[0]! ** 2;
      const weightSe = Math.sqrt(Array.from({ length: batch }, (_, b) => 2 * c2 * varG(b)).reduce((s, v) => s + v, 0));
      let worstZ = 0;
      for (let i = 0; i < exactLayer.numWeights; i++) {
        const z = Math.abs(est.params[i]! - exact.params[i]!) / weightSe;
        worstZ = Math.max(worstZ, z);
        expect(z, `weight ${i}: shot estimate ${est.params[i]}, exact ${exact.params[i]}, standard error ≤ ${weightSe}`).toBeLessThan(4);
      }
      for (let b = 0; b < batch; b++) {
        const se = Math.sqrt(2 * c2 * varG(b));
        for (let j = 0; j < N; j++) {
          const k = b * N + j;
          expect(Math.abs(est.inputs[k]! - exact.inputs[k]!) / se, `input ${j} of sample ${b}`).toBeLessThan(4);
        }
      }
      expect(worstZ, 'the shot gradients are noisy estimates, not exact values').toBeGreaterThan(0.05);
    } finally {
      exactLayer.dispose();
      shotLayer.dispose();
      twin.dispose();
    }
  });

  it('what shots cannot do is a typed error: adjoint backward, prep-input gradients, multi-qubit Hermitian sampling', () => {
    const adjoint = new QNNLayer({ ...BASE, shots: 100 }, kernel);
    adjoint.forward(X, BATCH);
    expectQError(() => adjoint.backward(new Float64Array(BATCH * adjoint.numOutputs)), 'E_UNSUPPORTED', /adjoint/, /parameter-shift/);
    adjoint.dispose();
    const amp = new QNNLayer({ ...BASE, encoder: { type: 'AmplitudeEmbedding' }, shots: 100, diffMethod: 'parameter-shift' }, kernel);
    amp.forward([1, 2, 3, 4, 5, 6, 7, 8], 1);
    expectQError(() => amp.backward(new Float64Array(amp.numOutputs)), 'E_UNSUPPORTED', /amplitude-embedded or state inputs/, /shots/);
    amp.dispose();
    const two = new QNNLayer({ ...BASE, measurements: [{ type: 'hermitian', wires: [0, 1], matrix: randomHermitianRows(new Random(1), 2) }], shots: 100 }, kernel);
    expectQError(() => two.forward(X, BATCH), 'E_UNSUPPORTED', /multi-qubit Hermitian/);
    two.dispose();
  });
});
