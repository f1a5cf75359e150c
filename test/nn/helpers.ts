// Shared helpers for the nn tests.
import { expect } from 'vitest';
import type { QDistillError, ErrorCode } from '../../sdk/errors.js';
import { expectQDistillError } from '../helpers/errors.js';
import { randn, rand, Tensor, type DType } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';

/** A seeded normal tensor. */
export function normal(shape: readonly number[], seed: number, dtype: DType = 'float64'): Tensor {
  return randn(shape, new Random(seed), { dtype });
}

/** A seeded uniform tensor in [low, high). */
export function uniform(shape: readonly number[], seed: number, low: number, high: number, dtype: DType = 'float64'): Tensor {
  return rand(shape, new Random(seed), low, high, { dtype });
}

/** max |a − b| / max(1, max |b|). */
export function relMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Asserts `body` throws a QDistillError with `code` whose message contains/matches every pattern (the shared helper). */
export const expectError = expectQDistillError;

/** Async variant of {@link expectError}. */
export async function expectErrorAsync(body: () => Promise<unknown>, code: ErrorCode, ...patterns: Array<string | RegExp>): Promise<QDistillError> {
  let caught: unknown;
  try {
    await body();
  } catch (e) {
    caught = e;
  }
  return expectQDistillError(() => {
    throw caught ?? new Error('expected a QDistillError, but the promise resolved');
  }, code, ...patterns);
}
