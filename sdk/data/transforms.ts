/**
 * Transforms of classical samples and a pipeline whose configuration —
 * including fitted state (means, PCA components, min/max) — is plain JSON, so
 * it can be saved with a model's config and re-applied at inference.
 *
 * Every step maps a batch of N samples of one per-sample shape to a batch of
 * another shape. Image steps take `[C, H, W]` or `[H, W]` samples. Values are
 * computed in float64 and stored as float32.
 *
 * @example
 * ```ts
 * const pipeline = new Pipeline([
 *   { type: 'resize', height: 16, width: 16, method: 'area' },
 *   { type: 'flatten' },
 *   { type: 'pca', components: 8 },
 *   { type: 'minMax' },
 * ]);
 * const trainX = pipeline.fitTransform(train);
 * const testX = pipeline.transform(test);
 * const saved = JSON.stringify(pipeline);             // fitted state included
 * const again = Pipeline.fromJSON(JSON.parse(saved)); // same outputs
 * ```
 *
 * @module
 */
import { PCA } from 'ml-pca';
import { QDistillError, unreachable } from '../errors.js';
import { featureSize, numSamples, withArrays, type Dataset } from './dataset.js';
import * as pm from '../util/portable-math.js';

/**
 * Standardise: (x − mean) / std, globally or per channel. Fitted on train when mean/std are absent.
 *
 * @example
 * ```ts
 * const config: NormalizeConfig = { type: 'normalize', mean: 0.1307, std: 0.3081 }; // or { type: 'normalize', perChannel: true } to fit
 * ```
 */
export interface NormalizeConfig {
  type: 'normalize';
  /** One value, or one per channel (leading axis of `[C, …]` samples; per feature for 1-D samples). */
  mean?: number | number[];
  std?: number | number[];
  /** When fitting: per channel (default false: one mean/std over all features). */
  perChannel?: boolean;
}
/**
 * Resize images. `area`: adaptive average pooling (PyTorch `interpolate(mode='area')`); `bilinear`: half-pixel centres, no antialiasing (PyTorch `align_corners=False`).
 *
 * @example
 * ```ts
 * const config: ResizeConfig = { type: 'resize', height: 14, width: 14, method: 'bilinear' };
 * ```
 */
export interface ResizeConfig {
  type: 'resize';
  height: number;
  width: number;
  method?: 'area' | 'bilinear';
}
/**
 * Crop the centre (torchvision: top = round((H − h)/2) with round-half-to-even).
 *
 * @example
 * ```ts
 * const config: CenterCropConfig = { type: 'centerCrop', height: 24, width: 24 };
 * ```
 */
export interface CenterCropConfig {
  type: 'centerCrop';
  height: number;
  width: number;
}
/**
 * Average or max pooling with a square window, no padding, floor mode.
 *
 * @example
 * ```ts
 * const config: PoolConfig = { type: 'pool', kernel: 2, mode: 'max' };
 * ```
 */
export interface PoolConfig {
  type: 'pool';
  kernel: number;
  /** Default: the kernel size. */
  stride?: number;
  mode?: 'avg' | 'max';
}
/**
 * Flatten each sample to `[F]`.
 *
 * @example
 * ```ts
 * const config: FlattenConfig = { type: 'flatten' };
 * ```
 */
export interface FlattenConfig {
  type: 'flatten';
}
/**
 * Flatten and pad with `value` (default 0) to `length` (default the next power of two ≥ F).
 *
 * @example
 * ```ts
 * const config: PadPow2Config = { type: 'padPow2' }; // 784 features → 1024
 * ```
 */
export interface PadPow2Config {
  type: 'padPow2';
  value?: number;
  length?: number;
}
/**
 * Divide each sample by its Euclidean norm (a zero sample is an error).
 *
 * @example
 * ```ts
 * const config: L2NormalizeConfig = { type: 'l2Normalize' }; // before amplitude embedding
 * ```
 */
