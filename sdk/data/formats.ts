/**
 * Parsers for the standard dataset file formats users bring: IDX (the MNIST
 * family, optionally gzipped) and CIFAR-10 binary batches. They take bytes,
 * so they work in Node and browsers alike; `sdk/data/node` adds file readers.
 *
 * Every format problem throws `E_FILE_FORMAT` with a message naming the
 * source (file name) and the problem, and `details.problem` set to one of
 * `'wrong-magic'`, `'truncated'`, `'wrong-size'`, `'bad-label'`, `'bad-gzip'`,
 * `'mismatch'`.
 *
 * @module
 */
import { QDistillError, unreachable } from '../errors.js';
import { validateDataset, type Dataset } from './dataset.js';

/**
 * Element types of IDX files.
 *
 * @example
 * ```ts
 * const dtype: IdxDtype = 'uint8';
 * ```
 */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/**
 * A decoded IDX array (row-major, big-endian converted to native).
 *
 * @example
 * ```ts
 * const labels: IdxArray = { dtype: 'uint8', dims: [3], data: Uint8Array.of(7, 2, 1) };
 * ```
 */
export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * A format problem, for `details.problem` of `E_FILE_FORMAT` errors.
 *
 * @example
 * ```ts
 * try { parseIdx(bytes, 'f'); } catch (e) { if (isQDistillError(e) && e.details?.problem === 'truncated') console.warn(e.message); }
 * ```
 */
export type FormatProblem = 'wrong-magic' | 'truncated' | 'wrong-size' | 'bad-label' | 'bad-gzip' | 'too-large' | 'mismatch';

function formatError(source: string, problem: FormatProblem, message: string, cause?: unknown): QDistillError {
  return new QDistillError('E_FILE_FORMAT', `${source}: ${message}`, {
    details: { source, problem },
    ...(cause !== undefined ? { cause } : {}),
  });
}

const IDX_TYPES: ReadonlyArray<readonly [number, IdxDtype, number]> = [
  [0x08, 'uint8', 1],
  [0x09, 'int8', 1],
  [0x0b, 'int16', 2],
  [0x0c, 'int32', 4],
  [0x0d, 'float32', 4],
  [0x0e, 'float64', 8],
];

/**
 * True if `bytes` start with the gzip magic 1f 8b.
 *
 * @example
 * ```ts
 * isGzip(Uint8Array.of(0x1f, 0x8b, 8)); // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Largest gzip output {@link gunzip} accepts by default (1 GiB): a few
 * kilobytes of crafted gzip can expand to gigabytes and exhaust memory.
 *
 * @example
 * ```ts
 * MAX_GUNZIP_BYTES; // 1073741824
 * ```
 */
export const MAX_GUNZIP_BYTES = 2 ** 30;

/**
 * Decompresses gzip data with the standard `DecompressionStream('gzip')`
 * (Node ≥ 18, all current browsers), refusing output beyond `maxBytes`
 * (default {@link MAX_GUNZIP_BYTES}).
 *
 * @example
 * ```ts
 * const raw = await gunzip(await (await fetch('train-images-idx3-ubyte.gz')).bytes(), 'train-images');
 * ```
 * @throws QDistillError `E_FILE_FORMAT` (`bad-gzip`) for corrupt or truncated streams,
 *   (`too-large`) for output beyond `maxBytes`, `E_UNSUPPORTED` if the runtime lacks DecompressionStream.
 */
