// Dataset distillation refuses bad input with typed, coded errors that say
// what was wrong and where: distilled files (not JSON, wrong format, newer
// version, missing or inconsistent fields), distillation options, data that
// does not fit, and experiment configs.
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset, type Dataset } from '../../sdk/data/dataset.js';
import { distillDataset, evaluateDistilled, type DistilledDataset } from '../../sdk/distill/dataset.js';
import { parseDistilled, serializeDistilled } from '../../sdk/distill/dataset-file.js';
import { pairedDifference, summarize, validateDDConfig } from '../../sdk/distill/dataset-experiment.js';
import { init } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { expectQDistillError, expectQDistillErrorValue, rejectionOf } from '../helpers/errors.js';

beforeAll(async () => {
  await init();
});

/** A tiny 2-class image set (8×8 would be too small for LeNet; 28×28 random). */
function tinyData(n: number, seed: number, classes = 2): Dataset {
  const rng = new Random(seed);
  return createDataset({
    x: Float32Array.from({ length: n * 784 }, () => rng.uniform()),
    y: Array.from({ length: n }, (_, i) => i % classes),
    shape: [1, 28, 28],
    numClasses: classes,
  });
}

let distilled: DistilledDataset;
beforeAll(async () => {
  ({ distilled } = await distillDataset({ model: { arch: 'lenet-000', numClasses: 2 }, realData: tinyData(16, 1), batchSize: 8, maxIterations: 1, evalEvery: 0 }));
});

const text = (): Record<string, unknown> => JSON.parse(serializeDistilled(distilled)) as Record<string, unknown>;
const problem = (e: unknown): unknown => (e as { details?: { problem?: string } }).details?.problem;

describe('distilled-dataset files', () => {
  it('rejects text that is not JSON, naming the source', () => {
    const e = expectQDistillError(() => parseDistilled('{ nope', 'x.qdd.json'), 'E_FILE_FORMAT', 'x.qdd.json', 'invalid JSON');
    expect(problem(e)).toBe('not-json');
  });

  it('rejects another format and a newer version, saying what is expected', () => {
    expect(problem(expectQDistillError(() => parseDistilled(JSON.stringify({ ...text(), format: 'checkpoint' })), 'E_FILE_FORMAT', '"format" is "checkpoint"', 'qdistill-distilled-dataset'))).toBe('wrong-format');
    expect(problem(expectQDistillError(() => parseDistilled(JSON.stringify({ ...text(), version: 99 })), 'E_FILE_FORMAT', 'version 99 is not supported', 'newer qdistill'))).toBe('version');
  });

  it('names a missing or malformed field', () => {
    const { learningRates: _, ...rest } = text();
    expectQDistillError(() => parseDistilled(JSON.stringify(rest)), 'E_FILE_FORMAT', '"learningRates" must be a list of positive numbers');
    expectQDistillError(() => parseDistilled(JSON.stringify({ ...text(), learningRates: [0.1, -1, 0.1] })), 'E_FILE_FORMAT', '"learningRates"');
    expectQDistillError(() => parseDistilled(JSON.stringify({ ...text(), init: 'sometimes' })), 'E_FILE_FORMAT', '"init" must be "fixed" or "random"');
    expectQDistillError(() => parseDistilled(JSON.stringify({ ...text(), images: { dtype: 'int8', length: 1, base64: '' } })), 'E_FILE_FORMAT', '"images" must be { dtype');
  });

  it('rejects inconsistent counts: rates vs steps × epochs, labels vs images, bytes vs the declared length', () => {
    const e1 = expectQDistillError(() => parseDistilled(JSON.stringify({ ...text(), learningRates: [0.1] })), 'E_FILE_FORMAT', '"learningRates" has 1 entries; steps × epochs = 3');
    expect(problem(e1)).toBe('mismatch');
    expectQDistillError(() => parseDistilled(JSON.stringify({ ...text(), labels: [0, 1, 0, 1] })), 'E_FILE_FORMAT', '"labels" has 4 entries');
    const images = text().images as { dtype: string; length: number; base64: string };
    expectQDistillError(() => parseDistilled(JSON.stringify({ ...text(), images: { ...images, length: images.length + 1 } })), 'E_FILE_FORMAT', 'declares 1569 float32 values');
  });

  it('stores θ₀ as float32 when that is lossless and round-trips it exactly', () => {
    const parsed = text();
    expect((parsed.theta0 as { dtype: string }).dtype).toBe('float32');
    expect(Array.from(parseDistilled(serializeDistilled(distilled)).distilled.theta0)).toEqual(Array.from(distilled.theta0));
  });

  it('a file whose θ₀ does not fit its model is refused when replayed', async () => {
    const broken = { ...distilled, theta0: distilled.theta0.slice(1) };
    expectQDistillErrorValue(await rejectionOf(() => evaluateDistilled(broken, tinyData(4, 2))), 'E_SHAPE', 'evaluateDistilled: θ₀ has 61025 values but model lenet-000 has 61026 parameters');
  });
});

