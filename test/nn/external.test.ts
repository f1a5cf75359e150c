// External blocks (the QNN layer's way in): a fake block y = sin(W·x) with a
// stateful backward, wrapped as an op and as a module, checked against finite
// differences, inside a classical graph, through unrolled hypergradients.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  cast,
  checkVjp,
  crossEntropy,
  ExternalModule,
  externalOp,
  init,
  Linear,
  noGrad,
  Sequential,
  Tanh,
  tensor,
  Tensor,
  tolerance,
  unrolledHypergradient,
  valueAndGrad,
  type ExternalBlock,
} from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { expectError, normal } from './helpers.js';

beforeAll(async () => {
  await init();
});

/** y[n, o] = sin(Σᵢ W[o, i]·x[n, i]); backward uses what the LAST forward saw (like an adjoint simulator). */
class SinBlock implements ExternalBlock {
  readonly name = 'SinBlock';
  readonly numParams: number;
  forwardCalls = 0;
  backwardCalls = 0;
  private saved: { x: Float64Array; w: Float64Array; z: Float64Array; batch: number } | null = null;
  constructor(
    readonly inputSize: number,
    readonly outputSize: number,
  ) {
    this.numParams = inputSize * outputSize;
  }
  forward(x: Float64Array, w: Float64Array, batch: number): Float64Array {
    expect(x).toBeInstanceOf(Float64Array);
    expect(w).toBeInstanceOf(Float64Array);
    this.forwardCalls++;
    const { inputSize: I, outputSize: O } = this;
    const z = new Float64Array(batch * O);
    for (let n = 0; n < batch; n++)
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let i = 0; i < I; i++) s += w[o * I + i]! * x[n * I + i]!;
        z[n * O + o] = s;
      }
    this.saved = { x: x.slice(), w: w.slice(), z, batch };
    return z.map(Math.sin);
  }
  backward(dy: Float64Array, needs: { needInputGrad: boolean; needParamGrad: boolean }): { dx: Float64Array | null; dparams: Float64Array | null } {
    this.backwardCalls++;
    const { inputSize: I, outputSize: O } = this;
    const { x, w, z, batch } = this.saved!;
    const dx = new Float64Array(batch * I);
    const dw = new Float64Array(I * O);
    for (let n = 0; n < batch; n++)
      for (let o = 0; o < O; o++) {
        const gz = dy[n * O + o]! * Math.cos(z[n * O + o]!);
        for (let i = 0; i < I; i++) {
          dx[n * I + i]! += gz * w[o * I + i]!;
          dw[o * I + i]! += gz * x[n * I + i]!;
        }
      }
    return { dx: needs.needInputGrad ? dx : null, dparams: needs.needParamGrad ? dw : null };
  }
}

