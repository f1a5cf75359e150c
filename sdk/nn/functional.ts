/**
 * Functional calculus on flat parameter vectors: value and gradients,
 * Hessian-vector products, and hypergradients through unrolled training
 * steps — the machinery of dataset distillation.
 *
 * ## Second order by central differences of first-order gradients
 *
 * The autodiff graph is first order. Second-order products are taken as
 *
 *   H·v ≈ (∇θℓ(θ + εv) − ∇θℓ(θ − εv)) / 2ε            (Hessian-vector product)
 *   ∇ₓ(vᵀ∇θℓ) ≈ (∇ₓℓ(θ + εv) − ∇ₓℓ(θ − εv)) / 2ε      (mixed input/parameter product)
 *
 * from the same two gradient evaluations. The error is O(ε²) plus rounding
 * of order (gradient precision)/ε. Only first-order gradients are needed, so
 * this works through blocks that only provide adjoint gradients (the quantum
 * layer). ε is chosen so the perturbation has norm `eps`·max(1, ‖θ‖)
 * (default eps = 1e-3), i.e. a relative step.
 *
 * With ReLU or max-pooling the gradient is piecewise smooth: a difference
 * that straddles a kink measures a jump, not curvature. {@link hvp} can
 * detect that when it knows the gradient at θ (it compares the two one-sided
 * differences) and retakes the product with a smaller ε;
 * {@link unrolledHypergradient} always does. Measured on paper 000's quantum
 * LeNet (bench/dd.ts): float64 gradients with eps = 1e-6 match brute finite
 * differences of the unrolled objective to ~1e-5; float32 gradients cannot
 * (rounding over ε, and kinks at the large ε rounding needs).
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { allocData, Tensor, type DataLike, type DType } from './tensor.js';

/** A scalar loss of a flat parameter tensor `[P]` and an input tensor. */
export type ParamInputLoss = (params: Tensor, inputs: Tensor) => Tensor;

/** A scalar loss of a flat parameter tensor `[P]` only. */
export type ParamLoss = (params: Tensor) => Tensor;

/** Options of the functional helpers. */
export interface FunctionalOptions {
  /** dtype of the parameter tensor handed to the loss (default float64; `Module.apply` casts to each layer's dtype). */
  paramDtype?: DType;
}

/** Loss value and gradients at one point. */
export interface ValueAndGrad {
  loss: number;
  /** ∇θ loss, flat. */
  dParams: Float64Array;
  /** ∇ₓ loss, flat (null when not requested). */
  dInputs: Float64Array | null;
}

function leaf(data: DataLike, shape: readonly number[], dtype: DType): Tensor {
  const d = allocData(dtype, data.length);
  d.set(data);
  return new Tensor(d, shape, true);
}

function scalarLoss(t: Tensor, where: string): number {
  if (t.size !== 1) throw new QDistillError('E_SHAPE', `${where}: the loss must be a scalar, got ${t.toString()}`);
  const v = t.item();
  if (!Number.isFinite(v)) throw new QDistillError('E_NAN', `${where}: the loss is ${v}`);
  return v;
}

function toF64(a: ArrayLike<number> | null): Float64Array {
  const out = new Float64Array(a ? a.length : 0);
  if (a) out.set(a);
  return out;
}

/**
 * ℓ(θ, x) and its gradients with respect to θ and (optionally) x.
 *
 * @throws E_SHAPE if the loss is not a scalar; E_NAN if it is not finite
 * @example
 * ```ts
 * const { loss, dParams, dInputs } = valueAndGrad((p, x) => crossEntropy(model.apply(p, x), y), model.getFlatParams(), xSyn);
 * ```
 */
