import { QDistillError } from '../errors.js';

/** Bytes per WebAssembly page. */
export const PAGE_BYTES = 65536;
/** wasm32 address space: 65536 pages = 4 GiB. */
export const MAX_PAGES = 65536;
const ALIGN = 16;

interface FreeBlock {
  start: number;
  size: number;
}

/**
 * A first-fit allocator over WebAssembly linear memory, run from JavaScript.
 * The engine never allocates: the SDK hands it pointers. Memory grows on
 * demand with `memory.grow`; a request that cannot fit in the 4 GiB wasm32
 * address space throws `E_OUT_OF_MEMORY` before anything is allocated.
 * Blocks are 16-byte aligned (one v128).
 */
export class LinearAllocator {
  private readonly memory: WebAssembly.Memory;
  private readonly free: FreeBlock[] = [];
  private readonly used = new Map<number, number>();
  private top: number;

  constructor(memory: WebAssembly.Memory, heapBase: number) {
    this.memory = memory;
    this.top = align(heapBase);
  }

  /** Bytes currently handed out. */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.used.values()) total += size;
    return total;
  }

  /** Allocates `bytes` (rounded up to 16) and returns the pointer. */
  alloc(bytes: number, what = 'buffer'): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new QDistillError('E_INVALID_ARGUMENT', `alloc ${what}: expected a non-negative integer byte count, got ${bytes}`);
    }
    const size = Math.max(ALIGN, align(bytes));
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i]!;
      if (block.size >= size) {
        const ptr = block.start;
        if (block.size === size) this.free.splice(i, 1);
        else {
          block.start += size;
          block.size -= size;
        }
        this.used.set(ptr, size);
        return ptr;
      }
    }
    const ptr = this.top;
    const end = ptr + size;
    if (end > MAX_PAGES * PAGE_BYTES) {
      throw new QDistillError(
        'E_OUT_OF_MEMORY',
        `alloc ${what}: ${formatBytes(size)} does not fit in the 4 GiB WebAssembly address space ` +
          `(${formatBytes(this.bytesInUse)} already in use)`,
        { details: { requested: size, inUse: this.bytesInUse } },
      );
    }
    this.ensure(end, what, size);
    this.top = end;
    this.used.set(ptr, size);
    return ptr;
  }

  /** Returns a block to the allocator. Freeing an unknown pointer throws. */
  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) {
      throw new QDistillError('E_INVALID_ARGUMENT', `free: pointer ${ptr} was not allocated (or was freed twice)`);
    }
    this.used.delete(ptr);
    if (ptr + size === this.top) {
      this.top = ptr;
      // Pull the top down over any free blocks that now touch it.
      this.free.sort((a, b) => a.start - b.start);
      while (this.free.length > 0) {
        const last = this.free[this.free.length - 1]!;
        if (last.start + last.size !== this.top) break;
        this.top = last.start;
        this.free.pop();
      }
      return;
    }
    this.free.push({ start: ptr, size });
    this.free.sort((a, b) => a.start - b.start);
    const merged: FreeBlock[] = [];
    for (const block of this.free) {
      const prev = merged[merged.length - 1];
      if (prev && prev.start + prev.size === block.start) prev.size += block.size;
      else merged.push({ ...block });
    }
    this.free.length = 0;
    this.free.push(...merged);
  }

  private ensure(end: number, what: string, size: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch (cause) {
      throw new QDistillError(
        'E_OUT_OF_MEMORY',
        `alloc ${what}: could not grow WebAssembly memory by ${formatBytes(pages * PAGE_BYTES)} for a ${formatBytes(size)} block ` +
          `(the runtime refused; ${formatBytes(have)} already reserved)`,
        { cause },
      );
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** Human-readable byte count (`1.0 GiB`). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