export interface L2NormalizeConfig {
  type: 'l2Normalize';
}
/**
 * x ↦ scale·tanh(x), scale = π by default (paper 003's pre-processing for encoders).
 *
 * @example
 * ```ts
 * const config: PiTanhConfig = { type: 'piTanh' }; // x ↦ π·tanh(x)
 * ```
 */
export interface PiTanhConfig {
  type: 'piTanh';
  scale?: number;
}
/**
 * Flatten and project onto the leading principal components of the training data.
 *
 * @example
 * ```ts
 * const config: PcaConfig = { type: 'pca', components: 10 }; // fitted state is added by pipeline.fit()
 * ```
 */
export interface PcaConfig {
  type: 'pca';
  components: number;
  /** Fitted: feature means (length F). */
  mean?: number[];
  /** Fitted: components × F, rows are unit principal axes (sign: largest-magnitude entry positive). */
  basis?: number[][];
  /** Fitted: variance along each component (covariance eigenvalues, N − 1 normalisation). */
  explainedVariance?: number[];
}
/**
 * Scale each feature from the training [min, max] to `range` (default [0, 1]).
 *
 * @example
 * ```ts
 * const config: MinMaxConfig = { type: 'minMax', range: [0, Math.PI], clip: true };
 * ```
 */
export interface MinMaxConfig {
  type: 'minMax';
  range?: [number, number];
  /** Clamp transformed values into `range` (default false). */
  clip?: boolean;
  /** Fitted per-feature minima and maxima. */
  min?: number[];
  max?: number[];
}
/**
 * x > threshold → 1, else 0 (default threshold 0.5, as paper 002).
 *
 * @example
 * ```ts
 * const config: BinarizeConfig = { type: 'binarize', threshold: 0.5 };
 * ```
 */
export interface BinarizeConfig {
  type: 'binarize';
  threshold?: number;
}

/**
 * One pipeline step, as plain JSON.
 *
 * @example
 * ```ts
 * const steps: TransformConfig[] = [{ type: 'resize', height: 8, width: 8 }, { type: 'flatten' }];
 * ```
 */
export type TransformConfig =
  | NormalizeConfig
  | ResizeConfig
  | CenterCropConfig
  | PoolConfig
  | FlattenConfig
  | PadPow2Config
  | L2NormalizeConfig
  | PiTanhConfig
  | PcaConfig
  | MinMaxConfig
  | BinarizeConfig;

/**
 * Plain-JSON form of a {@link Pipeline}.
 *
 * @example
 * ```ts
 * const json: PipelineJSON = pipeline.toJSON(); // { format: 'qdistill.pipeline', version: 1, steps }
 * ```
 */
export interface PipelineJSON {
  format: 'qdistill.pipeline';
  version: 1;
  steps: TransformConfig[];
}

/**
 * A batch flowing through a pipeline.
 *
 * @example
 * ```ts
 * const { x, count, shape }: SampleBatch = pipeline.transformBatch(pixels, 1, [1, 28, 28]);
 * ```
 */
export interface SampleBatch {
  x: Float32Array;
  count: number;
  shape: number[];
}

type Where = string;

function shapeError(where: Where, message: string): QDistillError {
  return new QDistillError('E_SHAPE', `${where}: ${message}`);
}

function argError(where: Where, message: string): QDistillError {
  return new QDistillError('E_INVALID_ARGUMENT', `${where}: ${message}`);
}

