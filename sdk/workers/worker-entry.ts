/**
 * The pool worker's script in browsers (a module Web Worker): comlink is
 * exposed on the worker's global scope at once, with no top-level await
 * before it (a browser drops messages that arrive before a listener).
 *
 * @module
 */
import type { Endpoint } from './comlink.js';
import { startWorker } from './worker.js';

startWorker(globalThis as unknown as Endpoint);
