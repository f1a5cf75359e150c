// trainTeacher: a LeNet-5 teacher trained on a CI-sized subset of the
// canonical MNIST 0–5 split reaches an accuracy bar on the whole canonical
// test split; saved as ONNX + manifest (Node) it loads back through
// onnxruntime-web with the same logits and accuracy.
// Setup: 100 training images per digit, 3 epochs, batch 16, Adam lr 3e-3,
// seed 0. Measured: 92.8% test accuracy in ≈0.6 s.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../sdk/data/dataset.js';
import { loadMnist } from '../../sdk/data/node/mnist.js';
import { firstPerClass } from '../../sdk/data/select.js';
import { accuracy, init, noGrad, Tensor } from '../../sdk/nn/index.js';
import { ModelTeacher, trainTeacher, type TrainedTeacher, type TrainProgress } from '../../sdk/teachers/index.js';
import { loadSavedTeacher, saveTeacher } from '../../sdk/teachers/node/index.js';
import { expectRejects, maxAbsDiff } from './helpers.js';

let train: Dataset;
let test: Dataset;
let trained: TrainedTeacher;
const progress: TrainProgress[] = [];
let tmp: string;

beforeAll(async () => {
  await init();
  tmp = await mkdtemp(join(tmpdir(), 'qdistill-train-'));
  const splits = await loadMnist({ classes: [0, 1, 2, 3, 4, 5] });
  train = firstPerClass(splits.train, 100);
  test = splits.test;
  trained = await trainTeacher({
    arch: { arch: 'lenet5' },
    data: { train, test },
    epochs: 3,
    batchSize: 16,
    lr: 3e-3,
    seed: 0,
    onProgress: (p) => progress.push(p),
  });
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('trainTeacher', () => {
  it('LeNet-5 on 600 MNIST 0–5 images reaches ≥ 88% on the whole canonical test split (1,202 images)', () => {
    expect(test.y.length).toBe(1202);
    expect(trained.testAccuracy).toBeGreaterThanOrEqual(0.88);
    expect(trained.config).toMatchObject({ arch: 'lenet5', numClasses: 6, inChannels: 1, imageSize: 28, seed: 0 });
    expect(trained.inputShape).toEqual([1, 28, 28]);
    expect(trained.model.training).toBe(false);
    // The reported accuracy is the model's.
    const logits = noGrad(() => trained.model.forward(new Tensor(test.x, [test.y.length, 1, 28, 28])));
    expect(accuracy(logits, test.y)).toBeCloseTo(trained.testAccuracy!, 10);
  });

  it('reports progress after every batch and every epoch, and the loss falls', () => {
    const epochs = progress.filter((p) => p.phase === 'epoch');
    expect(epochs.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(progress.filter((p) => p.phase === 'batch').length).toBe(3 * Math.ceil(600 / 16));
    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(epochs[2]!.testAccuracy).toBe(trained.testAccuracy);
    expect(trained.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
  });

  it('is reproducible: the same seed gives the same weights', async () => {
    const small = firstPerClass(train, 10);
    const a = await trainTeacher({ arch: { arch: 'mlp', hiddenSizes: [8] }, data: { train: small }, epochs: 2, batchSize: 8, seed: 5 });
    const b = await trainTeacher({ arch: { arch: 'mlp', hiddenSizes: [8] }, data: { train: small }, epochs: 2, batchSize: 8, seed: 5 });
    const c = await trainTeacher({ arch: { arch: 'mlp', hiddenSizes: [8] }, data: { train: small }, epochs: 2, batchSize: 8, seed: 6 });
    expect(a.model.getFlatParams()).toEqual(b.model.getFlatParams());
    expect(a.model.getFlatParams()).not.toEqual(c.model.getFlatParams());
    expect(a.testAccuracy).toBeNull();
    expect(a.config).toMatchObject({ inputSize: 784, numClasses: 6 });
  });

  it('bad settings → E_CONFIG / E_SHAPE; an abort signal → E_ABORTED', async () => {
    const small = firstPerClass(train, 2);
    await expectRejects(() => trainTeacher({ arch: { arch: 'lenet5', numClasses: 10 }, data: { train: small } }), 'E_CONFIG', 'numClasses 10 but the data has 6 classes');
    await expectRejects(() => trainTeacher({ arch: { arch: 'mlp', hiddenSizes: [4], inputSize: 100 }, data: { train: small } }), 'E_SHAPE', 'takes samples of [100] (100 values) but the data');
    await expectRejects(() => trainTeacher({ arch: { arch: 'lenet5' }, data: { train: small }, lr: -1 }), 'E_CONFIG', 'lr must be a positive number');
    await expectRejects(() => trainTeacher({ arch: { arch: 'resnet' } as never, data: { train: small } }), 'E_CONFIG', 'model config arch: expected arch to be one of "lenet-003", "lenet-000", "lenet5", "alexnet-mini", "mlp", got "resnet"');
    const controller = new AbortController();
    controller.abort();
    await expectRejects(() => trainTeacher({ arch: { arch: 'mlp', hiddenSizes: [4] }, data: { train: small }, signal: controller.signal }), 'E_ABORTED', 'aborted during epoch 1');
  });
});

describe('saveTeacher / loadSavedTeacher (Node)', () => {
  it('writes <name>.onnx and <name>.json; the file loads back through onnxruntime-web with the same logits and accuracy', async () => {
    const { onnxPath, manifestPath, manifest } = await saveTeacher(trained, join(tmp, 'teachers', 'lenet5-mnist-c6.onnx'), {
      dataset: 'mnist',
      classes: train.classIds!,
      classNames: train.classNames!,
      training: { epochs: 3, batchSize: 16, lr: 3e-3, seed: 0 },
    });
    expect(manifestPath).toBe(join(tmp, 'teachers', 'lenet5-mnist-c6.json'));
    expect(JSON.parse(await readFile(manifestPath, 'utf8'))).toEqual(manifest);
    expect(manifest).toMatchObject({
      name: 'lenet5-mnist-c6',
      file: 'lenet5-mnist-c6.onnx',
      architecture: 'lenet5',
      num_classes: 6,
      classes: [0, 1, 2, 3, 4, 5],
      input: { name: 'input', shape: ['batch', 1, 28, 28], dtype: 'float32', layout: 'NCHW' },
      output: { name: 'logits', shape: ['batch', 6] },
      opset: 13,
      test_accuracy: trained.testAccuracy,
      parameters: trained.model.numParameters(),
    });
    expect((await readFile(onnxPath)).length).toBe(manifest.bytes);

    const { teacher } = await loadSavedTeacher(onnxPath);
    const onnxLogits = await teacher.logitsFor(test);
    const own = await ModelTeacher.fromModule(trained.model, { dataShape: [1, 28, 28] }).logitsFor(test);
    let scale = 1;
    for (const v of own) scale = Math.max(scale, Math.abs(v));
    expect(maxAbsDiff(onnxLogits, own) / scale).toBeLessThan(1e-5);
    expect(accuracy(onnxLogits, test.y, 6)).toBeCloseTo(trained.testAccuracy!, 10);
    await teacher.dispose();
  });

  it('a model file that no longer matches its manifest → E_ONNX; a missing manifest → E_DATA', async () => {
    const { onnxPath } = await saveTeacher({ model: trained.model, inputShape: [1, 28, 28] }, join(tmp, 'edited.onnx'));
    const bytes = await readFile(onnxPath);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(onnxPath, bytes);
    await expectRejects(() => loadSavedTeacher(onnxPath), 'E_ONNX', 'does not match its manifest');
    await expectRejects(() => loadSavedTeacher(join(tmp, 'nothing.onnx')), 'E_DATA', 'cannot read the manifest');
    await expectRejects(() => saveTeacher(trained, join(tmp, 'no-extension')), 'E_INVALID_ARGUMENT', 'must end in .onnx');
  });
});
