/**
 * Losses: cross-entropy (hard or soft targets, label smoothing), NLL, MSE,
 * KL divergence with an explicit direction, and the knowledge-distillation
 * loss with every switch the papers use. Every loss checks its inputs for
 * NaN/±∞ and throws `E_NAN` naming the op and the position.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { add, exp, log, scale, square, sub } from './ops/elementwise.js';
import { logSoftmax, mean, sum } from './ops/reduce.js';
import { allocData, assertSameDtype, formatShape, record, Tensor, type DataLike } from './tensor.js';
import { checkOutputSpec, floorProbabilities, LOGITS, outputClasses, outputLogits, temperedLogProbs, type BornTempering, type OutputSpec } from './outputs.js';
import { slice } from './ops/shape.js';
import { softmax } from './ops/reduce.js';
import * as pm from '../util/portable-math.js';

/** How per-sample losses are combined. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Class indices, one per row. */
export type Labels = Int32Array | Uint8Array | Uint16Array | readonly number[];

function positionOf(shape: readonly number[], flat: number): string {
  const idx: number[] = [];
  let r = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(r % shape[d]!);
    r = Math.floor(r / shape[d]!);
  }
  return formatShape(idx);
}

/**
 * Throws `E_NAN` naming `op`, the input and the first position holding NaN or ±∞.
 *
 * @example
 * ```ts
 * assertFiniteInput('crossEntropy', 'logits', logits);
 * ```
 */
export function assertFiniteInput(op: string, what: string, t: Tensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      throw new QDistillError(
        'E_NAN',
        `${op}: ${what} ${formatShape(t.shape)} holds ${d[i]} at ${positionOf(t.shape, i)}; expected finite values (check the model output or the learning rate)`,
        { details: { op, input: what, index: i } },
      );
    }
  }
}

function assertLogits(op: string, what: string, t: Tensor): { n: number; c: number } {
  if (t.rank !== 2) throw new QDistillError('E_SHAPE', `${op}: ${what} must be [N, C], got ${formatShape(t.shape)}`);
  assertFiniteInput(op, what, t);
  return { n: t.shape[0]!, c: t.shape[1]! };
}

function assertProbabilities(op: string, what: string, t: Tensor, n: number, c: number): void {
  if (t.rank !== 2 || t.shape[0] !== n || t.shape[1] !== c) {
    throw new QDistillError('E_SHAPE', `${op}: ${what} must be [${n}, ${c}], got ${formatShape(t.shape)}`);
  }
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (Number.isNaN(v)) {
      throw new QDistillError('E_NAN', `${op}: ${what} ${formatShape(t.shape)} holds NaN at ${positionOf(t.shape, i)}`, {
        details: { op, input: what, index: i },
      });
    }
    if (!(v >= 0 && v <= 1)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${op}: ${what} must be probabilities in [0, 1], got ${v} at ${positionOf(t.shape, i)}`);
    }
  }
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += d[r * c + j]!;
    if (Math.abs(s - 1) > 1e-3) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${op}: row ${r} of ${what} sums to ${s}, expected 1 (pass logits instead, or normalise)`);
    }
  }
}

