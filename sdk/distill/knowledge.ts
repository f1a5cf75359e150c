/**
 * Knowledge distillation: train a student (any nn module, classical, hybrid
 * or pure QNN) from labelled data and a teacher's softened outputs — on the
 * labelled set and on a **transfer set** whose labels are never read —
 * or, as controls, without a teacher or from the teacher's pseudo-labels.
 *
 * Selection is honest: with a validation split the "selected" epoch is the
 * best validation epoch, and the test split is evaluated once at the end, for
 * the selected and for the last epoch.
 */
import { QDistillError } from '../errors.js';
import { Random } from '../util/random.js';
import { hashFloat64 } from '../util/hash.js';
import { augmentBatch, checkAugmentConfig, type AugmentConfig } from '../data/augment.js';
import type { Dataset } from '../data/dataset.js';
import { kdLossTerms, supervisedLoss, type KDLossOptions } from '../nn/losses.js';
import type { Module } from '../nn/module.js';
import { Adam, type AdamOptions } from '../nn/optim/adam.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { SGD, type SGDOptions } from '../nn/optim/sgd.js';
import { outputAccuracy, outputClasses, predictClasses } from '../nn/outputs.js';
import { noGrad, Tensor } from '../nn/tensor.js';
import { teacherBatchLogits, teacherLogits, type TeacherInput, type TeacherLike } from './teacher.js';

/** Optimiser choice by config. */
export type OptimizerConfig = ({ type: 'adam' } & AdamOptions) | ({ type: 'sgd' } & SGDOptions);

/**
 * What the student is trained on:
 * - `kd`: cross-entropy on the labelled samples plus the KD term on every sample (labelled and transfer);
 * - `pseudo-labels`: cross-entropy on the labels and, for transfer samples, on the teacher's argmax;
 * - `supervised`: cross-entropy on the labelled samples only (no teacher: the baseline).
 */
export type DistillMode = 'kd' | 'pseudo-labels' | 'supervised';

/** Progress of a training run, reported after every step. */
export interface TrainProgress {
  phase: 'train' | 'evaluate';
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Running mean loss of this epoch. */
  loss: number;
  /** Running accuracy of this epoch on the labelled training samples. */
  accuracy: number;
  samplesPerSecond: number;
  /** Estimated seconds left for the whole run. */
  etaSeconds: number;
}

/** One epoch of history (no test numbers: the test split is read once, at the end). */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Accuracy on the labelled training samples seen this epoch. */
  trainAccuracy: number;
  /** Validation loss and accuracy (NaN without a validation split, or in epochs skipped by `validateEvery`). */
  validationLoss: number;
  validationAccuracy: number;
  seconds: number;
}

/** Loss and accuracy on a split. */
export interface SplitScore {
  loss: number;
  accuracy: number;
}

/** How a raw sample becomes the student's input (e.g. a fitted `data.Pipeline`'s `transformBatch`). */
export type InputTransform = (x: Float32Array, count: number, shape: readonly number[]) => { x: Float32Array; shape: readonly number[] };

