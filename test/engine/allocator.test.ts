// The JavaScript-side allocator over WebAssembly memory (sdk/kernel/memory.ts):
// alignment, first-fit reuse, splitting, coalescing, pulling the top down,
// double frees, growth, and the 4 GiB / runtime limits — plus a leak check of
// the simulator, which must free everything it allocates, also when it throws.
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { LinearAllocator, MAX_PAGES, PAGE_BYTES, formatBytes } from '../../sdk/kernel/memory.js';
import type { Simulator } from '../../sdk/qnn/simulator.js';
import { testSimulator } from '../helpers/engine.js';
import { expectQDistillError } from '../helpers/errors.js';

const HEAP_BASE = 1000; // deliberately not 16-aligned

function fresh(initialPages = 1, maximumPages = 64): { memory: WebAssembly.Memory; allocator: LinearAllocator } {
  const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
  return { memory, allocator: new LinearAllocator(memory, HEAP_BASE) };
}

describe('LinearAllocator', () => {
  it('hands out 16-byte aligned, non-overlapping blocks above the heap base, rounding sizes up to 16', () => {
    const { allocator } = fresh();
    const sizes = [1, 0, 16, 17, 100, 4096, 3];
    const blocks = sizes.map((bytes) => ({ ptr: allocator.alloc(bytes), size: Math.max(16, Math.ceil(bytes / 16) * 16) }));
    expect(blocks[0]!.ptr).toBe(Math.ceil(HEAP_BASE / 16) * 16);
    for (const b of blocks) {
      expect(b.ptr % 16).toBe(0);
      expect(b.ptr).toBeGreaterThanOrEqual(HEAP_BASE);
    }
    const sorted = [...blocks].sort((a, b) => a.ptr - b.ptr);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.ptr).toBeGreaterThanOrEqual(sorted[i - 1]!.ptr + sorted[i - 1]!.size);
    expect(allocator.bytesInUse).toBe(blocks.reduce((s, b) => s + b.size, 0));
  });

  it('reuses a freed block for a request of the same size (first fit)', () => {
    const { allocator } = fresh();
    const a = allocator.alloc(100);
    const b = allocator.alloc(100);
    allocator.release(a);
    expect(allocator.alloc(100)).toBe(a);
    expect(allocator.alloc(100)).toBeGreaterThan(b);
  });

  it('splits a larger free block and hands out the remainder next', () => {
    const { allocator } = fresh();
    const a = allocator.alloc(256);
    allocator.alloc(16); // keeps `a` below the top
    allocator.release(a);
    expect(allocator.alloc(64)).toBe(a);
    expect(allocator.alloc(64)).toBe(a + 64);
    expect(allocator.alloc(128)).toBe(a + 128);
  });

  it('coalesces neighbouring free blocks into one, whatever the order they are freed in', () => {
    const { allocator } = fresh();
    const a = allocator.alloc(64);
    const b = allocator.alloc(64);
    const c = allocator.alloc(64);
    allocator.alloc(16); // guard: keeps a..c below the top
    allocator.release(a);
    allocator.release(c);
    allocator.release(b);
    expect(allocator.alloc(192), 'a + b + c form one 192-byte block').toBe(a);
  });

  it('pulls the top down over free blocks when the top block is freed', () => {
    const { allocator } = fresh();
    const a = allocator.alloc(64);
    const b = allocator.alloc(64);
    allocator.release(a); // not the top: goes to the free list
    allocator.release(b); // the top: the top falls to b, then over a
    expect(allocator.bytesInUse).toBe(0);
    expect(allocator.alloc(1024), 'a fresh big block starts where a was').toBe(a);
  });

  it('throws on a double free or an unknown pointer, naming the pointer', () => {
    const { allocator } = fresh();
    const a = allocator.alloc(32);
    allocator.alloc(32);
    allocator.release(a);
    expectQDistillError(() => allocator.release(a), 'E_INVALID_ARGUMENT', `free: pointer ${a} was not allocated (or was freed twice)`);
    expectQDistillError(() => allocator.release(a + 16), 'E_INVALID_ARGUMENT', `pointer ${a + 16}`);
    expectQDistillError(() => allocator.release(12345), 'E_INVALID_ARGUMENT', 'pointer 12345');
  });

  it('grows memory on demand and keeps the contents of earlier blocks', () => {
    const { memory, allocator } = fresh(1, 64);
    const first = allocator.alloc(64, 'first');
    new Float64Array(memory.buffer, first, 8).set([1, 2, 3, 4, 5, 6, 7, 8]);
    const big = allocator.alloc(3 * PAGE_BYTES, 'big');
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 3 * PAGE_BYTES);
    expect(Array.from(new Float64Array(memory.buffer, first, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    new Uint8Array(memory.buffer, big, 3 * PAGE_BYTES).fill(7); // the whole block is addressable
  });

  it('rejects byte counts that are negative, fractional or not finite, naming the buffer', () => {
    const { allocator } = fresh();
    for (const bad of [-1, 1.5, NaN, Infinity]) {
      expectQDistillError(() => allocator.alloc(bad, 'weights'), 'E_INVALID_ARGUMENT', 'alloc weights', `got ${bad}`);
    }
  });

  it('refuses a block beyond the 4 GiB wasm32 address space before growing anything (E_OUT_OF_MEMORY)', () => {
    const { memory, allocator } = fresh();
    const before = memory.buffer.byteLength;
    const e = expectQDistillError(() => allocator.alloc(MAX_PAGES * PAGE_BYTES, 'state'), 'E_OUT_OF_MEMORY', 'alloc state: 4.0 GiB', '4 GiB WebAssembly address space');
    expect(e.details).toMatchObject({ requested: MAX_PAGES * PAGE_BYTES, inUse: 0 });
    expect(memory.buffer.byteLength).toBe(before);
  });

  it('wraps a runtime refusal to grow memory in E_OUT_OF_MEMORY with the cause, and stays usable', () => {
    const { allocator } = fresh(1, 2);
    const e = expectQDistillError(() => allocator.alloc(4 * PAGE_BYTES, 'batch'), 'E_OUT_OF_MEMORY', 'alloc batch: could not grow WebAssembly memory', 'the runtime refused');
    expect(e.cause).toBeInstanceOf(RangeError);
    expect(allocator.bytesInUse).toBe(0);
    expect(allocator.alloc(1024) % 16).toBe(0);
  });

  it('formats byte counts for messages', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2 ** 30)).toBe('1.0 GiB');
  });
});

describe('the simulator and the allocator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await testSimulator();
  });

  it('frees every block it allocates, on success and when a call throws midway', () => {
    const before = sim.kernel.bytesInUse;
    const c = new Circuit(4).h(0).cnot(0, 1).op('QubitUnitary', [1, 2, 3], { dim: 8, re: Float64Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 1 : 0)), im: new Float64Array(64) });
    sim.state(c);
    sim.probs(c, [2, 0]);
    sim.expval(c, ['Z0 X1', { hermitian: { dim: 2, re: new Float64Array([1, 0, 0, -1]), im: new Float64Array(4) }, wires: [3] }]);
    sim.var(c, 'Y2');
    sim.sample(c, 50, { seed: 3 });
    expect(sim.kernel.bytesInUse).toBe(before);
    const unnormalised = { re: new Float64Array(16).fill(1), im: new Float64Array(16) };
    expect(() => sim.state(c, { initialState: unnormalised })).toThrow();
    expect(sim.kernel.bytesInUse, 'freed after a throw during preparation').toBe(before);
  });
});
