// The float32 backend is an explicit state: before nn.init() a float32 heavy
// op fails with a precise error (it never falls back silently); float64 uses
// the reference loops regardless; useReferenceBackend opts into TS loops.
import { describe, expect, it } from 'vitest';
import { backendName, conv2d, createModel, init, matmul, useReferenceBackend, zeros } from '../../sdk/nn/index.js';
import { expectError, normal, relMaxDiff } from './helpers.js';

describe('nn backend initialisation', () => {
  it('throws E_NOT_INITIALIZED for float32 heavy ops before init, naming the op and the fix', () => {
    expect(backendName()).toBeUndefined();
    expectError(() => matmul(zeros([2, 2]), zeros([2, 2])), 'E_NOT_INITIALIZED', 'matmul: the float32 WebAssembly backend is not initialised', 'await nn.init()');
    expectError(() => createModel({ arch: 'lenet-000', numClasses: 10 }).forward(zeros([1, 1, 28, 28])), 'E_NOT_INITIALIZED', 'conv2d');
  });

  it('float64 runs on the reference loops without init', () => {
    expect(matmul(normal([2, 3], 1), normal([3, 2], 2)).shape).toEqual([2, 2]);
  });

  it('useReferenceBackend runs float32 on TypeScript loops; init switches to WebAssembly with the same results', async () => {
    const x = normal([2, 2, 6, 6], 3, 'float32');
    const w = normal([3, 2, 3, 3], 4, 'float32');
    useReferenceBackend();
    expect(backendName()).toBe('reference');
    const ref = conv2d(x, w, null, { padding: 1 });
    await init();
    expect(backendName()).toBe('wasm');
    const wasm = conv2d(x, w, null, { padding: 1 });
    expect(relMaxDiff(wasm.data, ref.data)).toBeLessThan(1e-5);
  });
});