/** Options of {@link distillKnowledge}. */
export interface DistillKnowledgeOptions {
  /** The model to train, in place. Its `outputSpec` says whether it emits logits, Born probabilities or expectation values. */
  student: Module;
  /** The teacher; `null` trains the student on the labels alone (the baseline). */
  teacher: TeacherLike | null;
  data: {
    /** Labelled training samples (labels 0..C−1). */
    train: Dataset;
    /** Transfer set: samples the teacher labels softly; their labels (if any) are never read. Needs a teacher. */
    transfer?: TeacherInput;
    /** Validation split for model selection (carved from training data, disjoint from train/transfer/test). */
    validation?: Dataset;
    /** Test split: evaluated once, after training, for the selected and the last epoch. */
    test?: Dataset;
  };
  /** `kd` (default with a teacher), `pseudo-labels`, or `supervised` (default without). */
  mode?: DistillMode;
  /** Raw sample → student input (default: identity). Applied after augmentation. */
  studentInput?: InputTransform;
  /**
   * What the teacher reads: `raw` (default: the same, possibly augmented, raw sample), `student` (the student's input),
   * or its own transform of the raw sample (e.g. a QNN teacher reading features the student sees compressed).
   */
  teacherInput?: 'raw' | 'student' | InputTransform;
  /** Seeded augmentation of raw training samples; the teacher sees the same view as the student. */
  augment?: AugmentConfig[];
  /** KD loss switches (default {@link PAPER_003_KD}). Its output kind comes from the student. */
  loss?: KDLossOptions;
  /** Default Adam, lr 1e-3. */
  optimizer?: OptimizerConfig | Optimizer;
  epochs: number;
  batchSize: number;
  /** Seed of the batch order and the augmentation. Default 0. */
  seed?: number;
  /** Leave the student at the selected epoch's weights (default true) or at the last epoch's. */
  restoreSelected?: boolean;
  /** Called after every step and evaluation. */
  onProgress?: (progress: TrainProgress) => void;
  /** Called after every epoch with its record. */
  onEpoch?: (record: EpochRecord, student: Module) => void | Promise<void>;
  /** Cancels between steps: the run rejects with `E_ABORTED`. */
  signal?: AbortSignal;
  /** Evaluation batch size (default 256). */
  evalBatchSize?: number;
  /** Evaluate the validation split every k epochs, and always after the last (default 1: every epoch). */
  validateEvery?: number;
}

/** Result of {@link distillKnowledge}. */
export interface DistillKnowledgeResult {
  history: EpochRecord[];
  /** The best validation epoch (first of equals), or the last epoch without a validation split. */
  selected: EpochRecord;
  last: EpochRecord;
  selection: 'validation' | 'last';
  /** Test scores of the selected and the last epoch (null without a test split). */
  test: { selected: SplitScore; last: SplitScore } | null;
  mode: DistillMode;
  /** Samples per epoch: labelled and transfer. */
  trainSize: number;
  transferSize: number;
  /** FNV-1a fingerprint of the student's parameters before the first step (paired runs share it). */
  initialParamsHash: string;
  seconds: number;
}

/** Paper 003's KD settings as its code runs them: T = 3, 0.9·T²·KL(teacher‖student) + 1·CE. */
export const PAPER_003_KD: KDLossOptions = { temperature: 3, kdWeight: 0.9, ceWeight: 1, tSquared: true, direction: 'teacher||student' };

function makeOptimizer(student: Module, config: OptimizerConfig | Optimizer | undefined): Optimizer {
  if (!config) return new Adam(student, { lr: 1e-3 });
  if (!('type' in config) || typeof (config as OptimizerConfig).type !== 'string') return config as Optimizer;
  const { type, ...rest } = config as OptimizerConfig;
  if (type === 'adam') return new Adam(student, rest as AdamOptions);
  if (type === 'sgd') return new SGD(student, rest as SGDOptions);
  throw new QDistillError('E_CONFIG', `optimizer.type: expected 'adam' or 'sgd', got ${JSON.stringify(type)}`);
}

function featureCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Rows `indices[start..end)` of a flat N × F array. */
function gatherRows(x: Float32Array, per: number, indices: ArrayLike<number>, start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * per);
  for (let i = start; i < end; i++) out.set(x.subarray(indices[i]! * per, (indices[i]! + 1) * per), (i - start) * per);
  return out;
}

function applyInput(transform: InputTransform | undefined, x: Float32Array, count: number, shape: readonly number[]): { x: Float32Array; shape: readonly number[] } {
  if (!transform) return { x, shape };
  const out = transform(x, count, shape);
  if (out.x.length !== count * featureCount(out.shape)) {
    throw new QDistillError('E_SHAPE', `distillKnowledge: studentInput returned ${out.x.length} values for ${count} samples of shape [${out.shape.join(', ')}]`);
  }
  return out;
}

