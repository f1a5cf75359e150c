// The configurable parameter-shift rule of single-frequency gates. For
// f(θ) = a + b·cos θ + c·sin θ (every gate whose generator has eigenvalues
// ±½, or 0 and 1), f(θ + s) − f(θ − s) = 2·sin(s)·f′(θ): the rule
// { shift: s, factor: 'exact' } divides by 2·sin s and gives f′; with
// factor 'none' it gives 2·sin(s)·f′ — paper 003's E(θ + π/4) − E(θ − π/4)
// is √2·f′ plus shot noise, each shifted run with its own shots. Checked
// against the adjoint gradient (exact mode) and against the closed form of
// one qubit, mean and variance (shots).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { input, weight } from '../../sdk/circuit/params.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { QNNLayer, type QNNGradients, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { Random } from '../helpers/random.js';
import { expectGradClose, expectQError, randomArray, testKernel } from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel();
});
afterAll(() => expect(kernel.retired).toBe(false));

/** Every parametrised gate here has one frequency (1), with weights and angle inputs, one per slot. */
const singleFrequency = new Circuit(3)
  .rot(weight(0), weight(1), weight(2), 0)
  .rx(input(0, 0.7, 0.1), 1).ry(weight(3), 2).cnot(0, 1)
  .phaseShift(weight(4), 2)
  .op('IsingZZ', [1, 2], [weight(5)])
  .op('IsingXX', [0, 2], [input(1)])
  .op('ControlledPhaseShift', [2, 0], [weight(6)])
  .rz(input(2, -1.3), 1);

const base: QNNLayerConfig = {
  numQubits: 3, encoder: { type: 'none' }, ansatz: { type: 'circuit', circuit: singleFrequency },
  measurements: [{ type: 'expvalZ' }, { type: 'expvalZZ', pairs: 'all' }, { type: 'probs', wires: [1, 2] }],
};

function gradients(config: QNNLayerConfig, params: Float64Array, x: Float64Array, g: Float64Array): QNNGradients {
  const layer = new QNNLayer(config, kernel);
  try {
    layer.setParams(params);
    layer.forward(x, x.length / layer.numInputs);
    return layer.backward(g);
  } finally {
    layer.dispose();
  }
}

function scaled(grads: QNNGradients, factor: number): QNNGradients {
  return { inputs: grads.inputs.map((v) => v * factor), params: grads.params.map((v) => v * factor) };
}

describe('shiftRule in exact mode: against the adjoint gradient', () => {
  const rng = new Random(90);
  const params = randomArray(rng, 7, -3, 3);
  const x = randomArray(rng, 2 * 3, -2, 2);
  const g = randomArray(rng, 2 * (3 + 3 + 4));
  let adjoint: QNNGradients;
  beforeAll(() => {
    adjoint = gradients({ ...base, diffMethod: 'adjoint' }, params, x, g);
  });

  it.each([
    ['the default rule (π/2, exact)', undefined, 1],
    ["{ shift: 0.3, factor: 'exact' }", { shift: 0.3 }, 1],
    ["{ shift: π/4, factor: 'none' } (paper 003): √2·f′", { shift: Math.PI / 4, factor: 'none' as const }, Math.SQRT2],
    ["{ shift: 1.1, factor: 'none' }: 2·sin(1.1)·f′", { shift: 1.1, factor: 'none' as const }, 2 * Math.sin(1.1)],
    ["{ factor: 'none' } at the default shift π/2: 2·f′", { factor: 'none' as const }, 2],
  ])('%s', (_, shiftRule, factor) => {
    const got = gradients({ ...base, diffMethod: 'parameter-shift', ...(shiftRule ? { shiftRule } : {}) }, params, x, g);
    const want = scaled(adjoint, factor);
    expectGradClose(got.params, want.params, 1e-9, '∂L/∂weights');
    expectGradClose(got.inputs, want.inputs, 1e-9, '∂L/∂(angle inputs)');
  });

  it('a gate with two frequencies (a controlled rotation) keeps its own exact four-term rule', () => {
    const c = new Circuit(2).ry(weight(0), 0).crx(weight(1), 0, 1).cry(input(0), 1, 0);
    const config: QNNLayerConfig = { numQubits: 2, encoder: { type: 'none' }, ansatz: { type: 'circuit', circuit: c }, measurements: [{ type: 'expvalZ' }] };
    const p = Float64Array.from([0.4, -1.2]);
    const xs = Float64Array.from([0.8]);
    const up = Float64Array.from([0.6, -0.9]);
    const exact = gradients({ ...config, diffMethod: 'adjoint' }, p, xs, up);
    const got = gradients({ ...config, diffMethod: 'parameter-shift', shiftRule: { shift: Math.PI / 4, factor: 'none' } }, p, xs, up);
    expectGradClose(got.params, [Math.SQRT2 * exact.params[0]!, exact.params[1]!], 1e-9, 'RY scaled by √2, CRX exact');
    expectGradClose(got.inputs, exact.inputs, 1e-9, 'CRY input exact');
  });
});

