// check_vjp for every differentiable op: random projections of the output vs
// central finite differences along random directions, per input, float64.
import { describe, expect, it } from 'vitest';
import * as ops from '../../sdk/nn/ops/index.js';
import {
  accuracy,
  checkVjp,
  crossEntropy,
  externalOp,
  kdLoss,
  klDivergence,
  mseLoss,
  nllLoss,
  Tensor,
  tolerance,
  zeros,
  type ExternalBlock,
} from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { normal, uniform } from './helpers.js';

interface Case {
  /** The op (export name) this case covers. */
  op: string;
  label: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
  eps?: number;
  tol?: number;
}

const probs = (shape: [number, number], seed: number): Tensor => ops.softmax(normal(shape, seed)).detach();
const labels = [2, 0, 1, 2];

// A fake external block: y = sin(W·x) per row, W [out, in] flattened as the parameters.
function sinBlock(inSize: number, outSize: number): ExternalBlock {
  let saved: { x: Float64Array; w: Float64Array; z: Float64Array; batch: number } | null = null;
  return {
    name: 'SinBlock',
    numParams: inSize * outSize,
    inputSize: inSize,
    outputSize: outSize,
    forward(x, w, batch) {
      const z = new Float64Array(batch * outSize);
      for (let n = 0; n < batch; n++)
        for (let o = 0; o < outSize; o++) {
          let s = 0;
          for (let i = 0; i < inSize; i++) s += w[o * inSize + i]! * x[n * inSize + i]!;
          z[n * outSize + o] = s;
        }
      saved = { x: x.slice(), w: w.slice(), z, batch };
      return z.map(Math.sin);
    },
    backward(dy) {
      const { x, w, z, batch } = saved!;
      const dx = new Float64Array(batch * inSize);
      const dw = new Float64Array(inSize * outSize);
      for (let n = 0; n < batch; n++)
        for (let o = 0; o < outSize; o++) {
          const gz = dy[n * outSize + o]! * Math.cos(z[n * outSize + o]!);
          for (let i = 0; i < inSize; i++) {
            dx[n * inSize + i]! += gz * w[o * inSize + i]!;
            dw[o * inSize + i]! += gz * x[n * inSize + i]!;
          }
        }
      return { dx, dparams: dw };
    },
  };
}

