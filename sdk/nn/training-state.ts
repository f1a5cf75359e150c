/**
 * Training states: everything a trainer needs to continue an interrupted run
 * and finish with the bits of an uninterrupted one — models (weights,
 * buffers, random generators, optimiser and scheduler state, as embedded
 * checkpoints), loose arrays (a best-epoch snapshot, synthetic images…) and
 * plain JSON (position, RNG states, history) — in one validated file.
 * Isomorphic; trainers hand the bytes to a {@link CheckpointStore}.
 *
 * ## Format (version 1)
 *
 * The SDK's framing (`sdk/util/container.ts`, magic `QDSTATE1`): a lossless
 * JSON header `{ format: 'qdistill-training-state', formatVersion, kind,
 * json, arrays: [{ name, dtype, length, offset }] }` and a data section of
 * 8-aligned little-endian arrays, both under CRC-32. `kind` names the
 * trainer (`kd-run` for `distillKnowledge`); `json` is the trainer's own.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { align8, decodeFrame, encodeFrame } from '../util/container.js';
import { loadCheckpointInto, parseCheckpoint, serializeCheckpoint } from './checkpoint.js';
import type { Module } from './module.js';
import type { Optimizer } from './optim/optimizer.js';
import type { LRScheduler } from './optim/scheduler.js';

/**
 * Current training-state format version.
 *
 * @example
 * ```ts
 * TRAINING_STATE_FORMAT_VERSION; // 1
 * ```
 */
export const TRAINING_STATE_FORMAT_VERSION = 1;
const FRAME = { magic: 'QDSTATE1', minVersion: 1, maxVersion: TRAINING_STATE_FORMAT_VERSION, what: 'training state', kind: 'qdistill training state' } as const;

/** An array a training state can hold. */
export type StateArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type StateDType = 'float32' | 'float64' | 'int32' | 'uint8';

/**
 * A trainer's state: its kind, plain JSON and named arrays.
 *
 * @example
 * ```ts
 * const state: TrainingState = { kind: 'my-trainer', json: { step: 10 }, arrays: new Map([['weights', w]]) };
 * ```
 */
export interface TrainingState {
  /** Which trainer wrote it (`kd-run`, `dd-run`, …); readers check it. */
  kind: string;
  /** The trainer's plain data (NaN, ±Infinity and −0 survive the round trip). */
  json: Record<string, unknown>;
  /** Named arrays: embedded checkpoints (uint8), snapshots, synthetic data… */
  arrays: Map<string, StateArray>;
}

function fail(message: string, cause?: unknown): QDistillError {
  return new QDistillError('E_CHECKPOINT', `training state: ${message}`, cause === undefined ? {} : { cause });
}

function dtypeOf(a: StateArray): StateDType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'uint8';
  throw new QDistillError('E_INVALID_ARGUMENT', `training state: arrays must be Float32Array, Float64Array, Int32Array or Uint8Array, got ${Object.prototype.toString.call(a)}`);
}

const BYTES: Record<StateDType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1 };
const ALLOC: Record<StateDType, (n: number) => StateArray> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int32: (n) => new Int32Array(n),
  uint8: (n) => new Uint8Array(n),
};

/**
 * Serialises a training state (framed, CRC-checked).
 *
 * @throws E_INVALID_ARGUMENT for an empty kind or an array of another type
 * @example
 * ```ts
 * const bytes = serializeTrainingState({ kind: 'my-trainer', json: { step: 10 }, arrays: new Map() });
 * ```
 */
export function serializeTrainingState(state: TrainingState): Uint8Array {
  if (typeof state.kind !== 'string' || state.kind === '') throw new QDistillError('E_INVALID_ARGUMENT', 'training state: kind must be a non-empty string');
  const entries: Array<{ name: string; dtype: StateDType; length: number; offset: number }> = [];
  let size = 0;
  for (const [name, a] of state.arrays) {
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset: size });
    size += align8(a.byteLength);
  }
  const data = new Uint8Array(size);
  let i = 0;
  for (const a of state.arrays.values()) data.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), entries[i++]!.offset);
  return encodeFrame(FRAME.magic, TRAINING_STATE_FORMAT_VERSION, { format: 'qdistill-training-state', formatVersion: TRAINING_STATE_FORMAT_VERSION, kind: state.kind, json: state.json, arrays: entries }, data);
}

/**
 * Parses and validates training-state bytes (framing, CRCs, array table).
 *
 * @param options.kind the expected kind (another kind throws)
 * @throws E_CHECKPOINT if the bytes are truncated, corrupted, foreign, of a newer version, malformed or of another kind
 * @example
 * ```ts
 * const state = parseTrainingState(bytes, { kind: 'kd-run' });
 * ```
 */
