/**
 * qdistill's classical deep-learning core: float32/float64 tensors with
 * reverse-mode autodiff, layers, losses, a model zoo, the functional form
 * (`model.apply(params, x)`), Hessian-vector products and unrolled
 * hypergradients, external blocks (the quantum layer plugs in here) and
 * checkpoints. Optimisers live in `./optim/index.js`; the Node-only
 * checkpoint file I/O in `./node/checkpoint-file.js`.
 *
 * Heavy float32 kernels run in WebAssembly SIMD: call `await nn.init()` once.
 *
 * @example
 * ```ts
 * import { nn, optim } from 'qdistill';
 * await nn.init();
 * const model = nn.createModel({ arch: 'lenet-000', numClasses: 10 });
 * const opt = new optim.Adam(model, { lr: 1e-3 });
 * const loss = nn.crossEntropy(model.forward(images), labels);
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 *
 * @packageDocumentation
 */
export {
  Tensor,
  tensor,
  zeros,
  ones,
  full,
  randn,
  rand,
  noGrad,
  isGradEnabled,
  backward,
  shapeSize,
  formatShape,
  allocData,
  withAllocationLimit,
  dtypeOf,
  type DType,
  type TypedData,
  type DataLike,
  type NestedArray,
  type TensorOptions,
  type GraphNode,
  type GradSink,
} from './tensor.js';
export * from './ops/index.js';
export { init, useReferenceBackend, backendName, backendKernel, setBackendProfiling, backendProfile, type BackendName, type BackendProfile, type NNInitOptions } from './backend.js';
export type { ConvGeometry } from './reference.js';
export { Module, type ParamResolver, type GeneratorAccess } from './module.js';
export {
  Linear,
  Conv2d,
  AvgPool2d,
  MaxPool2d,
  Flatten,
  Dropout,
  BatchNorm1d,
  BatchNorm2d,
  ReLU,
  Tanh,
  Sigmoid,
  Softmax,
  LogSoftmax,
  Sequential,
  Lambda,
  Residual,
  type LayerOptions,
  type Conv2dLayerOptions,
  type BatchNormLayerOptions,
} from './layers.js';
export {
  externalOp,
  ExternalModule,
  type ExternalBlock,
  type ExternalGradients,
  type ExternalBackwardNeeds,
  type ExternalForwardResult,
  type ExternalModuleOptions,
} from './external.js';
export {
  LOGITS,
  PROBABILITY_FLOOR,
  checkOutputSpec,
  outputClasses,
  outputAccuracy,
  outputLogits,
  predictClasses,
  temperedLogProbs,
  floorProbabilities,
  type OutputSpec,
  type BornTempering,
} from './outputs.js';
export {
  supervisedLoss,
  crossEntropy,
  nllLoss,
  mseLoss,
  klDivergence,
  kdLoss,
  kdLossTerms,
  accuracy,
  assertFiniteInput,
  type Reduction,
  type Labels,
  type Distribution,
  type CrossEntropyOptions,
  type KLOptions,
  type KDLossOptions,
  type KDLossTerms,
} from './losses.js';
export {
  manualSeed,
  defaultRandom,
  calculateGain,
  fans,
  uniform_,
  normal_,
  constant_,
  zeros_,
  xavierUniform_,
  xavierNormal_,
  kaimingUniform_,
  kaimingNormal_,
  initLayer,
  type LayerInit,
  type KaimingOptions,
  type Nonlinearity,
} from './init.js';
export {
  valueAndGrad,
  hvp,
  unrolledHypergradient,
  type ParamInputLoss,
  type ParamLoss,
  type FunctionalOptions,
  type ValueAndGrad,
  type CentralDifferenceOptions,
  type HvpResult,
  type UnrolledProblem,
  type UnrolledResult,
  type StepLoss,
  type OuterGradient,
} from './functional.js';
export { checkVjp, tolerance, type VjpCheck, type CheckVjpOptions } from './gradcheck.js';
export {
  createModel,
  normalizeModelConfig,
  ZooModel,
  ARCHITECTURES,
  type ModelConfig,
  type LeNet003Config,
  type LeNet000Config,
  type LeNet5Config,
  type AlexNetMiniConfig,
  type MLPConfig,
  type CommonModelConfig,
  type ConvModelConfig,
} from './zoo.js';
export {
  serializeCheckpoint,
  parseCheckpoint,
  loadCheckpointInto,
  restoreModel,
  crc32,
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  type CheckpointHeader,
  type CheckpointTensorEntry,
  type SaveCheckpointOptions,
} from './checkpoint.js';
export {
  serializeTrainingState, parseTrainingState, putModule, loadModule, putTensors, takeTensors, memoryCheckpointStore, TRAINING_STATE_FORMAT_VERSION,
  type TrainingState, type StateArray, type CheckpointStore,
} from './training-state.js';
