// Dataset distillation's hypergradient through the quantum LeNet: dL/d(images)
// and dL/d(learning rates) of the whole 3-step unrolled objective against
// brute central differences of that objective (no hypergradient code
// involved), for data that cycles (1 batch × 3 epochs) and one batch per
// step (3 × 1), with frozen circuit weights, and the kink guard of the
// central-difference Hessian-vector products on a ReLU network.
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { createHybridModel } from '../../sdk/qnn/hybrid.js';
import { circuitWeightRanges, initializePaper000 } from '../../sdk/distill/dataset.js';
import { createModel, crossEntropy, hvp, init, noGrad, Tensor, unrolledHypergradient, valueAndGrad, type Module } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';

let kernel: Kernel;
let model: Module;
beforeAll(async () => {
  await init();
  kernel = await createKernel();
  // A SMALL quantum LeNet: 12×12 images (trunk → 16 features), 2 classes, float64, the authors' init.
  model = await createHybridModel({ arch: 'quantum-lenet-000', numClasses: 2, imageSize: 12, dtype: 'float64', seed: 3 }, { kernel });
  initializePaper000(model, new Random(7));
});

const SIDE = 12;
const PIXELS = SIDE * SIDE;

function images(n: number, seed: number): Float64Array {
  const rng = new Random(seed);
  return Float64Array.from({ length: n * PIXELS }, () => rng.normal());
}

const real = new Tensor(images(6, 11), [6, 1, SIDE, SIDE]);
const realLabels = [0, 1, 1, 0, 1, 0];

interface Setup {
  /** Synthetic batches (each 2 images, labels [0, 1]). */
  batches: Float64Array[];
  lrs: number[];
  mask?: Float64Array;
}

/** L(θ_T) of the unrolled objective, computed plainly (first-order gradients only). */
function objective(setup: Setup, batches: Float64Array[], lrs: number[]): number {
  let theta = model.getFlatParams();
  lrs.forEach((eta, t) => {
    const x = new Tensor(batches[t % batches.length]!, [2, 1, SIDE, SIDE]);
    const { dParams } = valueAndGrad((p, xx) => crossEntropy(model.apply(p, xx), [0, 1]), theta, x, { inputGrad: false });
    theta = theta.map((v, i) => v - eta * (setup.mask ? setup.mask[i]! : 1) * dParams[i]!);
  });
  return noGrad(() => crossEntropy(model.apply(theta, real), realLabels).item());
}

function hypergradient(setup: Setup) {
  return unrolledHypergradient({
    innerLoss: (p, x) => crossEntropy(model.apply(p, x), [0, 1]),
    outerLoss: (p) => crossEntropy(model.apply(p, real), realLabels),
    theta0: model.getFlatParams(),
    syntheticInputs: setup.batches.map((b) => new Tensor(b, [2, 1, SIDE, SIDE])),
    learningRates: setup.lrs,
    ...(setup.mask ? { trainableMask: setup.mask } : {}),
  }, { eps: 1e-6 });
}

/** Brute central differences (step h, small enough not to cross a ReLU/max-pool kink) along directions and per lr. */
function check(setup: Setup, label: string): void {
  const r = hypergradient(setup);
  const h = 1e-6;
  const rng = new Random(19);
  const flat = (bs: Float64Array[]): Float64Array => Float64Array.from(bs.flatMap((b) => Array.from(b)));
  const split = (v: Float64Array): Float64Array[] => setup.batches.map((_, b) => v.slice(b * 2 * PIXELS, (b + 1) * 2 * PIXELS));
  const x0 = flat(setup.batches);
  // random directions in image space, plus single pixels of every batch
  const directions: Float64Array[] = [0, 1, 2].map(() => Float64Array.from({ length: x0.length }, () => rng.normal()));
  for (const i of [0, 77, 2 * PIXELS - 1, x0.length - 5]) {
    const e = new Float64Array(x0.length);
    e[i] = 1;
    directions.push(e);
  }
  let checked = 0;
  for (const v of directions) {
    const fd = (objective(setup, split(x0.map((x, i) => x + h * v[i]!)), setup.lrs) - objective(setup, split(x0.map((x, i) => x - h * v[i]!)), setup.lrs)) / (2 * h);
    const analytic = v.reduce((s, vi, i) => s + vi * r.dInputs[i]!, 0);
    expect(Math.abs(analytic - fd), `${label}: images along a direction (fd ${fd})`).toBeLessThan(1e-5 * Math.max(1e-2, Math.abs(fd)) + 1e-9);
    if (Math.abs(fd) > 1e-7) checked++;
  }
  expect(checked, `${label}: most directions have a non-zero derivative`).toBeGreaterThanOrEqual(4);
  setup.lrs.forEach((_, t) => {
    const up = [...setup.lrs];
    const down = [...setup.lrs];
    up[t]! += h;
    down[t]! -= h;
    const fd = (objective(setup, setup.batches, up) - objective(setup, setup.batches, down)) / (2 * h);
    expect(Math.abs(r.dLearningRates[t]! - fd), `${label}: dL/dη_${t} (fd ${fd})`).toBeLessThan(1e-5 * Math.max(1e-2, Math.abs(fd)));
  });
  expect(r.innerLosses).toHaveLength(setup.lrs.length);
}

