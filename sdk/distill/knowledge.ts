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
import { isQDistillError, QDistillError } from '../errors.js';
import { Random } from '../util/random.js';
import { hashFloat64 } from '../util/hash.js';
import { augmentBatch, checkAugmentConfig, type AugmentConfig } from '../data/augment.js';
import type { Dataset } from '../data/dataset.js';
import { kdLossTerms, supervisedLoss, type KDLossOptions } from '../nn/losses.js';
import type { Module } from '../nn/module.js';
import { Adam, type AdamOptions } from '../nn/optim/adam.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import type { LRScheduler } from '../nn/optim/scheduler.js';
import { SGD, type SGDOptions } from '../nn/optim/sgd.js';
import { outputAccuracy, outputClasses, predictClasses } from '../nn/outputs.js';
import { noGrad, Tensor } from '../nn/tensor.js';
import { loadModule, parseTrainingState, putModule, putTensors, serializeTrainingState, takeTensors, type TrainingState } from '../nn/training-state.js';
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

/** What the trainer does when the loss, a gradient or a parameter is NaN or ±∞: stop with `E_NAN` (default) or skip the step. */
export type NonFinitePolicy = 'stop' | 'skip';

/** A step whose loss, student output, gradients or updated parameters were NaN or ±∞. */
export interface NonFiniteEvent {
  epoch: number;
  /** Step within the epoch, 1-based. */
  step: number;
  /** `loss`, `output` (the student's forward), `gradient` (before the update) or `parameter` (after it). */
  kind: 'loss' | 'output' | 'gradient' | 'parameter';
  /** The tensor: `loss`, a parameter's qualified name (e.g. `qnn.weight`), or the op that reported it. */
  tensor: string;
  /** What was found, e.g. `entry 3 is NaN`. */
  detail: string;
}

/** Why and where {@link DistillCheckpoint.save} is called. */
export interface CheckpointEvent {
  /** `epoch`: an epoch ended; `cancelled`: the signal fired (the state is mid-epoch); `finished`: the run is complete (final weights and result). */
  reason: 'epoch' | 'cancelled' | 'finished';
  /** The epoch the state is in (completed, for `epoch` and `finished`). */
  epoch: number;
  /** Steps of that epoch done. */
  step: number;
  stepsPerEpoch: number;
}

/** Checkpointing of a {@link distillKnowledge} run. */
export interface DistillCheckpoint {
  /**
   * Receives the complete training state (a `kd-run` training state: student
   * weights, buffers and random generators, optimiser and scheduler state, the
   * batch-order generator, position, history and best-validation snapshot) to
   * keep — e.g. `(bytes) => store.save(key, bytes)`. Awaited before training
   * goes on; pass the bytes back as `resumeFrom` to continue.
   */
  save(bytes: Uint8Array, event: CheckpointEvent): void | Promise<void>;
  /** Save every k epochs (and after the last; default 1). */
  everyEpochs?: number;
  /** JSON stored with the state that must be equal on resume (e.g. the experiment's config hash), else `E_CHECKPOINT`. */
  context?: Record<string, unknown>;
}

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
  /** Called after every epoch with its record; `context.best` is the best validation epoch so far (this record when it just became the best). */
  onEpoch?: (record: EpochRecord, student: Module, context: { best: EpochRecord | null }) => void | Promise<void>;
  /** Cancels between steps: the run rejects with `E_ABORTED` (after saving a mid-epoch state when `checkpoint` is given). */
  signal?: AbortSignal;
  /** A learning-rate scheduler over the trainer's optimiser, stepped after every epoch (its state is checkpointed). */
  scheduler?: (optimizer: Optimizer) => LRScheduler;
  /** Keep the training state at every epoch end (and when cancelled, and when finished) to resume from. */
  checkpoint?: DistillCheckpoint;
  /**
   * Continue from a state saved by `checkpoint.save` (bytes or a parsed state): the run picks up where the state stops
   * and finishes with the history and weights of an uninterrupted run; a finished state restores the final weights
   * and returns its result without training. The options must describe the same run (else `E_CHECKPOINT`), and
   * `student` must be the same architecture (its initial weights are overwritten).
   */
  resumeFrom?: Uint8Array | TrainingState;
  /** NaN or ±∞ in the loss, the student's output, a gradient or an updated parameter: `stop` (default: `E_NAN` naming epoch, step and tensor) or `skip` the step (parameters and optimiser state as before it). */
  onNonFinite?: NonFinitePolicy;
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
  /** Training time in seconds (over every process of a resumed run). */
  seconds: number;
  /** Steps skipped for non-finite values (`onNonFinite: 'skip'`). */
  skippedSteps: NonFiniteEvent[];
  /** Where the run resumed (`resumeFrom`), or null. */
  resumedFrom: { epoch: number; step: number; finished: boolean } | null;
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

