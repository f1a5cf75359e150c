/**
 * Builders of the circuits a {@link QNNLayer} runs: encoders that read the
 * sample's inputs and ansätze whose angles are trainable weights, all as
 * symbolic {@link ParamSource}s so the tape takes them per sample.
 */
import { QDistillError, unreachable } from '../errors.js';
import { Circuit } from '../circuit/circuit.js';
import { input, weight } from '../circuit/params.js';
import { circuitFromJSON, type CircuitJSON } from '../circuit/serialize.js';
import {
  amplitudeEmbedding, basicEntanglerLayers, stronglyEntanglingLayers, weightRefs,
} from '../circuit/templates.js';

/**
 * How samples enter the circuit.
 *
 * `AmplitudeEmbedding` takes two extras beyond PennyLane's (see
 * {@link amplitudeEmbedding} for the math): `bias: c` appends a constant
 * amplitude c after the features before normalisation (keeps ‖x‖ and the
 * sign of x), `normFeature: true | s` appends s·‖x‖² (s = 1 for `true`;
 * keeps ‖x‖, and the sign less so for small ‖x‖). Both need
 * numFeatures + extras ≤ 2ⁿ and `normalize` (the default).
 *
 * @example
 * ```json
 * { "type": "AmplitudeEmbedding", "numFeatures": 63, "pad": 0, "bias": 1 }
 * ```
 */
export type EncoderConfig =
  | { type: 'AmplitudeEmbedding'; numFeatures?: number; pad?: number; normalize?: boolean; bias?: number; normFeature?: boolean | number }
  | { type: 'AngleEmbedding'; rotation?: 'X' | 'Y' | 'Z'; numFeatures?: number; scale?: number; offset?: number }
  | { type: 'BasisEmbedding' }
  | { type: 'PhaseEmbedding'; numFeatures?: number; scale?: number }
  | { type: 'StateInput' }
  | { type: 'none' };

/** The trainable block of a {@link DataReuploadingConfig}: one StronglyEntanglingLayers or BasicEntanglerLayers template. */
export type ReuploadingBlockConfig =
  | { type: 'StronglyEntanglingLayers'; layers?: number; ranges?: number[]; imprimitive?: string }
  | { type: 'BasicEntanglerLayers'; layers?: number; rotation?: 'X' | 'Y' | 'Z' };

/**
 * Data re-uploading (Pérez-Salinas et al. 2020): angle-encoding blocks
 * interleaved with trainable blocks, so that the circuit sees its features
 * several times and more features than qubits fit, uploaded in chunks.
 *
 * An encoding block uploads one chunk of C = n·R features (R = rotations per
 * wire): for every wire w, for every rotation ρ in `rotations`, the gate
 * R_ρ(scale·x_f + offset) with f = k·C + w·R + ρ for chunk k (features
 * past numFeatures get no gate). The circuit is
 *
 *   [block] (if initialBlock), then `repeats` times: for each of the
 *   K = ⌈numFeatures / C⌉ chunks, encode chunk k, then one trainable block.
 *
 * Weights: repeats·K (+1) blocks, each with its template's weights in
 * PennyLane order ((layers, n, 3) for StronglyEntanglingLayers, (layers, n)
 * for BasicEntanglerLayers), block after block. The features are read after
 * the encoder's inputs (from input 0 with the `none` encoder).
 *
 * @example
 * ```json
 * { "type": "DataReuploading", "numFeatures": 16, "rotations": ["Y", "Z"], "scale": 3.14159,
 *   "repeats": 2, "block": { "type": "StronglyEntanglingLayers", "layers": 1 } }
 * ```
 */
export interface DataReuploadingConfig {
  type: 'DataReuploading';
  /** Features uploaded (default n·rotations.length: one chunk). */
  numFeatures?: number;
  /** Rotations applied per wire in each encoding block, in order (default ['Y']). */
  rotations?: ('X' | 'Y' | 'Z')[];
  /** Angle = scale·x + offset (defaults 1 and 0). */
  scale?: number;
  offset?: number;
  /** How many times the whole feature vector is uploaded (default 1). */
  repeats?: number;
  /** The trainable block after every encoding block (default one StronglyEntanglingLayers layer). */
  block?: ReuploadingBlockConfig;
  /** A trainable block before the first encoding block too (default false). */
  initialBlock?: boolean;
}

/** The trainable (or input-driven) circuit after the encoder. */
export type AnsatzConfig =
  | { type: 'StronglyEntanglingLayers'; layers: number; ranges?: number[]; imprimitive?: string }
  | { type: 'BasicEntanglerLayers'; layers: number; rotation?: 'X' | 'Y' | 'Z' }
  | { type: 'HardwareEfficient'; layers: number; rotations?: ('X' | 'Y' | 'Z')[] }
  | { type: 'HadamardRY' }
  | DataReuploadingConfig
  /** A user circuit, or its JSON form ({@link circuitToJSON}) in a JSON config. */
  | { type: 'circuit'; circuit: Circuit | CircuitJSON }
  | { type: 'none' };

