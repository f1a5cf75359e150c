/**
 * Installing a worker pool: kept apart from pool.ts (which loads comlink)
 * so the main entry can offer {@link useWorkerPool} without pulling comlink
 * into the core bundle.
 *
 * @module
 */
import { parallelRunner, setParallelRunner } from '../kernel/parallel.js';
import type { WorkerPool } from './pool.js';

/**
 * Installs `pool` (or, with null, none) as the pool every QNN layer and the
 * float32 conv2d/Linear kernels split big batches over. Results do not
 * change, only where they are computed: a split batch has the bits of the
 * single-thread run, for any number of workers.
 *
 * @example
 * ```ts
 * useWorkerPool(await createWorkerPool({ workers: 2 }));
 * // … train …
 * useWorkerPool(null);
 * ```
 */
export function useWorkerPool(pool: WorkerPool | null): void {
  setParallelRunner(pool);
}

/**
 * The pool installed with {@link useWorkerPool}, if any.
 *
 * @example
 * ```ts
 * installedWorkerPool()?.size; // 2
 * ```
 */
export function installedWorkerPool(): WorkerPool | null {
  return parallelRunner() as WorkerPool | null;
}
