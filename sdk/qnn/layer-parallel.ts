/**
 * A {@link QNNLayer}'s batches split over a worker pool (sdk/kernel/parallel.ts):
 * the caller's side — the cost estimate that decides whether to split, the
 * tasks, and the one reduction, {@link sumSlotGradients} — and the workers'
 * side, {@link QNN_TASK_HANDLERS}, which run the same engine passes on a
 * replica of the layer built from its config.
 *
 * Bit-identity: forward outputs and input gradients are per sample; the
 * weight gradients are summed by the caller from every sample's slot
 * gradients in sample order, the order of the engine's one-call pass. So a
 * split batch gives the bits of the unsplit one, for any number of workers.
 *
 * @module
 */
import type { ParallelArray, ParallelTask, TaskHandler, WorkerContext } from '../kernel/parallel.js';
import type { PassParams } from './layer-engine.js';
import type { QNNLayerConfig } from './qnn-config.js';
import type { SlotSource, Tape } from './tape.js';

/** Task kinds of a QNN layer. */
export const QNN_FORWARD = 'qnn.forward';
export const QNN_BACKWARD = 'qnn.backward';

/**
 * Single-thread nanoseconds per amplitude per tape op of a forward pass,
 * measured with bench/qnn.ts W2/W4 on the project's 2-core machine (0.3–0.6
 * ns; the upper end, so that small batches stay on the calling thread).
 */
const NS_PER_AMPLITUDE_OP = 0.6;

/** Which pass a cost estimate is for. */
export type QNNPass = 'forward' | 'adjoint' | 'parameter-shift';

/**
 * Estimated single-thread milliseconds of a pass over `batch` samples: the
 * forward ≈ (ops + 2)·2ⁿ amplitude updates per sample, the adjoint ≈ 3×
 * that, parameter shift ≈ (2·slots + 1)× (two shifted runs per slot).
 *
 * @example
 * ```ts
 * estimatePassMs(layer.tape, 1000, 'adjoint'); // ≈ 1.9 ms for W3 (6 qubits, 3 layers)
 * ```
 */
export function estimatePassMs(tape: Tape, batch: number, pass: QNNPass): number {
  const forwardNs = (tape.numOps + 2) * 2 ** tape.numQubits * NS_PER_AMPLITUDE_OP;
  const factor = pass === 'forward' ? 1 : pass === 'adjoint' ? 3 : 2 * tape.slots.length + 1;
  return (batch * forwardNs * factor) / 1e6;
}

/**
 * ∂L/∂weights summed over a batch from every sample's slot gradients (rows
 * of numSlots, the parts in sample order), in the engine's order
 * (assembly/qnn.ts `addSlotGradients`): sample by sample, slot by slot,
 * `weight[index] += scale · g`. The same IEEE operations in the same order,
 * so the same bits as the one-call pass.
 *
 * @example
 * ```ts
 * const dWeights = sumSlotGradients(layer.tape.slots, layer.numWeights, [chunk0.sampleGrads, chunk1.sampleGrads]);
 * ```
 */
export function sumSlotGradients(slots: readonly SlotSource[], numWeights: number, parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(numWeights);
  const numSlots = slots.length;
  // The weight slots in slot order, as flat arrays (the loop below runs batch × slots times).
  const weightSlots = slots.flatMap((s, i) => (s.kind === 'weight' ? [i] : []));
  const at = Int32Array.from(weightSlots);
  const index = Int32Array.from(weightSlots, (i) => (slots[i] as Extract<SlotSource, { kind: 'weight' }>).index);
  const scale = Float64Array.from(weightSlots, (i) => (slots[i] as Extract<SlotSource, { kind: 'weight' }>).scale);
  for (const part of parts) {
    for (let row = 0; row < part.length; row += numSlots) {
      for (let k = 0; k < at.length; k++) out[index[k]!]! += scale[k]! * part[row + at[k]!]!;
    }
  }
  return out;
}

/** What the caller puts in every task of a layer. */
export interface LayerTaskContext {
  /** Unique key of the layer (its replica in each worker). */
  readonly key: string;
  readonly config: QNNLayerConfig;
  readonly numInputs: number;
  readonly numOutputs: number;
  readonly numSlots: number;
}

/** Meta of a forward task. */
interface ForwardMeta {
  /** The layer's key (its state and replica). */
  key: string;
  /** First sample of the chunk in the caller's batch, and its size. */
  start: number;
  batch: number;
  /** The caller's forward number: a backward with the same token reuses the states this forward kept. */
  token: number;
  /** Keep the final states for a backward. */
  keep: boolean;
}

/** Meta of a backward task. */
interface BackwardMeta {
  key: string;
  start: number;
  batch: number;
  token: number;
}

/**
 * The forward tasks of a batch split at `ranges` (sample ranges), each
 * writing its outputs into its rows of `y`.
 */
