/**
 * What runs inside every pool worker (Web Worker or worker_threads alike):
 * one engine instance from the module the pool posted, the task handlers of
 * the QNN layer and the classical kernels, the synchronous data channel,
 * and the comlink API of the control plane ({@link WorkerApi}).
 *
 * Started by worker-entry.ts (browsers) and node-worker-entry.ts (Node),
 * which differ only in how they get their endpoint.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import type { ParallelArray, ParallelOutputs, TaskHandler, WorkerContext } from '../kernel/parallel.js';
import { init as initNN, KERNELS } from '../nn/backend.js';
import { nnTaskHandlers } from '../nn/backend-parallel.js';
import { qnnTaskHandlers } from '../qnn/layer-parallel.js';
import { QNNLayer } from '../qnn/qnn-layer.js';
import { expose, type Endpoint } from './comlink.js';
import {
  arrayAt, CONTROL_STRIDE, SEQUENCE, STATUS, Status, writeError, type DataMessage, type TaskMessage, type WorkerApi, type WorkerInit,
} from './protocol.js';

/** Every task kind a worker runs. */
const HANDLERS: Record<string, TaskHandler> = {
  ...qnnTaskHandlers((config, context) => new QNNLayer(config, context.kernel, { parallel: false })),
  ...nnTaskHandlers(KERNELS),
};

/** Derived objects (layer replicas) kept per worker, least recently used first out. */
const CACHE_LIMIT = 16;

class ReplicaCache extends Map<string, unknown> {
  override get(key: string): unknown {
    const value = super.get(key);
    if (value !== undefined) {
      super.delete(key);
      super.set(key, value);
    }
    return value;
  }

  override set(key: string, value: unknown): this {
    super.set(key, value);
    while (this.size > CACHE_LIMIT) this.drop(this.keys().next().value as string);
    return this;
  }

  drop(key: string): void {
    const value = super.get(key) as { dispose?: () => void } | undefined;
    super.delete(key);
    try {
      value?.dispose?.();
    } catch {
      // a replica on a retired engine: nothing to free
    }
  }

  clearAll(): void {
    for (const key of [...this.keys()]) this.drop(key);
  }
}

/** The worker's state after init. */
class WorkerRuntime {
  private kernel!: Kernel;
  private readonly states = new Map<string, unknown>();
  private readonly cache = new ReplicaCache();
  private data: SharedArrayBuffer | null = null;
  private control: Int32Array | null = null;
  private errors: SharedArrayBuffer | null = null;
  private index = 0;
  private module!: WebAssembly.Module;
  private build!: WorkerInit['build'];
  /** How the worker leaves when a test asks it to die mid-task. */
  exit: () => void = () => globalThis.close?.();

  async init(init: WorkerInit): Promise<void> {
    this.module = init.module;
    this.build = init.build;
    this.index = init.index;
    this.control = init.control ? new Int32Array(init.control) : null;
    this.errors = init.errors;
    await this.freshKernel();
    init.port.onmessage = (event: MessageEvent<DataMessage>) => this.onMessage(event.data);
  }

  /** Marks this worker dead in the control words (the caller then runs its task itself). */
  markDead(): void {
    if (!this.control) return;
    const at = this.index * CONTROL_STRIDE + STATUS;
    Atomics.store(this.control, at, Status.DEAD);
    Atomics.notify(this.control, at);
  }

  private async freshKernel(): Promise<void> {
    this.cache.clearAll();
    this.kernel = await createKernel({ module: this.module, build: this.build });
    await initNN({ kernel: this.kernel });
  }

  private context(): WorkerContext {
    const states = this.states;
    return {
      kernel: this.kernel,
      cache: this.cache,
      state(key: string): unknown {
        if (!states.has(key)) throw new QDistillError('E_WORKER', `worker: no state "${key}" (the pool did not send it)`);
        return states.get(key);
      },
    };
  }

  private pending: Promise<void> = Promise.resolve();

  private onMessage(message: DataMessage): void {
    // In order, one at a time (a task may have to wait for a fresh engine).
    this.pending = this.pending.then(() => this.handle(message));
  }

  private async handle(message: DataMessage): Promise<void> {
    if (message.type === 'forget') {
      for (const key of message.keys) {
        this.states.delete(key);
        this.cache.drop(key);
      }
      return;
    }
    if (this.kernel.retired) await this.freshKernel();
    this.runTask(message);
  }

  private runTask(m: TaskMessage): void {
    const control = this.control!;
    const at = this.index * CONTROL_STRIDE;
    let status: number = Status.DONE;
    try {
      if (m.buffer) this.data = m.buffer;
      if (m.state) {
        this.states.set(m.state.key, m.state.value);
        this.cache.drop(m.state.key);
      }
      const handler = HANDLERS[m.kind];
      if (!handler) throw new QDistillError('E_WORKER', `worker: unknown task kind "${m.kind}" (known: ${Object.keys(HANDLERS).join(', ')})`);
      const data = this.data!;
      const inputs: Record<string, ParallelArray> = {};
      for (const slot of m.inputs) inputs[slot.name] = arrayAt(data, slot);
      const outputs: ParallelOutputs = {};
      for (const slot of m.outputs) outputs[slot.name] = arrayAt(data, slot);
      handler({ meta: m.meta, inputs, outputs }, this.context());
      if (m.fault === 'exit') {
        this.markDead();
        this.exit();
        return;
      }
    } catch (error) {
      status = Status.ERROR;
      writeError(this.errors!, error);
    }
    Atomics.store(control, at + SEQUENCE, m.sequence);
    Atomics.store(control, at + STATUS, status);
    Atomics.notify(control, at + STATUS);
  }
}

/**
 * Starts the worker on `endpoint` (the worker's global scope, or Node's
 * parentPort wrapped by comlink's node adapter). Returns the runtime so the
 * Node entry can mark the worker dead when its thread exits.
 *
 * @internal
 */
export function startWorker(endpoint: Endpoint): { markDead(): void; setExit(exit: () => void): void } {
  const runtime = new WorkerRuntime();
  const controllers = new Map<number, AbortController>();
  const api: WorkerApi = {
    init: (init) => runtime.init(init),
    async call(moduleUrl, name, callId, ...args) {
      const controller = new AbortController();
      controllers.set(callId, controller);
      try {
        const module = (await import(/* @vite-ignore */ moduleUrl)) as Record<string, unknown>;
        const fn = module[name];
        if (typeof fn !== 'function') throw new QDistillError('E_WORKER', `worker: ${moduleUrl} has no exported function "${name}"`);
        return await (fn as (...a: unknown[]) => unknown)(...args, { signal: controller.signal });
      } finally {
        controllers.delete(callId);
      }
    },
    abort(callId) {
      controllers.get(callId)?.abort(new QDistillError('E_ABORTED', 'worker: the call was aborted by the pool'));
    },
  };
  expose(api, endpoint);
  return { markDead: () => runtime.markDead(), setExit: (exit) => (runtime.exit = exit) };
}