const cases: Case[] = [
  // elementwise
  { op: 'neg', label: 'neg', fn: (x) => ops.neg(x), inputs: () => [normal([3, 4], 1)] },
  { op: 'exp', label: 'exp', fn: (x) => ops.exp(x), inputs: () => [normal([3, 4], 2)] },
  { op: 'log', label: 'log', fn: (x) => ops.log(x), inputs: () => [uniform([3, 4], 3, 0.5, 2)] },
  { op: 'sqrt', label: 'sqrt', fn: (x) => ops.sqrt(x), inputs: () => [uniform([3, 4], 4, 0.5, 2)] },
  { op: 'square', label: 'square', fn: (x) => ops.square(x), inputs: () => [normal([3, 4], 5)] },
  { op: 'sin', label: 'sin', fn: (x) => ops.sin(x), inputs: () => [normal([3, 4], 6)] },
  { op: 'cos', label: 'cos', fn: (x) => ops.cos(x), inputs: () => [normal([3, 4], 7)] },
  { op: 'relu', label: 'relu', fn: (x) => ops.relu(x), inputs: () => [normal([5, 6], 8)] },
  { op: 'tanh', label: 'tanh', fn: (x) => ops.tanh(x), inputs: () => [normal([3, 4], 9)] },
  { op: 'sigmoid', label: 'sigmoid', fn: (x) => ops.sigmoid(x), inputs: () => [uniform([3, 4], 10, -6, 6)] },
  { op: 'scale', label: 'scale', fn: (x) => ops.scale(x, -2.5), inputs: () => [normal([3, 4], 11)] },
  // broadcasting arithmetic
  { op: 'add', label: 'add same shape', fn: (a, b) => ops.add(a!, b!), inputs: () => [normal([2, 3], 12), normal([2, 3], 13)] },
  { op: 'add', label: 'add [4,1,3]+[2,3]', fn: (a, b) => ops.add(a!, b!), inputs: () => [normal([4, 1, 3], 14), normal([2, 3], 15)] },
  { op: 'sub', label: 'sub [2,3]-[3]', fn: (a, b) => ops.sub(a!, b!), inputs: () => [normal([2, 3], 16), normal([3], 17)] },
  { op: 'sub', label: 'sub scalar-[2,3]', fn: (a, b) => ops.sub(a!, b!), inputs: () => [normal([], 18), normal([2, 3], 19)] },
  { op: 'mul', label: 'mul [2,1]*[1,3]', fn: (a, b) => ops.mul(a!, b!), inputs: () => [normal([2, 1], 20), normal([1, 3], 21)] },
  { op: 'mul', label: 'mul [2,3,4]*[3,1]', fn: (a, b) => ops.mul(a!, b!), inputs: () => [normal([2, 3, 4], 22), normal([3, 1], 23)] },
  { op: 'div', label: 'div [2,3]/[2,1]', fn: (a, b) => ops.div(a!, b!), inputs: () => [normal([2, 3], 24), uniform([2, 1], 25, 0.5, 2)] },
  { op: 'div', label: 'div [3]/[2,3]', fn: (a, b) => ops.div(a!, b!), inputs: () => [normal([3], 26), uniform([2, 3], 27, -2, -0.5)] },
  // reductions
  { op: 'sum', label: 'sum all', fn: (x) => ops.sum(x), inputs: () => [normal([2, 3, 4], 28)] },
  { op: 'sum', label: 'sum axis 1', fn: (x) => ops.sum(x, 1), inputs: () => [normal([2, 3, 4], 29)] },
  { op: 'sum', label: 'sum axes [0,2] keepDims', fn: (x) => ops.sum(x, [0, -1], true), inputs: () => [normal([2, 3, 4], 30)] },
  { op: 'mean', label: 'mean axis 0', fn: (x) => ops.mean(x, 0), inputs: () => [normal([3, 5], 31)] },
  { op: 'softmax', label: 'softmax last', fn: (x) => ops.softmax(x), inputs: () => [normal([3, 5], 32)] },
  { op: 'softmax', label: 'softmax axis 1 of 3-D', fn: (x) => ops.softmax(x, 1), inputs: () => [normal([2, 4, 3], 33)] },
  { op: 'logSoftmax', label: 'logSoftmax last', fn: (x) => ops.logSoftmax(x), inputs: () => [normal([3, 5], 34)] },
  { op: 'logSoftmax', label: 'logSoftmax axis 0', fn: (x) => ops.logSoftmax(x, 0), inputs: () => [normal([4, 3], 35)] },
  // shape
  { op: 'reshape', label: 'reshape', fn: (x) => ops.reshape(x, [4, -1]), inputs: () => [normal([2, 3, 2], 36)] },
  { op: 'flatten', label: 'flatten', fn: (x) => ops.flatten(x), inputs: () => [normal([2, 3, 2, 2], 37)] },
  { op: 'permute', label: 'permute', fn: (x) => ops.permute(x, [2, 0, 1]), inputs: () => [normal([2, 3, 4], 38)] },
  { op: 'transpose', label: 'transpose', fn: (x) => ops.transpose(x), inputs: () => [normal([3, 5], 39)] },
  { op: 'concat', label: 'concat axis 1', fn: (a, b, c) => ops.concat([a!, b!, c!], 1), inputs: () => [normal([2, 1, 3], 40), normal([2, 2, 3], 41), normal([2, 3, 3], 42)] },
  { op: 'stack', label: 'stack axis 1', fn: (a, b) => ops.stack([a!, b!], 1), inputs: () => [normal([2, 3], 43), normal([2, 3], 44)] },
  { op: 'slice', label: 'slice axis 1', fn: (x) => ops.slice(x, 1, 1, -1), inputs: () => [normal([2, 5, 3], 45)] },
  { op: 'cast', label: 'cast to float32 and back', fn: (x) => ops.cast(ops.scale(ops.cast(x, 'float32'), 1), 'float64'), inputs: () => [normal([3, 4], 46)], eps: 1e-2, tol: 1e-4 }, // float32 rounding of f(x ± εv) over 2ε bounds the numeric side at ~3e-5,
  // linear algebra
  { op: 'matmul', label: 'matmul', fn: (a, b) => ops.matmul(a!, b!), inputs: () => [normal([3, 4], 47), normal([4, 5], 48)] },
  { op: 'linear', label: 'linear with bias', fn: (x, w, b) => ops.linear(x!, w!, b!), inputs: () => [normal([4, 5], 49), normal([3, 5], 50), normal([3], 51)] },
  { op: 'linear', label: 'linear without bias', fn: (x, w) => ops.linear(x!, w!), inputs: () => [normal([4, 5], 52), normal([3, 5], 53)] },
  // convolution and pooling
  {
    op: 'conv2d',
    label: 'conv2d 2→3 channels, 3×3, stride 1, padding 1',
    fn: (x, w, b) => ops.conv2d(x!, w!, b!, { stride: 1, padding: 1 }),
    inputs: () => [normal([2, 2, 5, 5], 54), normal([3, 2, 3, 3], 55), normal([3], 56)],
  },
  {
    op: 'conv2d',
    label: 'conv2d 3→2 channels, 3×2-odd image, stride 2, padding 2, no bias',
    fn: (x, w) => ops.conv2d(x!, w!, null, { stride: 2, padding: 2 }),
    inputs: () => [normal([1, 3, 7, 6], 57), normal([2, 3, 3, 3], 58)],
  },
  { op: 'avgPool2d', label: 'avgPool2d 2', fn: (x) => ops.avgPool2d(x, { kernelSize: 2 }), inputs: () => [normal([2, 3, 6, 5], 59)] },
  { op: 'avgPool2d', label: 'avgPool2d 3 stride 2', fn: (x) => ops.avgPool2d(x, { kernelSize: 3, stride: 2 }), inputs: () => [normal([1, 2, 7, 7], 60)] },
  { op: 'maxPool2d', label: 'maxPool2d 2', fn: (x) => ops.maxPool2d(x, { kernelSize: 2 }), inputs: () => [normal([2, 3, 6, 6], 61)] },
  { op: 'maxPool2d', label: 'maxPool2d 3 stride 1', fn: (x) => ops.maxPool2d(x, { kernelSize: 3, stride: 1 }), inputs: () => [normal([1, 2, 5, 5], 62)] },
  // regularisation
  { op: 'dropout', label: 'dropout (fixed seed)', fn: (x) => ops.dropout(x, 0.4, new Random(7)), inputs: () => [normal([4, 5], 63)] },
  {
    op: 'batchNorm',
    label: 'batchNorm train [N,C,H,W]',
    fn: (x, g, b) => ops.batchNorm(x!, g!, b!, { training: true, runningMean: zeros([3], { dtype: 'float64' }), runningVar: zeros([3], { dtype: 'float64' }) }),
    inputs: () => [normal([4, 3, 2, 2], 64), normal([3], 65), normal([3], 66)],
  },
  {
    op: 'batchNorm',
    label: 'batchNorm train [N,C] without affine',
    fn: (x) => ops.batchNorm(x!, null, null, { training: true, runningMean: zeros([4], { dtype: 'float64' }), runningVar: zeros([4], { dtype: 'float64' }) }),
    inputs: () => [normal([5, 4], 67)],
  },
  {
    op: 'batchNorm',
    label: 'batchNorm eval',
    fn: (x, g, b) => ops.batchNorm(x!, g!, b!, { training: false, runningMean: normal([3], 68), runningVar: uniform([3], 69, 0.5, 2) }),
    inputs: () => [normal([4, 3, 2, 2], 70), normal([3], 71), normal([3], 72)],
  },
  // generic external function
  {
    op: 'customOp',
    label: 'customOp y = x²·w (two inputs)',
    fn: (x, w) =>
      ops.customOp(
        [x!, w!],
        ([xd, wd]) => ({ data: xd!.map((v, i) => v * v * wd![i % wd!.length]!), shape: x!.shape }),
        (g, { inputs: [xd, wd] }) => {
          const gw = new Float64Array(wd!.length);
          xd!.forEach((v, i) => (gw[i % wd!.length]! += g[i]! * v * v));
          return [g.map((gi, i) => 2 * gi * xd![i]! * wd![i % wd!.length]!), gw];
        },
        { name: 'squareTimesW' },
      ),
    inputs: () => [normal([3, 4], 73), normal([4], 74)],
  },
  {
    op: 'externalOp',
    label: 'externalOp sin(W·x) block',
    fn: (x, w) => externalOp(sinBlock(4, 3), x!, w!),
    inputs: () => [normal([5, 4], 75), normal([12], 76)],
  },
  // losses (fused ops)
  { op: 'crossEntropy', label: 'crossEntropy labels', fn: (z) => crossEntropy(z!, labels), inputs: () => [normal([4, 3], 77)] },
  { op: 'crossEntropy', label: 'crossEntropy label smoothing, sum', fn: (z) => crossEntropy(z!, labels, { labelSmoothing: 0.2, reduction: 'sum' }), inputs: () => [normal([4, 3], 78)] },
  { op: 'crossEntropy', label: 'crossEntropy soft targets (both inputs)', fn: (z, p) => crossEntropy(z!, p!), inputs: () => [normal([4, 3], 79), probs([4, 3], 80)] },
  { op: 'nllLoss', label: 'nllLoss', fn: (lp) => nllLoss(lp!, labels), inputs: () => [normal([4, 3], 81)] },
  { op: 'mseLoss', label: 'mseLoss (both inputs)', fn: (a, b) => mseLoss(a!, b!), inputs: () => [normal([3, 4], 82), normal([3, 4], 83)] },
  { op: 'klDivergence', label: 'KL(logits‖logits), T = 2', fn: (p, q) => klDivergence({ logits: p! }, { logits: q! }, { temperature: 2 }), inputs: () => [normal([4, 5], 84), normal([4, 5], 85)] },
  { op: 'klDivergence', label: 'KL(probs‖logits)', fn: (p, q) => klDivergence({ probs: p! }, { logits: q! }), inputs: () => [probs([4, 5], 86), normal([4, 5], 87)] },
  {
    op: 'kdLoss',
    label: 'kdLoss alpha, T² on, forward KL',
    fn: (s) => kdLoss(s!, { logits: normal([4, 3], 88) }, labels, { temperature: 3, alpha: 0.7 }),
    inputs: () => [normal([4, 3], 89)],
  },
  {
    op: 'kdLoss',
    label: 'kdLoss independent weights, T² off, reverse KL, teacher probs',
    fn: (s) => kdLoss(s!, { probs: probs([4, 3], 90) }, labels, { temperature: 2, kdWeight: 0.9, ceWeight: 1, tSquared: false, direction: 'student||teacher', labelSmoothing: 0.1 }),
    inputs: () => [normal([4, 3], 91)],
  },
];