describe('external blocks', () => {
  it('externalOp: the VJP to inputs and parameters matches finite differences', () => {
    const block = new SinBlock(4, 3);
    const checks = checkVjp((x, w) => externalOp(block, x!, w!), [normal([5, 4], 1), normal([12], 2)]);
    for (const c of checks) expect(c.relError).toBeLessThan(tolerance('float64').vjp);
  });

  it('a block called twice before the backward sweep gets re-run so each VJP is taken at its own point', () => {
    const block = new SinBlock(3, 2);
    const w = normal([6], 3);
    const checks = checkVjp((x1, x2, wt) => add(externalOp(block, x1!, wt!), externalOp(block, x2!, wt!)), [normal([2, 3], 4), normal([2, 3], 5), w]);
    for (const c of checks) expect(c.relError).toBeLessThan(tolerance('float64').vjp);
    // exactly one extra forward: the op processed second restores the block's state
    const counted = new SinBlock(3, 2);
    const wt = normal([6], 3);
    wt.requiresGrad = true;
    add(externalOp(counted, normal([2, 3], 4), wt), externalOp(counted, normal([2, 3], 5), wt)).backward(new Float64Array(4).fill(1));
    expect([counted.forwardCalls, counted.backwardCalls]).toEqual([3, 2]);
  });

  it('as a module inside a classical model: gradients flow through Linear → Tanh → block → Linear (functional form, float64)', () => {
    const block = new SinBlock(4, 3);
    const model = new Sequential(
      new Linear(6, 4, { seed: 1, dtype: 'float64' }),
      new Tanh(),
      new ExternalModule(block, { seed: 2 }),
      new Linear(3, 2, { seed: 3, dtype: 'float64' }),
    );
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '3.weight', '3.bias']);
    expect(model.numParameters()).toBe(6 * 4 + 4 + 12 + 3 * 2 + 2);
    const theta = tensor(model.getFlatParams(), { dtype: 'float64' });
    const checks = checkVjp((p, x) => model.apply(p!, x!), [theta, normal([5, 6], 6)]);
    for (const c of checks) expect(c.relError).toBeLessThan(tolerance('float64').vjp);
  });

  it('in a float32 model the block still sees float64 arrays; outputs come back float32 and the block weight gradient lands in the module', () => {
    const block = new SinBlock(4, 3);
    const ext = new ExternalModule(block, { seed: 2 });
    const model = new Sequential(new Linear(6, 4, { seed: 1 }), new Tanh(), ext, new Linear(3, 2, { seed: 3 }));
    const y = model.forward(normal([5, 6], 7, 'float32'));
    expect(y.dtype).toBe('float32');
    crossEntropy(y, [0, 1, 0, 1, 1]).backward();
    expect(ext.weight.dtype).toBe('float64');
    expect(ext.weight.grad!.data.some((v) => v !== 0)).toBe(true);
    expect(block.backwardCalls).toBe(1);
  });

  it('blocks returning { y, backward } closures work without re-running forward', () => {
    const inner = new SinBlock(2, 2);
    let forwards = 0;
    const closureBlock: ExternalBlock = {
      name: 'ClosureBlock',
      numParams: 4,
      outputSize: 2,
      forward(x, w, batch) {
        forwards++;
        const y = inner.forward(x, w, batch);
        const snapshot = new SinBlock(2, 2);
        snapshot.forward(x, w, batch);
        return { y, backward: (dy, needs) => snapshot.backward(dy, needs) };
      },
    };
    const checks = checkVjp((x1, x2, w) => add(externalOp(closureBlock, x1!, w!), externalOp(closureBlock, x2!, w!)), [normal([3, 2], 8), normal([3, 2], 9), normal([4], 10)]);
    for (const c of checks) expect(c.relError).toBeLessThan(tolerance('float64').vjp);
    expect(forwards).toBeGreaterThan(0);
  });

  it('hypergradients of an unrolled step work through the block with only its first-order backward', () => {
    const block = new SinBlock(3, 3);
    const model = new Sequential(new ExternalModule(block, { seed: 4 }), new Linear(3, 3, { seed: 5, dtype: 'float64' }));
    const realX = normal([6, 3], 11);
    const inner = (p: Tensor, x: Tensor): Tensor => crossEntropy(model.apply(p, x), [0, 1, 2]);
    const outer = (p: Tensor): Tensor => crossEntropy(model.apply(p, realX), [0, 1, 2, 2, 1, 0]);
    const theta0 = model.getFlatParams();
    const xs = normal([3, 3], 12);
    const r = unrolledHypergradient({ innerLoss: inner, outerLoss: outer, theta0, syntheticInputs: xs, learningRates: [0.3] }, { eps: 1e-4 });
    const objective = (x: Tensor): number => {
      const { dParams } = valueAndGrad(inner, theta0, x, { inputGrad: false });
      return noGrad(() => outer(tensor(theta0.map((t, i) => t - 0.3 * dParams[i]!), { dtype: 'float64' })).item());
    };
    const h = 1e-5;
    for (let i = 0; i < xs.size; i++) {
      const p = xs.data.slice();
      const m = xs.data.slice();
      p[i]! += h;
      m[i]! -= h;
      const fd = (objective(new Tensor(p, xs.shape)) - objective(new Tensor(m, xs.shape))) / (2 * h);
      expect(Math.abs(r.dInputs[i]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it('rejects inputs of the wrong width, naming the block and both shapes', () => {
    const block = new SinBlock(4, 3);
    expectError(() => externalOp(block, normal([2, 5], 1), normal([12], 2)), 'E_SHAPE', 'SinBlock: expected input [N, 4], got [2, 5]');
    expectError(() => externalOp(block, normal([2, 4], 1), normal([11], 2)), 'E_SHAPE', 'SinBlock: expected 12 parameters, got 11');
  });

  it('raises E_NAN when the block returns NaN, and E_SHAPE when backward returns the wrong length', () => {
    const nanBlock: ExternalBlock = { name: 'NanBlock', numParams: 1, outputSize: 1, forward: (_x, _w, b) => new Float64Array(b).fill(NaN), backward: () => ({}) };
    expectError(() => externalOp(nanBlock, normal([2, 1], 1), normal([1], 2)), 'E_NAN', 'NanBlock: forward output holds NaN at index 0');
    const short: ExternalBlock = {
      name: 'ShortBlock',
      numParams: 2,
      outputSize: 1,
      forward: (_x, _w, b) => new Float64Array(b),
      backward: () => ({ dx: new Float64Array(1), dparams: new Float64Array(1) }),
    };
    const w = normal([2], 3);
    w.requiresGrad = true;
    const y = externalOp(short, normal([2, 1], 4), w);
    expectError(() => y.backward(new Float64Array(2).fill(1)), 'E_SHAPE', 'ShortBlock: backward returned 1 values for dparams, expected 2');
  });

  it('a forward-only block runs for inference and says it cannot be differentiated', () => {
    const fwdOnly: ExternalBlock = { name: 'InferenceOnly', numParams: 1, outputSize: 2, forward: (x, _w, b) => new Float64Array(2 * b).fill(x[0]!) };
    const w = normal([1], 1);
    w.requiresGrad = true;
    const y = externalOp(fwdOnly, normal([3, 2], 2), w);
    expect(y.shape).toEqual([3, 2]);
    expectError(() => y.backward(new Float64Array(6)), 'E_UNSUPPORTED', 'InferenceOnly: this block has no backward');
  });

  it('ExternalModule initial weights: block.initParams, explicit init, or U[0, 2π) from the seed', () => {
    const block = new SinBlock(2, 2);
    const a = new ExternalModule(block, { seed: 9 });
    const b = new ExternalModule(block, { seed: 9 });
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    expect(a.weight.data.every((v) => v >= 0 && v < 2 * Math.PI)).toBe(true);
    const c = new ExternalModule(block, { init: [1, 2, 3, 4] });
    expect(Array.from(c.weight.data)).toEqual([1, 2, 3, 4]);
    const withInit: ExternalBlock = Object.assign(new SinBlock(2, 2), { initParams: (rng: Random) => [rng.uniform(), 0, 0, 0] });
    expect(new ExternalModule(withInit, { seed: 1 }).weight.data[1]).toBe(0);
    expectError(() => new ExternalModule(block, { init: [1, 2] }), 'E_SHAPE', 'initial weights have 2 values, the block needs 4');
    expect(cast(a.weight, 'float32').dtype).toBe('float32');
  });
});