export async function gunzip(bytes: Uint8Array, source = 'gzip data', options: { maxBytes?: number } = {}): Promise<Uint8Array> {
  const Stream = (globalThis as { DecompressionStream?: typeof DecompressionStream }).DecompressionStream;
  if (!Stream) throw new QDistillError('E_UNSUPPORTED', `${source}: this runtime has no DecompressionStream; decompress the file first`);
  const maxBytes = options.maxBytes ?? MAX_GUNZIP_BYTES;
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new Stream('gzip')).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        break;
      }
      chunks.push(value);
    }
  } catch (cause) {
    throw formatError(source, 'bad-gzip', `corrupt or truncated gzip stream (${(cause as Error)?.message ?? String(cause)})`, cause);
  }
  if (total > maxBytes) throw formatError(source, 'too-large', `the gzip stream expands beyond ${maxBytes} bytes (the limit; pass a larger maxBytes for bigger files)`);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Parses an (uncompressed) IDX file: magic `00 00 <type> <ndims>`, ndims
 * big-endian uint32 sizes, then the data big-endian.
 *
 * @example
 * ```ts
 * const labels = parseIdx(bytes, 't10k-labels-idx1-ubyte'); // { dtype: 'uint8', dims: [10000], data }
 * ```
 * @throws QDistillError `E_FILE_FORMAT`: `wrong-magic` (bad first bytes or type code),
 *   `truncated` (header or data shorter than declared), `wrong-size` (trailing bytes).
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new QDistillError('E_INVALID_ARGUMENT', `parseIdx ${source}: expected a Uint8Array of file bytes`);
  if (bytes.length < 4) throw formatError(source, 'truncated', `truncated IDX header: ${bytes.length} bytes, need at least 4`);
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = isGzip(bytes) ? ' (this looks gzip-compressed; use decodeIdx or gunzip first)' : '';
    throw formatError(
      source,
      'wrong-magic',
      `wrong IDX magic number 0x${[0, 1, 2, 3].map((i) => hex(bytes[i]!)).join('')}: expected 0x0000 followed by a type byte (08 ubyte, 09 byte, 0b short, 0c int, 0d float, 0e double) and the number of dimensions${hint}`,
    );
  }
  const type = IDX_TYPES.find(([code]) => code === bytes[2]);
  if (!type) {
    throw formatError(source, 'wrong-magic', `unknown IDX type code 0x${hex(bytes[2]!)}: expected 08, 09, 0b, 0c, 0d or 0e`);
  }
  const [, dtype, width] = type;
  const ndims = bytes[3]!;
  if (ndims === 0) throw formatError(source, 'wrong-magic', 'IDX header declares 0 dimensions');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw formatError(source, 'truncated', `truncated IDX header: ${ndims} dimensions need ${headerBytes} header bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const dataBytes = count * width;
  const have = bytes.length - headerBytes;
  if (have < dataBytes) {
    throw formatError(
      source,
      'truncated',
      `truncated IDX data: dims ${dims.join('×')} of ${dtype} need ${dataBytes} bytes after the ${headerBytes}-byte header, the file has ${have}`,
    );
  }
  if (have > dataBytes) {
    throw formatError(
      source,
      'wrong-size',
      `wrong IDX size: dims ${dims.join('×')} of ${dtype} need ${dataBytes} bytes after the header, the file has ${have - dataBytes} extra bytes`,
    );
  }
  let data: IdxArray['data'];
  switch (dtype) {
    case 'uint8':
      // Copy through the Uint8Array constructor: Node Buffers' slice() is a view.
      data = new Uint8Array(bytes.subarray(headerBytes, headerBytes + count));
      break;
    case 'int8':
      data = new Int8Array(new Uint8Array(bytes.subarray(headerBytes, headerBytes + count)).buffer);
      break;
    case 'int16':
      data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(headerBytes + 2 * i, false);
      break;
    case 'int32':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(headerBytes + 4 * i, false);
      break;
    case 'float32':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(headerBytes + 4 * i, false);
      break;
    case 'float64':
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(headerBytes + 8 * i, false);
      break;
    default: {
      const never: never = dtype;
      throw new QDistillError('E_INVALID_ARGUMENT', `parseIdx: unexpected dtype ${String(never)}`);
    }
  }
  return { dtype, dims, data };
}

/**
 * Parses IDX bytes, gunzipping first if they start with the gzip magic.
 *
 * @example
 * ```ts
 * const images = await decodeIdx(bytes, 'train-images-idx3-ubyte.gz');
 * ```
 * @throws QDistillError as {@link parseIdx} and {@link gunzip}.
 */
export async function decodeIdx(bytes: Uint8Array, source = 'IDX data'): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, source) : bytes, source);
}

/**
 * Encodes an IDX file (big-endian), e.g. to save a dataset in the MNIST format.
 *
 * @example
 * ```ts
 * const bytes = encodeIdx({ dtype: 'uint8', dims: [2, 2], data: new Uint8Array([0, 1, 2, 3]) });
 * ```
 * @throws QDistillError `E_SHAPE` if data length does not match dims.
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const type = IDX_TYPES.find(([, dtype]) => dtype === array.dtype);
  if (!type) throw new QDistillError('E_INVALID_ARGUMENT', `encodeIdx: unknown dtype ${JSON.stringify(array.dtype)}`);
  const [code, , width] = type;
  const count = array.dims.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) {
    throw new QDistillError('E_SHAPE', `encodeIdx: dims ${array.dims.join('×')} need ${count} values, got ${array.data.length}`);
  }
  const header = 4 + 4 * array.dims.length;
  const out = new Uint8Array(header + count * width);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = array.dims.length;
  array.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = array.data[i]!;
    const at = header + i * width;
    switch (array.dtype) {
      case 'uint8':
        view.setUint8(at, v);
        break;
      case 'int8':
        view.setInt8(at, v);
        break;
      case 'int16':
        view.setInt16(at, v, false);
        break;
      case 'int32':
        view.setInt32(at, v, false);
        break;
      case 'float32':
        view.setFloat32(at, v, false);
        break;
      case 'float64':
        view.setFloat64(at, v, false);
        break;
      default:
        unreachable(array.dtype, 'encodeIdx dtype');
    }
  }
  return out;
}

/**
 * Options of {@link idxToDataset}.
 *
 * @example
 * ```ts
 * idxToDataset(images, labels, { numClasses: 10, classNames: MNIST_CLASS_NAMES.slice() });
 * ```
 */
export interface IdxDatasetOptions {
  /** Names of sources for messages. */
  imagesSource?: string;
  labelsSource?: string;
  /** Number of classes (default max label + 1). */
  numClasses?: number;
  classNames?: string[];
  /** Divide uint8 pixels by this (default 255); other dtypes are used as-is. */
  scale?: number;
}

/**
 * Builds a {@link Dataset} from an images IDX array (N×H×W, or N×C×H×W, or
 * N×F) and a labels IDX array (N). uint8 pixels become v/255 in float32.
 *
 * @example
 * ```ts
 * const train = idxToDataset(await decodeIdx(imageBytes), await decodeIdx(labelBytes));
 * train.shape; // [1, 28, 28]
 * ```
 * @throws QDistillError `E_FILE_FORMAT` (`mismatch` for different counts or non-integer labels,
 *   `bad-label` for labels outside 0..numClasses−1).
 */
export function idxToDataset(images: IdxArray, labels: IdxArray, options: IdxDatasetOptions = {}): Dataset {
  const imagesSource = options.imagesSource ?? 'images';
  const labelsSource = options.labelsSource ?? 'labels';
  if (labels.dims.length !== 1) {
    throw formatError(labelsSource, 'mismatch', `labels must be a 1-D IDX array, got dims ${labels.dims.join('×')}`);
  }
  if (labels.dtype === 'float32' || labels.dtype === 'float64') {
    throw formatError(labelsSource, 'mismatch', `labels must have an integer IDX type, got ${labels.dtype}`);
  }
  const n = labels.dims[0]!;
  if (images.dims[0] !== n) {
    throw formatError(imagesSource, 'mismatch', `${images.dims[0]} images but ${labelsSource} has ${n} labels`);
  }
  const shape = images.dims.length === 3 ? [1, images.dims[1]!, images.dims[2]!] : images.dims.slice(1);
  if (shape.length === 0) shape.push(1);
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    const label = labels.data[i]!;
    if (label < 0) throw formatError(labelsSource, 'bad-label', `label ${i} is ${label}; labels must be >= 0`);
    maxLabel = Math.max(maxLabel, label);
  }
  const numClasses = options.numClasses ?? maxLabel + 1;
  if (maxLabel >= numClasses) {
    throw formatError(labelsSource, 'bad-label', `a label is ${maxLabel} but numClasses is ${numClasses}`);
  }
  const scale = images.dtype === 'uint8' ? (options.scale ?? 255) : 1;
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / scale;
  return validateDataset(
    { x, y: Int32Array.from(labels.data), shape, numClasses, ...(options.classNames ? { classNames: options.classNames } : {}) },
    imagesSource,
  );
}

/**
 * Class names of CIFAR-10, labels 0..9.
 *
 * @example
 * ```ts
 * CIFAR10_CLASS_NAMES[3]; // 'cat'
 * ```
 */
export const CIFAR10_CLASS_NAMES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

/**
 * Bytes per CIFAR-10 record: 1 label byte + 3072 pixel bytes (CHW: 1024 red, 1024 green, 1024 blue).
 *
 * @example
 * ```ts
 * const records = bytes.length / CIFAR10_RECORD_BYTES;
 * ```
 */
export const CIFAR10_RECORD_BYTES = 3073;

/**
 * Parses one or more CIFAR-10 binary batches (`data_batch_1.bin`, …): records
 * of 1 label byte + 3×32×32 uint8 pixels (channel-major). Pixels become
 * v/255 in float32, shape [3, 32, 32].
 *
 * @example
 * ```ts
 * const test = parseCifar10(bytes, 'test_batch.bin');
 * test.classNames[test.y[0]]; // e.g. "cat"
 * ```
 * @throws QDistillError `E_FILE_FORMAT`: `truncated` (empty file), `wrong-size` (the size
 *   is not a multiple of 3073, e.g. a cut-off last record), `bad-label` (a label byte above 9).
 */
export function parseCifar10(bytes: Uint8Array, source = 'CIFAR-10 data'): Dataset {
  if (!(bytes instanceof Uint8Array)) throw new QDistillError('E_INVALID_ARGUMENT', `parseCifar10 ${source}: expected a Uint8Array of file bytes`);
  if (bytes.length === 0) throw formatError(source, 'truncated', 'empty CIFAR-10 file');
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    const whole = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
    throw formatError(
      source,
      'wrong-size',
      `wrong CIFAR-10 size ${bytes.length} bytes: not a multiple of the ${CIFAR10_RECORD_BYTES}-byte record (1 label + 3072 pixels); ` +
        `${whole} whole records and ${bytes.length - whole * CIFAR10_RECORD_BYTES} stray bytes (truncated file?)`,
    );
  }
  const n = bytes.length / CIFAR10_RECORD_BYTES;
  const x = new Float32Array(n * 3072);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const at = r * CIFAR10_RECORD_BYTES;
    const label = bytes[at]!;
    if (label > 9) {
      throw formatError(source, 'bad-label', `record ${r} (byte offset ${at}) has label ${label}; CIFAR-10 labels are 0..9 (is this CIFAR-100 or another format?)`);
    }
    y[r] = label;
    for (let p = 0; p < 3072; p++) x[r * 3072 + p] = bytes[at + 1 + p]! / 255;
  }
  return { x, y, shape: [3, 32, 32], numClasses: 10, classNames: [...CIFAR10_CLASS_NAMES] };
}
