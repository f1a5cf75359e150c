/**
 * Node-only checkpoint files: atomic save (temporary file in the same
 * directory, fsync, rename over the target) and validated load; a
 * directory of training states (one file per run) to resume from.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { QDistillError } from '../../errors.js';
import { loadCheckpointInto, parseCheckpoint, restoreModel, serializeCheckpoint, type Checkpoint, type SaveCheckpointOptions } from '../checkpoint.js';
import { parseTrainingState, type CheckpointStore, type TrainingState } from '../training-state.js';
import type { Module } from '../module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { ZooModel } from '../zoo.js';

/** The file operations used by {@link writeFileAtomic} (replaceable in tests). */
export interface AtomicWriteIo {
  writeAndSync(path: string, bytes: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const nodeIo: AtomicWriteIo = {
  async writeAndSync(path, bytes) {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename,
  unlink,
};

/**
 * Writes `bytes` to `path` atomically: readers see the old file or the
 * complete new one, never a partial write. On failure the temporary file is
 * removed and the original left untouched. Temporary files that writers
 * killed mid-write (`kill -9`) left next to `path` are removed after a
 * successful write.
 *
 * @throws E_CHECKPOINT wrapping the file-system error
 * @example
 * ```ts
 * await writeFileAtomic('model.qdc', bytes);
 * ```
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, io: AtomicWriteIo = nodeIo): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await io.writeAndSync(tmp, bytes);
    await io.rename(tmp, path);
    if (io === nodeIo) await removeStaleTemporaries(path);
  } catch (cause) {
    await io.unlink(tmp).catch(() => undefined);
    throw new QDistillError('E_CHECKPOINT', `checkpoint: could not write ${path} (${(cause as Error).message}); the previous file, if any, is unchanged`, {
      cause,
    });
  }
}

/**
 * Saves a model checkpoint to a file, atomically.
 *
 * @example
 * ```ts
 * await saveCheckpointFile('runs/lenet.qdc', model, { optimizer: opt, metadata: { epoch } });
 * ```
 */
export async function saveCheckpointFile(path: string, model: Module, options: SaveCheckpointOptions = {}): Promise<void> {
  await writeFileAtomic(path, serializeCheckpoint(model, options));
}

/**
 * Reads and validates a checkpoint file.
 *
 * @throws E_CHECKPOINT if the file cannot be read or does not validate
 * @example
 * ```ts
 * const ckpt = await readCheckpointFile('runs/lenet.qdc');
 * ```
 */
export async function readCheckpointFile(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new QDistillError('E_CHECKPOINT', `checkpoint: could not read ${path} (${(cause as Error).message})`, { cause });
  }
  try {
    return parseCheckpoint(bytes);
  } catch (cause) {
    if (cause instanceof QDistillError) throw new QDistillError(cause.code, `${path}: ${cause.message}`, { cause });
    throw cause;
  }
}

/**
 * Loads a checkpoint file into an existing model (and optimiser).
 *
 * @throws E_CHECKPOINT on any mismatch (see loadCheckpointInto)
 * @example
 * ```ts
 * await loadCheckpointFile('runs/lenet.qdc', model, { optimizer: opt });
 * ```
 */
export async function loadCheckpointFile(path: string, model: Module, options: { optimizer?: Optimizer } = {}): Promise<Checkpoint> {
  const ckpt = await readCheckpointFile(path);
  try {
    return loadCheckpointInto(model, ckpt, options);
  } catch (cause) {
    if (cause instanceof QDistillError) throw new QDistillError(cause.code, `${path}: ${cause.message}`, { cause });
    throw cause;
  }
}

/**
 * Rebuilds a zoo model from a checkpoint file.
 *
 * @example
 * ```ts
 * const { model } = await restoreModelFile('runs/lenet.qdc');
 * ```
 */
export async function restoreModelFile(path: string): Promise<{ model: ZooModel; checkpoint: Checkpoint }> {
  return restoreModel(await readCheckpointFile(path));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files that {@link writeFileAtomic} left next to `path`
 * when its process was killed mid-write (`kill -9`); files of live processes stay.
 */
async function removeStaleTemporaries(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

/**
 * A {@link CheckpointStore} in a directory: key `k` is the file `<dir>/<k>.qdstate`
 * (characters other than letters, digits, `.`, `_` and `-` become `_`), written
 * atomically, so a run killed at any moment leaves the previous state intact
 * (temporary files of killed writers go at the next save).
 *
 * @example
 * ```ts
 * const store = fileCheckpointStore('runs/ckpt');
 * await distillKnowledge({ ...options, checkpoint: { save: (b) => store.save('run', b) }, resumeFrom: (await store.load('run')) ?? undefined });
 * ```
 */
export function fileCheckpointStore(dir: string): CheckpointStore & { pathOf(key: string): string } {
  const root = resolve(dir);
  const pathOf = (key: string): string => join(root, `${key.replace(/[^\w.-]/g, '_')}.qdstate`);
  return {
    pathOf,
    async load(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new QDistillError('E_CHECKPOINT', `checkpoint: could not read ${pathOf(key)} (${(cause as Error).message})`, { cause });
      }
    },
    async save(key, bytes) {
      const path = pathOf(key);
      await mkdir(root, { recursive: true }).catch((cause: unknown) => {
        throw new QDistillError('E_CHECKPOINT', `checkpoint: could not create ${root} (${(cause as Error).message})`, { cause });
      });
      await writeFileAtomic(path, bytes);
    },
  };
}

/**
 * Reads and validates a training-state file (see `parseTrainingState`).
 *
 * @throws E_CHECKPOINT if the file cannot be read or does not validate, naming the path
 * @example
 * ```ts
 * const state = await readTrainingStateFile('runs/ckpt/mnist-kd-seed0.qdstate');
 * state.json.completedEpochs;
 * ```
 */
export async function readTrainingStateFile(path: string, options: { kind?: string } = {}): Promise<TrainingState> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new QDistillError('E_CHECKPOINT', `training state: could not read ${path} (${(cause as Error).message})`, { cause });
  }
  try {
    return parseTrainingState(bytes, options);
  } catch (cause) {
    if (cause instanceof QDistillError) throw new QDistillError(cause.code, `${path}: ${cause.message}`, { cause });
    throw cause;
  }
}
