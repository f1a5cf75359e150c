// The functional form (model.apply(params, x)) against the stateful module,
// and the second-order machinery (HVP, unrolled hypergradients) against brute
// finite differences of the loss itself.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv2d,
  createModel,
  crossEntropy,
  Dropout,
  Flatten,
  hvp,
  init,
  Linear,
  MaxPool2d,
  noGrad,
  ReLU,
  Sequential,
  Tanh,
  tensor,
  Tensor,
  unrolledHypergradient,
  valueAndGrad,
  type Module,
} from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { normal, relMaxDiff } from './helpers.js';

beforeAll(async () => {
  await init();
});

function flatGradOf(model: Module): Float64Array {
  return model.getFlatGrad();
}

describe('functional form vs stateful module', () => {
  it('LeNet (paper 000, float32): apply(θ, x) gives bit-identical logits and gradients to forward(x)', () => {
    const model = createModel({ arch: 'lenet-000', numClasses: 10, seed: 3 });
    const x = normal([5, 1, 28, 28], 1, 'float32');
    const labels = [0, 1, 2, 3, 4];
    const yForward = model.forward(x);
    crossEntropy(yForward, labels).backward();
    const theta = tensor(model.getFlatParams(), { dtype: 'float64', requiresGrad: true });
    const yApply = model.apply(theta, x);
    crossEntropy(yApply, labels).backward();
    expect(Array.from(yApply.data)).toEqual(Array.from(yForward.data));
    expect(Array.from(theta.grad!.data)).toEqual(Array.from(flatGradOf(model)));
  });

  it('a model with batch norm (train and eval) and dropout (eval) agrees in float64, including input gradients', () => {
    const build = (): Sequential =>
      new Sequential(
        new Conv2d(2, 3, 3, { padding: 1, seed: 1, dtype: 'float64' }),
        new BatchNorm2d(3, { dtype: 'float64' }),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Dropout(0.3, { seed: 2 }),
        new Linear(3 * 3 * 3, 4, { seed: 3, dtype: 'float64' }),
      );
    for (const training of [true, false]) {
      const a = build();
      const b = build();
      a.train(training);
      b.train(training);
      (a.layers[5] as Dropout).eval();
      (b.layers[5] as Dropout).eval();
      const xa = normal([4, 2, 6, 6], 7);
      xa.requiresGrad = true;
      const xb = new Tensor(xa.data.slice(), xa.shape, true);
      const ya = a.forward(xa);
      crossEntropy(ya, [0, 1, 2, 3]).backward();
      const theta = tensor(b.getFlatParams(), { dtype: 'float64', requiresGrad: true });
      const yb = b.apply(theta, xb);
      crossEntropy(yb, [0, 1, 2, 3]).backward();
      expect(Array.from(yb.data)).toEqual(Array.from(ya.data));
      expect(Array.from(theta.grad!.data)).toEqual(Array.from(a.getFlatGrad()));
      expect(Array.from(xb.grad!.data)).toEqual(Array.from(xa.grad!.data));
      // both updated their running statistics the same way
      expect(b.stateDict().get('1.runningMean')!.data).toEqual(a.stateDict().get('1.runningMean')!.data);
    }
  });

  it('apply rejects a parameter vector of the wrong length, naming the model', () => {
    const model = createModel({ arch: 'mlp', inputSize: 4, hiddenSizes: [5], numClasses: 3 });
    expect(() => model.apply(new Float64Array(10), normal([2, 4], 1, 'float32'))).toThrow(/mlp\.apply: expected a flat parameter vector of 43 values, got 10/);
  });
});

// A tiny float64 model and data for the second-order tests.
const tiny = createModel({ arch: 'mlp', inputSize: 4, hiddenSizes: [5], numClasses: 3, activation: 'tanh', seed: 11, dtype: 'float64' });
const synLabels = [0, 1, 2];
const realX = normal([12, 4], 21);
const realLabels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2];
const innerLoss = (p: Tensor, x: Tensor): Tensor => crossEntropy(tiny.apply(p, x), synLabels);
const outerLoss = (p: Tensor): Tensor => crossEntropy(tiny.apply(p, realX), realLabels);
const lossValue = (theta: ArrayLike<number>, x: Tensor): number => noGrad(() => innerLoss(tensor(Float64Array.from(theta), { dtype: 'float64' }), x).item());