/** A copy of the model's parameters and buffers (the best-validation snapshot). */
function snapshot(model: Module): Map<string, { data: Float32Array | Float64Array; shape: readonly number[] }> {
  return model.stateDict();
}

/** Index of the first NaN or ±∞, or −1. */
function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/** The position inside an epoch a cancelled run saved. */
interface InEpochState {
  epoch: number;
  /** Next step to run (0-based) and the first step of its augmentation chunk. */
  nextStep: number;
  chunkStart: number;
  /** The batch-order generator at the epoch's start (its permutation is drawn again). */
  orderRng: number[];
  /** The augmentation generator before the chunk's views were drawn. */
  augmentRng: number[];
  lossSum: number;
  correct: number;
  labelledSeen: number;
  seen: number;
  seconds: number;
}

/** The JSON of a `kd-run` training state. */
interface KDRunState {
  setup: Record<string, unknown>;
  context: Record<string, unknown> | null;
  finished: boolean;
  completedEpochs: number;
  inEpoch: InEpochState | null;
  /** The batch-order generator at the start of epoch completedEpochs + 1. */
  orderRng: number[];
  history: EpochRecord[];
  /** Index of the best validation epoch in history. */
  best: number | null;
  initialParamsHash: string;
  seconds: number;
  samplesDone: number;
  skippedSteps: NonFiniteEvent[];
  result: { selection: 'validation' | 'last'; selected: number; test: DistillKnowledgeResult['test'] } | null;
}

