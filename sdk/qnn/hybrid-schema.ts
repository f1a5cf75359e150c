/**
 * The one schema of hybrid model configs (`quantum-lenet-000`,
 * `student-003`, `qnn-classifier`) and of their parts (encoders, ansätze,
 * readouts): {@link createHybridModel} validates with it, and so do the
 * student of a KD experiment and the model of a dataset-distillation
 * experiment. Strict at every level, sizes bounded ({@link LIMITS}); errors
 * (`E_CONFIG`) give the path, the bad value and what is allowed:
 * `model config ansatz.layers: expected a number ≤ 1000, got 1000000`.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { circuitToJSON, type CircuitJSON } from '../circuit/serialize.js';
import { Circuit } from '../circuit/circuit.js';
import { LIMITS, nonNegativeInt, oneOf, parseConfig, positive, positiveInt, seedValue, strictObject, tagged } from '../util/schema.js';
import type { QNNClassifierConfig } from './models/qnn-classifier.js';
import type { QuantumLeNetConfig } from './models/quantum-lenet.js';
import type { Student003Config } from './models/student-003.js';

/** The same union as hybrid.ts's HybridModelConfig (imported from the models, so hybrid.ts and this file do not import each other). */
type HybridModelConfig = QuantumLeNetConfig | Student003Config | QNNClassifierConfig;

const rows = z.array(z.array(z.number()).readonly()).readonly();
const rowsMatrix = strictObject({ re: rows, im: rows });
const wire = nonNegativeInt(LIMITS.qubits - 1);
const wires = z.array(wire).min(1).max(LIMITS.qubits);
const features = positiveInt(LIMITS.features);
const layers = positiveInt(LIMITS.layers);
const rotation = z.enum(['X', 'Y', 'Z']);
const dtype = z.enum(['float32', 'float64']).describe('classical parameter dtype (default float32)');
const classes = positiveInt(LIMITS.classes).describe('output classes');

/** Gradient method of a quantum layer. */
export const diffMethodSchema = z.enum(['adjoint', 'parameter-shift', 'finite-diff']).describe('gradient method (default adjoint)');
const shots = positiveInt(LIMITS.shots).nullable().describe('finite shots (seeded sampling), or null for exact values');
/** The parameter-shift rule of single-frequency gates. */
export const shiftRuleSchema = strictObject({
  shift: positive().optional().describe('the shift s in radians (default π/(2b))'),
  factor: z.enum(['exact', 'none']).optional().describe("'exact' (default): the derivative; 'none': the raw difference"),
}).describe('parameter-shift rule of single-frequency gates');

/** An encoder: how the features enter the circuit. */
export const encoderSchema = tagged('type', [
  strictObject({
    type: z.literal('AmplitudeEmbedding'),
    numFeatures: features.optional().describe('features (default 2^numQubits; fewer are padded)'),
    pad: z.number().optional().describe('padding value (default 0)'),
    normalize: z.boolean().optional(),
    bias: z.number().optional().describe('a constant amplitude c appended before normalising'),
    normFeature: z.union([z.boolean(), z.number().min(0)]).optional().describe('append the scaled input norm as an amplitude'),
  }),
  strictObject({
    type: z.literal('AngleEmbedding'),
    rotation: rotation.optional(),
    numFeatures: features.optional(),
    scale: z.number().optional(),
    offset: z.number().optional(),
  }),
  strictObject({ type: z.literal('BasisEmbedding') }),
  strictObject({ type: z.literal('PhaseEmbedding'), numFeatures: features.optional(), scale: z.number().optional() }),
  strictObject({ type: z.literal('StateInput') }),
  strictObject({ type: z.literal('none') }),
]).describe('how the features enter the circuit');

const reuploadBlock = tagged('type', [
  strictObject({ type: z.literal('StronglyEntanglingLayers'), layers: layers.optional(), ranges: z.array(positiveInt(LIMITS.qubits)).optional(), imprimitive: z.string().optional() }),
  strictObject({ type: z.literal('BasicEntanglerLayers'), layers: layers.optional(), rotation: rotation.optional() }),
]);

/** A circuit in its JSON form (circuitToJSON); its own reader (circuitFromJSON) validates the ops, so the type is its. */
const circuitJson = z.looseObject({ format: z.string(), version: z.number(), numQubits: positiveInt(LIMITS.qubits), ops: z.array(z.unknown()) }) as unknown as z.ZodType<CircuitJSON>;

/** An ansatz: the trainable circuit after the encoder. */
export const ansatzSchema = tagged('type', [
  strictObject({
    type: z.literal('DataReuploading'),
    numFeatures: features.optional(),
    rotations: z.array(rotation).min(1).max(3).optional(),
    scale: z.number().optional(),
    offset: z.number().optional(),
    repeats: positiveInt(LIMITS.layers).optional(),
    block: reuploadBlock.optional(),
    initialBlock: z.boolean().optional(),
  }),
  strictObject({ type: z.literal('circuit'), circuit: circuitJson.describe('a user circuit in its JSON form (circuitToJSON)') }),
  strictObject({ type: z.literal('StronglyEntanglingLayers'), layers, ranges: z.array(positiveInt(LIMITS.qubits)).optional(), imprimitive: z.string().optional() }),
  strictObject({ type: z.literal('BasicEntanglerLayers'), layers, rotation: rotation.optional() }),
  strictObject({ type: z.literal('HardwareEfficient'), layers, rotations: z.array(rotation).min(1).max(3).optional() }),
  strictObject({ type: z.literal('HadamardRY') }),
  strictObject({ type: z.literal('none') }),
]).describe('the trainable circuit after the encoder');

