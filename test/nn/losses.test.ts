// Loss values against direct formulas, every KD switch, and NaN handling.
import { describe, expect, it } from 'vitest';
import {
  crossEntropy,
  kdLoss,
  kdLossTerms,
  klDivergence,
  logSoftmax,
  mseLoss,
  nllLoss,
  softmax,
  tensor,
  Tensor,
} from '../../sdk/nn/index.js';
import { expectError, normal } from './helpers.js';

function rows(t: Tensor): number[][] {
  const c = t.shape[1]!;
  return Array.from({ length: t.shape[0]! }, (_, r) => Array.from(t.data.subarray(r * c, (r + 1) * c)));
}
const logSm = (z: number[], T = 1): number[] => {
  const s = z.map((v) => v / T);
  const m = Math.max(...s);
  const lse = m + Math.log(s.reduce((a, v) => a + Math.exp(v - m), 0));
  return s.map((v) => v - lse);
};
const kl = (lp: number[], lq: number[]): number => lp.reduce((a, v, j) => a + Math.exp(v) * (v - lq[j]!), 0);

const z = normal([4, 5], 1);
const t = normal([4, 5], 2);
const y = [4, 0, 2, 1];

describe('losses', () => {
  it('crossEntropy = mean −log softmax at the label; sum and none reductions; nllLoss∘logSoftmax agrees', () => {
    const per = rows(z).map((r, i) => -logSm(r)[y[i]!]!);
    const mean = per.reduce((a, b) => a + b) / 4;
    expect(crossEntropy(z, y).item()).toBeCloseTo(mean, 12);
    expect(crossEntropy(z, y, { reduction: 'sum' }).item()).toBeCloseTo(mean * 4, 12);
    expect(Array.from(crossEntropy(z, y, { reduction: 'none' }).data)).toEqual(per.map((v) => expect.closeTo(v, 12)));
    expect(nllLoss(logSoftmax(z), y).item()).toBeCloseTo(mean, 12);
  });

  it("label smoothing follows PyTorch: (1−ε)·NLL + ε·mean_j(−log p_j); off by default", () => {
    const eps = 0.1;
    const expected =
      rows(z)
        .map((r, i) => {
          const lp = logSm(r);
          return (1 - eps) * -lp[y[i]!]! + eps * (-lp.reduce((a, b) => a + b) / 5);
        })
        .reduce((a, b) => a + b) / 4;
    expect(crossEntropy(z, y, { labelSmoothing: eps }).item()).toBeCloseTo(expected, 12);
    expect(crossEntropy(z, y, { labelSmoothing: 0 }).item()).toBe(crossEntropy(z, y).item());
  });

  it('crossEntropy with soft targets = −Σ q log p', () => {
    const q = softmax(t);
    const expected = rows(z).map((r, i) => -logSm(r).reduce((a, v, j) => a + rows(q)[i]![j]! * v, 0)).reduce((a, b) => a + b) / 4;
    expect(crossEntropy(z, q).item()).toBeCloseTo(expected, 12);
  });

  it('mseLoss = mean squared difference', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64' });
    const b = tensor([1, 0, 6], { dtype: 'float64' });
    expect(mseLoss(a, b).item()).toBeCloseTo(13 / 3, 14);
    expect(mseLoss(a, b, { reduction: 'sum' }).item()).toBe(13);
  });

  it('klDivergence(P, Q) is KL(P‖Q): the argument order is the direction; logits, probs and log-probs agree', () => {
    const klPQ = rows(z).map((r, i) => kl(logSm(r), logSm(rows(t)[i]!))).reduce((a, b) => a + b) / 4;
    const klQP = rows(t).map((r, i) => kl(logSm(r), logSm(rows(z)[i]!))).reduce((a, b) => a + b) / 4;
    expect(klDivergence({ logits: z }, { logits: t }).item()).toBeCloseTo(klPQ, 12);
    expect(klDivergence({ logits: t }, { logits: z }).item()).toBeCloseTo(klQP, 12);
    expect(Math.abs(klPQ - klQP)).toBeGreaterThan(1e-3);
    expect(klDivergence({ probs: softmax(z) }, { logProbs: logSoftmax(t) }).item()).toBeCloseTo(klPQ, 12);
    expect(klDivergence({ logits: z }, { logits: z }).item()).toBeCloseTo(0, 14);
    // temperature softens both sides
    const klT = rows(z).map((r, i) => kl(logSm(r, 2), logSm(rows(t)[i]!, 2))).reduce((a, b) => a + b) / 4;
    expect(klDivergence({ logits: z }, { logits: t }, { temperature: 2 }).item()).toBeCloseTo(klT, 12);
    expect(klDivergence({ probs: softmax(z) }, { logits: t }, { temperature: 2 }).item()).toBeCloseTo(klT, 12);
  });

  it('kdLoss: alpha form = α·T²·KL_T(teacher‖student) + (1−α)·CE', () => {
    const T = 4;
    const klT = rows(t).map((r, i) => kl(logSm(r, T), logSm(rows(z)[i]!, T))).reduce((a, b) => a + b) / 4;
    const ce = crossEntropy(z, y).item();
    expect(kdLoss(z, { logits: t }, y, { temperature: T, alpha: 0.9 }).item()).toBeCloseTo(0.9 * T * T * klT + 0.1 * ce, 10);
    const parts = kdLossTerms(z, { logits: t }, y, { temperature: T, alpha: 0.9 });
    expect(parts.kd.item()).toBeCloseTo(klT, 12);
    expect(parts.ce!.item()).toBeCloseTo(ce, 12);
    expect([parts.kdWeight, parts.ceWeight]).toEqual([0.9, expect.closeTo(0.1, 15)]);
  });

  it("kdLoss: paper 003's form CE + λ·KL_T without T², teacher as probabilities, reverse KL, independent weights", () => {
    const T = 3;
    const klT = rows(t).map((r, i) => kl(logSm(r, T), logSm(rows(z)[i]!, T))).reduce((a, b) => a + b) / 4;
    const ce = crossEntropy(z, y).item();
    const paper003 = kdLoss(z, { probs: softmax(t) }, y, { temperature: T, kdWeight: 0.9, ceWeight: 1, tSquared: false });
    expect(paper003.item()).toBeCloseTo(ce + 0.9 * klT, 10);
    const reverse = rows(z).map((r, i) => kl(logSm(r, T), logSm(rows(t)[i]!, T))).reduce((a, b) => a + b) / 4;
    expect(kdLoss(z, { logits: t }, null, { temperature: T, direction: 'student||teacher' }).item()).toBeCloseTo(T * T * reverse, 10);
    expect(kdLoss(z, { logits: t }, null, { temperature: T, tSquared: false }).item()).toBeCloseTo(klT, 12);
  });

  it('kdLoss validates its switches', () => {
    expectError(() => kdLoss(z, { logits: t }, y, { alpha: 0.5, kdWeight: 1 }), 'E_INVALID_ARGUMENT', 'give either alpha or kdWeight/ceWeight, not both');
    expectError(() => kdLoss(z, { logits: t }, null, { ceWeight: 0.5 }), 'E_INVALID_ARGUMENT', 'ceWeight is 0.5 but no labels were given');
    expectError(() => kdLoss(z, { logits: t }, y, { temperature: 0 }), 'E_INVALID_ARGUMENT', 'temperature must be a positive number, got 0');
    expectError(() => kdLoss(z, { logits: normal([4, 3], 3) }, y), 'E_SHAPE', 'teacher logits [4, 3] must be [4, 5] (rows of the student output [4, 5], its 5 classes)');
    expectError(() => kdLoss(z, { probs: t }, y), 'E_INVALID_ARGUMENT', 'teacher probs must be probabilities in [0, 1]');
    expectError(() => kdLoss(z, { logits: t }, y, { alpha: 1.5 }), 'E_INVALID_ARGUMENT', 'alpha must be in [0, 1], got 1.5');
  });

  it('NaN in a loss input raises E_NAN naming the op, the input and the position', () => {
    const bad = normal([3, 4], 4);
    bad.data[6] = NaN;
    const e = expectError(() => crossEntropy(bad, [0, 1, 2]), 'E_NAN', 'crossEntropy: logits [3, 4] holds NaN at [1, 2]');
    expect(e.details).toMatchObject({ op: 'crossEntropy', input: 'logits', index: 6 });
    expectError(() => mseLoss(bad, normal([3, 4], 5)), 'E_NAN', 'mseLoss: prediction [3, 4] holds NaN at [1, 2]');
    expectError(() => kdLoss(normal([3, 4], 6), { logits: bad }, null), 'E_NAN', 'kdLoss: teacher logits [3, 4] holds NaN at [1, 2]');
    expectError(() => klDivergence({ logits: normal([3, 4], 6) }, { logits: bad }), 'E_NAN', 'klDivergence: Q logits [3, 4] holds NaN');
    expectError(() => nllLoss(bad, [0, 1, 2]), 'E_NAN', 'nllLoss: logProbs [3, 4] holds NaN at [1, 2]');
    const inf = normal([2, 2], 7);
    inf.data[1] = Infinity;
    expectError(() => crossEntropy(inf, [0, 1]), 'E_NAN', 'crossEntropy: logits [2, 2] holds Infinity at [0, 1]');
  });

  it('labels are validated', () => {
    expectError(() => crossEntropy(z, [0, 1, 2]), 'E_SHAPE', 'crossEntropy: expected 4 labels (one per row), got 3');
    expectError(() => crossEntropy(z, [0, 1, 5, 2]), 'E_INVALID_ARGUMENT', 'crossEntropy: label 2 is 5; expected an integer class index in 0..4');
    expectError(() => mseLoss(z, normal([5, 4], 1)), 'E_SHAPE', 'mseLoss: prediction [4, 5] and target [5, 4] differ in shape');
  });
});
