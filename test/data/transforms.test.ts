// Transforms on tiny known inputs, PCA against a direct covariance
// eigen-decomposition, and the pipeline's JSON round trip.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createDataset, type Dataset } from '../../sdk/data/dataset.js';
import { Random } from '../../sdk/util/random.js';
import { Pipeline, type TransformConfig } from '../../sdk/data/transforms.js';
import { expectError } from './helpers.js';

function run(steps: TransformConfig[], x: number[], shape: number[], count = 1): { x: number[]; shape: number[] } {
  const out = new Pipeline(steps).transformBatch(Float32Array.from(x), count, shape);
  return { x: Array.from(out.x), shape: out.shape };
}

function closeTo(actual: number[], expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v, `index ${i}`).toBeCloseTo(expected[i]!, digits));
}

describe('image transforms', () => {
  it('area resize averages the covered pixels (adaptive average pooling), for whole and fractional ratios', () => {
    const img = Array.from({ length: 16 }, (_, i) => i); // 4×4 ramp
    closeTo(run([{ type: 'resize', height: 2, width: 2, method: 'area' }], img, [1, 4, 4]).x, [2.5, 4.5, 10.5, 12.5]);
    // 3 → 2: bins [0, 2) and [1, 3)
    closeTo(run([{ type: 'resize', height: 1, width: 2, method: 'area' }], [1, 2, 3], [1, 3]).x, [1.5, 2.5]);
  });

  it('bilinear resize uses half-pixel centres like PyTorch align_corners=False', () => {
    const up = run([{ type: 'resize', height: 4, width: 4, method: 'bilinear' }], [0, 1, 2, 3], [2, 2]);
    expect(up.shape).toEqual([4, 4]);
    closeTo(up.x, [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
    const img = Array.from({ length: 16 }, (_, i) => i);
    closeTo(run([{ type: 'resize', height: 2, width: 2, method: 'bilinear' }], img, [4, 4]).x, [2.5, 4.5, 10.5, 12.5]);
  });

  it('pools by average and max with a stride, channel by channel', () => {
    const two = [...Array.from({ length: 16 }, (_, i) => i), ...Array.from({ length: 16 }, (_, i) => -i)];
    const avg = run([{ type: 'pool', kernel: 2 }], two, [2, 4, 4]);
    expect(avg.shape).toEqual([2, 2, 2]);
    closeTo(avg.x, [2.5, 4.5, 10.5, 12.5, -2.5, -4.5, -10.5, -12.5]);
    const max = run([{ type: 'pool', kernel: 2, stride: 1, mode: 'max' }], two.slice(0, 16), [4, 4]);
    expect(max.shape).toEqual([3, 3]);
    closeTo(max.x, [5, 6, 7, 9, 10, 11, 13, 14, 15]);
    expectError(() => run([{ type: 'pool', kernel: 5 }], two.slice(0, 16), [4, 4]), 'E_SHAPE', /step 0 \(pool\)/, /larger/);
  });

  it('crops the centre with torchvision rounding', () => {
    const img = Array.from({ length: 25 }, (_, i) => i); // 5×5
    closeTo(run([{ type: 'centerCrop', height: 3, width: 3 }], img, [5, 5]).x, [6, 7, 8, 11, 12, 13, 16, 17, 18]);
    const six = Array.from({ length: 36 }, (_, i) => i); // (6 − 3)/2 = 1.5 → 2 (half to even)
    expect(run([{ type: 'centerCrop', height: 3, width: 3 }], six, [6, 6]).x[0]).toBe(14);
    expectError(() => run([{ type: 'centerCrop', height: 6, width: 3 }], img, [5, 5]), 'E_SHAPE', /larger/);
  });
});

describe('vector transforms', () => {
  it('flattens and pads to the next power of two (or a given one)', () => {
    const padded = run([{ type: 'padPow2' }], [1, 2, 3, 4, 5], [5]);
    expect(padded).toEqual({ x: [1, 2, 3, 4, 5, 0, 0, 0], shape: [8] });
    expect(run([{ type: 'flatten' }, { type: 'padPow2', length: 16, value: -1 }], [1, 2, 3, 4, 5, 6], [2, 3]).x.slice(5, 8)).toEqual([6, -1, -1]);
    expectError(() => run([{ type: 'padPow2', length: 6 }], [1, 2], [2]), 'E_SHAPE', /power of two/);
  });

  it('normalises with given per-channel statistics, and fits global ones to mean 0 and std 1', () => {
    closeTo(run([{ type: 'normalize', mean: [1, 10], std: [2, 5] }], [1, 3, 10, 20], [2, 2]).x, [0, 1, 0, 2]);
    const rng = new Random(1);
    const ds = createDataset({ x: Array.from({ length: 200 }, () => 3 + 2 * rng.normal()), y: new Array(50).fill(0), shape: [4], numClasses: 1 });
    const out = new Pipeline([{ type: 'normalize' }]).fitTransform(ds).x;
    const mean = out.reduce((a, v) => a + v, 0) / out.length;
    const variance = out.reduce((a, v) => a + (v - mean) ** 2, 0) / out.length;
    expect(Math.abs(mean)).toBeLessThan(1e-6);
    expect(Math.abs(variance - 1)).toBeLessThan(1e-5);
    expectError(() => run([{ type: 'normalize', mean: [1, 2, 3], std: 1 }], [1, 2, 3, 4], [2, 2]), 'E_SHAPE', /2 channels/);
  });

  it('L2-normalises each sample and rejects a zero sample by index', () => {
    closeTo(run([{ type: 'l2Normalize' }], [3, 4, 0, 5], [2], 2).x, [0.6, 0.8, 0, 1]);
    expectError(() => run([{ type: 'l2Normalize' }], [1, 1, 0, 0], [2], 2), 'E_ZERO_VECTOR', /sample 1/);
  });

  it('applies π·tanh and binarises with "greater than" the threshold', () => {
    closeTo(run([{ type: 'piTanh' }], [0, 1, -100], [3]).x, [0, Math.PI * Math.tanh(1), -Math.PI]);
    expect(run([{ type: 'binarize' }], [0.2, 0.5, 0.51, 7], [4]).x).toEqual([0, 0, 1, 1]);
    expect(run([{ type: 'binarize', threshold: 0 }], [-1, 0, 1], [3]).x).toEqual([0, 0, 1]);
  });

  it('scales by the training min/max, optionally clipping test values outside it', () => {
    const train = createDataset({ x: [[0, 10], [2, 30], [1, 20]], y: [0, 0, 0], shape: [2], numClasses: 1 });
    const test = createDataset({ x: [[3, 10], [-1, 40]], y: [0, 0], shape: [2], numClasses: 1 });
    const p = new Pipeline([{ type: 'minMax', range: [-1, 1] }]).fit(train);
    closeTo(Array.from(p.transform(test).x), [2, -1, -2, 2]);
    const clipped = new Pipeline([{ type: 'minMax', clip: true }]).fit(train);
    closeTo(Array.from(clipped.transform(test).x), [1, 0, 0, 1]);
  });
});

/** Direct PCA: covariance (N − 1) of the train rows, ml-matrix EVD, top-k eigenvectors. */
function directPca(rows: number[][], k: number): { mean: number[]; axes: number[][] } {
  const n = rows.length;
  const f = rows[0]!.length;
  const mean = Array.from({ length: f }, (_, j) => rows.reduce((a, r) => a + r[j]!, 0) / n);
  const centred = new Matrix(rows.map((r) => r.map((v, j) => v - mean[j]!)));
  const cov = centred.transpose().mmul(centred).div(n - 1);
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  return { mean, axes: order.slice(0, k).map(([, i]) => evd.eigenvectorMatrix.getColumn(i)) };
}

describe('PCA', () => {
  for (const sparse of [false, true]) {
    it(`fitted on train and applied to test matches a direct covariance eigen-decomposition up to sign (${sparse ? 'mostly-zero data' : 'dense data'})`, () => {
      const rng = new Random(sparse ? 31 : 32);
      const make = (n: number): number[][] =>
        Array.from({ length: n }, () => {
          const a = rng.normal();
          const b = rng.normal();
          const row = [3 * a + 0.1 * rng.normal(), a - 2 * b, 0.5 * b, rng.normal() * 0.2, a + b + 5, 0.3 * rng.normal()];
          return sparse ? row.map((v, j) => (j % 3 === 0 || rng.uniform() < 0.55 ? 0 : v)) : row;
        });
      const trainRows = make(60);
      const testRows = make(7);
      const train = createDataset({ x: trainRows, y: new Array(60).fill(0), shape: [6], numClasses: 1 });
      const test = createDataset({ x: testRows, y: new Array(7).fill(0), shape: [6], numClasses: 1 });
      const pipeline = new Pipeline([{ type: 'pca', components: 3 }]).fit(train);
      const got = pipeline.transform(test);
      expect(got.shape).toEqual([3]);
      const { mean, axes } = directPca(trainRows, 3);
      axes.forEach((axis, c) => {
        const proj = testRows.map((r) => r.reduce((a, v, j) => a + (v - mean[j]!) * axis[j]!, 0));
        const mine = testRows.map((_, i) => got.x[i * 3 + c]!);
        const sign = Math.sign(proj.reduce((a, v, i) => a + v * mine[i]!, 0)) || 1;
        proj.forEach((v, i) => expect(mine[i], `component ${c} sample ${i}`).toBeCloseTo(sign * v, 4));
      });
      const state = pipeline.toJSON().steps[0] as { explainedVariance: number[] };
      expect(state.explainedVariance[0]).toBeGreaterThan(state.explainedVariance[1]!);
    });
  }

  it('needs two samples and at most F components', () => {
    const one = createDataset({ x: [[1, 2]], y: [0], shape: [2], numClasses: 1 });
    expectError(() => new Pipeline([{ type: 'pca', components: 1 }]).fit(one), 'E_DATA', /at least 2 samples/);
    const two = createDataset({ x: [[1, 2], [3, 5]], y: [0, 0], shape: [2], numClasses: 1 });
    expectError(() => new Pipeline([{ type: 'pca', components: 3 }]).fit(two), 'E_INVALID_ARGUMENT', /exceeds the 2 features/);
  });
});

describe('Pipeline', () => {
  const rng = new Random(40);
  const images = (n: number): Dataset =>
    createDataset({
      x: Array.from({ length: n * 2 * 8 * 8 }, () => Math.max(0, rng.normal())),
      y: Array.from({ length: n }, (_, i) => i % 3),
      shape: [2, 8, 8],
      numClasses: 3,
    });

  it('round-trips through JSON with its fitted state and gives identical outputs', () => {
    const train = images(30);
    const test = images(5);
    const steps: TransformConfig[] = [
      { type: 'centerCrop', height: 6, width: 6 },
      { type: 'resize', height: 4, width: 4, method: 'bilinear' },
      { type: 'normalize', perChannel: true },
      { type: 'pool', kernel: 2, mode: 'max' },
      { type: 'flatten' },
      { type: 'pca', components: 5 },
      { type: 'minMax' },
      { type: 'piTanh' },
      { type: 'padPow2' },
      { type: 'l2Normalize' },
    ];
    const p = new Pipeline(steps).fit(train);
    expect(p.fitted).toBe(true);
    expect(p.outputShape([2, 8, 8])).toEqual([8]);
    const text = JSON.stringify(p);
    const again = Pipeline.fromJSON(JSON.parse(text));
    const a = p.transform(test);
    const b = again.transform(test);
    expect(b.x).toEqual(a.x);
    expect(b.shape).toEqual([8]);
    expect(Array.from(b.y)).toEqual(Array.from(test.y));
    // Refitting a loaded pipeline keeps its state (no silent drift).
    expect(JSON.stringify(again.fit(images(10)))).toBe(text);
    const binarised = new Pipeline([{ type: 'flatten' }, { type: 'binarize', threshold: 0.5 }]).transform(test);
    expect(new Set(binarised.x)).toEqual(new Set([0, 1]));
  });

  it('refuses to transform before fitting, unknown steps and wrong input shapes, naming the step', () => {
    expectError(() => new Pipeline([{ type: 'flatten' }, { type: 'pca', components: 2 }]).transform(images(2)), 'E_CONFIG', /step 1 \(pca\)/, /fit/);
    expectError(() => new Pipeline([{ type: 'sharpen' } as unknown as TransformConfig]), 'E_CONFIG', /step 0/, /sharpen/);
    expectError(() => Pipeline.fromJSON({ steps: [] } as never), 'E_CONFIG', /qdistill\.pipeline/);
    expectError(() => new Pipeline([{ type: 'flatten' }, { type: 'resize', height: 2, width: 2 }]).transform(images(1)), 'E_SHAPE', /step 1 \(resize\)/, /\[128\]/);
    expectError(() => new Pipeline([]).transformBatch(new Float32Array(5), 2, [3]), 'E_SHAPE', /need 6/);
  });
});
