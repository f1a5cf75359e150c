/**
 * Checkpoints: model architecture config + weights + buffers + optimiser
 * state + RNG seed + user metadata, as one validated binary blob
 * (isomorphic; the atomic file write is in `node/checkpoint-file.ts`).
 *
 * ## Format (version 1)
 *
 * ```
 * offset 0   8 bytes   magic "QDNNCKPT"
 *        8   u32 LE    format version (1)
 *       12   u32 LE    header length H (bytes)
 *       16   H bytes   header: UTF-8 JSON (see CheckpointHeader)
 *            0–7 bytes zero padding to a multiple of 8
 *            data      every tensor's raw little-endian bytes at its
 *                      header `offset` (relative to the data start, 8-aligned)
 * ```
 *
 * The header records `dataBytes` and a CRC-32 of the data section, so a
 * truncated or corrupted file is detected before anything is loaded.
 * Every failure throws `E_CHECKPOINT` saying what was wrong.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import type { Module } from './module.js';
import type { Optimizer, OptimizerState } from './optim/optimizer.js';
import { allocData, formatShape, type DType, type TypedData } from './tensor.js';
import { createModel, normalizeModelConfig, ZooModel, type ModelConfig } from './zoo.js';

/**
 * Current checkpoint format version (files of a newer version are refused with `E_CHECKPOINT`).
 *
 * @example
 * ```ts
 * parseCheckpoint(bytes).formatVersion <= CHECKPOINT_FORMAT_VERSION; // true
 * ```
 */
export const CHECKPOINT_FORMAT_VERSION = 1;
const MAGIC = 'QDNNCKPT';

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
  dataBytes: number;
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
}

/** What to store besides the model. */
export interface SaveCheckpointOptions {
  /** An optimiser (or its state) to store. */
  optimizer?: Optimizer | OptimizerState | null;
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

let crcTable: Uint32Array | null = null;

/**
 * CRC-32 (IEEE 802.3, as zlib) of bytes.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

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
  const header: CheckpointHeader = {
    format: 'qdistill-nn-checkpoint',
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    config,
    label: model.label,
    tensors,
    optimizer,
    seed: options.seed !== undefined ? options.seed : config ? (config.seed ?? 0) : null,
    metadata: options.metadata ?? {},
    dataBytes: data.length,
    crc32: crc32(data),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(16 + json.length);
  const out = new Uint8Array(dataStart + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(data, dataStart);
  return out;
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
  if (!(bytes instanceof Uint8Array)) throw fail('expected a Uint8Array');
  if (bytes.length < 16) throw fail(`truncated: ${bytes.length} bytes is shorter than the 16-byte preamble`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC) throw fail(`not a qdistill nn checkpoint (magic ${JSON.stringify(magic)}, expected ${JSON.stringify(MAGIC)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version < 1 || version > CHECKPOINT_FORMAT_VERSION) {
    throw fail(`format version ${version} is not supported (this SDK reads versions 1..${CHECKPOINT_FORMAT_VERSION})`);
  }
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
  if (typeof header !== 'object' || header === null || header.format !== 'qdistill-nn-checkpoint') {
    throw fail('the header is not a qdistill nn checkpoint header');
  }
  const dataStart = align8(16 + headerLength);
  const available = bytes.length - dataStart;
  if (!Number.isSafeInteger(header.dataBytes) || available < header.dataBytes) {
    throw fail(`truncated: the header declares ${header.dataBytes} bytes of tensor data, the file holds ${Math.max(0, available)}`);
  }
  if (available > header.dataBytes) throw fail(`${available - header.dataBytes} unexpected bytes after the tensor data`);
  const data = bytes.subarray(dataStart, dataStart + header.dataBytes);
  const crc = crc32(data);
  if (crc !== header.crc32) throw fail(`corrupted: CRC-32 of the tensor data is ${crc}, the header says ${header.crc32}`);

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
    if (typeof o.kind !== 'string' || !Array.isArray(o.buffers) || !Array.isArray(o.slotSteps)) throw fail('malformed optimizer state');
    const buffers: Record<string, Float64Array> = {};
    for (const b of o.buffers) {
      buffers[b.name] = readTyped(data, b.offset, 'float64', b.length, `optimizer buffer "${b.name}"`) as Float64Array;
    }
    optimizer = { kind: o.kind, options: o.options, lr: o.lr, step: o.step, slotSteps: o.slotSteps, buffers };
  }
  return {
    formatVersion: version,
    config,
    label: String(header.label),
    tensors,
    optimizer,
    seed: typeof header.seed === 'number' ? header.seed : null,
    metadata: header.metadata ?? {},
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
 * Loads a checkpoint's weights and buffers into `model` (and its optimiser
 * state into `optimizer`, if given). The architecture must match: for zoo
 * models the configs (ignoring seed and dtype), and for every model the
 * tensor names and shapes. Values convert to the model's dtype. Nothing is
 * modified unless everything validates.
 *
 * @throws E_CHECKPOINT naming what differs (architecture, a tensor's shape, a missing or extra tensor, optimiser state)
 * @example
 * ```ts
 * loadCheckpointInto(model, bytes, { optimizer: opt });
 * ```
 */
export function loadCheckpointInto(model: Module, source: Uint8Array | Checkpoint, options: { optimizer?: Optimizer } = {}): Checkpoint {
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
  if (options.optimizer) {
    if (!ckpt.optimizer) throw fail('an optimizer was given but the checkpoint holds no optimizer state');
    try {
      options.optimizer.loadStateDict(ckpt.optimizer);
    } catch (cause) {
      throw fail(`optimizer state does not fit: ${(cause as Error).message}`, cause);
    }
  }
  for (const [name, t] of targets) t.data.set(ckpt.tensors.get(name)!.data);
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
  const model = createModel(ckpt.config);
  loadCheckpointInto(model, ckpt);
  return { model, checkpoint: ckpt };
}
