// Golden gradients: every template case of every golden file (templates.json,
// PennyLane 0.38.1) is rebuilt
// as a QNNLayer from its FIELDS — the `template` parts and their option
// fields, and `f_definition` for the readouts — never from its name. The layer
// measures the terms of f (⟨Z_i⟩ for every wire, then the Hermitian if f has
// one, then probs with zero upstream), backward runs with upstream = the
// coefficients, and f, ∂f/∂weights and ∂f/∂features are compared for every
// diffMethod. Fields that belong to the engine suite (states, decomposition)
// are deferred by name with the reason; any other unread field, an unknown
// template part or an unknown f_definition fails the case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowsMatrix } from '../../sdk/circuit/circuit.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import type { AnsatzConfig, EncoderConfig } from '../../sdk/qnn/ansatz.js';
import { QNNLayer, type DiffMethod, type MeasurementConfig } from '../../sdk/qnn/qnn-layer.js';
import { Fields, flattenNested, casesOfKind, type GoldenCase } from '../helpers/golden.js';
import { expectArrayClose, expectClose } from '../helpers/tolerance.js';
import { DIFF_METHODS, dot, expectGradClose, gradientTolerance, testKernel } from './qnn-helpers.js';

/** Every template case of every golden file (templates.json today). */
const entries = casesOfKind('template');
const cases: GoldenCase[] = entries.map((e) => e.raw);
const fileOf = new Map(entries.map((e) => [e.raw, e.file] as const));
const FILE = [...new Set(entries.map((e) => e.file))].join(', ') || 'no template case';

/** Value tolerance: PennyLane default.qubit vs this engine (both exact float64). */
const VALUE_TOL = 1e-8;

/** What a case asks the layer to compute, read from its fields. */
interface GoldenLayerCase {
  readonly numQubits: number;
  readonly encoder: EncoderConfig;
  readonly ansatz: AnsatzConfig;
  readonly features: number[];
  readonly weights: number[];
  readonly measurements: MeasurementConfig[];
  /** The coefficients of f for the scalar readouts (⟨Z_i⟩…, then the Hermitian). */
  readonly coefficients: number[];
  /** Expected values, each a check to run (name → [actual index range, expected]). */
  readonly checks: Array<(outputs: Float64Array, grads: { inputs: Float64Array; params: Float64Array }, method: DiffMethod) => void>;
  readonly probsOutputs: number;
}

/** f = Σ_i c[i]·⟨Z_i⟩ [+ c_h·⟨Hermitian(A, wires=w)⟩] is the one cost the fixtures define. */
const F_DEFINITION = /^f = sum_i c\[i\] \* <Z_i>(?: \+ c_h \* <Hermitian\(A, wires=(\d+)\)>)?$/;

type Part = 'AmplitudeEmbedding' | 'AngleEmbedding' | 'StronglyEntanglingLayers' | 'BasicEntanglerLayers';
const EMBEDDINGS = ['AmplitudeEmbedding', 'AngleEmbedding'] as const;
const LAYERS = ['StronglyEntanglingLayers', 'BasicEntanglerLayers'] as const;

