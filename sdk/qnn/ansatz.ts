/**
 * Builders of the circuits a {@link QNNLayer} runs: encoders that read the
 * sample's inputs and ansätze whose angles are trainable weights, all as
 * symbolic {@link ParamSource}s so the tape takes them per sample.
 */
import { QDistillError, unreachable } from '../errors.js';
import { Circuit } from '../circuit/circuit.js';
import { input, weight } from '../circuit/params.js';
import {
  amplitudeEmbedding, basicEntanglerLayers, stronglyEntanglingLayers, weightRefs,
} from '../circuit/templates.js';

/** How samples enter the circuit. */
export type EncoderConfig =
  | { type: 'AmplitudeEmbedding'; numFeatures?: number; pad?: number; normalize?: boolean }
  | { type: 'AngleEmbedding'; rotation?: 'X' | 'Y' | 'Z'; numFeatures?: number; scale?: number; offset?: number }
  | { type: 'BasisEmbedding' }
  | { type: 'PhaseEmbedding'; numFeatures?: number; scale?: number }
  | { type: 'StateInput' }
  | { type: 'none' };

/** The trainable (or input-driven) circuit after the encoder. */
export type AnsatzConfig =
  | { type: 'StronglyEntanglingLayers'; layers: number; ranges?: number[]; imprimitive?: string }
  | { type: 'BasicEntanglerLayers'; layers: number; rotation?: 'X' | 'Y' | 'Z' }
  | { type: 'HardwareEfficient'; layers: number; rotations?: ('X' | 'Y' | 'Z')[] }
  | { type: 'HadamardRY' }
  | { type: 'circuit'; circuit: Circuit }
  | { type: 'none' };

/** Number of per-sample inputs an encoder reads. */
export function encoderInputs(encoder: EncoderConfig, numQubits: number, ansatz: AnsatzConfig): number {
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
      if (ansatz.type === 'HadamardRY') return numQubits;
      if (ansatz.type === 'circuit') return circuitInputs(ansatz.circuit);
      return 0;
    default:
      return unreachable(encoder, 'encoder type');
  }
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
  const inputs = encoderInputs(encoder, n, ansatz);
  switch (encoder.type) {
    case 'AmplitudeEmbedding':
      amplitudeEmbedding(circuit, { inputs }, { pad: encoder.pad ?? 0, normalize: encoder.normalize ?? true });
      break;
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
    case 'circuit': {
      if (ansatz.circuit.numQubits !== n) {
        throw new QDistillError('E_INVALID_ARGUMENT', `ansatz circuit has ${ansatz.circuit.numQubits} qubits, the layer ${n}`);
      }
      circuit.append(ansatz.circuit);
      for (const op of ansatz.circuit.ops)
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
