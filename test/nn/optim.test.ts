// Optimisers against hand-written PyTorch update rules, on modules, tensors
// and raw flat arrays; state dicts; schedulers.
import { describe, expect, it } from 'vitest';
import { Linear, mseLoss, Tensor, tensor } from '../../sdk/nn/index.js';
import { Adam, AdamW, CosineAnnealingLR, restoreOptimizer, SGD, StepLR } from '../../sdk/nn/optim/index.js';
import { expectError, normal } from './helpers.js';

// A fixed gradient sequence for one scalar-vector parameter.
const grads = [
  [0.5, -1.0, 2.0],
  [0.1, 0.3, -0.2],
  [-0.4, 0.0, 1.5],
];

function run(make: (p: Float64Array) => { step(g: ArrayLike<number>): void }): number[] {
  const p = Float64Array.from([1, -2, 0.5]);
  const opt = make(p);
  for (const g of grads) opt.step(g);
  return Array.from(p);
}

describe('optimisers (PyTorch update rules)', () => {
  it('SGD with momentum, dampening, weight decay; Nesterov', () => {
    const reference = (mu: number, d: number, wd: number, nesterov: boolean, lr: number): number[] => {
      const p = [1, -2, 0.5];
      let buf: number[] | null = null;
      for (const gr of grads) {
        const g = gr.map((v, i) => v + wd * p[i]!);
        buf = buf ? buf.map((b, i) => mu * b + (1 - d) * g[i]!) : [...g];
        const upd = nesterov ? g.map((v, i) => v + mu * buf![i]!) : buf;
        for (let i = 0; i < 3; i++) p[i] = p[i]! - lr * upd[i]!;
      }
      return p;
    };
    expect(run((p) => new SGD(p, { lr: 0.1 }))).toEqual(reference(0, 0, 0, false, 0.1).map((v) => expect.closeTo(v, 14)));
    expect(run((p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }))).toEqual(
      reference(0.9, 0.1, 0.01, false, 0.1).map((v) => expect.closeTo(v, 14)),
    );
    expect(run((p) => new SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true }))).toEqual(reference(0.8, 0, 0, true, 0.05).map((v) => expect.closeTo(v, 14)));
    expectError(() => new SGD(new Float64Array(1), { lr: 0.1, nesterov: true }), 'E_INVALID_ARGUMENT', 'Nesterov momentum needs momentum > 0');
  });

  it('Adam (L2 weight decay) and AdamW (decoupled decay) with bias correction', () => {
    const reference = (decoupled: boolean, wd: number, lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] => {
      const p = [1, -2, 0.5];
      const m = [0, 0, 0];
      const v = [0, 0, 0];
      grads.forEach((gr, k) => {
        const t = k + 1;
        for (let i = 0; i < 3; i++) {
          let g = gr[i]!;
          if (decoupled) p[i] = p[i]! * (1 - lr * wd);
          else g += wd * p[i]!;
          m[i] = b1 * m[i]! + (1 - b1) * g;
          v[i] = b2 * v[i]! + (1 - b2) * g * g;
          const mHat = m[i]! / (1 - b1 ** t);
          const vHat = v[i]! / (1 - b2 ** t);
          p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
        }
      });
      return p;
    };
    expect(run((p) => new Adam(p, { lr: 0.01 }))).toEqual(reference(false, 0).map((v) => expect.closeTo(v, 12)));
    expect(run((p) => new Adam(p, { lr: 0.01, weightDecay: 0.1 }))).toEqual(reference(false, 0.1).map((v) => expect.closeTo(v, 12)));
    expect(run((p) => new AdamW(p, { lr: 0.01 }))).toEqual(reference(true, 0.01).map((v) => expect.closeTo(v, 12)));
    expect(run((p) => new AdamW(p, { lr: 0.01, weightDecay: 0.5, betas: [0.8, 0.99], eps: 1e-6 }))).toEqual(
      reference(true, 0.5, 0.01, 0.8, 0.99, 1e-6).map((v) => expect.closeTo(v, 12)),
    );
  });

  it('works on a module with step() from the tensors’ grads, and equals a raw-array optimiser fed the flat gradient', () => {
    const layer = new Linear(3, 2, { seed: 1, dtype: 'float64' });
    const flat = layer.getFlatParams();
    const opt = new Adam(layer, { lr: 0.05 });
    const raw = new Adam(flat, { lr: 0.05 });
    const x = normal([4, 3], 2);
    const target = normal([4, 2], 3);
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      mseLoss(layer.forward(x), target).backward();
      const g = layer.getFlatGrad();
      opt.step();
      raw.step(g);
    }
    expect(Array.from(layer.getFlatParams())).toEqual(Array.from(flat).map((v) => expect.closeTo(v, 12)));
  });

  it('skips tensors without a gradient and validates inputs', () => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3], { dtype: 'float64', requiresGrad: true });
    a.gradData = Float64Array.from([1, 1]);
    const opt = new SGD([a, b], { lr: 0.5 });
    opt.step();
    expect(Array.from(a.data)).toEqual([0.5, 1.5]);
    expect(Array.from(b.data)).toEqual([3]);
    expectError(() => new SGD(new Float64Array(2), { lr: 0.1 }).step(), 'E_INVALID_ARGUMENT', 'needs the gradient: step(grad)');
    expectError(() => new SGD(new Float64Array(2), { lr: 0.1 }).step([1]), 'E_SHAPE', 'expected a gradient of 2 values, got 1');
    expectError(() => new SGD(new Float64Array(2), { lr: 0.1 }).step([NaN, 0]), 'E_NAN', 'holds NaN at index 0');
  });

  it('state dicts round-trip (a restored optimiser continues identically)', () => {
    const p1 = Float64Array.from([1, -2, 0.5]);
    const o1 = new Adam(p1, { lr: 0.01, weightDecay: 0.1 });
    o1.step(grads[0]!);
    const saved = o1.stateDict();
    const p2 = p1.slice();
    const o2 = restoreOptimizer(p2, saved);
    expect(o2).toBeInstanceOf(Adam);
    o1.step(grads[1]!);
    o2.step(grads[1]!);
    expect(Array.from(p2)).toEqual(Array.from(p1));
    const sgd = new SGD(new Float64Array(3), { lr: 0.1, momentum: 0.9 });
    expectError(() => sgd.loadStateDict(saved), 'E_CHECKPOINT', 'the state is for a adam optimiser');
  });

  it('StepLR and CosineAnnealingLR set the learning rate per epoch', () => {
    const opt = new SGD(new Float64Array(1), { lr: 1 });
    const step = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const lrs: number[] = [];
    for (let e = 0; e < 5; e++) {
      step.step();
      lrs.push(opt.lr);
    }
    expect(lrs).toEqual([1, 0.5, 0.5, 0.25, 0.25]);
    const opt2 = new SGD(new Float64Array(1), { lr: 0.1 });
    const cos = new CosineAnnealingLR(opt2, { tMax: 4, etaMin: 0.01 });
    const seen: number[] = [];
    for (let e = 0; e < 5; e++) {
      cos.step();
      seen.push(opt2.lr);
    }
    expect(seen.map((v) => +v.toFixed(6))).toEqual([0.086820, 0.055, 0.023180, 0.01, 0.01]);
  });

  it('moves a float32 tensor parameter in place', () => {
    const w = new Tensor(Float32Array.from([1, 1]), [2], true);
    w.gradData = Float32Array.from([2, -2]);
    new SGD([w], { lr: 0.25 }).step();
    expect(Array.from(w.data)).toEqual([0.5, 1.5]);
  });
});
