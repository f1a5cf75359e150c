// Bad input to a QNNLayer is a typed QDistillError with a stable code and a
// message that names the problem (what, got, expected). Each case asserts
// the code and the message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { input, weight } from '../../sdk/circuit/params.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import type { AnsatzConfig, EncoderConfig } from '../../sdk/qnn/ansatz.js';
import { QNNLayer, type MeasurementConfig, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { expectQError, testKernel } from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel();
});
afterAll(() => expect(kernel.retired, 'no bad input reached the engine').toBe(false));

const Z: MeasurementConfig[] = [{ type: 'expvalZ' }];
const make = (overrides: Partial<QNNLayerConfig> = {}): QNNLayer =>
  new QNNLayer({ numQubits: 2, encoder: { type: 'AngleEmbedding' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 1 }, measurements: Z, ...overrides }, kernel);
const withEncoder = (encoder: EncoderConfig): QNNLayer => make({ encoder });
const withAnsatz = (ansatz: AnsatzConfig): QNNLayer => make({ encoder: { type: 'none' }, ansatz });
const withReadout = (m: unknown): QNNLayer => make({ encoder: { type: 'none' }, measurements: [m as MeasurementConfig] });
const I4 = { re: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], im: [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]] };

describe('forward: inputs', () => {
  it('a feature vector of the wrong length is E_SHAPE naming the expected count and the length given', () => {
    expectQError(() => make().forward([0.1, 0.2, 0.3]), 'E_SHAPE', /QNNLayer\.forward/, /batch × 2/, /got 3/);
    expectQError(() => make().forward([0.1, 0.2, 0.3, 0.4], 3), 'E_SHAPE', /batch 3/, /got 4/);
    expectQError(() => make().forward([], 1), 'E_SHAPE', /got 0/);
    expectQError(() => make().forward([0.1, 0.2], 0), 'E_SHAPE', /got 2/);
  });

  it('NaN or ±Infinity features are E_NON_FINITE naming the entry', () => {
    expectQError(() => make().forward([0.1, NaN]), 'E_NON_FINITE', /inputs/, /entry 1 is NaN/);
    expectQError(() => make().forward([0.1, 0.2, -Infinity, 0], 2), 'E_NON_FINITE', /entry 2 is -Infinity/);
  });

  it('a zero vector into amplitude embedding is E_ZERO_VECTOR naming the sample (padding counts toward the norm)', () => {
    const layer = withEncoder({ type: 'AmplitudeEmbedding' });
    expectQError(() => layer.forward([0, 0, 0, 0]), 'E_ZERO_VECTOR', /sample 0 is a zero vector/, /AmplitudeEmbedding/);
    expectQError(() => layer.forward([1, 0, 0, 0, 0, 0, 0, 0], 2), 'E_ZERO_VECTOR', /sample 1/);
    expectQError(() => withEncoder({ type: 'AmplitudeEmbedding', numFeatures: 3, pad: 0 }).forward([0, 0, 0]), 'E_ZERO_VECTOR', /sample 0/);
    // A non-zero pad makes a zero feature vector embeddable.
    expect(withEncoder({ type: 'AmplitudeEmbedding', numFeatures: 3, pad: 0.5 }).forward([0, 0, 0]).every(Number.isFinite)).toBe(true);
  });

  it('BasisEmbedding inputs other than 0/1 are E_INVALID_ARGUMENT naming sample, feature and value', () => {
    const layer = withEncoder({ type: 'BasisEmbedding' });
    expectQError(() => layer.forward([1, 2]), 'E_INVALID_ARGUMENT', /BasisEmbedding inputs must be 0 or 1/, /sample 0 feature 1 is 2/);
    expectQError(() => layer.forward([1, 0, 0, 0.5], 2), 'E_INVALID_ARGUMENT', /sample 1 feature 1 is 0\.5/);
  });
});

