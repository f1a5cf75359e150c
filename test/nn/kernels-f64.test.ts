// The float64 WebAssembly kernels (assembly/classical/*-f64.ts) against the
// TypeScript reference loops (sdk/nn/reference.ts), which stay the independent
// definition: the same BITS (not a tolerance) for forward and every VJP, over
// random geometries (fast-check), special values (±0, ±Infinity, NaN, ties),
// and the seeded workloads whose hashes test/fixtures/nn/f64-kernels.json
// pinned from the reference loops; plus VJPs against finite differences with
// the float64 kernels running in the engine.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as backend from '../../sdk/nn/backend.js';
import {
  conv2dBackwardReference,
  conv2dForwardReference,
  gemmReference,
  poolBackwardReference,
  poolForwardReference,
  type ConvGeometry,
} from '../../sdk/nn/reference.js';
import * as ops from '../../sdk/nn/ops/index.js';
import { backendName, backendProfile, checkVjp, setBackendProfiling, tolerance, type Tensor } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { fcParams } from '../helpers/arbitraries.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { bitsHash, F64_CASES } from './f64-cases.js';
import { normal } from './helpers.js';

beforeAll(async () => {
  await backend.init();
});

afterEach(() => {
  backend.setFloat64Backend('wasm');
  setBackendProfiling(false);
});

/** Seeded values with the specials a network produces: exact ±0 (ReLU), ties, and (when `specials`) ±Infinity and NaN. */
function values(n: number, seed: number, specials = false): Float64Array {
  const rng = new Random(seed);
  return Float64Array.from({ length: n }, () => {
    const u = rng.uniform();
    if (u < 0.15) return 0;
    if (u < 0.2) return -0;
    if (u < 0.3) return Math.round(rng.normal() * 2) / 2;
    if (specials && u < 0.31) return Number.POSITIVE_INFINITY;
    if (specials && u < 0.32) return Number.NaN;
    return rng.normal();
  });
}

/**
 * Bit-for-bit equality (−0 is not +0), except that any NaN equals any NaN: the
 * sign and payload of a NaN made by arithmetic (∞·0) are not specified by
 * WebAssembly or JavaScript, so not even the reference is reproducible there.
 */
function expectSameBits(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const a = new BigUint64Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new BigUint64Array(expected.buffer, expected.byteOffset, expected.length);
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) {
      first = i;
      break;
    }
  }
  expect(first === -1 ? 'identical' : `element ${first}: ${actual[first]} vs reference ${expected[first]}`, what).toBe('identical');
}

function geometry(batch: number, channels: number, height: number, width: number, filters: number, kernelH: number, kernelW: number, stride: number, padding: number): ConvGeometry {
  return {
    batch, channels, height, width, filters, kernelH, kernelW, stride, padding,
    outH: Math.floor((height + 2 * padding - kernelH) / stride) + 1,
    outW: Math.floor((width + 2 * padding - kernelW) / stride) + 1,
  };
}

/** The engine ops that ran since profiling was switched on. */
function opsRun(): string[] {
  return Object.keys(backendProfile().byOp);
}

