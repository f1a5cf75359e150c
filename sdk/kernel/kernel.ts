import { QDistillError, isQDistillError } from '../errors.js';
import type { EngineExports } from './generated/exports.js';
import { compiledModule, defaultBuild, type KernelBuild } from './loader.js';
import { LinearAllocator, formatBytes } from './memory.js';

export type { EngineExports } from './generated/exports.js';
export type { KernelBuild } from './loader.js';

/** Options for {@link createKernel}. */
export interface KernelOptions {
  /** `release` (default) or `debug` (engine asserts enabled). */
  build?: KernelBuild;
  /** A compiled module to instantiate (e.g. one posted to a worker). */
  module?: WebAssembly.Module;
}

/**
 * One instance of the WebAssembly engine with its linear memory and
 * allocator. This is the ONLY place in the SDK that touches WASM memory:
 * other layers ask it for pointers and typed views.
 *
 * Views over `memory.buffer` go stale when memory grows, so never keep one
 * across an allocation or a call that may allocate: ask again.
 *
 * If the engine traps (an assert in the debug build, or a bug), the call
 * throws `E_WASM_TRAP` and the kernel is retired: every later call throws
 * `E_KERNEL_RETIRED`. Create a new kernel.
 */
export class Kernel {
  readonly build: KernelBuild;
  readonly exports: EngineExports;
  private readonly allocator: LinearAllocator;
  private retiredBy: Error | undefined;

  /** @internal use {@link createKernel}. */
  constructor(build: KernelBuild, exports: EngineExports) {
    this.build = build;
    this.exports = exports;
    this.allocator = new LinearAllocator(exports.memory, exports.heapBase() >>> 0);
  }

  /** True once the engine has trapped; the kernel must not be used any more. */
  get retired(): boolean {
    return this.retiredBy !== undefined;
  }

  /** Bytes handed out by the allocator. */
  get bytesInUse(): number {
    return this.allocator.bytesInUse;
  }

  /** Allocates `bytes` of engine memory (16-byte aligned) and returns the pointer. */
  alloc(bytes: number, what?: string): number {
    this.assertUsable();
    return this.allocator.alloc(bytes, what);
  }

  /** Frees a pointer returned by {@link alloc}. */
  free(ptr: number): void {
    this.allocator.release(ptr);
  }

  /** A fresh Float64Array view of `length` doubles at `ptr`. */
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, length);
  }

  /** A fresh Float32Array view of `length` floats at `ptr`. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, ptr, length);
  }

  /** A fresh Int32Array view of `length` ints at `ptr`. */
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.exports.memory.buffer, ptr, length);
  }

  /** A fresh Uint32Array view of `length` unsigned ints at `ptr`. */
  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.exports.memory.buffer, ptr, length);
  }

  /** Allocates a copy of `data` in engine memory and returns the pointer. */
  allocF64(data: ArrayLike<number>, what?: string): number {
    const ptr = this.alloc(data.length * 8, what);
    this.f64(ptr, data.length).set(data);
    return ptr;
  }

  /** Allocates a copy of `data` (as float32) in engine memory and returns the pointer. */
  allocF32(data: ArrayLike<number>, what?: string): number {
    const ptr = this.alloc(data.length * 4, what);
    this.f32(ptr, data.length).set(data);
    return ptr;
  }

  /** Allocates a copy of `data` (as int32) in engine memory and returns the pointer. */
  allocI32(data: ArrayLike<number>, what?: string): number {
    const ptr = this.alloc(data.length * 4, what);
    this.i32(ptr, data.length).set(data);
    return ptr;
  }

  /**
   * Runs `body` (which calls engine exports) and turns a trap into
   * `E_WASM_TRAP`, retiring this kernel.
   */
  run<T>(where: string, body: (exports: EngineExports) => T): T {
    this.assertUsable();
    try {
      return body(this.exports);
    } catch (cause) {
      if (isQDistillError(cause) && cause.code !== 'E_WASM_TRAP') throw cause;
      const error = new QDistillError(
        'E_WASM_TRAP',
        `${where}: the WebAssembly engine trapped (${(cause as Error)?.message ?? String(cause)}); this kernel is retired, create a new one`,
        { cause },
      );
      this.retiredBy = error;
      throw error;
    }
  }

  private assertUsable(): void {
    if (this.retiredBy) {
      throw new QDistillError('E_KERNEL_RETIRED', 'kernel: this engine instance trapped earlier and was retired; create a new one', {
        cause: this.retiredBy,
      });
    }
  }
}

function readAssemblyString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const bytes = new Uint32Array(memory.buffer, (ptr >>> 0) - 4, 1)[0]!;
  const chars = new Uint16Array(memory.buffer, ptr >>> 0, bytes >>> 1);
  let out = '';
  for (let i = 0; i < chars.length; i++) out += String.fromCharCode(chars[i]!);
  return out;
}

/**
 * Instantiates the engine. The compiled module is shared between kernels;
 * each kernel has its own memory.
 *
 * @example
 * ```ts
 * const kernel = await createKernel();
 * const ptr = kernel.alloc(16 * 8);
 * ```
 */
export async function createKernel(options: KernelOptions = {}): Promise<Kernel> {
  const build = options.build ?? defaultBuild();
  const module = options.module ?? (await compiledModule(build));
  let memoryRef: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(message: number, file: number, line: number, column: number): never {
        const memory = memoryRef!;
        throw new QDistillError(
          'E_WASM_TRAP',
          `engine assertion failed: ${readAssemblyString(memory, message)} at ${readAssemblyString(memory, file)}:${line}:${column}`,
        );
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as EngineExports;
  memoryRef = exports.memory;
  return new Kernel(build, exports);
}

export { formatBytes };
