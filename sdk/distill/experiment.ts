/**
 * Runs a knowledge-distillation experiment from its JSON config: the splits
 * (labelled, transfer, validation, test), the teacher, the student's input
 * pipeline, every arm (KD, KD on labelled data only, no teacher,
 * pseudo-labels) on paired seeds, and paired statistics between arms.
 * Isomorphic: where data and teachers come from is injected (the Node CLI
 * passes file-system loaders; a web app passes its own).
 */
import { QDistillError } from '../errors.js';
import { concatDatasets, createDataset, subset, type Dataset } from '../data/dataset.js';
import { selectClasses, firstPerClassIndices } from '../data/select.js';
import { Pipeline, type TransformConfig } from '../data/transforms.js';
import type { ComplexState } from '../data/hamiltonian.js';
import { zxzDataset } from '../data/zxz.js';
import { init as initNN } from '../nn/backend.js';
import type { CheckpointStore } from '../nn/training-state.js';
import { hashFloat64 } from '../util/hash.js';
import { createHybridModel, type HybridModel, type HybridModelConfig } from '../qnn/hybrid.js';
import type { Kernel } from '../kernel/kernel.js';
import { ModelTeacher } from '../teachers/model-teacher.js';
import { experimentArms, type ArmName, type KDExperimentConfig, type TeacherSpec } from './config.js';
import {
  distillKnowledge, PAPER_003_KD, type DistillCheckpoint, type DistillKnowledgeResult, type EpochRecord, type InputTransform, type TrainProgress,
} from './knowledge.js';
import { applyProtocol, armStudentConfig } from './protocols.js';
import { trainQuantumAutoencoder, type QuantumAutoencoder } from './qae.js';
import { carveSplits } from './splits.js';
import { meanStd, pairedComparison, type PairedComparison } from './stats.js';
import { teacherLogits, type TeacherLike } from './teacher.js';

/** The data a teacher factory gets: the whole training split minus the validation split (never test), and the validation split. */
export interface TeacherTrainingData {
  train: Dataset;
  validation: Dataset;
  datasetName: string;
  /** Where a teacher trained here keeps its training state (the experiment's), so an interrupted run resumes it. */
  checkpoint?: ExperimentCheckpoint;
  /** Cancels a teacher's training (the experiment's signal). */
  signal?: AbortSignal;
}

/** Where an experiment gets data and teachers. */
export interface ExperimentEnvironment {
  /** Canonical train/test splits of an image dataset (all classes, labels = class ids). */
  loadDataset(name: 'mnist' | 'fashion-mnist'): Promise<{ train: Dataset; test: Dataset }>;
  /** A teacher for the selected classes: trained on `data.train` (every training image outside the validation split; selected on `data.validation`), or loaded. */
  createTeacher(spec: TeacherSpec, data: TeacherTrainingData, onMessage?: (message: string) => void): Promise<TeacherLike>;
  /** Engine for the student's quantum layers (default: a fresh one per model). */
  kernel?: Kernel;
}

/** Progress of an experiment. */
export interface ExperimentProgress {
  run: string;
  seed: number;
  progress: TrainProgress;
}

/** One run (arm × seed). */
export interface RunRecord {
  arm: ArmName;
  seed: number;
  epochs: number;
  /** The best validation epoch. */
  selectedEpoch: number;
  validationAccuracy: number;
  /** Test accuracy of the selected epoch (the reported number) and of the last epoch. */
  testAccuracy: number;
  lastTestAccuracy: number;
  initialParamsHash: string;
  seconds: number;
  history: EpochRecord[];
}

/** One arm over seeds: mean ± sample std. */
export interface ArmSummary {
  arm: ArmName;
  epochs: number;
  runs: RunRecord[];
  validation: { mean: number; std: number };
  test: { mean: number; std: number };
  lastTest: { mean: number; std: number };
}

/** A paired comparison of two arms (a − b over the same seeds). */
export interface ArmComparison {
  a: ArmName;
  b: ArmName;
  comparison: PairedComparison;
}

