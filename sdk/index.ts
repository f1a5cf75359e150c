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
export {
  QNNLayer, type QNNLayerConfig, type MeasurementConfig, type DiffMethod, type WeightInit, type QNNGradients, type ShiftRuleConfig,
} from './qnn/qnn-layer.js';
export {
  buildLayerCircuit, encoderInputs, type EncoderConfig, type AnsatzConfig, type DataReuploadingConfig, type ReuploadingBlockConfig,
} from './qnn/ansatz.js';
export { qnnBlock, QNNModule } from './qnn/qnn-module.js';
export {
  createHybridModel, HybridModel, QuantumLeNet, Student003, QNNClassifier,
  type HybridModelConfig, type QuantumLeNetConfig, type Student003Config, type QNNClassifierConfig, type OutputScaleConfig,
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
export {
  distillDataset, evaluateDistilled, distillationBaselines, initializePaper000, circuitWeightRanges, normalizeImages, isHybridConfig,
  MNIST_NORMALIZATION, CIFAR10_NORMALIZATION, DISTILLED_FORMAT_VERSION,
  type DistillDatasetOptions, type DistillDatasetResult, type DistilledDataset, type DistillModelConfig, type DistillProgress,
  type DistillHistoryRecord, type DistilledEvaluation, type CircuitWeightMovement, type BaselineResult, type BaselineOptions,
  type EvaluateOptions, type Normalization, type InitMode, type WeightInit as DistillWeightInit,
} from './distill/dataset.js';
export { serializeDistilled, parseDistilled, distilledImageGrid, DISTILLED_FORMAT, type PixelImage, type ImageGridOptions } from './distill/dataset-file.js';
export {
  validateDDConfig, runDDExperiment, summarize, pairedDifference,
  type DDExperimentConfig, type DDDatasetSpec, type DDSettings, type DDEnvironment, type DDSeedResult, type DDExperimentResult,
  type Summary, type PairedDifference, type RunDDOptions,
} from './distill/dataset-experiment.js';
