/**
 * A fingerprint of an experiment's training histories, to check that two
 * runtimes (Node and a browser tab) trained the same way to the last bit.
 */
import type { EpochRecord } from './knowledge.js';
import { hashFloat64 } from '../util/hash.js';

/** The part of a {@link KDExperimentResult} (or anything shaped like it) that {@link historyHash} reads. */
export interface HistoryHashInput {
  arms: Partial<Record<string, { runs: ReadonlyArray<{ seed: number; history: readonly EpochRecord[] }> }>>;
}

/**
 * The FNV-1a fingerprint ({@link hashFloat64}) of every run's per-epoch
 * metrics, in the result's arm order then seed order: per run one array of
 * `[seed, epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy]`
 * per epoch (wall time left out). Equal hashes mean every loss and accuracy
 * of every epoch had the same bits. `qdistill kd` prints it as `historyHash`
 * in its last JSON line; the web studio writes it into its result.
 *
 * @example
 * ```ts
 * const result = await runKDExperiment(config, env);
 * historyHash(result); // e.g. '3f9a0c1d2e4b5a69', the same in Node and Chromium
 * ```
 */
export function historyHash(result: HistoryHashInput): string {
  const arrays: number[][] = [];
  for (const arm of Object.keys(result.arms)) {
    for (const run of result.arms[arm]?.runs ?? []) {
      const values: number[] = [];
      for (const r of run.history) values.push(run.seed, r.epoch, r.trainLoss, r.trainAccuracy, r.validationLoss, r.validationAccuracy);
      arrays.push(values);
    }
  }
  return hashFloat64(...arrays);
}