describe('parameters and backward', () => {
  it('a weights/params array of the wrong length is E_SHAPE naming both counts', () => {
    expectQError(() => make().setParams([1, 2]), 'E_SHAPE', /setParams/, /expected 6 values \(6 weights \+ 0 observable\)/, /got 2/);
    expectQError(() => make().forward([0.1, 0.2], 1, [1]), 'E_SHAPE', /expected 6 values/, /got 1/);
    const trainable = make({ measurements: [{ type: 'hermitian', wires: [0], trainable: true, parametrization: 'pauli' }] });
    expectQError(() => trainable.setParams(new Float64Array(6)), 'E_SHAPE', /expected 10 values \(6 weights \+ 4 observable\)/);
  });

  it('NaN parameters are E_NON_FINITE', () => {
    expectQError(() => make().setParams([0, 0, NaN, 0, 0, 0]), 'E_NON_FINITE', /setParams/, /entry 2 is NaN/);
  });

  it('upstream gradients of the wrong shape are E_SHAPE naming batch × outputs', () => {
    const layer = make();
    layer.forward([0.1, 0.2, 0.3, 0.4], 2);
    expectQError(() => layer.backward([1, 1]), 'E_SHAPE', /QNNLayer\.backward/, /batch × outputs = 2 × 2 = 4 values/, /got 2/);
    expectQError(() => layer.backward([1, 1, NaN, 1]), 'E_NON_FINITE', /upstream/, /entry 2 is NaN/);
  });

  it('backward before any forward, or after setParams, is an error that says to call forward first', () => {
    const layer = make();
    expectQError(() => layer.backward([1, 1]), 'E_INVALID_ARGUMENT', /QNNLayer\.backward/, /call forward first/);
    layer.forward([0.1, 0.2]);
    layer.setParams(layer.getParams());
    expectQError(() => layer.backward([1, 1]), 'E_INVALID_ARGUMENT', /call forward first/);
  });
});

