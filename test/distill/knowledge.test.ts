// The KD trainer: transfer sets whose labels are never read, the same
// augmented view for teacher and student, pseudo-labels, validation-only
// selection with the test split read once, paired starts, cancellation and
// teacher checks — and that a teacher's knowledge actually transfers.
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch, createDataset, Random as DataRandom, type Dataset } from '../../sdk/data/index.js';
import { distillKnowledge, evaluate } from '../../sdk/distill/knowledge.js';
import { init, Linear, Sequential, ReLU, Module, type ParamResolver, Tensor, softmax, type OutputSpec } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { hashFloat64 } from '../../sdk/util/hash.js';
import { expectQDistillErrorValue, rejectionOf } from '../helpers/errors.js';

/** A linear "teacher" on 8 features and 3 classes, and data labelled by it (or by noise). */
function problem(n: number, seed: number, noisyLabels: boolean): { data: Dataset; teacherLogits: Float32Array; truth: Int32Array } {
  const rng = new Random(seed);
  const w = Array.from({ length: 24 }, () => rng.normal());
  const data = new Random(seed * 1000 + n);
  const x = new Float32Array(n * 8).map(() => data.normal());
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

/** A teacher that answers with the linear teacher's logits for any batch (it recomputes them from x). */
function linearTeacher(seed: number) {
  const rng = new Random(seed);
  const w = Array.from({ length: 24 }, () => rng.normal());
  const predict = (x: Float32Array, batch: number): Float32Array => {
    const out = new Float32Array(batch * 3);
    for (let i = 0; i < batch; i++) for (let c = 0; c < 3; c++) {
      let z = 0;
      for (let j = 0; j < 8; j++) z += w[c * 8 + j]! * x[i * 8 + j]!;
      out[i * 3 + c] = 2 * z;
    }
    return out;
  };
  return { numClasses: 3, predict, logitsFor: (d: { x: Float32Array }) => predict(d.x, d.x.length / 8) };
}

const student = (seed: number) => new Sequential(new Linear(8, 16, { rng: new Random(seed) }), new ReLU(), new Linear(16, 3, { rng: new Random(seed + 1) }));

describe('distillKnowledge', () => {
  beforeAll(async () => {
    await init();
  });

  it('transfers the teacher through an unlabelled transfer set: 15 labels are not enough alone', async () => {
    const labelled = problem(15, 1, false).data;
    const transfer = problem(600, 1, false).data;
    const validation = problem(200, 1, false).data;
    const test = problem(400, 1, false).data;
    const common = { data: { train: labelled, validation, test }, optimizer: { type: 'adam' as const, lr: 0.01 }, epochs: 15, batchSize: 32, seed: 1 };
    const teacher = linearTeacher(1);
    const kd = await distillKnowledge({ ...common, student: student(3), teacher, data: { ...common.data, transfer }, loss: { temperature: 2, alpha: 0.9 } });
    const baseline = await distillKnowledge({ ...common, student: student(3), teacher: null });
    expect(kd.test!.selected.accuracy).toBeGreaterThan(0.9);
    expect(kd.test!.selected.accuracy).toBeGreaterThan(baseline.test!.selected.accuracy + 0.1);
    expect(kd.mode).toBe('kd');
    expect(baseline.mode).toBe('supervised');
    expect(kd.transferSize).toBe(600);
    expect(kd.initialParamsHash).toBe(baseline.initialParamsHash);
  });

  it('never reads the transfer set labels: poisoned labels (−1, NaN-like garbage) give bit-identical training', async () => {
    const labelled = problem(30, 2, false).data;
    const clean = problem(200, 2, false).data;
    const poisoned = { ...clean, y: new Int32Array(clean.y.length).fill(-1) };
    const garbage = { x: clean.x, shape: clean.shape, y: Int32Array.from(clean.y, () => 0x7fffffff) } as unknown as Dataset;
    const run = async (transfer: Dataset) => {
      const s = student(4);
      const r = await distillKnowledge({
        student: s, teacher: linearTeacher(2), data: { train: labelled, transfer, validation: labelled }, epochs: 3, batchSize: 16, seed: 5,
        loss: { temperature: 2, alpha: 0.5 }, augment: [],
      });
      return { hash: hashFloat64(s.getFlatParams()), history: r.history.map((h) => [h.trainLoss, h.validationLoss]) };
    };
    const a = await run(clean);
    expect(await run(poisoned)).toEqual(a);
    expect(await run(garbage)).toEqual(a);
    // Pseudo-labels come from the teacher, not from the transfer labels either.
    const pseudo = async (transfer: Dataset) => {
      const s = student(4);
      await distillKnowledge({ student: s, teacher: linearTeacher(2), mode: 'pseudo-labels', data: { train: labelled, transfer }, epochs: 2, batchSize: 16, seed: 5 });
      return hashFloat64(s.getFlatParams());
    };
    expect(await pseudo(poisoned)).toBe(await pseudo(clean));
  });

  it('shows the teacher the very augmented view the student trains on', async () => {
    const images = createDataset({ x: new Float32Array(12 * 16).map((_, i) => (i * 7919) % 13 / 13), y: Int32Array.from({ length: 12 }, (_, i) => i % 2), shape: [1, 4, 4], numClasses: 2 });
    const teacherSaw: Float32Array[] = [];
    const studentSaw: Float32Array[] = [];
    class Recorder extends Module {
      readonly label = 'Recorder';
      constructor() {
        super();
        this.registerModule('fc', new Linear(16, 2, { rng: new Random(1) }));
      }
      forwardWith(x: Tensor, p: ParamResolver): Tensor {
        if (this.training) studentSaw.push(Float32Array.from(x.data));
        return (this.namedChildren()[0]![1] as Linear).forwardWith(new Tensor(x.data, [x.shape[0]!, 16]), p);
      }
    }
    const teacher = {
      numClasses: 2,
      logitsFor: () => { throw new Error('with augmentation the teacher must be asked per batch'); },
      predict: (x: Float32Array, batch: number) => {
        teacherSaw.push(Float32Array.from(x));
        return new Float32Array(batch * 2);
      },
    };
    const augment = [{ type: 'shift' as const, max: 1 }, { type: 'rotate' as const, degrees: 10 }];
    await distillKnowledge({ student: new Recorder(), teacher, data: { train: images }, augment, epochs: 2, batchSize: 12, seed: 3, loss: { temperature: 1, alpha: 0.5 } });
    expect(teacherSaw).toHaveLength(2);
    expect(studentSaw).toHaveLength(2);
    for (let e = 0; e < 2; e++) expect(Array.from(studentSaw[e]!)).toEqual(Array.from(teacherSaw[e]!)); // same view, same order
    // The views really are augmented (and differ between epochs).
    expect(Array.from(teacherSaw[0]!)).not.toEqual(Array.from(teacherSaw[1]!));
  });

  it('selects the best validation epoch, reads the test split once at the end, and leaves the student at the selected weights', async () => {
    const { data } = problem(150, 3, false);
    const validation = problem(100, 3, false).data;
    const test = problem(100, 3, false).data;
    let testReads = 0;
    const countingTest = new Proxy(test, { get: (t, k) => (k === 'x' && testReads++, Reflect.get(t, k)) });
    const s = student(5);
    const result = await distillKnowledge({ student: s, teacher: null, data: { train: data, validation, test: countingTest }, epochs: 6, batchSize: 25, optimizer: { type: 'adam', lr: 0.05 } });
    expect(result.selection).toBe('validation');
    const best = Math.max(...result.history.map((h) => h.validationAccuracy));
    expect(result.selected.validationAccuracy).toBe(best);
    expect(result.selected).toBe(result.history.find((h) => h.validationAccuracy === best));
    for (const record of result.history) expect(Object.keys(record).some((k) => k.startsWith('test'))).toBe(false);
    expect(testReads).toBeLessThanOrEqual(2); // the selected and the last epoch, nothing per epoch
    expect(evaluate(s, test).accuracy).toBe(result.test!.selected.accuracy);
    expect(evaluate(s, validation).accuracy).toBe(result.selected.validationAccuracy);
  });

  it('without a validation split reports the last epoch and says so', async () => {
    const { data } = problem(60, 4, false);
    const result = await distillKnowledge({ student: student(1), teacher: null, data: { train: data, test: data }, epochs: 2, batchSize: 20 });
    expect(result.selection).toBe('last');
    expect(result.selected).toBe(result.last);
    expect(Number.isNaN(result.last.validationAccuracy)).toBe(true);
  });

  it('reports progress every step and a history per epoch, reproducibly', async () => {
    const { data } = problem(100, 2, false);
    const seen: Array<{ epoch: number; step: number }> = [];
    const run = () => distillKnowledge({
      student: student(5), teacher: null, data: { train: data, validation: data }, epochs: 3, batchSize: 25, seed: 9,
      onProgress: (p) => {
        seen.push({ epoch: p.epoch, step: p.step });
        expect(p.stepsPerEpoch).toBe(4);
        expect(Number.isFinite(p.loss) && Number.isFinite(p.samplesPerSecond) && p.etaSeconds >= 0).toBe(true);
      },
    });
    const a = await run();
    expect(seen).toHaveLength(12);
    expect(a.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    const b = await run();
    expect(b.history.map((h) => [h.trainLoss, h.validationAccuracy])).toEqual(a.history.map((h) => [h.trainLoss, h.validationAccuracy]));
  });

  it('trains a Born-probability student with −log p_y and p^{1/T} targets (it learns, unlike probabilities read as logits)', async () => {
    // A student emitting 4 "outcome" probabilities of which the first 3 are classes.
    class BornStudent extends Module {
      readonly label = 'Born';
      readonly fc = new Linear(8, 4, { rng: new Random(2) });
      constructor() {
        super();
        this.registerModule('fc', this.fc);
      }
      override get outputSpec(): OutputSpec {
        return { kind: 'probabilities', classes: 3 };
      }
      forwardWith(x: Tensor, p: ParamResolver): Tensor {
        return softmax(this.fc.forwardWith(x, p), 1);
      }
    }
    const labelled = problem(20, 6, false).data;
    const transfer = problem(400, 6, false).data;
    const test = problem(300, 6, false).data;
    const r = await distillKnowledge({
      student: new BornStudent(), teacher: linearTeacher(6), data: { train: labelled, transfer, test },
      loss: { temperature: 2, alpha: 0.5, tempering: 'outcomes' }, optimizer: { type: 'adam', lr: 0.05 }, epochs: 10, batchSize: 32,
    });
    expect(r.test!.last.accuracy).toBeGreaterThan(0.85);
  });

  it('a qnn-classifier reading bare probabilities declares Born outputs and distils through them', async () => {
    const { createHybridModel } = await import('../../sdk/qnn/hybrid.js');
    const q = await createHybridModel({
      arch: 'qnn-classifier', numClasses: 3, numQubits: 4, encoder: { type: 'AmplitudeEmbedding', numFeatures: 8, bias: 1 },
      ansatz: { type: 'StronglyEntanglingLayers', layers: 4 }, measurements: [{ type: 'probs' }], head: false, seed: 2,
    });
    expect(q.outputSpec).toEqual({ kind: 'probabilities', classes: 3 });
    const r = await distillKnowledge({
      student: q, teacher: linearTeacher(7), data: { train: problem(15, 7, false).data, transfer: problem(300, 7, false).data, test: problem(200, 7, false).data },
      loss: { temperature: 2, alpha: 0.9 }, optimizer: { type: 'adam', lr: 0.05 }, epochs: 6, batchSize: 32,
    });
    expect(r.test!.last.accuracy).toBeGreaterThan(0.6); // chance 1/3
  });

  it('stops with E_ABORTED when the signal fires', async () => {
    const { data } = problem(200, 4, false);
    const controller = new AbortController();
    const error = await rejectionOf(() => distillKnowledge({
      student: student(1), teacher: null, data: { train: data }, epochs: 50, batchSize: 8,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.epoch === 2 && p.step === 3) controller.abort();
      },
    }));
    expectQDistillErrorValue(error, 'E_ABORTED', 'epoch 2, step 4');
  });

  it('rejects bad teachers, a transfer set without a teacher and mismatched splits, naming the problem', async () => {
    const { data } = problem(20, 5, false);
    const base = { student: student(1), data: { train: data }, epochs: 1, batchSize: 4 };
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge({ ...base, teacher: { numClasses: 5, logitsFor: () => new Float32Array(100) } })), 'E_TEACHER', '5 classes but the data has 3');
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge({ ...base, teacher: { numClasses: 3, logitsFor: () => new Float32Array(7) } })), 'E_TEACHER', 'returned 7 logits, expected 20 × 3');
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge({ ...base, teacher: { numClasses: 3, logitsFor: () => new Float32Array(60).fill(NaN) } })), 'E_NAN', 'teacher logit 0 of sample 0 is NaN');
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge({ ...base, teacher: null, data: { train: data, transfer: data } })), 'E_CONFIG', 'a transfer set needs a teacher');
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge({ ...base, teacher: null, mode: 'pseudo-labels' })), 'E_CONFIG', "mode 'pseudo-labels' needs a teacher");
    const wide = createDataset({ x: new Float32Array(9 * 2), y: Int32Array.of(0, 1), shape: [9], numClasses: 3 });
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge({ ...base, teacher: null, data: { train: data, validation: wide } })), 'E_DATA', 'validation samples have shape [9], train [8]');
    const teacherNoPredict = { numClasses: 3, logitsFor: () => new Float32Array(60) };
    const images = createDataset({ x: new Float32Array(4 * 16), y: Int32Array.of(0, 1, 2, 0), shape: [1, 4, 4], numClasses: 3 });
    expectQDistillErrorValue(
      await rejectionOf(() => distillKnowledge({ student: new Sequential(new Linear(16, 3, { rng: new Random(1) })), teacher: teacherNoPredict, data: { train: images }, studentInput: (x, n) => ({ x, shape: [16] }), augment: [{ type: 'flip' }], epochs: 1, batchSize: 4 })),
      'E_TEACHER', 'augmentation needs a teacher with predict',
    );
  });
});

