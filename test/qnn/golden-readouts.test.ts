// The layer's readouts on PennyLane's golden values: every measurement case of
// every golden file (observables.json; whatever its number of wires) is fed to a StateInput
// layer as its input state and measured by the readout the case names —
// Pauli words (Z-pairs through the expvalZZ readout), Hermitian matrices,
// probabilities on any list of wires — with gradients of every method
// against this suite's central differences. Plus probability readouts on 10
// and 12 wires (no fixture has them yet) against the simulator and the
// plain-TS reference engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { referenceRun } from '../../sdk/circuit/reference.js';
import { stronglyEntanglingLayers } from '../../sdk/circuit/templates.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { QNNLayer, type MeasurementConfig, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { createSimulator } from '../../sdk/qnn/simulator.js';
import { Fields, casesOfKind, type GoldenCase } from '../helpers/golden.js';
import { Random } from '../helpers/random.js';
import { expectArrayClose, tolerance } from '../helpers/tolerance.js';
import { checkAllMethods, randomArray, testKernel } from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel();
});
afterAll(() => expect(kernel.retired).toBe(false));

/** Every measurement case of every golden file (observables.json today). */
const entries = casesOfKind('measurement');
const cases: GoldenCase[] = entries.map((e) => e.raw);
const fileOf = new Map(entries.map((e) => [e.raw, e.file] as const));
const FILE = [...new Set(entries.map((e) => e.file))].join(', ') || 'no measurement case';
const VALUE_TOL = 1e-10;

/** A Pauli word "Z1 Z3" as two Z wires, or undefined. */
function zPair(word: string): [number, number] | undefined {
  const m = /^Z(\d+) Z(\d+)$/.exec(word.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

interface ReadoutCase {
  readonly n: number;
  readonly state: Float64Array;
  readonly measurement: MeasurementConfig;
  readonly expected: number[];
}

/** The readout a case asks for, from its fields; undefined for measurements a layer has no readout for (var). */
function readCase(raw: GoldenCase): ReadoutCase | undefined {
  const c = new Fields(raw as unknown as Record<string, unknown>, `${fileOf.get(raw) ?? FILE}:${raw.name}`);
  c.get('name');
  const n = c.get<number>('n_wires');
  const inputs = c.child('inputs');
  const outputs = c.child('outputs');
  const state = inputs.get<{ re: number[]; im: number[] }>('state');
  const measurement = inputs.get<string>('measurement');
  let readout: MeasurementConfig;
  let expected: number[];
  if (measurement === 'var') {
    inputs.defer(/^observable$/, 'variances: the simulator suite (test/circuit/golden.test.ts)');
    outputs.defer(/^value$/, 'variances: the simulator suite');
    c.assertAllRead();
    return undefined;
  }
  if (measurement === 'probs') {
    readout = { type: 'probs', wires: inputs.get<number[]>('wires') };
    expected = outputs.get<number[]>('probs');
  } else if (measurement === 'expval') {
    const o = inputs.child('observable');
    const type = o.get<string>('type');
    o.opt('pl_repr');
    o.opt('note');
    if (type === 'pauli_word') {
      const word = o.get<string>('pauli');
      const pair = zPair(word);
      readout = pair ? { type: 'expvalZZ', pairs: [pair] } : { type: 'expval', observable: word };
    } else if (type === 'hermitian') {
      readout = { type: 'hermitian', wires: o.get<number[]>('wires'), matrix: o.get('matrix') };
    } else {
      throw new Error(`${o.where}: unknown observable type "${type}" — teach this suite the readout`);
    }
    expected = [outputs.get<number>('value')];
  } else {
    throw new Error(`${c.where}: unknown measurement "${measurement}" — teach this suite the readout`);
  }
  c.assertAllRead();
  return { n, state: Float64Array.from([...state.re, ...state.im]), measurement: readout, expected };
}

describe(`golden readouts (${FILE}): a StateInput layer measures what PennyLane measured`, () => {
  it('the fixture file has cases', () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases.map((c) => [c.name, c] as const))('%s', (name, raw) => {
    const spec = readCase(raw);
    if (!spec) return;
    const config: QNNLayerConfig = { numQubits: spec.n, encoder: { type: 'StateInput' }, ansatz: { type: 'none' }, measurements: [spec.measurement] };
    const layer = new QNNLayer(config, kernel);
    try {
      expectArrayClose(layer.forward(spec.state, 1), spec.expected, VALUE_TOL, `${name}: layer readout vs PennyLane`);
    } finally {
      layer.dispose();
    }
    // Gradients of the same readout after a trainable circuit (state inputs in, every method), when small enough.
    if (spec.n <= 6) {
      const rng = new Random(name.length * 97);
      const ansatz = { type: 'StronglyEntanglingLayers', layers: 1 } as const;
      checkAllMethods(kernel, { config: { ...config, ansatz }, inputs: spec.state, batch: 1, inputQuantity: 'prep-inputs', ownFiniteDifference: false }, rng.int(1000), name);
    }
  });
});

describe('probability readouts on any number of wires up to the register', () => {
  for (const [n, wires] of [[10, undefined], [12, [11, 0, 5, 7, 2, 9, 1, 10, 3, 8]], [12, undefined]] as const) {
    it(`${n} qubits, probs on ${wires ? `${wires.length} wires in a scrambled order` : 'every wire'}: the simulator and the reference engine agree`, async () => {
      const rng = new Random(n * 13 + (wires?.length ?? 0));
      const sim = await createSimulator({ kernel });
      const layer = new QNNLayer({
        numQubits: n, encoder: { type: 'AngleEmbedding', rotation: 'Y' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
        measurements: [{ type: 'probs', ...(wires ? { wires: [...wires] } : {}) }, { type: 'expvalZ', wires: [0] }], seed: 3,
      }, kernel);
      try {
        const x = randomArray(rng, n, -2, 2);
        const y = layer.forward(x, 1);
        const k = wires?.length ?? n;
        expect(y.length).toBe(2 ** k + 1);
        const c = new Circuit(n);
        x.forEach((v, i) => c.ry(v, i));
        stronglyEntanglingLayers(c, Array.from(layer.weights));
        expectArrayClose(y.subarray(0, 2 ** k), sim.probs(c, wires ? [...wires] : undefined), tolerance('engine'), 'vs simulator');
        // The reference engine's state, marginalised here (wire w is bit n−1−w; the first listed wire is the most significant).
        const state = referenceRun(c);
        const list = wires ? [...wires] : Array.from({ length: n }, (_, i) => i);
        const marginal = new Float64Array(2 ** k);
        for (let i = 0; i < 2 ** n; i++) {
          let outcome = 0;
          for (const w of list) outcome = (outcome << 1) | ((i >> (n - 1 - w)) & 1);
          marginal[outcome] += state.re[i]! ** 2 + state.im[i]! ** 2;
        }
        expectArrayClose(y.subarray(0, 2 ** k), marginal, tolerance('engine'), 'vs reference engine');
      } finally {
        layer.dispose();
      }
    });
  }

  it('10-wire probability readouts differentiate: adjoint == parameter-shift == finite-diff', () => {
    const rng = new Random(1010);
    checkAllMethods(kernel, {
      config: { numQubits: 10, encoder: { type: 'AngleEmbedding', rotation: 'X', numFeatures: 3 }, ansatz: { type: 'BasicEntanglerLayers', layers: 1 }, measurements: [{ type: 'probs', classes: 40 }] },
      inputs: randomArray(rng, 3, -2, 2),
      batch: 1,
      inputQuantity: 'angle-inputs',
    }, 1011, '10-wire probs');
  });
});