describe('config', () => {
  it('shots ≤ 0 or non-integer is E_SHOTS naming the value', () => {
    for (const shots of [0, -5, 1.5, NaN, Infinity]) {
      expectQError(() => make({ shots }), 'E_SHOTS', /config\.shots/, /positive integer/, new RegExp(`got ${shots}`));
    }
    expect(make({ shots: null }).shots).toBeUndefined();
  });

  it('numQubits, diffMethod, measurements and the config itself are E_CONFIG', () => {
    expectQError(() => make({ numQubits: 0 }), 'E_CONFIG', /config\.numQubits/, /positive integer/, /got 0/);
    expectQError(() => make({ numQubits: 2.5 }), 'E_CONFIG', /got 2\.5/);
    expectQError(() => make({ diffMethod: 'backprop' as never }), 'E_CONFIG', /config\.diffMethod/, /'adjoint', 'parameter-shift' or 'finite-diff'/, /"backprop"/);
    expectQError(() => make({ measurements: 'Z' as never }), 'E_CONFIG', /config\.measurements/, /array/);
    expectQError(() => new QNNLayer(null as never, kernel), 'E_CONFIG', /config must be an object/);
  });

  it('too many qubits for the engine is E_TOO_MANY_QUBITS, before any allocation', () => {
    const before = kernel.bytesInUse;
    expectQError(() => make({ numQubits: 40, encoder: { type: 'none' } }), 'E_TOO_MANY_QUBITS', /40 qubits/, /at most 27/);
    expect(kernel.bytesInUse).toBe(before);
  });

  it('unknown encoder / ansatz / measurement / init types name the field and the value', () => {
    expectQError(() => withEncoder({ type: 'Bogus' } as never), 'E_INVALID_ARGUMENT', /encoder type/, /Bogus/);
    expectQError(() => withAnsatz({ type: 'Bogus' } as never), 'E_INVALID_ARGUMENT', /ansatz type/, /Bogus/);
    expectQError(() => withReadout({ type: 'var' }), 'E_INVALID_ARGUMENT', /measurement type/, /"var"/);
    expectQError(() => make({ init: { type: 'he' } as never }), 'E_INVALID_ARGUMENT', /weight init/, /"he"/);
    expectQError(() => make({ measurements: [] }), 'E_INVALID_ARGUMENT', /at least one measurement/);
    expectQError(() => make({ seed: 1.5 }), 'E_INVALID_ARGUMENT', /seed/, /1\.5/);
  });

  it('encoder fields: features that do not fit, non-finite pad/scale', () => {
    expectQError(() => withEncoder({ type: 'AmplitudeEmbedding', numFeatures: 5 }), 'E_TOO_MANY_FEATURES', /5 features do not fit in 2 wires/);
    expectQError(() => withEncoder({ type: 'AmplitudeEmbedding', numFeatures: 0 }), 'E_SHAPE', /at least 1 feature/);
    expectQError(() => withEncoder({ type: 'AmplitudeEmbedding', numFeatures: 3, pad: NaN }), 'E_NON_FINITE', /pad/);
    expectQError(() => withEncoder({ type: 'AngleEmbedding', numFeatures: 3 }), 'E_TOO_MANY_FEATURES', /3 features for 2 qubits/);
    expectQError(() => withEncoder({ type: 'PhaseEmbedding', numFeatures: 3 }), 'E_TOO_MANY_FEATURES', /PhaseEmbedding/);
    expectQError(() => withEncoder({ type: 'AngleEmbedding', scale: NaN }), 'E_NON_FINITE', /input scale/);
    expectQError(() => withEncoder({ type: 'AngleEmbedding', rotation: 'W' as never }), 'E_UNKNOWN_GATE', /"RW"/);
  });

  it('ansatz fields: layers, ranges, imprimitive, a circuit of another size, inputs the encoder does not provide', () => {
    expectQError(() => withAnsatz({ type: 'StronglyEntanglingLayers', layers: 0 }), 'E_SHAPE', /StronglyEntanglingLayers/, /got 0/);
    expectQError(() => withAnsatz({ type: 'BasicEntanglerLayers', layers: 0 }), 'E_SHAPE', /BasicEntanglerLayers/);
    expectQError(() => withAnsatz({ type: 'StronglyEntanglingLayers', layers: 2, ranges: [1] }), 'E_SHAPE', /1 ranges for 2 layers/);
    expectQError(() => withAnsatz({ type: 'StronglyEntanglingLayers', layers: 1, ranges: [2] }), 'E_INVALID_ARGUMENT', /ranges \[2\]/, /not divisible/);
    expectQError(() => withAnsatz({ type: 'StronglyEntanglingLayers', layers: 1, imprimitive: 'Foo' }), 'E_UNKNOWN_GATE', /"Foo"/);
    expectQError(() => withAnsatz({ type: 'StronglyEntanglingLayers', layers: 1, imprimitive: 'RX' }), 'E_WIRE_COUNT', /RX/, /expected 1 wire/);
    expectQError(() => withAnsatz({ type: 'circuit', circuit: new Circuit(3) }), 'E_INVALID_ARGUMENT', /3 qubits, the layer 2/);
    expectQError(
      () => make({ encoder: { type: 'AngleEmbedding', numFeatures: 1 }, ansatz: { type: 'circuit', circuit: new Circuit(2).ry(input(1), 0).rx(weight(0), 1) } }),
      'E_INVALID_ARGUMENT', /reads input 1/, /provides 1/,
    );
  });

  it('readout fields: wires out of range, bad Pauli words, Hermitian shape/hermiticity, probs classes, ZZ pairs', () => {
    expectQError(() => withReadout({ type: 'expval', observable: 'Z5' }), 'E_WIRE_RANGE', /"Z5"/, /wire 5 is out of range for 2 qubits/);
    expectQError(() => withReadout({ type: 'expvalZ', wires: [2] }), 'E_WIRE_RANGE', /wire 2/);
    expectQError(() => withReadout({ type: 'expval', observable: 'Q0' }), 'E_OBSERVABLE', /"Q0"/);
    expectQError(() => withReadout({ type: 'hermitian', wires: [0], matrix: I4 }), 'E_SHAPE', /expected a 2×2 matrix, got 4×4/);
    expectQError(() => withReadout({ type: 'hermitian', wires: [0], matrix: { re: [[1, 2], [0, 1]], im: [[0, 0], [0, 0]] } }), 'E_NOT_HERMITIAN', /not Hermitian/);
    expectQError(() => withReadout({ type: 'hermitian', wires: [0, 1] }), 'E_INVALID_ARGUMENT', /give its matrix/);
    expectQError(() => withReadout({ type: 'hermitian', wires: [0, 1], trainable: true, matrix: I4 }), 'E_UNSUPPORTED', /only 1-qubit/);
    expectQError(() => withReadout({ type: 'hermitian', wires: [3], matrix: I4 }), 'E_WIRE_RANGE', /wire 3/);
    expectQError(() => withReadout({ type: 'probs', wires: [1, 0], classes: 5 }), 'E_INVALID_ARGUMENT', /classes must be in 1\.\.4, got 5/);
    expectQError(() => withReadout({ type: 'expvalZZ', pairs: [[0, 2]] }), 'E_WIRE_RANGE', /expvalZZ measurement pair 0: wire 2 is out of range/);
    expectQError(() => withReadout({ type: 'expvalZZ', pairs: [[1, 1]] }), 'E_DUPLICATE_WIRES', /pair 0: wire 1 appears more than once/);
    expectQError(() => withReadout({ type: 'expvalZZ', pairs: [[0, 1, 0]] as unknown as [number, number][] }), 'E_CONFIG', /pair 0 must be two wires \[i, j\], got \[0,1,0\]/);
    expectQError(() => withReadout({ type: 'expvalZZ', pairs: [] }), 'E_CONFIG', /non-empty list of \[i, j\] wire pairs, got \[\]/);
    expectQError(() => withReadout({ type: 'expvalZZ', pairs: 'star' as 'ring' }), 'E_CONFIG', /pairs must be 'chain', 'ring', 'all' or a list/);
    expectQError(() => make({ numQubits: 1, encoder: { type: 'none' }, ansatz: { type: 'none' }, measurements: [{ type: 'expvalZZ' }] }), 'E_CONFIG', /1 qubit\(s\) have no pairs of wires/);
  });
});

