/** Circuits: pure descriptions (gates, templates, observables) and the reference engine. */
export { Circuit, checkWireList, matrixFromRows, type Operation, type StatePrep, type OpOptions, type RowsMatrix } from './circuit.js';
export {
  defineGate, getGate, listGates, factorMatrix, factorGenerator, shiftRuleFromSpectrum, actionMatrix, adjointMatrix,
  type GateSpec, type GateDefinition, type GateStructure, type Factor, type FixedAction, type ShiftRule,
} from './gates.js';
export {
  type ComplexMatrix, zeros, identity, fromRows, matmul, dagger, scale, add, kron, maxAbsDiff, unitarityError,
  hermiticityError, controlled, interleave, hermitianEigenvalues,
} from './matrix.js';
export { weight, input, isWeightRef, isInputRef, type ParamSource, type WeightRef, type InputRef } from './params.js';
export { parsePauliString, pauliWordMatrix, pauliMatrix, pauliMasks, type PauliLetter, type PauliTerm } from './pauli.js';
export { wireBit, wireBits, wireMask } from './wires.js';
export { resolveObservable, type Observable, type ResolvedObservable } from './observables.js';
export {
  amplitudeEmbedding, angleEmbedding, basisEmbedding, stronglyEntanglingLayers, basicEntanglerLayers,
  stronglyEntanglingLayersShape, basicEntanglerLayersShape, weightRefs, prepareAmplitudes,
  type AmplitudeEmbeddingOptions, type AngleEmbeddingOptions, type StronglyEntanglingOptions,
} from './templates.js';
export { referenceRun, referenceApplyMatrix, referenceZeroState, type ReferenceState } from './reference.js';
export {
  circuitToJSON, circuitFromJSON, matrixToRows, CIRCUIT_FORMAT, CIRCUIT_FORMAT_VERSION,
  type CircuitJSON, type OperationJSON, type ParamJSON, type StatePrepJSON,
} from './serialize.js';
export { toQASM, fromQASM, zyzFromUnitary, type ToQASMOptions } from './qasm.js';
export { drawCircuit, type DrawOptions } from './draw.js';
