/**
 * Lazy loading of onnxruntime-web's CPU (WebAssembly) build. This is the
 * only module of the SDK that loads onnxruntime, and only by a dynamic
 * `import()`: the core bundle never pulls it (checked by the layering lint).
 *
 * State machine: `idle` → `loading` → `ready` | `failed`. A failed load is
 * reported with every reason and retried on the next call.
 *
 * @module
 */
import type * as Ort from 'onnxruntime-web/wasm';
import { QDistillError } from '../errors.js';

/**
 * The onnxruntime-web module type (`onnxruntime-web/wasm`).
 *
 * @example
 * ```ts
 * const ort: OrtModule = await loadOnnxRuntime();
 * ort.env.wasm.numThreads; // 1
 * ```
 */
export type OrtModule = typeof Ort;

/**
 * Settings applied to `ort.env` before the first session is created.
 *
 * @example
 * ```ts
 * configureOnnxRuntime({ numThreads: 1, logLevel: 'warning' } satisfies OnnxRuntimeOptions);
 * ```
 */
export interface OnnxRuntimeOptions {
  /**
   * WebAssembly threads (default 1). More than one needs SharedArrayBuffer
   * (COOP/COEP headers in browsers) and was measured slower on 2 cores.
   */
  numThreads?: number;
  /**
   * Where the browser fetches `ort-wasm-simd-threaded.wasm` (a URL prefix).
   * Not needed with qdistill's browser bundle (`dist/browser/`), which
   * emits that file next to the chunk that loads it, nor in Node (which
   * finds it in node_modules). Set it when your own bundler does not copy
   * the file, e.g. `'/static/ort/'` after copying it from
   * `node_modules/onnxruntime-web/dist/`.
   */
  wasmPaths?: string;
  /** onnxruntime's log level (default `error`: no warnings on the console). */
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
}

let settings: Required<Pick<OnnxRuntimeOptions, 'numThreads' | 'logLevel'>> & Pick<OnnxRuntimeOptions, 'wasmPaths'> = {
  numThreads: 1,
  logLevel: 'error',
};
let pending: Promise<OrtModule> | null = null;
let loaded: OrtModule | null = null;

function apply(ort: OrtModule): void {
  ort.env.wasm.numThreads = settings.numThreads;
  if (settings.wasmPaths !== undefined) ort.env.wasm.wasmPaths = settings.wasmPaths;
  ort.env.logLevel = settings.logLevel;
}

/**
 * Sets onnxruntime's options for the sessions created from now on (call it
 * before the first teacher loads: the thread count is fixed once the
 * runtime has started).
 *
 * @throws E_INVALID_ARGUMENT for a thread count that is not a positive integer
 * @example
 * ```ts
 * configureOnnxRuntime({ wasmPaths: '/static/ort/' }); // only if your bundler did not emit ort-wasm-simd-threaded.wasm
 * ```
 */
export function configureOnnxRuntime(options: OnnxRuntimeOptions): void {
  const numThreads = options.numThreads ?? settings.numThreads;
  if (!Number.isInteger(numThreads) || numThreads < 1) {
    throw new QDistillError('E_INVALID_ARGUMENT', `configureOnnxRuntime: numThreads must be a positive integer, got ${options.numThreads}`);
  }
  const wasmPaths = options.wasmPaths ?? settings.wasmPaths;
  settings = {
    numThreads,
    logLevel: options.logLevel ?? settings.logLevel,
    ...(wasmPaths !== undefined ? { wasmPaths } : {}),
  };
  if (loaded) apply(loaded);
}

/**
 * Loads onnxruntime-web's CPU build once (dynamic `import('onnxruntime-web/wasm')`).
 *
 * @throws E_ONNX (with the import error as `cause`) if the package cannot be loaded
 * @example
 * ```ts
 * const ort = await loadOnnxRuntime();
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export function loadOnnxRuntime(): Promise<OrtModule> {
  if (loaded) return Promise.resolve(loaded);
  if (!pending) {
    pending = (async () => {
      let ort: OrtModule;
      try {
        ort = (await import('onnxruntime-web/wasm')) as OrtModule;
      } catch (cause) {
        throw new QDistillError(
          'E_ONNX',
          `cannot load onnxruntime-web (the CPU build "onnxruntime-web/wasm"): ${(cause as Error)?.message ?? String(cause)}. Install it with npm install onnxruntime-web@1.30.0`,
          { cause },
        );
      }
      apply(ort);
      loaded = ort;
      return ort;
    })();
    pending.catch(() => {
      pending = null; // retry on the next call
    });
  }
  return pending;
}