/** A readout of a quantum layer. */
export const measurementSchema = tagged('type', [
  strictObject({ type: z.literal('expval'), observable: z.string().min(1).describe('a Pauli word, e.g. "Z0 X1"') }),
  strictObject({ type: z.literal('expvalZ'), wires: wires.optional() }),
  strictObject({
    type: z.literal('expvalZZ'),
    pairs: z.union([z.enum(['chain', 'ring', 'all']), z.array(z.tuple([wire, wire])).min(1)]).optional(),
  }),
  strictObject({
    type: z.literal('hermitian'),
    wires,
    trainable: z.boolean().optional(),
    parametrization: z.enum(['A', 'pauli']).optional(),
    matrix: rowsMatrix.optional(),
  }),
  strictObject({ type: z.literal('probs'), wires: wires.optional(), classes: positiveInt(1 << LIMITS.qubits).optional() }),
]);

/** Every hybrid model config (tagged by `arch`). */
export const hybridModelSchema = tagged('arch', [
  strictObject({
    arch: z.literal('quantum-lenet-000'),
    numClasses: classes,
    dtype: dtype.optional(),
    imageSize: positiveInt(LIMITS.imageSide).optional().describe('image side (28 for MNIST, 32 for CIFAR-10)'),
    inChannels: positiveInt(LIMITS.small).optional(),
    residual: z.boolean().optional().describe('residual branch (default true)'),
    readout: z.enum(['hermitian', 'pauliZ']).optional(),
    hermitianFrozen: z.boolean().optional(),
    hermitian: z.enum(['complex', 'real']).optional().describe("Hermitian parametrisation (default 'complex')"),
    layers: layers.optional().describe('StronglyEntanglingLayers depth (default 3)'),
    diffMethod: diffMethodSchema.optional(),
    shots: shots.optional(),
    seed: seedValue().optional(),
  }).describe("paper 000's quantum LeNet"),
  strictObject({
    arch: z.literal('student-003'),
    numClasses: classes,
    dtype: dtype.optional(),
    numQubits: positiveInt(12).describe('3 or 4 in the paper'),
    dropout: z.number().min(0).lt(1).optional(),
    shots: shots.optional(),
    head: z.enum(['born', 'sigmoid-concat', 'softmax', 'probs-as-logits']).optional().describe("what forward returns (default 'born')"),
    diffMethod: diffMethodSchema.optional(),
    shiftRule: shiftRuleSchema.optional(),
    seed: seedValue().optional(),
  }).describe("paper 003's quantum student"),
  strictObject({
    arch: z.literal('qnn-classifier'),
    numClasses: classes,
    dtype: dtype.optional(),
    numQubits: positiveInt(LIMITS.qubits),
    encoder: encoderSchema,
    ansatz: ansatzSchema,
    measurements: z.array(measurementSchema).min(1).max(64),
    head: z.boolean().optional().describe('a linear head from the QNN outputs to the classes (default: when outputs ≠ classes)'),
    outputScale: oneOf('a finite number or { init, trainable }', [
      z.number(),
      strictObject({ init: oneOf('a finite number or a list of finite numbers', [z.number(), z.array(z.number()).min(1).max(LIMITS.features)]), trainable: z.boolean().optional() }),
    ])
      .optional()
      .describe('scale of the QNN outputs before the head/loss (default 1)'),
    logProbs: z.boolean().optional(),
    shiftRule: shiftRuleSchema.optional(),
    diffMethod: diffMethodSchema.optional(),
    shots: shots.optional(),
    seed: seedValue().optional(),
  }).describe('encoder + ansatz + readout, optionally with a classical head'),
]);

// Every config the schema accepts is a HybridModelConfig, and every HybridModelConfig (with a
// JSON circuit) has the schema's type: a field added to one and not the other fails to compile here.
type Inferred = z.infer<typeof hybridModelSchema>;
type NoCircuitInstance<C> = C extends { ansatz: infer A } ? Omit<C, 'ansatz'> & { ansatz: Exclude<A, { type: 'circuit' }> } : C;
type Extends<A, B> = [A] extends [B] ? true : false;
const schemaTypeIsAConfig: Extends<Inferred, HybridModelConfig> = true;
const configIsSchemaType: Extends<NoCircuitInstance<HybridModelConfig>, Inferred> = true;
void schemaTypeIsAConfig;
void configIsSchemaType;

/** The JSON view of a config: a `circuit` ansatz given as a {@link Circuit} is validated in its JSON form. */
function jsonView(config: unknown): unknown {
  if (typeof config !== 'object' || config === null) return config;
  const ansatz = (config as { ansatz?: unknown }).ansatz as { type?: unknown; circuit?: unknown } | undefined;
  if (ansatz?.type === 'circuit' && ansatz.circuit instanceof Circuit) return { ...config, ansatz: { ...ansatz, circuit: circuitToJSON(ansatz.circuit) } };
  return config;
}

/**
 * Validates a hybrid model config against {@link hybridModelSchema} and
 * returns it typed (a `circuit` ansatz may be a {@link Circuit}: it is checked
 * in its JSON form).
 *
 * @throws E_CONFIG naming each bad field, its value and what is allowed, e.g.
 *   `model config encoder: missing (expected type to be one of "AmplitudeEmbedding", …)`
 * @example
 * ```ts
 * const config = validateHybridModelConfig({ arch: 'student-003', numClasses: 6, numQubits: 3 });
 * ```
 */
export function validateHybridModelConfig(config: unknown, what = 'model config'): HybridModelConfig {
  parseConfig(hybridModelSchema, jsonView(config), what);
  return config as HybridModelConfig;
}