export function forwardTasks(
  ctx: LayerTaskContext, x: Float64Array, ranges: ReadonlyArray<readonly [number, number]>, params: PassParams, token: number, keep: boolean, y: Float64Array,
): ParallelTask[] {
  return ranges.map(([a, b]) => ({
    kind: QNN_FORWARD,
    state: { key: ctx.key, value: ctx.config },
    meta: { key: ctx.key, start: a, batch: b - a, token, keep } satisfies ForwardMeta,
    inputs: { x: x.subarray(a * ctx.numInputs, b * ctx.numInputs), weights: params.weights, matrices: params.matrices },
    outputs: { y: { type: 'f64', length: (b - a) * ctx.numOutputs, into: y.subarray(a * ctx.numOutputs, b * ctx.numOutputs) } },
  }));
}

/**
 * The backward tasks of a batch split at `ranges`: each writes its samples'
 * input gradients and slot gradients into their rows of `into`.
 */
export function backwardTasks(
  ctx: LayerTaskContext, x: Float64Array, g: Float64Array, ranges: ReadonlyArray<readonly [number, number]>, params: PassParams, token: number,
  into: { inputs: Float64Array; sampleGrads: Float64Array },
): ParallelTask[] {
  return ranges.map(([a, b]) => ({
    kind: QNN_BACKWARD,
    state: { key: ctx.key, value: ctx.config },
    meta: { key: ctx.key, start: a, batch: b - a, token } satisfies BackwardMeta,
    inputs: {
      x: x.subarray(a * ctx.numInputs, b * ctx.numInputs),
      g: g.subarray(a * ctx.numOutputs, b * ctx.numOutputs),
      weights: params.weights,
      matrices: params.matrices,
    },
    outputs: {
      inputs: { type: 'f64', length: (b - a) * ctx.numInputs, into: into.inputs.subarray(a * ctx.numInputs, b * ctx.numInputs) },
      sampleGrads: { type: 'f64', length: (b - a) * ctx.numSlots, into: into.sampleGrads.subarray(a * ctx.numSlots, b * ctx.numSlots) },
    },
  }));
}

/**
 * What a layer (the caller's, or a worker's replica) does for a task: the
 * engine passes on a chunk at given parameters, outside its own forward /
 * backward bookkeeping. {@link QNNLayer} implements it.
 */
export interface ChunkRunner {
  /** Forward of a chunk, its outputs written into `into`. */
  forwardChunk(x: Float64Array, batch: number, params: PassParams, keepStates: boolean, into: Float64Array): Float64Array;
  /** Backward of a chunk: its input gradients and every sample's slot gradients, written into `into`. */
  backwardChunk(
    x: Float64Array, batch: number, params: PassParams, g: Float64Array, statesKept: boolean, into: { inputs: Float64Array; sampleGrads: Float64Array },
  ): { inputs: Float64Array; sampleGrads: Float64Array };
  /** Whether a forward of `batch` samples can keep its states. */
  canKeepStates(batch: number): boolean;
  dispose(): void;
}

/** A worker's replica of a layer and what its last forward kept. */
interface Replica {
  layer: ChunkRunner;
  kept: { token: number; start: number; batch: number } | null;
  dispose(): void;
}

const asF64 = (a: ParallelArray | undefined): Float64Array => a as Float64Array;

/**
 * The worker's side of a layer's tasks, given how to build a replica from
 * the config (qnn-layer.ts passes `new QNNLayer(config, kernel)`: this
 * module does not import the layer).
 */
export function qnnTaskHandlers(build: (config: QNNLayerConfig, context: WorkerContext) => ChunkRunner): Record<string, TaskHandler> {
  const replica = (key: string, context: WorkerContext): Replica => {
    let r = context.cache.get(key) as Replica | undefined;
    if (!r) {
      const layer = build(context.state(key) as QNNLayerConfig, context);
      r = { layer, kept: null, dispose: () => layer.dispose() };
      context.cache.set(key, r);
    }
    return r;
  };
  return {
    [QNN_FORWARD]: ({ meta, inputs, outputs }, context) => {
      const m = meta as ForwardMeta;
      const r = replica(m.key, context);
      const params = { weights: asF64(inputs.weights), matrices: asF64(inputs.matrices) };
      const keep = m.keep && r.layer.canKeepStates(m.batch);
      r.kept = null;
      r.layer.forwardChunk(asF64(inputs.x), m.batch, params, keep, asF64(outputs.y));
      if (keep) r.kept = { token: m.token, start: m.start, batch: m.batch };
    },
    [QNN_BACKWARD]: ({ meta, inputs, outputs }, context) => {
      const m = meta as BackwardMeta;
      const r = replica(m.key, context);
      const params = { weights: asF64(inputs.weights), matrices: asF64(inputs.matrices) };
      // The states of this very chunk of this very forward, if this worker ran it and kept them; else the pass recomputes them (same bits).
      const k = r.kept;
      const statesKept = k !== null && k.token === m.token && k.start === m.start && k.batch === m.batch;
      r.layer.backwardChunk(asF64(inputs.x), m.batch, params, asF64(inputs.g), statesKept, { inputs: asF64(outputs.inputs), sampleGrads: asF64(outputs.sampleGrads) });
      r.kept = null;
    },
  };
}
