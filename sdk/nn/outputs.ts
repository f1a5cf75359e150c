/**
 * What a model emits, and how each kind becomes class predictions, a
 * supervised loss and a temperature-softened distribution for distillation.
 *
 * A classical network emits logits. A quantum model may emit **Born
 * probabilities** over its 2ⁿ measurement outcomes (outcome c ↔ class c for
 * the first C outcomes; the rest are "leaked" mass), or **expectation
 * values** in [−1, 1]. Treating probabilities as logits is wrong: softmax(p/T)
 * over p ∈ [0, 1] can never be sharp (for 6 classes its largest entry is at
 * most e^{1/T}/(e^{1/T} + 5) ≤ 0.35), so a KL term against a confident teacher
 * never gets small. The right softened distribution for probabilities is
 *
 *   q_T(k) = p_k^{1/T} / Σ_j p_j^{1/T}                 (over all K outcomes), or
 *   q_T over C + 1 bins (the C classes and "rest" = Σ_{k≥C} p_k),
 *
 * so T = 1 gives back p itself and the mass on non-class outcomes is penalised
 * (the teacher puts none there).
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { add, log, relu, scale } from './ops/elementwise.js';
import { logSoftmax, sum } from './ops/reduce.js';
import { concat, slice } from './ops/shape.js';
import { allocData, formatShape, record, Tensor } from './tensor.js';
import * as pm from '../util/portable-math.js';

/**
 * What a model's forward returns, per sample (`[N, K]`).
 *
 * - `logits`: K unnormalised scores. With `classes` = C < K only the first C
 *   are classes (paper 003's 2ⁿ⁺¹-output head): cross-entropy uses all K, the
 *   KD term the first C, and a prediction of an output ≥ C is wrong.
 * - `probabilities`: Born probabilities over K ≥ C outcomes (rows sum to 1, or
 *   to ≤ 1 when only the C class outcomes are returned); outcome c is class c.
 * - `expectations`: values in [−1, 1]; the logits are `scale`·value.
 *
 * @example
 * ```ts
 * const spec: OutputSpec = { kind: 'probabilities', classes: 6 }; // 64 outcomes of 6 qubits, classes 0..5
 * ```
 */
export type OutputSpec =
  | { kind: 'logits'; classes?: number }
  | { kind: 'probabilities'; classes: number }
  | { kind: 'expectations'; scale: number };

/** How Born probabilities are softened by a temperature: over all outcomes, or over the classes plus one "rest" bin. */
export type BornTempering = 'outcomes' | 'rest';

/** The default output kind: plain logits. */
export const LOGITS: OutputSpec = Object.freeze({ kind: 'logits' });

/** Smallest probability taken into a logarithm (below it the gradient is zero). */
export const PROBABILITY_FLOOR = 1e-10;

function columns(op: string, output: Tensor): number {
  if (output.rank !== 2) throw new QDistillError('E_SHAPE', `${op}: the model output must be [N, K], got ${formatShape(output.shape)}`);
  return output.shape[1]!;
}

/**
 * Number of classes a model output of this kind and width represents.
 *
 * @throws E_SHAPE if the spec asks for more classes than the output has
 * @example
 * ```ts
 * outputClasses({ kind: 'probabilities', classes: 6 }, 64); // 6
 * ```
 */
export function outputClasses(spec: OutputSpec, width: number): number {
  const c = spec.kind === 'expectations' ? width : (spec.classes ?? width);
  if (!Number.isInteger(c) || c < 1 || c > width) {
    throw new QDistillError('E_SHAPE', `output (${spec.kind}): ${c} classes do not fit an output of ${width} values per sample`);
  }
  return c;
}

/**
 * Validates an output spec (positive class count, finite positive scale).
 *
 * @throws E_INVALID_ARGUMENT naming the bad field
 */
