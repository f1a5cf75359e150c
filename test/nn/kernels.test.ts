// The float32 WebAssembly SIMD kernels (assembly/classical/) against the
// float64 TypeScript reference loops (sdk/nn/reference.ts), forward and VJP,
// over shapes that hit every SIMD remainder path.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  avgPool2d,
  backendKernel,
  backendName,
  cast,
  conv2d,
  createModel,
  crossEntropy,
  init,
  linear,
  matmul,
  maxPool2d,
  relu,
  tanh,
  Tensor,
  tolerance,
} from '../../sdk/nn/index.js';
import { normal, relMaxDiff } from './helpers.js';

beforeAll(async () => {
  await init();
});

/** The same values as a float32 leaf and a float64 leaf (the float64 one rounded through float32 so both see equal inputs). */
function pair(shape: number[], seed: number, transform?: (t: Tensor) => Tensor): [Tensor, Tensor] {
  let base = normal(shape, seed);
  if (transform) base = transform(base).detach();
  const t32 = cast(base, 'float32').detach();
  const t64 = cast(t32, 'float64').detach();
  t32.requiresGrad = true;
  t64.requiresGrad = true;
  return [t32, t64];
}

const tol = tolerance('float32').kernel;

describe('float32 WebAssembly kernels vs the float64 reference', () => {
  it('runs on the wasm backend', () => {
    expect(backendName()).toBe('wasm');
  });

  it('matmul and its VJPs agree for every remainder of the 4×8 (then 2×8, 1×8) and 2×4 micro-kernels', () => {
    let seed = 1;
    for (const m of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      for (const n of [1, 3, 4, 7, 8, 9, 17]) {
        for (const k of [1, 4, 5, 33]) {
          const [a32, a64] = pair([m, k], seed++);
          const [b32, b64] = pair([k, n], seed++);
          const y32 = matmul(a32, b32);
          const y64 = matmul(a64, b64);
          expect(relMaxDiff(y32.data, y64.data), `forward ${m}×${k}×${n}`).toBeLessThan(tol);
          const g = normal([m, n], seed++);
          y32.backward(cast(g, 'float32'));
          y64.backward(g);
          expect(relMaxDiff(a32.grad!.data, a64.grad!.data), `dA ${m}×${k}×${n}`).toBeLessThan(tol);
          expect(relMaxDiff(b32.grad!.data, b64.grad!.data), `dB ${m}×${k}×${n}`).toBeLessThan(tol);
        }
      }
    }
  });

  it('linear (x·Wᵀ + b) forward and VJPs agree, LeNet sizes included', () => {
    let seed = 1000;
    for (const [rows, inF, outF] of [
      [64, 400, 120],
      [7, 84, 10],
      [1, 3, 5],
      [10, 9, 13],
    ] as const) {
      const [x32, x64] = pair([rows, inF], seed++);
      const [w32, w64] = pair([outF, inF], seed++);
      const [b32, b64] = pair([outF], seed++);
      const y32 = linear(x32, w32, b32);
      const y64 = linear(x64, w64, b64);
      expect(relMaxDiff(y32.data, y64.data)).toBeLessThan(tol);
      const g = normal([rows, outF], seed++);
      y32.backward(cast(g, 'float32'));
      y64.backward(g);
      expect(relMaxDiff(x32.grad!.data, x64.grad!.data)).toBeLessThan(tol);
      expect(relMaxDiff(w32.grad!.data, w64.grad!.data)).toBeLessThan(tol);
      expect(relMaxDiff(b32.grad!.data, b64.grad!.data)).toBeLessThan(tol);
    }
  });

  const convCases: Array<[string, number[], number[], number, number]> = [
    ['LeNet conv1 (1→6, 5×5, pad 2)', [3, 1, 28, 28], [6, 1, 5, 5], 1, 2],
    ['LeNet conv2 (6→16, 5×5)', [2, 6, 14, 14], [16, 6, 5, 5], 1, 0],
    ['stride 2, pad 1, odd sizes', [2, 3, 9, 7], [4, 3, 3, 3], 2, 1],
    ['1×1 direct path', [2, 5, 6, 6], [3, 5, 1, 1], 1, 0],
    ['stride 3 (non-overlapping)', [1, 2, 8, 8], [3, 2, 3, 3], 3, 0],
    ['padding larger than half the kernel', [1, 2, 4, 5], [2, 2, 3, 3], 1, 3],
  ];
  for (const [label, xs, ws, stride, padding] of convCases) {
    it(`conv2d ${label}: forward and all three VJPs agree`, () => {
      const [x32, x64] = pair(xs, 2000 + xs.length);
      const [w32, w64] = pair(ws, 2100 + ws[0]!);
      const [b32, b64] = pair([ws[0]!], 2200);
      const y32 = conv2d(x32, w32, b32, { stride, padding });
      const y64 = conv2d(x64, w64, b64, { stride, padding });
      expect(y32.shape).toEqual(y64.shape);
      expect(relMaxDiff(y32.data, y64.data)).toBeLessThan(tol);
      const g = normal([...y64.shape], 2300);
      y32.backward(cast(g, 'float32'));
      y64.backward(g);
      expect(relMaxDiff(x32.grad!.data, x64.grad!.data)).toBeLessThan(tol);
      expect(relMaxDiff(w32.grad!.data, w64.grad!.data)).toBeLessThan(tol);
      expect(relMaxDiff(b32.grad!.data, b64.grad!.data)).toBeLessThan(tol);
    });
  }

  for (const kind of ['avg', 'max'] as const) {
    for (const [k, s, shape] of [
      [2, 2, [2, 3, 28, 28]],
      [2, 2, [1, 2, 11, 9]],
      [3, 2, [1, 2, 7, 8]],
      [2, 1, [2, 1, 5, 6]],
    ] as Array<[number, number, number[]]>) {
      it(`${kind}Pool2d k${k} s${s} on ${JSON.stringify(shape)} agrees (ReLU inputs: many ties)`, () => {
        const [x32, x64] = pair(shape, 3000 + k * 10 + s, relu);
        const f = kind === 'avg' ? avgPool2d : maxPool2d;
        const y32 = f(x32, { kernelSize: k, stride: s });
        const y64 = f(x64, { kernelSize: k, stride: s });
        expect(relMaxDiff(y32.data, y64.data)).toBeLessThan(tol);
        const g = normal([...y64.shape], 3100);
        y32.backward(cast(g, 'float32'));
        y64.backward(g);
        expect(relMaxDiff(x32.grad!.data, x64.grad!.data)).toBeLessThan(tol);
      });
    }
  }

  it('relu (SIMD, branch-free) equals max(x, 0) exactly, keeps NaN, and its VJP passes g where x > 0, for every tail length', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 64, 1001]) {
      const x32 = cast(normal([n], 6000 + n), 'float32').detach();
      x32.data[0] = n > 3 ? 0 : x32.data[0]!;
      if (n > 5) x32.data[5] = NaN;
      x32.requiresGrad = true;
      const y = relu(x32);
      for (let i = 0; i < n; i++) {
        const v = x32.data[i]!;
        if (Number.isNaN(v)) expect(y.data[i]).toBeNaN();
        else expect(y.data[i]).toBe(v > 0 ? v : 0);
      }
      const g = Float32Array.from({ length: n }, (_, i) => i + 1);
      y.backward(g);
      for (let i = 0; i < n; i++) expect(x32.grad!.data[i]).toBe(x32.data[i]! > 0 ? g[i] : 0);
    }
  });

  it('tanh (SIMD rational approximation) is within 4e-7 relative of Math.tanh, tails included; its VJP is g·(1 − y²)', () => {
    const values: number[] = [0, -0, 1e-8, -3e-4, 4e-4, 5e-4, 0.01, -0.5, 1, 2.5, -5.8, 7.9, 8, 9.5, -20, 88, -1e4];
    for (let i = 0; i < 4000; i++) values.push(Math.fround(((i % 2 ? 1 : -1) * 10 ** ((i % 97) / 16 - 4))));
    for (const n of [values.length, values.length - 1, values.length - 2, values.length - 3]) {
      const x32 = new Tensor(Float32Array.from(values.slice(0, n)), [n], true);
      const y = tanh(x32);
      for (let i = 0; i < n; i++) {
        const exact = Math.tanh(x32.data[i]!);
        expect(Math.abs(y.data[i]! - exact), `tanh(${x32.data[i]})`).toBeLessThanOrEqual(4e-7 * Math.abs(exact) + 1e-30);
      }
      const g = Float32Array.from({ length: n }, (_, i) => (i % 7) - 3);
      y.backward(g);
      for (let i = 0; i < n; i += 97) {
        const t = y.data[i]!;
        expect(x32.grad!.data[i]).toBeCloseTo(g[i]! * (1 - t * t), 6);
      }
    }
  });

  it('a whole LeNet (paper 000) in float32 matches the same weights in float64: logits and every parameter gradient', () => {
    const m32 = createModel({ arch: 'lenet-000', numClasses: 10, seed: 5 });
    const m64 = createModel({ arch: 'lenet-000', numClasses: 10, seed: 5, dtype: 'float64' });
    m64.setFlatParams(m32.getFlatParams());
    const x = normal([4, 1, 28, 28], 4000);
    const labels = [1, 7, 3, 0];
    const l32 = crossEntropy(m32.forward(cast(x, 'float32')), labels);
    const l64 = crossEntropy(m64.forward(x), labels);
    expect(Math.abs(l32.item() - l64.item())).toBeLessThan(1e-5);
    l32.backward();
    l64.backward();
    expect(relMaxDiff(m32.getFlatGrad(), m64.getFlatGrad())).toBeLessThan(1e-4);
  });

  it('reuses one workspace: engine memory in use does not grow across calls', () => {
    const [x32] = pair([8, 1, 28, 28], 5000);
    const [w32] = pair([6, 1, 5, 5], 5001);
    conv2d(x32, w32, null, { padding: 2 });
    const before = backendKernel()!.bytesInUse;
    for (let i = 0; i < 20; i++) conv2d(x32, w32, null, { padding: 2 }).backward(new Float32Array(8 * 6 * 28 * 28).fill(1));
    expect(backendKernel()!.bytesInUse).toBe(before);
  });
});