function checkInt(value: unknown, name: string, where: Where, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw argError(where, `${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkFiniteNumber(value: unknown, name: string, where: Where): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw argError(where, `${name} must be a finite number, got ${JSON.stringify(value)}`);
  return value;
}

/** [C, H, W] view of an image shape ([H, W] → C = 1). */
function imageDims(shape: readonly number[], where: Where): [c: number, h: number, w: number] {
  if (shape.length === 3) return [shape[0]!, shape[1]!, shape[2]!];
  if (shape.length === 2) return [1, shape[0]!, shape[1]!];
  throw shapeError(where, `expected image samples of shape [C, H, W] or [H, W], got [${shape.join(', ')}]`);
}

function imageShape(shape: readonly number[], c: number, h: number, w: number): number[] {
  return shape.length === 3 ? [c, h, w] : [h, w];
}

function bankersRound(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Output shape of one step for an input shape (validates the config). */
function stepOutputShape(step: TransformConfig, shape: readonly number[], where: Where): number[] {
  switch (step.type) {
    case 'normalize':
    case 'l2Normalize':
    case 'piTanh':
    case 'binarize':
    case 'minMax':
      return [...shape];
    case 'flatten':
      return [featureSize(shape)];
    case 'resize': {
      const [c] = imageDims(shape, where);
      return imageShape(shape, c, checkInt(step.height, 'height', where), checkInt(step.width, 'width', where));
    }
    case 'centerCrop': {
      const [c, h, w] = imageDims(shape, where);
      const ch = checkInt(step.height, 'height', where);
      const cw = checkInt(step.width, 'width', where);
      if (ch > h || cw > w) throw shapeError(where, `crop ${ch}×${cw} is larger than the ${h}×${w} image`);
      return imageShape(shape, c, ch, cw);
    }
    case 'pool': {
      const [c, h, w] = imageDims(shape, where);
      const k = checkInt(step.kernel, 'kernel', where);
      const s = checkInt(step.stride ?? k, 'stride', where);
      if (k > h || k > w) throw shapeError(where, `pooling window ${k} is larger than the ${h}×${w} image`);
      return imageShape(shape, c, Math.floor((h - k) / s) + 1, Math.floor((w - k) / s) + 1);
    }
    case 'padPow2': {
      const f = featureSize(shape);
      const length = step.length ?? nextPow2(f);
      checkInt(length, 'length', where);
      if (length < f || nextPow2(length) !== length) {
        throw shapeError(where, `length must be a power of two >= the ${f} features, got ${length}`);
      }
      return [length];
    }
    case 'pca': {
      const k = checkInt(step.components, 'components', where);
      if (step.basis && step.basis[0] && step.basis[0].length !== featureSize(shape)) {
        throw shapeError(where, `the fitted PCA expects ${step.basis[0].length} features, got samples of shape [${shape.join(', ')}]`);
      }
      return [k];
    }
    default:
      return unreachable(step, `${where} type`);
  }
}

function isFitted(step: TransformConfig): boolean {
  switch (step.type) {
    case 'normalize':
      return step.mean !== undefined && step.std !== undefined;
    case 'pca':
      return step.mean !== undefined && step.basis !== undefined;
    case 'minMax':
      return step.min !== undefined && step.max !== undefined;
    default:
      return true;
  }
}

/** Per-channel (or global) broadcast of normalize parameters to a per-feature index function. */
function channelOf(shape: readonly number[]): { channels: number; per: number } {
  if (shape.length === 1) return { channels: shape[0]!, per: 1 };
  return { channels: shape[0]!, per: featureSize(shape) / shape[0]! };
}

function fitStep(step: TransformConfig, batch: SampleBatch, where: Where): TransformConfig {
  const { x, count, shape } = batch;
  const f = featureSize(shape);
  switch (step.type) {
    case 'normalize': {
      if (step.mean !== undefined && step.std !== undefined) return step;
      if (count === 0) throw new QDistillError('E_DATA', `${where}: cannot fit on an empty dataset`);
      const { channels, per } = step.perChannel ? channelOf(shape) : { channels: 1, per: f };
      const sum = new Float64Array(channels);
      const sumSq = new Float64Array(channels);
      // Two passes (mean, then squared deviations) for accuracy.
      for (let i = 0; i < count * f; i++) sum[Math.floor((i % f) / per)]! += x[i]!;
      const mean = Array.from(sum, (s) => s / (count * per));
      for (let i = 0; i < count * f; i++) {
        const c = Math.floor((i % f) / per);
        const d = x[i]! - mean[c]!;
        sumSq[c]! += d * d;
      }
      const std = Array.from(sumSq, (s) => {
        const sd = Math.sqrt(s / (count * per));
        return sd > 0 ? sd : 1; // a constant channel is only centred
      });
      return { ...step, mean: step.mean ?? (step.perChannel ? mean : mean[0]!), std: step.std ?? (step.perChannel ? std : std[0]!) };
    }
    case 'pca':
      return step.mean && step.basis ? step : fitPca(step, batch, where);
    case 'minMax': {
      if (step.min && step.max) return step;
      if (count === 0) throw new QDistillError('E_DATA', `${where}: cannot fit on an empty dataset`);
      const min = new Array<number>(f).fill(Infinity);
      const max = new Array<number>(f).fill(-Infinity);
      for (let n = 0; n < count; n++) {
        for (let j = 0; j < f; j++) {
          const v = x[n * f + j]!;
          if (v < min[j]!) min[j] = v;
          if (v > max[j]!) max[j] = v;
        }
      }
      return { ...step, min, max };
    }
    default:
      return step;
  }
}

/**
 * PCA fit: feature means and the covariance (N − 1 normalisation) are
 * accumulated here — as raw second moments over the non-zero entries when
 * most entries are zero (images), otherwise centred — and the eigenvectors
 * come from ml-pca (`isCovarianceMatrix`, ml-matrix's symmetric EVD).
 */
function fitPca(step: PcaConfig, batch: SampleBatch, where: Where): PcaConfig {
  const { x, count } = batch;
  const f = featureSize(batch.shape);
  const k = checkInt(step.components, 'components', where);
  if (count < 2) throw new QDistillError('E_DATA', `${where}: PCA needs at least 2 samples to fit, got ${count}`);
  if (k > f) throw argError(where, `components ${k} exceeds the ${f} features`);
  const mean = new Float64Array(f);
  let zeros = 0;
  for (let n = 0; n < count; n++) {
    for (let j = 0; j < f; j++) {
      const v = x[n * f + j]!;
      mean[j]! += v;
      if (v === 0) zeros++;
    }
  }
  for (let j = 0; j < f; j++) mean[j]! /= count;
  const cov = new Float64Array(f * f);
  const row = new Float64Array(f);
  const nz = new Int32Array(f);
  const sparse = zeros > 0.5 * count * f;
  for (let n = 0; n < count; n++) {
    let m = 0;
    for (let j = 0; j < f; j++) {
      const v = sparse ? x[n * f + j]! : x[n * f + j]! - mean[j]!;
      if (v !== 0) {
        row[m] = v;
        nz[m++] = j;
      }
    }
    for (let a = 0; a < m; a++) {
      const va = row[a]!;
      const base = nz[a]! * f;
      for (let b = a; b < m; b++) cov[base + nz[b]!]! += va * row[b]!;
    }
  }
  const rows: number[][] = [];
  for (let a = 0; a < f; a++) {
    const r = new Array<number>(f);
    for (let b = 0; b < f; b++) {
      const raw = a <= b ? cov[a * f + b]! : cov[b * f + a]!;
      r[b] = (sparse ? raw - count * mean[a]! * mean[b]! : raw) / (count - 1);
    }
    rows.push(r);
  }
  const pca = new PCA(rows, { isCovarianceMatrix: true });
  const vectors = pca.getEigenvectors();
  const values = pca.getEigenvalues();
  const basis: number[][] = [];
  for (let c = 0; c < k; c++) {
    const axis = vectors.getColumn(c);
    let big = 0;
    for (let j = 1; j < f; j++) if (Math.abs(axis[j]!) > Math.abs(axis[big]!)) big = j;
    const sign = axis[big]! < 0 ? -1 : 1;
    basis.push(axis.map((v) => v * sign));
  }
  return { ...step, mean: Array.from(mean), basis, explainedVariance: values.slice(0, k) };
}

function broadcast(value: number | number[], shape: readonly number[], name: string, where: Where): (feature: number) => number {
  if (typeof value === 'number') {
    checkFiniteNumber(value, name, where);
    return () => value;
  }
  const { channels, per } = channelOf(shape);
  if (!Array.isArray(value) || value.length !== channels) {
    throw shapeError(where, `${name} has ${Array.isArray(value) ? value.length : 'no'} entries; samples of shape [${shape.join(', ')}] have ${channels} channels`);
  }
  value.forEach((v, i) => checkFiniteNumber(v, `${name}[${i}]`, where));
  return (feature) => value[Math.floor(feature / per)]!;
}

function applyStep(step: TransformConfig, batch: SampleBatch, outShape: number[], where: Where): SampleBatch {
  const { x, count, shape } = batch;
  const f = featureSize(shape);
  const g = featureSize(outShape);
  const out = new Float32Array(count * g);
  switch (step.type) {
    case 'normalize': {
      if (step.mean === undefined || step.std === undefined) throw notFitted(where);
      const mean = broadcast(step.mean, shape, 'mean', where);
      const std = broadcast(step.std, shape, 'std', where);
      for (let j = 0; j < f; j++) {
        if (!(std(j) > 0)) throw argError(where, `std must be positive, got ${std(j)} for feature ${j}`);
      }
      const m = Float64Array.from({ length: f }, (_, j) => mean(j));
      const s = Float64Array.from({ length: f }, (_, j) => std(j));
      for (let n = 0; n < count; n++) for (let j = 0; j < f; j++) out[n * f + j] = (x[n * f + j]! - m[j]!) / s[j]!;
      break;
    }
    case 'resize': {
      const [c, h, w] = imageDims(shape, where);
      const oh = step.height;
      const ow = step.width;
      const method = step.method ?? 'area';
      if (method !== 'area' && method !== 'bilinear') throw argError(where, `method must be 'area' or 'bilinear', got ${JSON.stringify(method)}`);
      for (let n = 0; n < count * c; n++) {
        const src = x.subarray(n * h * w, (n + 1) * h * w);
        const dst = out.subarray(n * oh * ow, (n + 1) * oh * ow);
        if (method === 'area') resizeArea(src, h, w, dst, oh, ow);
        else resizeBilinear(src, h, w, dst, oh, ow);
      }
      break;
    }
    case 'centerCrop': {
      const [c, h, w] = imageDims(shape, where);
      const top = bankersRound((h - step.height) / 2);
      const left = bankersRound((w - step.width) / 2);
      for (let n = 0; n < count * c; n++) {
        for (let r = 0; r < step.height; r++) {
          const from = n * h * w + (top + r) * w + left;
          out.set(x.subarray(from, from + step.width), n * step.height * step.width + r * step.width);
        }
      }
      break;
    }
    case 'pool': {
      const [c, h, w] = imageDims(shape, where);
      const k = step.kernel;
      const s = step.stride ?? k;
      const mode = step.mode ?? 'avg';
      if (mode !== 'avg' && mode !== 'max') throw argError(where, `mode must be 'avg' or 'max', got ${JSON.stringify(mode)}`);
      const [, oh, ow] = imageDims(outShape, where);
      for (let n = 0; n < count * c; n++) {
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < ow; j++) {
            let acc = mode === 'max' ? -Infinity : 0;
            for (let a = 0; a < k; a++) {
              for (let b = 0; b < k; b++) {
                const v = x[n * h * w + (i * s + a) * w + (j * s + b)]!;
                acc = mode === 'max' ? (v > acc ? v : acc) : acc + v;
              }
            }
            out[n * oh * ow + i * ow + j] = mode === 'max' ? acc : acc / (k * k);
          }
        }
      }
      break;
    }
    case 'flatten':
      out.set(x);
      break;
    case 'padPow2': {
      const value = checkFiniteNumber(step.value ?? 0, 'value', where);
      for (let n = 0; n < count; n++) {
        out.set(x.subarray(n * f, (n + 1) * f), n * g);
        out.fill(value, n * g + f, (n + 1) * g);
      }
      break;
    }
    case 'l2Normalize': {
      for (let n = 0; n < count; n++) {
        let sq = 0;
        for (let j = 0; j < f; j++) sq += x[n * f + j]! * x[n * f + j]!;
        if (!(sq > 0)) {
          throw new QDistillError('E_ZERO_VECTOR', `${where}: sample ${n} is the zero vector and cannot be L2-normalised`);
        }
        const norm = Math.sqrt(sq);
        for (let j = 0; j < f; j++) out[n * f + j] = x[n * f + j]! / norm;
      }
      break;
    }
    case 'piTanh': {
      const scale = checkFiniteNumber(step.scale ?? Math.PI, 'scale', where);
      for (let i = 0; i < x.length; i++) out[i] = scale * pm.tanh(x[i]!);
      break;
    }
    case 'pca': {
      if (!step.mean || !step.basis) throw notFitted(where);
      const { mean, basis } = step;
      if (mean.length !== f || basis.length !== step.components || basis.some((r) => r.length !== f)) {
        throw shapeError(where, `fitted PCA state has mean ${mean.length} and basis ${basis.length}×${basis[0]?.length}; expected ${f} features and ${step.components} components`);
      }
      const centred = new Float64Array(f);
      for (let n = 0; n < count; n++) {
        for (let j = 0; j < f; j++) centred[j] = x[n * f + j]! - mean[j]!;
        for (let c = 0; c < g; c++) {
          const axis = basis[c]!;
          let acc = 0;
          for (let j = 0; j < f; j++) acc += centred[j]! * axis[j]!;
          out[n * g + c] = acc;
        }
      }
      break;
    }
    case 'minMax': {
      if (!step.min || !step.max) throw notFitted(where);
      const [a, b] = step.range ?? [0, 1];
      checkFiniteNumber(a, 'range[0]', where);
      checkFiniteNumber(b, 'range[1]', where);
      if (step.min.length !== f || step.max.length !== f) {
        throw shapeError(where, `fitted min/max have ${step.min.length}/${step.max.length} entries; samples have ${f} features`);
      }
      for (let j = 0; j < f; j++) {
        const lo = step.min[j]!;
        const hi = step.max[j]!;
        const span = hi - lo;
        for (let n = 0; n < count; n++) {
          // A constant training feature maps to range[0].
          let v = span > 0 ? a + ((x[n * f + j]! - lo) / span) * (b - a) : a;
          if (step.clip) v = Math.min(Math.max(v, Math.min(a, b)), Math.max(a, b));
          out[n * f + j] = v;
        }
      }
      break;
    }
    case 'binarize': {
      const t = checkFiniteNumber(step.threshold ?? 0.5, 'threshold', where);
      for (let i = 0; i < x.length; i++) out[i] = x[i]! > t ? 1 : 0;
      break;
    }
    default:
      return unreachable(step, `${where} type`);
  }
  return { x: out, count, shape: outShape };
}

function notFitted(where: Where): QDistillError {
  return new QDistillError('E_CONFIG', `${where}: this step has no fitted state; call pipeline.fit(trainDataset) first (or load a fitted pipeline JSON)`);
}

/**
 * Area resize = adaptive average pooling: output pixel (i, j) averages input
 * rows floor(i·H/oh) … ceil((i+1)·H/oh)−1 and the analogous columns.
 *
 * @example
 * ```ts
 * const out = new Float32Array(14 * 14);
 * resizeArea(image28x28, 28, 28, out, 14, 14); // 2×2 block means
 * ```
 */
export function resizeArea(src: ArrayLike<number>, h: number, w: number, dst: Float32Array, oh: number, ow: number): void {
  for (let i = 0; i < oh; i++) {
    const r0 = Math.floor((i * h) / oh);
    const r1 = Math.ceil(((i + 1) * h) / oh);
    for (let j = 0; j < ow; j++) {
      const c0 = Math.floor((j * w) / ow);
      const c1 = Math.ceil(((j + 1) * w) / ow);
      let acc = 0;
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) acc += src[r * w + c]!;
      dst[i * ow + j] = acc / ((r1 - r0) * (c1 - c0));
    }
  }
}

/**
 * Bilinear resize with half-pixel centres (PyTorch `align_corners=False`,
 * no antialiasing): source coordinate (i + 0.5)·H/oh − 0.5, clamped at 0,
 * neighbours clamped at the last row/column.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4 * 4);
 * resizeBilinear(Float32Array.of(0, 1, 2, 3), 2, 2, out, 4, 4); // first row 0, 0.25, 0.75, 1
 * ```
 */
export function resizeBilinear(src: ArrayLike<number>, h: number, w: number, dst: Float32Array, oh: number, ow: number): void {
  const coord = (i: number, inSize: number, outSize: number): [number, number, number] => {
    const s = Math.max(0, ((i + 0.5) * inSize) / outSize - 0.5);
    const i0 = Math.min(Math.floor(s), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    return [i0, i1, s - i0];
  };
  for (let i = 0; i < oh; i++) {
    const [r0, r1, ly] = coord(i, h, oh);
    for (let j = 0; j < ow; j++) {
      const [c0, c1, lx] = coord(j, w, ow);
      const top = (1 - lx) * src[r0 * w + c0]! + lx * src[r0 * w + c1]!;
      const bottom = (1 - lx) * src[r1 * w + c0]! + lx * src[r1 * w + c1]!;
      dst[i * ow + j] = (1 - ly) * top + ly * bottom;
    }
  }
}

function cloneStep(step: TransformConfig): TransformConfig {
  return JSON.parse(JSON.stringify(step)) as TransformConfig;
}

const STEP_TYPES = new Set(['normalize', 'resize', 'centerCrop', 'pool', 'flatten', 'padPow2', 'l2Normalize', 'piTanh', 'pca', 'minMax', 'binarize']);

/**
 * A sequence of transforms. `fit` fits the steps that need it (normalize
 * without mean/std, pca, minMax) in order, each on the output of the steps
 * before it; `transform` applies them. The JSON form carries the fitted state.
 *
 * @example
 * ```ts
 * const p = new Pipeline([{ type: 'normalize' }, { type: 'flatten' }, { type: 'padPow2' }]);
 * const x = p.fitTransform(train);     // Dataset with shape [1024]
 * Pipeline.fromJSON(p.toJSON()).transform(test);
 * ```
 */
export class Pipeline {
  private steps: TransformConfig[];

  /**
   * @throws QDistillError `E_CONFIG` for an unknown step type.
   */
  constructor(steps: readonly TransformConfig[]) {
    if (!Array.isArray(steps)) throw new QDistillError('E_CONFIG', 'Pipeline: expected an array of steps like { type: "resize", height: 16, width: 16 }');
    steps.forEach((s, i) => {
      if (!s || typeof s !== 'object' || !STEP_TYPES.has((s as { type?: string }).type ?? '')) {
        throw new QDistillError(
          'E_CONFIG',
          `Pipeline step ${i}: unknown transform ${JSON.stringify(s)}; expected type one of ${[...STEP_TYPES].join(', ')}`,
        );
      }
    });
    this.steps = steps.map(cloneStep);
  }

  /**
   * Rebuilds a pipeline (with fitted state) from {@link toJSON} output.
   *
   * @example
   * ```ts
   * const p = Pipeline.fromJSON(JSON.parse(text));
   * ```
   * @throws QDistillError `E_CONFIG` for a wrong format marker or version.
   */
  static fromJSON(json: PipelineJSON): Pipeline {
    if (!json || json.format !== 'qdistill.pipeline' || json.version !== 1 || !Array.isArray(json.steps)) {
      throw new QDistillError('E_CONFIG', `Pipeline.fromJSON: expected { format: "qdistill.pipeline", version: 1, steps: [...] }, got ${JSON.stringify(json)?.slice(0, 200)}`);
    }
    return new Pipeline(json.steps);
  }

  /**
   * The configuration with fitted state, as plain JSON.
   *
   * @example
   * ```ts
   * localStorage.setItem('pipeline', JSON.stringify(p.toJSON()));
   * ```
   */
  toJSON(): PipelineJSON {
    return { format: 'qdistill.pipeline', version: 1, steps: this.steps.map(cloneStep) };
  }

  /**
   * True when every step that needs fitting has its state.
   *
   * @example
   * ```ts
   * if (!p.fitted) p.fit(train);
   * ```
   */
  get fitted(): boolean {
    return this.steps.every(isFitted);
  }

  /**
   * Per-sample output shape for an input shape.
   *
   * @example
   * ```ts
   * new Pipeline([{ type: 'pool', kernel: 2 }, { type: 'flatten' }]).outputShape([1, 28, 28]); // [196]
   * ```
   * @throws QDistillError `E_SHAPE` / `E_INVALID_ARGUMENT` naming the step.
   */
  outputShape(inputShape: readonly number[]): number[] {
    let shape = [...inputShape];
    this.steps.forEach((step, i) => (shape = stepOutputShape(step, shape, this.where(i))));
    return shape;
  }

  /**
   * Fits the steps that need it on `train` (others pass through). Steps that
   * already carry state are not refitted.
   *
   * @example
   * ```ts
   * p.fit(train);
   * ```
   * @throws QDistillError `E_DATA` (too few samples), `E_SHAPE`, `E_INVALID_ARGUMENT`.
   */
  fit(train: Dataset): this {
    let batch: SampleBatch = { x: train.x, count: numSamples(train), shape: [...train.shape] };
    this.steps.forEach((step, i) => {
      const where = this.where(i);
      const outShape = stepOutputShape(step, batch.shape, where);
      const fitted = fitStep(step, batch, where);
      this.steps[i] = fitted;
      if (i < this.steps.length - 1) batch = applyStep(fitted, batch, outShape, where);
    });
    return this;
  }

  /**
   * Applies the (fitted) pipeline to a dataset; labels and class metadata are kept.
   *
   * @example
   * ```ts
   * const testX = p.transform(test);
   * ```
   * @throws QDistillError `E_CONFIG` if a step is not fitted, `E_SHAPE`, `E_ZERO_VECTOR`.
   */
  transform(dataset: Dataset): Dataset {
    const out = this.transformBatch(dataset.x, numSamples(dataset), dataset.shape);
    return withArrays(dataset, out.x, dataset.y.slice(), out.shape);
  }

  /**
   * Applies the pipeline to raw samples (e.g. at inference): `count` samples
   * of `shape` in `x`.
   *
   * @example
   * ```ts
   * const { x, shape } = p.transformBatch(pixels, 1, [1, 28, 28]);
   * ```
   * @throws QDistillError as {@link transform}; `E_SHAPE` if x does not hold count samples.
   */
  transformBatch(x: Float32Array, count: number, shape: readonly number[]): SampleBatch {
    if (!(x instanceof Float32Array)) throw new QDistillError('E_INVALID_ARGUMENT', 'Pipeline.transformBatch: x must be a Float32Array');
    if (x.length !== count * featureSize(shape)) {
      throw new QDistillError('E_SHAPE', `Pipeline.transformBatch: x has ${x.length} values; ${count} samples of shape [${shape.join(', ')}] need ${count * featureSize(shape)}`);
    }
    let batch: SampleBatch = { x, count, shape: [...shape] };
    this.steps.forEach((step, i) => {
      const where = this.where(i);
      batch = applyStep(step, batch, stepOutputShape(step, batch.shape, where), where);
    });
    if (batch.x === x) batch = { ...batch, x: x.slice() };
    return batch;
  }

  /**
   * `fit(train)` then `transform(train)`.
   *
   * @example
   * ```ts
   * const trainX = p.fitTransform(train);
   * ```
   */
  fitTransform(train: Dataset): Dataset {
    return this.fit(train).transform(train);
  }

  private where(i: number): string {
    return `Pipeline step ${i} (${this.steps[i]!.type})`;
  }
}
