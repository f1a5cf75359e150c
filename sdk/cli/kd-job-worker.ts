/**
 * A `qdistill kd --jobs` worker's task module: it prepares the experiment
 * itself (the data, the cached teacher — once per worker and data config)
 * and trains one arm × seed with `trainRun`, the function the sequential
 * loop calls, so its record is the one the CLI process would have computed.
 */
import {
  prepareKDExperiment, trainRun, type ExperimentHooks, type ExperimentProgress, type PreparedExperiment, type RunJob, type RunRecord,
} from '../index.js';
import { fileCheckpointStore, nodeExperimentEnvironment } from '../node.js';
import { bestStudentWriter } from './kd-best-student.js';

/** What every job of a `kd --jobs` command shares. */
export interface KDJobOptions {
  checkpointDir?: string;
  resume: boolean;
  name: string;
}

const env = nodeExperimentEnvironment();
const prepared = new Map<string, Promise<PreparedExperiment>>();

/** Runs one job; `onProgress`/`onMessage` are the CLI's callbacks (comlink proxies). */
export async function runKDJob(
  job: RunJob, options: KDJobOptions, onProgress: (p: ExperimentProgress) => unknown, onMessage: (m: string) => unknown, context: { signal: AbortSignal },
): Promise<RunRecord> {
  const key = JSON.stringify([job.skipTest, job.prepareConfig]);
  let ready = prepared.get(key);
  if (!ready) {
    // The CLI process prepared (and cached the teacher) first: its messages were shown there.
    ready = prepareKDExperiment(job.prepareConfig, env, { skipTest: job.skipTest, signal: context.signal });
    prepared.set(key, ready);
    ready.catch(() => prepared.delete(key));
  }
  const p = { ...(await ready), config: job.config };
  const dir = options.checkpointDir;
  const hooks: ExperimentHooks = {
    signal: context.signal,
    skipTest: job.skipTest,
    onProgress: (progress) => void onProgress(progress),
    onMessage: (message) => void onMessage(message),
    ...(dir !== undefined
      ? {
          checkpoint: { store: fileCheckpointStore(dir), resume: options.resume, ...(job.checkpointPrefix !== undefined ? { prefix: job.checkpointPrefix } : {}) },
          onEpoch: bestStudentWriter(dir, options.name),
        }
      : {}),
  };
  return trainRun(p, env, hooks, job.seed, job.arm);
}