export function valueAndGrad(
  lossFn: ParamInputLoss,
  params: DataLike,
  inputs: Tensor,
  options: FunctionalOptions & { inputGrad?: boolean } = {},
): ValueAndGrad {
  const p = leaf(params, [params.length], options.paramDtype ?? 'float64');
  const wantInput = options.inputGrad ?? true;
  const x = new Tensor(inputs.data.slice(), inputs.shape, wantInput);
  const out = lossFn(p, x);
  const loss = scalarLoss(out, 'valueAndGrad');
  if (out.requiresGrad) out.backward();
  return {
    loss,
    dParams: toF64(p.gradData ?? new Float64Array(params.length)),
    dInputs: wantInput ? toF64(x.gradData ?? new Float64Array(inputs.size)) : null,
  };
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function stepSize(theta: ArrayLike<number>, v: ArrayLike<number>, eps: number): number {
  const nv = norm(v);
  return nv === 0 ? 0 : (eps * Math.max(1, norm(theta))) / nv;
}

/** Options of {@link hvp} and {@link unrolledHypergradient}. */
export interface CentralDifferenceOptions extends FunctionalOptions {
  /** Relative perturbation size: ‖εv‖ = eps·max(1, ‖θ‖) (default 1e-3). */
  eps?: number;
  /**
   * Kink guard (see {@link hvp}): relative tolerance on the disagreement of
   * the two one-sided differences (default 1e-2), and how many times to
   * retry with ε/8 (default 3). Used only when the gradient at θ is known.
   */
  kinkTolerance?: number;
  kinkRetries?: number;
}

/** Hessian-vector product and the mixed input product at one point. */
export interface HvpResult {
  /** H·v = ∇²θℓ · v. */
  hvp: Float64Array;
  /** ∇ₓ(vᵀ∇θℓ) (null when `inputs` were not given). */
  mixed: Float64Array | null;
  /** The ε actually used. */
  epsilon: number;
  /** Retries with a smaller ε because the one-sided differences disagreed (a kink was crossed). */
  retries: number;
  /** True if they still disagreed after every retry (the result is then the last attempt's). */
  unresolved: boolean;
}

/**
 * Hessian-vector product H·v of ℓ(θ, x) in θ by central differences of
 * first-order gradients (see the module doc), with the mixed product
 * ∇ₓ(vᵀ∇θℓ) from the same two evaluations.
 *
 * **Kinks.** With ReLU or max-pooling the gradient jumps where a
 * pre-activation crosses 0 (or a pooling argmax switches). A difference
 * that straddles such a point measures the jump over 2ε, not the Hessian
 * (PyTorch's double backward, like this function's intent, uses the
 * almost-everywhere Hessian: ReLU'' = 0). Give `center` (∇θℓ at θ itself)
 * and the two one-sided differences (g₊ − g₀)/ε and (g₀ − g₋)/ε are
 * compared: if they differ by more than `kinkTolerance` (relative), a kink
 * was crossed and the product is retaken with ε/8 (up to `kinkRetries`
 * times). For smooth losses both agree to O(ε).
 *
 * @throws E_SHAPE if v's (or center's) length differs from θ's
 * @example
 * ```ts
 * const { hvp: hv } = hvp((p, x) => crossEntropy(model.apply(p, x), y), theta, x, v);
 * ```
 */
export function hvp(
  lossFn: ParamInputLoss, params: DataLike, inputs: Tensor, v: DataLike, options: CentralDifferenceOptions & { center?: ArrayLike<number> } = {},
): HvpResult {
  if (v.length !== params.length) {
    throw new QDistillError('E_SHAPE', `hvp: the direction has ${v.length} values, the parameters ${params.length}`);
  }
  const center = options.center;
  if (center && center.length !== params.length) {
    throw new QDistillError('E_SHAPE', `hvp: center (the gradient at θ) has ${center.length} values, the parameters ${params.length}`);
  }
  let eps = stepSize(params, v, options.eps ?? 1e-3);
  if (eps === 0) return { hvp: new Float64Array(params.length), mixed: new Float64Array(inputs.size), epsilon: 0, retries: 0, unresolved: false };
  const tolerance = options.kinkTolerance ?? 1e-2;
  const maxRetries = center ? (options.kinkRetries ?? 3) : 0;
  const plus = new Float64Array(params.length);
  const minus = new Float64Array(params.length);
  for (let attempt = 0; ; attempt++) {
    for (let i = 0; i < params.length; i++) {
      plus[i] = params[i]! + eps * v[i]!;
      minus[i] = params[i]! - eps * v[i]!;
    }
    const gp = valueAndGrad(lossFn, plus, inputs, options);
    const gm = valueAndGrad(lossFn, minus, inputs, options);
    let consistent = true;
    if (center) {
      // the one-sided differences d₊ = g₊ − g₀ and d₋ = g₀ − g₋ (times ε) must agree
      let gap = 0;
      let sp = 0;
      let sm = 0;
      for (let i = 0; i < params.length; i++) {
        const dp = gp.dParams[i]! - center[i]!;
        const dm = center[i]! - gm.dParams[i]!;
        gap += (dp - dm) * (dp - dm);
        sp += dp * dp;
        sm += dm * dm;
      }
      consistent = Math.sqrt(gap) <= tolerance * Math.max(Math.sqrt(sp), Math.sqrt(sm), 1e-300);
    }
    if (consistent || attempt >= maxRetries) {
      const hv = new Float64Array(params.length);
      for (let i = 0; i < hv.length; i++) hv[i] = (gp.dParams[i]! - gm.dParams[i]!) / (2 * eps);
      const mixed = new Float64Array(inputs.size);
      for (let i = 0; i < mixed.length; i++) mixed[i] = (gp.dInputs![i]! - gm.dInputs![i]!) / (2 * eps);
      return { hvp: hv, mixed, epsilon: eps, retries: attempt, unresolved: !consistent };
    }
    eps /= 8;
  }
}

/**
 * An inner (training) loss ℓ(θ, X_b) on synthetic batch `batch` — the batch
 * index lets each batch carry its own labels. A {@link ParamInputLoss}
 * (which ignores the index) is one too.
 */
export type StepLoss = (params: Tensor, inputs: Tensor, batch: number) => Tensor;

/**
 * The outer loss as one function returning L(θ) and ∇θL: the place where a
 * large real batch is evaluated, so a caller may split it (workers) and sum.
 */
export type OuterGradient = (theta: Float64Array) => { loss: number; dParams: Float64Array };

/** Input of {@link unrolledHypergradient}. */
export interface UnrolledProblem {
  /** Inner (training) loss ℓ(θ, X_b) on synthetic batch b. */
  innerLoss: StepLoss;
  /** Outer (validation) loss L(θ) on real data (give this or `outerGradient`). */
  outerLoss?: ParamLoss;
  /** L(θ) and ∇θL in one call (give this or `outerLoss`). */
  outerGradient?: OuterGradient;
  /** Initial parameters θ₀. */
  theta0: DataLike;
  /** The synthetic inputs: one tensor (every step uses it), or one tensor per batch. */
  syntheticInputs: Tensor | readonly Tensor[];
  /** One learning rate per unrolled step (its length is the number of steps k). */
  learningRates: DataLike;
  /** The batch step t trains on (default t mod the number of batches: the batches cycle, as in epochs over them). */
  batchOfStep?: (step: number) => number;
  /**
   * Which parameters the inner steps update: 1 trains, 0 freezes (θ_{t+1} = θ_t − η_t·m⊙∇θℓ).
   * Default: all of them.
   */
  trainableMask?: ArrayLike<number>;
}

/** Output of {@link unrolledHypergradient}. */
export interface UnrolledResult {
  /** L(θ_k). */
  outerLoss: number;
  /** ℓ(θ_t, X_{b(t)}) for t = 0..k−1. */
  innerLosses: number[];
  /** dL/dX, flat: every batch's gradient, concatenated in batch order (X's shape for a single tensor). */
  dInputs: Float64Array;
  /** dL/dX_b per batch. */
  dInputList: Float64Array[];
  /** dL/dη_t for every step. */
  dLearningRates: Float64Array;
  /** dL/dθ₀. */
  dTheta0: Float64Array;
  /** θ_k. */
  thetaFinal: Float64Array;
  /** Kink-guard retries over the k products, and products still inconsistent after them (see {@link hvp}). */
  hvpRetries: number;
  hvpUnresolved: number;
}

/**
 * Hypergradient of a k-step unrolled objective (dataset distillation):
 *
 *   θ_{t+1} = θ_t − η_t·m⊙∇θℓ(θ_t, X_{b(t)}),  t = 0..k−1,   objective L(θ_k),
 *
 * with respect to the synthetic inputs X_b, the learning rates η_t and θ₀
 * (m is the trainable mask, all ones by default; b(t) the batch of step t),
 * by reverse accumulation: a_k = ∇L(θ_k); for t = k−1..0, with u = m⊙a_{t+1}:
 * dL/dη_t = −u·∇θℓ(θ_t, X_b), dL/dX_b += −η_t ∇ₓ(uᵀ∇θℓ(θ_t, X_b)),
 * a_t = a_{t+1} − η_t H_t u, where the two second-order products come from
 * one central difference of first-order gradients at θ_t ± εu ({@link hvp},
 * with its kink guard: the gradient at θ_t is known from the forward pass).
 * Cost: 3k gradient evaluations on the synthetic batches plus one of the
 * outer loss; memory: k parameter vectors. The losses must be deterministic
 * (eval-mode dropout/batch norm or fixed seeds) for the differences to mean
 * anything.
 *
 * @throws E_INVALID_ARGUMENT if there are no steps, no or both outer losses, no batches, or a step names a batch that does not exist
 * @throws E_SHAPE if the mask's length differs from θ₀'s
 * @example
 * ```ts
 * const r = unrolledHypergradient({
 *   innerLoss: (p, x) => crossEntropy(model.apply(p, x), synLabels),
 *   outerLoss: (p) => crossEntropy(model.apply(p, realX), realLabels),
 *   theta0: model.getFlatParams(), syntheticInputs: xSyn, learningRates: [0.01, 0.01, 0.01],
 * });
 * // r.dInputs: gradient for the synthetic images; r.dLearningRates: for the learned step sizes
 * ```
 */
export function unrolledHypergradient(problem: UnrolledProblem, options: CentralDifferenceOptions = {}): UnrolledResult {
  const k = problem.learningRates.length;
  if (k < 1) throw new QDistillError('E_INVALID_ARGUMENT', 'unrolledHypergradient: needs at least one learning rate (one step)');
  if ((problem.outerLoss === undefined) === (problem.outerGradient === undefined)) {
    throw new QDistillError('E_INVALID_ARGUMENT', 'unrolledHypergradient: give exactly one of outerLoss and outerGradient');
  }
  const batches = problem.syntheticInputs instanceof Tensor ? [problem.syntheticInputs] : [...problem.syntheticInputs];
  if (batches.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'unrolledHypergradient: syntheticInputs holds no batch');
  const batchOf = (t: number): number => {
    const b = problem.batchOfStep ? problem.batchOfStep(t) : t % batches.length;
    if (!Number.isInteger(b) || b < 0 || b >= batches.length) {
      throw new QDistillError('E_INVALID_ARGUMENT', `unrolledHypergradient: step ${t} uses batch ${b}, but there are ${batches.length} (0..${batches.length - 1})`);
    }
    return b;
  };
  const n = problem.theta0.length;
  const mask = problem.trainableMask;
  if (mask && mask.length !== n) {
    throw new QDistillError('E_SHAPE', `unrolledHypergradient: trainableMask has ${mask.length} values, θ₀ has ${n}`);
  }
  const masked = (v: Float64Array): Float64Array => (mask ? v.map((x, i) => x * mask[i]!) : v);
  const innerAt = (b: number): ParamInputLoss => (p, x) => problem.innerLoss(p, x, b);
  const thetas: Float64Array[] = [];
  const grads: Float64Array[] = [];
  const rawGrads: Float64Array[] = [];
  const innerLosses: number[] = [];
  let theta = toF64(problem.theta0);
  for (let t = 0; t < k; t++) {
    const r = valueAndGrad(innerAt(batchOf(t)), theta, batches[batchOf(t)]!, { ...options, inputGrad: false });
    thetas.push(theta);
    rawGrads.push(r.dParams);
    const g = masked(r.dParams);
    grads.push(g);
    innerLosses.push(r.loss);
    const eta = problem.learningRates[t]!;
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = theta[i]! - eta * g[i]!;
    theta = next;
  }
  const thetaFinal = theta;
  const outer = problem.outerGradient
    ? problem.outerGradient(thetaFinal.slice())
    : valueAndGrad((p) => problem.outerLoss!(p), thetaFinal, batches[0]!, { ...options, inputGrad: false });
  if (!Number.isFinite(outer.loss)) throw new QDistillError('E_NAN', `unrolledHypergradient: the outer loss is ${outer.loss}`);
  if (outer.dParams.length !== n) {
    throw new QDistillError('E_SHAPE', `unrolledHypergradient: the outer gradient has ${outer.dParams.length} values, θ has ${n}`);
  }
  let a = toF64(outer.dParams);
  const dInputList = batches.map((x) => new Float64Array(x.size));
  const dLearningRates = new Float64Array(k);
  let hvpRetries = 0;
  let hvpUnresolved = 0;
  for (let t = k - 1; t >= 0; t--) {
    const eta = problem.learningRates[t]!;
    const b = batchOf(t);
    const u = masked(a);
    let dot = 0;
    for (let i = 0; i < n; i++) dot += a[i]! * grads[t]![i]!; // grads[t] = m⊙∇θℓ already
    dLearningRates[t] = -dot;
    const { hvp: hu, mixed, retries, unresolved } = hvp(innerAt(b), thetas[t]!, batches[b]!, u, { ...options, center: rawGrads[t]! });
    hvpRetries += retries;
    if (unresolved) hvpUnresolved++;
    const dX = dInputList[b]!;
    for (let i = 0; i < dX.length; i++) dX[i]! -= eta * mixed![i]!;
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = a[i]! - eta * hu[i]!;
    a = next;
  }
  const dInputs = new Float64Array(dInputList.reduce((s, d) => s + d.length, 0));
  let offset = 0;
  for (const d of dInputList) {
    dInputs.set(d, offset);
    offset += d.length;
  }
  return { outerLoss: outer.loss, innerLosses, dInputs, dInputList, dLearningRates, dTheta0: a, thetaFinal, hvpRetries, hvpUnresolved };
}