/** The amplitude embedding's extras: the bias c and the norm scale s (0: off). */
export function amplitudeExtras(encoder: Extract<EncoderConfig, { type: 'AmplitudeEmbedding' }>): { bias: number; normScale: number } {
  const norm = encoder.normFeature;
  return { bias: encoder.bias ?? 0, normScale: norm === true ? 1 : typeof norm === 'number' ? norm : 0 };
}

/** The user circuit of a `circuit` ansatz (from its JSON form if need be). */
export function ansatzCircuit(ansatz: Extract<AnsatzConfig, { type: 'circuit' }>): Circuit {
  return ansatz.circuit instanceof Circuit ? ansatz.circuit : circuitFromJSON(ansatz.circuit);
}

/** Number of inputs the encoder itself reads. */
function ownEncoderInputs(encoder: EncoderConfig, numQubits: number): number {
  switch (encoder.type) {
    case 'AmplitudeEmbedding':
      return encoder.numFeatures ?? 2 ** numQubits;
    case 'AngleEmbedding':
    case 'PhaseEmbedding':
      return encoder.numFeatures ?? numQubits;
    case 'BasisEmbedding':
      return numQubits;
    case 'StateInput':
      return 2 * 2 ** numQubits;
    case 'none':
      return 0;
    default:
      return unreachable(encoder, 'encoder type');
  }
}

function rotationsOf(ansatz: DataReuploadingConfig): ('X' | 'Y' | 'Z')[] {
  return ansatz.rotations ?? ['Y'];
}

function reuploadingFeatures(ansatz: DataReuploadingConfig, numQubits: number): number {
  return ansatz.numFeatures ?? numQubits * rotationsOf(ansatz).length;
}

/**
 * Number of per-sample inputs a layer reads: the encoder's, plus a
 * re-uploading ansatz's features after them; with the `none` encoder, the
 * inputs the ansatz reads (HadamardRY: n; a user circuit: its largest
 * `{ input }` + 1).
 */
export function encoderInputs(encoder: EncoderConfig, numQubits: number, ansatz: AnsatzConfig): number {
  const own = ownEncoderInputs(encoder, numQubits);
  if (ansatz.type === 'DataReuploading') return own + reuploadingFeatures(ansatz, numQubits);
  if (encoder.type !== 'none') return own;
  if (ansatz.type === 'HadamardRY') return numQubits;
  if (ansatz.type === 'circuit') return circuitInputs(ansatzCircuit(ansatz));
  return 0;
}

/** Number of sample inputs a user circuit reads (largest `{ input }` index + 1). */
function circuitInputs(circuit: Circuit): number {
  let count = 0;
  for (const op of circuit.ops) for (const p of op.params) if (typeof p === 'object' && 'input' in p) count = Math.max(count, p.input + 1);
  return count;
}

/**
 * Builds the layer circuit: encoder then ansatz, with inputs as `{ input }`
 * and trainable angles as `{ weight }` (numbered in PennyLane order).
 * Returns the circuit and the number of weights.
 */
export function buildLayerCircuit(numQubits: number, encoder: EncoderConfig, ansatz: AnsatzConfig): { circuit: Circuit; numWeights: number } {
  const circuit = new Circuit(numQubits);
  const n = numQubits;
  const inputs = ownEncoderInputs(encoder, n);
  switch (encoder.type) {
    case 'AmplitudeEmbedding': {
      const { bias, normScale } = amplitudeExtras(encoder);
      if (encoder.normFeature !== undefined && typeof encoder.normFeature !== 'boolean' && !(typeof encoder.normFeature === 'number' && encoder.normFeature > 0 && Number.isFinite(encoder.normFeature))) {
        throw new QDistillError('E_CONFIG', `AmplitudeEmbedding normFeature: expected true, false or a scale s > 0, got ${JSON.stringify(encoder.normFeature)}`);
      }
      amplitudeEmbedding(circuit, { inputs }, {
        pad: encoder.pad ?? 0,
        normalize: encoder.normalize ?? true,
        ...(encoder.bias !== undefined ? { bias } : {}),
        ...(normScale ? { normScale } : {}),
      });
      break;
    }
    case 'AngleEmbedding': {
      if (inputs > n) throw new QDistillError('E_TOO_MANY_FEATURES', `AngleEmbedding: ${inputs} features for ${n} qubits (at most one per wire)`);
      const rot = encoder.rotation ?? 'X';
      for (let i = 0; i < inputs; i++) circuit.op(`R${rot}`, [i], [input(i, encoder.scale ?? 1, encoder.offset ?? 0)]);
      break;
    }
    case 'BasisEmbedding':
      // RX(π·b) = −i·X^b: the same state as BasisEmbedding up to a global phase.
      for (let i = 0; i < n; i++) circuit.rx(input(i, Math.PI), i);
      break;
    case 'PhaseEmbedding':
      if (inputs > n) throw new QDistillError('E_TOO_MANY_FEATURES', `PhaseEmbedding: ${inputs} features for ${n} qubits`);
      for (let i = 0; i < n; i++) circuit.h(i);
      for (let i = 0; i < inputs; i++) circuit.phaseShift(input(i, encoder.scale ?? Math.PI), i);
      break;
    case 'StateInput':
      circuit.setPrep({ kind: 'state', inputOffset: 0 });
      break;
    case 'none':
      break;
    default:
      unreachable(encoder, 'encoder type');
  }
  let numWeights = 0;
  switch (ansatz.type) {
    case 'StronglyEntanglingLayers':
      numWeights = ansatz.layers * n * 3;
      stronglyEntanglingLayers(circuit, weightRefs(numWeights), {
        ...(ansatz.ranges ? { ranges: ansatz.ranges } : {}),
        ...(ansatz.imprimitive ? { imprimitive: ansatz.imprimitive } : {}),
      });
      break;
    case 'BasicEntanglerLayers':
      numWeights = ansatz.layers * n;
      basicEntanglerLayers(circuit, weightRefs(numWeights), { rotation: ansatz.rotation ?? 'X' });
      break;
    case 'HardwareEfficient': {
      const rotations = ansatz.rotations ?? ['Y', 'Z'];
      for (let l = 0; l <= ansatz.layers; l++) {
        for (let i = 0; i < n; i++) for (const r of rotations) circuit.op(`R${r}`, [i], [weight(numWeights++)]);
        if (l < ansatz.layers) for (let i = 0; i + 1 < n; i++) circuit.cnot(i, i + 1);
      }
      break;
    }
    case 'HadamardRY':
      for (let i = 0; i < n; i++) circuit.h(i);
      for (let i = 0; i < n; i++) circuit.ry(input(i), i);
      break;
    case 'DataReuploading':
      numWeights = dataReuploading(circuit, ansatz, inputs);
      break;
    case 'circuit': {
      const user = ansatzCircuit(ansatz);
      if (user.numQubits !== n) {
        throw new QDistillError('E_INVALID_ARGUMENT', `ansatz circuit has ${user.numQubits} qubits, the layer ${n}`);
      }
      circuit.append(user);
      for (const op of user.ops)
        for (const p of op.params) if (typeof p === 'object' && 'weight' in p) numWeights = Math.max(numWeights, p.weight + 1);
      break;
    }
    case 'none':
      break;
    default:
      unreachable(ansatz, 'ansatz type');
  }
  return { circuit, numWeights };
}

