import { QDistillError } from '../errors.js';

/** Which compiled engine to load: `release` (no asserts) or `debug` (asserts on, used by tests). */
export type KernelBuild = 'release' | 'debug';

const modules = new Map<KernelBuild, Promise<WebAssembly.Module>>();

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The build chosen by `QDISTILL_WASM_BUILD` (Node only), else `release`. */
export function defaultBuild(): KernelBuild {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.QDISTILL_WASM_BUILD === 'debug' ? 'debug' : 'release';
}

/**
 * The compiled engine module, compiled once per build and shared by every
 * kernel (and postable to workers). The binary is embedded as base64, so this
 * needs no fetch and no file system.
 */
export function compiledModule(build: KernelBuild = defaultBuild()): Promise<WebAssembly.Module> {
  let pending = modules.get(build);
  if (!pending) {
    pending = (async () => {
      let base64: string;
      try {
        base64 =
          build === 'debug'
            ? (await import('./generated/wasm-debug.js')).wasmBase64
            : (await import('./generated/wasm-release.js')).wasmBase64;
      } catch (cause) {
        throw new QDistillError(
          'E_UNSUPPORTED',
          `kernel: the ${build} WebAssembly build is missing; run "npm run build:wasm" (scripts/build-wasm.mjs)`,
          { cause },
        );
      }
      return WebAssembly.compile(decodeBase64(base64) as BufferSource);
    })();
    modules.set(build, pending);
  }
  return pending;
}