/** Result of {@link runKDExperiment}. */
export interface KDExperimentResult {
  name: string;
  /** The config as run (after a protocol was applied). */
  config: KDExperimentConfig;
  /** Model selection: always the validation split. */
  selection: 'validation';
  teacher: { validationAccuracy: number; testAccuracy: number } | null;
  arms: Partial<Record<ArmName, ArmSummary>>;
  /** kd vs baseline (the gain), kd vs pseudo-labels, kd-labelled vs baseline, pseudo-labels vs baseline — those whose arms ran. */
  comparisons: ArmComparison[];
  /** True when every arm of every seed started from bitwise-identical weights. */
  pairedInit: boolean;
  /** QAE fidelities when the student's inputs were compressed. */
  compression: { trainTrashFidelity: number; testTrashFidelity: number; testReconstructionFidelity: number } | null;
  sizes: { labelled: number; transfer: number; validation: number; test: number };
  seeds: number[];
  seconds: number;
}

/** Hooks of {@link runKDExperiment}. */
export interface ExperimentHooks {
  onProgress?: (p: ExperimentProgress) => void;
  onMessage?: (m: string) => void;
  signal?: AbortSignal;
  /** After every epoch of every student run (e.g. to keep the best-validation student: `info.best === record` when this epoch became the best). */
  onEpoch?: (run: ArmName, seed: number, record: EpochRecord, student: HybridModel, info: { best: EpochRecord | null }) => void | Promise<void>;
  /** Keep every run's training state in `store` (key {@link runKey}); with `resume`, continue the runs the store holds (finished ones are not trained again). */
  checkpoint?: ExperimentCheckpoint;
  /** Skip the test split (sweeps select on validation and read the test split only for the winner). */
  skipTest?: boolean;
  /**
   * Runs one arm × seed elsewhere, e.g. in a worker (`qdistill kd --jobs`).
   * The runs of an experiment are independent, so with an executor they all
   * start at once and the executor decides how many run together; their
   * records are gathered in the usual seed-then-arm order, so the result is
   * the one of the sequential loop.
   */
  runs?: RunExecutor;
}

/** One arm × seed of a prepared experiment, as plain data: what a worker needs to prepare the experiment itself and run it. */
export interface RunJob {
  /** The config {@link prepareKDExperiment} was given (it decides the data and the teacher). */
  prepareConfig: KDExperimentConfig;
  /** The config the run uses (the prepared one; a sweep point's). */
  config: KDExperimentConfig;
  arm: ArmName;
  seed: number;
  skipTest: boolean;
  /** Prefix of the run's checkpoint key (sweeps use one per grid point). */
  checkpointPrefix?: string;
}

/** Runs one {@link RunJob} to its record (see {@link ExperimentHooks.runs}). */
export type RunExecutor = (job: RunJob) => Promise<RunRecord>;

/** Checkpointing of an experiment: one training state per run (arm × seed, and a model teacher's training). */
export interface ExperimentCheckpoint {
  store: CheckpointStore;
  /** Continue from the states in the store (default false: start afresh, overwriting them). */
  resume?: boolean;
  /** Prefix of every key (sweeps use one per grid point). */
  prefix?: string;
}

/** The config fields a model teacher depends on (the data keys of sweeps): its checkpoint follows them, not the student's settings. */
const TEACHER_FIELDS = ['dataset', 'teacher', 'transform', 'compress', 'protocol'] as const;

/** A fingerprint of JSON (sorted keys): states saved under another config are refused on resume. */
function hashOf(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v)) ?? '';
  return hashFloat64(Array.from(text, (c) => c.codePointAt(0)!));
}

/** What a run's state depends on: the whole config, or for a model teacher only what makes the teacher. */
function runFingerprint(config: KDExperimentConfig, run: ArmName | 'teacher'): string {
  return hashOf(run === 'teacher' ? TEACHER_FIELDS.map((k) => config[k] ?? null) : config);
}

/**
 * The store key of one run: `<prefix><name>-<arm>-seed<seed>`, or
 * `<name>-teacher-<hash>` for a model teacher's training (the hash of the
 * fields that make the teacher, so sweep points that share it share it).
 *
 * @example
 * ```ts
 * runKey(config, 'kd', 0); // 'mnist-0-5-kd-seed0'
 * ```
 */
export function runKey(config: KDExperimentConfig, run: ArmName | 'teacher', seed: number, prefix = ''): string {
  const name = config.name ?? 'experiment';
  return run === 'teacher' ? `${name}-teacher-${runFingerprint(config, run).slice(0, 8)}` : `${prefix}${name}-${run}-seed${seed}`;
}