describe('float64 WebAssembly kernels vs the reference loops (same bits)', () => {
  it('runs float64 on the wasm backend after init, and on the reference loops when asked', () => {
    expect(backendName()).toBe('wasm');
    const g = geometry(1, 1, 6, 6, 2, 3, 3, 1, 1);
    const y = new Float64Array(2 * 36);
    setBackendProfiling(true);
    backend.conv2dForward(g, values(36, 1), values(18, 2), null, y);
    expect(opsRun()).toEqual(['conv2d float64']);
    setBackendProfiling(true);
    backend.setFloat64Backend('reference');
    backend.conv2dForward(g, values(36, 1), values(18, 2), null, y);
    expect(opsRun()).toEqual([]);
  });

  it('conv2d forward and the dx/dw/db VJP accumulations equal the reference bit for bit over random geometries', () => {
    const arbitrary = fc.record({
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: 4 }),
      filters: fc.integer({ min: 1, max: 19 }),
      kernelH: fc.integer({ min: 1, max: 5 }),
      kernelW: fc.integer({ min: 1, max: 5 }),
      extraH: fc.integer({ min: 0, max: 9 }),
      extraW: fc.integer({ min: 0, max: 21 }),
      stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.integer({ min: 0, max: 3 }),
      bias: fc.boolean(),
      specials: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(arbitrary, (p) => {
        const g = geometry(p.batch, p.channels, p.kernelH + p.extraH, p.kernelW + p.extraW, p.filters, p.kernelH, p.kernelW, p.stride, p.padding);
        const label = JSON.stringify(p);
        const x = values(g.batch * g.channels * g.height * g.width, p.seed, p.specials);
        const w = values(g.filters * g.channels * g.kernelH * g.kernelW, p.seed + 1, p.specials);
        const b = p.bias ? values(g.filters, p.seed + 2) : null;
        const dy = values(g.batch * g.filters * g.outH * g.outW, p.seed + 3);
        const yRef = new Float64Array(dy.length);
        const yWasm = new Float64Array(dy.length);
        conv2dForwardReference(g, x, w, b, yRef);
        backend.conv2dForward(g, x, w, b, yWasm);
        expectSameBits(yWasm, yRef, `forward ${label}`);
        // Non-zero starting values: the VJP ADDS into its outputs.
        const start = [values(x.length, p.seed + 4), values(w.length, p.seed + 5), values(g.filters, p.seed + 6)] as const;
        const ref = start.map((a) => a.slice());
        const wasm = start.map((a) => a.slice());
        conv2dBackwardReference(g, x, w, dy, ref[0]!, ref[1]!, ref[2]!);
        backend.conv2dBackward(g, x, w, dy, wasm[0]!, wasm[1]!, wasm[2]!);
        expectSameBits(wasm[0]!, ref[0]!, `dx ${label}`);
        expectSameBits(wasm[1]!, ref[1]!, `dw ${label}`);
        expectSameBits(wasm[2]!, ref[2]!, `db ${label}`);
        // Each gradient alone (the engine skips what is not asked for).
        const dwOnly = start[1].slice();
        backend.conv2dBackward(g, x, w, dy, null, dwOnly, null);
        expectSameBits(dwOnly, ref[1]!, `dw alone ${label}`);
        const dxOnly = start[0].slice();
        backend.conv2dBackward(g, x, w, dy, dxOnly, null, null);
        expectSameBits(dxOnly, ref[0]!, `dx alone ${label}`);
      }),
      fcParams(150),
    );
  });

  it('gemm (every transpose and accumulate combination) and linear forward/VJP equal the reference bit for bit', () => {
    let seed = 1;
    for (const m of [1, 2, 3, 5]) {
      for (const n of [1, 2, 7, 8, 9, 17]) {
        for (const k of [1, 4, 13]) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              for (const accumulate of [false, true]) {
                const a = values(m * k, seed++, true);
                const b = values(k * n, seed++, true);
                const c = values(m * n, seed++);
                const ref = c.slice();
                const wasm = c.slice();
                gemmReference(m, n, k, a, transA, b, transB, ref, accumulate);
                backend.gemm('gemm', m, n, k, a, transA, b, transB, wasm, accumulate);
                expectSameBits(wasm, ref, `gemm ${m}×${k}×${n} transA ${transA} transB ${transB} accumulate ${accumulate}`);
              }
            }
          }
          // linear: y = x·wᵀ + b, then dx += g·w, dw += gᵀ·x, db += Σ g
          const x = values(m * k, seed++);
          const w = values(n * k, seed++);
          const bias = values(n, seed++);
          const y = new Float64Array(m * n);
          backend.linearForward(m, k, n, x, w, bias, y);
          backend.setFloat64Backend('reference');
          const yRef = new Float64Array(m * n);
          backend.linearForward(m, k, n, x, w, bias, yRef);
          const g = values(m * n, seed++);
          const start = [values(m * k, seed++), values(n * k, seed++), values(n, seed++)] as const;
          const ref = start.map((s) => s.slice());
          backend.linearBackward(m, k, n, x, w, g, ref[0]!, ref[1]!, ref[2]!);
          backend.setFloat64Backend('wasm');
          const wasm = start.map((s) => s.slice());
          backend.linearBackward(m, k, n, x, w, g, wasm[0]!, wasm[1]!, wasm[2]!);
          expectSameBits(y, yRef, `linear ${m}×${k}→${n}`);
          ref.forEach((r, i) => expectSameBits(wasm[i]!, r, `linear VJP ${i} ${m}×${k}→${n}`));
        }
      }
    }
  });

  it('max and avg pooling forward and VJP equal the reference bit for bit, ties, −0 and NaN included', () => {
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom('avg' as const, 'max' as const),
          batch: fc.integer({ min: 1, max: 2 }),
          channels: fc.integer({ min: 1, max: 3 }),
          kernel: fc.integer({ min: 1, max: 4 }),
          stride: fc.integer({ min: 1, max: 4 }),
          extraH: fc.integer({ min: 0, max: 8 }),
          extraW: fc.integer({ min: 0, max: 8 }),
          seed: fc.integer({ min: 0, max: 1_000_000 }),
        }),
        (p) => {
          const g = geometry(p.batch, p.channels, p.kernel + p.extraH, p.kernel + p.extraW, p.channels, p.kernel, p.kernel, p.stride, 0);
          const label = JSON.stringify(p);
          const x = values(g.batch * g.channels * g.height * g.width, p.seed, true);
          const yRef = new Float64Array(g.batch * g.channels * g.outH * g.outW);
          const yWasm = new Float64Array(yRef.length);
          poolForwardReference(p.kind, g, x, yRef);
          backend.poolForward(p.kind, g, x, yWasm);
          expectSameBits(yWasm, yRef, `forward ${label}`);
          const dy = values(yRef.length, p.seed + 1);
          const dx = values(x.length, p.seed + 2);
          const dxRef = dx.slice();
          poolBackwardReference(p.kind, g, x, dy, dxRef);
          backend.poolBackward(p.kind, g, x, dy, dx);
          expectSameBits(dx, dxRef, `VJP ${label}`);
        },
      ),
      fcParams(150),
    );
  });

  it('reproduces the bits the reference loops gave for every pinned workload (test/fixtures/nn/f64-kernels.json)', () => {
    const fixture = JSON.parse(readFileSync(`${REPO_ROOT}/test/fixtures/nn/f64-kernels.json`, 'utf8')) as { cases: Record<string, string> };
    expect(Object.keys(fixture.cases).sort()).toEqual(Object.keys(F64_CASES).sort());
    for (const [name, run] of Object.entries(F64_CASES)) {
      setBackendProfiling(true);
      const hash = bitsHash(run());
      expect(opsRun().some((op) => op.endsWith('float64')), `${name} ran in the engine`).toBe(true);
      expect(hash, name).toBe(fixture.cases[name]);
      backend.setFloat64Backend('reference');
      expect(bitsHash(run()), `${name} on the reference loops`).toBe(fixture.cases[name]);
      backend.setFloat64Backend('wasm');
    }
  });
});

