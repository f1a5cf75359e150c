// The seeded generator: known-answer values of xoshiro128** seeded by
// splitmix64 (computed with the authors' C reference implementation),
// determinism, ranges, distributions and validation.
import { describe, expect, it } from 'vitest';
import { Random, _deterministicLog } from '../../sdk/util/random.js';
import { expectError } from '../data/helpers.js';

describe('Random', () => {
  it('reproduces the C reference xoshiro128** stream (splitmix64 seeding) including jump()', () => {
    // gcc build of xoshiro128starstar.c + splitmix64.c, state = two splitmix64(42) outputs, low word first.
    const rng = new Random(42);
    const out = Array.from({ length: 5 }, () => rng.uint32());
    rng.jump();
    out.push(rng.uint32(), rng.uint32(), rng.uint32());
    expect(out).toEqual([1776835114, 4165204688, 17111135, 2317295270, 2792088233, 1915705012, 522687129, 3947332612]);
  });

  it('gives the same sequence for the same seed and different sequences for different seeds or seed lists', () => {
    const draw = (seed: number | number[]) => {
      const r = new Random(seed);
      return [r.uint32(), r.uniform(), r.normal(), r.int(1000)];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw([7, 0])).not.toEqual(draw([7, 1]));
    expect(draw([7, 1])).toEqual(draw([7, 1]));
    expect(draw(-3)).toEqual(draw(-3));
  });

  it('restores from its JSON state and clones independently', () => {
    const a = new Random(3);
    a.uniform();
    const saved = JSON.parse(JSON.stringify(a.getState())) as number[];
    const b = Random.fromState(saved);
    const c = a.clone();
    expect([a.uint32(), a.uint32()]).toEqual([b.uint32(), b.uint32()]);
    expect(c.getState()).toEqual(saved);
  });

  it('draws uniforms in [0,1) and [low, high), unbiased integers and shuffles that are permutations', () => {
    const rng = new Random(9);
    const counts = new Array<number>(6).fill(0);
    let sum = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 60_000; i++) {
      const u = rng.uniform();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      sum += u;
      counts[rng.int(6)]!++;
    }
    expect(lo >= 0 && hi < 1).toBe(true);
    expect(Math.abs(sum / 60_000 - 0.5)).toBeLessThan(0.01);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    const v = rng.uniform(-2, -1);
    expect(v >= -2 && v < -1).toBe(true);
    const big = rng.int(2 ** 40 + 3);
    expect(Number.isInteger(big) && big >= 0 && big < 2 ** 40 + 3).toBe(true);
    const perm = Array.from(rng.permutation(50)).sort((a, b) => a - b);
    expect(perm).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const picks = rng.sample(20, 7);
    expect(new Set(picks).size).toBe(7);
    expect([...picks].every((p) => p >= 0 && p < 20)).toBe(true);
  });

  it('draws normals with mean 0 and variance 1, using a logarithm built from exact IEEE operations', () => {
    const rng = new Random(10);
    let m = 0;
    let v = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      m += x;
      v += x * x;
    }
    expect(Math.abs(m / n)).toBeLessThan(0.02);
    expect(Math.abs(v / n - 1)).toBeLessThan(0.03);
    for (const x of [1e-300, 1e-20, 0.001, 0.3, 0.7071, 0.99999, 1, 7, 1e10]) {
      expect(Math.abs(_deterministicLog(x) - Math.log(x)) / Math.max(1, Math.abs(Math.log(x)))).toBeLessThan(4e-16);
    }
    expect(new Random(1).normal(5, 0)).toBe(5);
  });

  it('rejects bad seeds, states and arguments with E_INVALID_ARGUMENT', () => {
    expectError(() => new Random(1.5), 'E_INVALID_ARGUMENT', /safe integer/);
    expectError(() => new Random([]), 'E_INVALID_ARGUMENT', /empty/);
    expectError(() => Random.fromState([0, 0, 0, 0]), 'E_INVALID_ARGUMENT', /all-zero/);
    expectError(() => Random.fromState([1, 2]), 'E_INVALID_ARGUMENT', /four uint32/);
    const rng = new Random(0);
    expectError(() => rng.int(0), 'E_INVALID_ARGUMENT', /Random\.int/);
    expectError(() => rng.uniform(1, 0), 'E_INVALID_ARGUMENT', /low <= high/);
    expectError(() => rng.normal(0, -1), 'E_INVALID_ARGUMENT', /std/);
    expectError(() => rng.sample(3, 4), 'E_INVALID_ARGUMENT', /k = 4/);
  });
});
