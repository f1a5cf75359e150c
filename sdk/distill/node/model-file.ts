/**
 * Node-only: a hybrid model to a file and back in one call each, with the
 * input transform (a fitted data `Pipeline`) inside the checkpoint, so the
 * file alone classifies raw inputs again.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { Pipeline } from '../../data/transforms.js';
import { QDistillError } from '../../errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Checkpoint } from '../../nn/checkpoint.js';
import { writeFileAtomic } from '../../nn/node/checkpoint-file.js';
import { restoreHybridModel, serializeHybridCheckpoint, type HybridCheckpointOptions } from '../../qnn/hybrid-checkpoint.js';
import type { HybridModel } from '../../qnn/hybrid.js';

/** Options of {@link saveHybridModelFile}. */
export interface SaveHybridModelFileOptions extends Omit<HybridCheckpointOptions, 'transform'> {
  /** The model's input transform (fitted: its state is saved too). */
  transform?: Pipeline | null;
}

/**
 * Saves a hybrid model (config, weights, optional optimiser state and the
 * input transform) to a `.qdc` file, atomically.
 *
 * @throws E_CONFIG if the transform needs fitting and was not fitted
 * @throws E_CHECKPOINT if the file cannot be written (the previous file, if any, is unchanged)
 * @example
 * ```ts
 * const transform = new data.Pipeline([{ type: 'resize', height: 8, width: 8, method: 'area' }, { type: 'flatten' }]);
 * const model = await createHybridModel({ arch: 'qnn-classifier', numClasses: 2, numQubits: 6, encoder: { type: 'AmplitudeEmbedding', numFeatures: 64 }, ansatz: { type: 'StronglyEntanglingLayers', layers: 2 }, measurements: [{ type: 'expvalZ', wires: [0, 1] }] });
 * await saveHybridModelFile('student.qdc', model, { transform });
 * const { model: again, transform: same } = await loadHybridModelFile('student.qdc');
 * ```
 */
export async function saveHybridModelFile(path: string, model: HybridModel, options: SaveHybridModelFileOptions = {}): Promise<void> {
  const { transform, ...rest } = options;
  if (transform !== undefined && transform !== null && !(transform instanceof Pipeline)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `saveHybridModelFile ${path}: transform must be a data.Pipeline, got ${typeof transform}`);
  }
  if (transform && !transform.fitted) {
    throw new QDistillError('E_CONFIG', `saveHybridModelFile ${path}: the transform has steps that need fitting (pca, minMax, normalize with perChannel); call transform.fit(trainDataset) before saving`);
  }
  await writeFileAtomic(path, serializeHybridCheckpoint(model, { ...rest, transform: transform ?? null }));
}

/**
 * Loads a hybrid model saved by {@link saveHybridModelFile} (or any hybrid
 * checkpoint): the model with its weights, its input transform (null if none
 * was saved) and the checkpoint (metadata, optimiser state).
 *
 * @throws E_CHECKPOINT if the file cannot be read, is damaged, holds no hybrid model, or its transform does not rebuild
 * @example
 * ```ts
 * const { model, transform } = await loadHybridModelFile('student.qdc');
 * ```
 */
export async function loadHybridModelFile(
  path: string,
  options: { kernel?: Kernel } = {},
): Promise<{ model: HybridModel; transform: Pipeline | null; checkpoint: Checkpoint }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new QDistillError('E_CHECKPOINT', `checkpoint: cannot read ${path} (${(cause as Error).message})`, { cause });
  }
  const { model, checkpoint, transformJSON } = await restoreHybridModel(bytes, options);
  let transform: Pipeline | null = null;
  if (transformJSON !== null && transformJSON !== undefined) {
    try {
      transform = Pipeline.fromJSON(transformJSON as Parameters<typeof Pipeline.fromJSON>[0]);
    } catch (cause) {
      throw new QDistillError('E_CHECKPOINT', `checkpoint: ${path}'s stored input transform does not rebuild (${(cause as Error).message})`, { cause });
    }
  }
  return { model, transform, checkpoint };
}