function assertLabels(op: string, labels: Labels, n: number, c: number): void {
  if (labels.length !== n) {
    throw new QDistillError('E_SHAPE', `${op}: expected ${n} labels (one per row), got ${labels.length}`);
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= c) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${op}: label ${i} is ${y}; expected an integer class index in 0..${c - 1}`);
    }
  }
}

function reduceRows(perRow: Tensor, reduction: Reduction | 'batchmean', op: string): Tensor {
  switch (reduction) {
    case 'none':
      return perRow;
    case 'sum':
      return sum(perRow);
    case 'mean':
    case 'batchmean':
      return mean(perRow);
    default: {
      const never: never = reduction;
      throw new QDistillError('E_INVALID_ARGUMENT', `${op}: unknown reduction ${JSON.stringify(never)}`);
    }
  }
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** ε in q = (1 − ε)·target + ε/C (default 0: off). */
  labelSmoothing?: number;
  /** Default `mean` over rows. */
  reduction?: Reduction;
}

/**
 * Cross-entropy from logits `[N, C]`: −Σⱼ qⱼ log softmax(z)ⱼ per row, with q
 * the one-hot label (class indices) or a given probability row (soft
 * targets), optionally smoothed. One fused op: VJP (softmax(z) − q)·g.
 *
 * @throws E_NAN if the logits (or targets) hold NaN/±∞
 * @throws E_INVALID_ARGUMENT on a label outside 0..C−1 or targets that are not probabilities
 * @example
 * ```ts
 * const loss = crossEntropy(model.forward(x), labels);              // mean over the batch
 * const smooth = crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * ```
 */
export function crossEntropy(logits: Tensor, target: Labels | Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const { n, c } = assertLogits(op, 'logits', logits);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new QDistillError('E_INVALID_ARGUMENT', `${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  const soft = target instanceof Tensor ? target : null;
  if (soft) {
    assertSameDtype(op, [logits, soft]);
    assertProbabilities(op, 'target probabilities', soft, n, c);
  } else assertLabels(op, target as Labels, n, c);
  const labels = soft ? null : (target as Labels);
  const z = logits.data;
  const logp = allocData(logits.dtype, n * c);
  const q = allocData(logits.dtype, n * c);
  const out = new Tensor(allocData(logits.dtype, n), [n]);
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, z[r * c + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += pm.exp(z[r * c + j]! - m);
    const lse = m + pm.log(s);
    let loss = 0;
    for (let j = 0; j < c; j++) {
      const lp = z[r * c + j]! - lse;
      logp[r * c + j] = lp;
      const t = soft ? soft.data[r * c + j]! : labels![r] === j ? 1 : 0;
      const qj = (1 - eps) * t + eps / c;
      q[r * c + j] = qj;
      if (qj !== 0) loss -= qj * lp;
    }
    out.data[r] = loss;
  }
  const perRow = record(op, soft ? [logits, soft] : [logits], out, (g, sink) => {
    const gz = sink(0);
    if (gz) {
      for (let r = 0; r < n; r++) {
        const gr = g[r]!;
        for (let j = 0; j < c; j++) gz[r * c + j]! += gr * (pm.exp(logp[r * c + j]!) - q[r * c + j]!);
      }
    }
    const gt = soft ? sink(1) : null;
    if (gt) for (let r = 0; r < n; r++) for (let j = 0; j < c; j++) gt[r * c + j]! -= g[r]! * (1 - eps) * logp[r * c + j]!;
  });
  return reduceRows(perRow, options.reduction ?? 'mean', op);
}

/**
 * Negative log-likelihood of log-probabilities `[N, C]` at the labels:
 * −logp[r, yᵣ] (compose with `logSoftmax` for cross-entropy).
 *
 * @throws E_NAN if the input holds NaN or +∞
 * @example
 * ```ts
 * const loss = nllLoss(logSoftmax(logits), labels);
 * ```
 */
export function nllLoss(logProbs: Tensor, labels: Labels, options: { reduction?: Reduction } = {}): Tensor {
  const op = 'nllLoss';
  if (logProbs.rank !== 2) throw new QDistillError('E_SHAPE', `${op}: logProbs must be [N, C], got ${formatShape(logProbs.shape)}`);
  const n = logProbs.shape[0]!;
  const c = logProbs.shape[1]!;
  for (let i = 0; i < logProbs.size; i++) {
    const v = logProbs.data[i]!;
    if (Number.isNaN(v) || v === Infinity) {
      throw new QDistillError('E_NAN', `${op}: logProbs ${formatShape(logProbs.shape)} holds ${v} at ${positionOf(logProbs.shape, i)}`, {
        details: { op, input: 'logProbs', index: i },
      });
    }
  }
  assertLabels(op, labels, n, c);
  const out = new Tensor(allocData(logProbs.dtype, n), [n]);
  for (let r = 0; r < n; r++) out.data[r] = -logProbs.data[r * c + labels[r]!]!;
  const perRow = record(op, [logProbs], out, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let r = 0; r < n; r++) gx[r * c + labels[r]!]! -= g[r]!;
  });
  return reduceRows(perRow, options.reduction ?? 'mean', op);
}

/**
 * Mean squared error Σ(a − b)²/size (or `sum` / `none`); shapes must be equal.
 *
 * @throws E_SHAPE naming both shapes when they differ
 * @throws E_NAN if either input holds NaN/±∞
 * @example
 * ```ts
 * mseLoss(prediction, target).item();
 * ```
 */
