/**
 * qdistill — quantum machine learning in TypeScript: a SIMD WebAssembly
 * statevector simulator, differentiable QNN layers, and knowledge / dataset
 * distillation into quantum neural networks. Same API, same numbers in Node
 * and the browser.
 *
 * @packageDocumentation
 */
export { QDistillError, isQDistillError, ERROR_CODES, type ErrorCode } from './errors.js';
export { createKernel, Kernel, type KernelOptions, type KernelBuild } from './kernel/kernel.js';
export { Random } from './util/random.js';
export * from './circuit/index.js';
export {
  createSimulator, Simulator, sampleFromProbabilities, MAX_SIMULATED_QUBITS,
  type StateVector, type SimulatorOptions, type RunOptions,
} from './qnn/simulator.js';
export { compileTape, slotAngles, type Tape, type SlotSource, type SlotOrigin } from './qnn/tape.js';
export { hashFloat64 } from './util/hash.js';
export { QNNLayer, type QNNLayerConfig, type MeasurementConfig, type DiffMethod, type WeightInit, type QNNGradients } from './qnn/qnn-layer.js';
export { buildLayerCircuit, encoderInputs, type EncoderConfig, type AnsatzConfig } from './qnn/ansatz.js';
