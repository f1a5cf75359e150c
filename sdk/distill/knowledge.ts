/**
 * Knowledge distillation: train a student (any nn module, classical, hybrid
 * or pure QNN) on a dataset with a teacher's softened outputs as extra
 * targets — or without a teacher, as the baseline.
 */
import { QDistillError } from '../errors.js';
import { Random } from '../util/random.js';
import type { Dataset } from '../data/dataset.js';
import { accuracy, crossEntropy, kdLossTerms, type KDLossOptions } from '../nn/losses.js';
import type { Module } from '../nn/module.js';
import { Adam, type AdamOptions } from '../nn/optim/adam.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { SGD, type SGDOptions } from '../nn/optim/sgd.js';
import { noGrad, Tensor } from '../nn/tensor.js';
import { teacherLogits, type TeacherLike } from './teacher.js';

/** Optimiser choice by config. */
export type OptimizerConfig = ({ type: 'adam' } & AdamOptions) | ({ type: 'sgd' } & SGDOptions);

/** Progress of a training run, reported after every step. */
export interface TrainProgress {
  phase: 'train' | 'evaluate';
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Running mean loss of this epoch. */
  loss: number;
  /** Running training accuracy of this epoch. */
  accuracy: number;
  samplesPerSecond: number;
  /** Estimated seconds left for the whole run. */
  etaSeconds: number;
}

/** One epoch of history. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
}

/** Options of {@link distillKnowledge}. */
export interface DistillKnowledgeOptions {
  /** The model to train. It is trained in place. */
  student: Module;
  /** The teacher; `null` trains the same student without one (the baseline). */
  teacher: TeacherLike | null;
  /** Student inputs: train and test datasets (labels 0..C−1). */
  data: { train: Dataset; test: Dataset };
  /** What the teacher sees, sample for sample (default: the student's data). */
  teacherData?: { train: Dataset };
  /** KD loss switches (default: T = 3, kdWeight 0.9 with T², ceWeight 1 — paper 003). */
  loss?: KDLossOptions;
  /** Default Adam, lr 1e-3. */
  optimizer?: OptimizerConfig | Optimizer;
  epochs: number;
  batchSize: number;
  /** Seed of the batch order. Default 0. */
  seed?: number;
  /** Called after every step and evaluation. */
  onProgress?: (progress: TrainProgress) => void;
  /** Called after every epoch with its record. */
  onEpoch?: (record: EpochRecord, student: Module) => void | Promise<void>;
  /** Cancels between steps: the run rejects with `E_ABORTED`. */
  signal?: AbortSignal;
  /** Evaluation batch size (default 256). */
  evalBatchSize?: number;
}

/** Result of {@link distillKnowledge}. */
export interface DistillKnowledgeResult {
  history: EpochRecord[];
  /** Epoch with the best test accuracy (first of equals). */
  best: EpochRecord;
  last: EpochRecord;
  seconds: number;
  usedTeacher: boolean;
}

/** Paper 003's KD settings: T = 3, 0.9·T²·KL + 1·CE. */
export const PAPER_003_KD: KDLossOptions = { temperature: 3, kdWeight: 0.9, ceWeight: 1, tSquared: true, direction: 'teacher||student' };

function rows(dataset: Dataset, indices: ArrayLike<number>, start: number, end: number): { x: Tensor; y: Int32Array } {
  const per = dataset.x.length / dataset.y.length;
  const count = end - start;
  const x = new Float32Array(count * per);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const j = indices[start + i]!;
    x.set(dataset.x.subarray(j * per, (j + 1) * per), i * per);
    y[i] = dataset.y[j]!;
  }
  return { x: new Tensor(x, [count, ...dataset.shape]), y };
}

function gatherLogits(logits: Float32Array, numClasses: number, indices: ArrayLike<number>, start: number, end: number): Tensor {
  const out = new Float32Array((end - start) * numClasses);
  for (let i = start; i < end; i++) out.set(logits.subarray(indices[i]! * numClasses, (indices[i]! + 1) * numClasses), (i - start) * numClasses);
  return new Tensor(out, [end - start, numClasses]);
}

function makeOptimizer(student: Module, config: OptimizerConfig | Optimizer | undefined): Optimizer {
  if (!config) return new Adam(student, { lr: 1e-3 });
  if (!('type' in config) || typeof (config as OptimizerConfig).type !== 'string') return config as Optimizer;
  const { type, ...rest } = config as OptimizerConfig;
  if (type === 'adam') return new Adam(student, rest as AdamOptions);
  if (type === 'sgd') return new SGD(student, rest as SGDOptions);
  throw new QDistillError('E_CONFIG', `optimizer.type: expected 'adam' or 'sgd', got ${JSON.stringify(type)}`);
}

