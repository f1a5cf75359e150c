/**
 * The replayable distilled-dataset file (isomorphic: strings and bytes; the
 * Node file I/O is in `node/distilled-files.ts`) and the image grid of the
 * distilled images.
 *
 * ## Format (version 1)
 *
 * One JSON object:
 *
 * ```json
 * { "format": "qdistill-distilled-dataset", "version": 1,
 *   "model": { "arch": "quantum-lenet-000", "numClasses": 10 },
 *   "imageShape": [1, 28, 28], "numClasses": 10, "labels": [0, 1, …],
 *   "steps": 1, "epochs": 3, "imagesPerClass": 1, "learningRates": [0.05, 0.04, 0.03],
 *   "init": "fixed", "weightInit": "paper-000", "innerPrecision": "float64",
 *   "freezeCircuitWeights": false, "normalization": { "mean": [0.1307], "std": [0.3081] },
 *   "seed": 0, "iterations": 600,
 *   "images": { "dtype": "float32", "length": 7840, "base64": "…" },
 *   "theta0": { "dtype": "float32", "length": 59369, "base64": "…" },
 *   "metrics": { … } }
 * ```
 *
 * Arrays are little-endian IEEE 754 in base64; θ₀ is stored as float32 when
 * that is lossless, else float64. `metrics` is informational (what the run
 * measured) and never read back into the replay. Every problem throws
 * `E_FILE_FORMAT` with `details.problem` (`not-json`, `wrong-format`,
 * `version`, `field`, `mismatch`) and a message naming the field.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { featureSize } from '../data/dataset.js';
import { decodeBase64, encodeBase64 } from '../util/base64.js';
import { DISTILLED_FORMAT_VERSION, type DistilledDataset, type DistillModelConfig, type Normalization } from './dataset.js';

/** The `format` tag of a distilled-dataset file. */
export const DISTILLED_FORMAT = 'qdistill-distilled-dataset';

type Problem = 'not-json' | 'wrong-format' | 'version' | 'field' | 'mismatch';

function fileError(source: string, problem: Problem, message: string, cause?: unknown): QDistillError {
  return new QDistillError('E_FILE_FORMAT', `${source}: ${message}`, { details: { source, problem }, ...(cause === undefined ? {} : { cause }) });
}

interface EncodedArray {
  dtype: 'float32' | 'float64';
  length: number;
  base64: string;
}

function encodeArray(values: ArrayLike<number>, dtype: 'float32' | 'float64'): EncodedArray {
  const bytesPer = dtype === 'float32' ? 4 : 8;
  const view = new DataView(new ArrayBuffer(values.length * bytesPer));
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'float32') view.setFloat32(i * 4, values[i]!, true);
    else view.setFloat64(i * 8, values[i]!, true);
  }
  return { dtype, length: values.length, base64: encodeBase64(new Uint8Array(view.buffer)) };
}

