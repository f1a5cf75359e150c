// Output kinds: Born probabilities are tempered as p^{1/T} (over all outcomes
// or the classes plus a rest bin), never as logits; expectation values go
// through their scale; the KD loss and the supervised loss follow the kind.
// Values are checked against computations written out by hand below, and
// gradients against central finite differences.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkVjp, init, kdLossTerms, outputAccuracy, predictClasses, supervisedLoss, temperedLogProbs, tensor, Tensor, type OutputSpec,
} from '../../sdk/nn/index.js';
import { expectQDistillErrorValue, thrownBy } from '../helpers/errors.js';

beforeAll(async () => {
  await init();
});

const f64 = (rows: number[][]): Tensor => tensor(rows, { dtype: 'float64' });

/** Hand computation: q_T ∝ b^{1/T} over the given bins, log of the first C. */
function handTempered(bins: number[], temperature: number, classes: number): number[] {
  const w = bins.map((b) => b ** (1 / temperature));
  const z = w.reduce((a, b) => a + b, 0);
  return w.slice(0, classes).map((v) => Math.log(v / z));
}

describe('tempering Born probabilities', () => {
  const p = [0.5, 0.2, 0.1, 0.15, 0.05, 0, 0, 0]; // 8 outcomes of 3 qubits, classes 0..2
  const spec: OutputSpec = { kind: 'probabilities', classes: 3 };

  it('over all outcomes: q_T(k) = p_k^{1/T} / Σ_j p_j^{1/T}, restricted to the classes', () => {
    for (const T of [1, 2, 3.5]) {
      const got = temperedLogProbs(f64([p]), spec, T, 'outcomes').data;
      handTempered(p, T, 3).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 7));
    }
  });

  it('over the classes plus a rest bin holding Σ_{k≥C} p_k', () => {
    const rest = p.slice(3).reduce((a, b) => a + b, 0);
    for (const T of [1, 2, 4]) {
      const got = temperedLogProbs(f64([p]), spec, T, 'rest').data;
      handTempered([...p.slice(0, 3), rest], T, 3).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 7));
    }
    // Only the class outcomes returned: rest = 1 − Σ_c p_c.
    const got = temperedLogProbs(f64([p.slice(0, 3)]), spec, 2, 'rest').data;
    handTempered([...p.slice(0, 3), rest], 2, 3).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 7));
  });

  it('at T = 1 gives log p itself (leaked mass lowers the class probabilities)', () => {
    const got = temperedLogProbs(f64([p]), spec, 1, 'outcomes').data;
    [0, 1, 2].forEach((i) => expect(got[i]).toBeCloseTo(Math.log(p[i]!), 10));
  });

  it('differs from treating probabilities as logits, whose softened top class cannot exceed e^{1/T}/(e^{1/T}+C−1)', () => {
    const sharp = [0.97, 0.01, 0.01, 0.01];
    const asBorn = Math.exp(temperedLogProbs(f64([sharp]), { kind: 'probabilities', classes: 4 }, 1).data[0]!);
    const asLogits = Math.exp(temperedLogProbs(f64([sharp]), { kind: 'logits' }, 1).data[0]!);
    expect(asBorn).toBeCloseTo(0.97, 10);
    expect(asLogits).toBeLessThan(Math.E / (Math.E + 3) + 1e-12);
  });

  it('has correct gradients (finite differences) for both temperings', () => {
    for (const tempering of ['outcomes', 'rest'] as const) {
      const [check] = checkVjp((x) => temperedLogProbs(x, spec, 2.5, tempering), [f64([[0.4, 0.2, 0.1, 0.3], [0.1, 0.6, 0.2, 0.1]])]);
      expect(check!.relError, `${tempering}: ${JSON.stringify(check)}`).toBeLessThan(1e-6);
    }
  });
});

describe('expectation values and logits', () => {
  it('expectations are softened as softmax(scale·e/T)', () => {
    const e = [0.5, -0.2, 0.1];
    const got = temperedLogProbs(f64([e]), { kind: 'expectations', scale: 4 }, 2).data;
    const z = e.map((v) => (4 * v) / 2);
    const lse = Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
    z.forEach((v, i) => expect(got[i]).toBeCloseTo(v - lse, 10));
  });

  it('logits with C < K outputs: KD reads the first C, the prediction the argmax of all (paper 003 head)', () => {
    const out = f64([[0.1, 0.3, 0.2, 0.9], [0.8, 0.1, 0.0, 0.2]]);
    const spec: OutputSpec = { kind: 'logits', classes: 3 };
    expect(Array.from(predictClasses(out.data, 4, spec))).toEqual([3, 0]);
    expect(outputAccuracy(out, [3 % 3, 0], spec)).toBe(0.5); // output 3 is not a class: wrong
    const got = temperedLogProbs(out, spec, 1).data;
    const lse = Math.log(Math.exp(0.1) + Math.exp(0.3) + Math.exp(0.2));
    expect(got[0]).toBeCloseTo(0.1 - lse, 10);
  });
});