export function parseTrainingState(bytes: Uint8Array, options: { kind?: string } = {}): TrainingState {
  const { header, data } = decodeFrame(bytes, FRAME);
  if (header.format !== 'qdistill-training-state' || typeof header.kind !== 'string') throw fail('the header is not a qdistill training-state header');
  if (options.kind !== undefined && header.kind !== options.kind) throw fail(`expected a "${options.kind}" state, got "${header.kind}"`);
  const json = header.json;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail('the state is not a JSON object');
  if (!Array.isArray(header.arrays)) throw fail('the header has no array table');
  const arrays = new Map<string, StateArray>();
  for (const e of header.arrays as Array<Record<string, unknown>>) {
    const dtype = e?.dtype as StateDType;
    if (typeof e?.name !== 'string' || !Object.hasOwn(BYTES, dtype) || !Number.isSafeInteger(e.length) || (e.length as number) < 0 || !Number.isSafeInteger(e.offset) || (e.offset as number) % 8 !== 0 || (e.offset as number) < 0) {
      throw fail(`malformed array entry ${JSON.stringify(e)}`);
    }
    if (arrays.has(e.name)) throw fail(`array "${e.name}" appears twice`);
    const offset = e.offset as number;
    const end = offset + (e.length as number) * BYTES[dtype];
    if (end > data.length) throw fail(`array "${e.name}" lies outside the data section (bytes ${offset}..${end} of ${data.length})`);
    const out = ALLOC[dtype](e.length as number);
    new Uint8Array(out.buffer).set(data.subarray(offset, end));
    arrays.set(e.name, out);
  }
  return { kind: header.kind, json: json as Record<string, unknown>, arrays };
}

/**
 * Stores a model in a state under `name` as an embedded checkpoint: weights,
 * buffers, random generator states, and the optimiser and scheduler state if given.
 *
 * @example
 * ```ts
 * putModule(state, 'student', model, { optimizer, scheduler });
 * ```
 */
export function putModule(state: TrainingState, name: string, model: Module, options: { optimizer?: Optimizer; scheduler?: LRScheduler } = {}): void {
  state.arrays.set(name, serializeCheckpoint(model, { ...(options.optimizer ? { optimizer: options.optimizer } : {}), ...(options.scheduler ? { scheduler: options.scheduler } : {}), seed: null }));
}

/**
 * Restores a model stored by {@link putModule} (and its optimiser and
 * scheduler, if given), after checking that everything fits.
 *
 * @throws E_CHECKPOINT if the entry is missing, corrupted or does not fit the model
 * @example
 * ```ts
 * loadModule(state, 'student', model, { optimizer });
 * ```
 */
export function loadModule(state: TrainingState, name: string, model: Module, options: { optimizer?: Optimizer; scheduler?: LRScheduler } = {}): void {
  const bytes = state.arrays.get(name);
  if (!(bytes instanceof Uint8Array)) throw fail(`no model "${name}" in the ${state.kind} state`);
  try {
    loadCheckpointInto(model, parseCheckpoint(bytes), options);
  } catch (cause) {
    throw fail(`model "${name}": ${(cause as Error).message}`, cause);
  }
}

/**
 * Stores a snapshot of named tensors (e.g. `model.stateDict()` at the best
 * epoch) as arrays `prefix + name`.
 *
 * @example
 * ```ts
 * putTensors(state, 'best/', model.stateDict());
 * ```
 */
export function putTensors(state: TrainingState, prefix: string, tensors: ReadonlyMap<string, { data: Float32Array | Float64Array }>): void {
  for (const [name, t] of tensors) state.arrays.set(prefix + name, t.data);
}

/**
 * The snapshot stored by {@link putTensors}, shaped like `model`'s parameters
 * and buffers (every one must be there, with its size and dtype), ready for
 * `model.loadStateDict`.
 *
 * @throws E_CHECKPOINT naming a missing, unexpected or mis-sized tensor
 * @example
 * ```ts
 * model.loadStateDict(takeTensors(state, 'best/', model));
 * ```
 */
export function takeTensors(state: TrainingState, prefix: string, model: Module): Map<string, { data: Float32Array | Float64Array; shape: readonly number[] }> {
  const out = new Map<string, { data: Float32Array | Float64Array; shape: readonly number[] }>();
  const targets = [...model.namedParameters(), ...model.namedBuffers()];
  const names = new Set(targets.map(([n]) => prefix + n));
  for (const key of state.arrays.keys()) if (key.startsWith(prefix) && !names.has(key)) throw fail(`unexpected tensor "${key}" for ${model.label}`);
  for (const [name, t] of targets) {
    const a = state.arrays.get(prefix + name);
    if (!a) throw fail(`tensor "${prefix + name}" is missing for ${model.label}`);
    if (a.length !== t.size || dtypeOf(a) !== t.dtype) throw fail(`tensor "${prefix + name}" holds ${a.length} ${dtypeOf(a)} values, ${model.label} expects ${t.size} ${t.dtype}`);
    out.set(name, { data: a as Float32Array | Float64Array, shape: t.shape });
  }
  return out;
}

/**
 * Where trainers keep their states between runs, by key (one run, e.g.
 * `mnist-kd-seed0`). Node has `fileCheckpointStore(dir)` (atomic files); a
 * web app can back one with IndexedDB.
 *
 * @example
 * ```ts
 * const store: CheckpointStore = memoryCheckpointStore();
 * await store.save('run', bytes); await store.load('run'); // bytes
 * ```
 */
export interface CheckpointStore {
  /** The latest bytes saved under `key`, or null. */
  load(key: string): Promise<Uint8Array | null> | Uint8Array | null;
  /** Replaces what is saved under `key` (atomically where the medium allows). */
  save(key: string, bytes: Uint8Array): Promise<void> | void;
}

/**
 * A store in memory (tests, browsers without persistence).
 *
 * @example
 * ```ts
 * const store = memoryCheckpointStore();
 * store.keys(); // []
 * ```
 */
export function memoryCheckpointStore(): CheckpointStore & { keys(): string[] } {
  const saved = new Map<string, Uint8Array>();
  return {
    load: (key) => saved.get(key)?.slice() ?? null,
    save: (key, bytes) => void saved.set(key, bytes.slice()),
    keys: () => [...saved.keys()],
  };
}
