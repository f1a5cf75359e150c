/**
 * The framing shared by the SDK's binary files (model checkpoints, training
 * states): a magic, a version, a UTF-8 JSON header and a raw data section,
 * each covered by a CRC-32, so a truncated, bit-flipped or foreign file is
 * refused before anything is read from it. Isomorphic (bytes in, bytes out).
 *
 * ## Layout
 *
 * ```
 * offset 0   8 bytes   magic (ASCII, one per file kind)
 *        8   u32 LE    format version of the file kind
 *       12   u32 LE    header length H (bytes)
 *       16   u32 LE    CRC-32 of the header bytes
 *       20   u32 LE    CRC-32 of the data section
 *       24   u32 LE    data length D, low 32 bits
 *       28   u32 LE    data length D, high bits (D < 2^53)
 *       32   H bytes   header: UTF-8 JSON object
 *            0–7 bytes zero padding to a multiple of 8
 *            D bytes   data (8-aligned from the data start)
 * ```
 *
 * Nothing may follow the data. Version 1 of the model checkpoint (a 16-byte
 * preamble, the data CRC inside the header) predates this framing and is read
 * by `sdk/nn/checkpoint.ts` itself; its version 2 and every newer file kind
 * (training states) use this layout from their first version.
 *
 * The header JSON is written by {@link encodeLosslessJson}: non-finite
 * numbers and −0 survive the round trip (plain JSON turns them into `null`
 * and `0`), so histories with NaN validation scores come back bit-identical.
 *
 * @packageDocumentation
 */
import { QDistillError, type ErrorCode } from '../errors.js';

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

/** Rounds up to a multiple of 8. */
export const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Bytes before the header. */
export const FRAME_PREAMBLE_BYTES = 32;

const NUMBER_TAG = '$number';

/**
 * JSON text of `value` in which NaN, ±Infinity and −0 survive: they are
 * written as `{"$number":"NaN"}` (`"Infinity"`, `"-Infinity"`, `"-0"`);
 * every finite double round-trips exactly through its shortest decimal form.
 *
 * @example
 * ```ts
 * decodeLosslessJson(encodeLosslessJson({ loss: NaN })); // { loss: NaN }
 * ```
 */
export function encodeLosslessJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { [NUMBER_TAG]: Object.is(v, -0) ? '-0' : String(v) };
    return v;
  });
}

/**
 * Parses text written by {@link encodeLosslessJson} (plain JSON reads too).
 *
 * @throws E_PARSE if the text is not JSON
 * @example
 * ```ts
 * Object.is(decodeLosslessJson('{"$number":"-0"}'), -0); // true
 * ```
 */
export function decodeLosslessJson(text: string): unknown {
  try {
    return JSON.parse(text, (_key, v: unknown) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const keys = Object.keys(v);
        const tag = (v as Record<string, unknown>)[NUMBER_TAG];
        if (keys.length === 1 && typeof tag === 'string' && ['NaN', 'Infinity', '-Infinity', '-0'].includes(tag)) return tag === '-0' ? -0 : Number(tag);
      }
      return v;
    });
  } catch (cause) {
    throw new QDistillError('E_PARSE', `lossless JSON: ${(cause as Error).message}`, { cause });
  }
}

/** What {@link decodeFrame} checks and how it names failures. */
export interface FrameSpec {
  /** The 8-character ASCII magic of the file kind. */
  magic: string;
  /** Versions this reader understands. */
  minVersion: number;
  maxVersion: number;
  /** Prefix of every error message, e.g. `checkpoint`. */
  what: string;
  /** What a file with the right magic is, for "not a …" (default `what`), e.g. `qdistill nn checkpoint`. */
  kind?: string;
  /** Error code of every failure (default `E_CHECKPOINT`). */
  code?: ErrorCode;
}

/** A decoded frame. */
export interface Frame {
  version: number;
  /** The header, parsed by {@link decodeLosslessJson}: always a plain object. */
  header: Record<string, unknown>;
  /** The data section (a view into the input bytes). */
  data: Uint8Array;
}

function checkMagic(magic: string): Uint8Array {
  const bytes = new TextEncoder().encode(magic);
  if (bytes.length !== 8) throw new QDistillError('E_INVALID_ARGUMENT', `frame: the magic must be 8 ASCII characters, got ${JSON.stringify(magic)}`);
  return bytes;
}

/**
 * Frames a header (lossless JSON) and a data section.
 *
 * @throws E_INVALID_ARGUMENT for a magic that is not 8 ASCII characters or a version that is not a positive integer
 * @example
 * ```ts
 * const bytes = encodeFrame('QDEXAMPL', 2, { note: 'hi' }, new Uint8Array(8));
 * decodeFrame(bytes, { magic: 'QDEXAMPL', minVersion: 2, maxVersion: 2, what: 'example' }).header; // { note: 'hi' }
 * ```
 */
