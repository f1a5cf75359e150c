// Module API, layers and initialisers.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  init,
  initLayer,
  kaimingNormal_,
  Lambda,
  Linear,
  LogSoftmax,
  manualSeed,
  MaxPool2d,
  mul,
  ReLU,
  Residual,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  xavierNormal_,
  xavierUniform_,
  zeros,
} from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { expectError, normal } from './helpers.js';

beforeAll(async () => {
  await init();
});

function stats(data: ArrayLike<number>): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    s += data[i]!;
    m = Math.max(m, Math.abs(data[i]!));
  }
  const mean = s / data.length;
  let v = 0;
  for (let i = 0; i < data.length; i++) v += (data[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / data.length), maxAbs: m };
}

describe('Module API', () => {
  const build = (): Sequential => new Sequential(new Conv2d(1, 2, 3, { seed: 1 }), new ReLU(), new Flatten(), new Linear(2 * 4 * 4, 3, { seed: 2 }));

  it('names parameters in order (own first, then children depth-first) and counts them', () => {
    const m = build();
    expect(m.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([
      ['0.weight', [2, 1, 3, 3]],
      ['0.bias', [2]],
      ['3.weight', [3, 32]],
      ['3.bias', [3]],
    ]);
    expect(m.parameters()).toHaveLength(4);
    expect(m.numParameters()).toBe(18 + 2 + 96 + 3);
    expect(m.parameters().every((p) => p.requiresGrad && p.isLeaf)).toBe(true);
  });

  it('getFlatParams / setFlatParams round-trip in that order and reject a wrong length', () => {
    const m = build();
    const flat = m.getFlatParams();
    expect(flat).toBeInstanceOf(Float64Array);
    expect(flat[0]).toBe(m.parameters()[0]!.data[0]);
    const shifted = flat.map((v, i) => (i === flat.length - 1 ? 42 : v + 1));
    m.setFlatParams(shifted);
    expect(m.parameters()[3]!.data[2]).toBe(42);
    expect(Array.from(m.getFlatParams())).toEqual(Array.from(Float32Array.from(shifted)));
    expectError(() => m.setFlatParams(new Float64Array(3)), 'E_SHAPE', 'Sequential.setFlatParams: expected 119 values, got 3');
  });

  it('train() / eval() propagate to every descendant', () => {
    const m = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5), new BatchNorm1d(2)));
    m.eval();
    const all = [m, ...m.layers, ...(m.layers[1] as Sequential).layers];
    expect(all.every((x) => !x.training)).toBe(true);
    m.train();
    expect(all.every((x) => x.training)).toBe(true);
  });

  it('stateDict / loadStateDict copy parameters and buffers by name and check shapes', () => {
    const a = new Sequential(new Linear(3, 2, { seed: 1 }), new BatchNorm1d(2));
    const b = new Sequential(new Linear(3, 2, { seed: 2 }), new BatchNorm1d(2));
    a.forward(normal([4, 3], 1, 'float32'));
    b.loadStateDict(a.stateDict());
    expect(Array.from(b.getFlatParams())).toEqual(Array.from(a.getFlatParams()));
    expect([...b.stateDict().keys()]).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.runningMean', '1.runningVar']);
    expect(b.stateDict().get('1.runningMean')!.data).toEqual(a.stateDict().get('1.runningMean')!.data);
    const c = new Sequential(new Linear(3, 5), new BatchNorm1d(5));
    expectError(() => c.loadStateDict(a.stateDict()), 'E_SHAPE', '"0.weight" has shape [2, 3], the model expects [5, 3]');
  });

  it('to("float64") converts parameters and buffers', () => {
    const m = new Sequential(new Linear(3, 2, { seed: 1 }), new BatchNorm1d(2)).to('float64');
    expect(m.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad)).toBe(true);
    expect(m.namedBuffers().every(([, t]) => t.dtype === 'float64')).toBe(true);
    expect(m.forward(normal([4, 3], 1)).dtype).toBe('float64');
  });

  it('Lambda and Residual compose arbitrary functions', () => {
    const twice = new Lambda((x) => mul(x, 2), 'Twice');
    const res = new Residual(new Sequential(new Linear(3, 3, { seed: 1, dtype: 'float64' }), new Tanh()));
    const x = normal([2, 3], 3);
    expect(Array.from(twice.forward(x).data)).toEqual(Array.from(x.data, (v) => v * 2));
    expect(res.numParameters()).toBe(12);
    expect(res.namedParameters()[0]![0]).toBe('inner.0.weight');
    expectError(() => new Residual(new Linear(3, 2, { dtype: 'float64' })).forward(x), 'E_SHAPE', 'a residual needs equal shapes');
  });

  it('activation, softmax and pooling layers have the expected shapes and values', () => {
    const x = normal([2, 3, 4, 4], 5, 'float32');
    expect(new AvgPool2d(2).forward(x).shape).toEqual([2, 3, 2, 2]);
    expect(new MaxPool2d(3, 1).forward(x).shape).toEqual([2, 3, 2, 2]);
    expect(new Sigmoid().forward(zeros([1])).item()).toBe(0.5);
    const p = new Softmax().forward(normal([2, 5], 6));
    expect(p.data[0]! + p.data[1]! + p.data[2]! + p.data[3]! + p.data[4]!).toBeCloseTo(1, 12);
    expect(Math.exp(new LogSoftmax().forward(zeros([1, 4], { dtype: 'float64' })).data[0]!)).toBeCloseTo(0.25, 12);
  });
});

