/**
 * The wire protocol between a {@link WorkerPool} and its workers, in one
 * place: the comlink API a worker exposes (control plane: start-up, task
 * modules, test hooks), the messages of the synchronous data plane (a
 * MessageChannel per worker, arrays in a SharedArrayBuffer, completion in a
 * shared Int32Array), and how errors cross (class, `code`, details, cause).
 *
 * @module
 */
import { ERROR_CODES, QDistillError, unreachable, type ErrorCode } from '../errors.js';
import type { KernelBuild } from '../kernel/kernel.js';
import type { ParallelArray, ParallelArrayType } from '../kernel/parallel.js';

// ------------------------------------------------------------------ control words

/** Int32 words per worker in the shared control array. */
export const CONTROL_STRIDE = 4;
/** Word of a worker's status, and of the sequence number of its current task. */
export const STATUS = 0;
export const SEQUENCE = 1;

/** A worker's status word. */
export const Status = {
  /** No task. */
  IDLE: 0,
  /** Running the task the caller posted. */
  BUSY: 1,
  /** Finished; outputs are in the data buffer. */
  DONE: 2,
  /** Failed; the error is in the error buffer. */
  ERROR: 3,
  /** The worker is gone (it exited or crashed): the caller runs the task itself. */
  DEAD: 4,
} as const;

/** Bytes of a worker's error buffer (a longer error is truncated). */
export const ERROR_BUFFER_BYTES = 64 * 1024;

// ------------------------------------------------------------------ data plane

/** Where one array of a task lives in the worker's data buffer. */
export interface ArraySlot {
  readonly name: string;
  readonly type: ParallelArrayType;
  /** Byte offset (8-aligned) and element count. */
  readonly offset: number;
  readonly length: number;
}

/** The typed array of `slot` in a task's data buffer. */
export function arrayAt(buffer: ArrayBufferLike, slot: Pick<ArraySlot, 'type' | 'offset' | 'length'>): ParallelArray {
  switch (slot.type) {
    case 'f64':
      return new Float64Array(buffer, slot.offset, slot.length);
    case 'f32':
      return new Float32Array(buffer, slot.offset, slot.length);
    case 'i32':
      return new Int32Array(buffer, slot.offset, slot.length);
    default:
      return unreachable(slot.type, 'task array type');
  }
}

/** A synchronous task, posted on the worker's data channel. */
export interface TaskMessage {
  readonly type: 'task';
  readonly sequence: number;
  readonly kind: string;
  readonly meta: unknown;
  readonly inputs: readonly ArraySlot[];
  readonly outputs: readonly ArraySlot[];
  /** A state to hold before running (first task of its key on this worker). */
  readonly state?: { readonly key: string; readonly value: unknown };
  /** A new, larger data buffer (replaces the previous one). */
  readonly buffer?: SharedArrayBuffer;
  /** Test hook: exit the worker while running this task (before its outputs are marked done). */
  readonly fault?: 'exit';
}

/** Drop states (and what the worker derived from them). */
export interface ForgetMessage {
  readonly type: 'forget';
  readonly keys: readonly string[];
}

/** A message of the data channel. */
export type DataMessage = TaskMessage | ForgetMessage;

// ------------------------------------------------------------------ control plane (comlink)

/** What the pool posts to start a worker. */
export interface WorkerInit {
  /** The compiled engine (compiled once by the pool, instantiated by every worker). */
  readonly module: WebAssembly.Module;
  readonly build: KernelBuild;
  /** The shared control words of every worker, and this worker's index. */
  readonly control: SharedArrayBuffer | null;
  readonly index: number;
  /** The data channel (transferred), and the shared error buffer. */
  readonly port: MessagePort;
  readonly errors: SharedArrayBuffer | null;
}

/** The API a worker exposes over comlink. */
export interface WorkerApi {
  /** Instantiates the engine and starts listening on the data channel. */
  init(init: WorkerInit): Promise<void>;
  /**
   * Imports `moduleUrl` and calls its export `name` with `args` and, last, a
   * context `{ signal }` aborted by {@link WorkerApi.abort} with the same
   * `callId`. (The arguments are spread, so comlink proxies among them work.)
   */
  call(moduleUrl: string, name: string, callId: number, ...args: unknown[]): Promise<unknown>;
  /** Aborts call `callId`. */
  abort(callId: number): void;
}

// ------------------------------------------------------------------ errors

/** An error as data: what crosses a worker boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly details?: Record<string, unknown>;
  readonly stack?: string;
  readonly cause?: SerializedError;
}

/**
 * An error (or any thrown value) as structured-cloneable data: name,
 * message, the QDistillError `code` and `details`, the stack and the cause
 * chain (4 deep).
 *
 * @example
 * ```ts
 * serializeError(new QDistillError('E_SHAPE', 'bad')); // { name: 'QDistillError', code: 'E_SHAPE', … }
 * ```
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: `thrown value: ${String(error)}` };
  const e = error as { name?: unknown; message?: unknown; code?: unknown; details?: unknown; stack?: unknown; cause?: unknown };
  let details: Record<string, unknown> | undefined;
  if (e.details && typeof e.details === 'object') {
    try {
      details = structuredClone(e.details) as Record<string, unknown>;
    } catch {
      details = undefined;
    }
  }
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(details ? { details } : {}),
    ...(typeof e.stack === 'string' ? { stack: e.stack } : {}),
    ...(e.cause !== undefined && depth < 4 ? { cause: serializeError(e.cause, depth + 1) } : {}),
  };
}

/**
 * The error again on this side: a {@link QDistillError} with its code and
 * details when it was one (so `instanceof` and `isQDistillError` hold), else
 * an `Error` with the original name; the worker's stack follows ours.
 *
 * @example
 * ```ts
 * deserializeError(serializeError(new QDistillError('E_SHAPE', 'bad'))) instanceof QDistillError; // true
 * ```
 */
export function deserializeError(s: SerializedError): Error {
  const cause = s.cause ? deserializeError(s.cause) : undefined;
  const options = { ...(cause ? { cause } : {}), ...(s.details ? { details: s.details } : {}) };
  let error: Error;
  if (s.name === 'QDistillError' && s.code && (ERROR_CODES as readonly string[]).includes(s.code)) {
    error = new QDistillError(s.code as ErrorCode, s.message, options);
  } else {
    error = new Error(s.message, cause ? { cause } : undefined);
    error.name = s.name;
    if (s.code) (error as Error & { code?: string }).code = s.code;
  }
  if (s.stack) error.stack = `${error.stack ?? ''}\n    --- in the worker ---\n${s.stack}`;
  return error;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes an error into a worker's error buffer (length-prefixed JSON, truncated to fit). */
export function writeError(buffer: SharedArrayBuffer, error: unknown): void {
  let s = serializeError(error);
  let bytes = encoder.encode(JSON.stringify(s));
  if (bytes.length > buffer.byteLength - 4) {
    s = { name: s.name, message: s.message.slice(0, 4000), ...(s.code ? { code: s.code } : {}) };
    bytes = encoder.encode(JSON.stringify(s));
  }
  new Int32Array(buffer, 0, 1)[0] = bytes.length;
  new Uint8Array(buffer, 4, bytes.length).set(bytes);
}

/** Reads the error a worker wrote with {@link writeError}. */
export function readError(buffer: SharedArrayBuffer): Error {
  const length = new Int32Array(buffer, 0, 1)[0]!;
  // TextDecoder refuses views of shared memory: copy first.
  const text = decoder.decode(new Uint8Array(buffer, 4, length).slice());
  return deserializeError(JSON.parse(text) as SerializedError);
}