export function mseLoss(prediction: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const op = 'mseLoss';
  if (prediction.rank !== target.rank || prediction.shape.some((d, i) => d !== target.shape[i])) {
    throw new QDistillError('E_SHAPE', `${op}: prediction ${formatShape(prediction.shape)} and target ${formatShape(target.shape)} differ in shape`);
  }
  assertFiniteInput(op, 'prediction', prediction);
  assertFiniteInput(op, 'target', target);
  const sq = square(sub(prediction, target));
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') return sq;
  return reduction === 'sum' ? sum(sq) : mean(sq);
}

/**
 * A categorical distribution over the last axis of a `[N, C]` tensor, given
 * as logits, probabilities or log-probabilities.
 */
export type Distribution = { logits: Tensor } | { probs: Tensor } | { logProbs: Tensor };

function describe(d: Distribution): string {
  return 'logits' in d ? 'logits' : 'probs' in d ? 'probs' : 'logProbs';
}

function tensorOf(d: Distribution): Tensor {
  return 'logits' in d ? d.logits : 'probs' in d ? d.probs : d.logProbs;
}

/**
 * log of the distribution softened by temperature T: log softmax(z/T) for
 * logits, log softmax(log p / T) for probabilities (= p^{1/T} renormalised).
 */
function distributionLogProbs(op: string, name: string, d: Distribution, temperature: number): Tensor {
  const t = tensorOf(d);
  if (t.rank !== 2) throw new QDistillError('E_SHAPE', `${op}: ${name} ${describe(d)} must be [N, C], got ${formatShape(t.shape)}`);
  if ('logits' in d) {
    assertFiniteInput(op, `${name} logits`, t);
    return logSoftmax(temperature === 1 ? t : scale(t, 1 / temperature));
  }
  if ('probs' in d) {
    assertProbabilities(op, `${name} probs`, t, t.shape[0]!, t.shape[1]!);
    const lp = log(t);
    return temperature === 1 ? lp : logSoftmax(scale(lp, 1 / temperature));
  }
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i]!;
    if (Number.isNaN(v) || v === Infinity) {
      throw new QDistillError('E_NAN', `${op}: ${name} logProbs ${formatShape(t.shape)} holds ${v} at ${positionOf(t.shape, i)}`, {
        details: { op, input: `${name} logProbs`, index: i },
      });
    }
  }
  return temperature === 1 ? t : logSoftmax(scale(t, 1 / temperature));
}

/**
 * Per-row KL(P‖Q) = Σⱼ pⱼ (log pⱼ − log qⱼ) from log-probabilities, with
 * 0·log 0 = 0. One fused op; VJP: ∂/∂log pⱼ = pⱼ(log pⱼ − log qⱼ + 1), ∂/∂log qⱼ = −pⱼ.
 */
function klRows(logP: Tensor, logQ: Tensor, op: string): Tensor {
  assertSameDtype(op, [logP, logQ]);
  if (logP.rank !== 2 || logQ.rank !== 2 || logP.shape[0] !== logQ.shape[0] || logP.shape[1] !== logQ.shape[1]) {
    throw new QDistillError('E_SHAPE', `${op}: P ${formatShape(logP.shape)} and Q ${formatShape(logQ.shape)} must both be [N, C]`);
  }
  const n = logP.shape[0]!;
  const c = logP.shape[1]!;
  const a = logP.data;
  const b = logQ.data;
  const out = new Tensor(allocData(logP.dtype, n), [n]);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < c; j++) {
      const p = pm.exp(a[r * c + j]!);
      if (p !== 0) s += p * (a[r * c + j]! - b[r * c + j]!);
    }
    out.data[r] = s;
  }
  return record('klDivergence', [logP, logQ], out, (g, sink) => {
    const ga = sink(0);
    const gb = sink(1);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < c; j++) {
        const i = r * c + j;
        const p = pm.exp(a[i]!);
        if (p === 0) continue;
        if (ga) ga[i]! += g[r]! * p * (a[i]! - b[i]! + 1);
        if (gb) gb[i]! -= g[r]! * p;
      }
    }
  });
}

/** Options of {@link klDivergence}. */
export interface KLOptions {
  /** `batchmean` (default: Σ over classes, mean over rows — the true KL per sample), `sum`, or `none`. */
  reduction?: 'batchmean' | 'sum' | 'none';
  /** Soften both distributions with temperature T first (default 1). */
  temperature?: number;
}

