// The KD trainer: progress, history, best/last, cancellation, teacher checks,
// and that a teacher's knowledge actually transfers (a student trained on the
// teacher alone, with uninformative labels, learns the teacher's function).
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset, type Dataset } from '../../sdk/data/index.js';
import { distillKnowledge, evaluate } from '../../sdk/distill/knowledge.js';
import { validateKDConfig } from '../../sdk/distill/config.js';
import { init, Linear, Sequential, ReLU } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { isQDistillError } from '../../sdk/errors.js';
import { KD_PRESETS } from '../../sdk/cli/presets.js';

/** A linear "teacher" on 8 features and 3 classes, and data labelled by it (or by noise). */
function problem(n: number, seed: number, noisyLabels: boolean): { data: Dataset; teacherLogits: Float32Array; truth: Int32Array } {
  const rng = new Random(seed);
  const w = Array.from({ length: 24 }, () => rng.normal());
  const x = new Float32Array(n * 8).map(() => rng.normal());
  const logits = new Float32Array(n * 3);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 0; c < 3; c++) {
      let z = 0;
      for (let j = 0; j < 8; j++) z += w[c * 8 + j]! * x[i * 8 + j]!;
      logits[i * 3 + c] = 2 * z;
      if (logits[i * 3 + c]! > logits[i * 3 + best]!) best = c;
    }
    truth[i] = best;
  }
  const y = noisyLabels ? Int32Array.from({ length: n }, () => rng.int(3)) : truth;
  return { data: createDataset({ x, y, shape: [8], numClasses: 3 }), teacherLogits: logits, truth };
}

const student = (seed: number) => new Sequential(new Linear(8, 16, { rng: new Random(seed) }), new ReLU(), new Linear(16, 3, { rng: new Random(seed + 1) }));

describe('distillKnowledge', () => {
  beforeAll(async () => {
    await init();
  });

  it('transfers the teacher: with noise labels, only the KD student learns the teacher function', async () => {
    const train = problem(600, 1, true);
    const test = problem(400, 1, false); // same teacher weights (same seed), labels = teacher argmax
    const teacher = { numClasses: 3, logitsFor: (d: Dataset) => (d === train.data ? train.teacherLogits : test.teacherLogits) };
    const kd = await distillKnowledge({
      student: student(3), teacher, data: { train: train.data, test: test.data },
      loss: { temperature: 2, kdWeight: 1, ceWeight: 0 }, optimizer: { type: 'adam', lr: 0.01 }, epochs: 15, batchSize: 32, seed: 1,
    });
    const baseline = await distillKnowledge({
      student: student(3), teacher: null, data: { train: train.data, test: test.data },
      optimizer: { type: 'adam', lr: 0.01 }, epochs: 15, batchSize: 32, seed: 1,
    });
    expect(kd.best.testAccuracy).toBeGreaterThan(0.9);
    expect(baseline.best.testAccuracy).toBeLessThan(0.6);
    expect(kd.usedTeacher).toBe(true);
    expect(baseline.usedTeacher).toBe(false);
  });

  it('reports progress every step, history per epoch, and the best and last epochs', async () => {
    const { data } = problem(100, 2, false);
    const seen: Array<{ epoch: number; step: number }> = [];
    const result = await distillKnowledge({
      student: student(5), teacher: null, data: { train: data, test: data }, epochs: 3, batchSize: 25,
      onProgress: (p) => {
        seen.push({ epoch: p.epoch, step: p.step });
        expect(p.stepsPerEpoch).toBe(4);
        expect(Number.isFinite(p.loss) && Number.isFinite(p.samplesPerSecond) && p.etaSeconds >= 0).toBe(true);
      },
    });
    expect(seen).toHaveLength(12);
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(result.last).toBe(result.history[2]);
    expect(result.best.testAccuracy).toBe(Math.max(...result.history.map((h) => h.testAccuracy)));
    expect(evaluate(student(5), data).accuracy).toBeGreaterThanOrEqual(0);
  });

  it('is reproducible: same seed, same history', async () => {
    const { data } = problem(120, 3, false);
    const run = () => distillKnowledge({ student: student(7), teacher: null, data: { train: data, test: data }, epochs: 2, batchSize: 16, seed: 9 });
    const [a, b] = [await run(), await run()];
    expect(a.history.map((h) => [h.trainLoss, h.testAccuracy])).toEqual(b.history.map((h) => [h.trainLoss, h.testAccuracy]));
  });

  it('stops with E_ABORTED when the signal fires', async () => {
    const { data } = problem(200, 4, false);
    const controller = new AbortController();
    const run = distillKnowledge({
      student: student(1), teacher: null, data: { train: data, test: data }, epochs: 50, batchSize: 8,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.epoch === 2 && p.step === 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'E_ABORTED', message: expect.stringContaining('epoch 2, step 4') });
  });

  it('rejects a teacher with the wrong number of classes, naming both counts', async () => {
    const { data } = problem(20, 5, false);
    const teacher = { numClasses: 5, logitsFor: () => new Float32Array(100) };
    await expect(distillKnowledge({ student: student(1), teacher, data: { train: data, test: data }, epochs: 1, batchSize: 4 })).rejects.toMatchObject({
      code: 'E_TEACHER',
      message: expect.stringContaining('5 classes but the data has 3'),
    });
  });

  it('rejects teacher logits of the wrong length and NaN logits', async () => {
    const { data } = problem(20, 6, false);
    await expect(
      distillKnowledge({ student: student(1), teacher: { numClasses: 3, logitsFor: () => new Float32Array(7) }, data: { train: data, test: data }, epochs: 1, batchSize: 4 }),
    ).rejects.toMatchObject({ code: 'E_TEACHER' });
    await expect(
      distillKnowledge({ student: student(1), teacher: { numClasses: 3, logitsFor: () => new Float32Array(60).fill(NaN) }, data: { train: data, test: data }, epochs: 1, batchSize: 4 }),
    ).rejects.toMatchObject({ code: 'E_NAN' });
  });
});

