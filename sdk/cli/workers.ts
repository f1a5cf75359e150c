/**
 * `--workers N` of the commands that train: a worker pool installed for the
 * command's duration, so QNN layers and the classical kernels split big
 * batches over N threads — with the bits of a single-thread run (the
 * results do not depend on N).
 */
import { createWorkerPool, useWorkerPool, availableCores, type WorkerPool } from '../workers/index.js';
import { parsePositiveInt } from './args.js';

/** The help line of `--workers`. */
export const WORKERS_HELP = `  --workers N            threads big batches are split over (default: one per core;
                         1 = the calling thread only); results are bit-identical
                         for any N`;

/** The worker count of `--workers` (default: the number of cores). */
export async function workersFlag(value: string | boolean | string[] | undefined): Promise<number> {
  return typeof value === 'string' ? parsePositiveInt('workers', value) : await availableCores();
}

/**
 * Runs `body` with a pool of `workers` installed (none for 1), and stops it
 * afterwards whatever happens.
 */
export async function withWorkerPool<T>(workers: number, body: () => Promise<T>): Promise<T> {
  let pool: WorkerPool | null = null;
  if (workers > 1) {
    // Lazy: the workers start with the first batch worth splitting, so small jobs pay nothing.
    pool = await createWorkerPool({ workers, lazy: true });
    useWorkerPool(pool);
  }
  try {
    return await body();
  } finally {
    if (pool) {
      useWorkerPool(null);
      await pool.dispose();
    }
  }
}