export function encodeFrame(magic: string, version: number, header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const magicBytes = checkMagic(magic);
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) throw new QDistillError('E_INVALID_ARGUMENT', `frame: version must be a positive integer, got ${version}`);
  const json = new TextEncoder().encode(encodeLosslessJson(header));
  const dataStart = align8(FRAME_PREAMBLE_BYTES + json.length);
  const out = new Uint8Array(dataStart + data.length);
  out.set(magicBytes, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, version, true);
  view.setUint32(12, json.length, true);
  view.setUint32(16, crc32(json), true);
  view.setUint32(20, crc32(data), true);
  view.setUint32(24, data.length % 0x100000000, true);
  view.setUint32(28, Math.floor(data.length / 0x100000000), true);
  out.set(json, FRAME_PREAMBLE_BYTES);
  out.set(data, dataStart);
  return out;
}

/**
 * Reads the magic and the version of framed bytes without validating the rest
 * (to dispatch between format versions).
 *
 * @throws `spec.code` (default E_CHECKPOINT) if the bytes are shorter than 16 or the magic differs
 * @example
 * ```ts
 * frameVersion(bytes, spec); // 2
 * ```
 */
export function frameVersion(bytes: Uint8Array, spec: FrameSpec): number {
  const fail = (m: string): QDistillError => new QDistillError(spec.code ?? 'E_CHECKPOINT', `${spec.what}: ${m}`);
  if (!(bytes instanceof Uint8Array)) throw fail('expected a Uint8Array');
  if (bytes.length < 16) throw fail(`truncated: ${bytes.length} bytes is shorter than the 16-byte preamble`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== spec.magic) throw fail(`not a ${spec.kind ?? spec.what} (magic ${JSON.stringify(magic)}, expected ${JSON.stringify(spec.magic)})`);
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (version < spec.minVersion || version > spec.maxVersion) {
    throw fail(`format version ${version} is not supported (this SDK reads versions ${spec.minVersion}..${spec.maxVersion})`);
  }
  return version;
}

/**
 * Validates and splits framed bytes: magic, version, lengths, both CRCs, the
 * header's JSON. Nothing of the content is interpreted.
 *
 * @throws `spec.code` (default E_CHECKPOINT) saying what is wrong: truncated, corrupted (which CRC), foreign, newer version, trailing bytes, a header that is not a JSON object
 * @example
 * ```ts
 * const { header, data } = decodeFrame(bytes, { magic: 'QDEXAMPL', minVersion: 2, maxVersion: 2, what: 'example' });
 * ```
 */
export function decodeFrame(bytes: Uint8Array, spec: FrameSpec): Frame {
  const fail = (m: string, cause?: unknown): QDistillError =>
    new QDistillError(spec.code ?? 'E_CHECKPOINT', `${spec.what}: ${m}`, cause === undefined ? {} : { cause });
  const version = frameVersion(bytes, spec);
  if (bytes.length < FRAME_PREAMBLE_BYTES) throw fail(`truncated: ${bytes.length} bytes is shorter than the ${FRAME_PREAMBLE_BYTES}-byte preamble`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(12, true);
  const headerCrc = view.getUint32(16, true);
  const dataCrc = view.getUint32(20, true);
  const dataLength = view.getUint32(24, true) + view.getUint32(28, true) * 0x100000000;
  if (FRAME_PREAMBLE_BYTES + headerLength > bytes.length) {
    throw fail(`truncated: the header needs ${headerLength} bytes but only ${bytes.length - FRAME_PREAMBLE_BYTES} follow the preamble`);
  }
  const json = bytes.subarray(FRAME_PREAMBLE_BYTES, FRAME_PREAMBLE_BYTES + headerLength);
  const gotHeaderCrc = crc32(json);
  if (gotHeaderCrc !== headerCrc) throw fail(`corrupted: CRC-32 of the header is ${gotHeaderCrc}, the preamble says ${headerCrc}`);
  const dataStart = align8(FRAME_PREAMBLE_BYTES + headerLength);
  const available = Math.max(0, bytes.length - dataStart);
  if (!Number.isSafeInteger(dataLength) || available < dataLength) {
    throw fail(`truncated: the preamble declares ${dataLength} bytes of data, the file holds ${available}`);
  }
  if (available > dataLength) throw fail(`${available - dataLength} unexpected bytes after the data`);
  for (let i = FRAME_PREAMBLE_BYTES + headerLength; i < dataStart; i++) if (bytes[i] !== 0) throw fail('corrupted: non-zero padding after the header');
  const data = bytes.subarray(dataStart, dataStart + dataLength);
  const gotDataCrc = crc32(data);
  if (gotDataCrc !== dataCrc) throw fail(`corrupted: CRC-32 of the data is ${gotDataCrc}, the preamble says ${dataCrc}`);
  let header: unknown;
  try {
    header = decodeLosslessJson(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (cause) {
    throw fail('the header is not valid UTF-8 JSON', cause);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('the header is not a JSON object');
  return { version, header: header as Record<string, unknown>, data };
}
