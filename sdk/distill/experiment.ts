/**
 * Runs a knowledge-distillation experiment from its JSON config: data
 * selection, teacher, student pipeline, KD and baseline runs over seeds,
 * mean ± std. Isomorphic: where data and teachers come from is injected
 * (the Node CLI passes file-system loaders; a web app passes its own).
 */
import { QDistillError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { firstPerClass, randomPerClass, selectClasses } from '../data/select.js';
import { Pipeline } from '../data/transforms.js';
import { init as initNN } from '../nn/backend.js';
import { createHybridModel, type HybridModel } from '../qnn/hybrid.js';
import type { Kernel } from '../kernel/kernel.js';
import type { KDExperimentConfig, TeacherSpec, ZxzDatasetSpec } from './config.js';
import { createDataset } from '../data/dataset.js';
import type { ComplexState } from '../data/hamiltonian.js';
import { zxzDataset } from '../data/zxz.js';
import { trainQuantumAutoencoder } from './qae.js';
import { ModelTeacher } from '../teachers/model-teacher.js';
import { distillKnowledge, PAPER_003_KD, type DistillKnowledgeResult, type EpochRecord, type TrainProgress } from './knowledge.js';
import type { TeacherLike } from './teacher.js';

/** Where an experiment gets data and teachers. */
export interface ExperimentEnvironment {
  /** Canonical train/test splits of an image dataset (all classes, labels = class ids). */
  loadDataset(name: 'mnist' | 'fashion-mnist'): Promise<{ train: Dataset; test: Dataset }>;
  /** A teacher for the selected classes, given the full selected training split. */
  createTeacher(spec: TeacherSpec, data: { train: Dataset; test: Dataset; datasetName: string }, onProgress?: (message: string) => void): Promise<TeacherLike>;
  /** Engine for the student's quantum layers (default: a fresh one per model). */
  kernel?: Kernel;
}

/** Progress of an experiment. */
export interface ExperimentProgress {
  run: string;
  seed: number;
  progress: TrainProgress;
}

/** Summary statistics of one arm (KD or baseline) over seeds. */
export interface ArmSummary {
  /** Best test accuracy over epochs, per seed. */
  bestAccuracies: number[];
  /** Last-epoch test accuracy, per seed. */
  lastAccuracies: number[];
  mean: number;
  std: number;
  lastMean: number;
  runs: DistillKnowledgeResult[];
}

/** Result of {@link runKDExperiment}. */
export interface KDExperimentResult {
  name: string;
  /** QAE fidelities when the student's inputs were compressed. */
  compression: { trainTrashFidelity: number; testTrashFidelity: number; testReconstructionFidelity: number } | null;
  teacherAccuracy: number | null;
  kd: ArmSummary | null;
  baseline: ArmSummary | null;
  trainSize: number;
  testSize: number;
  epochs: number;
  seeds: number[];
  seconds: number;
}

/** Mean and (sample, n − 1) standard deviation. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

function summarize(runs: DistillKnowledgeResult[]): ArmSummary {
  const best = runs.map((r) => r.best.testAccuracy);
  const last = runs.map((r) => r.last.testAccuracy);
  const { mean, std } = meanStd(best);
  return { bestAccuracies: best, lastAccuracies: last, mean, std, lastMean: meanStd(last).mean, runs };
}

/** Accuracy of logits (N × C) against labels. */
export function logitsAccuracy(logits: Float32Array, labels: Int32Array, numClasses: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logits[i * numClasses + c]! > logits[i * numClasses + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

/**
 * Runs an experiment: for every seed, the student distilled from the teacher
 * and (unless `baseline: false`) the same student trained without it.
 *
 * @example
 * ```ts
 * const result = await runKDExperiment(validateKDConfig(json), nodeEnvironment());
 * console.log(result.kd.mean, result.baseline.mean, result.teacherAccuracy);
 * ```
 */
export async function runKDExperiment(
  config: KDExperimentConfig,
  env: ExperimentEnvironment,
  hooks: {
    onProgress?: (p: ExperimentProgress) => void;
    onMessage?: (m: string) => void;
    signal?: AbortSignal;
    /** After every epoch of every student run (e.g. to checkpoint the best student). */
    onEpoch?: (run: 'kd' | 'baseline', seed: number, record: EpochRecord, student: HybridModel) => void | Promise<void>;
  } = {},
): Promise<KDExperimentResult> {
  const started = performance.now();
  await initNN();
  const seeds = config.train.seeds ?? [0];
  const raw = await loadExperimentData(config, env, hooks.onMessage);
  const train = raw.train;
  const test = raw.test;

  // Features: the student's input pipeline (also what `model` teachers see).
  const pipeline = new Pipeline((config.transform ?? []) as never);
  const featuresTrain = pipeline.fitTransform(train);
  const featuresTest = pipeline.transform(test);

  let teacher: TeacherLike | null = null;
  let teacherAccuracy: number | null = null;
  let teacherTrain = train;
  let teacherTest = test;
  if (config.teacher) {
    hooks.onMessage?.('preparing the teacher');
    if (config.teacher.type === 'model') {
      const spec = config.teacher;
      teacherTrain = featuresTrain;
      teacherTest = featuresTest;
      const model = await createHybridModel({ ...spec.model, seed: spec.seed ?? spec.model.seed ?? 0 } as typeof spec.model, env.kernel ? { kernel: env.kernel } : {});
      hooks.onMessage?.(`teacher: training ${spec.model.arch} for ${spec.epochs} epochs`);
      await distillKnowledge({
        student: model, teacher: null, data: { train: featuresTrain, test: featuresTest },
        epochs: spec.epochs, batchSize: spec.batchSize, optimizer: spec.optimizer ?? { type: 'adam', lr: 1e-2 }, seed: spec.seed ?? 0,
        onProgress: (progress) => hooks.onProgress?.({ run: 'teacher', seed: spec.seed ?? 0, progress }),
      });
      teacher = ModelTeacher.fromModule(model, { dataShape: featuresTrain.shape, numClasses: spec.model.numClasses, name: spec.model.arch });
    } else {
      teacher = await env.createTeacher(config.teacher, { train: raw.teacherTrain ?? train, test, datasetName: config.dataset.name }, hooks.onMessage);
    }
    const ready: TeacherLike = teacher;
    if (ready.numClasses !== train.numClasses) {
      throw new QDistillError('E_TEACHER', `teacher: has ${ready.numClasses} classes but the dataset has ${train.numClasses}`);
    }
    teacherAccuracy = logitsAccuracy(await ready.logitsFor(teacherTest), teacherTest.y, ready.numClasses);
  }

  // Student inputs: the features, compressed by a QAE if asked.
  let studentTrain = featuresTrain;
  let studentTest = featuresTest;
  let compression: KDExperimentResult['compression'] = null;
  if (config.compress) {
    const spec = config.compress;
    const n = (config.dataset as ZxzDatasetSpec).numQubits;
    hooks.onMessage?.(`compressing ${n}-qubit states onto ${spec.latentQubits} qubits with a quantum autoencoder`);
    const qae = await trainQuantumAutoencoder(statesOf(featuresTrain, n), {
      numQubits: n, latentQubits: spec.latentQubits,
      ...(spec.layers !== undefined ? { layers: spec.layers } : {}),
      ...(spec.steps !== undefined ? { steps: spec.steps } : {}),
      ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
      ...(spec.lr !== undefined ? { lr: spec.lr } : {}),
      seed: spec.seed ?? 0,
      ...(env.kernel ? { kernel: env.kernel } : {}),
    });
    const c1 = qae.compress(statesOf(featuresTrain, n));
    const c2 = qae.compress(statesOf(featuresTest, n));
    studentTrain = statesDataset(c1.states, featuresTrain);
    studentTest = statesDataset(c2.states, featuresTest);
    compression = { trainTrashFidelity: c1.meanTrashFidelity, testTrashFidelity: c2.meanTrashFidelity, testReconstructionFidelity: c2.meanReconstructionFidelity };
    hooks.onMessage?.(`QAE: test trash fidelity ${c2.meanTrashFidelity.toFixed(4)}, reconstruction fidelity ${c2.meanReconstructionFidelity.toFixed(4)}`);
  }

  const arms: Array<{ name: 'kd' | 'baseline'; teacher: TeacherLike | null }> = [];
  if (teacher) arms.push({ name: 'kd', teacher });
  if (config.baseline !== false || !teacher) arms.push({ name: 'baseline', teacher: null });
  const results: Record<'kd' | 'baseline', DistillKnowledgeResult[]> = { kd: [], baseline: [] };
  for (const seed of seeds) {
    for (const arm of arms) {
      const student = await createHybridModel({ ...config.student, seed } as typeof config.student, env.kernel ? { kernel: env.kernel } : {});
      const result = await distillKnowledge({
        student,
        teacher: arm.teacher,
        data: { train: studentTrain, test: studentTest },
        teacherData: { train: teacherTrain },
        loss: config.kd ?? PAPER_003_KD,
        optimizer: config.train.optimizer ?? { type: 'adam', lr: 1e-3 },
        epochs: config.train.epochs,
        batchSize: config.train.batchSize,
        seed,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        onProgress: (progress) => hooks.onProgress?.({ run: arm.name, seed, progress }),
        onEpoch: (record) => hooks.onEpoch?.(arm.name, seed, record, student),
      });
      results[arm.name].push(result);
    }
  }
  return {
    name: config.name ?? config.dataset.name,
    compression,
    teacherAccuracy,
    kd: results.kd.length ? summarize(results.kd) : null,
    baseline: results.baseline.length ? summarize(results.baseline) : null,
    trainSize: studentTrain.y.length,
    testSize: studentTest.y.length,
    epochs: config.train.epochs,
    seeds,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Splits a dataset of statevector inputs (re then im) into states. */
function statesOf(dataset: Dataset, numQubits: number): ComplexState[] {
  const size = 1 << numQubits;
  const per = 2 * size;
  if (dataset.x.length !== dataset.y.length * per) {
    throw new QDistillError('E_SHAPE', `state inputs: expected ${per} values per sample for ${numQubits} qubits, got ${dataset.x.length / dataset.y.length}`);
  }
  return Array.from({ length: dataset.y.length }, (_, i) => ({
    re: Float64Array.from(dataset.x.subarray(i * per, i * per + size)),
    im: Float64Array.from(dataset.x.subarray(i * per + size, (i + 1) * per)),
  }));
}

/** A dataset whose samples are states (re then im), with another dataset's labels. */
function statesDataset(states: readonly ComplexState[], labels: Dataset): Dataset {
  const size = states[0]!.re.length;
  const x = new Float32Array(states.length * 2 * size);
  states.forEach((s, i) => {
    x.set(s.re, i * 2 * size);
    x.set(s.im, i * 2 * size + size);
  });
  return createDataset({ x, y: labels.y, shape: [2 * size], numClasses: labels.numClasses, ...(labels.classNames ? { classNames: labels.classNames } : {}) });
}

/**
 * The experiment's train/test data: canonical image splits with the chosen
 * classes and per-class selection, or ZXZ ground states.
 */
async function loadExperimentData(
  config: KDExperimentConfig,
  env: ExperimentEnvironment,
  onMessage?: (m: string) => void,
): Promise<{ train: Dataset; test: Dataset; teacherTrain?: Dataset }> {
  const spec = config.dataset;
  if (spec.name === 'zxz') {
    onMessage?.(`generating ${spec.train + spec.test} ZXZ ground states on ${spec.numQubits} qubits`);
    const all = await zxzDataset({
      numQubits: spec.numQubits,
      sampling: { kind: 'random', count: spec.train + spec.test, seed: spec.seed ?? 0, h1: spec.h1 ?? [0, 2], h2: spec.h2 ?? 0 },
    });
    const split = (from: number, to: number): Dataset =>
      statesDataset(all.states.slice(from, to), createDataset({ x: new Float32Array(to - from), y: all.y.slice(from, to), shape: [1], numClasses: 2, classNames: all.classNames }));
    return { train: split(0, spec.train), test: split(spec.train, spec.train + spec.test) };
  }
  const full = await env.loadDataset(spec.name);
  const train = selectClasses(full.train, spec.classes);
  const test = selectClasses(full.test, spec.classes);
  const pick = (ds: Dataset, k: number | null | undefined, seed: number): Dataset => {
    if (k === null || k === undefined) return ds;
    return spec.selection === 'random' ? randomPerClass(ds, k, seed) : firstPerClass(ds, k);
  };
  // Classical teachers are trained on the whole selected training split; the student sees the subset.
  return { train: pick(train, spec.trainPerClass, 1000), test: pick(test, spec.testPerClass, 2000), teacherTrain: train };
}