describe('KD experiment configs', () => {
  const base = () => structuredClone(KD_PRESETS['mnist-0-5']!.config) as unknown as Record<string, unknown>;
  const expectConfigError = (mutate: (c: Record<string, any>) => void, path: string) => {
    const c = base();
    mutate(c);
    try {
      validateKDConfig(c);
      throw new Error('expected E_CONFIG');
    } catch (e) {
      expect(isQDistillError(e) && e.code).toBe('E_CONFIG');
      expect((e as Error).message).toContain(`config ${path}`);
    }
  };

  it('accepts every preset', () => {
    for (const preset of Object.values(KD_PRESETS)) expect(() => validateKDConfig(structuredClone(preset.config))).not.toThrow();
  });

  it('names the bad field: unknown fields, bad numbers, mismatched classes, unknown arch', () => {
    expectConfigError((c) => (c.learningRate = 1), 'learningRate');
    expectConfigError((c) => (c.train.epochs = 0), 'train.epochs');
    expectConfigError((c) => (c.train.extra = 1), 'train.extra');
    expectConfigError((c) => (c.dataset.name = 'cifar'), 'dataset.name');
    expectConfigError((c) => (c.dataset.classes = [0]), 'dataset.classes');
    expectConfigError((c) => (c.student.numClasses = 4), 'student.numClasses');
    expectConfigError((c) => (c.student.arch = 'resnet'), 'student.arch');
    expectConfigError((c) => (c.teacher = { type: 'onnx' }), 'teacher.path');
    expectConfigError((c) => (c.teacher.bogus = true), 'teacher.bogus');
    expectConfigError((c) => (c.kd.temperature = -1), 'kd.temperature');
    expectConfigError((c) => (c.train.optimizer.type = 'rmsprop'), 'train.optimizer.type');
  });
});
