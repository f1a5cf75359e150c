/**
 * Starting a pool worker, one code path for both runtimes: a module Web
 * Worker in browsers, a worker_threads Worker in Node (node-spawn.ts, loaded
 * by dynamic import so browser bundles never see Node built-ins).
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import type { Endpoint } from './comlink.js';
import type { SpawnedWorker } from './types.js';

/** True in Node (main thread or worker thread), false in browsers. */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * The number of cores of this machine: `os.availableParallelism()` in Node,
 * `navigator.hardwareConcurrency` in browsers (1 if unknown).
 *
 * @example
 * ```ts
 * await availableCores(); // 2
 * ```
 */
export async function availableCores(): Promise<number> {
  if (isNode()) return (await import('./node-spawn.js')).nodeCores();
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency && nav.hardwareConcurrency > 0 ? nav.hardwareConcurrency : 1;
}

/**
 * Spawns one pool worker. `url` overrides the worker script (a bundler
 * that moved it, or tests).
 *
 * @throws E_WORKER if workers cannot be started here
 */
export async function spawnWorker(url?: string | URL): Promise<SpawnedWorker> {
  if (isNode()) return (await import('./node-spawn.js')).spawnNodeWorker(url);
  if (typeof Worker === 'undefined') throw new QDistillError('E_WORKER', 'worker pool: this environment has no Worker');
  let worker: Worker;
  try {
    // The literal `new Worker(new URL(…, import.meta.url))` lets bundlers (Vite, webpack, qdistill's rollup config) emit the worker.
    worker = url
      ? new Worker(url, { type: 'module', name: 'qdistill-pool' })
      : new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module', name: 'qdistill-pool' });
  } catch (cause) {
    throw new QDistillError('E_WORKER', `worker pool: could not start a Web Worker (${(cause as Error)?.message ?? cause})`, { cause });
  }
  const listeners: Array<(error: Error) => void> = [];
  let gone: Error | null = null;
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    if (gone) return;
    gone = new QDistillError('E_WORKER', `worker pool: a worker failed: ${event.message || 'its script did not load or threw'}`);
    for (const listener of listeners) listener(gone);
  });
  return {
    endpoint: worker as unknown as Endpoint,
    terminate: async () => worker.terminate(),
    onExit(listener) {
      if (gone) listener(gone);
      else listeners.push(listener);
    },
  };
}
