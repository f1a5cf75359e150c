// End to end on real data: knowledge distillation from a PyTorch-exported ONNX
// LeNet (a teacher we did not write) into a 6-qubit quantum student on MNIST
// 0–5; the quantum autoencoder on ZXZ ground states; a QNN→QNN experiment
// through the config runner.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstPerClass, Pipeline } from '../../sdk/data/index.js';
import { loadMnist } from '../../sdk/data/node/index.js';
import { zxzDataset } from '../../sdk/data/zxz.js';
import { distillKnowledge } from '../../sdk/distill/knowledge.js';
import { runKDExperiment, logitsAccuracy } from '../../sdk/distill/experiment.js';
import { validateKDConfig } from '../../sdk/distill/config.js';
import { trainQuantumAutoencoder } from '../../sdk/distill/qae.js';
import { nodeExperimentEnvironment } from '../../sdk/distill/node/environment.js';
import { init } from '../../sdk/nn/index.js';
import { createHybridModel } from '../../sdk/qnn/hybrid.js';
import { OnnxTeacher } from '../../sdk/teachers/index.js';
import { teachersDir as teachersDirectory } from '../helpers/fixtures.js';

const teachersDir = teachersDirectory();

beforeAll(async () => {
  await init();
});

describe('knowledge distillation on MNIST 0–5', () => {
  it('distils the PyTorch-exported ONNX LeNet into a 6-qubit quantum student that beats chance by a wide margin', async () => {
    const file = join(teachersDir, 'lenet-mnist-c6.onnx');
    expect(existsSync(file), `${file} (set QDISTILL_TEACHERS_DIR)`).toBe(true);
    const { train, test } = await loadMnist({ classes: [0, 1, 2, 3, 4, 5] });
    const teacher = await OnnxTeacher.load(file);
    const trainSubset = firstPerClass(train, 60);
    const testSubset = firstPerClass(test, 60);
    expect(logitsAccuracy(await teacher.logitsFor(testSubset), testSubset.y, 6)).toBeGreaterThan(0.9);
    const pipeline = new Pipeline([{ type: 'resize', height: 8, width: 8, method: 'area' }, { type: 'flatten' }]);
    const student = await createHybridModel({
      arch: 'qnn-classifier', numClasses: 6, numQubits: 6,
      encoder: { type: 'AmplitudeEmbedding', numFeatures: 64 }, ansatz: { type: 'StronglyEntanglingLayers', layers: 3 },
      measurements: [{ type: 'expvalZ' }], head: false, outputScale: 10, seed: 1,
    });
    pipeline.fit(trainSubset);
    const result = await distillKnowledge({
      student, teacher,
      data: { train: trainSubset, test: testSubset },
      studentInput: (x, n, shape) => pipeline.transformBatch(x, n, shape),
      augment: [{ type: 'shift', max: 1 }],
      loss: { temperature: 1, kdWeight: 0.9, ceWeight: 1 },
      optimizer: { type: 'adam', lr: 0.02 }, epochs: 6, batchSize: 16, seed: 1,
    });
    // Chance is 1/6; measured ≈ 0.8 for this setting.
    expect(result.test!.last.accuracy).toBeGreaterThan(0.6);
    expect(result.history).toHaveLength(6);
    await teacher.dispose();
  });
});

