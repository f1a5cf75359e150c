/**
 * Checkpoints: model architecture config + weights + buffers + random
 * generator states + optimiser state (+ scheduler) + RNG seed + user
 * metadata, as one validated binary blob (isomorphic; the atomic file write
 * is in `node/checkpoint-file.ts`).
 *
 * ## Format (version 2)
 *
 * The SDK's framing (`sdk/util/container.ts`): magic `QDNNCKPT`, version 2,
 * a JSON header (see CheckpointHeader) and a data section holding every
 * tensor's raw little-endian bytes at its header `offset` (8-aligned), the
 * header and the data each under a CRC-32 — a truncated, bit-flipped or
 * foreign file is refused before anything is loaded.
 *
 * Version 1 (still read): a 16-byte preamble (magic, version, header length),
 * the header, padding, the data; the data's CRC-32 and length in the header,
 * the header itself unprotected.
 *
 * Every failure throws `E_CHECKPOINT` saying what was wrong.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { align8, crc32, decodeFrame, encodeFrame, frameVersion } from '../util/container.js';
import type { Module } from './module.js';
import type { Optimizer, OptimizerState } from './optim/optimizer.js';
import type { LRScheduler } from './optim/scheduler.js';
import { allocData, formatShape, withAllocationLimit, type DType, type TypedData } from './tensor.js';
import { createModel, normalizeModelConfig, ZooModel, type ModelConfig } from './zoo.js';

/**
 * Current checkpoint format version (files of a newer version are refused with `E_CHECKPOINT`).
 *
 * @example
 * ```ts
 * parseCheckpoint(bytes).formatVersion <= CHECKPOINT_FORMAT_VERSION; // true
 * ```
 */
export const CHECKPOINT_FORMAT_VERSION = 2;
const MAGIC = 'QDNNCKPT';
const FRAME = { magic: MAGIC, minVersion: 1, maxVersion: CHECKPOINT_FORMAT_VERSION, what: 'checkpoint', kind: 'qdistill nn checkpoint' } as const;

export { crc32 };

/** One tensor entry of the header. */
export interface CheckpointTensorEntry {
  name: string;
  kind: 'param' | 'buffer';
  dtype: DType;
  shape: number[];
  /** Byte offset in the data section. */
  offset: number;
}

/** The JSON header. */
export interface CheckpointHeader {
  format: 'qdistill-nn-checkpoint';
  formatVersion: number;
  /** Zoo config of the model (null for hand-built modules). */
  config: ModelConfig | null;
  /** Model label (e.g. `lenet-000`, `Sequential`). */
  label: string;
  tensors: CheckpointTensorEntry[];
  optimizer: null | (Omit<OptimizerState, 'buffers'> & { buffers: Array<{ name: string; offset: number; length: number }> });
  /** The training run's RNG seed (for resuming data order, dropout…), or null. */
  seed: number | null;
  /** Free-form JSON (epoch, metrics…). */
  metadata: Record<string, unknown>;
  /** States of the model's random generators by qualified name (version 2; absent in version 1). */
  generators?: Record<string, number[]>;
  /** A learning-rate scheduler's state (version 2, when one was saved). */
  scheduler?: { epoch: number } | null;
  /** Length of the data section (version 1 checks it; version 2's framing covers it). */
  dataBytes: number;
  /** CRC-32 of the data section (version 1 checks it; version 2's framing covers it). */
  crc32: number;
}

/** A parsed, validated checkpoint. */
export interface Checkpoint {
  formatVersion: number;
  config: ModelConfig | null;
  label: string;
  /** Parameters and buffers by qualified name, in the model's order. */
  tensors: Map<string, { kind: 'param' | 'buffer'; data: TypedData; shape: number[] }>;
  optimizer: OptimizerState | null;
  seed: number | null;
  metadata: Record<string, unknown>;
  /** The model's random generator states (empty for version 1 files). */
  generators: Record<string, number[]>;
  /** The scheduler state, if one was saved. */
  scheduler: { epoch: number } | null;
}

/** What to store besides the model. */
export interface SaveCheckpointOptions {
  /** An optimiser (or its state) to store. */
  optimizer?: Optimizer | OptimizerState | null;
  /** A learning-rate scheduler (or its state) to store. */
  scheduler?: LRScheduler | { epoch: number } | null;
  /** The run's RNG seed (default: the zoo config's seed, else null). */
  seed?: number | null;
  /** Free-form JSON metadata. */
  metadata?: Record<string, unknown>;
}

function fail(message: string, cause?: unknown): QDistillError {
  return new QDistillError('E_CHECKPOINT', `checkpoint: ${message}`, cause === undefined ? {} : { cause });
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new QDistillError('E_UNSUPPORTED', 'checkpoint: big-endian platforms are not supported');
  }
}