describe("paper 003's gradient with shots: E(θ + π/4) − E(θ − π/4), fresh shots per shifted run, no factor", () => {
  it('one qubit, RY(θ) then ⟨Z⟩ = cos θ: the estimates have mean −√2·sin θ and the variance of two independent binomials', () => {
    const shots = 5000;
    const theta = 0.9;
    const layer = new QNNLayer({
      numQubits: 1, encoder: { type: 'AngleEmbedding', rotation: 'Y' }, ansatz: { type: 'none' }, measurements: [{ type: 'expvalZ' }],
      diffMethod: 'parameter-shift', shots, seed: 17, shiftRule: { shift: Math.PI / 4, factor: 'none' },
    }, kernel);
    try {
      const repeats = 300;
      const estimates: number[] = [];
      for (let r = 0; r < repeats; r++) {
        layer.forward([theta], 1);
        estimates.push(layer.backward([1]).inputs[0]!);
      }
      // Closed form: each shifted run estimates cos(θ ± π/4) from `shots` ±1 outcomes, variance (1 − cos²)/shots.
      const mean = -Math.SQRT2 * Math.sin(theta);
      const variance = (Math.sin(theta + Math.PI / 4) ** 2 + Math.sin(theta - Math.PI / 4) ** 2) / shots;
      const sampleMean = estimates.reduce((a, b) => a + b, 0) / repeats;
      const sampleVariance = estimates.reduce((a, b) => a + (b - sampleMean) ** 2, 0) / (repeats - 1);
      expect(Math.abs(sampleMean - mean), `mean ${sampleMean} vs −√2·sin θ = ${mean}`).toBeLessThan(4 * Math.sqrt(variance / repeats));
      // Var of the sample variance ≈ 2σ⁴/(R − 1): 4 standard deviations either side. Reusing the same shots for both
      // shifted runs (correlated draws) would change the variance well outside this band.
      const spread = 4 * Math.sqrt(2 / (repeats - 1));
      expect(sampleVariance / variance, `variance ${sampleVariance} vs ${variance}`).toBeGreaterThan(1 - spread);
      expect(sampleVariance / variance).toBeLessThan(1 + spread);
      // Every estimate is a difference of two counts over `shots`.
      for (const e of estimates.slice(0, 20)) expect(Math.abs(e * shots / 2 - Math.round(e * shots / 2))).toBeLessThan(1e-6);
    } finally {
      layer.dispose();
    }
  });
});

describe('shiftRule errors', () => {
  const make = (shiftRule: unknown): QNNLayer =>
    new QNNLayer({ ...base, diffMethod: 'parameter-shift', shiftRule: shiftRule as QNNLayerConfig['shiftRule'] }, kernel);
  it('a shift that is not a positive finite number, an unknown factor, a non-object: E_CONFIG naming the field', () => {
    expectQError(() => make({ shift: 0 }), 'E_CONFIG', /shiftRule\.shift: expected a finite number > 0 \(radians\), got 0/);
    expectQError(() => make({ shift: Number.NaN }), 'E_CONFIG', /shiftRule\.shift/);
    expectQError(() => make({ factor: 'half' }), 'E_CONFIG', /shiftRule\.factor: expected 'exact' or 'none', got "half"/);
    expectQError(() => make('pi/4'), 'E_CONFIG', /shiftRule: expected an object \{ shift\?, factor\? \}, got "pi\/4"/);
  });

  it("an 'exact' factor whose sin(b·s) is 0 does not exist: E_CONFIG says so and offers factor 'none'", () => {
    expectQError(() => make({ shift: Math.PI }), 'E_CONFIG', /shift 3\.14159\d* makes sin\(b·s\) = 0 for a gate of frequency b = 1/, /factor 'none'/);
    make({ shift: Math.PI, factor: 'none' }).dispose();
  });
});