/**
 * Loss and accuracy of a model on a dataset (eval mode, no gradients).
 *
 * @example
 * ```ts
 * const { loss, accuracy } = evaluate(student, test);
 * ```
 */
export function evaluate(model: Module, dataset: Dataset, batchSize = 256): { loss: number; accuracy: number } {
  const wasTraining = model.training;
  model.eval();
  const n = dataset.y.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let lossSum = 0;
  let correct = 0;
  try {
    noGrad(() => {
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const { x, y } = rows(dataset, order, start, end);
        const logits = model.forward(x);
        lossSum += crossEntropy(logits, y).data[0]! * (end - start);
        correct += accuracy(logits, y) * (end - start);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / n, accuracy: correct / n };
}

/**
 * Trains `student` with knowledge distillation from `teacher` (or, with
 * `teacher: null`, with cross-entropy alone). The teacher's logits for the
 * training set are computed once, before the first epoch. Reports per-epoch
 * train/test loss and accuracy, the best and the last epoch.
 *
 * @throws E_TEACHER (class count or logits shape mismatch), E_ABORTED (signal), E_CONFIG
 * @example
 * ```ts
 * const result = await distillKnowledge({
 *   student, teacher, data: { train, test },
 *   loss: { temperature: 3, kdWeight: 0.9, ceWeight: 1 },
 *   optimizer: { type: 'adam', lr: 1e-3 }, epochs: 10, batchSize: 32,
 *   onProgress: (p) => console.log(p.epoch, p.step, p.loss),
 * });
 * console.log(result.best.testAccuracy);
 * ```
 */
export async function distillKnowledge(options: DistillKnowledgeOptions): Promise<DistillKnowledgeResult> {
  const { student, teacher, data, epochs, batchSize } = options;
  const where = 'distillKnowledge';
  if (!Number.isInteger(epochs) || epochs < 1) throw new QDistillError('E_CONFIG', `${where}: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new QDistillError('E_CONFIG', `${where}: batchSize must be a positive integer, got ${batchSize}`);
  const train = data.train;
  const n = train.y.length;
  if (n === 0) throw new QDistillError('E_DATA', `${where}: the training set is empty`);
  if (data.test.numClasses !== train.numClasses) {
    throw new QDistillError('E_DATA', `${where}: train has ${train.numClasses} classes, test ${data.test.numClasses}`);
  }
  const teacherTrain = options.teacherData?.train ?? train;
  if (teacherTrain.y.length !== n) {
    throw new QDistillError('E_DATA', `${where}: teacherData.train has ${teacherTrain.y.length} samples, the student's train set ${n}`);
  }
  const lossOptions = options.loss ?? PAPER_003_KD;
  const logits = teacher ? await teacherLogits(teacher, teacherTrain, where) : null;
  const optimizer = makeOptimizer(student, options.optimizer);
  const rng = new Random(options.seed ?? 0);
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const history: EpochRecord[] = [];
  const started = performance.now();
  let samplesDone = 0;
  const totalSamples = n * epochs;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    student.train();
    const order = rng.permutation(n);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      if (options.signal?.aborted) {
        throw new QDistillError('E_ABORTED', `${where}: cancelled at epoch ${epoch}, step ${step + 1}/${stepsPerEpoch}`, {
          cause: options.signal.reason,
          details: { history },
        });
      }
      const start = step * batchSize;
      const end = Math.min(n, start + batchSize);
      const { x, y } = rows(train, order, start, end);
      const out = student.forward(x);
      const loss = logits
        ? kdLossTerms(out, { logits: gatherLogits(logits, train.numClasses, order, start, end) }, y, lossOptions).loss
        : crossEntropy(out, y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      const count = end - start;
      lossSum += loss.data[0]! * count;
      correct += accuracy(out, y) * count;
      seen += count;
      samplesDone += count;
      const elapsed = (performance.now() - started) / 1000;
      const rate = samplesDone / Math.max(elapsed, 1e-9);
      options.onProgress?.({
        phase: 'train', epoch, epochs, step: step + 1, stepsPerEpoch,
        loss: lossSum / seen, accuracy: correct / seen,
        samplesPerSecond: rate, etaSeconds: (totalSamples - samplesDone) / rate,
      });
      // Yield to the event loop between steps so the UI (and AbortSignal) stay live.
      if (step % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const test = evaluate(student, data.test, options.evalBatchSize);
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / seen,
      trainAccuracy: correct / seen,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      seconds: (performance.now() - epochStart) / 1000,
    };
    history.push(record);
    await options.onEpoch?.(record, student);
  }
  const best = history.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
  return { history, best, last: history[history.length - 1]!, seconds: (performance.now() - started) / 1000, usedTeacher: teacher !== null };
}