export function checkOutputSpec(spec: OutputSpec, where = 'output'): void {
  switch (spec.kind) {
    case 'logits':
      if (spec.classes !== undefined && !(Number.isInteger(spec.classes) && spec.classes >= 1)) {
        throw new QDistillError('E_INVALID_ARGUMENT', `${where}.classes: expected a positive integer, got ${spec.classes}`);
      }
      return;
    case 'probabilities':
      if (!(Number.isInteger(spec.classes) && spec.classes >= 1)) {
        throw new QDistillError('E_INVALID_ARGUMENT', `${where}.classes: expected a positive integer, got ${spec.classes}`);
      }
      return;
    case 'expectations':
      if (!(Number.isFinite(spec.scale) && spec.scale > 0)) {
        throw new QDistillError('E_INVALID_ARGUMENT', `${where}.scale: expected a positive number, got ${spec.scale}`);
      }
      return;
    default: {
      const never: never = spec;
      throw new QDistillError('E_INVALID_ARGUMENT', `${where}.kind: expected logits, probabilities or expectations, got ${JSON.stringify((never as { kind: unknown }).kind)}`);
    }
  }
}

/**
 * Predicted class of every row: argmax over all outputs for logits (an output
 * ≥ `classes` counts as a wrong prediction), over the C class outcomes for
 * probabilities, over the values for expectations. First of equals.
 *
 * @example
 * ```ts
 * predictClasses(model.forward(x).data, 64, { kind: 'probabilities', classes: 6 });
 * ```
 */
export function predictClasses(data: ArrayLike<number>, width: number, spec: OutputSpec): Int32Array {
  const n = data.length / width;
  const span = spec.kind === 'probabilities' ? outputClasses(spec, width) : width;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < span; j++) if (data[r * width + j]! > data[r * width + best]!) best = j;
    out[r] = best;
  }
  return out;
}

/**
 * Fraction of rows whose predicted class (see {@link predictClasses}) equals the label.
 *
 * @example
 * ```ts
 * outputAccuracy(model.forward(x), labels, { kind: 'expectations', scale: 10 }); // 0.93
 * ```
 */
export function outputAccuracy(output: Tensor, labels: ArrayLike<number>, spec: OutputSpec = LOGITS): number {
  const width = columns('outputAccuracy', output);
  const predicted = predictClasses(output.data, width, spec);
  if (predicted.length !== labels.length) {
    throw new QDistillError('E_SHAPE', `outputAccuracy: ${predicted.length} rows of output but ${labels.length} labels`);
  }
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct++;
  return predicted.length === 0 ? 0 : correct / predicted.length;
}

/** max(p, floor), with gradient 1 above the floor and 0 below it. */
export function floorProbabilities(p: Tensor): Tensor {
  return add(relu(add(p, -PROBABILITY_FLOOR)), PROBABILITY_FLOOR);
}

/**
 * The output as logits (for cross-entropy): logits as they are, expectations
 * times their scale.
 *
 * @throws E_INVALID_ARGUMENT for probabilities, which have no logits (use {@link supervisedLoss})
 */
export function outputLogits(output: Tensor, spec: OutputSpec): Tensor {
  switch (spec.kind) {
    case 'logits':
      return output;
    case 'expectations':
      return scale(output, spec.scale);
    case 'probabilities':
      throw new QDistillError('E_INVALID_ARGUMENT', 'outputLogits: Born probabilities are not logits; use their logarithm (supervisedLoss, temperedLogProbs)');
    default: {
      const never: never = spec;
      throw new QDistillError('E_INVALID_ARGUMENT', `outputLogits: unknown output kind ${JSON.stringify(never)}`);
    }
  }
}

/**
 * log q_T of the C classes: the model's distribution softened by temperature T.
 *
 * - logits: log softmax(z/T) over the first C outputs;
 * - expectations: log softmax(scale·e/T);
 * - probabilities, `outcomes`: q_T ∝ p^{1/T} over all K outcomes, restricted to the C classes
 *   (the returned row sums to < 1 when mass sits on non-class outcomes);
 * - probabilities, `rest`: q_T ∝ b^{1/T} over the C classes and one bin holding the rest,
 *   Σ_{k≥C} p_k (or 1 − Σ_c p_c when only the class outcomes are returned).
 *
 * @example
 * ```ts
 * const logQ = temperedLogProbs(probs, { kind: 'probabilities', classes: 6 }, 2); // [N, 6]
 * ```
 */
