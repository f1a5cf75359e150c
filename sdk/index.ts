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
  createSimulator, Simulator, sampleFromProbabilities, outcomesToBits, MAX_SIMULATED_QUBITS,
  type StateVector, type SimulatorOptions, type RunOptions,
} from './qnn/simulator.js';
export { compileTape, slotAngles, type Tape, type SlotSource, type SlotOrigin } from './qnn/tape.js';
export { hashFloat64 } from './util/hash.js';
export * as portableMath from './util/portable-math.js';
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
export { hybridModelSchema, validateHybridModelConfig } from './qnn/hybrid-schema.js';
export { LIMITS } from './util/schema.js';
export * as nn from './nn/index.js';
export * as optim from './nn/optim/index.js';
export * as data from './data/index.js';
export { kdLoss, kdLossTerms, supervisedLoss, type KDLossOptions } from './nn/losses.js';
export { temperedLogProbs, outputAccuracy, type OutputSpec, type BornTempering } from './nn/outputs.js';
export {
  distillKnowledge, evaluate, PAPER_003_KD,
  type DistillKnowledgeOptions, type DistillKnowledgeResult, type DistillMode, type EpochRecord, type SplitScore, type TrainProgress,
  type OptimizerConfig, type InputTransform, type NonFinitePolicy, type NonFiniteEvent, type CheckpointEvent, type DistillCheckpoint,
} from './distill/knowledge.js';
export { teacherLogits, teacherBatchLogits, type TeacherLike, type TeacherInput } from './distill/teacher.js';
export {
  validateKDConfig, experimentArms, kdExperimentSchema, ARMS,
  type KDExperimentConfig, type DatasetSpec, type ImageDatasetSpec, type ZxzDatasetSpec, type TeacherSpec, type CompressSpec, type ProtocolSpec, type ArmName,
} from './distill/config.js';
export { configJsonSchema, CONFIG_KINDS, type ConfigKind } from './distill/config-schema.js';
export { applyProtocol } from './distill/protocols.js';
export { carveSplits, type SplitSpec, type SplitIndices } from './distill/splits.js';
export { meanStd, pairedComparison, type PairedComparison } from './distill/stats.js';
export {
  runKDExperiment, prepareKDExperiment, runPreparedExperiment, trainRun, logitsAccuracy, ARM_LABELS, runKey, type ExperimentCheckpoint, type RunJob, type RunExecutor,
  type ExperimentEnvironment, type ExperimentHooks, type ExperimentProgress, type ArmSummary, type ArmComparison, type RunRecord,
  type KDExperimentResult, type PreparedExperiment, type TeacherTrainingData,
} from './distill/experiment.js';
export { historyHash, type HistoryHashInput } from './distill/history-hash.js';
export { runKDSweep, parseSetFlag, type SweepAxis, type SweepResult } from './distill/sweep.js';
export * from './teachers/index.js';
export { serializeHybridCheckpoint, restoreHybridModel, type HybridCheckpointOptions } from './qnn/hybrid-checkpoint.js';
export { createWorkerPool } from './workers/lazy.js';
export { useWorkerPool, installedWorkerPool } from './workers/install.js';
export type { WorkerPool, WorkerPoolOptions, CallOptions } from './workers/pool.js';
export { parallelRunner, type ParallelRunner } from './kernel/parallel.js';
export {
  distillDataset, evaluateDistilled, distillationBaselines, initializePaper000, circuitWeightRanges, normalizeImages, isHybridConfig,
  MNIST_NORMALIZATION, CIFAR10_NORMALIZATION, DISTILLED_FORMAT_VERSION,
  type DistillDatasetOptions, type DistillDatasetResult, type DistilledDataset, type DistillModelConfig, type DistillProgress,
  type DistillHistoryRecord, type DistilledEvaluation, type CircuitWeightMovement, type BaselineResult, type BaselineOptions,
  type EvaluateOptions, type Normalization, type InitMode, type WeightInit as DistillWeightInit,
} from './distill/dataset.js';
export { serializeDistilled, parseDistilled, distilledImageGrid, DISTILLED_FORMAT, type PixelImage, type ImageGridOptions } from './distill/dataset-file.js';
export {
  validateDDConfig, ddExperimentSchema, runDDExperiment, summarize, pairedDifference,
  type DDExperimentConfig, type DDDatasetSpec, type DDSettings, type DDEnvironment, type DDSeedResult, type DDExperimentResult,
  type Summary, type PairedDifference, type RunDDOptions,
} from './distill/dataset-experiment.js';
