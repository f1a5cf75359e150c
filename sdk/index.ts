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
export { qnnBlock, QNNModule } from './qnn/qnn-module.js';
export {
  createHybridModel, HybridModel, QuantumLeNet, Student003, QNNClassifier,
  type HybridModelConfig, type QuantumLeNetConfig, type Student003Config, type QNNClassifierConfig,
} from './qnn/hybrid.js';
export * as nn from './nn/index.js';
export * as optim from './nn/optim/index.js';
export * as data from './data/index.js';
export { kdLoss, kdLossTerms, type KDLossOptions } from './nn/losses.js';
export {
  distillKnowledge, evaluate, PAPER_003_KD,
  type DistillKnowledgeOptions, type DistillKnowledgeResult, type EpochRecord, type TrainProgress, type OptimizerConfig,
} from './distill/knowledge.js';
export { teacherLogits, type TeacherLike } from './distill/teacher.js';
export { validateKDConfig, type KDExperimentConfig, type DatasetSpec, type TeacherSpec, type TransformSpec } from './distill/config.js';
export {
  runKDExperiment, meanStd, logitsAccuracy,
  type ExperimentEnvironment, type ExperimentProgress, type ArmSummary, type KDExperimentResult,
} from './distill/experiment.js';
export * from './teachers/index.js';
export { serializeHybridCheckpoint, restoreHybridModel } from './qnn/hybrid-checkpoint.js';
