/**
 * The worker pool from the main entry: a dynamic import, so the core bundle
 * never loads comlink until a pool is created (the `qdistill/workers`
 * subpath exports the same, statically).
 *
 * @module
 */
import type { WorkerPool, WorkerPoolOptions } from './pool.js';

/**
 * Starts a pool of `workers` workers (default: one per core), each with its
 * own engine instantiated from one compiled module. Install it with
 * `useWorkerPool(pool)`: QNN layers and the float32 conv2d/Linear kernels
 * then split big batches over it, bit-identical to the single-thread run.
 *
 * @throws E_WORKER if a worker cannot start; E_ABORTED if `signal` aborts; E_INVALID_ARGUMENT for a bad option
 * @example
 * ```ts
 * import { createWorkerPool, useWorkerPool } from 'qdistill';
 * const pool = await createWorkerPool({ workers: 2 });
 * useWorkerPool(pool);
 * ```
 */
export async function createWorkerPool(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  return (await import('./pool.js')).createWorkerPool(options);
}