describe('hypergradient of a small quantum LeNet through 3 unrolled steps vs central finite differences', () => {
  it('one synthetic batch cycled three times (the MNIST setting: 1 step × 3 epochs)', () => {
    check({ batches: [images(2, 31)], lrs: [0.05, 0.08, 0.03] }, '1×3');
  });

  it('one synthetic batch per step (3 steps × 1 epoch): each batch gets its own gradient', () => {
    const setup = { batches: [images(2, 41), images(2, 42), images(2, 43)], lrs: [0.1, 0.05, 0.07] };
    check(setup, '3×1');
    const r = hypergradient(setup);
    expect(r.dInputList).toHaveLength(3);
    expect(r.dInputList.every((d) => d.some((v) => v !== 0))).toBe(true);
  });

  it('with the circuit weights frozen in the inner steps (trainable mask): they stay put and the hypergradient still matches', () => {
    const mask = new Float64Array(model.numParameters()).fill(1);
    const ranges = circuitWeightRanges(model);
    expect(ranges).toHaveLength(1);
    expect(ranges[0]![1] - ranges[0]![0]).toBe(3 * 6 * 3);
    for (const [a, b] of ranges) mask.fill(0, a, b);
    const setup = { batches: [images(2, 51)], lrs: [0.05, 0.05, 0.05], mask };
    check(setup, 'frozen circuit');
    const r = hypergradient(setup);
    const theta0 = model.getFlatParams();
    const [a, b] = ranges[0]!;
    for (let i = a; i < b; i++) expect(r.thetaFinal[i]).toBe(theta0[i]);
  });
});

describe('the kink guard of central-difference Hessian-vector products', () => {
  it('a step that straddles a ReLU kink is detected and retaken with a smaller ε, matching the small-ε product', () => {
    const mlp = createModel({ arch: 'mlp', inputSize: 6, hiddenSizes: [40], numClasses: 3, activation: 'relu', seed: 2, dtype: 'float64' });
    const rng = new Random(3);
    const x = new Tensor(Float64Array.from({ length: 8 * 6 }, () => rng.normal()), [8, 6]);
    const labels = [0, 1, 2, 0, 1, 2, 0, 1];
    const loss = (p: Tensor, xx: Tensor): Tensor => crossEntropy(mlp.apply(p, xx), labels);
    const theta = mlp.getFlatParams();
    const v = Float64Array.from({ length: theta.length }, () => rng.normal());
    const center = valueAndGrad(loss, theta, x, { inputGrad: false }).dParams;
    const reference = hvp(loss, theta, x, v, { eps: 1e-9 });
    const unguarded = hvp(loss, theta, x, v, { eps: 0.05 });
    const guarded = hvp(loss, theta, x, v, { eps: 0.05, center, kinkRetries: 8 });
    const err = (a: Float64Array): number => Math.max(...a.map((value, i) => Math.abs(value - reference.hvp[i]!))) / Math.max(...reference.hvp.map(Math.abs));
    expect(err(unguarded.hvp)).toBeGreaterThan(1e-2); // ε = 0.05 crosses kinks: the plain difference is off
    expect(guarded.retries).toBeGreaterThan(0);
    expect(guarded.unresolved).toBe(false);
    expect(err(guarded.hvp)).toBeLessThan(1e-4);
    expect(guarded.epsilon).toBeLessThan(unguarded.epsilon);
  });
});