function isOptimizer(o: Optimizer | OptimizerState): o is Optimizer {
  return typeof (o as Optimizer).stateDict === 'function';
}

/**
 * Serialises a model (config when it is a zoo model, every parameter and
 * buffer) plus optional optimiser state, seed and metadata.
 *
 * @example
 * ```ts
 * const bytes = serializeCheckpoint(model, { optimizer: opt, metadata: { epoch: 3 } });
 * ```
 */
export function serializeCheckpoint(model: Module, options: SaveCheckpointOptions = {}): Uint8Array {
  assertLittleEndian();
  const config = model instanceof ZooModel ? model.config : null;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const place = (data: TypedData): number => {
    const at = offset;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    blobs.push(bytes);
    const padded = align8(bytes.length);
    if (padded > bytes.length) blobs.push(new Uint8Array(padded - bytes.length));
    offset += padded;
    return at;
  };
  const tensors: CheckpointTensorEntry[] = [];
  for (const [kind, list] of [
    ['param', model.namedParameters()],
    ['buffer', model.namedBuffers()],
  ] as const) {
    for (const [name, t] of list) tensors.push({ name, kind, dtype: t.dtype, shape: [...t.shape], offset: place(t.data) });
  }
  let optimizer: CheckpointHeader['optimizer'] = null;
  if (options.optimizer) {
    const state = isOptimizer(options.optimizer) ? options.optimizer.stateDict() : options.optimizer;
    optimizer = {
      kind: state.kind,
      options: state.options,
      lr: state.lr,
      step: state.step,
      slotSteps: state.slotSteps,
      buffers: Object.entries(state.buffers).map(([name, data]) => ({ name, offset: place(data), length: data.length })),
    };
  }
  const data = new Uint8Array(offset);
  let o = 0;
  for (const b of blobs) {
    data.set(b, o);
    o += b.length;
  }
  const scheduler = options.scheduler ? ('stateDict' in options.scheduler ? options.scheduler.stateDict() : { epoch: options.scheduler.epoch }) : null;
  const header: CheckpointHeader = {
    format: 'qdistill-nn-checkpoint',
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    config,
    label: model.label,
    tensors,
    optimizer,
    seed: options.seed !== undefined ? options.seed : config ? (config.seed ?? 0) : null,
    metadata: options.metadata ?? {},
    generators: model.generatorStates(),
    scheduler,
    dataBytes: data.length,
    crc32: crc32(data),
  };
  return encodeFrame(MAGIC, CHECKPOINT_FORMAT_VERSION, header as unknown as Record<string, unknown>, data);
}

/** Header and data of a version-1 file (16-byte preamble, data CRC in the header). */
function decodeVersion1(bytes: Uint8Array): { header: CheckpointHeader; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) {
    throw fail(`truncated: the header needs ${headerLength} bytes but only ${bytes.length - 16} follow the preamble`);
  }
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLength))) as CheckpointHeader;
  } catch (cause) {
    throw fail('the header is not valid UTF-8 JSON', cause);
  }
  if (typeof header !== 'object' || header === null) throw fail('the header is not a qdistill nn checkpoint header');
  const dataStart = align8(16 + headerLength);
  const available = bytes.length - dataStart;
  if (!Number.isSafeInteger(header.dataBytes) || header.dataBytes < 0 || available < header.dataBytes) {
    throw fail(`truncated: the header declares ${header.dataBytes} bytes of tensor data, the file holds ${Math.max(0, available)}`);
  }
  if (available > header.dataBytes) throw fail(`${available - header.dataBytes} unexpected bytes after the tensor data`);
  const data = bytes.subarray(dataStart, dataStart + header.dataBytes);
  const crc = crc32(data);
  if (crc !== header.crc32) throw fail(`corrupted: CRC-32 of the tensor data is ${crc}, the header says ${header.crc32}`);
  return { header, data };
}

function readTyped(data: Uint8Array, offset: number, dtype: DType, length: number, what: string): TypedData {
  const bytesPer = dtype === 'float64' ? 8 : 4;
  const end = offset + length * bytesPer;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % 8 !== 0 || end > data.length) {
    throw fail(`${what} lies outside the data section (bytes ${offset}..${end} of ${data.length})`);
  }
  const out = allocData(dtype, length);
  new Uint8Array(out.buffer).set(data.subarray(offset, end));
  return out;
}