describe('distillDataset options and data', () => {
  const data = tinyData(8, 3);
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['imagesPerClass 0', { imagesPerClass: 0 }, 'imagesPerClass must be an integer ≥ 1, got 0'],
    ['steps 1.5', { steps: 1.5 }, 'steps must be an integer ≥ 1, got 1.5'],
    ['init "sometimes"', { init: 'sometimes' }, 'init must be one of "fixed", "random", got "sometimes"'],
    ['initialLr −1', { initialLr: -1 }, 'initialLr must be a finite number > 0, got -1'],
    ['innerPrecision float16', { innerPrecision: 'float16' }, 'innerPrecision must be one of "float32", "float64"'],
    ['best-validation without validation data', { select: 'best-validation' }, "select 'best-validation' needs validation data"],
    ['random init with the model weights', { init: 'random', weightInit: 'model' }, "init 'random' draws a fresh θ₀"],
    ['freezing circuit weights of a classical net', { freezeCircuitWeights: true }, 'freezeCircuitWeights: model lenet-000 has no quantum circuit weights'],
  ];
  for (const [label, extra, message] of cases) {
    it(`rejects ${label}`, async () => {
      const e = await rejectionOf(() => distillDataset({ model: { arch: 'lenet-000', numClasses: 2 }, realData: data, maxIterations: 1, ...extra }));
      expectQDistillErrorValue(e, 'E_INVALID_ARGUMENT', `distillDataset: ${message}`);
    });
  }

  it('rejects an unknown model and a class-count mismatch', async () => {
    expectQDistillErrorValue(await rejectionOf(() => distillDataset({ model: { arch: 'resnet', numClasses: 2 } as never, realData: data })), 'E_CONFIG', 'model.arch "resnet" is unknown');
    expectQDistillErrorValue(await rejectionOf(() => distillDataset({ model: { arch: 'lenet-000', numClasses: 10 }, realData: data })), 'E_INVALID_ARGUMENT', 'model.numClasses is 10 but realData has 2 classes');
  });

  it('rejects flat data and images with no default normalisation', async () => {
    const flat = createDataset({ x: new Float32Array(8), y: [0, 1], shape: [4], numClasses: 2 });
    expectQDistillErrorValue(await rejectionOf(() => distillDataset({ model: { arch: 'lenet-000', numClasses: 2 }, realData: flat })), 'E_SHAPE', 'expected images of shape [channels, height, width], got [4]');
    const twoChannel = createDataset({ x: new Float32Array(2 * 2 * 784), y: [0, 1], shape: [2, 28, 28], numClasses: 2 });
    expectQDistillErrorValue(await rejectionOf(() => distillDataset({ model: { arch: 'lenet-000', numClasses: 2, inChannels: 2 }, realData: twoChannel })), 'E_INVALID_ARGUMENT', 'no default normalization for 2-channel images');
  });

  it('evaluation refuses data with other classes or image shape', async () => {
    expectQDistillErrorValue(await rejectionOf(() => evaluateDistilled(distilled, tinyData(6, 4, 3))), 'E_DATA', 'the data has 3 classes of shape [1,28,28], the distilled set 2 of shape [1,28,28]');
  });

  it('stops with E_ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    expectQDistillErrorValue(
      await rejectionOf(() => distillDataset({ model: { arch: 'lenet-000', numClasses: 2 }, realData: data, signal: controller.signal })),
      'E_ABORTED', 'aborted at iteration 0',
    );
  });
});