describe('silent failures (bugs — see the report; these fail until fixed)', () => {
  it('NaN written into layer.weights is rejected by forward, not turned into NaN outputs', () => {
    const layer = make();
    layer.weights[0] = NaN;
    expectQError(() => layer.forward([0.1, 0.2]), 'E_NON_FINITE', /weight/);
  });

  it('a non-positive or non-finite finiteDiffStep is E_CONFIG, not NaN gradients', () => {
    expectQError(() => make({ diffMethod: 'finite-diff', finiteDiffStep: 0 }), 'E_CONFIG', /finiteDiffStep/);
    expectQError(() => make({ diffMethod: 'finite-diff', finiteDiffStep: NaN }), 'E_CONFIG', /finiteDiffStep/);
  });

  it('a layer without inputs rejects a batch size that is not a positive integer', () => {
    const layer = withAnsatz({ type: 'StronglyEntanglingLayers', layers: 1 });
    expectQError(() => layer.forward([], 1.5), 'E_SHAPE', /batch/);
    expectQError(() => layer.forward([], -1), 'E_SHAPE', /batch/);
  });

  it('readout wires listed twice are E_DUPLICATE_WIRES; a NaN Hermitian entry is E_NON_FINITE', () => {
    expectQError(() => withReadout({ type: 'hermitian', wires: [0, 0], matrix: I4 }), 'E_DUPLICATE_WIRES', /wire 0/);
    expectQError(() => withReadout({ type: 'probs', wires: [1, 1] }), 'E_DUPLICATE_WIRES', /wire 1/);
    expectQError(() => withReadout({ type: 'hermitian', wires: [0], matrix: { re: [[NaN, 0], [0, 1]], im: [[0, 0], [0, 0]] } }), 'E_NON_FINITE', /hermitian/i);
  });

  it('AmplitudeEmbedding with normalize: false rejects features whose norm is not 1 (as the simulator does)', () => {
    const layer = withEncoder({ type: 'AmplitudeEmbedding', normalize: false });
    expectQError(() => layer.forward([3, 4, 0, 0]), 'E_INVALID_ARGUMENT', /norm/);
    expectQError(() => layer.forward([0, 0, 0, 0]), 'E_ZERO_VECTOR', /zero vector/);
  });

  it('backward after weights were changed in place (an optimizer step) is an error or the gradient at the forward-time weights — never a mix', () => {
    const x = [0.4, -0.7];
    const reference = make({ numQubits: 2 });
    reference.forward(x);
    const atForward = reference.backward([1, -1]);
    const layer = make({ numQubits: 2 });
    layer.forward(x);
    layer.weights[4] += 0.5; // after the pass, e.g. optim.step() on a shared Float64Array
    let grads;
    try {
      grads = layer.backward([1, -1]);
    } catch (e) {
      expect((e as { code?: string }).code, (e as Error).message).toMatch(/^E_/);
      return;
    }
    expect(Array.from(grads.params)).toEqual(Array.from(atForward.params));
    expect(Array.from(grads.inputs)).toEqual(Array.from(atForward.inputs));
  });
});