function isShape(s: unknown): s is number[] {
  return Array.isArray(s) && s.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/**
 * Parses and validates checkpoint bytes (magic, version, length, CRC-32,
 * header fields, config).
 *
 * @throws E_CHECKPOINT if the bytes are not a checkpoint, truncated, corrupted, of a newer version, or malformed
 * @example
 * ```ts
 * const ckpt = parseCheckpoint(bytes);
 * ckpt.config?.arch; // 'lenet-000'
 * ```
 */
export function parseCheckpoint(bytes: Uint8Array): Checkpoint {
  assertLittleEndian();
  const version = frameVersion(bytes, FRAME);
  const { header, data } = version === 1 ? decodeVersion1(bytes) : (decodeFrame(bytes, FRAME) as unknown as { header: CheckpointHeader; data: Uint8Array });
  if (header.format !== 'qdistill-nn-checkpoint') throw fail('the header is not a qdistill nn checkpoint header');

  let config: ModelConfig | null = null;
  if (header.config !== null && header.config !== undefined) {
    try {
      config = normalizeModelConfig(header.config);
    } catch (cause) {
      throw fail(`the stored model config is invalid: ${(cause as Error).message}`, cause);
    }
  }
  if (!Array.isArray(header.tensors)) throw fail('the header has no tensor list');
  const tensors: Checkpoint['tensors'] = new Map();
  for (const e of header.tensors) {
    if (typeof e?.name !== 'string' || (e.kind !== 'param' && e.kind !== 'buffer') || (e.dtype !== 'float32' && e.dtype !== 'float64') || !isShape(e.shape)) {
      throw fail(`malformed tensor entry ${JSON.stringify(e)}`);
    }
    if (tensors.has(e.name)) throw fail(`tensor "${e.name}" appears twice`);
    const size = e.shape.reduce((p, d) => p * d, 1);
    tensors.set(e.name, { kind: e.kind, shape: e.shape, data: readTyped(data, e.offset, e.dtype, size, `tensor "${e.name}"`) });
  }
  let optimizer: OptimizerState | null = null;
  if (header.optimizer) {
    const o = header.optimizer;
    if (
      typeof o !== 'object' || typeof o.kind !== 'string' || !Array.isArray(o.buffers) || !Array.isArray(o.slotSteps) ||
      !o.slotSteps.every((n) => Number.isSafeInteger(n) && n >= 0) || typeof o.lr !== 'number' || !Number.isSafeInteger(o.step) ||
      typeof o.options !== 'object' || o.options === null || !Object.values(o.options).every((v) => typeof v === 'number' || typeof v === 'boolean')
    ) {
      throw fail('malformed optimizer state');
    }
    const buffers: Record<string, Float64Array> = {};
    for (const b of o.buffers) {
      if (typeof b?.name !== 'string' || !Number.isSafeInteger(b.length) || b.length < 0 || Object.hasOwn(buffers, b.name)) {
        throw fail(`malformed optimizer buffer entry ${JSON.stringify(b)}`);
      }
      buffers[b.name] = readTyped(data, b.offset, 'float64', b.length, `optimizer buffer "${b.name}"`) as Float64Array;
    }
    optimizer = { kind: o.kind, options: o.options, lr: o.lr, step: o.step, slotSteps: o.slotSteps, buffers };
  }
  const metadata = header.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw fail('the metadata is not a JSON object');
  const generators = header.generators ?? {};
  if (typeof generators !== 'object' || generators === null || Array.isArray(generators)) throw fail('the generator states are not a JSON object');
  for (const [name, state] of Object.entries(generators)) {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || state.every((w) => w === 0)) {
      throw fail(`malformed state of generator "${name}": ${JSON.stringify(state)}`);
    }
  }
  const scheduler = header.scheduler ?? null;
  if (scheduler !== null && (typeof scheduler !== 'object' || !Number.isSafeInteger(scheduler.epoch) || scheduler.epoch < 0)) {
    throw fail(`malformed scheduler state ${JSON.stringify(scheduler)}`);
  }
  return {
    formatVersion: version,
    config,
    label: String(header.label),
    tensors,
    optimizer,
    seed: typeof header.seed === 'number' ? header.seed : null,
    metadata,
    generators,
    scheduler,
  };
}

/** Config fields that change the structure (everything but seed and dtype). */
function structural(config: ModelConfig): Record<string, unknown> {
  const { seed: _seed, dtype: _dtype, ...rest } = config;
  return rest;
}

function describeConfig(config: ModelConfig | null): string {
  return config ? JSON.stringify(structural(config)) : 'a hand-built module (no zoo config)';
}

