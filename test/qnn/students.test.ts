// Quantum students that keep their input: what amplitude embedding's
// normalisation throws away (‖x‖, and the sign of x under |⟨u|x̂⟩|² scores)
// and what the bias amplitude and the norm feature keep; data re-uploading
// (more features than qubits, in chunks, seen more than once). Gradients by
// every method, input gradients through the normalisation included, against
// this suite's own central differences.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { amplitudeEmbedding } from '../../sdk/circuit/templates.js';
import { circuitFromJSON, circuitToJSON } from '../../sdk/circuit/serialize.js';
import { referenceRun } from '../../sdk/circuit/reference.js';
import { toQASM, fromQASM } from '../../sdk/circuit/qasm.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { QNNLayer, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { createSimulator } from '../../sdk/qnn/simulator.js';
import { Random } from '../helpers/random.js';
import { expectArrayClose, tolerance } from '../helpers/tolerance.js';
import { checkAllMethods, expectBitwiseEqual, expectQError, randomArray, testKernel } from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel();
});
afterAll(() => expect(kernel.retired).toBe(false));

const N = 3;
const SEL = { type: 'StronglyEntanglingLayers', layers: 2 } as const;

function outputs(config: QNNLayerConfig, x: ArrayLike<number>, seed = 1): Float64Array {
  const layer = new QNNLayer({ seed, ...config }, kernel);
  try {
    return layer.forward(x, x.length / layer.numInputs);
  } finally {
    layer.dispose();
  }
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('amplitude embedding throws away ‖x‖ and the sign of x; a bias amplitude or the norm feature keeps them', () => {
  const probs: QNNLayerConfig['measurements'] = [{ type: 'probs' }];
  const encoder = (extra: object = {}): QNNLayerConfig['encoder'] => ({ type: 'AmplitudeEmbedding', numFeatures: 6, pad: 0, ...extra });
  const x = Float64Array.from([0.3, -1.2, 0.5, 0.9, -0.1, 0.4]);
  const twice = x.map((v) => 2 * v);
  const negated = x.map((v) => -v);

  it('plain: x, 2x and −x give the same probabilities (|⟨w|u⟩|² of u = x/‖x‖ is blind to scale and sign)', () => {
    const config: QNNLayerConfig = { numQubits: N, encoder: encoder(), ansatz: SEL, measurements: probs };
    const y = outputs(config, x);
    expect(maxDiff(outputs(config, twice), y)).toBeLessThan(1e-12);
    expect(maxDiff(outputs(config, negated), y)).toBeLessThan(1e-12);
  });

  it('bias c: 2x and −x give other probabilities, and the state is [x, c, 0]/√(‖x‖² + c²)', async () => {
    const config: QNNLayerConfig = { numQubits: N, encoder: encoder({ bias: 1.5 }), ansatz: { type: 'none' }, measurements: probs };
    const y = outputs(config, x);
    expect(maxDiff(outputs(config, twice), y)).toBeGreaterThan(1e-3);
    expect(maxDiff(outputs(config, negated), y)).toBeLessThan(1e-12); // no ansatz: probabilities of u itself are |u_i|²
    const withSel = { ...config, ansatz: SEL };
    expect(maxDiff(outputs(withSel, negated), outputs(withSel, x)), 'after an entangling ansatz the sign matters').toBeGreaterThan(1e-3);
    const norm2 = x.reduce((s, v) => s + v * v, 0) + 1.5 ** 2;
    expectArrayClose(y, [...x, 1.5, 0].map((v) => (v * v) / norm2), 1e-14, 'probabilities of [x, c, 0]/‖·‖');
  });

  it('norm feature s: the direction and one amplitude s·‖x‖/√(1 + s²‖x‖²) — ‖x‖ survives, and the sign (a non-negative amplitude beside ±x̂)', () => {
    const s = 0.4;
    const config: QNNLayerConfig = { numQubits: N, encoder: encoder({ normFeature: s }), ansatz: { type: 'none' }, measurements: probs };
    const y = outputs(config, x);
    const r = Math.hypot(...x);
    const extra = (s * r) ** 2 / (1 + (s * r) ** 2);
    expectArrayClose(y, [...Array.from(x, (v) => ((v / r) ** 2) * (1 - extra)), extra, 0], 1e-14, 'probabilities of [x̂, s‖x‖]/√(1 + s²‖x‖²)');
    expect(maxDiff(outputs(config, twice), y)).toBeGreaterThan(1e-3);
    const withSel = { ...config, ansatz: SEL };
    expect(maxDiff(outputs(withSel, negated), outputs(withSel, x)), '[−x̂, s‖x‖] is not ±[x̂, s‖x‖]').toBeGreaterThan(1e-3);
  });

  it('normFeature: true is the scale 1; with a bias, a zero input is the bias basis state, not an error', () => {
    expectBitwiseEqual(outputs({ numQubits: N, encoder: encoder({ normFeature: true }), ansatz: SEL, measurements: probs }, x),
      outputs({ numQubits: N, encoder: encoder({ normFeature: 1 }), ansatz: SEL, measurements: probs }, x), 'true == 1');
    const zero = outputs({ numQubits: N, encoder: encoder({ bias: -2 }), ansatz: { type: 'none' }, measurements: probs }, new Float64Array(6));
    expect(Array.from(zero)).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    expectQError(() => outputs({ numQubits: N, encoder: encoder({ normFeature: 0.5 }), ansatz: SEL, measurements: probs }, new Float64Array(6)),
      'E_ZERO_VECTOR', /sample 0 is a zero vector/, /a bias amplitude would make it valid/);
  });

  it('the layer, the simulator, the reference engine, the JSON form and OpenQASM embed the same state', async () => {
    const sim = await createSimulator({ kernel });
    const features = [0.8, -0.2, 0.5, 1.1, -0.7];
    const c = amplitudeEmbedding(new Circuit(N), features, { pad: 0.1, normalize: true, bias: 0.6, normScale: 0.3 });
    const v = [...features, 0.3 * features.reduce((s, f) => s + f * f, 0), 0.6, 0.1];
    const length = Math.hypot(...v);
    const expected = v.map((e) => e / length);
    expectArrayClose(sim.state(c).re, expected, tolerance('engine'), 'simulator');
    expectArrayClose(referenceRun(c).re, expected, tolerance('engine'), 'reference engine');
    expectArrayClose(sim.state(circuitFromJSON(JSON.stringify(circuitToJSON(c)))).re, expected, tolerance('engine'), 'JSON round trip');
    expect(circuitToJSON(c).prep).toMatchObject({ bias: 0.6, normScale: 0.3 });
    const viaQasm = sim.state(fromQASM(toQASM(c)));
    expectArrayClose(viaQasm.re, expected, 1e-9, 'OpenQASM export (RY tree)');
    const layer = new QNNLayer({ numQubits: N, encoder: { type: 'AmplitudeEmbedding', numFeatures: 5, pad: 0.1, bias: 0.6, normFeature: 0.3 }, ansatz: { type: 'none' }, measurements: [{ type: 'probs' }] }, kernel);
    expectArrayClose(layer.forward(features, 1), expected.map((e) => e * e), tolerance('engine'), 'layer');
    layer.dispose();
  });
});

describe('gradients of the extras: adjoint == parameter-shift == finite-diff == central difference, input gradients through the normalisation', () => {
  const readouts: QNNLayerConfig['measurements'] = [{ type: 'expvalZ' }, { type: 'expvalZZ', pairs: 'ring' }, { type: 'probs', wires: [2, 0], classes: 3 }];
  const cases: Array<[string, QNNLayerConfig['encoder'], number]> = [
    ['bias', { type: 'AmplitudeEmbedding', numFeatures: 7, bias: 0.8 }, 7],
    ['norm feature', { type: 'AmplitudeEmbedding', numFeatures: 5, pad: 0.3, normFeature: 0.6 }, 5],
    ['both', { type: 'AmplitudeEmbedding', numFeatures: 6, normFeature: true, bias: -1.2 }, 6],
  ];
  it.each(cases)('%s', (label, encoder, features) => {
    const rng = new Random(label.length * 31);
    checkAllMethods(kernel, {
      config: { numQubits: N, encoder, ansatz: SEL, measurements: readouts },
      inputs: randomArray(rng, 3 * features),
      batch: 3,
      inputQuantity: 'prep-inputs',
    }, 77, label);
  });
});

describe('data re-uploading: more features than qubits, each seen every repeat', () => {
  it('16 features on 3 qubits in chunks of 6 (RY, RZ), twice, between SEL blocks: gradients of every method agree', () => {
    const rng = new Random(88);
    const config: QNNLayerConfig = {
      numQubits: N, encoder: { type: 'none' },
      ansatz: { type: 'DataReuploading', numFeatures: 16, rotations: ['Y', 'Z'], scale: 0.8, offset: 0.1, repeats: 2, block: { type: 'StronglyEntanglingLayers', layers: 1 } },
      measurements: [{ type: 'expvalZ' }, { type: 'expvalZZ', pairs: 'chain' }],
    };
    const layer = new QNNLayer(config, kernel);
    expect(layer.numInputs).toBe(16);
    expect(layer.numWeights, '2 repeats × 3 chunks × one SEL layer (1·3·3)').toBe(2 * 3 * 9);
    layer.dispose();
    checkAllMethods(kernel, { config, inputs: randomArray(rng, 2 * 16, -2, 2), batch: 2, inputQuantity: 'angle-inputs' }, 89, 're-uploading');
  });

  it('after an encoder, the re-uploaded features are the inputs after the encoder\'s own', () => {
    const config: QNNLayerConfig = {
      numQubits: N, encoder: { type: 'AmplitudeEmbedding', numFeatures: 7, bias: 1 },
      ansatz: { type: 'DataReuploading', numFeatures: 4, block: { type: 'BasicEntanglerLayers', layers: 2, rotation: 'Y' } },
      measurements: [{ type: 'expvalZ' }],
    };
    const layer = new QNNLayer(config, kernel);
    expect(layer.numInputs).toBe(7 + 4);
    expect(layer.numWeights, '⌈4/3⌉ = 2 chunks × BEL (2, 3)').toBe(2 * 6);
    layer.dispose();
    checkAllMethods(kernel, { config, inputs: randomArray(new Random(90), 2 * 11), batch: 2, inputQuantity: 'prep-inputs' }, 91, 'amplitude + re-uploading');
  });

  it('its fields are validated: E_CONFIG naming the field and the value', () => {
    const make = (ansatz: object): void => {
      new QNNLayer({ numQubits: N, encoder: { type: 'none' }, ansatz: ansatz as QNNLayerConfig['ansatz'], measurements: [{ type: 'expvalZ' }] }, kernel).dispose();
    };
    expectQError(() => make({ type: 'DataReuploading', rotations: [] }), 'E_CONFIG', /DataReuploading rotations: expected a non-empty list of 'X', 'Y', 'Z', got \[\]/);
    expectQError(() => make({ type: 'DataReuploading', rotations: ['W'] }), 'E_CONFIG', /got \["W"\]/);
    expectQError(() => make({ type: 'DataReuploading', numFeatures: 0 }), 'E_CONFIG', /DataReuploading numFeatures: expected a positive integer, got 0/);
    expectQError(() => make({ type: 'DataReuploading', repeats: 1.5 }), 'E_CONFIG', /DataReuploading repeats: expected a positive integer, got 1\.5/);
    expectQError(() => make({ type: 'DataReuploading', scale: Number.POSITIVE_INFINITY }), 'E_CONFIG', /DataReuploading scale: expected a finite number/);
    expectQError(() => make({ type: 'DataReuploading', block: { type: 'Ring' } }), 'E_CONFIG', /block\.type: expected 'StronglyEntanglingLayers' or 'BasicEntanglerLayers', got "Ring"/);
    expectQError(() => make({ type: 'DataReuploading', block: { type: 'BasicEntanglerLayers', layers: 0 } }), 'E_CONFIG', /block\.layers: expected a positive integer, got 0/);
  });
});

describe('amplitude extras: errors name what does not fit', () => {
  const make = (encoder: object, numQubits = N): void => {
    new QNNLayer({ numQubits, encoder: encoder as QNNLayerConfig['encoder'], ansatz: { type: 'none' }, measurements: [{ type: 'expvalZ' }] }, kernel).dispose();
  };
  it('numFeatures + extras > 2ⁿ is E_TOO_MANY_FEATURES saying how many features fit', () => {
    expectQError(() => make({ type: 'AmplitudeEmbedding', bias: 1 }), 'E_TOO_MANY_FEATURES', /8 features \+ 1 extra amplitude \(bias or norm feature\) do not fit in 3 wires \(2\^3 = 8 amplitudes: at most 7 features\)/);
    expectQError(() => make({ type: 'AmplitudeEmbedding', numFeatures: 7, bias: 1, normFeature: true }), 'E_TOO_MANY_FEATURES', /7 features \+ 2 extra amplitudes \(norm feature and bias\).*at most 6 features/);
    make({ type: 'AmplitudeEmbedding', numFeatures: 7, bias: 1 });
  });
  it('a zero or non-finite bias, a non-positive norm scale, extras without normalisation: named errors', () => {
    expectQError(() => make({ type: 'AmplitudeEmbedding', numFeatures: 4, bias: 0 }), 'E_INVALID_ARGUMENT', /bias: expected a finite non-zero number, got 0/);
    expectQError(() => make({ type: 'AmplitudeEmbedding', numFeatures: 4, bias: Number.NaN }), 'E_INVALID_ARGUMENT', /bias: expected a finite non-zero number, got NaN/);
    expectQError(() => make({ type: 'AmplitudeEmbedding', numFeatures: 4, normFeature: -1 }), 'E_CONFIG', /normFeature: expected true, false or a scale s > 0, got -1/);
    expectQError(() => make({ type: 'AmplitudeEmbedding', numFeatures: 4, bias: 1, normalize: false }), 'E_INVALID_ARGUMENT', /needs normalize: true/);
  });
});
