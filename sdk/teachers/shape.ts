/**
 * From the data's samples to a model's input tensor: shape matching (fixed
 * or symbolic dimensions), NHWC → NCHW, and the optional scaling and
 * per-channel normalisation `y = (x·scale − mean[c]) / std[c]`.
 *
 * The rules, decided once when a teacher meets a data shape:
 *
 * - The data's per-sample shape (after `layout: 'NHWC'` is turned into CHW)
 *   must hold as many values as the model's input without its batch axis.
 * - Flat data (`[784]`) is taken to be in the model's own layout, row-major.
 * - Otherwise the two shapes must agree once their size-1 axes are dropped
 *   (`[28, 28]` fits `[batch, 1, 28, 28]`; `[28, 28, 3]` does not fit
 *   `[batch, 3, 28, 28]` unless `layout: 'NHWC'` says it is channels-last).
 * - Symbolic model axes (`[batch, 1, H, W]`) take their size from the data,
 *   aligned from the right; a missing leading channel axis of size 1 is added.
 *
 * @module
 */
import { QDistillError } from '../errors.js';

/**
 * One axis of a model input or output: a size, a symbolic name (`"batch"`), or unknown (`null`).
 *
 * @example
 * ```ts
 * const dims: ModelDim[] = ['batch', 1, 28, 28];
 * ```
 */
export type ModelDim = number | string | null;

/**
 * Name, element type and shape (batch axis first) of one model input or output.
 *
 * @example
 * ```ts
 * teacher.input; // { name: 'input', type: 'float32', dims: ['batch', 1, 28, 28] }
 * ```
 */
export interface TensorSignature {
  name: string;
  /** Element type as onnxruntime names it (`float32`, `int64`, …); `unknown` when not declared. */
  type: string;
  /** Dimensions including the batch axis, or `null` when the model does not declare its rank. */
  dims: ModelDim[] | null;
}

/**
 * Memory layout of image samples in the data.
 *
 * @example
 * ```ts
 * await OnnxTeacher.load(bytes, { layout: 'NHWC', dataShape: [32, 32, 3] });
 * ```
 */
export type DataLayout = 'NCHW' | 'NHWC';

/**
 * Optional input preprocessing, applied per chunk before the model runs:
 * `y = (x·scale − mean[c]) / std[c]`, where `c` is the sample's leading
 * (channel) axis in the model's layout.
 *
 * @example
 * ```ts
 * const pre: PreprocessOptions = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NHWC' };
 * ```
 */
export interface PreprocessOptions {
  /** Multiplies every value first (e.g. `1/255` for 0..255 pixels). Default 1. */
  scale?: number;
  /** Subtracted after scaling: one number, or one per channel. Default 0. */
  mean?: number | readonly number[];
  /** Divides after the mean: one positive number, or one per channel. Default 1. */
  std?: number | readonly number[];
  /** How image samples are stored in the data: `NCHW` (default; channels first) or `NHWC` (channels last). */
  layout?: DataLayout;
}

/**
 * How one data shape is fed to one model input.
 *
 * @example
 * ```ts
 * const adapter = buildInputAdapter('teacher t', teacher.input, [784]);
 * adapter.write(x, 0, 8, buffer, 0); // 8 samples, adapted
 * ```
 */
export interface InputAdapter {
  /** The data's per-sample shape as given. */
  readonly dataShape: readonly number[];
  /** Values per sample. */
  readonly sampleSize: number;
  /** Per-sample dimensions fed to the model (its input without the batch axis). */
  readonly feedDims: readonly number[];
  /** True when samples go to the model unchanged (no copy needed). */
  readonly identity: boolean;
  /** Writes `count` adapted samples from `src` (starting at sample `from`) into `dst` (starting at sample `at`). */
  write(src: Float32Array, from: number, count: number, dst: Float32Array, at: number): void;
}

/**
 * Formats model dimensions the way ONNX tools print them: `[batch,1,28,28]`.
 *
 * @example
 * ```ts
 * formatDims(['batch', 1, 28, 28]); // "[batch,1,28,28]"
 * ```
 */
