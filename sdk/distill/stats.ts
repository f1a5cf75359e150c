/**
 * Paired statistics for comparing training arms run on the same seeds (same
 * initial weights, same batch order): mean ± sample std of each arm, the
 * paired differences, a Student-t confidence interval on their mean, and a
 * plain verdict.
 *
 * @packageDocumentation
 */
import jstat from 'jstat';
import { QDistillError } from '../errors.js';

/** Mean and sample (n − 1) standard deviation; std is 0 for fewer than 2 values. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** Result of {@link pairedComparison}. */
export interface PairedComparison {
  /** Number of pairs (seeds). */
  n: number;
  /** Per-arm mean and sample std. */
  a: { mean: number; std: number };
  b: { mean: number; std: number };
  /** a_i − b_i, per pair. */
  differences: number[];
  /** Mean and sample std of the differences. */
  meanDifference: number;
  stdDifference: number;
  /** Confidence level of `interval` (default 0.95). */
  confidence: number;
  /** Student-t interval of the mean difference, [lo, hi] (null for fewer than 2 pairs). */
  interval: [number, number] | null;
  /** Two-sided p-value of the paired t-test (null for fewer than 2 pairs). */
  pValue: number | null;
  /** `better` if the whole interval lies above 0, `worse` if below, `inconclusive` otherwise. */
  outcome: 'better' | 'worse' | 'inconclusive';
  /** A plain sentence, e.g. `KD helps: +3.1 points, 95 % CI [+1.9, +4.3] over 5 paired seeds`. */
  verdict: string;
}

const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

/**
 * Compares arm `a` with arm `b` on paired runs (`a[i]` and `b[i]` share seed
 * i): the mean difference a − b with its Student-t confidence interval
 * (mean ± t_{(1+c)/2, n−1}·s/√n), the paired t-test p-value, and a verdict.
 * Values are fractions (accuracies); the verdict prints them in points (×100).
 *
 * @throws E_INVALID_ARGUMENT if the arms differ in length, are empty, hold non-finite values, or the confidence is not in (0, 1)
 * @example
 * ```ts
 * const c = pairedComparison(kdAccuracies, baselineAccuracies, { a: 'KD', b: 'no KD' });
 * console.log(c.verdict); // "KD helps: +3.10 points, 95 % CI [+1.92, +4.28] over 5 paired seeds"
 * ```
 */
export function pairedComparison(
  a: readonly number[],
  b: readonly number[],
  names: { a: string; b: string } = { a: 'A', b: 'B' },
  confidence = 0.95,
): PairedComparison {
  if (a.length !== b.length) {
    throw new QDistillError('E_INVALID_ARGUMENT', `pairedComparison: ${names.a} has ${a.length} values, ${names.b} ${b.length}; pairs need one value of each per seed`);
  }
  if (a.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'pairedComparison: no pairs');
  for (const [name, values] of [[names.a, a], [names.b, b]] as const) {
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new QDistillError('E_INVALID_ARGUMENT', `pairedComparison: ${name} value ${i} is ${v}; expected finite numbers`);
    });
  }
  if (!(confidence > 0 && confidence < 1)) throw new QDistillError('E_INVALID_ARGUMENT', `pairedComparison: confidence must be in (0, 1), got ${confidence}`);
  const n = a.length;
  const differences = a.map((v, i) => v - b[i]!);
  const d = meanStd(differences);
  let interval: [number, number] | null = null;
  let pValue: number | null = null;
  if (n >= 2) {
    const se = d.std / Math.sqrt(n);
    const t = jstat.jStat.studentt.inv((1 + confidence) / 2, n - 1);
    interval = [d.mean - t * se, d.mean + t * se];
    if (se === 0) pValue = d.mean === 0 ? 1 : 0;
    else pValue = Math.min(1, 2 * (1 - jstat.jStat.studentt.cdf(Math.abs(d.mean / se), n - 1)));
  }
  const outcome = interval && interval[0] > 0 ? 'better' : interval && interval[1] < 0 ? 'worse' : 'inconclusive';
  const level = `${Math.round(confidence * 100)} %`;
  const diff = `${signed(100 * d.mean, 2)} points`;
  const ci = interval ? `, ${level} CI [${signed(100 * interval[0], 2)}, ${signed(100 * interval[1], 2)}]` : '';
  const over = `over ${n} paired seed${n === 1 ? '' : 's'}`;
  let verdict: string;
  if (!interval) verdict = `${names.a} vs ${names.b}: ${diff} ${over}; too few seeds for a confidence interval (need ≥ 2)`;
  else if (outcome === 'better') verdict = `${names.a} helps over ${names.b}: ${diff}${ci} ${over}`;
  else if (outcome === 'worse') verdict = `${names.a} hurts against ${names.b}: ${diff}${ci} ${over}`;
  else verdict = `no significant difference between ${names.a} and ${names.b}: ${diff}${ci} ${over}`;
  return { n, a: meanStd(a), b: meanStd(b), differences, meanDifference: d.mean, stdDifference: d.std, confidence, interval, pValue, outcome, verdict };
}