/** What distillKnowledge needs to checkpoint (and resume) one run of the experiment. */
async function runCheckpoint(
  checkpoint: ExperimentCheckpoint | undefined, config: KDExperimentConfig, run: ArmName | 'teacher', seed: number, onMessage?: (m: string) => void,
): Promise<{ checkpoint?: DistillCheckpoint; resumeFrom?: Uint8Array }> {
  if (!checkpoint) return {};
  const key = runKey(config, run, seed, checkpoint.prefix);
  const resumeFrom = checkpoint.resume ? await checkpoint.store.load(key) : null;
  if (resumeFrom) onMessage?.(`${key}: resuming from its saved state`);
  return {
    checkpoint: { save: (bytes) => checkpoint.store.save(key, bytes), context: { config: runFingerprint(config, run), run: key } },
    ...(resumeFrom ? { resumeFrom } : {}),
  };
}

/**
 * Accuracy of logits (N × C, row-major) against N labels: the fraction of
 * rows whose largest logit is at the label.
 *
 * @throws E_INVALID_ARGUMENT when `numClasses` is missing or not a positive integer, when the logits are not N × numClasses, or a label is outside 0..numClasses−1
 * @example
 * ```ts
 * logitsAccuracy(new Float32Array([0.1, 2, 3, -1]), new Int32Array([1, 0]), 2); // 1
 * ```
 */
