/**
 * Typed errors. Every error the SDK throws is a {@link QDistillError} with a
 * stable `code` (`E_…`) and a message that says what was wrong, what was
 * expected and where.
 *
 * @example
 * ```ts
 * try { circuit.rx(0.1, 7); } catch (e) {
 *   if (isQDistillError(e) && e.code === 'E_WIRE_RANGE') console.log(e.message);
 * }
 * ```
 */

/** Every stable error code the SDK can throw. */
export const ERROR_CODES = [
  'E_INVALID_ARGUMENT',
  'E_WIRE_RANGE',
  'E_DUPLICATE_WIRES',
  'E_PARAM_COUNT',
  'E_WIRE_COUNT',
  'E_UNKNOWN_GATE',
  'E_NON_FINITE',
  'E_NOT_UNITARY',
  'E_NOT_HERMITIAN',
  'E_ZERO_VECTOR',
  'E_TOO_MANY_FEATURES',
  'E_TOO_MANY_QUBITS',
  'E_OUT_OF_MEMORY',
  'E_SHAPE',
  'E_OBSERVABLE',
  'E_SHOTS',
  'E_WASM_TRAP',
  'E_KERNEL_RETIRED',
  'E_PARSE',
  'E_QASM',
  'E_DATA',
  'E_FILE_FORMAT',
  'E_CHECKPOINT',
  'E_CONFIG',
  'E_USAGE',
  'E_TEACHER',
  'E_ONNX',
  'E_NAN',
  'E_ABORTED',
  'E_NOT_CONVERGED',
  'E_UNSUPPORTED',
  'E_WORKER',
  'E_NOT_INITIALIZED',
] as const;

/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const BRAND = Symbol.for('qdistill.error');

/** The one error class of the SDK. `code` is stable across versions. */
export class QDistillError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QDistillError';
    this.code = code;
    this.details = options.details;
  }
}

/**
 * Brand check that also works for errors that crossed a worker boundary
 * (where `instanceof` fails).
 */
export function isQDistillError(value: unknown): value is QDistillError {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as Record<symbol, unknown>)[BRAND] === true ||
      ((value as { name?: unknown }).name === 'QDistillError' &&
        typeof (value as { code?: unknown }).code === 'string'))
  );
}

/** Throws `E_NON_FINITE` naming `where` if `value` is NaN or ±Infinity. */
export function assertFinite(value: number, where: string): void {
  if (!Number.isFinite(value)) {
    throw new QDistillError('E_NON_FINITE', `${where}: expected a finite number, got ${value}`);
  }
}

/** Throws `E_NON_FINITE` naming the first bad index if any entry is NaN or ±Infinity. */
export function assertAllFinite(values: ArrayLike<number>, where: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      throw new QDistillError('E_NON_FINITE', `${where}: entry ${i} is ${v}; expected finite numbers only`);
    }
  }
}

/** Exhaustiveness check for `switch` over closed sets. */
export function unreachable(value: never, where: string): never {
  throw new QDistillError('E_INVALID_ARGUMENT', `${where}: unexpected value ${JSON.stringify(value)}`);
}