describe('dd experiment configs', () => {
  const good = { dataset: { name: 'mnist', classes: [0, 1] }, model: { arch: 'lenet-000', numClasses: 2 } };
  it('accepts a minimal config and names unknown keys, bad datasets and mismatched classes', () => {
    expect(validateDDConfig(good).model.arch).toBe('lenet-000');
    expectQDistillError(() => validateDDConfig({ ...good, epochs: 3 }), 'E_CONFIG', /^dd config: unknown field "epochs" \(allowed: \$schema, name, notes, dataset, validation, model, distill, seeds, baselines, baselineDraws, paper\)$/);
    expectQDistillError(() => validateDDConfig({ ...good, distill: { outerEpoch: 3 } }), 'E_CONFIG', /^dd config distill: unknown field "outerEpoch" \(allowed: imagesPerClass, steps, epochs, .*outerEpochs/);
    expectQDistillError(() => validateDDConfig({ ...good, dataset: { name: 'svhn' } }), 'E_CONFIG', /^dd config dataset\.name: expected name to be one of "mnist", "fashion-mnist", "cifar10", got "svhn"$/);
    expectQDistillError(() => validateDDConfig({ ...good, dataset: { name: 'cifar10', trainFiles: [], testFiles: ['t.bin'] } }), 'E_CONFIG', /^dd config dataset\.trainFiles: expected at least 1 item, got \[\]$/);
    expectQDistillError(() => validateDDConfig({ ...good, model: { arch: 'lenet-000', numClasses: 10 } }), 'E_CONFIG', /^dd config model\.numClasses: expected 2 \(the number of classes of the dataset\), got 10$/);
    expectQDistillError(() => validateDDConfig({ ...good, seeds: [] }), 'E_CONFIG', /^dd config seeds: expected at least 1 item, got \[\]$/);
    expectQDistillError(() => validateDDConfig({ ...good, seeds: [1, 1] }), 'E_CONFIG', /^dd config seeds: seeds must be distinct, got \[1,1\]$/);
  });

  it('is strict at every level: a nested unknown field, a misspelled enum value (listing the valid ones), a model of the wrong kind', () => {
    expectQDistillError(() => validateDDConfig({ ...good, model: { ...good.model, layerz: 3 } }), 'E_CONFIG', /^dd config model: unknown field "layerz" \(allowed: arch, numClasses, seed, dtype, inChannels, imageSize\)$/);
    expectQDistillError(() => validateDDConfig({ ...good, distill: { init: 'fixd' } }), 'E_CONFIG', /^dd config distill\.init: expected one of "fixed", "random", got "fixd"$/);
    expectQDistillError(() => validateDDConfig({ ...good, model: { arch: 'resnet', numClasses: 2 } }), 'E_CONFIG', /^dd config model\.arch: expected arch to be one of "lenet-003", "lenet-000", "lenet5", "alexnet-mini", "mlp", "quantum-lenet-000", "student-003", "qnn-classifier"/);
    const hybrid = { ...good, model: { arch: 'quantum-lenet-000', numClasses: 2, readout: 'pauli' } };
    expectQDistillError(() => validateDDConfig(hybrid), 'E_CONFIG', /^dd config model\.readout: expected one of "hermitian", "pauliZ", got "pauli"$/);
    expectQDistillError(() => validateDDConfig({ ...good, distill: { normalization: { mean: [0.1], std: [0] } } }), 'E_CONFIG', /^dd config distill\.normalization\.std\[0\]: expected a number > 0, got 0$/);
  });

  it('bounds sizes before anything is allocated: layers, images, steps, epochs, batch, validation', () => {
    const q = { arch: 'quantum-lenet-000', numClasses: 2 };
    expectQDistillError(() => validateDDConfig({ ...good, model: { ...q, layers: 1_000_000 } }), 'E_CONFIG', /^dd config model\.layers: expected a number ≤ 1000, got 1000000$/);
    expectQDistillError(() => validateDDConfig({ ...good, distill: { imagesPerClass: 5000 } }), 'E_CONFIG', /^dd config distill\.imagesPerClass: expected a number ≤ 1024, got 5000$/);
    expectQDistillError(() => validateDDConfig({ ...good, distill: { steps: 1000, imagesPerClass: 1000 } }), 'E_CONFIG', /^dd config distill: steps × classes × imagesPerClass is 2000000 distilled images; at most 100000$/);
    expectQDistillError(() => validateDDConfig({ ...good, distill: { steps: 100, epochs: 1000 } }), 'E_CONFIG', /^dd config distill: steps × epochs is 100000 unrolled inner steps; at most 10000$/);
    expectQDistillError(() => validateDDConfig({ ...good, distill: { outerEpochs: 1e9 } }), 'E_CONFIG', /^dd config distill\.outerEpochs: expected a number ≤ 100000, got 1000000000$/);
    expectQDistillError(() => validateDDConfig({ ...good, distill: { batchSize: 1 << 20 } }), 'E_CONFIG', /^dd config distill\.batchSize: expected a number ≤ 65536, got 1048576$/);
    expectQDistillError(() => validateDDConfig({ ...good, validation: -1 }), 'E_CONFIG', /^dd config validation: expected a number ≥ 0, got -1$/);
  });

  it('summarises seeds (sample std) and pairs differences with a t interval', () => {
    const s = summarize([0.8, 0.82, 0.84]);
    expect(s.mean).toBeCloseTo(0.82, 12);
    expect(s.std).toBeCloseTo(0.02, 12);
    const d = pairedDifference([0.8, 0.85, 0.82], [0.6, 0.66, 0.61]);
    expect(d.mean).toBeCloseTo(0.2, 12);
    // differences 0.20, 0.19, 0.21: std 0.01, half-width t(2)·0.01/√3
    expect(d.ci95[1] - d.mean).toBeCloseTo((4.303 * 0.01) / Math.sqrt(3), 6);
  });
});
