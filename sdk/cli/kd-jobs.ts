/**
 * `qdistill kd --jobs N`: the runs of an experiment (arms × seeds, and a
 * sweep's grid points) N at a time, each in a worker of its own with its own
 * engine and models (kd-job-worker.ts). A run is fully determined by its
 * config, seed and arm, so the records — and the output — are those of the
 * sequential loop, in the same order.
 */
import { type ExperimentProgress, type RunExecutor } from '../index.js';
import { createWorkerPool, proxy, type WorkerPool } from '../workers/index.js';
import type { KDJobOptions } from './kd-job-worker.js';

/** The task module the workers load (the .ts source under tsx and vitest, the .js build otherwise). */
const JOB_MODULE = new URL(import.meta.url.endsWith('.ts') ? './kd-job-worker.ts' : './kd-job-worker.js', import.meta.url).href;

/** A run executor over `jobs` workers, and how to stop them. */
export interface KDJobRunner {
  runs: RunExecutor;
  dispose(): Promise<void>;
}

/**
 * Starts `jobs` workers and returns the executor `runPreparedExperiment`
 * and `runKDSweep` take as `hooks.runs`.
 */
export async function kdJobRunner(
  jobs: number, options: KDJobOptions, callbacks: { onProgress?: (p: ExperimentProgress) => void; onMessage?: (m: string) => void; signal?: AbortSignal },
): Promise<KDJobRunner> {
  const pool: WorkerPool = await createWorkerPool({ workers: jobs, ...(callbacks.signal ? { signal: callbacks.signal } : {}) });
  const onProgress = proxy((p: ExperimentProgress) => callbacks.onProgress?.(p));
  const onMessage = proxy((m: string) => callbacks.onMessage?.(m));
  // At most `jobs` runs at once, started in the order they were asked for.
  let running = 0;
  const waiting: Array<() => void> = [];
  const acquire = async (): Promise<void> => {
    if (running < jobs) {
      running++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return {
    runs: async (job) => {
      await acquire();
      try {
        return await pool.call(JOB_MODULE, 'runKDJob', [job, options, onProgress, onMessage], callbacks.signal ? { signal: callbacks.signal } : {});
      } finally {
        release();
      }
    },
    dispose: () => pool.dispose(),
  };
}
