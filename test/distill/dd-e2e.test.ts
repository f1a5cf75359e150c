// Dataset distillation end to end on real MNIST at CI size: 2 classes (3 vs 5,
// a pair that random images do not solve), 100 outer iterations of 256; the distilled images, replayed with their learned rates,
// beat random real images of the same count and replay. The replayable file
// round-trips (same accuracy), the image grid is a PNG of the right size, and
// the quantum LeNet's circuit weights move in the replayed steps.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { loadMnist } from '../../sdk/data/node/mnist.js';
import { trainValidationSplit } from '../../sdk/data/select.js';
import type { Dataset } from '../../sdk/data/dataset.js';
import { distillationBaselines, distillDataset, evaluateDistilled, type DistillDatasetResult } from '../../sdk/distill/dataset.js';
import { parseDistilled, serializeDistilled } from '../../sdk/distill/dataset-file.js';
import { loadDistilledFile, saveDistilledFile, writeDistilledPng } from '../../sdk/distill/node/distilled-files.js';
import { init } from '../../sdk/nn/index.js';

let kernel: Kernel;
let train: Dataset;
let validation: Dataset;
let test: Dataset;
let lenet: DistillDatasetResult;

beforeAll(async () => {
  await init();
  kernel = await createKernel();
  const splits = await loadMnist({ classes: [3, 5] });
  ({ train, validation } = trainValidationSplit(splits.train, { validation: 200, seed: 1 }));
  test = splits.test;
  lenet = await distillDataset({
    model: { arch: 'lenet-000', numClasses: 2 }, realData: train, validation, imagesPerClass: 1, steps: 1, epochs: 3,
    batchSize: 256, maxIterations: 100, evalEvery: 0, seed: 0, kernel,
  });
});

describe('dataset distillation, CI size (MNIST 3 vs 5, paper 000 LeNet, 100 outer iterations of 256 images)', () => {
  it('the distilled images beat random real images of the same count and replay', async () => {
    expect(lenet.iterations).toBe(100);
    expect(lenet.distilled.images).toHaveLength(2 * 784);
    expect(lenet.distilled.learningRates).toHaveLength(3);
    const ours = await evaluateDistilled(lenet.distilled, test, { kernel });
    const baselines = await distillationBaselines(lenet.distilled, train, test, { draws: 5, kernel });
    // measured: 92.4% vs 75.6% (random real, mean of 5 draws; best draw 85.5%), class means 79.2%
    expect(ours.accuracy).toBeGreaterThan(0.85);
    expect(ours.accuracy).toBeGreaterThan(baselines.randomReal + 0.05);
    expect(ours.accuracy).toBeGreaterThan(Math.max(...baselines.randomRealDraws));
    expect(ours.accuracy).toBeGreaterThan(baselines.classMean);
    expect(ours.initialAccuracy).toBeLessThan(ours.accuracy);
    expect(ours.circuitWeights).toBeNull(); // a classical LeNet has no circuit
    for (const v of [baselines.classMean, baselines.kmeans, ...baselines.randomRealDraws]) expect(v).toBeGreaterThanOrEqual(0);
    // 1 image per class: k-means with one centroid is the class mean
    expect(baselines.kmeans).toBeCloseTo(baselines.classMean, 10);
  });

  it('learned rates stay positive (softplus) and the outer Adam moved them from 0.02', () => {
    for (const eta of lenet.distilled.learningRates) {
      expect(eta).toBeGreaterThan(0);
      expect(eta).not.toBeCloseTo(0.02, 6);
    }
  });

  it('the replayable file round-trips: parsing it gives the same images, rates and θ₀, and the same test accuracy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdistill-dd-'));
    const file = join(dir, 'ci.qdd.json');
    await saveDistilledFile(file, lenet.distilled, { testAccuracy: 0.5 });
    const { distilled, metrics } = await loadDistilledFile(file);
    expect(metrics.testAccuracy).toBe(0.5);
    expect(Array.from(distilled.images)).toEqual(Array.from(lenet.distilled.images));
    expect(distilled.learningRates).toEqual(lenet.distilled.learningRates);
    expect(Array.from(distilled.theta0)).toEqual(Array.from(lenet.distilled.theta0));
    expect(distilled.model).toEqual(lenet.distilled.model);
    const a = await evaluateDistilled(lenet.distilled, test, { kernel });
    const b = await evaluateDistilled(distilled, test, { kernel });
    expect(b.accuracy).toBe(a.accuracy);
    expect(parseDistilled(serializeDistilled(distilled)).distilled.labels).toEqual(lenet.distilled.labels);
  });

  it('writes the images as a PNG grid (one column per class) that decodes to the expected size', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'qdistill-dd-')), 'grid.png');
    await writeDistilledPng(file, lenet.distilled, { scale: 2, padding: 1 });
    const png = pngjs.PNG.sync.read(readFileSync(file));
    expect(png.width).toBe(2 * 56 + 3);
    expect(png.height).toBe(56 + 2);
  });
});

describe("Wang et al.'s random initialisation per outer iteration", () => {
  it('draws a fresh θ₀ every iteration and evaluates on fresh networks never seen in training', async () => {
    const { distilled } = await distillDataset({
      model: { arch: 'lenet-000', numClasses: 2 }, realData: train, init: 'random', batchSize: 64, maxIterations: 3, evalEvery: 0, seed: 2, kernel,
    });
    expect(distilled.init).toBe('random');
    const evaluation = await evaluateDistilled(distilled, test, { kernel, networks: 3 });
    expect(evaluation.accuracies).toHaveLength(3);
    expect(new Set(evaluation.accuracies).size).toBeGreaterThan(1); // three different networks
    expect(evaluation.accuracy).toBeCloseTo(evaluation.accuracies.reduce((a, b) => a + b, 0) / 3, 12);
  });
});

describe('dataset distillation through the R-H quantum LeNet', () => {
  it('runs the unrolled steps through the quantum layer; the circuit weights move in the replay (and stay put when frozen)', async () => {
    const run = (freezeCircuitWeights: boolean) => distillDataset({
      model: { arch: 'quantum-lenet-000', numClasses: 2 }, realData: train, imagesPerClass: 1, epochs: 3, batchSize: 64, maxIterations: 2,
      evalEvery: 0, seed: 1, kernel, freezeCircuitWeights,
    });
    const trained = await run(false);
    const evaluation = await evaluateDistilled(trained.distilled, test, { kernel });
    expect(evaluation.circuitWeights).not.toBeNull();
    expect(evaluation.circuitWeights!.count).toBe(54);
    expect(evaluation.circuitWeights!.moved).toBe(true);
    expect(evaluation.circuitWeights!.maxAbsChange).toBeGreaterThan(1e-6);
    const frozen = await run(true);
    const frozenEvaluation = await evaluateDistilled(frozen.distilled, test, { kernel });
    expect(frozenEvaluation.circuitWeights!.moved).toBe(false);
    expect(frozenEvaluation.circuitWeights!.otherRelativeChange).toBeGreaterThan(0);
  });
});
