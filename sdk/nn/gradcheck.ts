/**
 * `checkVjp` (HIPS-autograd style): a cheap random-projection check of a
 * function's VJPs against central finite differences, one input at a time.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { Random } from '../util/random.js';
import { noGrad, Tensor, type DType } from './tensor.js';

/** Result of checking one input. */
export interface VjpCheck {
  /** Index of the input. */
  input: number;
  /** uᵀ J v from the VJP (⟨VJP(u), v⟩). */
  analytic: number;
  /** (⟨f(x + εv), u⟩ − ⟨f(x − εv), u⟩)/2ε. */
  numeric: number;
  /** |analytic − numeric| / max(|analytic|, |numeric|, 1e-12). */
  relError: number;
  absError: number;
}

/** Options of {@link checkVjp}. */
export interface CheckVjpOptions {
  /** Finite-difference step (default 1e-6 for float64, 1e-2 for float32). */
  eps?: number;
  /** Generator for the projections u and directions v (default seed 0). */
  rng?: Random;
  /** Which inputs to check (default all). */
  wrt?: readonly number[];
}

/**
 * Tolerances keyed by precision, for comparing a VJP with finite
 * differences or a float32 kernel with the float64 reference.
 *
 * @example
 * ```ts
 * expect(check.relError).toBeLessThan(tolerance('float64').vjp);
 * ```
 */
export function tolerance(dtype: DType): { vjp: number; kernel: number } {
  return dtype === 'float64' ? { vjp: 1e-6, kernel: 1e-12 } : { vjp: 2e-2, kernel: 1e-4 };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Checks the VJP of `fn` at `inputs`: for each input i, draws a projection u
 * of the output and a direction vᵢ, and compares ⟨VJPᵢ(u), vᵢ⟩ with the
 * central difference of ⟨f, u⟩ along vᵢ (other inputs fixed). `fn` must be
 * deterministic.
 *
 * @example
 * ```ts
 * const checks = checkVjp((a, b) => matmul(a, b), [randn([3, 4], rng, f64), randn([4, 2], rng, f64)]);
 * checks.every((c) => c.relError < 1e-6); // true
 * ```
 */
export function checkVjp(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: CheckVjpOptions = {}): VjpCheck[] {
  const rng = options.rng ?? new Random(0);
  const wrt = options.wrt ?? inputs.map((_, i) => i);
  const results: VjpCheck[] = [];
  for (const i of wrt) {
    const base = inputs[i];
    if (!base) throw new QDistillError('E_INVALID_ARGUMENT', `checkVjp: no input ${i}`);
    const eps = options.eps ?? (base.dtype === 'float64' ? 1e-6 : 1e-2);
    const leaves = inputs.map((t, j) => new Tensor(t.data.slice(), t.shape, j === i));
    const y = fn(...leaves);
    const u = new Float64Array(y.size);
    for (let k = 0; k < u.length; k++) u[k] = rng.normal();
    if (!y.requiresGrad) throw new QDistillError('E_INVALID_ARGUMENT', `checkVjp: the output does not depend on input ${i} through the graph`);
    y.backward(u);
    const grad = leaves[i]!.gradData ?? new Float64Array(base.size);
    const v = new Float64Array(base.size);
    for (let k = 0; k < v.length; k++) v[k] = rng.normal();
    const analytic = dot(grad, v);
    const at = (sign: number): number =>
      noGrad(() => {
        const shifted = inputs.map((t, j) => {
          if (j !== i) return t;
          const d = t.data.slice();
          for (let k = 0; k < d.length; k++) d[k]! += sign * eps * v[k]!;
          return new Tensor(d, t.shape);
        });
        return dot(fn(...shifted).data, u);
      });
    const numeric = (at(1) - at(-1)) / (2 * eps);
    const absError = Math.abs(analytic - numeric);
    results.push({ input: i, analytic, numeric, absError, relError: absError / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-12) });
  }
  return results;
}
