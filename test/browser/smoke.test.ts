// The bundle (dist/browser/qdistill.mjs) in a real Chromium page and Web
// Worker does what the SDK does in Node: creates a kernel, allocates, writes
// and reads engine memory, throws typed errors, and fingerprints float64
// data bit-identically.
import { expect, it } from 'vitest';
import { ERROR_CODES } from '../../sdk/errors.js';
import { BUNDLE_PATH, describeInBrowser, runInNode } from './harness.js';

/** Kernel round trip; the same source runs in the page, a worker and Node. */
const KERNEL_SNIPPET = `
export default async function (q, args, env) {
  const kernel = await q.createKernel({ build: args.build });
  const values = [0, -0, 1.5, -2.25, Math.PI, 1e-300, 5e-324, Number.MAX_VALUE, -Infinity, NaN];
  const ptr = kernel.allocF64(values, 'smoke values');
  kernel.f64(ptr, values.length)[2] = 3.75; // write through one view...
  const readBack = kernel.f64(ptr, values.length); // ...read through another
  const ints = kernel.allocI32([1, -2, 2147483647], 'smoke ints');
  const floats = kernel.allocF32([0.1, -3.5], 'smoke floats');

  const valuesBeforeGrow = Array.from(readBack);

  // Force memory.grow, then check the old data survived and fresh views work.
  const before = kernel.exports.memory.buffer.byteLength;
  const bigLength = 1 << 19; // 4 MiB of doubles
  const big = kernel.alloc(bigLength * 8, 'smoke big');
  const bigView = kernel.f64(big, bigLength);
  bigView.fill(0.5);
  bigView[bigLength - 1] = 7;
  const grew = kernel.exports.memory.buffer.byteLength > before;

  let freeError;
  try {
    kernel.free(ptr + 16);
  } catch (e) {
    freeError = { branded: q.isQDistillError(e), instance: e instanceof q.QDistillError, code: e.code, message: e.message };
  }
  const inUse = kernel.bytesInUse;
  kernel.free(big);
  kernel.free(floats);
  kernel.free(ints);
  kernel.free(ptr);
  // (freed memory is not cleared: reading it back below is fine for this test)

  return {
    runtime: env.runtime,
    build: kernel.build,
    retired: kernel.retired,
    valuesBeforeGrow,
    values: Array.from(kernel.f64(ptr, values.length)),
    staleViewLength: readBack.length, // views made before memory.grow are detached
    hash: q.hashFloat64(kernel.f64(ptr, values.length)),
    ints: Array.from(kernel.i32(ints, 3)),
    floats: Array.from(kernel.f32(floats, 2)),
    bigSum: kernel.f64(big, bigLength).reduce((s, v) => s + v, 0),
    grew,
    freeError,
    inUse,
    inUseAfterFree: kernel.bytesInUse,
    codes: q.ERROR_CODES,
    exportNames: Object.keys(q).sort(),
  };
}
`;

/** Seeded doubles from raw bit patterns (NaN payloads, subnormals, -0 included), hashed. */
const HASH_SNIPPET = `
export default async function (q, args) {
  const words = new Uint32Array(args.doubles * 2);
  let x = args.seed >>> 0;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    words[i] = x;
  }
  const doubles = new Float64Array(words.buffer);
  const half = args.doubles >> 1;
  return {
    all: q.hashFloat64(doubles),
    split: q.hashFloat64(doubles.subarray(0, half), doubles.subarray(half)),
    numbers: q.hashFloat64([0, -0, 1, NaN]),
    empty: q.hashFloat64(),
  };
}
`;

type KernelResult = {
  runtime: string;
  build: string;
  retired: boolean;
  valuesBeforeGrow: number[];
  values: number[];
  staleViewLength: number;
  hash: string;
  ints: number[];
  floats: number[];
  bigSum: number;
  grew: boolean;
  freeError: { branded: boolean; instance: boolean; code: string; message: string };
  inUse: number;
  inUseAfterFree: number;
  codes: string[];
  exportNames: string[];
};

const EXPECTED_VALUES = [0, -0, 3.75, -2.25, Math.PI, 1e-300, 5e-324, Number.MAX_VALUE, -Infinity, NaN];

