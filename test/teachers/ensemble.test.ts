// EnsembleTeacher: averaging probabilities (at a temperature) or logits,
// with weights, checked against a manual computation — on deterministic
// model teachers and on the real ONNX teachers of MNIST 0–5 in the teachers directory.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnsembleTeacher, ModelTeacher, OnnxTeacher, teacherProbabilities, type Teacher } from '../../sdk/teachers/index.js';
import { expectRejects, expectThrows, maxAbsDiff, readManifest, referenceImages, TEACHERS_DIR } from './helpers.js';

/** Independent reference: softmax of one row at temperature T, in float64. */
function softmaxRow(z: ArrayLike<number>, T: number): number[] {
  const scaled = Array.from(z, (v) => v / T);
  const m = Math.max(...scaled);
  const e = scaled.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Manual ensemble of member logits (each batch × C). */
function manualEnsemble(parts: Float32Array[], C: number, combine: 'probabilities' | 'logits', T: number, weights: number[]): { logits: number[]; probabilities: number[] } {
  const total = weights.reduce((a, b) => a + b, 0);
  const w = weights.map((v) => v / total);
  const batch = parts[0]!.length / C;
  const logits: number[] = [];
  const probabilities: number[] = [];
  for (let r = 0; r < batch; r++) {
    if (combine === 'logits') {
      const row = Array.from({ length: C }, (_, j) => parts.reduce((acc, z, k) => acc + w[k]! * z[r * C + j]!, 0));
      logits.push(...row);
      probabilities.push(...softmaxRow(row, 1));
    } else {
      const p = Array.from({ length: C }, () => 0);
      parts.forEach((z, k) => softmaxRow(z.subarray(r * C, (r + 1) * C), T).forEach((v, j) => (p[j]! += w[k]! * v)));
      probabilities.push(...p);
      logits.push(...p.map((v) => T * Math.log(v)));
    }
  }
  return { logits, probabilities };
}

/** A deterministic teacher: logit j of a sample = Σᵢ xᵢ·sin(seed + i + 3j). */
function linearTeacher(seed: number, C: number, F: number, name = `linear-${seed}`): ModelTeacher {
  return new ModelTeacher(
    (x, batch) => {
      const out = new Float64Array(batch * C);
      for (let r = 0; r < batch; r++) for (let j = 0; j < C; j++) for (let i = 0; i < F; i++) out[r * C + j]! += x[r * F + i]! * Math.sin(seed + i + 3 * j);
      return out;
    },
    { numClasses: C, dataShape: [F], name },
  );
}

const F = 6;
const C = 4;
const x = Float32Array.from({ length: 5 * F }, (_, i) => Math.cos(i * 0.7) * 2);

describe('EnsembleTeacher on deterministic teachers', () => {
  const members = [linearTeacher(1, C, F), linearTeacher(2, C, F), linearTeacher(3, C, F)];

  it.each([
    ['probabilities', 1, [1, 1, 1]],
    ['probabilities', 4, [1, 2, 3]],
    ['probabilities', 0.5, [0, 1, 1]],
    ['logits', 1, [1, 1, 1]],
    ['logits', 1, [2, 1, 0.5]],
  ] as const)('combine %s, temperature %s, weights %j: matches the manual computation', async (combine, temperature, weights) => {
    const ensemble = new EnsembleTeacher(members, { combine, temperature, weights: [...weights] });
    const parts = await Promise.all(members.map((m) => m.predict(x, 5)));
    const expected = manualEnsemble(parts, C, combine, temperature, [...weights]);
    const logits = await ensemble.predict(x, 5);
    expect(maxAbsDiff(logits, expected.logits)).toBeLessThan(1e-5);
    // softmax(output / T) is exactly the averaged distribution.
    expect(maxAbsDiff(await ensemble.probabilities(x, 5), expected.probabilities)).toBeLessThan(1e-6);
    if (combine === 'probabilities') expect(maxAbsDiff(teacherProbabilities(logits, C, temperature), expected.probabilities)).toBeLessThan(1e-6);
  });

  it('a single member with weight 1 reproduces it (logits), or its log-softmax·T (probabilities)', async () => {
    const only = members[0]!;
    const z = await only.predict(x, 5);
    expect(maxAbsDiff(await new EnsembleTeacher([only], { combine: 'logits' }).predict(x, 5), z)).toBeLessThan(1e-6);
    const T = 2;
    const logSoftmax = manualEnsemble([z], C, 'probabilities', T, [1]).logits;
    expect(maxAbsDiff(await new EnsembleTeacher([only], { temperature: T }).predict(x, 5), logSoftmax)).toBeLessThan(1e-5);
  });

  it('logitsFor combines the members’ cached logits and caches the combination', async () => {
    let calls = 0;
    const counted = new ModelTeacher(
      (input, batch) => {
        calls++;
        return new Float32Array(batch * C).map((_, i) => input[Math.floor(i / C) * F]! * (i % C));
      },
      { numClasses: C, dataShape: [F], name: 'counted' },
    );
    const a = new EnsembleTeacher([counted, members[0]!]);
    const b = new EnsembleTeacher([counted, members[1]!], { combine: 'logits' });
    const data = { x, shape: [F], numClasses: C };
    const la = await a.logitsFor(data);
    await b.logitsFor(data);
    expect(calls).toBe(1); // the shared member ran once for both ensembles
    expect(await a.logitsFor(data)).toBe(la);
    expect(maxAbsDiff(la, await a.predict(x, 5))).toBeLessThan(1e-6);
  });

  it('members that disagree on the number of classes → E_TEACHER listing them; bad options → E_INVALID_ARGUMENT', async () => {
    const five = linearTeacher(4, 5, F, 'five-classes');
    expectThrows(() => new EnsembleTeacher([members[0]!, five]), 'E_TEACHER', 'members disagree on the number of classes (linear-1: 4, five-classes: 5)');
    expectThrows(() => new EnsembleTeacher([]), 'E_INVALID_ARGUMENT', 'non-empty list');
    expectThrows(() => new EnsembleTeacher(members, { weights: [1, 2] }), 'E_INVALID_ARGUMENT', 'weights must be 3 non-negative finite numbers');
    expectThrows(() => new EnsembleTeacher(members, { weights: [0, 0, 0] }), 'E_INVALID_ARGUMENT', 'must not all be zero');
    expectThrows(() => new EnsembleTeacher(members, { temperature: 0 }), 'E_INVALID_ARGUMENT', 'temperature must be a positive finite number');
    expectThrows(() => new EnsembleTeacher(members, { combine: 'median' as 'logits' }), 'E_INVALID_ARGUMENT', 'combine must be "probabilities" or "logits"');
    const ensemble = new EnsembleTeacher(members);
    await expectRejects(() => ensemble.logitsFor({ x, shape: [F], numClasses: 3 }), 'E_TEACHER', 'has 4 output classes but the data has 3');
    await expectRejects(() => ensemble.predict(new Float32Array(10), 2, [5]), 'E_TEACHER', 'teacher linear-1');
  });

  it('very confident, disagreeing members never produce −Infinity or NaN', async () => {
    const sure = (k: number): ModelTeacher =>
      new ModelTeacher((_x, batch) => new Float32Array(batch * 2).map((_, i) => (i % 2 === k ? 5000 : -5000)), { numClasses: 2, dataShape: [1] });
    const logits = await new EnsembleTeacher([sure(0), sure(1)], { weights: [1, 0] }).predict(new Float32Array(3), 3);
    expect(logits.every(Number.isFinite)).toBe(true);
    expect(logits[0]).toBeCloseTo(0, 6);
  });
});

// Every teacher of the manifest trained on MNIST 0–5: in test/fixtures/teachers the LeNet and its
// fixed-batch-1 export; in ../shared/teachers (npm test's second pass) the LeNet and the AlexNet.
const mnist6 = (await readManifest()).models.filter((m) => m.dataset === 'mnist' && m.num_classes === 6);

describe(`EnsembleTeacher on the ONNX teachers of MNIST 0–5 (${mnist6.map((m) => m.name).join(', ')})`, () => {
  let members: Teacher[] = [];
  let images: Float32Array;
  const weights = mnist6.map((_, i) => 2 * i + 1);

  beforeAll(async () => {
    members = await Promise.all(mnist6.map((m) => OnnxTeacher.load(join(TEACHERS_DIR, m.file))));
    images = await referenceImages(mnist6[0]!);
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.dispose()));
  });

  it(`probabilities at T = 4 with weights ${weights.join(':')}, and logits: as computed by hand`, async () => {
    expect(mnist6.length, 'the manifest has at least two MNIST 0–5 teachers').toBeGreaterThanOrEqual(2);
    const parts = await Promise.all(members.map((m) => m.predict(images, 8)));
    for (const [combine, T] of [
      ['probabilities', 4],
      ['logits', 1],
    ] as const) {
      const ensemble = new EnsembleTeacher(members, { combine, temperature: T, weights });
      expect(ensemble.numClasses).toBe(6);
      const expected = manualEnsemble(parts, 6, combine, T, weights);
      expect(maxAbsDiff(await ensemble.predict(images, 8), expected.logits)).toBeLessThan(1e-5);
    }
  });
});