export function formatDims(dims: readonly ModelDim[] | null): string {
  if (dims === null) return '[unknown rank]';
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/**
 * `[1,32,32]`, the data-shape counterpart of {@link formatDims}.
 *
 * @example
 * ```ts
 * formatDataShape([1, 32, 32]); // "[1,32,32]"
 * ```
 */
export function formatDataShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * True for an axis with a known size.
 *
 * @example
 * ```ts
 * isFixedDim(28);      // true
 * isFixedDim('batch'); // false
 * ```
 */
export function isFixedDim(d: ModelDim): d is number {
  return typeof d === 'number' && Number.isInteger(d) && d > 0;
}

/**
 * Validates a per-sample data shape (non-empty list of positive integers).
 *
 * @example
 * ```ts
 * assertDataShape([1, 28, 28], 'teacher t'); // returns the shape
 * assertDataShape([0], 'teacher t');         // throws E_SHAPE
 * ```
 */
export function assertDataShape(shape: unknown, where: string): readonly number[] {
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new QDistillError('E_SHAPE', `${where}: a per-sample data shape must be a non-empty list of positive integers, got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function squeeze(shape: readonly number[]): number[] {
  return shape.filter((d) => d !== 1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function channelValues(value: number | readonly number[] | undefined, fallback: number, what: string, where: string, positive: boolean): number[] {
  const list = value === undefined ? [fallback] : typeof value === 'number' ? [value] : [...value];
  if (list.length === 0 || list.some((v) => typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0))) {
    throw new QDistillError(
      'E_INVALID_ARGUMENT',
      `${where}: ${what} must be ${positive ? 'a positive finite number' : 'a finite number'} or a non-empty list of them, got ${JSON.stringify(value)}`,
    );
  }
  return list;
}

/**
 * Decides how samples of `dataShape` feed `input`, or throws `E_TEACHER`
 * saying precisely what does not fit.
 *
 * @param where prefix of error messages, e.g. `teacher lenet-mnist-c6.onnx`
 * @throws E_TEACHER when the data shape cannot feed the input; E_SHAPE for a malformed data shape or NHWC on a non-image shape; E_INVALID_ARGUMENT for bad preprocessing values
 * @example
 * ```ts
 * const adapter = buildInputAdapter('teacher t', { name: 'input', type: 'float32', dims: ['batch', 1, 28, 28] }, [784]);
 * adapter.feedDims; // [1, 28, 28]
 * ```
 */
export function buildInputAdapter(where: string, input: TensorSignature, dataShape: readonly number[], pre: PreprocessOptions = {}): InputAdapter {
  const shape = [...assertDataShape(dataShape, where)];
  const layout = pre.layout ?? 'NCHW';
  if (layout !== 'NCHW' && layout !== 'NHWC') {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: layout must be "NCHW" or "NHWC", got ${JSON.stringify(layout)}`);
  }
  // Channels-first view of the data.
  let chw = shape;
  let hwc: [number, number, number] | null = null;
  if (layout === 'NHWC') {
    if (shape.length !== 2 && shape.length !== 3) {
      throw new QDistillError('E_SHAPE', `${where}: layout "NHWC" needs image samples [H,W,C] or [H,W], got ${formatDataShape(shape)}`);
    }
    const [h, w, c = 1] = shape as [number, number, number?];
    hwc = [h, w, c];
    chw = [c, h, w];
  }
  const size = product(shape);
  const modelDims = input.dims;
  const expects = `${where}: input '${input.name}' expects ${formatDims(modelDims)} but the data has shape ${formatDataShape(shape)}${layout === 'NHWC' ? ' (NHWC)' : ''}`;
  let feed: number[];
  if (modelDims === null) {
    feed = chw; // the model does not declare its rank: trust the data
  } else {
    if (modelDims.length < 2) {
      throw new QDistillError('E_TEACHER', `${where}: input '${input.name}' has shape ${formatDims(modelDims)}; a teacher needs a batch axis followed by at least one sample axis`);
    }
    const m = modelDims.slice(1);
    if (m.every(isFixedDim)) {
      const fixed = m as number[];
      const want = product(fixed);
      if (want !== size) {
        throw new QDistillError('E_TEACHER', `${expects} (${want} values per sample expected, ${size} given)`, {
          details: { input: input.name, expected: modelDims, dataShape: shape },
        });
      }
      if (!(shape.length === 1 && layout === 'NCHW') && !sameShape(squeeze(chw), squeeze(fixed))) {
        throw new QDistillError(
          'E_TEACHER',
          `${expects}: the same number of values, arranged differently` +
            (shape.length === 3 && shape[2] === fixed[0] ? `; if the samples are channels-last, pass layout: 'NHWC'` : '; reshape the data or flatten it'),
          { details: { input: input.name, expected: modelDims, dataShape: shape } },
        );
      }
      feed = fixed;
    } else {
      // Symbolic axes: align the data with the model from the right.
      let aligned = chw;
      if (aligned.length === m.length - 1 && m[0] === 1) aligned = [1, ...aligned];
      if (aligned.length !== m.length) {
        throw new QDistillError('E_TEACHER', `${expects} (rank ${m.length} per sample expected, ${chw.length} given)`, {
          details: { input: input.name, expected: modelDims, dataShape: shape },
        });
      }
      m.forEach((d, i) => {
        if (isFixedDim(d) && d !== aligned[i]) {
          throw new QDistillError('E_TEACHER', `${expects} (axis ${i + 1} must be ${d}, got ${aligned[i]})`, {
            details: { input: input.name, expected: modelDims, dataShape: shape },
          });
        }
      });
      feed = aligned;
    }
  }

  const scale = pre.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale === 0) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: scale must be a finite non-zero number, got ${JSON.stringify(pre.scale)}`);
  }
  const mean = channelValues(pre.mean, 0, 'mean', where, false);
  const std = channelValues(pre.std, 1, 'std', where, true);
  const channels = feed.length > 0 ? feed[0]! : 1;
  for (const [what, list] of [['mean', mean], ['std', std]] as const) {
    if (list.length !== 1 && list.length !== channels) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `${where}: ${what} has ${list.length} values; expected 1 or one per channel (${channels} for input ${formatDataShape(feed)})`,
      );
    }
  }
  const normalise = scale !== 1 || mean.some((v) => v !== 0) || std.some((v) => v !== 1);
  const perChannel = size / channels;
  const identity = !normalise && hwc === null;

  const write = (src: Float32Array, from: number, count: number, dst: Float32Array, at: number): void => {
    for (let s = 0; s < count; s++) {
      const i0 = (from + s) * size;
      const o0 = (at + s) * size;
      if (hwc !== null) {
        const [h, w, c] = hwc;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            for (let k = 0; k < c; k++) dst[o0 + (k * h + y) * w + x] = src[i0 + (y * w + x) * c + k]!;
          }
        }
      } else if (!normalise) {
        dst.set(src.subarray(i0, i0 + size), o0);
      } else {
        for (let i = 0; i < size; i++) dst[o0 + i] = src[i0 + i]!;
      }
      if (normalise) {
        for (let i = 0; i < size; i++) {
          const c = Math.floor(i / perChannel);
          dst[o0 + i] = (dst[o0 + i]! * scale - mean[mean.length === 1 ? 0 : c]!) / std[std.length === 1 ? 0 : c]!;
        }
      }
    }
  };
  return { dataShape: shape, sampleSize: size, feedDims: feed, identity, write };
}
