/**
 * {@link ModelTeacher}: any qdistill model as a teacher — a classical nn
 * `Module`, or any forward function `(x, batch) => logits` (a QNN layer, a
 * hybrid model) — for QNN→QNN distillation and self-distillation.
 *
 * @module
 */
import { outputClasses, PROBABILITY_FLOOR, type OutputSpec } from '../nn/outputs.js';
import { QDistillError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { noGrad, Tensor, allocData, formatShape } from '../nn/tensor.js';
import { assertDataShape, buildInputAdapter, type InputAdapter } from './shape.js';
import { TeacherBase } from './teacher.js';
import * as pm from '../util/portable-math.js';

/**
 * A forward pass on flat samples: `batch` samples of `x` (batch × F values,
 * row-major) → batch × numClasses logits (any numeric array).
 *
 * @example
 * ```ts
 * const forward: ForwardFunction = (x, batch) => layer.forward(x, batch); // a QNNLayer
 * ```
 */
export type ForwardFunction = (x: Float32Array, batch: number) => ArrayLike<number> | Promise<ArrayLike<number>>;

/**
 * Options of the {@link ModelTeacher} constructor.
 *
 * @example
 * ```ts
 * const options: ModelTeacherOptions = { numClasses: 4, dataShape: [16], chunkSize: 128 };
 * ```
 */
export interface ModelTeacherOptions {
  /** Logits per sample. */
  numClasses: number;
  /** Per-sample shape of the input the forward takes (e.g. `[16]`, `[1, 28, 28]`). */
  dataShape: readonly number[];
  /** Name in messages (default `model`). */
  name?: string;
  /** Samples per forward call (default 256). */
  chunkSize?: number;
}

/**
 * Options of {@link ModelTeacher.fromModule}.
 *
 * @example
 * ```ts
 * const options: ModuleTeacherOptions = { dataShape: [1, 28, 28] }; // numClasses measured
 * ```
 */
export interface ModuleTeacherOptions {
  /** Per-sample shape the module takes (e.g. `[1, 28, 28]`). */
  dataShape: readonly number[];
  /** Logits per sample (default: measured by one forward pass of a zero sample). */
  numClasses?: number;
  /** Name in messages (default the module's label). */
  name?: string;
  /** Samples per forward call (default 256). */
  chunkSize?: number;
}

function positiveInt(value: unknown, what: string, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: ${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/**
 * A teacher that is a qdistill model: its forward pass gives the logits.
 * The model's data (in its `dataShape`) is passed in chunks; data of another
 * shape with the same values per sample is reshaped (flat `[784]` for a
 * `[1, 28, 28]` model).
 *
 * @example
 * ```ts
 * // a classical nn module (evaluated in eval mode, without autodiff)
 * const teacher = ModelTeacher.fromModule(lenet, { dataShape: [1, 28, 28] });
 * // a QNN layer: 4 expectation values as logits of 4 classes
 * const qnnTeacher = new ModelTeacher((x, b) => layer.forward(Float64Array.from(x), b), { numClasses: 4, dataShape: [16] });
 * ```
 */
export class ModelTeacher extends TeacherBase {
  readonly name: string;
  readonly numClasses: number;
  readonly dataShape: readonly number[];
  readonly chunkSize: number;
  private readonly forward: ForwardFunction;
  private readonly adapters = new Map<string, InputAdapter>();

  /**
   * @throws E_INVALID_ARGUMENT if `forward` is not a function or numClasses / chunkSize are not positive integers
   * @throws E_SHAPE for a malformed dataShape
   */
  constructor(forward: ForwardFunction, options: ModelTeacherOptions) {
    super();
    this.name = options?.name ?? 'model';
    if (typeof forward !== 'function') throw new QDistillError('E_INVALID_ARGUMENT', `${this.where}: expected a forward function (x, batch) => logits`);
    this.forward = forward;
    this.numClasses = positiveInt(options.numClasses, 'numClasses', this.where);
    this.dataShape = [...assertDataShape(options.dataShape, this.where)];
    this.chunkSize = positiveInt(options.chunkSize ?? 256, 'chunkSize', this.where);
  }

  /**
   * A teacher from an nn `Module` (a zoo model, a `Sequential`, a hybrid
   * model with a QNN layer): it runs in eval mode (dropout off) without
   * recording gradients, then the module's mode is restored. Its logits
   * follow the module's `outputSpec`: logits as they are (the first C when
   * only C of them are classes), expectation values times their scale, Born
   * probabilities as log p of the C class outcomes (softmax of them gives the
   * class probabilities renormalised over the classes).
   *
   * @throws E_INVALID_ARGUMENT if `module` has no forward; E_TEACHER if its output is not [batch, classes]; errors of the module's own forward (e.g. E_NOT_INITIALIZED before `nn.init()`)
   * @example
   * ```ts
   * await nn.init();
   * const model = nn.createModel({ arch: 'lenet5', numClasses: 10 });
   * const teacher = ModelTeacher.fromModule(model, { dataShape: [1, 28, 28] });
   * ```
   */
  static fromModule(module: Module, options: ModuleTeacherOptions): ModelTeacher {
    const name = options?.name ?? (module as { label?: string })?.label ?? 'module';
    if (!module || typeof (module as { forward?: unknown }).forward !== 'function') {
      throw new QDistillError('E_INVALID_ARGUMENT', `teacher ${name}: expected an nn Module with a forward method`);
    }
    const dataShape = [...assertDataShape(options.dataShape, `teacher ${name}`)];
    const dtype = module.parameters()[0]?.dtype ?? 'float32';
    const forward = (x: Float32Array, batch: number): Float32Array => {
      const wasTraining = module.training;
      module.eval();
      try {
        const data = allocData(dtype, x.length);
        data.set(x);
        const y = noGrad(() => module.forward(new Tensor(data, [batch, ...dataShape])));
        if (y.rank !== 2 || y.shape[0] !== batch) {
          throw new QDistillError('E_TEACHER', `teacher ${name}: the module's output is ${formatShape(y.shape)} for a batch of ${batch}; logits must be [batch, classes]`);
        }
        return classLogits(y.data, batch, y.shape[1]!, module.outputSpec);
      } finally {
        module.train(wasTraining);
      }
    };
    let numClasses = options.numClasses;
    if (numClasses === undefined) {
      const probe = forward(new Float32Array(dataShape.reduce((a, b) => a * b, 1)), 1);
      numClasses = probe.length;
    }
    return new ModelTeacher(forward, {
      numClasses,
      dataShape,
      name,
      ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
    });
  }

  private adapterFor(shape: readonly number[]): InputAdapter {
    const key = shape.join(',');
    let adapter = this.adapters.get(key);
    if (!adapter) {
      adapter = buildInputAdapter(this.where, { name: 'x', type: 'float32', dims: ['batch', ...this.dataShape] }, shape);
      this.adapters.set(key, adapter);
    }
    return adapter;
  }

  protected checkShape(shape: readonly number[]): void {
    this.adapterFor(shape);
  }

  protected async run(x: Float32Array, batch: number, shape: readonly number[]): Promise<Float32Array> {
    this.adapterFor(shape); // same values per sample: the data is the model's input, reshaped
    const F = x.length / batch;
    const C = this.numClasses;
    const out = new Float32Array(batch * C);
    for (let start = 0; start < batch; start += this.chunkSize) {
      const count = Math.min(this.chunkSize, batch - start);
      const y = await this.forward(x.subarray(start * F, (start + count) * F), count);
      if (!y || typeof (y as ArrayLike<number>).length !== 'number' || y.length !== count * C) {
        throw new QDistillError(
          'E_TEACHER',
          `${this.where}: the forward returned ${y && typeof y.length === 'number' ? `${y.length} values` : String(y)} for ${count} samples; expected ${count} × ${C} logits`,
        );
      }
      if (ArrayBuffer.isView(y)) out.set(y as unknown as ArrayLike<number>, start * C);
      else for (let i = 0; i < y.length; i++) out[start * C + i] = y[i]!;
    }
    return out;
  }
}

/** A module's output rows as class logits, by its output kind. */
function classLogits(data: ArrayLike<number>, batch: number, width: number, spec: OutputSpec): Float32Array {
  const c = outputClasses(spec, width);
  const out = new Float32Array(batch * c);
  for (let r = 0; r < batch; r++) {
    for (let j = 0; j < c; j++) {
      const v = data[r * width + j]!;
      out[r * c + j] = spec.kind === 'logits' ? v : spec.kind === 'expectations' ? spec.scale * v : pm.log(Math.max(v, PROBABILITY_FLOOR));
    }
  }
  return out;
}
