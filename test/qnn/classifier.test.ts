// The qnn-classifier from plain JSON: re-uploading ansätze, ZZ readouts, an
// amplitude embedding with its extras, a user circuit in its JSON form, and
// a trainable output scale (a learnable temperature of the logits). The
// whole model's gradients — input, output scale, circuit weights, head —
// against central finite differences; checkpoints rebuild the same model.
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { input, weight } from '../../sdk/circuit/params.js';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { crossEntropy, init, noGrad, Tensor, type Module } from '../../sdk/nn/index.js';
import { createHybridModel, QNNClassifier, type QNNClassifierConfig } from '../../sdk/qnn/hybrid.js';
import { restoreHybridModel, serializeHybridCheckpoint } from '../../sdk/qnn/hybrid-checkpoint.js';
import { Random } from '../../sdk/util/random.js';
import { expectBitwiseEqual, expectQError } from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  await init();
  kernel = await createKernel();
});

function batch(rng: Random, n: number, features: number): Tensor {
  return new Tensor(Float64Array.from({ length: n * features }, () => rng.range(-1.5, 1.5)), [n, features]);
}

/** Central differences of the cross-entropy against autodiff: along random input directions and for every listed parameter entry. */
function checkGradients(model: Module, x: Tensor, labels: number[], entries: Record<string, number[]>): void {
  x.requiresGrad = true;
  const loss = (input: Tensor): number => noGrad(() => crossEntropy(model.forward(input), labels).data[0]!);
  crossEntropy(model.forward(x), labels).backward();
  const h = 1e-6;
  const rng = new Random(5);
  for (let k = 0; k < 2; k++) {
    const v = Float64Array.from({ length: x.size }, () => rng.normal());
    const fd = (loss(new Tensor(x.data.map((d, i) => d + h * v[i]!), x.shape)) - loss(new Tensor(x.data.map((d, i) => d - h * v[i]!), x.shape))) / (2 * h);
    const analytic = v.reduce((s, vi, i) => s + vi * x.grad!.data[i]!, 0);
    expect(Math.abs(fd - analytic), 'dL/dx along a random direction').toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
  }
  const named = new Map(model.namedParameters());
  for (const [name, indices] of Object.entries(entries)) {
    const p = named.get(name);
    expect(p, `parameter ${name}`).toBeDefined();
    for (const i of indices) {
      const saved = p!.data[i]!;
      p!.data[i] = saved + h;
      const plus = loss(x);
      p!.data[i] = saved - h;
      const minus = loss(x);
      p!.data[i] = saved;
      const fd = (plus - minus) / (2 * h);
      expect(Math.abs(fd - p!.grad!.data[i]!), `${name}[${i}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  }
}

describe('qnn-classifier: a genuinely quantum student from JSON', () => {
  it('re-uploading + ⟨Z_i⟩ + ⟨Z_iZ_j⟩ readouts + a trainable per-output scale, no head: gradients of everything match finite differences', async () => {
    const config: QNNClassifierConfig = JSON.parse(JSON.stringify({
      arch: 'qnn-classifier', dtype: 'float64', numClasses: 6, numQubits: 3, head: false, seed: 4,
      encoder: { type: 'none' },
      ansatz: { type: 'DataReuploading', numFeatures: 7, rotations: ['Y', 'Z'], scale: 1.2, repeats: 2, block: { type: 'StronglyEntanglingLayers', layers: 1 } },
      measurements: [{ type: 'expvalZ' }, { type: 'expvalZZ', pairs: 'ring' }],
      outputScale: { init: [3, 4, 5, 6, 7, 8], trainable: true },
    })) as QNNClassifierConfig;
    const model = (await createHybridModel(config, { kernel })) as QNNClassifier;
    const names = model.namedParameters().map(([n]) => n);
    expect(names).toEqual(['outputScale', 'qnn.weight']);
    expect(Array.from(model.namedParameters()[0]![1].data)).toEqual([3, 4, 5, 6, 7, 8]);
    const numWeights = model.qnn.layer.numWeights;
    expect(numWeights, '2 repeats × ⌈7/6⌉ chunks × SEL(1, 3)').toBe(2 * 2 * 9);
    checkGradients(model, batch(new Random(1), 4, 7), [0, 5, 2, 3], { outputScale: [0, 2, 5], 'qnn.weight': [0, 13, numWeights - 1] });
  });

  it('amplitude embedding with bias and norm feature, one trainable scalar scale, a head: gradients match finite differences', async () => {
    const config: QNNClassifierConfig = {
      arch: 'qnn-classifier', dtype: 'float64', numClasses: 3, numQubits: 3, seed: 8, head: true,
      encoder: { type: 'AmplitudeEmbedding', numFeatures: 6, bias: 0.9, normFeature: 0.5 },
      ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
      measurements: [{ type: 'expvalZ' }], outputScale: { init: 2.5, trainable: true },
    };
    const model = await createHybridModel(config, { kernel });
    expect(model.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([['outputScale', [1]], ['qnn.weight', [18]], ['head.weight', [3, 3]], ['head.bias', [3]]]);
    checkGradients(model, batch(new Random(2), 3, 6), [2, 0, 1], { outputScale: [0], 'qnn.weight': [0, 9, 17], 'head.weight': [4] });
  });

  it('a fixed scale (number or one per output) is not a parameter and multiplies the outputs', async () => {
    const base: QNNClassifierConfig = {
      arch: 'qnn-classifier', numClasses: 3, numQubits: 3, head: false, dtype: 'float64', seed: 2,
      encoder: { type: 'AngleEmbedding', rotation: 'Y' }, ansatz: { type: 'BasicEntanglerLayers', layers: 1 }, measurements: [{ type: 'expvalZ' }],
    };
    const x = batch(new Random(3), 2, 3);
    const plain = (await createHybridModel(base, { kernel })).forward(x).data;
    const fixed = await createHybridModel({ ...base, outputScale: { init: [2, -1, 0.5] } }, { kernel });
    expect(fixed.numParameters()).toBe(3);
    expectBitwiseEqual(fixed.forward(x).data, Float64Array.from(plain, (v, i) => v * [2, -1, 0.5][i % 3]!), 'per-output fixed scale');
    const number = await createHybridModel({ ...base, outputScale: 10 }, { kernel });
    expectBitwiseEqual(number.forward(x).data, Float64Array.from(plain, (v) => v * 10), 'scalar fixed scale');
  });

  it('a user circuit is kept in its JSON form: the config is plain JSON and a checkpoint rebuilds the same model', async () => {
    const circuit = new Circuit(2).ry(input(0, 2), 0).ry(input(1, 2), 1).cnot(0, 1).rot(weight(0), weight(1), weight(2), 1).crz(weight(3), 1, 0);
    const model = await createHybridModel({
      arch: 'qnn-classifier', numClasses: 2, numQubits: 2, head: false, dtype: 'float64', seed: 6,
      encoder: { type: 'none' }, ansatz: { type: 'circuit', circuit }, measurements: [{ type: 'expvalZ' }], outputScale: { init: 4, trainable: true },
    }, { kernel });
    const config = (model as QNNClassifier).config;
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    expect(config.ansatz).toMatchObject({ type: 'circuit', circuit: { format: 'qdistill.circuit' } });
    const x = batch(new Random(9), 3, 2);
    const { model: again } = await restoreHybridModel(serializeHybridCheckpoint(model), { kernel });
    expectBitwiseEqual(again.forward(x).data, model.forward(x).data, 'restored model');
  });

  it('outputScale errors name the field and the value', async () => {
    const make = (outputScale: unknown) => createHybridModel({
      arch: 'qnn-classifier', numClasses: 2, numQubits: 2, head: false, encoder: { type: 'AngleEmbedding' }, ansatz: { type: 'BasicEntanglerLayers', layers: 1 },
      measurements: [{ type: 'expvalZ' }], outputScale: outputScale as QNNClassifierConfig['outputScale'],
    }, { kernel });
    await expect(make(Number.NaN)).rejects.toSatisfy((e) => { expectQError(() => { throw e; }, 'E_CONFIG', /^model config outputScale: expected a finite number or \{ init, trainable \}, got NaN$/); return true; });
    await expect(make({ scale: 2 })).rejects.toSatisfy((e) => { expectQError(() => { throw e; }, 'E_CONFIG', /^model config outputScale\.init: missing \(expected a finite number or a list of finite numbers\); model config outputScale: unknown field "scale" \(allowed: init, trainable\)$/); return true; });
    await expect(make({ init: [1, 2, 3] })).rejects.toSatisfy((e) => { expectQError(() => { throw e; }, 'E_CONFIG', /one value or one per QNN output \(2\), got 3/); return true; });
    await expect(make({ init: 'big' })).rejects.toSatisfy((e) => { expectQError(() => { throw e; }, 'E_CONFIG', /^model config outputScale\.init: expected a finite number or a list of finite numbers, got "big"$/); return true; });
    await expect(make({ init: 1, trainable: 'yes' })).rejects.toSatisfy((e) => { expectQError(() => { throw e; }, 'E_CONFIG', /^model config outputScale\.trainable: expected true or false, got "yes"$/); return true; });
  });
});
