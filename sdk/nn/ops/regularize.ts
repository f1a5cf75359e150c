/**
 * Dropout (seeded) and batch normalisation (train and eval, running stats).
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import type { Random } from '../../util/random.js';
import { allocData, assertSameDtype, formatShape, record, Tensor } from '../tensor.js';

/**
 * Inverted dropout: zeroes each element with probability `p` (drawn from the
 * seeded `rng`) and scales the rest by 1/(1−p). Identity when `p` = 0 or
 * `training` is false. VJP: g ⊙ mask.
 *
 * @throws E_INVALID_ARGUMENT unless 0 ≤ p < 1
 * @example
 * ```ts
 * const y = dropout(x, 0.5, new Random(0));
 * ```
 */
export function dropout(x: Tensor, p: number, rng: Random, training = true): Tensor {
  if (!(p >= 0 && p < 1)) throw new QDistillError('E_INVALID_ARGUMENT', `dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keep = 1 / (1 - p);
  const mask = allocData(x.dtype, x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < p ? 0 : keep;
  const y = new Tensor(allocData(x.dtype, x.size), x.shape);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = xd[i]! * mask[i]!;
  return record('dropout', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += g[i]! * mask[i]!;
  });
}

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  /** Use batch statistics and update the running ones (true) or use the running ones (false). */
  training: boolean;
  /** Per-channel running mean, updated in place in training mode. */
  runningMean: Tensor;
  /** Per-channel running (unbiased) variance, updated in place in training mode. */
  runningVar: Tensor;
  /** Running-stat update rate: r ← (1 − momentum)·r + momentum·batch (default 0.1, as PyTorch). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Name for error messages. */
  where?: string;
}

/**
 * Batch normalisation over axis 1 of `[N, C, …]` (BatchNorm1d on `[N, C]`,
 * BatchNorm2d on `[N, C, H, W]`): y = (x − μ)/√(σ² + ε)·γ + β.
 * Training: μ, σ² (biased) from the batch, running stats updated with the
 * unbiased variance (PyTorch semantics). Eval: running stats.
 *
 * @throws E_SHAPE if the channel count does not match γ/β/running stats
 * @example
 * ```ts
 * const y = batchNorm(x, gamma, beta, { training: true, runningMean, runningVar });
 * ```
 */
export function batchNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, options: BatchNormOptions): Tensor {
  const where = options.where ?? 'batchNorm';
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  assertSameDtype(where, inputs);
  if (x.rank < 2) throw new QDistillError('E_SHAPE', `${where}: expected input [N, C, …], got ${formatShape(x.shape)}`);
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
    ['runningMean', options.runningMean],
    ['runningVar', options.runningVar],
  ] as const) {
    if (t && t.size !== C) {
      throw new QDistillError('E_SHAPE', `${where}: expected input [N, ${t.size}, …], got ${formatShape(x.shape)} (${name} has ${t.size} channels)`);
    }
  }
  const inner = x.size / (N * C);
  const M = N * inner;
  const xd = x.data;
  const mean = new Float64Array(C);
  const invStd = new Float64Array(C);
  if (options.training) {
    if (M <= 1) {
      throw new QDistillError('E_SHAPE', `${where}: training needs more than one value per channel, got input ${formatShape(x.shape)}`);
    }
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * inner;
        for (let i = 0; i < inner; i++) s += xd[base + i]!;
      }
      const mu = s / M;
      let v = 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * inner;
        for (let i = 0; i < inner; i++) {
          const d = xd[base + i]! - mu;
          v += d * d;
        }
      }
      mean[c] = mu;
      invStd[c] = 1 / Math.sqrt(v / M + eps);
      // running statistics: plain in-place updates, never part of the graph
      const rm = options.runningMean.data;
      const rv = options.runningVar.data;
      rm[c] = (1 - momentum) * rm[c]! + momentum * mu;
      rv[c] = (1 - momentum) * rv[c]! + (momentum * v) / (M - 1);
    }
  } else {
    for (let c = 0; c < C; c++) {
      mean[c] = options.runningMean.data[c]!;
      invStd[c] = 1 / Math.sqrt(options.runningVar.data[c]! + eps);
    }
  }
  const y = new Tensor(allocData(x.dtype, x.size), x.shape);
  const yd = y.data;
  const xhat = allocData(x.dtype, x.size);
  const wd = weight?.data;
  const bd = bias?.data;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * inner;
      const gam = wd ? wd[c]! : 1;
      const bet = bd ? bd[c]! : 0;
      for (let i = 0; i < inner; i++) {
        const h = (xd[base + i]! - mean[c]!) * invStd[c]!;
        xhat[base + i] = h;
        yd[base + i] = h * gam + bet;
      }
    }
  }
  const training = options.training;
  return record(training ? 'batchNorm(train)' : 'batchNorm(eval)', inputs, y, (g, sink) => {
    const gx = sink(0);
    const gw = weight ? sink(1) : null;
    const gb = bias ? sink(weight ? 2 : 1) : null;
    for (let c = 0; c < C; c++) {
      let sumG = 0;
      let sumGH = 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * inner;
        for (let i = 0; i < inner; i++) {
          sumG += g[base + i]!;
          sumGH += g[base + i]! * xhat[base + i]!;
        }
      }
      if (gw) gw[c]! += sumGH;
      if (gb) gb[c]! += sumG;
      if (!gx) continue;
      const gam = wd ? wd[c]! : 1;
      const k = gam * invStd[c]!;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * inner;
        if (training) {
          // dx = γ·invStd/M · (M·g − Σg − x̂·Σ(g·x̂))
          for (let i = 0; i < inner; i++) gx[base + i]! += (k / M) * (M * g[base + i]! - sumG - xhat[base + i]! * sumGH);
        } else {
          for (let i = 0; i < inner; i++) gx[base + i]! += k * g[base + i]!;
        }
      }
    }
  });
}
