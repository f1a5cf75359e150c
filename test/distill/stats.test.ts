// Paired statistics: the mean difference, its Student-t interval and the
// verdict, checked against a computation written out by hand.
import { describe, expect, it } from 'vitest';
import { meanStd, pairedComparison } from '../../sdk/distill/stats.js';
import { expectQDistillErrorValue, thrownBy } from '../helpers/errors.js';

describe('pairedComparison', () => {
  it('gives mean ± t(0.975, n−1)·s/√n of the paired differences', () => {
    const kd = [0.93, 0.95, 0.94, 0.96, 0.94];
    const base = [0.90, 0.91, 0.92, 0.92, 0.90];
    const d = kd.map((v, i) => v - base[i]!); // 0.03 0.04 0.02 0.04 0.04
    const mean = d.reduce((a, b) => a + b, 0) / 5;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    const t4 = 2.7764451051977987; // Student t, 97.5 % quantile, 4 degrees of freedom (tables)
    const c = pairedComparison(kd, base, { a: 'KD', b: 'no KD' });
    expect(c.meanDifference).toBeCloseTo(mean, 12);
    expect(c.stdDifference).toBeCloseTo(sd, 12);
    expect(c.interval![0]).toBeCloseTo(mean - (t4 * sd) / Math.sqrt(5), 8);
    expect(c.interval![1]).toBeCloseTo(mean + (t4 * sd) / Math.sqrt(5), 8);
    expect(c.outcome).toBe('better');
    expect(c.verdict).toBe(`KD helps over no KD: +3.40 points, 95 % CI [+${(100 * c.interval![0]).toFixed(2)}, +${(100 * c.interval![1]).toFixed(2)}] over 5 paired seeds`);
    expect(c.pValue!).toBeLessThan(0.01);
  });

  it('says "no significant difference" when the interval straddles 0, "hurts" when it lies below', () => {
    expect(pairedComparison([0.9, 0.92, 0.91], [0.91, 0.9, 0.91]).outcome).toBe('inconclusive');
    expect(pairedComparison([0.9, 0.92, 0.91], [0.91, 0.9, 0.91], { a: 'KD', b: 'no KD' }).verdict).toMatch(/^no significant difference between KD and no KD/);
    const worse = pairedComparison([0.8, 0.81, 0.8], [0.9, 0.9, 0.91], { a: 'KD', b: 'no KD' });
    expect(worse.outcome).toBe('worse');
    expect(worse.verdict).toMatch(/^KD hurts against no KD: −10\.00 points/);
  });

  it('reports one pair without an interval, and rejects unequal or non-finite arms', () => {
    const one = pairedComparison([0.9], [0.8]);
    expect(one.interval).toBeNull();
    expect(one.verdict).toContain('too few seeds for a confidence interval');
    expectQDistillErrorValue(thrownBy(() => pairedComparison([0.9, 0.8], [0.8])), 'E_INVALID_ARGUMENT', 'A has 2 values, B 1');
    expectQDistillErrorValue(thrownBy(() => pairedComparison([NaN], [0.8])), 'E_INVALID_ARGUMENT', 'A value 0 is NaN');
  });

  it('meanStd uses the sample (n − 1) standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3) });
    expect(meanStd([7])).toEqual({ mean: 7, std: 0 });
  });
});