/**
 * Loads a checkpoint's weights, buffers and random generator states into
 * `model` (and its optimiser state into `optimizer`, its scheduler state into
 * `scheduler`, if given). The architecture must match: for zoo models the
 * configs (ignoring seed and dtype), and for every model the tensor names and
 * shapes, and the generator names when the checkpoint holds generator states
 * (version 1 files hold none: the model's generators are left alone). Values
 * convert to the model's dtype. Nothing is modified unless everything validates.
 *
 * @throws E_CHECKPOINT naming what differs (architecture, a tensor's shape, a missing or extra tensor or generator, optimiser or scheduler state)
 * @example
 * ```ts
 * loadCheckpointInto(model, bytes, { optimizer: opt });
 * ```
 */
export function loadCheckpointInto(model: Module, source: Uint8Array | Checkpoint, options: { optimizer?: Optimizer; scheduler?: LRScheduler } = {}): Checkpoint {
  const ckpt = source instanceof Uint8Array ? parseCheckpoint(source) : source;
  const modelConfig = model instanceof ZooModel ? model.config : null;
  if (ckpt.config && modelConfig) {
    const a = structural(ckpt.config);
    const b = structural(modelConfig);
    if (JSON.stringify(a, Object.keys(a).sort()) !== JSON.stringify(b, Object.keys(b).sort())) {
      throw fail(`architecture mismatch: the checkpoint holds ${describeConfig(ckpt.config)}, the model is ${describeConfig(modelConfig)}`);
    }
  }
  const targets = new Map([...model.namedParameters(), ...model.namedBuffers()]);
  for (const [name, entry] of ckpt.tensors) {
    const t = targets.get(name);
    if (!t) {
      throw fail(`architecture mismatch: the checkpoint (${ckpt.label}) has tensor "${name}" ${formatShape(entry.shape)} that the model (${model.label}) lacks`);
    }
    if (entry.shape.length !== t.rank || entry.shape.some((d, i) => d !== t.shape[i])) {
      throw fail(`shape mismatch for "${name}": the checkpoint has ${formatShape(entry.shape)}, the model ${model.label} expects ${formatShape(t.shape)}`);
    }
  }
  for (const [name, t] of targets) {
    if (!ckpt.tensors.has(name)) throw fail(`architecture mismatch: the model ${model.label} has tensor "${name}" ${formatShape(t.shape)} that the checkpoint lacks`);
  }
  const storedGenerators = Object.keys(ckpt.generators ?? {});
  if (storedGenerators.length > 0) {
    const own = Object.keys(model.generatorStates());
    const missing = own.filter((n) => !storedGenerators.includes(n));
    const extra = storedGenerators.filter((n) => !own.includes(n));
    if (missing.length || extra.length) {
      throw fail(`architecture mismatch: random generators differ (the checkpoint has ${JSON.stringify(storedGenerators)}, the model ${model.label} ${JSON.stringify(own)})`);
    }
  }
  if (options.optimizer) {
    if (!ckpt.optimizer) throw fail('an optimizer was given but the checkpoint holds no optimizer state');
    try {
      options.optimizer.loadStateDict(ckpt.optimizer);
    } catch (cause) {
      throw fail(`optimizer state does not fit: ${(cause as Error).message}`, cause);
    }
  }
  if (options.scheduler) {
    if (!ckpt.scheduler) throw fail('a scheduler was given but the checkpoint holds no scheduler state');
    options.scheduler.loadStateDict(ckpt.scheduler);
  }
  for (const [name, t] of targets) t.data.set(ckpt.tensors.get(name)!.data);
  if (storedGenerators.length > 0) model.loadGeneratorStates(ckpt.generators);
  return ckpt;
}

/**
 * Rebuilds a zoo model from a checkpoint's config and loads its weights.
 *
 * @throws E_CHECKPOINT if the checkpoint has no zoo config or does not validate
 * @example
 * ```ts
 * const { model, checkpoint } = restoreModel(bytes);
 * ```
 */
export function restoreModel(source: Uint8Array | Checkpoint): { model: ZooModel; checkpoint: Checkpoint } {
  const ckpt = source instanceof Uint8Array ? parseCheckpoint(source) : source;
  if (!ckpt.config) throw fail(`the checkpoint (${ckpt.label}) was saved from a hand-built module; build it yourself and use loadCheckpointInto`);
  // The config came from the file: it may not build a model larger than the tensors the file holds.
  let stored = 0;
  for (const t of ckpt.tensors.values()) stored += t.data.length;
  let model: ZooModel;
  try {
    model = withAllocationLimit(2 * stored + 4096, 'restoreModel', () => createModel(ckpt.config!));
  } catch (cause) {
    throw fail(`the stored ${ckpt.config.arch} config does not build a model of the ${stored} values the checkpoint holds (${(cause as Error).message})`, cause);
  }
  loadCheckpointInto(model, ckpt);
  return { model, checkpoint: ckpt };
}
