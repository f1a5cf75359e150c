/**
 * The seam between the heavy synchronous ops (a QNN layer's forward and
 * backward, the classical conv2d and Linear kernels) and a worker pool
 * (sdk/workers/), without either depending on the other: the ops describe
 * their work as {@link ParallelTask}s and hand them to whichever
 * {@link ParallelRunner} is installed; the pool runs each task's handler
 * (registered under the task's `kind`) in a worker and copies the outputs
 * back.
 *
 * The contract that keeps results bit-identical for any number of workers:
 * a task computes only per-sample quantities (outputs, input gradients, and
 * each sample's own gradient terms), never a sum over samples; the caller
 * sums the terms over the batch in sample order, exactly as the one-call
 * engine pass does. So a batch gives the same bits whether it ran on the
 * calling thread, on one worker or split over three.
 *
 * @module
 */
import type { Kernel } from './kernel.js';

/** Typed arrays a task reads or writes. */
export type ParallelArray = Float64Array | Float32Array | Int32Array;

/** Element type of a task output. */
export type ParallelArrayType = 'f64' | 'f32' | 'i32';

/** What a task writes: one typed array per name. */
export type ParallelOutputs = Record<string, ParallelArray>;

/** One output of a task. */
export interface ParallelOutputSpec {
  readonly type: ParallelArrayType;
  readonly length: number;
  /** Where the caller wants the values (same type and length). */
  readonly into?: ParallelArray;
}

/**
 * One piece of work for one worker.
 *
 * @example
 * ```ts
 * const task: ParallelTask = {
 *   kind: 'nn.conv2d.forward', meta: { geometry },
 *   inputs: { x, w }, outputs: { y: { type: 'f32', length: batch * perSample } },
 * };
 * ```
 */
export interface ParallelTask {
  /** Handler name in the worker (`qnn.forward`, `nn.conv2d.backward`, …). */
  readonly kind: string;
  /** Small structured-cloneable arguments (sizes, flags). */
  readonly meta?: unknown;
  /** Arrays the handler reads (copied into the worker through shared memory). */
  readonly inputs: Readonly<Record<string, ParallelArray>>;
  /**
   * Arrays the handler writes: type and length of each, and optionally
   * `into`, where the caller wants it (the runner copies it there straight
   * from shared memory and returns that array; no other copy is made).
   */
  readonly outputs: Readonly<Record<string, ParallelOutputSpec>>;
  /**
   * State the worker must hold before running the task (e.g. a QNN layer's
   * config): sent once per worker and key, then found by key in
   * {@link WorkerContext.state}.
   */
  readonly state?: { readonly key: string; readonly value: unknown };
}

/**
 * Runs tasks on other threads, synchronously: the calling thread blocks
 * until every task finished (Atomics.wait; a spin on a browser's main
 * thread). Installed with {@link setParallelRunner}; `sdk/workers`'
 * `WorkerPool` is the implementation.
 */
export interface ParallelRunner {
  /** Worker threads. */
  readonly size: number;
  /** Engine build every worker runs; ops of kernels of another build stay on the calling thread. */
  readonly build: string;
  /** False where the calling thread cannot wait for workers (no SharedArrayBuffer: a page that is not cross-origin isolated). */
  readonly canRunSync: boolean;
  /**
   * How many tasks to split work of `estimatedMs` (single-thread estimate)
   * into: 0 or 1 means "run it on the calling thread", where splitting would
   * cost more than it gains.
   */
  chunksFor(estimatedMs: number, maxChunks: number): number;
  /**
   * Runs `tasks[i]` on worker i (at most {@link size} tasks) and returns their
   * outputs in task order. A task whose worker died is run by `local` on the
   * calling thread instead (same bits); the worker is replaced in the
   * background. A handler's error is rethrown here with its class and `code`.
   */
  runSync(tasks: readonly ParallelTask[], local: (task: ParallelTask) => ParallelOutputs): ParallelOutputs[];
  /** Drops a state (e.g. a disposed layer's) from every worker. */
  forget(key: string): void;
}

/** What a task handler gets in the worker. */
export interface WorkerContext {
  /** The worker's own engine instance (compiled once, from the module the pool posted). */
  readonly kernel: Kernel;
  /** A state sent with {@link ParallelTask.state}, by key. */
  state(key: string): unknown;
  /** Per-worker objects derived from a state (a layer built from its config), dropped with the state. */
  readonly cache: Map<string, unknown>;
}

/** A task handler: reads `inputs`, writes every array of `outputs` (views the pool copies back). */
export type TaskHandler = (task: { meta: unknown; inputs: Readonly<Record<string, ParallelArray>>; outputs: ParallelOutputs }, context: WorkerContext) => void;

let installed: ParallelRunner | null = null;

/**
 * Installs (or, with null, removes) the runner QNN layers and the classical
 * kernels split their batches over. `useWorkerPool(pool)` calls this.
 *
 * @example
 * ```ts
 * setParallelRunner(pool); // … later: setParallelRunner(null)
 * ```
 */
export function setParallelRunner(runner: ParallelRunner | null): void {
  installed = runner;
}

/**
 * The installed runner, if any.
 *
 * @example
 * ```ts
 * parallelRunner()?.size; // 2 after useWorkerPool(a pool of 2)
 * ```
 */
export function parallelRunner(): ParallelRunner | null {
  return installed;
}

/**
 * The runner an op of a kernel of build `build` may use now: the installed
 * one if it can run synchronously here and runs the same engine build.
 *
 * @example
 * ```ts
 * const runner = runnerFor(kernel.build); // null: run on this thread
 * ```
 */
export function runnerFor(build: string): ParallelRunner | null {
  const r = installed;
  return r && r.canRunSync && r.size > 0 && r.build === build ? r : null;
}

/**
 * Contiguous sample ranges `[start, end)` splitting `count` samples into
 * `chunks` parts as equal as possible (earlier parts one larger).
 *
 * @example
 * ```ts
 * splitRanges(10, 3); // [[0, 4], [4, 7], [7, 10]]
 * ```
 */
export function splitRanges(count: number, chunks: number): Array<[number, number]> {
  const parts = Math.max(1, Math.min(chunks, count));
  const base = Math.floor(count / parts);
  const extra = count % parts;
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    out.push([start, end]);
    start = end;
  }
  return out;
}