describe('augmentBatch', () => {
  it('is seeded and shape-preserving; a zero shift is the identity; flips mirror rows', () => {
    const x = Float32Array.from({ length: 2 * 9 }, (_, i) => i);
    const a = augmentBatch(x, 2, [1, 3, 3], [{ type: 'shift', max: 1 }, { type: 'rotate', degrees: 20 }], new DataRandom(4));
    const b = augmentBatch(x, 2, [1, 3, 3], [{ type: 'shift', max: 1 }, { type: 'rotate', degrees: 20 }], new DataRandom(4));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a).toHaveLength(18);
    expect(Array.from(augmentBatch(x, 2, [1, 3, 3], [{ type: 'shift', max: 0 }], new DataRandom(1)))).toEqual(Array.from(x));
    expect(Array.from(augmentBatch(x.subarray(0, 9), 1, [3, 3], [{ type: 'flip', p: 1 }], new DataRandom(1)))).toEqual([2, 1, 0, 5, 4, 3, 8, 7, 6]);
    // Rotation by ±0° is the identity up to rounding.
    const r = augmentBatch(x.subarray(0, 9), 1, [1, 3, 3], [{ type: 'rotate', degrees: 0 }], new DataRandom(1));
    r.forEach((v, i) => expect(v).toBeCloseTo(i, 5));
  });

  it('rejects bad steps and non-image shapes with the field named', () => {
    const x = new Float32Array(9);
    expect(() => augmentBatch(x, 1, [9], [{ type: 'shift', max: 1 }], new DataRandom(1))).toThrow(/expected images of shape \[C, H, W\]/);
    expect(() => augmentBatch(x, 1, [1, 3, 3], [{ type: 'rotate', degrees: 90 }], new DataRandom(1))).toThrow(/augment\[0\]\.degrees: expected a number of degrees in 0\.\.45, got 90/);
    expect(() => augmentBatch(x, 1, [1, 3, 3], [{ type: 'blur' } as never], new DataRandom(1))).toThrow(/augment\[0\]\.type: expected shift, crop, rotate or flip, got "blur"/);
  });
});
