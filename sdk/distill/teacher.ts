import { QDistillError } from '../errors.js';

/**
 * Samples a teacher reads: flat float32 values and the per-sample shape (a
 * `data.Dataset` fits; a transfer set needs no labels).
 */
export interface TeacherInput {
  readonly x: Float32Array;
  readonly shape: readonly number[];
  readonly numClasses?: number;
}

/**
 * What the trainer needs of a teacher: its number of classes and its logits
 * for a dataset. `OnnxTeacher`, `EnsembleTeacher` and `ModelTeacher`
 * (sdk/teachers) implement it; so can any object. `predict` (logits of an
 * arbitrary batch) is needed when the teacher must see augmented views.
 *
 * @example
 * ```ts
 * const constant: TeacherLike = { numClasses: 2, logitsFor: (d) => new Float32Array(2 * (d.x.length / 4)) };
 * ```
 */
export interface TeacherLike {
  readonly numClasses: number;
  /** Logits (N × C, row-major) for every sample of `dataset`, in order (may be cached per dataset). */
  logitsFor(dataset: TeacherInput): Promise<Float32Array> | Float32Array;
  /** Logits of `batch` samples of `sampleShape` held in `x` (not cached). */
  predict?(x: Float32Array, batch: number, sampleShape?: readonly number[]): Promise<Float32Array> | Float32Array;
}

function checkLogits(logits: Float32Array, samples: number, numClasses: number, where: string): Float32Array {
  const expected = samples * numClasses;
  if (!(logits instanceof Float32Array) || logits.length !== expected) {
    throw new QDistillError('E_TEACHER', `${where}: the teacher returned ${logits?.length} logits, expected ${samples} × ${numClasses} = ${expected}`);
  }
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i]!)) throw new QDistillError('E_NAN', `${where}: teacher logit ${i % numClasses} of sample ${Math.floor(i / numClasses)} is ${logits[i]}`);
  }
  return logits;
}

/**
 * A teacher's logits for a whole dataset, validated (class count, length, finiteness).
 *
 * @throws E_TEACHER naming the mismatch; E_NAN for a non-finite logit
 * @example
 * ```ts
 * const logits = await teacherLogits(teacher, train, 'distillKnowledge');
 * ```
 */
export async function teacherLogits(teacher: TeacherLike, dataset: TeacherInput, where: string): Promise<Float32Array> {
  if (dataset.numClasses !== undefined && teacher.numClasses !== dataset.numClasses) {
    throw new QDistillError(
      'E_TEACHER',
      `${where}: the teacher has ${teacher.numClasses} classes but the data has ${dataset.numClasses}`,
    );
  }
  const per = dataset.shape.reduce((a, b) => a * b, 1);
  return checkLogits(await teacher.logitsFor(dataset), dataset.x.length / per, teacher.numClasses, where);
}

/**
 * A teacher's logits for one batch (augmented views), validated.
 *
 * @throws E_TEACHER if the teacher cannot predict arbitrary batches or returns the wrong count; E_NAN for non-finite logits
 */
export async function teacherBatchLogits(teacher: TeacherLike, x: Float32Array, batch: number, shape: readonly number[], where: string): Promise<Float32Array> {
  if (typeof teacher.predict !== 'function') {
    throw new QDistillError('E_TEACHER', `${where}: augmentation needs a teacher with predict(x, batch, shape) (the SDK's OnnxTeacher, EnsembleTeacher and ModelTeacher have it)`);
  }
  return checkLogits(await teacher.predict(x, batch, shape), batch, teacher.numClasses, where);
}
