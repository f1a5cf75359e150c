/**
 * The worker pool: N workers (Web Workers in browsers, worker_threads in
 * Node, one code path), each with its own engine instance instantiated from
 * one compiled module. Heavy synchronous ops (a QNN layer's forward and
 * backward, conv2d, Linear) split their batches over it through
 * sdk/kernel/parallel.ts; whole computations (a training run) go through
 * {@link WorkerPool.call}.
 *
 * @module
 */
import { QDistillError, isQDistillError } from '../errors.js';
import { compiledModule, defaultBuild, type KernelBuild } from '../kernel/loader.js';
import { parallelRunner, setParallelRunner, type ParallelArray, type ParallelOutputs, type ParallelRunner, type ParallelTask } from '../kernel/parallel.js';
import { proxy as comlinkProxy, transfer, wrap, type Remote } from './comlink.js';
import {
  arrayAt, CONTROL_STRIDE, ERROR_BUFFER_BYTES, STATUS, Status, readError, type ArraySlot, type DataMessage, type TaskMessage, type WorkerApi,
} from './protocol.js';
import { availableCores, spawnWorker } from './spawn.js';
import type { SpawnedWorker } from './types.js';

/**
 * Batches estimated to take less than this many milliseconds on one thread
 * stay on the calling thread. Measured on the project's 2-core machine with
 * nothing else running (`npx tsx bench/workers.ts`, the "crossover" table):
 * W3 forward + adjoint over two workers is slower than the calling thread up
 * to an estimated ≈ 3 ms of single-thread work (0.99× at 2.9 ms, 1.19× at
 * 5.8 ms); below, the dispatch (≈ 50–100 µs per task), the copies and the
 * wait cost more than they save. (It was 0.5 ms, measured on a busier
 * machine; that split batches of 32–256 samples and made them slower.)
 */
export const DEFAULT_SPLIT_THRESHOLD_MS = 3;

/**
 * Options of {@link createWorkerPool}.
 *
 * @example
 * ```ts
 * const options: WorkerPoolOptions = { workers: 2, splitThresholdMs: 1 };
 * ```
 */
export interface WorkerPoolOptions {
  /** Worker threads (default: the number of cores, `navigator.hardwareConcurrency` or `os.availableParallelism()`). */
  workers?: number;
  /** Engine build of every worker (default: the SDK default, `release` unless `QDISTILL_WASM_BUILD=debug`). Ops on kernels of another build stay on the calling thread. */
  build?: KernelBuild;
  /**
   * Work estimated below this many single-thread milliseconds runs on the
   * calling thread (default {@link DEFAULT_SPLIT_THRESHOLD_MS}). 0 splits
   * every batch, even over one worker (tests).
   */
  splitThresholdMs?: number;
  /** The worker script (default: the one shipped next to the pool; a bundler may move it). */
  workerUrl?: string | URL;
  /** Aborts start-up. */
  signal?: AbortSignal;
  /**
   * Start the workers only when first needed — the first batch worth
   * splitting (which, like the ones until the workers are up, runs on the
   * calling thread) or the first {@link WorkerPool.call} — so a pool costs
   * nothing where every batch is small (default false).
   */
  lazy?: boolean;
}

/** Options of {@link WorkerPool.call}. */
export interface CallOptions {
  /** Aborts the call: the task's `signal` is aborted, and the worker is replaced if it does not stop within `abortGraceMs`. */
  signal?: AbortSignal;
  /** How long an aborted task may take to stop (default 30 s). */
  abortGraceMs?: number;
  /** Run the call again on a replacement worker if its worker crashes (default true: tasks are deterministic). */
  retry?: boolean;
}

/** One worker and what the pool knows about it. */
interface Slot {
  index: number;
  worker: SpawnedWorker;
  remote: Remote<WorkerApi>;
  port: MessagePort;
  /** The data buffer the worker holds (inputs and outputs of its current task). */
  data: SharedArrayBuffer | null;
  errors: SharedArrayBuffer | null;
  /** State keys the worker holds. */
  known: Set<string>;
  alive: boolean;
  /** Rejects the pending calls of this worker when it dies. */
  calls: Map<number, (error: Error) => void>;
  /** Test hook: the next synchronous task makes this worker exit. */
  fault?: 'exit';
}

const BYTES: Record<ArraySlot['type'], number> = { f64: 8, f32: 4, i32: 4 };