describe('kdLossTerms by output kind', () => {
  const teacherRows = [[2, 0, -1], [0, 1, 3]];
  const teacher = { logits: f64(teacherRows) };
  const tProbs = (T: number): number[][] => teacherRows.map((row) => {
    const w = row.map((v) => Math.exp(v / T));
    const z = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / z);
  });

  it('Born probabilities: KL(t_T ‖ q_T) with q_T ∝ p^{1/T}, T², and −log p_y on the labelled rows only', () => {
    const probs = [[0.5, 0.2, 0.1, 0.2], [0.1, 0.2, 0.6, 0.1]];
    const T = 2;
    const { loss, kd, ce } = kdLossTerms(f64(probs), teacher, [0], { temperature: T, alpha: 0.25, output: { kind: 'probabilities', classes: 3 } });
    const t = tProbs(T);
    const kl = probs.map((row, r) => {
      const logQ = handTempered(row, T, 3);
      return t[r]!.reduce((a, tc, c) => a + tc * (Math.log(tc) - logQ[c]!), 0);
    });
    const expectedKd = (kl[0]! + kl[1]!) / 2;
    expect(kd.item()).toBeCloseTo(expectedKd, 8);
    expect(ce!.item()).toBeCloseTo(-Math.log(0.5), 10); // row 0 labelled 0; row 1 is a transfer row
    expect(loss.item()).toBeCloseTo(0.25 * T * T * expectedKd + 0.75 * -Math.log(0.5), 8);
  });

  it('rejects reverse KL on Born probabilities and a teacher of the wrong width, with the reason', () => {
    const probs = f64([[0.5, 0.2, 0.1, 0.2], [0.1, 0.2, 0.6, 0.1]]);
    expectQDistillErrorValue(thrownBy(() => kdLossTerms(probs, teacher, null, { direction: 'student||teacher', output: { kind: 'probabilities', classes: 3 } })), 'E_INVALID_ARGUMENT', 'reverse KL (student||teacher) is infinite for Born probabilities');
    expectQDistillErrorValue(thrownBy(() => kdLossTerms(probs, teacher, null, { output: { kind: 'probabilities', classes: 4 } })), 'E_SHAPE', 'must be [2, 4]');
  });

  it('supervised loss: −log p_y for probabilities, cross-entropy of scale·e for expectations', () => {
    expect(supervisedLoss(f64([[0.7, 0.1, 0.2]]), [0], { kind: 'probabilities', classes: 2 }).item()).toBeCloseTo(-Math.log(0.7), 10);
    const e = [0.5, -0.5];
    const ce = Math.log(Math.exp(3 * e[0]!) + Math.exp(3 * e[1]!)) - 3 * e[1]!;
    expect(supervisedLoss(f64([e]), [1], { kind: 'expectations', scale: 3 }).item()).toBeCloseTo(ce, 10);
    expectQDistillErrorValue(thrownBy(() => supervisedLoss(f64([[0.7, 0.3]]), [2], { kind: 'probabilities', classes: 2 })), 'E_INVALID_ARGUMENT', 'label 0 is 2; expected a class index in 0..1');
  });

  it('has correct gradients through the whole KD loss for every kind', () => {
    const specs: OutputSpec[] = [{ kind: 'logits' }, { kind: 'expectations', scale: 2 }, { kind: 'probabilities', classes: 3 }];
    for (const spec of specs) {
      const input = spec.kind === 'probabilities' ? f64([[0.5, 0.2, 0.1, 0.2], [0.1, 0.2, 0.6, 0.1]]) : f64([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]);
      const [check] = checkVjp((x) => kdLossTerms(x, teacher, [1], { temperature: 1.5, alpha: 0.5, output: spec }).loss, [input]);
      expect(check!.relError, `${spec.kind}: ${JSON.stringify(check)}`).toBeLessThan(1e-6);
    }
  });
});
