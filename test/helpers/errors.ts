/**
 * Asserting typed errors: every SDK error is a {@link QDistillError} with a
 * stable `code` and a message that names what was wrong and where — tests
 * assert BOTH (STYLE.md habit 4).
 */
import { expect } from 'vitest';
import { ERROR_CODES, QDistillError, isQDistillError, type ErrorCode } from '../../sdk/errors.js';

/** The error `fn` throws (fails if it returns). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a QDistillError, but the call returned normally');
}

/** The error `body` rejects with (fails if it resolves). */
export async function rejectionOf(body: () => Promise<unknown>): Promise<unknown> {
  try {
    await body();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a QDistillError, but the call succeeded');
}

/**
 * Asserts `error` is a QDistillError (by its brand, which also holds across
 * workers) with `code` and a message that matches every pattern (strings
 * must appear verbatim). Returns it.
 */
export function expectQDistillErrorValue(error: unknown, code: ErrorCode, ...patterns: Array<RegExp | string>): QDistillError {
  expect(isQDistillError(error), `expected a QDistillError, got ${String(error)}`).toBe(true);
  const e = error as QDistillError;
  expect(ERROR_CODES).toContain(e.code);
  expect({ code: e.code, message: e.message }).toMatchObject({ code });
  for (const p of patterns) {
    if (typeof p === 'string') expect(e.message).toContain(p);
    else expect(e.message).toMatch(p);
  }
  return e;
}

/**
 * Asserts `fn` throws a QDistillError with `code` whose message matches
 * every pattern (strings must appear verbatim). Returns the error.
 */
export function expectQDistillError(fn: () => unknown, code: ErrorCode, ...patterns: Array<RegExp | string>): QDistillError {
  const e = expectQDistillErrorValue(thrownBy(fn), code, ...patterns);
  expect(e).toBeInstanceOf(QDistillError);
  return e;
}
