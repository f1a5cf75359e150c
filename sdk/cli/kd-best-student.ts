/** Keeping each KD run's best-validation student under `--checkpoint-dir` (in the CLI process, or in a `--jobs` worker). */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { serializeHybridCheckpoint, type ExperimentHooks } from '../index.js';
import { writeFileAtomic } from '../node.js';

/**
 * The `onEpoch` hook that writes `<dir>/<name>-<arm>-seed<s>.qdc` whenever a
 * run's epoch becomes its best on validation (the trainer's best survives a
 * resume, so this file does too).
 */
export function bestStudentWriter(checkpointDir: string, name: string): NonNullable<ExperimentHooks['onEpoch']> {
  return async (run, seed, record, student, info) => {
    if (info.best !== record) return;
    const file = join(resolve(checkpointDir), `${name}-${run}-seed${seed}.qdc`);
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, serializeHybridCheckpoint(student, { metadata: { epoch: record.epoch, validationAccuracy: record.validationAccuracy } }));
  };
}