/**
 * Loss and accuracy of a model on a dataset (eval mode, no gradients), with
 * the model's output kind deciding predictions and the loss.
 *
 * @example
 * ```ts
 * const { loss, accuracy } = evaluate(student, test);
 * ```
 */
export function evaluate(model: Module, dataset: Dataset, batchSize = 256, input?: InputTransform): SplitScore {
  const wasTraining = model.training;
  model.eval();
  const n = dataset.y.length;
  const per = featureCount(dataset.shape);
  const spec = model.outputSpec;
  let lossSum = 0;
  let correct = 0;
  try {
    noGrad(() => {
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const view = applyInput(input, dataset.x.subarray(start * per, end * per), end - start, dataset.shape);
        const out = model.forward(new Tensor(view.x, [end - start, ...view.shape]));
        const y = dataset.y.subarray(start, end);
        lossSum += supervisedLoss(out, y, spec).data[0]! * (end - start);
        correct += outputAccuracy(out, y, spec) * (end - start);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / n, accuracy: correct / n };
}

function snapshot(model: Module): Map<string, { data: Float64Array; shape: readonly number[] }> {
  const out = new Map<string, { data: Float64Array; shape: readonly number[] }>();
  for (const [k, v] of model.stateDict()) out.set(k, { data: Float64Array.from(v.data), shape: [...v.shape] });
  return out;
}

function aborted(where: string, signal: AbortSignal, epoch: number, step: number, steps: number, history: EpochRecord[]): QDistillError {
  return new QDistillError('E_ABORTED', `${where}: cancelled at epoch ${epoch}, step ${step}/${steps}`, { cause: signal.reason, details: { history } });
}

/**
 * Trains `student` with knowledge distillation from `teacher` — on the
 * labelled set and an optional transfer set — or, with `teacher: null`, with
 * cross-entropy alone; `mode: 'pseudo-labels'` trains on the teacher's argmax
 * instead of its soft outputs.
 *
 * Each epoch visits every labelled and transfer sample once in a seeded order;
 * within a batch the labelled samples come first: the supervised term averages
 * over them, the KD term over all. Without augmentation the teacher's logits
 * are computed once; with augmentation the teacher labels each epoch's views,
 * the very images the student sees. The run evaluates the validation split
 * after every epoch, selects the best validation epoch, and reads the test
 * split once at the end (selected and last epoch).
 *
 * @throws E_CONFIG (bad epochs, batch size, mode or transfer set without a teacher), E_TEACHER (class count or shape mismatch),
 *   E_DATA (empty or inconsistent splits), E_ABORTED (signal), E_NAN (non-finite loss)
 * @example
 * ```ts
 * const result = await distillKnowledge({
 *   student, teacher,
 *   data: { train: labelled, transfer: unlabelled, validation, test },
 *   studentInput: (x, n, shape) => pipeline.transformBatch(x, n, shape),
 *   augment: [{ type: 'shift', max: 2 }],
 *   loss: { temperature: 2, alpha: 0.5 },
 *   optimizer: { type: 'adam', lr: 5e-3 }, epochs: 15, batchSize: 32,
 * });
 * console.log(result.selected.validationAccuracy, result.test?.selected.accuracy);
 * ```
 */
export async function distillKnowledge(options: DistillKnowledgeOptions): Promise<DistillKnowledgeResult> {
  const { student, teacher, data, epochs, batchSize } = options;
  const where = 'distillKnowledge';
  if (!Number.isInteger(epochs) || epochs < 1) throw new QDistillError('E_CONFIG', `${where}: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new QDistillError('E_CONFIG', `${where}: batchSize must be a positive integer, got ${batchSize}`);
  const mode: DistillMode = options.mode ?? (teacher ? 'kd' : 'supervised');
  if (mode !== 'kd' && mode !== 'pseudo-labels' && mode !== 'supervised') {
    throw new QDistillError('E_CONFIG', `${where}: mode must be 'kd', 'pseudo-labels' or 'supervised', got ${JSON.stringify(mode)}`);
  }
  if (mode !== 'supervised' && !teacher) throw new QDistillError('E_CONFIG', `${where}: mode '${mode}' needs a teacher`);
  const train = data.train;
  const labelledCount = train.y.length;
  if (labelledCount === 0) throw new QDistillError('E_DATA', `${where}: the labelled training set is empty`);
  const rawShape = train.shape;
  const per = featureCount(rawShape);
  const numClasses = train.numClasses;
  for (const [name, split] of [['validation', data.validation], ['test', data.test]] as const) {
    if (!split) continue;
    if (split.numClasses !== numClasses) throw new QDistillError('E_DATA', `${where}: train has ${numClasses} classes, ${name} ${split.numClasses}`);
    if (featureCount(split.shape) !== per) throw new QDistillError('E_DATA', `${where}: ${name} samples have shape [${split.shape.join(', ')}], train [${rawShape.join(', ')}]`);
  }
  const transfer = mode === 'supervised' ? undefined : data.transfer;
  if (data.transfer && !teacher) throw new QDistillError('E_CONFIG', `${where}: a transfer set needs a teacher (its labels are never read)`);
  if (transfer && featureCount(transfer.shape) !== per) {
    throw new QDistillError('E_DATA', `${where}: transfer samples have shape [${transfer.shape.join(', ')}], train [${rawShape.join(', ')}]`);
  }
  const transferCount = transfer ? transfer.x.length / per : 0;
  if (!Number.isInteger(transferCount)) throw new QDistillError('E_DATA', `${where}: the transfer set holds ${transfer!.x.length} values, not a whole number of ${per}-value samples`);
  if (teacher && teacher.numClasses !== numClasses) {
    throw new QDistillError('E_TEACHER', `${where}: the teacher has ${teacher.numClasses} classes but the data has ${numClasses}`);
  }
  const augment = options.augment ?? [];
  checkAugmentConfig(augment, `${where}: augment`);
  const teacherInputOption = options.teacherInput ?? 'raw';
  if (teacherInputOption !== 'raw' && teacherInputOption !== 'student' && typeof teacherInputOption !== 'function') {
    throw new QDistillError('E_CONFIG', `${where}: teacherInput must be 'raw', 'student' or a transform, got ${JSON.stringify(teacherInputOption)}`);
  }
  // 'raw' reads the raw sample; otherwise a transform of it (the student's, or the teacher's own).
  const teacherTransform: InputTransform | undefined = teacherInputOption === 'raw' ? undefined : teacherInputOption === 'student' ? options.studentInput : teacherInputOption;
  const teacherReadsRaw = teacherTransform === undefined;
  const spec = student.outputSpec;
  const lossOptions = { ...(options.loss ?? PAPER_003_KD), output: spec };
  const total = labelledCount + transferCount;
  const seed = options.seed ?? 0;

  // Sample i < L is labelled sample i; sample L + j is transfer sample j.
  const allRaw = transfer ? new Float32Array(total * per) : train.x;
  if (transfer) {
    allRaw.set(train.x);
    allRaw.set(transfer.x, labelledCount * per);
  }

  // Deterministic views (no augmentation): student inputs and teacher logits once.
  let fixedInputs: { x: Float32Array; shape: readonly number[] } | null = null;
  let fixedLogits: Float32Array | null = null;
  if (augment.length === 0) {
    fixedInputs = applyInput(options.studentInput, allRaw, total, rawShape);
    if (teacher && mode !== 'supervised') {
      const source = teacherReadsRaw ? { x: allRaw, shape: rawShape } : applyInput(teacherTransform, allRaw, total, rawShape);
      const parts: Float32Array[] = [];
      // The labelled set and the transfer set are cached separately (a teacher may cache per dataset object).
      parts.push(await teacherLogits(teacher, teacherReadsRaw ? train : { x: source.x.subarray(0, labelledCount * featureCount(source.shape)), shape: source.shape }, where));
      if (transfer) {
        parts.push(await teacherLogits(teacher, teacherReadsRaw ? transfer : { x: source.x.subarray(labelledCount * featureCount(source.shape)), shape: source.shape }, where));
      }
      fixedLogits = parts.length === 1 ? parts[0]! : new Float32Array(total * numClasses);
      if (parts.length > 1) {
        fixedLogits.set(parts[0]!);
        fixedLogits.set(parts[1]!, labelledCount * numClasses);
      }
    }
  }
  const validationInput = data.validation ? options.studentInput : undefined;

  const optimizer = makeOptimizer(student, options.optimizer);
  const initialParamsHash = hashFloat64(student.getFlatParams());
  const orderRng = new Random(seed);
  const stepsPerEpoch = Math.ceil(total / batchSize);
  // Augmentation (and the teacher's forward on it) runs per chunk of whole batches.
  const chunkBatches = Math.max(1, Math.floor(4096 / batchSize));
  const history: EpochRecord[] = [];
  let best: { record: EpochRecord; state: ReturnType<typeof snapshot> } | null = null;
  const started = performance.now();
  let samplesDone = 0;
  const totalSamples = total * epochs;
  const evalBatch = options.evalBatchSize ?? 256;
  const validateEvery = options.validateEvery ?? 1;
  if (!Number.isInteger(validateEvery) || validateEvery < 1) throw new QDistillError('E_CONFIG', `${where}: validateEvery must be a positive integer, got ${validateEvery}`);

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    student.train();
    const order = orderRng.permutation(total);
    const augmentRng = new Random([seed, epoch, 0x6175]);
    let lossSum = 0;
    let correct = 0;
    let labelledSeen = 0;
    let seen = 0;
    for (let chunkStart = 0; chunkStart < stepsPerEpoch; chunkStart += chunkBatches) {
      const chunkEnd = Math.min(stepsPerEpoch, chunkStart + chunkBatches);
      const first = chunkStart * batchSize;
      const last = Math.min(total, chunkEnd * batchSize);
      // The chunk's samples, batch by batch, labelled ones first within each batch.
      const indices = new Int32Array(last - first);
      for (let b = chunkStart; b < chunkEnd; b++) {
        const s = b * batchSize;
        const e = Math.min(total, s + batchSize);
        let k = s - first;
        for (let i = s; i < e; i++) if (order[i]! < labelledCount) indices[k++] = order[i]!;
        for (let i = s; i < e; i++) if (order[i]! >= labelledCount) indices[k++] = order[i]!;
      }
      let inputs: { x: Float32Array; shape: readonly number[] };
      let logits: Float32Array | null = null;
      if (fixedInputs) {
        inputs = { x: gatherRows(fixedInputs.x, featureCount(fixedInputs.shape), indices, 0, indices.length), shape: fixedInputs.shape };
        if (fixedLogits) logits = gatherRows(fixedLogits, numClasses, indices, 0, indices.length);
      } else {
        const views = augmentBatch(gatherRows(allRaw, per, indices, 0, indices.length), indices.length, rawShape, augment, augmentRng);
        inputs = applyInput(options.studentInput, views, indices.length, rawShape);
        if (teacher && mode !== 'supervised') {
          const seen = teacherReadsRaw ? { x: views, shape: rawShape } : teacherTransform === options.studentInput ? inputs : applyInput(teacherTransform, views, indices.length, rawShape);
          logits = await teacherBatchLogits(teacher, seen.x, indices.length, seen.shape, where);
        }
      }
      const inPer = featureCount(inputs.shape);
      for (let step = chunkStart; step < chunkEnd; step++) {
        if (options.signal?.aborted) throw aborted(where, options.signal, epoch, step + 1, stepsPerEpoch, history);
        const s = step * batchSize - first;
        const e = Math.min(total, (step + 1) * batchSize) - first;
        const count = e - s;
        let labelled = 0;
        while (labelled < count && indices[s + labelled]! < labelledCount) labelled++;
        const labels = new Int32Array(labelled);
        for (let i = 0; i < labelled; i++) labels[i] = train.y[indices[s + i]!]!;
        const x = new Tensor(inputs.x.slice(s * inPer, e * inPer), [count, ...inputs.shape]);
        const out = student.forward(x);
        if (out.rank !== 2 || outputClasses(spec, out.shape[1]!) !== numClasses) {
          throw new QDistillError('E_SHAPE', `${where}: the student emits [${out.shape.join(', ')}] (${spec.kind}), which does not give the data's ${numClasses} classes`);
        }
        let loss: Tensor;
        if (mode === 'kd') {
          const t = new Tensor(logits!.slice(s * numClasses, e * numClasses), [count, numClasses]);
          loss = kdLossTerms(out, { logits: t }, labels, lossOptions).loss;
        } else if (mode === 'pseudo-labels') {
          const pseudo = predictClasses(logits!.subarray(s * numClasses, e * numClasses), numClasses, { kind: 'logits' });
          pseudo.set(labels);
          loss = supervisedLoss(out, pseudo, spec);
        } else {
          loss = supervisedLoss(out, labels, spec);
        }
        const value = loss.data[0]!;
        if (!Number.isFinite(value)) {
          throw new QDistillError('E_NAN', `${where}: the loss is ${value} at epoch ${epoch}, step ${step + 1}/${stepsPerEpoch} (lower the learning rate or check the inputs)`, {
            details: { epoch, step: step + 1, history },
          });
        }
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        lossSum += value * count;
        if (labelled > 0) {
          correct += outputAccuracy(new Tensor(out.data.slice(0, labelled * out.shape[1]!), [labelled, out.shape[1]!]), labels, spec) * labelled;
          labelledSeen += labelled;
        }
        seen += count;
        samplesDone += count;
        const elapsed = (performance.now() - started) / 1000;
        const rate = samplesDone / Math.max(elapsed, 1e-9);
        options.onProgress?.({
          phase: 'train', epoch, epochs, step: step + 1, stepsPerEpoch,
          loss: lossSum / seen, accuracy: labelledSeen ? correct / labelledSeen : 0,
          samplesPerSecond: rate, etaSeconds: (totalSamples - samplesDone) / rate,
        });
        // Yield to the event loop now and then so a UI (and AbortSignal) stay live.
        if (step % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    const due = epoch % validateEvery === 0 || epoch === epochs;
    const validation = data.validation && due ? evaluate(student, data.validation, evalBatch, validationInput) : { loss: NaN, accuracy: NaN };
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / seen,
      trainAccuracy: labelledSeen ? correct / labelledSeen : NaN,
      validationLoss: validation.loss,
      validationAccuracy: validation.accuracy,
      seconds: (performance.now() - epochStart) / 1000,
    };
    history.push(record);
    if (data.validation && due && (!best || record.validationAccuracy > best.record.validationAccuracy)) best = { record, state: snapshot(student) };
    await options.onEpoch?.(record, student);
  }
  const lastRecord = history[history.length - 1]!;
  const lastState = snapshot(student);
  let test: DistillKnowledgeResult['test'] = null;
  if (data.test) {
    const lastScore = evaluate(student, data.test, evalBatch, options.studentInput);
    let selectedScore = lastScore;
    if (best && best.record !== lastRecord) {
      student.loadStateDict(best.state);
      selectedScore = evaluate(student, data.test, evalBatch, options.studentInput);
    }
    test = { selected: selectedScore, last: lastScore };
  }
  if (best && (options.restoreSelected ?? true)) student.loadStateDict(best.state);
  else student.loadStateDict(lastState);
  return {
    history,
    selected: best?.record ?? lastRecord,
    last: lastRecord,
    selection: best ? 'validation' : 'last',
    test,
    mode,
    trainSize: labelledCount,
    transferSize: transferCount,
    initialParamsHash,
    seconds: (performance.now() - started) / 1000,
  };
}