export function logitsAccuracy(logits: Float32Array, labels: Int32Array, numClasses: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new QDistillError('E_INVALID_ARGUMENT', `logitsAccuracy: numClasses must be a positive integer (the logits' row length), got ${String(numClasses)}`);
  }
  if (labels.length === 0 || logits.length !== labels.length * numClasses) {
    throw new QDistillError('E_INVALID_ARGUMENT', `logitsAccuracy: expected ${labels.length} × ${numClasses} = ${labels.length * numClasses} logits for ${labels.length} labels and ${numClasses} classes, got ${logits.length}${labels.length === 0 ? ' (no labels)' : ''}`);
  }
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y < 0 || y >= numClasses) throw new QDistillError('E_INVALID_ARGUMENT', `logitsAccuracy: label ${y} at index ${i} is outside 0..${numClasses - 1}`);
  }
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logits[i * numClasses + c]! > logits[i * numClasses + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

/** Everything that does not depend on the arm or the seed. */
export interface PreparedExperiment {
  config: KDExperimentConfig;
  /** Raw samples (images, or state vectors) of each split. */
  labelled: Dataset;
  transfer: Dataset | null;
  validation: Dataset;
  test: Dataset;
  studentInput: InputTransform | undefined;
  teacher: TeacherLike | null;
  teacherInput: 'raw' | InputTransform;
  teacherScores: KDExperimentResult['teacher'];
  compression: KDExperimentResult['compression'];
  /** The config this was prepared from (what {@link RunJob.prepareConfig} carries). */
  prepareConfig: KDExperimentConfig;
}

/**
 * Loads and splits the data, fits the student's input pipeline (on the
 * labelled and transfer samples), trains or loads the teacher and scores it.
 * {@link runKDExperiment} calls it; sweeps call it once for many grid points.
 */
export async function prepareKDExperiment(rawConfig: KDExperimentConfig, env: ExperimentEnvironment, hooks: ExperimentHooks = {}): Promise<PreparedExperiment> {
  await initNN();
  const config = applyProtocol(rawConfig);
  const split = await loadExperimentData(config, env, hooks.onMessage);
  const { labelled, transfer, validation, test, teacherPool } = split;
  const pool = transfer ? concatDatasets([labelled, transfer]) : labelled;

  // The student's input: the transform pipeline, fitted on labelled ∪ transfer (never validation/test).
  let studentInput: InputTransform | undefined;
  if (config.transform?.length) {
    const pipeline = new Pipeline(config.transform as TransformConfig[]);
    pipeline.fit(pool);
    studentInput = (x, count, shape) => pipeline.transformBatch(x, count, shape);
  }

  let teacher: TeacherLike | null = null;
  let teacherInput: 'raw' | InputTransform = 'raw';
  if (config.teacher) {
    hooks.onMessage?.('preparing the teacher');
    if (config.teacher.type === 'model') {
      // A model teacher reads the transformed features (before any compression of the student's input).
      teacher = await trainModelTeacher(config, config.teacher, { pool: teacherPool, validation, studentInput }, env.kernel, hooks);
      if (studentInput) teacherInput = studentInput;
    } else {
      teacher = await env.createTeacher(
        config.teacher,
        { train: teacherPool, validation, datasetName: config.dataset.name, ...(hooks.checkpoint ? { checkpoint: hooks.checkpoint } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) },
        hooks.onMessage,
      );
    }
    if (teacher.numClasses !== labelled.numClasses) {
      throw new QDistillError('E_TEACHER', `teacher: has ${teacher.numClasses} classes but the dataset has ${labelled.numClasses}`);
    }
  }

  // Compression of state inputs (paper 002's QAE), trained on the training pool's states.
  let compression: KDExperimentResult['compression'] = null;
  if (config.compress) {
    const spec = config.compress;
    const n = config.dataset.name === 'zxz' ? config.dataset.numQubits : 0;
    hooks.onMessage?.(`compressing ${n}-qubit states onto ${spec.latentQubits} qubits with a quantum autoencoder`);
    const qae = await trainQuantumAutoencoder(statesOf(pool.x, n), {
      numQubits: n, latentQubits: spec.latentQubits,
      ...(spec.layers !== undefined ? { layers: spec.layers } : {}),
      ...(spec.steps !== undefined ? { steps: spec.steps } : {}),
      ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
      ...(spec.lr !== undefined ? { lr: spec.lr } : {}),
      seed: spec.seed ?? 0,
      ...(env.kernel ? { kernel: env.kernel } : {}),
    });
    const previous = studentInput;
    studentInput = compressInput(qae, n, previous);
    const c1 = qae.compress(statesOf(pool.x, n));
    const c2 = qae.compress(statesOf(test.x, n));
    compression = { trainTrashFidelity: c1.meanTrashFidelity, testTrashFidelity: c2.meanTrashFidelity, testReconstructionFidelity: c2.meanReconstructionFidelity };
    hooks.onMessage?.(`QAE: test trash fidelity ${c2.meanTrashFidelity.toFixed(4)}, reconstruction fidelity ${c2.meanReconstructionFidelity.toFixed(4)}`);
  }

  let teacherScores: KDExperimentResult['teacher'] = null;
  if (teacher) {
    const score = async (d: Dataset): Promise<number> => {
      const view = teacherInput === 'raw' ? d : { ...d, ...teacherInput(d.x, d.y.length, d.shape) };
      return logitsAccuracy(await teacherLogits(teacher!, view as Dataset, 'teacher'), d.y, teacher!.numClasses);
    };
    teacherScores = { validationAccuracy: await score(validation), testAccuracy: hooks.skipTest ? NaN : await score(test) };
  }
  return { config, labelled, transfer, validation, test, studentInput, teacher, teacherInput, teacherScores, compression, prepareConfig: rawConfig };
}

/** Optimiser steps per epoch over n samples. */
const stepsFor = (n: number, batch: number): number => Math.ceil(n / batch);

/** Epochs of an arm: arms on labelled data only get as many optimiser steps as the KD arm unless the config says otherwise. */
function armEpochs(arm: ArmName, p: PreparedExperiment): number {
  const { train } = p.config;
  const usesTransfer = p.transfer !== null && (arm === 'kd' || arm === 'pseudo-labels');
  if (usesTransfer || !p.transfer) return train.epochs;
  const policy = train.labelledOnlyEpochs ?? 'same-steps';
  if (policy === 'same-epochs') return train.epochs;
  if (typeof policy === 'number') return policy;
  const full = stepsFor(p.labelled.y.length + p.transfer.y.length, train.batchSize) * train.epochs;
  return Math.max(1, Math.round(full / stepsFor(p.labelled.y.length, train.batchSize)));
}

/**
 * Runs the arms of a prepared experiment over its seeds, paired: every arm of
 * a seed starts from the same initial weights (the student is built from the
 * seed) and draws its batch order from the same seeded stream.
 */
export async function runPreparedExperiment(p: PreparedExperiment, env: ExperimentEnvironment, hooks: ExperimentHooks = {}, started = performance.now()): Promise<KDExperimentResult> {
  const config = p.config;
  const seeds = config.train.seeds ?? [0];
  const arms = experimentArms(config);
  const runs = new Map<ArmName, RunRecord[]>(arms.map((a) => [a, []]));
  const hashes = new Map<number, Set<string>>();
  const jobs = seeds.flatMap((seed) => arms.map((arm) => ({ seed, arm })));
  let records: RunRecord[];
  const executor = hooks.runs;
  if (executor) {
    // Every run at once; the executor decides how many run together. Errors are reported in run order, after all settled.
    const settled = await Promise.allSettled(jobs.map(({ seed, arm }) => executor({
      prepareConfig: p.prepareConfig, config, arm, seed, skipTest: hooks.skipTest === true,
      ...(hooks.checkpoint?.prefix !== undefined ? { checkpointPrefix: hooks.checkpoint.prefix } : {}),
    })));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    records = settled.map((r) => (r as PromiseFulfilledResult<RunRecord>).value);
  } else {
    records = [];
    for (const { seed, arm } of jobs) records.push(await trainRun(p, env, hooks, seed, arm));
  }
  jobs.forEach(({ seed, arm }, i) => {
    if (!hashes.has(seed)) hashes.set(seed, new Set());
    hashes.get(seed)!.add(records[i]!.initialParamsHash);
    runs.get(arm)!.push(records[i]!);
  });
  const summaries: Partial<Record<ArmName, ArmSummary>> = {};
  for (const [arm, list] of runs) {
    summaries[arm] = {
      arm, epochs: list[0]!.epochs, runs: list,
      validation: meanStd(list.map((r) => r.validationAccuracy)),
      test: meanStd(list.map((r) => r.testAccuracy)),
      lastTest: meanStd(list.map((r) => r.lastTestAccuracy)),
    };
  }
  const comparisons: ArmComparison[] = [];
  const metric = hooks.skipTest ? 'validationAccuracy' : 'testAccuracy';
  for (const [a, b] of [['kd', 'baseline'], ['kd', 'pseudo-labels'], ['kd-labelled', 'baseline'], ['pseudo-labels', 'baseline'], ['kd', 'kd-labelled']] as const) {
    const ra = runs.get(a);
    const rb = runs.get(b);
    if (!ra || !rb) continue;
    comparisons.push({ a, b, comparison: pairedComparison(ra.map((r) => r[metric]), rb.map((r) => r[metric]), { a: ARM_LABELS[a], b: ARM_LABELS[b] }) });
  }
  return {
    name: config.name ?? config.dataset.name,
    config,
    selection: 'validation',
    teacher: p.teacherScores,
    arms: summaries,
    comparisons,
    pairedInit: [...hashes.values()].every((s) => s.size === 1),
    compression: p.compression,
    sizes: { labelled: p.labelled.y.length, transfer: p.transfer?.y.length ?? 0, validation: p.validation.y.length, test: p.test.y.length },
    seeds,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Trains one arm × seed of a prepared experiment: the student built from the
 * seed, trained by {@link distillKnowledge} with the arm's teacher and data,
 * selected on validation. {@link runPreparedExperiment} calls it for every
 * run; a worker running a {@link RunJob} calls it too.
 *
 * @example
 * ```ts
 * const record = await trainRun(await prepareKDExperiment(config, env), env, {}, 0, 'kd');
 * ```
 */
export async function trainRun(p: PreparedExperiment, env: ExperimentEnvironment, hooks: ExperimentHooks, seed: number, arm: ArmName): Promise<RunRecord> {
  const config = p.config;
  const studentConfig = { ...armStudentConfig(config, arm), seed } as HybridModelConfig;
  const student = await createHybridModel(studentConfig, env.kernel ? { kernel: env.kernel } : {});
  const epochs = armEpochs(arm, p);
  const withTransfer = arm === 'kd' || arm === 'pseudo-labels';
  const result: DistillKnowledgeResult = await distillKnowledge({
    student,
    teacher: arm === 'baseline' ? null : p.teacher,
    mode: arm === 'baseline' ? 'supervised' : arm === 'pseudo-labels' ? 'pseudo-labels' : 'kd',
    data: {
      train: p.labelled,
      ...(withTransfer && p.transfer ? { transfer: p.transfer } : {}),
      validation: p.validation,
      ...(hooks.skipTest ? {} : { test: p.test }),
    },
    ...(p.studentInput ? { studentInput: p.studentInput } : {}),
    teacherInput: p.teacherInput,
    ...(config.augment?.length ? { augment: config.augment } : {}),
    loss: config.kd ?? PAPER_003_KD,
    optimizer: config.train.optimizer ?? { type: 'adam', lr: 1e-3 },
    epochs,
    // Arms with more, shorter epochs check validation as often as the KD arm does.
    validateEvery: Math.max(1, Math.round(epochs / config.train.epochs)),
    batchSize: config.train.batchSize,
    seed,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(await runCheckpoint(hooks.checkpoint, config, arm, seed, hooks.onMessage)),
    onProgress: (progress) => hooks.onProgress?.({ run: arm, seed, progress }),
    onEpoch: (record, _student, info) => hooks.onEpoch?.(arm, seed, record, student, info),
  });
  return {
    arm, seed, epochs,
    selectedEpoch: result.selected.epoch,
    validationAccuracy: result.selected.validationAccuracy,
    testAccuracy: result.test?.selected.accuracy ?? NaN,
    lastTestAccuracy: result.test?.last.accuracy ?? NaN,
    initialParamsHash: result.initialParamsHash,
    seconds: result.seconds,
    history: result.history,
  };
}

/** Readable arm names (tables, verdicts). */
export const ARM_LABELS: Record<ArmName, string> = {
  kd: 'KD',
  'kd-labelled': 'KD on labelled data only',
  baseline: 'no KD',
  'pseudo-labels': 'pseudo-labels',
};

/**
 * Runs an experiment: for every seed, every arm of the config (by default
 * the student distilled from the teacher and the same student trained
 * without it, plus pseudo-labels when there is a transfer set), selects each
 * run's epoch on the validation split, reads the test split once per run, and
 * compares arms on paired seeds.
 *
 * @example
 * ```ts
 * const result = await runKDExperiment(validateKDConfig(json), nodeExperimentEnvironment());
 * const gain = result.comparisons.find((c) => c.a === 'kd' && c.b === 'baseline');
 * console.log(result.arms.kd?.test.mean, gain?.comparison.verdict);
 * ```
 */
export async function runKDExperiment(config: KDExperimentConfig, env: ExperimentEnvironment, hooks: ExperimentHooks = {}): Promise<KDExperimentResult> {
  const started = performance.now();
  const prepared = await prepareKDExperiment(config, env, hooks);
  return runPreparedExperiment(prepared, env, hooks, started);
}

async function trainModelTeacher(
  config: KDExperimentConfig,
  spec: Extract<TeacherSpec, { type: 'model' }>,
  data: { pool: Dataset; validation: Dataset; studentInput: InputTransform | undefined },
  kernel: Kernel | undefined,
  hooks: ExperimentHooks,
): Promise<TeacherLike> {
  const model = await createHybridModel({ ...spec.model, seed: spec.seed ?? spec.model.seed ?? 0 } as HybridModelConfig, kernel ? { kernel } : {});
  hooks.onMessage?.(`teacher: training ${spec.model.arch} for ${spec.epochs} epochs`);
  const result = await distillKnowledge({
    student: model, teacher: null, data: { train: data.pool, validation: data.validation },
    ...(data.studentInput ? { studentInput: data.studentInput } : {}),
    epochs: spec.epochs, batchSize: spec.batchSize, optimizer: spec.optimizer ?? { type: 'adam', lr: 1e-2 }, seed: spec.seed ?? 0,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(await runCheckpoint(hooks.checkpoint, config, 'teacher', spec.seed ?? 0, hooks.onMessage)),
    onProgress: (progress) => hooks.onProgress?.({ run: 'teacher', seed: spec.seed ?? 0, progress }),
  });
  hooks.onMessage?.(`teacher: best validation accuracy ${(100 * result.selected.validationAccuracy).toFixed(2)}% at epoch ${result.selected.epoch}`);
  const shape = data.studentInput ? data.studentInput(data.pool.x.subarray(0, featureSize(data.pool.shape)), 1, data.pool.shape).shape : data.pool.shape;
  return ModelTeacher.fromModule(model, { dataShape: shape, numClasses: spec.model.numClasses, name: spec.model.arch });
}

function featureSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Splits flat state inputs (re then im per sample) into states. */
function statesOf(x: Float32Array, numQubits: number): ComplexState[] {
  const size = 1 << numQubits;
  const per = 2 * size;
  if (x.length % per !== 0) throw new QDistillError('E_SHAPE', `state inputs: expected ${per} values per sample for ${numQubits} qubits`);
  return Array.from({ length: x.length / per }, (_, i) => ({
    re: Float64Array.from(x.subarray(i * per, i * per + size)),
    im: Float64Array.from(x.subarray(i * per + size, (i + 1) * per)),
  }));
}

function compressInput(qae: QuantumAutoencoder, numQubits: number, before: InputTransform | undefined): InputTransform {
  return (x, count, shape) => {
    const input = before ? before(x, count, shape) : { x, shape };
    const states = qae.compress(statesOf(input.x, numQubits)).states;
    const size = states[0]?.re.length ?? 1 << qae.latentQubits;
    const out = new Float32Array(count * 2 * size);
    states.forEach((s, i) => {
      out.set(s.re, i * 2 * size);
      out.set(s.im, i * 2 * size + size);
    });
    return { x: out, shape: [2 * size] };
  };
}

/** A dataset whose samples are states (re then im). */
function statesDataset(states: readonly ComplexState[], y: Int32Array, classNames?: string[]): Dataset {
  const size = states[0]!.re.length;
  const x = new Float32Array(states.length * 2 * size);
  states.forEach((s, i) => {
    x.set(s.re, i * 2 * size);
    x.set(s.im, i * 2 * size + size);
  });
  return createDataset({ x, y, shape: [2 * size], numClasses: 2, ...(classNames ? { classNames } : {}) });
}

/**
 * The experiment's raw splits: image data carved into validation, labelled
 * and transfer sets from the canonical training split (test = canonical test
 * split); ZXZ ground states split into train (labelled), validation and test.
 */
async function loadExperimentData(
  config: KDExperimentConfig,
  env: ExperimentEnvironment,
  onMessage?: (m: string) => void,
): Promise<{ labelled: Dataset; transfer: Dataset | null; validation: Dataset; test: Dataset; teacherPool: Dataset }> {
  const spec = config.dataset;
  if (spec.name === 'zxz') {
    onMessage?.(`generating ${spec.train + spec.test} ZXZ ground states on ${spec.numQubits} qubits`);
    const all = await zxzDataset({
      numQubits: spec.numQubits,
      sampling: { kind: 'random', count: spec.train + spec.test, seed: spec.seed ?? 0, h1: spec.h1 ?? [0, 2], h2: spec.h2 ?? 0 },
    });
    const v = spec.validation ?? Math.max(1, Math.round(0.2 * spec.train));
    const part = (from: number, to: number): Dataset => statesDataset(all.states.slice(from, to), all.y.slice(from, to), all.classNames);
    const labelled = part(0, spec.train - v);
    return { labelled, transfer: null, validation: part(spec.train - v, spec.train), test: part(spec.train, spec.train + spec.test), teacherPool: labelled };
  }
  const full = await env.loadDataset(spec.name);
  const train = selectClasses(full.train, spec.classes);
  let test = selectClasses(full.test, spec.classes);
  const s = carveSplits(train, {
    ...(spec.validation?.perClass !== undefined ? { validationPerClass: spec.validation.perClass } : {}),
    ...(spec.validation?.fraction !== undefined ? { validationFraction: spec.validation.fraction } : {}),
    ...(spec.validation?.seed !== undefined ? { validationSeed: spec.validation.seed } : {}),
    labelledPerClass: spec.labelledPerClass ?? null,
    selection: spec.selection ?? 'first',
    seed: 1000,
    transfer: spec.transfer ?? null,
  });
  if (spec.testPerClass != null) test = subset(test, firstPerClassIndices(test, spec.testPerClass));
  const isValidation = new Uint8Array(train.y.length);
  for (const i of s.validation) isValidation[i] = 1;
  const teacherIndices = Int32Array.from({ length: train.y.length }, (_, i) => i).filter((i) => !isValidation[i]);
  return {
    teacherPool: subset(train, teacherIndices),
    labelled: subset(train, s.labelled),
    transfer: s.transfer.length ? subset(train, s.transfer) : null,
    validation: subset(train, s.validation),
    test,
  };
}
