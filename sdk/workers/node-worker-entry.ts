/**
 * The pool worker's script in Node (a worker_threads Worker): comlink over
 * `parentPort`, and the thread marks itself dead in the shared control
 * words when it exits (process.exit, an uncaught error), so a caller waiting
 * for its task runs the task itself instead of waiting forever.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { QDistillError } from '../errors.js';
import { startWorker } from './worker.js';

if (!parentPort) throw new QDistillError('E_WORKER', 'node-worker-entry: not running in a worker thread');
const worker = startWorker(nodeEndpoint(parentPort));
worker.setExit(() => process.exit(1));
process.on('exit', () => worker.markDead());