/** JSON with sorted keys, to compare settings. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

function isRngState(v: unknown): v is number[] {
  return Array.isArray(v) && v.length === 4 && v.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) && v.some((w) => w !== 0);
}

/** Validates the JSON of a `kd-run` state against this run's setup and context. */
function readRunState(state: TrainingState, setup: Record<string, unknown>, context: Record<string, unknown> | null, where: string): KDRunState {
  const fail = (m: string): never => {
    throw new QDistillError('E_CHECKPOINT', `${where}: cannot resume: ${m}`);
  };
  const j = state.json as unknown as KDRunState;
  if (typeof j.setup !== 'object' || j.setup === null) fail('the state has no run settings');
  for (const key of new Set([...Object.keys(setup), ...Object.keys(j.setup)])) {
    if (canonical(j.setup[key]) !== canonical(setup[key])) fail(`the state is of another run (${key}: saved ${canonical(j.setup[key])}, now ${canonical(setup[key])})`);
  }
  if (canonical(j.context ?? null) !== canonical(context)) fail(`the state was saved for ${canonical(j.context ?? null)}, this run is ${canonical(context)}`);
  const epochs = setup.epochs as number;
  if (!Number.isSafeInteger(j.completedEpochs) || j.completedEpochs < 0 || j.completedEpochs > epochs) fail(`completedEpochs ${j.completedEpochs} is not in 0..${epochs}`);
  if (!Array.isArray(j.history) || j.history.length !== j.completedEpochs) fail(`the history holds ${Array.isArray(j.history) ? j.history.length : 'no'} epochs, the state ${j.completedEpochs}`);
  const isScore = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as SplitScore).loss === 'number' && typeof (v as SplitScore).accuracy === 'number';
  j.history.forEach((r, i) => {
    const fields = ['trainLoss', 'trainAccuracy', 'validationLoss', 'validationAccuracy', 'seconds'] as const;
    if (typeof r !== 'object' || r === null || r.epoch !== i + 1 || fields.some((f) => typeof r[f] !== 'number')) fail(`history record ${i} is malformed`);
  });
  if (j.best !== null && !(Number.isSafeInteger(j.best) && j.best >= 0 && j.best < j.history.length)) fail(`best epoch index ${j.best} is not in the history`);
  if (!isRngState(j.orderRng)) fail('the batch-order generator state is malformed');
  if (typeof j.initialParamsHash !== 'string' || typeof j.seconds !== 'number' || typeof j.samplesDone !== 'number' || !Array.isArray(j.skippedSteps)) fail('the state is malformed');
  if (j.finished) {
    const r = j.result;
    if (j.completedEpochs !== epochs || !r || !Number.isSafeInteger(r.selected) || !j.history[r.selected] || (r.selection !== 'validation' && r.selection !== 'last')) fail('the finished state has no result');
    if (r!.test !== null && !(typeof r!.test === 'object' && isScore(r!.test.selected) && isScore(r!.test.last))) fail('the finished state has malformed test scores');
  }
  const e = j.inEpoch;
  if (e !== null) {
    if (typeof e !== 'object' || e.epoch !== j.completedEpochs + 1 || !isRngState(e.orderRng) || !isRngState(e.augmentRng)) fail('the mid-epoch position is malformed');
    const steps = setup.stepsPerEpoch as number;
    if (!Number.isSafeInteger(e.nextStep) || e.nextStep < 0 || e.nextStep >= steps || !Number.isSafeInteger(e.chunkStart) || e.chunkStart > e.nextStep) fail('the mid-epoch position is malformed');
    for (const k of ['lossSum', 'correct', 'labelledSeen', 'seen', 'seconds'] as const) if (typeof e[k] !== 'number') fail(`the mid-epoch ${k} is malformed`);
  }
  return j;
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
 * **Checkpoints.** With `checkpoint`, the complete training state goes to
 * `checkpoint.save` at every epoch end, when the signal cancels the run (its
 * position inside the epoch) and when the run finishes (final weights and
 * result). `resumeFrom` continues from such a state and ends with the
 * history (wall-clock `seconds` aside), selection, test scores and weights of
 * the uninterrupted run, bit for bit: the batch order, augmentation and the
 * student's own generators (dropout, shots) pick up where they stopped.
 *
 * **Divergence.** NaN or ±∞ in the loss, the student's output, a gradient
 * (checked before the update) or an updated parameter stops the run with
 * `E_NAN` naming the epoch, the step and the tensor (details: `{ epoch, step,
 * kind, tensor }`), no state is saved past the last good one;
 * `onNonFinite: 'skip'` skips such steps instead (listed in `skippedSteps`).
 *
 * @throws E_CONFIG (bad epochs, batch size, mode, onNonFinite or transfer set without a teacher), E_TEACHER (class count or shape mismatch),
 *   E_DATA (empty or inconsistent splits), E_ABORTED (signal), E_NAN (non-finite loss, output, gradient or parameter),
 *   E_CHECKPOINT (a `resumeFrom` state that is damaged or of another run)
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
 *
 * // Resumable: keep the state (Node: fileCheckpointStore from 'qdistill/node'), continue after a crash.
 * const store = nn.memoryCheckpointStore();
 * await distillKnowledge({
 *   ...options,
 *   checkpoint: { save: (bytes) => store.save('run', bytes) },
 *   resumeFrom: (await store.load('run')) ?? undefined,
 * });
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
  const evalBatch = options.evalBatchSize ?? 256;
  const validateEvery = options.validateEvery ?? 1;
  if (!Number.isInteger(validateEvery) || validateEvery < 1) throw new QDistillError('E_CONFIG', `${where}: validateEvery must be a positive integer, got ${validateEvery}`);
  const onNonFinite = options.onNonFinite ?? 'stop';
  if (onNonFinite !== 'stop' && onNonFinite !== 'skip') throw new QDistillError('E_CONFIG', `${where}: onNonFinite must be 'stop' or 'skip', got ${JSON.stringify(onNonFinite)}`);
  const checkpoint = options.checkpoint;
  if (checkpoint !== undefined && typeof checkpoint?.save !== 'function') throw new QDistillError('E_CONFIG', `${where}: checkpoint.save must be a function`);
  const everyEpochs = checkpoint?.everyEpochs ?? 1;
  if (!Number.isInteger(everyEpochs) || everyEpochs < 1) throw new QDistillError('E_CONFIG', `${where}: checkpoint.everyEpochs must be a positive integer, got ${everyEpochs}`);
  const restoreSelected = options.restoreSelected ?? true;
  const stepsPerEpoch = Math.ceil(total / batchSize);
  const optimizer = makeOptimizer(student, options.optimizer);
  const scheduler = options.scheduler?.(optimizer);
  // What must not change between an interrupted run and its resumption.
  const setup: Record<string, unknown> = {
    mode, epochs, batchSize, seed, stepsPerEpoch, labelled: labelledCount, transfer: transferCount, numClasses, validateEvery, evalBatchSize: evalBatch,
    validation: data.validation?.y.length ?? 0, test: data.test?.y.length ?? 0, augment, loss: mode === 'kd' ? lossOptions : null,
    student: { label: student.label, parameters: student.numParameters() }, optimizer: optimizer.kind, scheduler: scheduler?.constructor.name ?? null,
    restoreSelected, onNonFinite,
  };
  const context = checkpoint?.context ?? null;
  let resumeState: TrainingState | null = null;
  let resume: KDRunState | null = null;
  if (options.resumeFrom !== undefined) {
    resumeState = options.resumeFrom instanceof Uint8Array ? parseTrainingState(options.resumeFrom, { kind: 'kd-run' }) : options.resumeFrom;
    if (resumeState.kind !== 'kd-run') throw new QDistillError('E_CHECKPOINT', `${where}: cannot resume from a "${resumeState.kind}" state (expected "kd-run")`);
    resume = readRunState(resumeState, setup, context, where);
    if (resume.finished) {
      loadModule(resumeState, 'student', student);
      const history = resume.history;
      return {
        history, selected: history[resume.result!.selected]!, last: history[history.length - 1]!, selection: resume.result!.selection, test: resume.result!.test,
        mode, trainSize: labelledCount, transferSize: transferCount, initialParamsHash: resume.initialParamsHash, seconds: resume.seconds,
        skippedSteps: resume.skippedSteps, resumedFrom: { epoch: epochs, step: stepsPerEpoch, finished: true },
      };
    }
  }

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

  let initialParamsHash = hashFloat64(student.getFlatParams());
  const orderRng = new Random(seed);
  // Augmentation (and the teacher's forward on it) runs per chunk of whole batches.
  const chunkBatches = Math.max(1, Math.floor(4096 / batchSize));
  let history: EpochRecord[] = [];
  let best: { record: EpochRecord; state: ReturnType<typeof snapshot> } | null = null;
  const started = performance.now();
  let secondsBefore = 0;
  let samplesDone = 0;
  const totalSamples = total * epochs;
  const skippedSteps: NonFiniteEvent[] = [];
  let firstEpoch = 1;
  let inEpoch: InEpochState | null = null;
  if (resume && resumeState) {
    loadModule(resumeState, 'student', student, { optimizer, ...(scheduler ? { scheduler } : {}) });
    history = resume.history;
    if (resume.best !== null) best = { record: history[resume.best]!, state: takeTensors(resumeState, 'best/', student) };
    inEpoch = resume.inEpoch;
    orderRng.setState(inEpoch ? inEpoch.orderRng : resume.orderRng);
    firstEpoch = resume.completedEpochs + 1;
    initialParamsHash = resume.initialParamsHash;
    secondsBefore = resume.seconds;
    samplesDone = resume.samplesDone;
    skippedSteps.push(...resume.skippedSteps);
  }
  const samplesAtStart = samplesDone;
  const resumedFrom = resume ? { epoch: inEpoch ? inEpoch.epoch : resume.completedEpochs, step: inEpoch ? inEpoch.nextStep : stepsPerEpoch, finished: false } : null;
  const elapsed = (): number => secondsBefore + (performance.now() - started) / 1000;

  /** Hands the state to `checkpoint.save`. */
  const save = async (event: CheckpointEvent, position: { completedEpochs: number; inEpoch: InEpochState | null; result: KDRunState['result'] }): Promise<void> => {
    if (!checkpoint) return;
    const json: KDRunState = {
      setup, context, finished: event.reason === 'finished', completedEpochs: position.completedEpochs, inEpoch: position.inEpoch, orderRng: orderRng.getState(),
      history, best: best ? history.indexOf(best.record) : null, initialParamsHash, seconds: elapsed(), samplesDone, skippedSteps, result: position.result,
    };
    const state: TrainingState = { kind: 'kd-run', json: json as unknown as Record<string, unknown>, arrays: new Map() };
    putModule(state, 'student', student, event.reason === 'finished' ? {} : { optimizer, ...(scheduler ? { scheduler } : {}) });
    if (best && event.reason !== 'finished') putTensors(state, 'best/', best.state);
    await checkpoint.save(serializeTrainingState(state), event);
  };

  /** Stops (E_NAN naming where) or records a skipped step. */
  const nonFinite = (event: NonFiniteEvent, cause?: unknown): void => {
    if (onNonFinite === 'skip') {
      skippedSteps.push(event);
      return;
    }
    const what =
      event.kind === 'loss' ? `the loss is ${event.detail}` :
      event.kind === 'output' ? `the student's output is not finite (${event.detail})` :
      event.kind === 'gradient' ? `the gradient of parameter "${event.tensor}" is not finite (${event.detail})` :
      `parameter "${event.tensor}" became non-finite after the update (${event.detail})`;
    throw new QDistillError(
      'E_NAN',
      `${where}: ${what} at epoch ${event.epoch}, step ${event.step}/${stepsPerEpoch}; training stopped${checkpoint ? ', the last checkpoint is intact' : ''} (lower the learning rate or check the inputs; onNonFinite: 'skip' skips such steps)`,
      { details: { ...event, stepsPerEpoch, history }, ...(cause === undefined ? {} : { cause }) },
    );
  };

  for (let epoch = firstEpoch; epoch <= epochs; epoch++) {
    const resumeHere = inEpoch?.epoch === epoch ? inEpoch : null;
    const epochStart = performance.now() - (resumeHere ? resumeHere.seconds * 1000 : 0);
    student.train();
    const orderAtStart = orderRng.getState();
    const order = orderRng.permutation(total);
    const augmentRng = new Random([seed, epoch, 0x6175]);
    let lossSum = resumeHere?.lossSum ?? 0;
    let correct = resumeHere?.correct ?? 0;
    let labelledSeen = resumeHere?.labelledSeen ?? 0;
    let seen = resumeHere?.seen ?? 0;
    if (resumeHere) augmentRng.setState(resumeHere.augmentRng);
    for (let chunkStart = resumeHere?.chunkStart ?? 0; chunkStart < stepsPerEpoch; chunkStart += chunkBatches) {
      const augmentAtChunk = augmentRng.getState();
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
      const firstStep = resumeHere && chunkStart === resumeHere.chunkStart ? resumeHere.nextStep : chunkStart;
      for (let step = firstStep; step < chunkEnd; step++) {
        if (options.signal?.aborted) {
          await save(
            { reason: 'cancelled', epoch, step, stepsPerEpoch },
            {
              completedEpochs: epoch - 1, result: null,
              inEpoch: { epoch, nextStep: step, chunkStart, orderRng: orderAtStart, augmentRng: augmentAtChunk, lossSum, correct, labelledSeen, seen, seconds: (performance.now() - epochStart) / 1000 },
            },
          );
          throw aborted(where, options.signal, epoch, step + 1, stepsPerEpoch, history);
        }
        const s = step * batchSize - first;
        const e = Math.min(total, (step + 1) * batchSize) - first;
        const count = e - s;
        let labelled = 0;
        while (labelled < count && indices[s + labelled]! < labelledCount) labelled++;
        const labels = new Int32Array(labelled);
        for (let i = 0; i < labelled; i++) labels[i] = train.y[indices[s + i]!]!;
        const x = new Tensor(inputs.x.slice(s * inPer, e * inPer), [count, ...inputs.shape]);
        // With 'skip', a bad step must leave parameters, buffers and optimiser state as they were.
        const before = onNonFinite === 'skip' ? { model: student.stateDict(), optimizer: optimizer.stateDict() } : null;
        const skip = (event: Omit<NonFiniteEvent, 'epoch' | 'step'>, cause?: unknown): void => {
          nonFinite({ epoch, step: step + 1, ...event }, cause);
          student.loadStateDict(before!.model);
          optimizer.loadStateDict(before!.optimizer);
        };
        let out: Tensor;
        let loss: Tensor;
        try {
          out = student.forward(x);
          if (out.rank !== 2 || outputClasses(spec, out.shape[1]!) !== numClasses) {
            throw new QDistillError('E_SHAPE', `${where}: the student emits [${out.shape.join(', ')}] (${spec.kind}), which does not give the data's ${numClasses} classes`);
          }
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
        } catch (error) {
          // The losses and quantum layers refuse NaN/±∞ outputs with E_NAN: the student diverged.
          if (!isQDistillError(error) || error.code !== 'E_NAN') throw error;
          skip({ kind: 'output', tensor: 'output', detail: error.message }, error);
          continue;
        }
        const value = loss.data[0]!;
        if (!Number.isFinite(value)) {
          skip({ kind: 'loss', tensor: 'loss', detail: String(value) });
          continue;
        }
        optimizer.zeroGrad();
        try {
          loss.backward();
        } catch (error) {
          if (!isQDistillError(error) || (error.code !== 'E_NAN' && error.code !== 'E_NON_FINITE')) throw error;
          skip({ kind: 'gradient', tensor: 'backward', detail: error.message }, error);
          continue;
        }
        let bad: Omit<NonFiniteEvent, 'epoch' | 'step'> | null = null;
        for (const [name, p] of student.namedParameters()) {
          const i = p.gradData ? firstNonFinite(p.gradData) : -1;
          if (i >= 0) {
            bad = { kind: 'gradient', tensor: name, detail: `entry ${i} is ${p.gradData![i]}` };
            break;
          }
        }
        if (bad) {
          skip(bad);
          continue;
        }
        optimizer.step();
        for (const [name, p] of student.namedParameters()) {
          const i = firstNonFinite(p.data);
          if (i >= 0) {
            bad = { kind: 'parameter', tensor: name, detail: `entry ${i} is ${p.data[i]}` };
            break;
          }
        }
        if (bad) {
          skip(bad);
          continue;
        }
        lossSum += value * count;
        if (labelled > 0) {
          correct += outputAccuracy(new Tensor(out.data.slice(0, labelled * out.shape[1]!), [labelled, out.shape[1]!]), labels, spec) * labelled;
          labelledSeen += labelled;
        }
        seen += count;
        samplesDone += count;
        const rate = (samplesDone - samplesAtStart) / Math.max((performance.now() - started) / 1000, 1e-9);
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
    scheduler?.step();
    await options.onEpoch?.(record, student, { best: best?.record ?? null });
    if (epoch % everyEpochs === 0 || epoch === epochs) await save({ reason: 'epoch', epoch, step: stepsPerEpoch, stepsPerEpoch }, { completedEpochs: epoch, inEpoch: null, result: null });
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
  if (best && restoreSelected) student.loadStateDict(best.state);
  else student.loadStateDict(lastState);
  const selected = best?.record ?? lastRecord;
  const selection = best ? 'validation' : 'last';
  await save({ reason: 'finished', epoch: epochs, step: stepsPerEpoch, stepsPerEpoch }, { completedEpochs: epochs, inEpoch: null, result: { selection, selected: history.indexOf(selected), test } });
  return {
    history,
    selected,
    last: lastRecord,
    selection,
    test,
    mode,
    trainSize: labelledCount,
    transferSize: transferCount,
    initialParamsHash,
    seconds: elapsed(),
    skippedSteps,
    resumedFrom,
  };
}
