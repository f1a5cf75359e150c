/**
 * The teacher contract shared by ONNX teachers, ensembles and qdistill
 * models, and the base class that validates inputs and outputs and caches
 * a dataset's logits.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import { assertDataShape, formatDataShape } from './shape.js';
import * as pm from '../util/portable-math.js';

/**
 * What a teacher needs from a dataset: flat float32 samples and their
 * per-sample shape (a `data.Dataset` fits). `numClasses`, when present, is
 * checked against the teacher's.
 *
 * @example
 * ```ts
 * const data: TeacherData = { x: images, shape: [1, 28, 28], numClasses: 6 };
 * await teacher.logitsFor(data);
 * ```
 */
export interface TeacherData {
  /** N × F values, row-major. */
  readonly x: Float32Array;
  /** Per-sample shape (F = product). */
  readonly shape: readonly number[];
  /** Classes of the data's labels; must equal the teacher's when given. */
  readonly numClasses?: number;
}

/**
 * Options of {@link Teacher.logitsFor}.
 *
 * @example
 * ```ts
 * await teacher.logitsFor(train, { id: 'mnist-0-5-train' });
 * ```
 */
export interface LogitsForOptions {
  /**
   * Cache key. Without it the dataset object itself is the key (a WeakMap:
   * the entry goes when the dataset does); with it, any object with the same
   * `id` and sample count gets the cached logits.
   */
  id?: string;
}

/**
 * A classifier that produces logits for batches of samples: an ONNX model
 * ({@link OnnxTeacher}), an ensemble ({@link EnsembleTeacher}) or a qdistill
 * model ({@link ModelTeacher}).
 *
 * @example
 * ```ts
 * const teacher: Teacher = await OnnxTeacher.load('teachers/lenet-mnist-c6.onnx');
 * const logits = await teacher.logitsFor(test); // N × 6, computed once, then cached
 * ```
 */
export interface Teacher {
  /** Names the teacher in error messages (`lenet-mnist-c6.onnx`). */
  readonly name: string;
  /** Number of logits per sample. */
  readonly numClasses: number;
  /** Default per-sample shape of `predict`'s input, if the teacher has one. */
  readonly dataShape: readonly number[] | undefined;
  /**
   * Logits for `batch` samples: a `Float32Array` of batch × numClasses.
   *
   * @param x batch × F values (F = product of `sampleShape`)
   * @param sampleShape per-sample shape of `x` (default {@link Teacher.dataShape})
   */
  predict(x: Float32Array, batch: number, sampleShape?: readonly number[]): Promise<Float32Array>;
  /** Logits of every sample of a dataset, computed once per dataset (or `id`) and cached. Do not modify the returned array. */
  logitsFor(data: TeacherData, options?: LogitsForOptions): Promise<Float32Array>;
  /** Throws `E_TEACHER` if data of this shape (and class count) cannot be fed to the teacher. */
  checkCompatible(data: { shape: readonly number[]; numClasses?: number }): void;
  /** Forgets cached `logitsFor` results: all, or those of one dataset or id. */
  clearCache(key?: TeacherData | string): void;
  /** Releases native resources (ONNX sessions). The teacher cannot be used afterwards. */
  dispose(): Promise<void>;
}

interface CacheEntry {
  samples: number;
  logits: Promise<Float32Array>;
}

/**
 * Base of the SDK's teachers: argument validation, the finiteness checks on
 * inputs (`E_NON_FINITE`) and logits (`E_NAN`), and the `logitsFor` cache.
 * Subclasses implement {@link TeacherBase.run} and {@link TeacherBase.checkShape}.
 *
 * @example
 * ```ts
 * class ConstantTeacher extends TeacherBase {
 *   readonly name = 'constant'; readonly numClasses = 2; readonly dataShape = [4];
 *   protected checkShape(): void {}
 *   protected async run(_x: Float32Array, batch: number) { return new Float32Array(batch * 2); }
 * }
 * ```
 */
export abstract class TeacherBase implements Teacher {
  abstract readonly name: string;
  abstract readonly numClasses: number;
  abstract readonly dataShape: readonly number[] | undefined;
  private byObject = new WeakMap<object, CacheEntry>();
  private readonly byId = new Map<string, CacheEntry>();
  private disposed = false;

  /** Computes logits for validated, finite input of a validated shape. */
  protected abstract run(x: Float32Array, batch: number, sampleShape: readonly number[]): Promise<Float32Array>;