/**
 * KL(P‖Q) = Σ p log(p/q), row-wise over `[N, C]`; the direction is the
 * argument order: `klDivergence(teacher, student)` is KL(teacher‖student).
 * Either side may be given as logits, probabilities or log-probabilities,
 * and either may be differentiable.
 *
 * @throws E_NAN on NaN/±∞ logits; E_INVALID_ARGUMENT on probabilities that do not sum to 1
 * @example
 * ```ts
 * const kl = klDivergence({ probs: teacherProbs }, { logits: studentLogits }); // KL(teacher‖student)
 * ```
 */
export function klDivergence(p: Distribution, q: Distribution, options: KLOptions = {}): Tensor {
  const op = 'klDivergence';
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${op}: temperature must be a positive number, got ${temperature}`);
  }
  const rows = klRows(distributionLogProbs(op, 'P', p, temperature), distributionLogProbs(op, 'Q', q, temperature), op);
  return reduceRows(rows, options.reduction ?? 'batchmean', op);
}

/** Options of {@link kdLoss}. Give either `alpha` or `kdWeight`/`ceWeight`, not both. */
export interface KDLossOptions {
  /** Temperature T softening teacher and student (default 1). */
  temperature?: number;
  /** Weight α on the KD term, with (1 − α) on the cross-entropy term (Hinton et al.). */
  alpha?: number;
  /** Independent weight on the KD term (default 1). */
  kdWeight?: number;
  /** Independent weight on the cross-entropy term (default 0: labels unused). */
  ceWeight?: number;
  /** Multiply the KD term by T² so its gradient scale does not shrink with T (default true). */
  tSquared?: boolean;
  /** `teacher||student` (default, forward KL: KL(teacher‖student)) or `student||teacher` (reverse KL). */
  direction?: 'teacher||student' | 'student||teacher';
  /** Label smoothing of the cross-entropy term (default 0). */
  labelSmoothing?: number;
  /**
   * The KD term: `kl` (default) between the softened distributions, or `mse`
   * between logits (logits, expectations × scale: the first C outputs against
   * the teacher's logits, as Ba & Caruana) or between softened class
   * probabilities (Born probabilities against the teacher's softmax(z/T)).
   */
  divergence?: 'kl' | 'mse';
  /** How Born-probability outputs are softened (default `outcomes`; see {@link temperedLogProbs}). */
  tempering?: BornTempering;
}

/** The KD loss and its two terms (each before weighting). */
export interface KDLossTerms {
  /** ceWeight·CE + kdWeight·(T² or 1)·KD. */
  loss: Tensor;
  /** KD term (KL or MSE), mean over all rows, before weights and T². */
  kd: Tensor;
  /** Supervised term on the labelled rows (null when ceWeight is 0 or no row is labelled). */
  ce: Tensor | null;
  /** The resolved weights. */
  kdWeight: number;
  ceWeight: number;
}

/**
 * The supervised loss of a batch against hard labels, mean over rows:
 * cross-entropy of the logits (all K outputs) for logits and expectations;
 * the negative log-likelihood −log p_y of the Born probability of the label's
 * outcome for probabilities (mass on other outcomes, leaked or not, lowers p_y).
 *
 * @throws E_INVALID_ARGUMENT on labels outside 0..C−1; E_NAN on non-finite outputs
 * @example
 * ```ts
 * supervisedLoss(model.forward(x), labels, { kind: 'probabilities', classes: 6 }).backward();
 * ```
 */
export function supervisedLoss(output: Tensor, labels: Labels, spec: OutputSpec = LOGITS, options: { labelSmoothing?: number } = {}): Tensor {
  if (output.rank !== 2) throw new QDistillError('E_SHAPE', `supervisedLoss: the model output must be [N, K], got ${formatShape(output.shape)}`);
  const width = output.shape[1]!;
  const c = outputClasses(spec, width);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= c) {
      throw new QDistillError('E_INVALID_ARGUMENT', `supervisedLoss: label ${i} is ${y}; expected a class index in 0..${c - 1}`);
    }
  }
  if (spec.kind !== 'probabilities') return crossEntropy(outputLogits(output, spec), labels, { labelSmoothing: options.labelSmoothing ?? 0 });
  if ((options.labelSmoothing ?? 0) !== 0) {
    throw new QDistillError('E_INVALID_ARGUMENT', 'supervisedLoss: label smoothing is defined for logits, not for Born probabilities');
  }
  return nllLoss(log(floorProbabilities(output)), labels);
}

/**
 * Knowledge-distillation loss and its parts:
 * `loss = ceWeight · CE(student, labels) + kdWeight · [T²] · KD_T`, where KD_T
 * compares teacher and student softened by temperature T (KL in the chosen
 * direction, or MSE), mean over rows, and CE is {@link supervisedLoss} at T = 1
 * on the labelled rows. The student's output kind (`output`) decides how it is
 * softened: softmax(z/T) for logits, p^{1/T} renormalised for Born
 * probabilities (see {@link temperedLogProbs}), softmax(scale·e/T) for
 * expectation values.
 *
 * `labels` may be shorter than the batch: they label its first L rows, and the
 * remaining rows (a transfer set) enter the KD term only.
 *
 * - Hinton: `{ temperature: 4, alpha: 0.9 }` (kd 0.9·T²·KL + 0.1·CE).
 * - Paper 003 (classical→quantum), as its code runs: `{ temperature: 3, kdWeight: 0.9, ceWeight: 1, tSquared: true }`
 *   (its `KLDivLoss()` mean over batch·C elements times C is the per-sample KL summed over classes, i.e. our batch mean).
 *
 * @throws E_INVALID_ARGUMENT for `alpha` together with kdWeight/ceWeight, α ∉ [0, 1], T ≤ 0, ceWeight > 0 without labels,
 *   or reverse KL with Born probabilities (the teacher has no mass on non-class outcomes)
 * @throws E_NAN if student or teacher hold NaN
 * @example
 * ```ts
 * const { loss, kd, ce } = kdLossTerms(studentLogits, { logits: teacherLogits }, labels, { temperature: 3, alpha: 0.5 });
 * // a 6-qubit student emitting 64 Born probabilities, classes on outcomes 0..5:
 * kdLoss(probs, { logits: teacherLogits }, labels, { temperature: 2, output: { kind: 'probabilities', classes: 6 } });
 * ```
 */
export function kdLossTerms(
  studentOutput: Tensor,
  teacher: Distribution,
  labels: Labels | null,
  options: KDLossOptions & { output?: OutputSpec } = {},
): KDLossTerms {
  const op = 'kdLoss';
  const T = options.temperature ?? 1;
  if (!(T > 0 && Number.isFinite(T))) throw new QDistillError('E_INVALID_ARGUMENT', `${op}: temperature must be a positive number, got ${T}`);
  if (options.alpha !== undefined && (options.kdWeight !== undefined || options.ceWeight !== undefined)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${op}: give either alpha or kdWeight/ceWeight, not both`);
  }
  let kdWeight: number;
  let ceWeight: number;
  if (options.alpha !== undefined) {
    if (!(options.alpha >= 0 && options.alpha <= 1)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${op}: alpha must be in [0, 1], got ${options.alpha}`);
    }
    kdWeight = options.alpha;
    ceWeight = 1 - options.alpha;
  } else {
    kdWeight = options.kdWeight ?? 1;
    ceWeight = options.ceWeight ?? 0;
  }
  for (const [name, w] of [
    ['kdWeight', kdWeight],
    ['ceWeight', ceWeight],
  ] as const) {
    if (!Number.isFinite(w) || w < 0) throw new QDistillError('E_INVALID_ARGUMENT', `${op}: ${name} must be a finite number ≥ 0, got ${w}`);
  }
  const spec = options.output ?? LOGITS;
  checkOutputSpec(spec, `${op}: output`);
  const { n } = assertLogits(op, 'student output', studentOutput);
  const c = outputClasses(spec, studentOutput.shape[1]!);
  const teacherTensor = tensorOf(teacher);
  if (teacherTensor.rank !== 2 || teacherTensor.shape[0] !== n || teacherTensor.shape[1] !== c) {
    throw new QDistillError(
      'E_SHAPE',
      `${op}: teacher ${describe(teacher)} ${formatShape(teacherTensor.shape)} must be [${n}, ${c}] (rows of the student output ${formatShape(studentOutput.shape)}, its ${c} classes)`,
    );
  }
  if (labels && labels.length > n) throw new QDistillError('E_SHAPE', `${op}: ${labels.length} labels for ${n} rows`);
  if (ceWeight > 0 && !labels) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${op}: ceWeight is ${ceWeight} but no labels were given`);
  }
  const direction = options.direction ?? 'teacher||student';
  if (direction !== 'teacher||student' && direction !== 'student||teacher') {
    throw new QDistillError('E_INVALID_ARGUMENT', `${op}: direction must be 'teacher||student' or 'student||teacher', got ${String(direction)}`);
  }
  const divergence = options.divergence ?? 'kl';
  if (divergence !== 'kl' && divergence !== 'mse') throw new QDistillError('E_INVALID_ARGUMENT', `${op}: divergence must be 'kl' or 'mse', got ${String(divergence)}`);
  let kd: Tensor;
  if (divergence === 'kl') {
    if (spec.kind === 'probabilities' && direction === 'student||teacher') {
      throw new QDistillError('E_INVALID_ARGUMENT', `${op}: reverse KL (student||teacher) is infinite for Born probabilities: the teacher puts no mass on non-class outcomes; use direction 'teacher||student' or divergence 'mse'`);
    }
    const logT = distributionLogProbs(op, 'teacher', teacher, T);
    const logS = temperedLogProbs(studentOutput, spec, T, options.tempering ?? 'outcomes');
    kd = mean(direction === 'teacher||student' ? klRows(logT, logS, op) : klRows(logS, logT, op));
  } else if (spec.kind === 'probabilities') {
    const target = new Tensor(softmax(distributionLogProbs(op, 'teacher', teacher, T)).data, [n, c]);
    kd = mseLoss(exp(temperedLogProbs(studentOutput, spec, T, options.tempering ?? 'outcomes')), target);
  } else {
    if (!('logits' in teacher)) throw new QDistillError('E_INVALID_ARGUMENT', `${op}: divergence 'mse' on logits needs the teacher's logits, got ${describe(teacher)}`);
    const logits = outputLogits(studentOutput, spec);
    kd = mseLoss(c === logits.shape[1] ? logits : slice(logits, 1, 0, c), new Tensor(teacher.logits.data, teacher.logits.shape));
  }
  const tFactor = (options.tSquared ?? true) ? T * T : 1;
  const labelled = labels ? labels.length : 0;
  const ce = ceWeight > 0 && labelled > 0
    ? supervisedLoss(labelled === n ? studentOutput : slice(studentOutput, 0, 0, labelled), labels!, spec, { labelSmoothing: options.labelSmoothing ?? 0 })
    : null;
  let loss = scale(kd, kdWeight * tFactor);
  if (ce) loss = add(loss, scale(ce, ceWeight));
  return { loss, kd, ce, kdWeight, ceWeight };
}

