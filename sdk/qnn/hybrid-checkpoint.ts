/**
 * Checkpoints of hybrid models: the nn checkpoint format (weights, optimiser
 * state, seed; versioned and CRC-checked) with the hybrid config stored in its
 * metadata, so a file rebuilds the model it came from.
 */
import { QDistillError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { loadCheckpointInto, parseCheckpoint, serializeCheckpoint, type Checkpoint, type SaveCheckpointOptions } from '../nn/checkpoint.js';
import { createHybridModel, type HybridModel, type HybridModelConfig } from './hybrid.js';

const KEY = 'qdistill.hybridConfig';
const TRANSFORM_KEY = 'qdistill.inputTransform';

/** Options of {@link serializeHybridCheckpoint}: the checkpoint's, plus the model's input transform. */
export interface HybridCheckpointOptions extends SaveCheckpointOptions {
  /**
   * The input transform the model expects (a data `Pipeline`, fitted, or its
   * JSON): stored in the checkpoint, so the file restores the model and what
   * its inputs go through. `restoreHybridModel` returns it as `transformJSON`;
   * `loadHybridModelFile` (qdistill/node) as a `Pipeline`.
   */
  transform?: { toJSON(): unknown } | Record<string, unknown> | null;
}

/**
 * Serialises a hybrid model (config + weights + optional optimiser state, seed and input transform).
 *
 * @example
 * ```ts
 * const bytes = serializeHybridCheckpoint(model, { optimizer });
 * const { model: again } = await restoreHybridModel(bytes);
 * ```
 */
export function serializeHybridCheckpoint(model: HybridModel, options: HybridCheckpointOptions = {}): Uint8Array {
  const { transform, ...rest } = options;
  let transformJSON: unknown = null;
  if (transform !== undefined && transform !== null) {
    if (typeof transform !== 'object') {
      throw new QDistillError('E_INVALID_ARGUMENT', `serializeHybridCheckpoint: transform must be a data Pipeline or its JSON, got ${typeof transform}`);
    }
    transformJSON = typeof (transform as { toJSON?: unknown }).toJSON === 'function' ? (transform as { toJSON(): unknown }).toJSON() : transform;
  }
  return serializeCheckpoint(model, {
    ...rest,
    seed: rest.seed ?? model.config.seed ?? null,
    metadata: { ...(rest.metadata ?? {}), [KEY]: model.config, ...(transformJSON !== null ? { [TRANSFORM_KEY]: transformJSON } : {}) },
  });
}

/**
 * Rebuilds a hybrid model from a checkpoint written by {@link serializeHybridCheckpoint}
 * (`transformJSON`: the stored input transform, or null; `data.Pipeline.fromJSON` rebuilds it).
 *
 * @throws E_CHECKPOINT if the file is corrupt or truncated, holds no hybrid config or one that does not build a model, or its tensors do not fit the architecture
 */
export async function restoreHybridModel(
  source: Uint8Array | Checkpoint,
  options: { kernel?: Kernel } = {},
): Promise<{ model: HybridModel; checkpoint: Checkpoint; transformJSON: unknown }> {
  const checkpoint = source instanceof Uint8Array ? parseCheckpoint(source) : source;
  const config = checkpoint.metadata[KEY] as HybridModelConfig | undefined;
  if (!config || typeof config !== 'object' || typeof (config as { arch?: unknown }).arch !== 'string') {
    throw new QDistillError('E_CHECKPOINT', `checkpoint: ${checkpoint.label} holds no hybrid model config (was it saved with serializeHybridCheckpoint?)`);
  }
  // Every ansatz layer holds at least one weight: a stored config asking for more layers than the file holds
  // weights is damaged, and building it could take minutes and gigabytes.
  let stored = 0;
  for (const t of checkpoint.tensors.values()) if (t.kind === 'param') stored += t.data.length;
  const layers = largestLayers(config);
  if (layers > stored) {
    throw new QDistillError('E_CHECKPOINT', `checkpoint: ${checkpoint.label}'s stored hybrid config asks for ${layers} layers but the file holds ${stored} weights in all`);
  }
  let model: HybridModel;
  try {
    model = await createHybridModel(config, options);
  } catch (cause) {
    // The config came from a file: whatever it breaks in the builder is a bad checkpoint.
    throw new QDistillError('E_CHECKPOINT', `checkpoint: ${checkpoint.label}'s stored hybrid config does not build a model (${(cause as Error)?.message ?? String(cause)})`, { cause });
  }
  loadCheckpointInto(model, checkpoint);
  return { model, checkpoint, transformJSON: checkpoint.metadata[TRANSFORM_KEY] ?? null };
}

/** The largest `layers` count anywhere in a config (0 if none). */
function largestLayers(value: unknown, depth = 0): number {
  if (typeof value !== 'object' || value === null || depth > 8) return 0;
  let most = 0;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'layers' && typeof v === 'number' && Number.isFinite(v)) most = Math.max(most, v);
    else most = Math.max(most, largestLayers(v, depth + 1));
  }
  return most;
}