describe('initialisers (seeded with Random)', () => {
  it("Linear and Conv2d default to PyTorch's kaiming-uniform(a=√5): weights and biases in ±1/√fan_in", () => {
    const fc = new Linear(400, 120, { seed: 1 });
    const b = 1 / Math.sqrt(400);
    const w = stats(fc.weight.data);
    expect(w.maxAbs).toBeLessThanOrEqual(b);
    expect(w.std).toBeGreaterThan(0.95 * (b / Math.sqrt(3)));
    expect(w.std).toBeLessThan(1.05 * (b / Math.sqrt(3)));
    expect(stats(fc.bias!.data).maxAbs).toBeLessThanOrEqual(b);
    const conv = new Conv2d(6, 16, 5, { seed: 2 });
    const bc = 1 / Math.sqrt(6 * 25);
    expect(stats(conv.weight.data).maxAbs).toBeLessThanOrEqual(bc);
    expect(stats(conv.weight.data).maxAbs).toBeGreaterThan(0.95 * bc);
    expect(stats(conv.bias!.data).maxAbs).toBeLessThanOrEqual(bc);
  });

  it('xavier and kaiming variants have the documented spread; zeros zeroes', () => {
    const rng = new Random(3);
    const t = zeros([200, 300]);
    xavierUniform_(t, rng);
    expect(stats(t.data).maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 500));
    expect(stats(t.data).std).toBeCloseTo(Math.sqrt(2 / 500), 3);
    xavierNormal_(t, rng);
    expect(stats(t.data).std).toBeCloseTo(Math.sqrt(2 / 500), 3);
    kaimingNormal_(t, rng, { nonlinearity: 'relu' });
    expect(stats(t.data).std).toBeCloseTo(Math.sqrt(2 / 300), 3);
    const bias = zeros([200]);
    initLayer('zeros', t, bias, rng);
    expect(stats(t.data).maxAbs).toBe(0);
    const l = new Linear(10, 10, { init: 'xavier-normal', seed: 1 });
    expect(stats(l.bias!.data).maxAbs).toBe(0);
  });

  it('the same seed gives the same weights; manualSeed resets the default generator', () => {
    expect(Array.from(new Linear(5, 4, { seed: 7 }).weight.data)).toEqual(Array.from(new Linear(5, 4, { seed: 7 }).weight.data));
    manualSeed(11);
    const a = new Linear(5, 4);
    manualSeed(11);
    const b = new Linear(5, 4);
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
  });
});

describe('Dropout and BatchNorm', () => {
  it('Dropout zeroes about p of the inputs, scales the rest by 1/(1−p), is reproducible by seed and the identity in eval', () => {
    const x = zeros([100, 100]);
    x.data.fill(1);
    const y = new Dropout(0.3, { seed: 4 }).forward(x);
    const kept = Array.from(y.data).filter((v) => v !== 0);
    expect(kept.length / 10000).toBeGreaterThan(0.68);
    expect(kept.length / 10000).toBeLessThan(0.72);
    expect(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(Array.from(new Dropout(0.3, { seed: 4 }).forward(x).data)).toEqual(Array.from(y.data));
    const d = new Dropout(0.3, { seed: 4 }).eval();
    expect(d.forward(x)).toBe(x);
  });

  it('BatchNorm2d normalises per channel in training, updates running stats like PyTorch, and uses them in eval', () => {
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    const x = normal([4, 2, 3, 3], 9);
    // shift channel 1 so the two channels differ
    for (let n = 0; n < 4; n++) for (let i = 0; i < 9; i++) x.data[(n * 2 + 1) * 9 + i] = x.data[(n * 2 + 1) * 9 + i]! * 3 + 5;
    const y = bn.forward(x);
    for (let c = 0; c < 2; c++) {
      const vals: number[] = [];
      const raw: number[] = [];
      for (let n = 0; n < 4; n++)
        for (let i = 0; i < 9; i++) {
          vals.push(y.data[(n * 2 + c) * 9 + i]!);
          raw.push(x.data[(n * 2 + c) * 9 + i]!);
        }
      const s = stats(vals);
      expect(s.mean).toBeCloseTo(0, 10);
      expect(s.std).toBeCloseTo(1, 3);
      const r = stats(raw);
      const unbiased = (r.std * r.std * 36) / 35;
      expect(bn.runningMean.data[c]).toBeCloseTo(0.1 * r.mean, 12);
      expect(bn.runningVar.data[c]).toBeCloseTo(0.9 + 0.1 * unbiased, 12);
    }
    bn.eval();
    const ye = bn.forward(x);
    const expected = (x.data[0]! - bn.runningMean.data[0]!) / Math.sqrt(bn.runningVar.data[0]! + 1e-5);
    expect(ye.data[0]).toBeCloseTo(expected, 12);
  });
});
