/**
 * Node-only entry (`qdistill/node`): file-system loaders and writers. The
 * main entry stays isomorphic.
 *
 * @packageDocumentation
 */
export { loadMnist, loadFashionMnist, readIdxFile, loadIdxDataset, readCifar10Files } from './data/node/index.js';
export {
  saveCheckpointFile, loadCheckpointFile, readCheckpointFile, restoreModelFile, writeFileAtomic, fileCheckpointStore, readTrainingStateFile,
} from './nn/node/checkpoint-file.js';
export { nodeExperimentEnvironment, trainedTeacher, trainTeacherCommand, cacheDir } from './distill/node/environment.js';
export { readModelFile, exportOnnxFile, saveTeacher, loadSavedTeacher, type TeacherManifest, type SavedTeacher, type SaveTeacherOptions } from './teachers/node/index.js';
export { saveDistilledFile, loadDistilledFile, writeDistilledPng, encodePng } from './distill/node/distilled-files.js';
export { nodeDDEnvironment } from './distill/node/dd-environment.js';
export { saveHybridModelFile, loadHybridModelFile, type SaveHybridModelFileOptions } from './distill/node/model-file.js';