/**
 * The scalar knowledge-distillation loss (see {@link kdLossTerms} for the formula and options).
 *
 * @example
 * ```ts
 * const loss = kdLoss(student.forward(x), { logits: teacherLogits }, labels, { temperature: 3, alpha: 0.9 });
 * loss.backward();
 * ```
 */
export function kdLoss(studentOutput: Tensor, teacher: Distribution, labels: Labels | null, options: KDLossOptions & { output?: OutputSpec } = {}): Tensor {
  return kdLossTerms(studentOutput, teacher, labels, options).loss;
}

/**
 * Fraction of rows whose argmax equals the label.
 *
 * @example
 * ```ts
 * accuracy(logits, labels); // 0.97
 * ```
 */
export function accuracy(logits: Tensor | DataLike, labels: Labels, numClasses?: number): number {
  const data = logits instanceof Tensor ? logits.data : logits;
  const c = logits instanceof Tensor ? logits.shape[logits.rank - 1]! : numClasses!;
  if (!c) throw new QDistillError('E_INVALID_ARGUMENT', 'accuracy: pass numClasses for flat logits');
  const n = data.length / c;
  if (n !== labels.length) throw new QDistillError('E_SHAPE', `accuracy: ${n} rows of logits but ${labels.length} labels`);
  let correct = 0;
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (data[r * c + j]! > data[r * c + best]!) best = j;
    if (best === labels[r]) correct++;
  }
  return n === 0 ? 0 : correct / n;
}