describe('quantum autoencoder', () => {
  it('compresses 7-qubit ZXZ ground states onto 2 qubits with high fidelity on unseen states', async () => {
    const data = await zxzDataset({ numQubits: 7, sampling: { kind: 'random', count: 60, seed: 4, h1: [0, 2] } });
    const qae = await trainQuantumAutoencoder(data.states.slice(0, 40), { numQubits: 7, latentQubits: 2, layers: 4, steps: 150, lr: 0.05, seed: 1 });
    expect(qae.history[qae.history.length - 1]!).toBeGreaterThan(qae.history[0]!);
    const compressed = qae.compress(data.states.slice(40));
    expect(compressed.meanTrashFidelity).toBeGreaterThan(0.8);
    expect(compressed.meanReconstructionFidelity).toBeGreaterThan(0.7);
    for (const s of compressed.states) {
      expect(s.re.length).toBe(4);
      const norm = s.re.reduce((a, v, i) => a + v * v + s.im[i]! * s.im[i]!, 0);
      expect(norm).toBeCloseTo(1, 12);
    }
    // Reconstruction fidelity never exceeds trash fidelity's bound of 1, and both are probabilities.
    for (let i = 0; i < compressed.trashFidelity.length; i++) {
      expect(compressed.trashFidelity[i]!).toBeLessThanOrEqual(1 + 1e-12);
      expect(compressed.reconstructionFidelity[i]!).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('rejects a latent register as large as the input and states of the wrong size', async () => {
    const data = await zxzDataset({ numQubits: 3, sampling: { kind: 'points', points: [{ h1: 0.5 }] } });
    await expect(trainQuantumAutoencoder(data.states, { numQubits: 3, latentQubits: 3 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(trainQuantumAutoencoder(data.states, { numQubits: 4, latentQubits: 2 })).rejects.toMatchObject({ code: 'E_SHAPE' });
  });
});

describe('experiment runner', () => {
  it('runs QNN→QNN distillation on quantum data with a QAE-compressed 2-qubit student', async () => {
    const qnn = (n: number, layers: number) => ({
      arch: 'qnn-classifier' as const, numClasses: 2, numQubits: n, encoder: { type: 'StateInput' as const },
      ansatz: { type: 'HardwareEfficient' as const, layers }, measurements: [{ type: 'expvalZ' as const, wires: [0, n - 1] }], head: true,
    });
    const config = validateKDConfig({
      dataset: { name: 'zxz', numQubits: 5, train: 60, validation: 12, test: 32, seed: 2 },
      teacher: { type: 'model', model: qnn(5, 2), epochs: 20, batchSize: 16, optimizer: { type: 'adam', lr: 0.05 }, seed: 3 },
      student: qnn(2, 2),
      compress: { type: 'qae', latentQubits: 2, layers: 3, steps: 80 },
      kd: { temperature: 2, kdWeight: 0.5, ceWeight: 0.5 },
      train: { epochs: 5, batchSize: 16, optimizer: { type: 'adam', lr: 0.05 }, seeds: [0, 1] },
    });
    const result = await runKDExperiment(config, nodeExperimentEnvironment());
    expect(result.teacher!.testAccuracy).toBeGreaterThan(0.75);
    expect(result.arms.kd!.runs).toHaveLength(2);
    expect(result.arms.baseline!.runs).toHaveLength(2);
    expect(result.arms.kd!.test.mean).toBeGreaterThan(0.6);
    expect(result.compression!.testTrashFidelity).toBeGreaterThan(0.5);
    expect(result.sizes).toEqual({ labelled: 48, transfer: 0, validation: 12, test: 32 });
    expect(result.pairedInit).toBe(true);
    expect(result.comparisons.map((c) => [c.a, c.b])).toEqual([['kd', 'baseline']]);
  });

  it('runs every arm on real MNIST with a transfer set: disjoint splits, paired starts, validation selection, one verdict per pair', async () => {
    const config = validateKDConfig({
      name: 'tiny-transfer',
      dataset: { name: 'mnist', classes: [0, 1, 2], labelledPerClass: 5, transfer: { perClass: 40 }, validation: { perClass: 30 }, testPerClass: 60 },
      teacher: { type: 'onnx', path: join(teachersDir, 'lenet-mnist-c6.onnx') },
      student: {
        arch: 'qnn-classifier', numClasses: 3, numQubits: 4, encoder: { type: 'AmplitudeEmbedding', numFeatures: 16 },
        ansatz: { type: 'StronglyEntanglingLayers', layers: 4 }, measurements: [{ type: 'expvalZ', wires: [0, 1, 2] }], head: false, outputScale: 10,
      },
      transform: [{ type: 'resize', height: 4, width: 4, method: 'area' }, { type: 'flatten' }],
      kd: { temperature: 1, alpha: 0.9 },
      train: { epochs: 4, batchSize: 16, optimizer: { type: 'adam', lr: 0.03 }, seeds: [0, 1, 2] },
      arms: ['kd', 'kd-labelled', 'baseline', 'pseudo-labels'],
    });
    // The 6-class ONNX teacher does not fit 3 classes: a 3-class teacher is trained instead.
    await expect(runKDExperiment(config, nodeExperimentEnvironment())).rejects.toMatchObject({ code: 'E_TEACHER' });
    const result = await runKDExperiment({ ...config, teacher: { type: 'train', arch: 'lenet5', epochs: 2, cache: false } }, nodeExperimentEnvironment());
    expect(result.sizes).toEqual({ labelled: 15, transfer: 120, validation: 90, test: 180 });
    expect(result.pairedInit).toBe(true);
    for (const arm of ['kd', 'kd-labelled', 'baseline', 'pseudo-labels'] as const) {
      const runs = result.arms[arm]!.runs;
      expect(runs.map((r) => r.seed)).toEqual([0, 1, 2]);
      runs.forEach((r, i) => expect(r.initialParamsHash).toBe(result.arms.kd!.runs[i]!.initialParamsHash));
      for (const r of runs) expect(r.validationAccuracy).toBe(Math.max(...r.history.map((h) => h.validationAccuracy).filter((v) => !Number.isNaN(v))));
    }
    // Same optimiser steps: 135 samples / 16 = 9 steps × 4 epochs = 36 = 1 step × 36 epochs on the 15 labelled ones.
    expect(result.arms.baseline!.epochs).toBe(36);
    // …and checks validation as often: every 9th of its 36 epochs (4 times, like the KD arm).
    expect(result.arms.baseline!.runs[0]!.history.filter((h) => !Number.isNaN(h.validationAccuracy)).map((h) => h.epoch)).toEqual([9, 18, 27, 36]);
    expect(result.comparisons.map((c) => `${c.a}/${c.b}`)).toEqual(['kd/baseline', 'kd/pseudo-labels', 'kd-labelled/baseline', 'pseudo-labels/baseline', 'kd/kd-labelled']);
    for (const c of result.comparisons) expect(c.comparison.n).toBe(3);
    expect(result.selection).toBe('validation');
  });

  it('refuses a teacher whose classes do not match the data', async () => {
    const config = validateKDConfig({
      dataset: { name: 'mnist', classes: [0, 1, 2, 3, 4, 5, 6, 7], labelledPerClass: 5 },
      teacher: { type: 'onnx', path: join(teachersDir, 'lenet-mnist-c6.onnx') },
      student: { arch: 'qnn-classifier', numClasses: 8, numQubits: 3, encoder: { type: 'AngleEmbedding' }, ansatz: { type: 'BasicEntanglerLayers', layers: 1 }, measurements: [{ type: 'probs' }], head: false },
      transform: [{ type: 'flatten' }, { type: 'pca', components: 3 }],
      train: { epochs: 1, batchSize: 8 },
    });
    await expect(runKDExperiment(config, nodeExperimentEnvironment())).rejects.toMatchObject({
      code: 'E_TEACHER',
      message: expect.stringContaining('6 output classes but the data has 8'),
    });
  });
});