const AXES = ['X', 'Y', 'Z'] as const;

function positiveInteger(value: unknown, where: string): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
    throw new QDistillError('E_CONFIG', `DataReuploading ${where}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function finiteNumber(value: unknown, where: string): number {
  if (!(typeof value === 'number' && Number.isFinite(value))) {
    throw new QDistillError('E_CONFIG', `DataReuploading ${where}: expected a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Appends a DataReuploadingConfig's gates (features from input `offset` on); returns its number of weights. */
function dataReuploading(circuit: Circuit, config: DataReuploadingConfig, offset: number): number {
  const n = circuit.numQubits;
  const rotations = rotationsOf(config);
  if (!Array.isArray(rotations) || rotations.length === 0 || rotations.some((r) => !(AXES as readonly string[]).includes(r))) {
    throw new QDistillError('E_CONFIG', `DataReuploading rotations: expected a non-empty list of 'X', 'Y', 'Z', got ${JSON.stringify(config.rotations)}`);
  }
  const numFeatures = positiveInteger(reuploadingFeatures(config, n), 'numFeatures');
  const repeats = positiveInteger(config.repeats ?? 1, 'repeats');
  const scale = finiteNumber(config.scale ?? 1, 'scale');
  const shift = finiteNumber(config.offset ?? 0, 'offset');
  const block = config.block ?? { type: 'StronglyEntanglingLayers', layers: 1 };
  const layers = positiveInteger(block.layers ?? 1, 'block.layers');
  let perBlock: number;
  switch (block.type) {
    case 'StronglyEntanglingLayers':
      perBlock = layers * n * 3;
      break;
    case 'BasicEntanglerLayers':
      perBlock = layers * n;
      break;
    default:
      throw new QDistillError('E_CONFIG', `DataReuploading block.type: expected 'StronglyEntanglingLayers' or 'BasicEntanglerLayers', got ${JSON.stringify((block as { type: unknown }).type)}`);
  }
  let numWeights = 0;
  const trainable = (): void => {
    const refs = weightRefs(perBlock, numWeights);
    if (block.type === 'StronglyEntanglingLayers') {
      stronglyEntanglingLayers(circuit, refs, {
        ...(block.ranges ? { ranges: block.ranges } : {}),
        ...(block.imprimitive ? { imprimitive: block.imprimitive } : {}),
      });
    } else {
      basicEntanglerLayers(circuit, refs, { rotation: block.rotation ?? 'X' });
    }
    numWeights += perBlock;
  };
  const chunk = n * rotations.length;
  const chunks = Math.ceil(numFeatures / chunk);
  if (config.initialBlock) trainable();
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < chunks; k++) {
      for (let w = 0; w < n; w++) {
        rotations.forEach((axis, rho) => {
          const f = k * chunk + w * rotations.length + rho;
          if (f < numFeatures) circuit.op(`R${axis}`, [w], [input(offset + f, scale, shift)]);
        });
      }
      trainable();
    }
  }
  return numWeights;
}