describe('Hessian-vector products by central differences of gradients', () => {
  it('match H·v from brute second differences of the loss (no gradients involved)', () => {
    const theta = tiny.getFlatParams();
    const x = normal([3, 4], 31);
    const rng = new Random(5);
    const v = Float64Array.from({ length: theta.length }, () => rng.normal());
    const { hvp: hv, mixed } = hvp(innerLoss, theta, x, v, { eps: 1e-4 });
    // (H v)_i = ∂²ℓ/∂θ_i∂t at t = 0 along θ + t v: mixed second difference of the loss.
    const h = 1e-4;
    const brute = new Float64Array(theta.length);
    for (let i = 0; i < theta.length; i++) {
      const at = (si: number, sv: number): number => {
        const p = theta.slice();
        for (let j = 0; j < p.length; j++) p[j]! += sv * h * v[j]!;
        p[i]! += si * h;
        return lossValue(p, x);
      };
      brute[i] = (at(1, 1) - at(-1, 1) - at(1, -1) + at(-1, -1)) / (4 * h * h);
    }
    expect(relMaxDiff(hv, brute)).toBeLessThan(1e-5);
    // the mixed product ∇ₓ(vᵀ∇θℓ), brute: mixed differences in x_i and t.
    const bruteMixed = new Float64Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const at = (si: number, sv: number): number => {
        const p = theta.slice();
        for (let j = 0; j < p.length; j++) p[j]! += sv * h * v[j]!;
        const xd = x.data.slice();
        xd[i]! += si * h;
        return lossValue(p, new Tensor(xd, x.shape));
      };
      bruteMixed[i] = (at(1, 1) - at(-1, 1) - at(1, -1) + at(-1, -1)) / (4 * h * h);
    }
    expect(relMaxDiff(mixed!, bruteMixed)).toBeLessThan(1e-5);
  });
});

function bruteHypergradient(xSyn: Tensor, theta0: Float64Array, lrs: number[]): { dX: Float64Array; dLr: Float64Array } {
  const objective = (x: Tensor, etas: number[]): number => {
    let theta = theta0.slice();
    for (const eta of etas) {
      const { dParams } = valueAndGrad(innerLoss, theta, x, { inputGrad: false });
      theta = theta.map((t, i) => t - eta * dParams[i]!);
    }
    return noGrad(() => outerLoss(tensor(theta, { dtype: 'float64' })).item());
  };
  const h = 1e-5;
  const dX = new Float64Array(xSyn.size);
  for (let i = 0; i < xSyn.size; i++) {
    const plus = xSyn.data.slice();
    const minus = xSyn.data.slice();
    plus[i]! += h;
    minus[i]! -= h;
    dX[i] = (objective(new Tensor(plus, xSyn.shape), lrs) - objective(new Tensor(minus, xSyn.shape), lrs)) / (2 * h);
  }
  const dLr = new Float64Array(lrs.length);
  lrs.forEach((_, t) => {
    const plus = [...lrs];
    const minus = [...lrs];
    plus[t]! += h;
    minus[t]! -= h;
    dLr[t] = (objective(xSyn, plus) - objective(xSyn, minus)) / (2 * h);
  });
  return { dX, dLr };
}

describe('unrolled hypergradients (dataset distillation) vs brute finite differences', () => {
  for (const lrs of [[0.5], [0.3, 0.2, 0.4]]) {
    it(`${lrs.length}-step unroll: dL/dX_syn and dL/dη match finite differences of the whole unrolled objective`, () => {
      const xSyn = normal([3, 4], 41);
      const theta0 = tiny.getFlatParams();
      const r = unrolledHypergradient({ innerLoss, outerLoss, theta0, syntheticInputs: xSyn, learningRates: lrs }, { eps: 1e-4 });
      const brute = bruteHypergradient(xSyn, theta0, lrs);
      expect(r.innerLosses).toHaveLength(lrs.length);
      expect(Math.max(...Array.from(brute.dX, Math.abs))).toBeGreaterThan(1e-4);
      expect(relMaxDiff(r.dInputs, brute.dX)).toBeLessThan(1e-5);
      expect(relMaxDiff(r.dLearningRates, brute.dLr)).toBeLessThan(1e-5);
    });
  }

  it('works through a tiny conv model too (conv → tanh → flatten → linear, float64)', () => {
    const conv = new Sequential(
      new Conv2d(1, 2, 3, { seed: 1, dtype: 'float64' }),
      new Tanh(),
      new Flatten(),
      new Linear(2 * 4 * 4, 3, { seed: 2, dtype: 'float64' }),
    );
    const xs = normal([3, 1, 6, 6], 51);
    const rx = normal([6, 1, 6, 6], 52);
    const rl = [0, 1, 2, 2, 1, 0];
    const inner = (p: Tensor, x: Tensor): Tensor => crossEntropy(conv.apply(p, x), [0, 1, 2]);
    const outer = (p: Tensor): Tensor => crossEntropy(conv.apply(p, rx), rl);
    const theta0 = conv.getFlatParams();
    const r = unrolledHypergradient({ innerLoss: inner, outerLoss: outer, theta0, syntheticInputs: xs, learningRates: [0.2] }, { eps: 1e-4 });
    const h = 1e-5;
    const objective = (x: Tensor): number => {
      const { dParams } = valueAndGrad(inner, theta0, x, { inputGrad: false });
      const theta1 = theta0.map((t, i) => t - 0.2 * dParams[i]!);
      return noGrad(() => outer(tensor(theta1, { dtype: 'float64' })).item());
    };
    const idx = [0, 7, 20, 35, 60, 107];
    for (const i of idx) {
      const plus = xs.data.slice();
      const minus = xs.data.slice();
      plus[i]! += h;
      minus[i]! -= h;
      const fd = (objective(new Tensor(plus, xs.shape)) - objective(new Tensor(minus, xs.shape))) / (2 * h);
      expect(Math.abs(r.dInputs[i]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });
});