function typeOf(array: ParallelArray): ArraySlot['type'] {
  if (array instanceof Float64Array) return 'f64';
  if (array instanceof Float32Array) return 'f32';
  return 'i32';
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A pool of workers, each with its own engine. Install it with
 * `useWorkerPool` (or pass it as `parallel` to `QNNLayer.create`) and
 * big batches of QNN layers (forward, adjoint and parameter-shift backward),
 * conv2d and Linear run split by samples over its workers, with the bits of
 * the single-thread run for any number of workers. {@link call} runs whole
 * functions of task modules (a training run) on a worker.
 *
 * The calling thread blocks while a split batch runs (Atomics.wait; a spin
 * on a browser's main thread, where blocking is not allowed). A worker that
 * dies mid-batch is replaced in the background and its share is computed on
 * the calling thread (same bits). Synchronous splits need SharedArrayBuffer:
 * in a browser page that is not cross-origin isolated (COOP/COEP) they stay
 * on the calling thread, and {@link canRunSync} is false.
 *
 * @example
 * ```ts
 * const pool = await createWorkerPool({ workers: 2 });
 * useWorkerPool(pool);           // QNN layers and conv/Linear kernels now split big batches
 * const y = layer.forward(x);    // same bits as without the pool
 * await pool.dispose();
 * ```
 */
export class WorkerPool implements ParallelRunner {
  readonly size: number;
  readonly build: KernelBuild;
  readonly canRunSync: boolean;
  /** See {@link WorkerPoolOptions.splitThresholdMs}. */
  splitThresholdMs: number;
  /** Synchronous tasks run by workers, and run on the calling thread instead (their worker had died). */
  readonly stats = { workerTasks: 0, localTasks: 0 };
  private readonly slots: Slot[] = [];
  private readonly control: Int32Array | null;
  private readonly blocking: boolean;
  private readonly module: WebAssembly.Module;
  private readonly workerUrl: string | URL | undefined;
  private sequence = 0;
  private callIds = 0;
  private disposed = false;
  private readonly respawning = new Map<number, Promise<void>>();

  /** @internal use {@link createWorkerPool}. */
  constructor(size: number, build: KernelBuild, module: WebAssembly.Module, options: WorkerPoolOptions) {
    this.size = size;
    this.build = build;
    this.module = module;
    this.workerUrl = options.workerUrl;
    this.splitThresholdMs = options.splitThresholdMs ?? DEFAULT_SPLIT_THRESHOLD_MS;
    const shared = typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
    this.control = shared ? new Int32Array(new SharedArrayBuffer(size * CONTROL_STRIDE * 4)) : null;
    this.canRunSync = shared;
    this.blocking = shared && canBlock();
  }

  private starting: Promise<void> | null = null;
  private started = false;

  /** Starts every worker (once). @internal */
  start(signal?: AbortSignal): Promise<void> {
    this.starting ??= Promise.all(Array.from({ length: this.size }, (_, i) => this.spawn(i, signal))).then(() => {
      this.started = true;
    });
    return this.starting;
  }

  /** Workers alive now. */
  get alive(): number {
    return this.slots.filter((s) => s?.alive).length;
  }

  chunksFor(estimatedMs: number, maxChunks: number): number {
    if (this.disposed || !this.canRunSync || maxChunks < 1) return 0;
    const split = this.splitThresholdMs === 0 || (this.size >= 2 && estimatedMs >= this.splitThresholdMs);
    if (!split) return 0;
    if (!this.started) {
      // A lazy pool starts now, in the background; until it is up, batches stay here.
      this.start().catch(() => undefined);
      return 0;
    }
    return Math.min(this.size, maxChunks);
  }

  runSync(tasks: readonly ParallelTask[], local: (task: ParallelTask) => ParallelOutputs): ParallelOutputs[] {
    if (tasks.length > this.size) {
      throw new QDistillError('E_INVALID_ARGUMENT', `WorkerPool.runSync: ${tasks.length} tasks for ${this.size} workers (at most one task per worker)`);
    }
    if (this.disposed) throw new QDistillError('E_WORKER', 'WorkerPool: the pool was disposed');
    const control = this.control;
    if (!control) return tasks.map(local);
    const results: Array<ParallelOutputs | undefined> = new Array(tasks.length);
    const posted: Array<{ index: number; slot: Slot; outputs: ArraySlot[]; task: ParallelTask }> = [];
    const here: number[] = [];
    // The first error in task order is thrown, but only once every posted task finished (no worker is left busy).
    let failure: { index: number; error: unknown } | null = null;
    const fail = (index: number, error: unknown): void => {
      if (!failure || index < failure.index) failure = { index, error };
    };
    const runHere = (index: number): void => {
      this.stats.localTasks++;
      try {
        const task = tasks[index]!;
        const out = local(task);
        for (const [name, spec] of Object.entries(task.outputs)) {
          if (spec.into && out[name] !== spec.into) spec.into.set(out[name] as ArrayLike<number> & ParallelArray);
          if (spec.into) out[name] = spec.into;
        }
        results[index] = out;
      } catch (error) {
        fail(index, error);
      }
    };
    tasks.forEach((task, i) => {
      const slot = this.slots[i];
      if (!slot?.alive || !this.claim(slot)) {
        if (slot?.alive) this.lost(slot, new QDistillError('E_WORKER', `worker ${slot.index} exited`));
        here.push(i);
        return;
      }
      try {
        posted.push({ index: i, slot, outputs: this.post(slot, task), task });
      } catch (error) {
        Atomics.store(control, slot.index * CONTROL_STRIDE + STATUS, Status.IDLE);
        fail(i, error);
      }
    });
    // The share of dead workers, on this thread while the others run.
    for (const i of here) runHere(i);
    for (const { index, slot, outputs, task } of posted) {
      const status = this.wait(slot);
      if (status === Status.DONE) {
        const out: ParallelOutputs = {};
        for (const o of outputs) {
          const into = task.outputs[o.name]!.into;
          const view = arrayAt(slot.data!, o);
          if (into) into.set(view as ArrayLike<number> & ParallelArray);
          out[o.name] = into ?? view.slice();
        }
        results[index] = out;
        this.stats.workerTasks++;
      } else if (status === Status.ERROR) {
        fail(index, readError(slot.errors!));
      } else {
        // The worker died with the task: replace it, compute its share here.
        this.lost(slot, new QDistillError('E_WORKER', `worker ${slot.index} died during a task`));
        runHere(index);
      }
    }
    if (failure) throw (failure as { error: unknown }).error;
    return results as ParallelOutputs[];
  }


  forget(key: string): void {
    for (const slot of this.slots) {
      if (!slot?.alive || !slot.known.has(key)) continue;
      slot.known.delete(key);
      slot.port.postMessage({ type: 'forget', keys: [key] } satisfies DataMessage);
    }
  }

  /**
   * Runs the exported function `name` of the ES module at `moduleUrl` in a
   * worker, with `args` (structured-cloneable, or `proxy(callback)`) and a
   * last argument `{ signal }`. Calls go to the least busy worker. A worker
   * that crashes is replaced and the call retried there (unless `retry:
   * false`); the function's errors arrive with their class and code.
   *
   * @throws E_ABORTED when `signal` aborts; E_WORKER when the worker died (and no retry)
   * @example
   * ```ts
   * const record = await pool.call(new URL('./my-task.js', import.meta.url).href, 'train', [config]);
   * ```
   */
  async call<T>(moduleUrl: string, name: string, args: unknown[], options: CallOptions = {}): Promise<T> {
    const { signal, retry = true } = options;
    for (let attempt = 0; ; attempt++) {
      if (this.disposed) throw new QDistillError('E_WORKER', 'WorkerPool: the pool was disposed');
      if (signal?.aborted) throw abortError(signal);
      const slot = await this.leastBusy();
      try {
        return await this.callOn<T>(slot, moduleUrl, name, args, options);
      } catch (error) {
        const crashed = isQDistillError(error) && error.code === 'E_WORKER' && !slot.alive;
        if (!crashed || !retry || attempt >= 2 || signal?.aborted) throw error;
      }
    }
  }

  /** Test hook: the worker at `index` exits during its next synchronous task. @internal */
  injectFault(index: number, fault: 'exit'): void {
    const slot = this.slots[index];
    if (slot) slot.fault = fault;
  }

  /** Test hook: resolves when every worker is alive again after a crash. @internal */
  async settled(): Promise<void> {
    await Promise.all([...this.respawning.values()]);
  }

  /**
   * Stops every worker. The pool is unusable afterwards; it uninstalls itself
   * if it was the installed one.
   *
   * @example
   * ```ts
   * await pool.dispose();
   * ```
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (parallelRunner() === this) setParallelRunner(null);
    await this.starting?.catch(() => undefined);
    await Promise.all(this.slots.map(async (slot) => {
      if (!slot) return;
      slot.alive = false;
      for (const reject of slot.calls.values()) reject(new QDistillError('E_WORKER', 'WorkerPool: disposed while a call was running'));
      slot.port.close();
      await slot.worker.terminate().catch(() => undefined);
    }));
  }

  // ------------------------------------------------------------------ internals

  private async spawn(index: number, signal?: AbortSignal): Promise<void> {
    const worker = await spawnWorker(this.workerUrl);
    const remote = wrap<WorkerApi>(worker.endpoint);
    const channel = new MessageChannel();
    const errors = this.control ? new SharedArrayBuffer(ERROR_BUFFER_BYTES) : null;
    const slot: Slot = { index, worker, remote, port: channel.port1, data: null, errors, known: new Set(), alive: false, calls: new Map() };
    const started = new Promise<never>((_, reject) => worker.onExit(reject));
    started.catch(() => undefined);
    const aborted = signal
      ? new Promise<never>((_, reject) => {
          if (signal.aborted) reject(abortError(signal));
          signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
        })
      : null;
    aborted?.catch(() => undefined);
    try {
      const init = remote.init(transfer({ module: this.module, build: this.build, control: this.control?.buffer as SharedArrayBuffer | null ?? null, index, port: channel.port2, errors }, [channel.port2]));
      await Promise.race([init, started, ...(aborted ? [aborted] : [])]);
    } catch (error) {
      await worker.terminate().catch(() => undefined);
      channel.port1.close();
      if (isQDistillError(error)) throw error;
      throw new QDistillError('E_WORKER', `worker pool: worker ${index} failed to start: ${(error as Error)?.message ?? error}`, { cause: error });
    }
    if (this.control) Atomics.store(this.control, index * CONTROL_STRIDE + STATUS, Status.IDLE);
    slot.alive = true;
    worker.onExit((error) => this.lost(slot, error));
    this.slots[index] = slot;
  }

  /**
   * Marks the worker BUSY for a new task, unless it marked itself DEAD (it
   * exited while idle, before this thread could hear of it).
   */
  private claim(slot: Slot): boolean {
    const control = this.control!;
    const at = slot.index * CONTROL_STRIDE + STATUS;
    const current = Atomics.load(control, at);
    return current !== Status.DEAD && current !== Status.BUSY && Atomics.compareExchange(control, at, current, Status.BUSY) === current;
  }

  /** Writes a task's inputs into the worker's data buffer and posts it (the slot is claimed); returns where its outputs will be. */
  private post(slot: Slot, task: ParallelTask): ArraySlot[] {
    const layout = (entries: Array<[string, ArraySlot['type'], number]>, start: number): { slots: ArraySlot[]; end: number } => {
      let offset = start;
      const slots: ArraySlot[] = [];
      for (const [name, type, length] of entries) {
        slots.push({ name, type, offset, length });
        offset += Math.ceil((length * BYTES[type]) / 8) * 8;
      }
      return { slots, end: offset };
    };
    const ins = layout(Object.entries(task.inputs).map(([n, a]) => [n, typeOf(a), a.length]), 0);
    const outs = layout(Object.entries(task.outputs).map(([n, o]) => [n, o.type, o.length]), ins.end);
    let buffer: SharedArrayBuffer | undefined;
    if (!slot.data || slot.data.byteLength < outs.end) {
      buffer = new SharedArrayBuffer(Math.max(outs.end, Math.ceil((slot.data?.byteLength ?? 0) * 1.5), 1 << 16));
      slot.data = buffer;
    }
    for (const s of ins.slots) arrayAt(slot.data, s).set(task.inputs[s.name]! as ArrayLike<number> & ParallelArray);
    const sequence = ++this.sequence;
    const state = task.state && !slot.known.has(task.state.key) ? task.state : undefined;
    if (state) slot.known.add(state.key);
    const message: TaskMessage = {
      type: 'task', sequence, kind: task.kind, meta: task.meta, inputs: ins.slots, outputs: outs.slots,
      ...(state ? { state } : {}), ...(buffer ? { buffer } : {}), ...(slot.fault ? { fault: slot.fault } : {}),
    };
    slot.fault = undefined;
    slot.port.postMessage(message);
    return outs.slots;
  }

  /** Blocks until the worker of `slot` leaves BUSY; returns its status. */
  private wait(slot: Slot): number {
    const control = this.control!;
    const at = slot.index * CONTROL_STRIDE + STATUS;
    for (;;) {
      const status = Atomics.load(control, at);
      if (status !== Status.BUSY) return status;
      if (this.blocking) Atomics.wait(control, at, Status.BUSY, 1000);
    }
  }

  /** A worker is gone: reject its calls, replace it in the background. */
  private lost(slot: Slot, error: Error): void {
    if (!slot.alive) return;
    slot.alive = false;
    slot.known.clear();
    for (const reject of slot.calls.values()) reject(error);
    slot.calls.clear();
    slot.port.close();
    void slot.worker.terminate().catch(() => undefined);
    if (this.disposed || this.respawning.has(slot.index)) return;
    const respawn = (async () => {
      // After the current synchronous work: a browser starts workers only when the calling thread is free.
      await new Promise((resolve) => setTimeout(resolve, 0));
      try {
        if (!this.disposed) await this.spawn(slot.index);
      } catch {
        // Stays dead: its share of every batch runs on the calling thread.
      } finally {
        this.respawning.delete(slot.index);
      }
    })();
    this.respawning.set(slot.index, respawn);
  }

  private async leastBusy(): Promise<Slot> {
    await this.start();
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot?.alive && (!best || slot.calls.size < best.calls.size)) best = slot;
    }
    if (best) return best;
    await Promise.all([...this.respawning.values()]);
    const any = this.slots.find((s) => s?.alive);
    if (!any) throw new QDistillError('E_WORKER', 'WorkerPool: no worker is alive (they failed to restart)');
    return any;
  }

  private callOn<T>(slot: Slot, moduleUrl: string, name: string, args: unknown[], options: CallOptions): Promise<T> {
    const id = ++this.callIds;
    const { signal, abortGraceMs = 30_000 } = options;
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        slot.calls.delete(id);
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(timer);
      };
      const onAbort = (): void => {
        void slot.remote.abort(id).catch(() => undefined);
        timer = setTimeout(() => {
          // The task did not stop: replace its worker.
          this.lost(slot, abortError(signal!));
        }, abortGraceMs);
      };
      slot.calls.set(id, (error) => {
        done();
        reject(error);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      (slot.remote.call(moduleUrl, name, id, ...args) as Promise<T>).then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }
}

function abortError(signal: AbortSignal): QDistillError {
  const reason = signal.reason as unknown;
  if (isQDistillError(reason) && reason.code === 'E_ABORTED') return reason;
  return new QDistillError('E_ABORTED', `worker pool: aborted${reason instanceof Error ? ` (${reason.message})` : ''}`, { cause: reason });
}


/**
 * Starts a pool of `workers` workers (default: one per core), each
 * instantiating the engine from ONE compiled module that is posted to it.
 *
 * @throws E_WORKER if a worker cannot start; E_ABORTED if `signal` aborts; E_INVALID_ARGUMENT for a bad option
 * @example
 * ```ts
 * const pool = await createWorkerPool({ workers: 2 });
 * useWorkerPool(pool);
 * ```
 */
export async function createWorkerPool(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  const workers = options.workers ?? (await availableCores());
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new QDistillError('E_INVALID_ARGUMENT', `createWorkerPool: workers must be an integer in 1..256, got ${JSON.stringify(options.workers)}`);
  }
  const threshold = options.splitThresholdMs;
  if (threshold !== undefined && !(threshold >= 0)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `createWorkerPool: splitThresholdMs must be ≥ 0, got ${threshold}`);
  }
  const build = options.build ?? defaultBuild();
  const pool = new WorkerPool(workers, build, await compiledModule(build), options);
  if (options.lazy) return pool;
  try {
    await pool.start(options.signal);
  } catch (error) {
    await pool.dispose();
    throw error;
  }
  return pool;
}

/**
 * Marks a callback among the arguments of {@link WorkerPool.call} so the
 * worker can call it back across the boundary (comlink's `proxy`).
 *
 * @example
 * ```ts
 * await pool.call(taskUrl, 'train', [config, proxy((progress) => console.log(progress))]);
 * ```
 */
export const proxy: typeof comlinkProxy = comlinkProxy;

export { availableCores };
