/**
 * Teachers for knowledge distillation: classical networks loaded from ONNX
 * ({@link OnnxTeacher}, run by onnxruntime-web's CPU build, which loads on
 * first use by dynamic `import()`), ensembles ({@link EnsembleTeacher}) and
 * qdistill models ({@link ModelTeacher}: nn modules, QNN layers, hybrids,
 * for QNN→QNN and self-distillation). Also ONNX export of the classical zoo
 * ({@link exportOnnx}) and teacher training ({@link trainTeacher}).
 * Isomorphic; the Node-only file helpers are in `./node/index.js`.
 *
 * Every teacher produces float32 logits (N × C) for flat float32 samples,
 * validates the data against the model once, and computes a dataset's
 * logits once (`logitsFor`).
 *
 * @example
 * ```ts
 * import { OnnxTeacher, EnsembleTeacher } from 'qdistill';
 * const lenet = await OnnxTeacher.load('teachers/lenet-mnist-c6.onnx', { numClasses: 6 });
 * const alexnet = await OnnxTeacher.load('teachers/alexnet-fc128-mnist-c6.onnx', { numClasses: 6 });
 * const ensemble = new EnsembleTeacher([lenet, alexnet], { temperature: 4 });
 * const soft = await ensemble.logitsFor(train); // cached per dataset
 * ```
 *
 * @packageDocumentation
 */
export { TeacherBase, teacherProbabilities, type Teacher, type TeacherData, type LogitsForOptions } from './teacher.js';
export { OnnxTeacher, type OnnxSource, type OnnxTeacherOptions } from './onnx-teacher.js';
export { EnsembleTeacher, type EnsembleCombine, type EnsembleOptions } from './ensemble.js';
export { ModelTeacher, type ForwardFunction, type ModelTeacherOptions, type ModuleTeacherOptions } from './model-teacher.js';
export { exportOnnx, encodeOnnx, EXPORTABLE_LAYERS, type ExportOnnxOptions } from './export.js';
export { trainTeacher, type TrainTeacherOptions, type TrainedTeacher, type TrainProgress, type EpochSummary } from './train.js';
export { configureOnnxRuntime, loadOnnxRuntime, type OnnxRuntimeOptions, type OrtModule } from './runtime.js';
export { readGraphSignature, type GraphSignature } from './onnx-schema.js';
export {
  buildInputAdapter,
  formatDims,
  type DataLayout,
  type InputAdapter,
  type ModelDim,
  type PreprocessOptions,
  type TensorSignature,
} from './shape.js';
