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

/**
 * Asserts `fn` throws a QDistillError with `code` whose message matches
 * every pattern (strings must appear verbatim). Returns the error.
 */
export function expectQDistillError(fn: () => unknown, code: ErrorCode, ...patterns: Array<RegExp | string>): QDistillError {
  const error = thrownBy(fn);
  expect(isQDistillError(error), `expected a QDistillError, got ${String(error)}`).toBe(true);
  expect(error).toBeInstanceOf(QDistillError);
  const e = error as QDistillError;
  expect(ERROR_CODES).toContain(e.code);
  expect({ code: e.code, message: e.message }).toMatchObject({ code });
  for (const p of patterns) {
    if (typeof p === 'string') expect(e.message).toContain(p);
    else expect(e.message).toMatch(p);
  }
  return e;
}