describe('check_vjp (float64, central differences along random directions)', () => {
  for (const c of cases) {
    it(`${c.label}: VJP matches finite differences`, () => {
      const checks = checkVjp(c.fn, c.inputs(), { rng: new Random(1234), eps: c.eps ?? 1e-6 });
      expect(checks.length).toBeGreaterThan(0);
      for (const check of checks) {
        expect(check.relError, `input ${check.input}: analytic ${check.analytic}, numeric ${check.numeric}`).toBeLessThan(c.tol ?? tolerance('float64').vjp);
        expect(Math.abs(check.analytic)).toBeGreaterThan(1e-8); // a check on a zero gradient proves nothing
      }
    });
  }

  it('covers every differentiable op exported by sdk/nn/ops and every loss', () => {
    const notDifferentiable = new Set(['argmax', 'scalar', 'broadcastShapes']);
    const exported = Object.keys(ops).filter((k) => typeof (ops as Record<string, unknown>)[k] === 'function' && !notDifferentiable.has(k));
    const covered = new Set(cases.map((c) => c.op));
    const missing = [...exported, 'externalOp', 'crossEntropy', 'nllLoss', 'mseLoss', 'klDivergence', 'kdLoss'].filter((k) => !covered.has(k));
    expect(missing).toEqual([]);
  });

  it('detects a wrong VJP (the check can fail)', () => {
    const wrong = (x: Tensor): Tensor =>
      ops.customOp([x], ([xd]) => ({ data: xd!.map(Math.sin), shape: x.shape }), (g) => [g.slice()], { name: 'sinWithWrongVjp' });
    const [check] = checkVjp(wrong, [normal([3, 3], 99)]);
    expect(check!.relError).toBeGreaterThan(1e-2);
  });

  it('accuracy counts argmax hits', () => {
    expect(accuracy(new Tensor(Float64Array.from([0.1, 0.9, 0.8, 0.2]), [2, 2]), [1, 1])).toBe(0.5);
  });
});