  /** Throws `E_TEACHER` if samples of `shape` cannot feed this teacher. */
  protected abstract checkShape(shape: readonly number[]): void;

  /**
   * Computes the logits `logitsFor` caches (default: `predict` on all
   * samples). An ensemble overrides it to reuse its members' caches.
   */
  protected compute(data: TeacherData, samples: number, _options: LogitsForOptions): Promise<Float32Array> {
    return this.predict(data.x, samples, data.shape);
  }

  /** Releases subclass resources (called once by {@link dispose}). */
  protected async release(): Promise<void> {}

  /** `teacher <name>`, the prefix of every message. */
  protected get where(): string {
    return `teacher ${this.name}`;
  }

  /** Throws `E_INVALID_ARGUMENT` after {@link dispose}. */
  protected assertUsable(): void {
    if (this.disposed) throw new QDistillError('E_INVALID_ARGUMENT', `${this.where}: used after dispose()`);
  }

  /**
   * Throws `E_TEACHER` if data of this shape and class count cannot be used
   * with this teacher.
   *
   * @example
   * ```ts
   * teacher.checkCompatible({ shape: [1, 28, 28], numClasses: 6 });
   * ```
   */
  checkCompatible(data: { shape: readonly number[]; numClasses?: number }): void {
    this.assertUsable();
    if (data.numClasses !== undefined && !(Number.isInteger(data.numClasses) && data.numClasses >= 1)) {
      let got: string;
      try {
        got = JSON.stringify(data.numClasses) ?? typeof data.numClasses;
      } catch {
        got = typeof data.numClasses;
      }
      throw new QDistillError('E_INVALID_ARGUMENT', `${this.where}: numClasses must be a positive integer, got ${got}`);
    }
    if (data.numClasses !== undefined && data.numClasses !== this.numClasses) {
      throw new QDistillError('E_TEACHER', `${this.where}: has ${this.numClasses} output classes but the data has ${data.numClasses}`, {
        details: { teacherClasses: this.numClasses, dataClasses: data.numClasses },
      });
    }
    this.checkShape(assertDataShape(data.shape, this.where));
  }

