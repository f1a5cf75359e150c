/**
 * Types shared by the pool and the two ways of starting a worker.
 *
 * @module
 */
import type { Endpoint } from './comlink.js';

/** A started worker, as the pool sees it. */
export interface SpawnedWorker {
  /** What comlink talks to. */
  readonly endpoint: Endpoint;
  terminate(): Promise<void>;
  /** Called once if the worker fails to start, crashes or exits. */
  onExit(listener: (error: Error) => void): void;
  /** Node: let the process exit while the worker is idle. */
  unref?(): void;
}
