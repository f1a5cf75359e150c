// Every teacher of the teachers directory ("ONNX we did not write", exported
// by PyTorch: test/fixtures/teachers, or QDISTILL_TEACHERS_DIR, which
// npm test also sets to ../shared/teachers when it exists) loads through
// OnnxTeacher and reproduces its reference logits. Generic over
// manifest.json: a new entry is tested with no code change, whatever its
// batch axis — dynamic (`dynamic_axes`) or fixed, as torch.onnx.export writes
// by default (lenet-mnist-c6-batch1.onnx in the fixtures).
//
// Also checked: the manifest's input/output names and class count, the
// reference input sum, the reference images against sdk/data's canonical
// test split, and — for the small models (≤ 2 MB; all with
// QDISTILL_TEACHERS_FULL=1) — the exact test-set correct count of the
// manifest over the whole canonical test split.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist, loadMnist } from '../../sdk/data/node/mnist.js';
import { OnnxTeacher } from '../../sdk/teachers/index.js';
import { canonicalRule, maxAbsDiff, readManifest, referenceImages, TEACHERS_DIR, type ManifestEntry } from './helpers.js';

const manifest = await readManifest();
const FULL = process.env.QDISTILL_TEACHERS_FULL === '1';
const ACCURACY_MAX_BYTES = 2_000_000;
const timings: string[] = [];

afterAll(() => {
  // Measured session creation and prediction times, one line per model (kept out of stdout noise unless asked).
  if (process.env.QDISTILL_TEACHERS_TIMINGS === '1') process.stderr.write(`${timings.join('\n')}\n`);
});

describe('shared teachers manifest', () => {
  it('lists at least one model, each with a file on disk and 8 reference images', () => {
    expect(manifest.models.length).toBeGreaterThan(0);
    for (const m of manifest.models) {
      expect(existsSync(join(TEACHERS_DIR, m.file)), m.file).toBe(true);
      expect(m.reference.images.length).toBe(m.reference.logits.length);
    }
  });
});

describe.each(manifest.models.map((m) => [m.name, m] as [string, ManifestEntry]))('shared teacher %s', (_name, entry) => {
  let teacher: OnnxTeacher;
  let images: Float32Array;

  beforeAll(async () => {
    const t0 = performance.now();
    teacher = await OnnxTeacher.load(join(TEACHERS_DIR, entry.file), { numClasses: entry.num_classes, dataShape: [1, 28, 28] });
    timings.push(`${entry.name}: session ${(performance.now() - t0).toFixed(0)} ms`);
    images = await referenceImages(entry);
  });

  afterAll(async () => {
    await teacher?.dispose();
  });

  it('loads with the manifest input/output names, its batch axis (dynamic, or fixed as exported) and its class count', () => {
    expect(teacher.input.name).toBe(entry.input.name);
    expect(teacher.output.name).toBe(entry.output.name);
    expect(teacher.input.dims?.slice(1)).toEqual(entry.input.shape.slice(1));
    // A symbolic batch dimension ("batch") is dynamic; a number is the export's fixed batch.
    const batch = entry.input.shape[0];
    expect(teacher.fixedBatch).toBe(typeof batch === 'number' ? batch : null);
    if (entry.dynamic_batch !== undefined) expect(teacher.fixedBatch === null).toBe(entry.dynamic_batch);
    expect(teacher.chunkSize).toBe(teacher.fixedBatch ?? teacher.chunkSize);
    expect(teacher.numClasses).toBe(entry.num_classes);
    expect(teacher.byteLength).toBe(entry.bytes);
  });

  it('rebuilds the reference images from the npm JSON (input_sum, and the canonical test split agrees)', async () => {
    let sum = 0;
    for (const v of images) sum += v;
    expect(Math.abs(sum - entry.reference.input_sum)).toBeLessThan(1e-6 * Math.max(1, Math.abs(entry.reference.input_sum)));
    // The same images through sdk/data's canonical loader: test images of their class, in file order.
    const rule = canonicalRule(entry.dataset);
    const classes = [...new Set(entry.reference.images.map((r) => r.class))];
    for (const c of classes) {
      const { test } = rule === 'mnist' ? await loadMnist({ classes: [c] }) : await loadFashionMnist({ classes: [c] });
      entry.reference.images.forEach((ref, k) => {
        if (ref.class !== c || ref.test_index_in_class === undefined) return;
        const i = ref.test_index_in_class;
        expect(maxAbsDiff(test.x.subarray(i * 784, (i + 1) * 784), images.subarray(k * 784, (k + 1) * 784))).toBe(0);
      });
    }
  });

  it('reproduces the reference logits within 1e-4', async () => {
    const n = entry.reference.images.length;
    const t0 = performance.now();
    const logits = await teacher.predict(images, n);
    timings.push(`${entry.name}: predict ${n} in ${(performance.now() - t0).toFixed(1)} ms`);
    const expected = entry.reference.logits.flat();
    const diff = maxAbsDiff(logits, expected);
    expect(diff, `largest difference ${diff}`).toBeLessThan(1e-4);
    // Flat samples ([784]) are the same images.
    expect(maxAbsDiff(await teacher.predict(images, n, [784]), logits)).toBe(0);
  });

  it.skipIf(!FULL && entry.bytes > ACCURACY_MAX_BYTES)('gets the manifest test accuracy on the whole canonical test split', async () => {
    const rule = canonicalRule(entry.dataset);
    const { test } = rule === 'mnist' ? await loadMnist({ classes: entry.classes }) : await loadFashionMnist({ classes: entry.classes });
    if (entry.test_images !== undefined) expect(test.y.length).toBe(entry.test_images);
    const logits = await teacher.logitsFor(test);
    let correct = 0;
    const C = teacher.numClasses;
    for (let r = 0; r < test.y.length; r++) {
      let best = 0;
      for (let j = 1; j < C; j++) if (logits[r * C + j]! > logits[r * C + best]!) best = j;
      if (best === test.y[r]) correct++;
    }
    if (entry.test_correct !== undefined) expect(correct).toBe(entry.test_correct);
    else expect(correct / test.y.length).toBeCloseTo(entry.test_accuracy ?? 0, 4);
    // Cached: the second call returns the same array without running the model.
    expect(await teacher.logitsFor(test)).toBe(logits);
  });
});