export function temperedLogProbs(output: Tensor, spec: OutputSpec, temperature: number, tempering: BornTempering = 'outcomes'): Tensor {
  const width = columns('temperedLogProbs', output);
  const c = outputClasses(spec, width);
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new QDistillError('E_INVALID_ARGUMENT', `temperedLogProbs: temperature must be a positive number, got ${temperature}`);
  }
  const soften = (t: Tensor): Tensor => (temperature === 1 ? t : scale(t, 1 / temperature));
  if (spec.kind === 'logits') return logSoftmax(soften(c === width ? output : slice(output, 1, 0, c)));
  if (spec.kind === 'expectations') return logSoftmax(soften(scale(output, spec.scale)));
  if (tempering !== 'outcomes' && tempering !== 'rest') {
    throw new QDistillError('E_INVALID_ARGUMENT', `temperedLogProbs: tempering must be 'outcomes' or 'rest', got ${JSON.stringify(tempering)}`);
  }
  if (tempering === 'outcomes') return temperBins(output, c, temperature);
  const classes = c === width ? output : slice(output, 1, 0, c);
  const rest = c < width ? sum(slice(output, 1, c, width), 1, true) : relu(add(scale(sum(classes, 1, true), -1), 1));
  return temperBins(concat([classes, rest], 1), c, temperature);
}

/**
 * log q_T of the first C of B probability bins, q_T(k) = b_k^{1/T} / Σ_j b_j^{1/T}.
 * A bin with b ≤ 0 contributes exactly nothing (and gets no gradient: b^{1/T}
 * has an infinite slope at 0 for T > 1); a class bin's logarithm is floored at
 * log {@link PROBABILITY_FLOOR}. One fused op:
 * ∂ log q_c / ∂ b_j = (δ_cj / b_c − q_j / b_j) / T for b_j > 0.
 */
function temperBins(bins: Tensor, classes: number, temperature: number): Tensor {
  const n = bins.shape[0]!;
  const width = bins.shape[1]!;
  const b = bins.data;
  const inv = 1 / temperature;
  const q = new Float64Array(n * width);
  const out = new Tensor(allocData(bins.dtype, n * classes), [n, classes]);
  const floorLog = pm.log(PROBABILITY_FLOOR);
  const live = new Uint8Array(n * classes);
  for (let r = 0; r < n; r++) {
    let z = 0;
    for (let k = 0; k < width; k++) {
      const v = b[r * width + k]!;
      const w = v > 0 ? (temperature === 1 ? v : pm.exp(inv * pm.log(v))) : 0;
      q[r * width + k] = w;
      z += w;
    }
    if (!(z > 0)) throw new QDistillError('E_NAN', `temperedLogProbs: row ${r} holds no probability mass (every outcome is 0)`);
    for (let k = 0; k < width; k++) q[r * width + k]! /= z;
    for (let c = 0; c < classes; c++) {
      const qc = q[r * width + c]!;
      const lq = qc > 0 ? pm.log(qc) : -Infinity;
      live[r * classes + c] = lq > floorLog ? 1 : 0;
      out.data[r * classes + c] = Math.max(lq, floorLog);
    }
  }
  return record('temperedLogProbs', [bins], out, (g, sink) => {
    const gb = sink(0);
    if (!gb) return;
    for (let r = 0; r < n; r++) {
      // Σ_c g_c ∂log q_c/∂b_j = (g_j·[j < C] / b_j − (Σ_c g_c) q_j / b_j) / T, the sums over live classes only
      // (a floored log q_c is a constant); the q_j/b_j term is ∂log z/∂b_j.
      let gsum = 0;
      for (let c = 0; c < classes; c++) if (live[r * classes + c]) gsum += g[r * classes + c]!;
      for (let j = 0; j < width; j++) {
        const v = b[r * width + j]!;
        if (!(v > 0)) continue;
        const own = j < classes && live[r * classes + j] ? g[r * classes + j]! : 0;
        gb[r * width + j]! += (inv * (own - gsum * q[r * width + j]!)) / v;
      }
    }
  });
}