function decodeArray(value: unknown, source: string, field: string): Float64Array {
  const v = value as Partial<EncodedArray> | null;
  if (!v || typeof v !== 'object' || (v.dtype !== 'float32' && v.dtype !== 'float64') || !Number.isInteger(v.length) || typeof v.base64 !== 'string') {
    throw fileError(source, 'field', `"${field}" must be { dtype: "float32" | "float64", length, base64 }`);
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(v.base64);
  } catch (cause) {
    throw fileError(source, 'field', `"${field}.base64" is not valid base64`, cause);
  }
  const bytesPer = v.dtype === 'float32' ? 4 : 8;
  if (bytes.length !== v.length! * bytesPer) {
    throw fileError(source, 'mismatch', `"${field}" declares ${v.length} ${v.dtype} values but holds ${bytes.length} bytes (${v.length! * bytesPer} expected)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(v.length!);
  for (let i = 0; i < out.length; i++) {
    out[i] = bytesPer === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    if (!Number.isFinite(out[i]!)) throw fileError(source, 'field', `"${field}" holds ${out[i]} at index ${i}; expected finite numbers`);
  }
  return out;
}

const losslessAsFloat32 = (values: ArrayLike<number>): boolean => {
  for (let i = 0; i < values.length; i++) if (Math.fround(values[i]!) !== values[i]) return false;
  return true;
};

/**
 * The file text of a distilled dataset, with optional informational metrics.
 *
 * @example
 * ```ts
 * const text = serializeDistilled(distilled, { testAccuracy: 0.83 });
 * ```
 */
export function serializeDistilled(distilled: DistilledDataset, metrics: Record<string, unknown> = {}): string {
  const { images, theta0, labels, ...rest } = distilled;
  return `${JSON.stringify({
    ...rest,
    format: DISTILLED_FORMAT,
    version: DISTILLED_FORMAT_VERSION,
    labels: Array.from(labels),
    images: encodeArray(images, 'float32'),
    theta0: encodeArray(theta0, losslessAsFloat32(theta0) ? 'float32' : 'float64'),
    metrics,
  })}\n`;
}

function field<T>(obj: Record<string, unknown>, name: string, source: string, check: (v: unknown) => boolean, expected: string): T {
  const v = obj[name];
  if (!check(v)) throw fileError(source, 'field', `"${name}" must be ${expected}, got ${JSON.stringify(v)?.slice(0, 80)}`);
  return v as T;
}

const isPosInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;
const isIntList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => Number.isInteger(x));

/**
 * Parses and validates a distilled-dataset file (see the module doc).
 *
 * @throws E_FILE_FORMAT naming the problem and the field
 * @example
 * ```ts
 * const { distilled, metrics } = parseDistilled(text, 'mnist-10.qdd.json');
 * ```
 */
export function parseDistilled(text: string, source = 'distilled dataset'): { distilled: DistilledDataset; metrics: Record<string, unknown> } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw fileError(source, 'not-json', `not a distilled-dataset file: invalid JSON (${(cause as Error).message})`, cause);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fileError(source, 'wrong-format', 'not a distilled-dataset file: expected a JSON object');
  const obj = raw as Record<string, unknown>;
  if (obj.format !== DISTILLED_FORMAT) {
    throw fileError(source, 'wrong-format', `not a distilled-dataset file: "format" is ${JSON.stringify(obj.format)}, expected "${DISTILLED_FORMAT}"`);
  }
  if (!Number.isInteger(obj.version) || (obj.version as number) < 1 || (obj.version as number) > DISTILLED_FORMAT_VERSION) {
    throw fileError(source, 'version', `version ${JSON.stringify(obj.version)} is not supported (this qdistill reads 1..${DISTILLED_FORMAT_VERSION}; a newer file needs a newer qdistill)`);
  }
  const model = field<DistillModelConfig>(obj, 'model', source, (v) => typeof v === 'object' && v !== null && typeof (v as { arch?: unknown }).arch === 'string' && isPosInt((v as { numClasses?: unknown }).numClasses), 'a model config with arch and numClasses');
  const imageShape = field<number[]>(obj, 'imageShape', source, (v) => Array.isArray(v) && v.length === 3 && v.every(isPosInt), '[channels, height, width]');
  const numClasses = field<number>(obj, 'numClasses', source, isPosInt, 'a positive integer');
  const steps = field<number>(obj, 'steps', source, isPosInt, 'a positive integer');
  const epochs = field<number>(obj, 'epochs', source, isPosInt, 'a positive integer');
  const imagesPerClass = field<number>(obj, 'imagesPerClass', source, isPosInt, 'a positive integer');
  const learningRates = field<number[]>(obj, 'learningRates', source, (v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0), 'a list of positive numbers');
  const labels = field<number[]>(obj, 'labels', source, isIntList, 'a list of integers');
  const init = field<'fixed' | 'random'>(obj, 'init', source, (v) => v === 'fixed' || v === 'random', '"fixed" or "random"');
  const weightInit = field<'paper-000' | 'model'>(obj, 'weightInit', source, (v) => v === 'paper-000' || v === 'model', '"paper-000" or "model"');
  const innerPrecision = field<'float32' | 'float64'>(obj, 'innerPrecision', source, (v) => v === 'float32' || v === 'float64', '"float32" or "float64"');
  const freezeCircuitWeights = field<boolean>(obj, 'freezeCircuitWeights', source, (v) => typeof v === 'boolean', 'true or false');
  const normalization = field<Normalization>(obj, 'normalization', source, (v) => {
    const n = v as Normalization | null;
    return !!n && Array.isArray(n.mean) && Array.isArray(n.std) && n.mean.length === imageShape[0] && n.std.length === imageShape[0] && n.std.every((s) => typeof s === 'number' && s > 0) && n.mean.every((m) => typeof m === 'number' && Number.isFinite(m));
  }, `{ mean, std } with ${imageShape[0]} values each (std > 0)`);
  const seed = field<number>(obj, 'seed', source, (v) => Number.isSafeInteger(v), 'an integer');
  const iterations = field<number>(obj, 'iterations', source, (v) => Number.isInteger(v) && (v as number) >= 0, 'an integer ≥ 0');
  if (model.numClasses !== numClasses) throw fileError(source, 'mismatch', `model.numClasses is ${model.numClasses} but numClasses is ${numClasses}`);
  const perStep = numClasses * imagesPerClass;
  if (labels.length !== steps * perStep) throw fileError(source, 'mismatch', `"labels" has ${labels.length} entries; steps × classes × imagesPerClass = ${steps * perStep}`);
  if (labels.some((l) => l < 0 || l >= numClasses)) throw fileError(source, 'field', `"labels" must be in 0..${numClasses - 1}`);
  if (learningRates.length !== steps * epochs) throw fileError(source, 'mismatch', `"learningRates" has ${learningRates.length} entries; steps × epochs = ${steps * epochs}`);
  const images = decodeArray(obj.images, source, 'images');
  if (images.length !== labels.length * featureSize(imageShape)) {
    throw fileError(source, 'mismatch', `"images" holds ${images.length} values; ${labels.length} images of [${imageShape}] need ${labels.length * featureSize(imageShape)}`);
  }
  const theta0 = decodeArray(obj.theta0, source, 'theta0');
  const classIds = obj.classIds === undefined ? undefined : field<number[]>(obj, 'classIds', source, (v) => isIntList(v) && (v as number[]).length === numClasses, `${numClasses} integers`);
  const classNames = obj.classNames === undefined ? undefined : field<string[]>(obj, 'classNames', source, (v) => Array.isArray(v) && v.length === numClasses && v.every((x) => typeof x === 'string'), `${numClasses} strings`);
  const metrics = typeof obj.metrics === 'object' && obj.metrics !== null ? (obj.metrics as Record<string, unknown>) : {};
  return {
    distilled: {
      format: DISTILLED_FORMAT,
      version: DISTILLED_FORMAT_VERSION,
      model,
      images: Float32Array.from(images),
      imageShape: [...imageShape],
      labels: Int32Array.from(labels),
      numClasses,
      ...(classIds ? { classIds: [...classIds] } : {}),
      ...(classNames ? { classNames: [...classNames] } : {}),
      steps,
      epochs,
      imagesPerClass,
      learningRates: [...learningRates],
      init,
      weightInit,
      theta0,
      innerPrecision,
      freezeCircuitWeights,
      normalization: { mean: [...normalization.mean], std: [...normalization.std] },
      seed,
      iterations,
    },
    metrics,
  };
}

/** An 8-bit image: `channels` interleaved per pixel, row-major. */
export interface PixelImage {
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  pixels: Uint8Array;
}

/** Options of {@link distilledImageGrid}. */
export interface ImageGridOptions {
  /** Nearest-neighbour upscaling of each image (default 3). */
  scale?: number;
  /** Pixels between tiles (default 2, white). */
  padding?: number;
}

/**
 * The distilled images as one grid: a column per class, a row per
 * (step, image of that class in the step); pixels de-normalised
 * (x·std + mean), clipped to [0, 1], as 8-bit grey or RGB.
 *
 * @example
 * ```ts
 * const grid = distilledImageGrid(distilled, { scale: 4 }); // grid.width × grid.height × grid.channels bytes
 * ```
 */
export function distilledImageGrid(distilled: DistilledDataset, options: ImageGridOptions = {}): PixelImage {
  const scale = options.scale ?? 3;
  const pad = options.padding ?? 2;
  if (!Number.isInteger(scale) || scale < 1 || !Number.isInteger(pad) || pad < 0) {
    throw new QDistillError('E_INVALID_ARGUMENT', `distilledImageGrid: scale must be an integer ≥ 1 and padding ≥ 0, got ${scale} and ${pad}`);
  }
  const [c, h, w] = distilled.imageShape as [number, number, number];
  if (c !== 1 && c !== 3) throw new QDistillError('E_UNSUPPORTED', `distilledImageGrid: images with ${c} channels (1 or 3 supported)`);
  const channels = c as 1 | 3;
  const cols = distilled.numClasses;
  const rows = distilled.steps * distilled.imagesPerClass;
  const tileW = w * scale;
  const tileH = h * scale;
  const width = cols * tileW + (cols + 1) * pad;
  const height = rows * tileH + (rows + 1) * pad;
  const pixels = new Uint8Array(width * height * channels).fill(255);
  const size = c * h * w;
  const k = distilled.imagesPerClass;
  const { mean, std } = distilled.normalization;
  distilled.labels.forEach((label, n) => {
    const step = Math.floor(n / (distilled.numClasses * k));
    const within = n % k;
    const row = step * k + within;
    const x0 = pad + label * (tileW + pad);
    const y0 = pad + row * (tileH + pad);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < tileH; y++) {
        for (let x = 0; x < tileW; x++) {
          const v = distilled.images[n * size + (ch * h + Math.floor(y / scale)) * w + Math.floor(x / scale)]! * std[ch]! + mean[ch]!;
          pixels[((y0 + y) * width + x0 + x) * channels + ch] = Math.round(255 * Math.min(1, Math.max(0, v)));
        }
      }
    }
  });
  return { width, height, channels, pixels };
}