function expectKernelResult(result: KernelResult, runtime: string, build: string): void {
  expect(result.runtime).toBe(runtime);
  expect(result.build).toBe(build);
  expect(result.retired).toBe(false);
  expect(result.valuesBeforeGrow).toEqual(EXPECTED_VALUES); // toEqual tells -0 from 0 and matches NaN
  expect(result.values).toEqual(EXPECTED_VALUES);
  expect(Object.is(result.values[1], -0)).toBe(true);
  expect(result.staleViewLength).toBe(0);
  expect(result.ints).toEqual([1, -2, 2147483647]);
  expect(result.floats).toEqual([Math.fround(0.1), -3.5]);
  expect(result.bigSum).toBe(0.5 * ((1 << 19) - 1) + 7);
  expect(result.grew).toBe(true);
  expect(result.freeError).toEqual({
    branded: true,
    instance: true,
    code: 'E_INVALID_ARGUMENT',
    message: expect.stringMatching(/^free: pointer \d+ was not allocated/),
  });
  expect(result.inUse).toBe(80 + 16 + 16 + 8 * (1 << 19));
  expect(result.inUseAfterFree).toBe(0);
  expect(result.codes).toEqual([...ERROR_CODES]);
}

describeInBrowser('the browser bundle in Chromium', (browser) => {
  it('is served cross-origin isolated, so SharedArrayBuffer is available in the page and in workers', async () => {
    const src = `export default () => ({ isolated: globalThis.crossOriginIsolated, sab: typeof SharedArrayBuffer })`;
    expect(await browser.run(src)).toEqual({ isolated: true, sab: 'function' });
    expect(await browser.runInWorker(src)).toEqual({ isolated: true, sab: 'function' });
  });

  it('creates a release kernel in the page that allocates, writes, grows and reads memory as in Node', async () => {
    const page = await browser.run<KernelResult>(KERNEL_SNIPPET, { build: 'release' });
    expectKernelResult(page, 'page', 'release');
    const node = await runInNode<KernelResult>(KERNEL_SNIPPET, { build: 'release' });
    expectKernelResult(node, 'node', 'release');
    expect({ ...page, runtime: 'node' }).toEqual(node);
  });

  it('creates release and debug kernels in a Web Worker, with the same results as the page', async () => {
    const worker = await browser.runInWorker<KernelResult>(KERNEL_SNIPPET, { build: 'release' });
    expectKernelResult(worker, 'worker', 'release');
    const debug = await browser.runInWorker<KernelResult>(KERNEL_SNIPPET, { build: 'debug' });
    expectKernelResult(debug, 'worker', 'debug');
    const page = await browser.run<KernelResult>(KERNEL_SNIPPET, { build: 'debug' });
    expect({ ...page, runtime: 'worker' }).toEqual(debug);
  });

  it('exports the same names from the bundle in Chromium as the SDK source in Node', async () => {
    const src = `export default (q) => Object.keys(q).sort()`;
    const sdk = await import('../../sdk/index.js');
    expect(await browser.run(src)).toEqual(Object.keys(sdk).sort());
    expect(await browser.run(src)).toContain('hashFloat64');
  });

  it('hashFloat64 gives the same fingerprint of the same bits in the page, a worker, the bundle in Node and the source in Node', async () => {
    const args = { seed: 20240611, doubles: 1 << 16 };
    const page = await browser.run(HASH_SNIPPET, args);
    const worker = await browser.runInWorker(HASH_SNIPPET, args);
    const node = await runInNode(HASH_SNIPPET, args);
    const bundleInNode = await runInNode(HASH_SNIPPET, args, await import(/* @vite-ignore */ BUNDLE_PATH));
    expect(worker).toEqual(page);
    expect(node).toEqual(page);
    expect(bundleInNode).toEqual(page);
    const hashes = page as { all: string; split: string; numbers: string; empty: string };
    expect(hashes.all).toMatch(/^[0-9a-f]{16}$/);
    expect(hashes.split).not.toBe(hashes.all);
    expect(hashes.empty).toBe('cbf29ce484222325'); // the FNV-1a 64-bit offset basis
  });
});
