import { QDistillError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';

/**
 * What the trainer needs of a teacher: its number of classes and its logits
 * for a dataset. `OnnxTeacher`, `EnsembleTeacher` and `ModelTeacher`
 * (sdk/teachers) implement it; so can any object.
 */
export interface TeacherLike {
  readonly numClasses: number;
  /** Logits (N × C, row-major) for every sample of `dataset`, in order. */
  logitsFor(dataset: Dataset): Promise<Float32Array> | Float32Array;
}

/** Validates a teacher's logits for a dataset; throws `E_TEACHER` naming the mismatch. */
export async function teacherLogits(teacher: TeacherLike, dataset: Dataset, where: string): Promise<Float32Array> {
  if (teacher.numClasses !== dataset.numClasses) {
    throw new QDistillError(
      'E_TEACHER',
      `${where}: the teacher has ${teacher.numClasses} classes but the data has ${dataset.numClasses}`,
    );
  }
  const logits = await teacher.logitsFor(dataset);
  const expected = dataset.y.length * teacher.numClasses;
  if (logits.length !== expected) {
    throw new QDistillError('E_TEACHER', `${where}: the teacher returned ${logits.length} logits, expected ${dataset.y.length} × ${teacher.numClasses} = ${expected}`);
  }
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i]!)) throw new QDistillError('E_NAN', `${where}: teacher logit ${i} is ${logits[i]}`);
  }
  return logits;
}

/** A trained nn model as a teacher (logits of its eval-mode forward, cached per dataset). */
