/**
 * Starting a pool worker in Node: a worker_threads Worker running
 * node-worker-entry, with comlink's node adapter as its endpoint. From the
 * TypeScript sources (tsx, vitest) the worker loads the .ts entry through
 * tsx; from dist/, the compiled .js.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { QDistillError } from '../errors.js';
import type { SpawnedWorker } from './types.js';

/**
 * Spawns one Node worker thread (`url`: another entry, for tests).
 *
 * @example
 * ```ts
 * const worker = spawnNodeWorker();
 * ```
 */
export function spawnNodeWorker(url?: string | URL): SpawnedWorker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = String(url ?? new URL(fromSource ? './node-worker-entry.ts' : './node-worker-entry.js', import.meta.url));
  let worker: Worker;
  try {
    if (entry.endsWith('.ts')) {
      // From the TypeScript sources (vitest, tsx): register tsx's loader in the thread, then load the entry.
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
      const script = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
      worker = new Worker(script, { eval: true, name: 'qdistill-pool' });
    } else worker = new Worker(new URL(entry), { name: 'qdistill-pool' });
  } catch (cause) {
    throw new QDistillError('E_WORKER', `worker pool: could not start a worker thread from ${String(entry)}`, { cause });
  }
  // comlink adds one message listener per wrapped endpoint and proxy; the pool keeps a few.
  worker.setMaxListeners(0);
  const exitListeners: Array<(error: Error) => void> = [];
  let exited: Error | null = null;
  const onGone = (error: Error): void => {
    if (exited) return;
    exited = error;
    for (const listener of exitListeners) listener(error);
  };
  worker.on('error', (error) => onGone(new QDistillError('E_WORKER', `worker pool: a worker thread failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => onGone(new QDistillError('E_WORKER', `worker pool: a worker thread exited (code ${code})`)));
  return {
    endpoint: nodeEndpoint(worker),
    terminate: async () => {
      await worker.terminate();
    },
    onExit(listener) {
      if (exited) listener(exited);
      else exitListeners.push(listener);
    },
    unref: () => worker.unref(),
  };
}

/** Cores of this machine (Node). */
export function nodeCores(): number {
  return availableParallelism();
}
