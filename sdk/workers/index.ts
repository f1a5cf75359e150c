/**
 * `qdistill/workers`: the worker pool (comlink; Web Workers and
 * worker_threads). The main entry loads it only through a dynamic import
 * ({@link createWorkerPool} there), so the core bundle never pulls comlink.
 *
 * @packageDocumentation
 */
export {
  createWorkerPool, availableCores, WorkerPool, DEFAULT_SPLIT_THRESHOLD_MS, proxy, type WorkerPoolOptions, type CallOptions,
} from './pool.js';
export { useWorkerPool, installedWorkerPool } from './install.js';
export { serializeError, deserializeError, type SerializedError } from './protocol.js';