  /**
   * Logits (batch × numClasses, float32) for `batch` samples of `sampleShape`.
   *
   * @throws E_SHAPE if `x` does not hold batch × F values; E_TEACHER if the shape does not fit the model; E_NON_FINITE for NaN/±Infinity inputs; E_NAN if the model produced a non-finite logit
   * @example
   * ```ts
   * const logits = await teacher.predict(images, 8); // images: 8 × 784 values
   * ```
   */
  async predict(x: Float32Array, batch: number, sampleShape: readonly number[] | undefined = this.dataShape): Promise<Float32Array> {
    this.assertUsable();
    if (!(x instanceof Float32Array)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${this.where}: predict expects a Float32Array of samples, got ${x === null ? 'null' : typeof x === 'object' ? (x as object).constructor?.name : typeof x}`);
    }
    if (!Number.isInteger(batch) || batch < 0) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${this.where}: batch must be a non-negative integer, got ${batch}`);
    }
    if (sampleShape === undefined) {
      throw new QDistillError('E_SHAPE', `${this.where}: the model's input has symbolic axes; pass the per-sample shape: predict(x, batch, [C, H, W])`);
    }
    const shape = assertDataShape(sampleShape, this.where);
    const features = shape.reduce((a, b) => a * b, 1);
    if (x.length !== batch * features) {
      throw new QDistillError(
        'E_SHAPE',
        `${this.where}: predict got ${x.length} values for ${batch} samples of shape ${formatDataShape(shape)}; expected ${batch * features}`,
      );
    }
    this.checkShape(shape);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (!Number.isFinite(v)) {
        throw new QDistillError('E_NON_FINITE', `${this.where}: value ${i % features} of sample ${Math.floor(i / features)} is ${v}; expected finite numbers`);
      }
    }
    if (batch === 0) return new Float32Array(0);
    const logits = await this.run(x, batch, shape);
    if (logits.length !== batch * this.numClasses) {
      throw new QDistillError('E_TEACHER', `${this.where}: produced ${logits.length} logits for ${batch} samples; expected ${batch} × ${this.numClasses}`);
    }
    for (let i = 0; i < logits.length; i++) {
      if (!Number.isFinite(logits[i]!)) {
        throw new QDistillError(
          'E_NAN',
          `${this.where}: logit ${i % this.numClasses} of sample ${Math.floor(i / this.numClasses)} is ${logits[i]}; the model produced a non-finite output`,
        );
      }
    }
    return logits;
  }

  /**
   * Logits of every sample of `data`, computed once and cached (keyed by the
   * data object, or by `options.id`). Concurrent calls share one computation.
   *
   * @throws E_TEACHER if the class counts differ or the shape does not fit; E_INVALID_ARGUMENT if an `id` was cached for a different sample count
   * @example
   * ```ts
   * const train = await teacher.logitsFor(splits.train);       // runs the model
   * const again = await teacher.logitsFor(splits.train);       // cached: same array
   * ```
   */
  logitsFor(data: TeacherData, options: LogitsForOptions = {}): Promise<Float32Array> {
    this.assertUsable();
    if (typeof data !== 'object' || data === null || !(data.x instanceof Float32Array)) {
      return Promise.reject(new QDistillError('E_INVALID_ARGUMENT', `${this.where}: logitsFor expects a dataset { x: Float32Array, shape, numClasses? }`));
    }
    try {
      this.checkCompatible(data);
    } catch (error) {
      return Promise.reject(error);
    }
    const shape = data.shape;
    const features = shape.reduce((a, b) => a * b, 1);
    if (data.x.length % features !== 0) {
      return Promise.reject(
        new QDistillError('E_SHAPE', `${this.where}: the dataset's x has ${data.x.length} values, not a multiple of its sample shape ${formatDataShape(shape)}`),
      );
    }
    const samples = data.x.length / features;
    const { id } = options;
    const found = id === undefined ? this.byObject.get(data) : this.byId.get(id);
    if (found) {
      if (found.samples !== samples) {
        return Promise.reject(
          new QDistillError(
            'E_INVALID_ARGUMENT',
            `${this.where}: cached logits for id ${JSON.stringify(id)} cover ${found.samples} samples but this dataset has ${samples}; use another id or clearCache()`,
          ),
        );
      }
      return found.logits;
    }
    const logits = this.compute(data, samples, options);
    const entry: CacheEntry = { samples, logits };
    if (id === undefined) this.byObject.set(data, entry);
    else this.byId.set(id, entry);
    logits.catch(() => {
      // A failed computation is not cached.
      if (id === undefined) {
        if (this.byObject.get(data) === entry) this.byObject.delete(data);
      } else if (this.byId.get(id) === entry) this.byId.delete(id);
    });
    return logits;
  }

  /**
   * Forgets cached `logitsFor` results (all of them, or one dataset / id).
   *
   * @example
   * ```ts
   * teacher.clearCache();
   * ```
   */
  clearCache(key?: TeacherData | string): void {
    if (key === undefined) {
      this.byId.clear();
      this.byObject = new WeakMap(); // WeakMap entries cannot be enumerated: replace the map
    } else if (typeof key === 'string') this.byId.delete(key);
    else this.byObject.delete(key);
  }

  /**
   * Releases native resources; later calls throw `E_INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * await teacher.dispose();
   * ```
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.clearCache();
    await this.release();
  }
}

/**
 * Row-wise softmax of logits at temperature T, in float64:
 * pᵢ = exp(zᵢ/T) / Σⱼ exp(zⱼ/T).
 *
 * @throws E_INVALID_ARGUMENT for a non-positive temperature or a length that is not a multiple of numClasses
 * @example
 * ```ts
 * teacherProbabilities(new Float32Array([2, 0]), 2, 1); // Float64Array [0.8808, 0.1192]
 * ```
 */
export function teacherProbabilities(logits: ArrayLike<number>, numClasses: number, temperature = 1): Float64Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `teacherProbabilities: temperature must be a positive finite number, got ${temperature}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1 || logits.length % numClasses !== 0) {
    throw new QDistillError('E_INVALID_ARGUMENT', `teacherProbabilities: ${logits.length} logits are not rows of numClasses = ${numClasses}`);
  }
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / numClasses; r++) {
    const o = r * numClasses;
    let max = -Infinity;
    for (let j = 0; j < numClasses; j++) max = Math.max(max, logits[o + j]! / temperature);
    let sum = 0;
    for (let j = 0; j < numClasses; j++) {
      const e = pm.exp(logits[o + j]! / temperature - max);
      out[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < numClasses; j++) out[o + j]! /= sum;
  }
  return out;
}
