// Every reader of outside bytes, fuzzed briefly (npm run fuzz runs 10⁵ cases
// each): it returns or throws a QDistillError with a stable code, never
// another exception. Then the failing inputs fuzzing found, kept as
// regression tests: each now gives its typed error.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeIdx, encodeIdx, gunzip, MAX_GUNZIP_BYTES } from '../../sdk/data/formats.js';
import { expectQDistillErrorValue, rejectionOf } from '../helpers/errors.js';
import { FUZZ_TARGETS, runCase } from './targets.js';
import { REGRESSIONS } from './regressions.js';

describe('fuzzed readers: typed errors only', () => {
  it.each(FUZZ_TARGETS.map((t) => [t.name, t] as const))('%s', async (_name, target) => {
    const { arbitrary, call } = await target.setup();
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => void outcomes.add(await runCase(() => call(input)))),
      { numRuns: target.ciRuns, seed: Number(process.env.QDISTILL_FC_SEED ?? 20_260_114) },
    );
    // The mutations reach both sides of the reader: accepted inputs and refused ones.
    expect(outcomes.size).toBeGreaterThan(1);
  });
});

describe('fuzzing regressions', () => {
  it.each(REGRESSIONS.map((r) => [r.title, r] as const))('%s', async (_title, r) => {
    const error = await rejectionOf(() => Promise.resolve(r.call()));
    expectQDistillErrorValue(error, r.code, ...r.messages);
  });
});

describe('limits on what a reader allocates', () => {
  it('gunzip refuses a stream that expands beyond maxBytes (a gzip bomb), typed, without reading it all', async () => {
    const bomb = new Uint8Array(gzipSync(new Uint8Array(4 << 20))); // 4 MiB of zeros in ~4 KiB
    expect(bomb.length).toBeLessThan(8192);
    const e = expectQDistillErrorValue(await rejectionOf(() => gunzip(bomb, 'bomb.gz', { maxBytes: 1 << 20 })), 'E_FILE_FORMAT', 'bomb.gz: the gzip stream expands beyond 1048576 bytes');
    expect(e.details).toMatchObject({ problem: 'too-large' });
    expect((await gunzip(bomb, 'ok.gz')).length).toBe(4 << 20);
    expect(MAX_GUNZIP_BYTES).toBe(2 ** 30);
    const idx = encodeIdx({ dtype: 'uint8', dims: [2, 2], data: Uint8Array.of(1, 2, 3, 4) });
    expect(Array.from((await decodeIdx(new Uint8Array(gzipSync(idx)))).data)).toEqual([1, 2, 3, 4]);
  });
});