function readCase(raw: GoldenCase): { fields: Fields; spec: GoldenLayerCase } {
  const c = new Fields(raw as unknown as Record<string, unknown>, `${fileOf.get(raw) ?? FILE}:${raw.name}`);
  c.get('name');
  c.opt('seed'); // provenance
  c.defer(/^decomposition$/, 'checked by the engine golden suite (test/helpers/golden.ts)');
  const n = c.get<number>('n_wires');
  const inputs = c.child('inputs');
  const outputs = c.child('outputs');
  outputs.defer(/^(state|amplitude_embedding_state|sel_ranges)$/, 'states and decompositions: the engine golden suite');
  outputs.defer(/^grad_.*max_abs_diff.*$|^grad_f_features_check$/, "the generator's own cross-checks (provenance)");

  const template = c.get<string>('template');
  const parts = template.split('+').map((p) => p.trim());
  const unknown = parts.filter((p) => !(EMBEDDINGS as readonly string[]).includes(p) && !(LAYERS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`${c.where}: unknown template part(s) ${unknown.join(', ')} — teach this suite the part`);
  const embeddings = parts.filter((p) => (EMBEDDINGS as readonly string[]).includes(p)) as Part[];
  const layers = parts.filter((p) => (LAYERS as readonly string[]).includes(p)) as Part[];
  if (embeddings.length !== 1 || layers.length !== 1 || parts.indexOf(embeddings[0]!) > parts.indexOf(layers[0]!)) {
    throw new Error(`${c.where}: "${template}": expected one embedding followed by one layer template`);
  }

  const features = inputs.get<number[]>('features');
  let encoder: EncoderConfig;
  switch (embeddings[0]!) {
    case 'AmplitudeEmbedding': {
      const o = inputs.child('amplitude_embedding');
      encoder = { type: 'AmplitudeEmbedding', numFeatures: features.length, pad: o.get<number>('pad_with'), normalize: o.get<boolean>('normalize') };
      break;
    }
    case 'AngleEmbedding': {
      const o = inputs.child('angle_embedding');
      const rotation = o.get<string>('rotation');
      if (!['X', 'Y', 'Z'].includes(rotation)) throw new Error(`${o.where}: unknown rotation "${rotation}"`);
      encoder = { type: 'AngleEmbedding', rotation: rotation as 'X' | 'Y' | 'Z', numFeatures: features.length };
      break;
    }
    default:
      throw new Error(`${c.where}: no encoder for ${embeddings[0]}`);
  }

  const { values: weights, shape } = flattenNested(inputs.get('weights'));
  expect(shape, `${c.where}: weights have weights_shape`).toEqual(inputs.get<number[]>('weights_shape'));
  const numLayers = c.get<number>('n_layers');
  let ansatz: AnsatzConfig;
  switch (layers[0]!) {
    case 'StronglyEntanglingLayers': {
      const o = inputs.child('sel');
      const ranges = o.get<'default' | number[]>('ranges');
      ansatz = { type: 'StronglyEntanglingLayers', layers: numLayers, imprimitive: o.get<string>('imprimitive'), ...(ranges === 'default' ? {} : { ranges }) };
      expect(shape, `${c.where}: SEL weights are (L, n, 3)`).toEqual([numLayers, n, 3]);
      break;
    }
    case 'BasicEntanglerLayers': {
      const o = inputs.child('basic_entangler');
      const m = /^R([XYZ])$/.exec(o.get<string>('rotation'));
      if (!m) throw new Error(`${o.where}: unknown rotation`);
      ansatz = { type: 'BasicEntanglerLayers', layers: numLayers, rotation: m[1] as 'X' | 'Y' | 'Z' };
      expect(shape, `${c.where}: BasicEntanglerLayers weights are (L, n)`).toEqual([numLayers, n]);
      break;
    }
    default:
      throw new Error(`${c.where}: no ansatz for ${layers[0]}`);
  }

  // Readouts from the cost's definition.
  const definition = inputs.get<string>('f_definition');
  const match = F_DEFINITION.exec(definition);
  if (!match) throw new Error(`${c.where}: unknown f_definition "${definition}" — teach this suite the cost`);
  const coefficients = [...inputs.get<number[]>('c')];
  expect(coefficients.length, `${c.where}: one c[i] per wire`).toBe(n);
  const measurements: MeasurementConfig[] = [{ type: 'expvalZ' }];
  const hermitianWire = match[1] === undefined ? undefined : Number(match[1]);
  if (hermitianWire !== undefined) {
    measurements.push({ type: 'hermitian', wires: [hermitianWire], matrix: inputs.get<RowsMatrix>('hermitian_A') });
    coefficients.push(inputs.get<number>('c_h'));
  }
  const probsOutputs = outputs.has('probs') ? 2 ** n : 0;
  if (probsOutputs) measurements.push({ type: 'probs' });

  const checks: GoldenLayerCase['checks'] = [];
  const T = (method: DiffMethod, q: Parameters<typeof gradientTolerance>[1]): number => gradientTolerance(method, q);
  const f = outputs.get<number>('f');
  checks.push((out) => expectClose(dot(coefficients, out), f, VALUE_TOL, `${c.where}: f`));
  const ez = outputs.get<number[]>('expval_z');
  checks.push((out) => expectArrayClose(out.subarray(0, n), ez, VALUE_TOL, `${c.where}: <Z_i>`));
  if (hermitianWire !== undefined) {
    const eh = outputs.get<number>(`expval_hermitian_w${hermitianWire}`);
    checks.push((out) => expectClose(out[n]!, eh, VALUE_TOL, `${c.where}: <A>`));
  }
  if (probsOutputs) {
    const probs = outputs.get<number[]>('probs');
    checks.push((out) => expectArrayClose(out.subarray(coefficients.length), probs, VALUE_TOL, `${c.where}: probs readout`));
  }
  for (const key of outputs.keys().filter((k) => /^grad_f_weights_/.test(k))) {
    const expected = flattenNested(outputs.get(key)).values;
    checks.push((_, g, method) => expectGradClose(g.params, expected, T(method, 'weights'), `${c.where}: ${method} ∂f/∂weights vs ${key}`));
  }
  const featureQuantity = encoder.type === 'AmplitudeEmbedding' ? 'prep-inputs' : 'angle-inputs';
  for (const key of outputs.keys().filter((k) => /^grad_f_features_(backprop|param_shift)$/.test(k))) {
    const expected = outputs.get<number[]>(key);
    checks.push((_, g, method) => expectGradClose(g.inputs, expected, T(method, featureQuantity), `${c.where}: ${method} ∂f/∂features vs ${key}`));
  }
  expect(checks.length, `${c.where}: the case has gradients to check`).toBeGreaterThan(3);
  return { fields: c, spec: { numQubits: n, encoder, ansatz, features, weights, measurements, coefficients, checks, probsOutputs } };
}

describe(`golden gradients (${FILE}): f, ∂f/∂weights and ∂f/∂features of PennyLane for every diffMethod`, () => {
  let kernel: Kernel;
  beforeAll(async () => {
    kernel = await testKernel();
  });
  afterAll(() => expect(kernel.retired).toBe(false));

  it('the fixture file has template cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: every field is understood', (_, raw) => {
    const { fields } = readCase(raw);
    fields.assertAllRead();
  });

  for (const method of DIFF_METHODS) {
    it.each(cases.map((c) => [c.name, c] as const))(`%s: ${method} matches PennyLane`, (_, raw) => {
      const { spec } = readCase(raw);
      const layer = new QNNLayer(
        { numQubits: spec.numQubits, encoder: spec.encoder, ansatz: spec.ansatz, measurements: spec.measurements, diffMethod: method },
        kernel,
      );
      try {
        expect(layer.numWeights, 'weights count = PennyLane weight shape').toBe(spec.weights.length);
        layer.setParams(spec.weights);
        const outputs = layer.forward(spec.features);
        expect(outputs.length).toBe(spec.coefficients.length + spec.probsOutputs);
        const upstream = [...spec.coefficients, ...new Array<number>(spec.probsOutputs).fill(0)];
        const grads = layer.backward(upstream);
        for (const check of spec.checks) check(outputs, grads, method);
      } finally {
        layer.dispose();
      }
    });
  }
});
