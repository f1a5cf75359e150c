/**
 * Tolerances for the engine tests, from ONE function keyed by precision (the
 * tfjs-core habit): a test says what it compares, never a bare epsilon.
 *
 * - `engine`: the SIMD WebAssembly engine against the plain-TS reference engine
 *   (same double arithmetic, different summation order): a few ulps per op.
 * - `golden`: against PennyLane `default.qubit` (numpy, another library).
 * - `exact`: algebraic identities of the gate table (unitarity, U·U† = I,
 *   structure): nothing but rounding of a handful of products.
 * - `finiteDifference`: an analytic derivative against a central difference
 *   with step {@link FD_STEP}: truncation O(h²) plus rounding O(ε/h).
 */
import { expect } from 'vitest';

export type Precision = 'float64' | 'float32';
export type ToleranceKind = 'exact' | 'engine' | 'golden' | 'finiteDifference';

const TABLE: Record<Precision, Record<ToleranceKind, number>> = {
  float64: { exact: 1e-12, engine: 1e-12, golden: 1e-10, finiteDifference: 1e-7 },
  float32: { exact: 1e-5, engine: 1e-5, golden: 1e-4, finiteDifference: 1e-2 },
};

/** The central-difference step used with `finiteDifference` tolerances. */
export const FD_STEP = 1e-5;

/** The tolerance for comparing `kind` results computed in `precision`. */
export function tolerance(kind: ToleranceKind, precision: Precision = 'float64'): number {
  return TABLE[precision][kind];
}

/** Largest |a_i − b_i| (lengths must agree). */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

/**
 * Asserts two real arrays agree entry by entry within `tol`; the failure names
 * `what`, the first bad index and the worst difference.
 */
export function expectArrayClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const d = Math.abs(a - expected[i]!);
    if (!Number.isFinite(a) || d > worst) {
      worst = Number.isFinite(a) ? d : Infinity;
      worstIndex = i;
    }
  }
  if (!(worst <= tol)) {
    expect.fail(
      `${what}: entry ${worstIndex} is ${actual[worstIndex]}, expected ${expected[worstIndex]} ` +
        `(max |diff| ${worst.toExponential(3)} > tolerance ${tol.toExponential(1)})`,
    );
  }
}

/** Asserts two scalars agree within `tol`, naming `what`. */
export function expectClose(actual: number, expected: number, tol: number, what: string): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`${what}: got ${actual}, expected ${expected} (|diff| ${Math.abs(actual - expected).toExponential(3)} > ${tol.toExponential(1)})`);
  }
}

/** A complex vector or the re/im parts of a matrix. */
export interface ComplexArrays {
  readonly re: ArrayLike<number>;
  readonly im: ArrayLike<number>;
}

/** Asserts two complex arrays agree (modulus of the difference) within `tol`. */
export function expectComplexClose(actual: ComplexArrays, expected: ComplexArrays, tol: number, what: string): void {
  expect(actual.re.length, `${what}: length (re)`).toBe(expected.re.length);
  expect(actual.im.length, `${what}: length (im)`).toBe(expected.im.length);
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < expected.re.length; i++) {
    const d = Math.hypot(actual.re[i]! - expected.re[i]!, actual.im[i]! - expected.im[i]!);
    if (!Number.isFinite(d) || d > worst) {
      worst = Number.isFinite(d) ? d : Infinity;
      worstIndex = i;
    }
  }
  if (!(worst <= tol)) {
    expect.fail(
      `${what}: entry ${worstIndex} is ${actual.re[worstIndex]}${fmtIm(actual.im[worstIndex]!)}, ` +
        `expected ${expected.re[worstIndex]}${fmtIm(expected.im[worstIndex]!)} ` +
        `(max |diff| ${worst.toExponential(3)} > tolerance ${tol.toExponential(1)})`,
    );
  }
}

function fmtIm(v: number): string {
  return `${v < 0 ? '−' : '+'}${Math.abs(v)}i`;
}
