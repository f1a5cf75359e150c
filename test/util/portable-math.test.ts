// The portable elementary functions give exactly what Node 20's Math gives
// (same fdlibm algorithms as V8 11.3), so switching the SDK's losses, softmax,
// activations and Adam to them changed no Node number; their Chromium parity
// is in test/browser/portable-math.test.ts.
import { describe, expect, it } from 'vitest';
import * as pm from '../../sdk/util/portable-math.js';
import { Random } from '../../sdk/util/random.js';

const N = 100_000;
const cases: Record<string, { f: (...a: number[]) => number; m: (...a: number[]) => number; args: (r: Random) => number[] }> = {
  exp: { f: pm.exp, m: Math.exp, args: (r) => [r.uniform(-750, 750)] },
  'exp (small)': { f: pm.exp, m: Math.exp, args: (r) => [r.normal()] },
  log: { f: pm.log, m: Math.log, args: (r) => [Math.abs(r.normal()) * 2 ** (r.int(2100) - 1074)] },
  log1p: { f: pm.log1p, m: Math.log1p, args: (r) => [r.uniform(-1, 4)] },
  expm1: { f: pm.expm1, m: Math.expm1, args: (r) => [r.uniform(-60, 60)] },
  tanh: { f: pm.tanh, m: Math.tanh, args: (r) => [r.uniform(-25, 25)] },
  pow: { f: pm.pow, m: Math.pow, args: (r) => [r.uniform(0, 3), r.uniform(-60, 60)] },
  'pow (Adam bias correction)': { f: pm.pow, m: Math.pow, args: (r) => [r.int(2) ? 0.9 : 0.999, 1 + r.int(1e6)] },
  sin: { f: pm.sin, m: Math.sin, args: (r) => [r.uniform(-10, 10)] },
  cos: { f: pm.cos, m: Math.cos, args: (r) => [r.uniform(-10, 10)] },
  'sin (up to 2^19·π/2)': { f: pm.sin, m: Math.sin, args: (r) => [r.uniform(-8e5, 8e5)] },
  'cos (near multiples of π/2)': { f: pm.cos, m: Math.cos, args: (r) => [((r.int(61) - 30) * Math.PI) / 2 + r.normal() * 1e-9] },
  'pow (negative base, integer exponent)': { f: pm.pow, m: Math.pow, args: (r) => [-r.uniform(0, 3), r.int(61) - 30] },
};

describe('portable math', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name} is bit-identical to Node 20's Math on ${N} seeded arguments`, () => {
      const rng = new Random(2026);
      const bad: number[][] = [];
      for (let i = 0; i < N; i++) {
        const a = c.args(rng);
        if (!Object.is(c.f(...a), c.m(...a)) && bad.length < 3) bad.push([...a, c.f(...a), c.m(...a)]);
      }
      expect(bad).toEqual([]);
    });
  }

  it('reduces huge sin/cos arguments exactly: within 1 ulp of Math, periodic in the quadrant', () => {
    const rng = new Random(7);
    for (let i = 0; i < 2000; i++) {
      const x = 2 ** (20 + rng.int(1000)) * (1 + rng.uniform()) * (rng.int(2) ? 1 : -1);
      for (const [p, m] of [[pm.sin(x), Math.sin(x)], [pm.cos(x), Math.cos(x)]] as const) {
        expect(Math.abs(p - m)).toBeLessThanOrEqual(2 ** -52 * Math.max(Math.abs(m), 2 ** -30));
      }
      expect(pm.sin(x) ** 2 + pm.cos(x) ** 2).toBeCloseTo(1, 14);
    }
  });

  it('handles special values as Math does', () => {
    const specials = [0, -0, 1, -1, 2, 0.5, -2.5, Infinity, -Infinity, NaN, 5e-324, -5e-324, 1e-310, 709.78, 709.8, -745.2, -745.1, 1e308, -1e308];
    for (const x of specials) {
      for (const name of ['exp', 'log', 'log1p', 'expm1', 'tanh', 'sin', 'cos'] as const) expect(Object.is(pm[name](x), Math[name](x)), `${name}(${x})`).toBe(true);
      for (const y of specials) expect(Object.is(pm.pow(x, y), Math.pow(x, y)), `pow(${x}, ${y})`).toBe(true);
    }
  });
});
