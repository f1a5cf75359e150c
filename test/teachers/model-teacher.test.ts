// ModelTeacher: a qdistill model as a teacher — an nn Module (eval mode,
// no autodiff, mode restored) or any forward function, e.g. a QNN layer
// (QNN→QNN distillation, self-distillation).
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, init, noGrad, Tensor } from '../../sdk/nn/index.js';
import { QNNLayer } from '../../sdk/qnn/qnn-layer.js';
import { ModelTeacher } from '../../sdk/teachers/index.js';
import { expectRejects, expectThrows, maxAbsDiff } from './helpers.js';

beforeAll(async () => {
  await init();
});

const x = Float32Array.from({ length: 9 * 784 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);

describe('ModelTeacher.fromModule', () => {
  it('runs the module in eval mode without autodiff (dropout off), in chunks, and restores training mode', async () => {
    const model = createModel({ arch: 'alexnet-mini', numClasses: 5, fcWidths: 8, imageSize: 28, seed: 3 });
    model.train();
    const teacher = ModelTeacher.fromModule(model, { dataShape: [1, 28, 28], chunkSize: 4 });
    expect(teacher.numClasses).toBe(5); // measured by one forward pass
    expect(teacher.name).toBe('alexnet-mini');
    const logits = await teacher.predict(x, 9);
    expect(model.training).toBe(true);
    model.eval();
    const expected = noGrad(() => model.forward(new Tensor(x.slice(), [9, 1, 28, 28]))).data;
    expect(maxAbsDiff(logits, expected)).toBeLessThan(1e-6);
    // Dropout is off: the same input gives the same logits every time.
    model.train();
    expect(await teacher.predict(x, 9)).toEqual(logits);
  });

  it('takes flat data of the same size, refuses other shapes (E_TEACHER) and wrong class counts', async () => {
    const model = createModel({ arch: 'lenet-000', numClasses: 10, seed: 1 });
    const teacher = ModelTeacher.fromModule(model, { dataShape: [1, 28, 28], numClasses: 10, name: 'student-as-teacher' });
    expect(await teacher.logitsFor({ x, shape: [784], numClasses: 10 })).toEqual(await teacher.predict(x, 9));
    await expectRejects(() => teacher.logitsFor({ x: new Float32Array(2 * 1024), shape: [1, 32, 32] }), 'E_TEACHER', "teacher student-as-teacher: input 'x' expects [batch,1,28,28] but the data has shape [1,32,32]");
    await expectRejects(() => teacher.logitsFor({ x, shape: [784], numClasses: 6 }), 'E_TEACHER', 'has 10 output classes but the data has 6');
  });
});

describe('ModelTeacher from a forward function', () => {
  it('a QNN layer teaches with its expectation values as logits', async () => {
    const layer = await QNNLayer.create({
      numQubits: 4,
      encoder: { type: 'AngleEmbedding', rotation: 'Y' },
      ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
      measurements: [{ type: 'expvalZ' }],
      seed: 1,
    });
    const features = Float32Array.from({ length: 6 * 4 }, (_, i) => Math.cos(i));
    const teacher = new ModelTeacher((input, batch) => layer.forward(input, batch), { numClasses: 4, dataShape: [4], name: 'qnn', chunkSize: 4 });
    const logits = await teacher.predict(features, 6);
    expect(maxAbsDiff(logits, layer.forward(features, 6))).toBeLessThan(1e-6);
    expect(logits.every((v) => v >= -1 && v <= 1)).toBe(true);
  });

  it('async forwards work; wrong output lengths → E_TEACHER, NaN logits → E_NAN', async () => {
    const asyncTeacher = new ModelTeacher(async (input, batch) => Array.from({ length: batch * 2 }, (_, i) => input[Math.floor(i / 2) * 3]! + (i % 2)), { numClasses: 2, dataShape: [3] });
    expect(Array.from(await asyncTeacher.predict(Float32Array.of(1, 0, 0, 5, 0, 0), 2))).toEqual([1, 2, 5, 6]);
    const short = new ModelTeacher((_input, batch) => new Float32Array(batch), { numClasses: 2, dataShape: [3], name: 'short' });
    await expectRejects(() => short.predict(new Float32Array(6), 2), 'E_TEACHER', 'teacher short: the forward returned 2 values for 2 samples; expected 2 × 2 logits');
    const nan = new ModelTeacher((_input, batch) => new Float32Array(batch * 2).fill(Number.NaN), { numClasses: 2, dataShape: [3], name: 'nan' });
    await expectRejects(() => nan.predict(new Float32Array(6), 2), 'E_NAN', 'teacher nan: logit 0 of sample 0 is NaN');
    expectThrows(() => new ModelTeacher((() => []) as never, { numClasses: 0, dataShape: [3] }), 'E_INVALID_ARGUMENT', 'numClasses must be a positive integer');
    expectThrows(() => new ModelTeacher((() => []) as never, { numClasses: 2, dataShape: [] }), 'E_SHAPE', 'non-empty list of positive integers');
  });
});