describe('float64 WebAssembly kernels: VJPs match finite differences', () => {
  const cases: Array<{ label: string; op: string; fn: (...xs: Tensor[]) => Tensor; inputs: () => Tensor[] }> = [
    { label: 'conv2d 2→9 channels, 3×3, stride 1, padding 1', op: 'conv2d', fn: (x, w, b) => ops.conv2d(x!, w!, b!, { stride: 1, padding: 1 }), inputs: () => [normal([2, 2, 7, 12], 1), normal([9, 2, 3, 3], 2), normal([9], 3)] },
    { label: 'conv2d 3→3 channels, 2×4, stride 2, padding 2, no bias', op: 'conv2d', fn: (x, w) => ops.conv2d(x!, w!, null, { stride: 2, padding: 2 }), inputs: () => [normal([1, 3, 6, 9], 4), normal([3, 3, 2, 4], 5)] },
    { label: 'conv2d LeNet c1 1→6, 5×5, padding 2', op: 'conv2d', fn: (x, w, b) => ops.conv2d(x!, w!, b!, { padding: 2 }), inputs: () => [normal([2, 1, 12, 12], 6), normal([6, 1, 5, 5], 7), normal([6], 8)] },
    { label: 'maxPool2d 2', op: 'maxPool2d', fn: (x) => ops.maxPool2d(x!, { kernelSize: 2 }), inputs: () => [normal([2, 3, 6, 6], 9)] },
    { label: 'avgPool2d 3 stride 2', op: 'avgPool2d', fn: (x) => ops.avgPool2d(x!, { kernelSize: 3, stride: 2 }), inputs: () => [normal([1, 2, 7, 7], 10)] },
    { label: 'linear 5 → 11 with bias', op: 'linear', fn: (x, w, b) => ops.linear(x!, w!, b!), inputs: () => [normal([4, 5], 11), normal([11, 5], 12), normal([11], 13)] },
    { label: 'matmul 3×4 · 4×9', op: 'matmul', fn: (a, b) => ops.matmul(a!, b!), inputs: () => [normal([3, 4], 14), normal([4, 9], 15)] },
  ];
  for (const c of cases) {
    it(`${c.label}: VJP in the engine matches central differences`, () => {
      setBackendProfiling(true);
      const checks = checkVjp(c.fn, c.inputs(), { rng: new Random(99) });
      expect(opsRun().filter((op) => op.startsWith(c.op) && op.endsWith('float64')).length, `${c.op} ran in the engine`).toBeGreaterThan(0);
      for (const check of checks) expect(check.relError, `input ${check.input}`).toBeLessThan(tolerance('float64').vjp);
    });
  }
});
