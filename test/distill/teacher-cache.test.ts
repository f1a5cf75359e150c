// The cached teacher (~/.cache/qdistill/teachers/*.qdc): it records the
// settings that made it under a checksum; a corrupted, truncated or stale
// file is reported on the progress channel, never used, and rebuilt.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../../sdk/data/index.js';
import { trainedTeacher } from '../../sdk/distill/node/environment.js';
import { createModel, init, parseCheckpoint, serializeCheckpoint } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';

const rng = new Random(8);
const n = 48;
const y = Int32Array.from({ length: n }, (_, i) => i % 2);
const x = new Float32Array(n * 784).map((_, i) => (y[Math.floor(i / 784)]! ? 0.5 : 0) + 0.2 * rng.uniform());
const train = createDataset({ x, y, shape: [1, 28, 28], numClasses: 2 });
const spec = { type: 'train' as const, arch: 'lenet5' as const, epochs: 1, batchSize: 16 };

let previous: string | undefined;
let dir = '';

beforeAll(async () => {
  await init();
  previous = process.env.QDISTILL_CACHE_DIR;
  dir = mkdtempSync(join(tmpdir(), 'qdistill-cache-'));
  process.env.QDISTILL_CACHE_DIR = dir;
});

afterAll(() => {
  if (previous === undefined) delete process.env.QDISTILL_CACHE_DIR;
  else process.env.QDISTILL_CACHE_DIR = previous;
});

async function teacher(s = spec): Promise<{ cached: boolean; messages: string[]; weights: Float64Array }> {
  const messages: string[] = [];
  const r = await trainedTeacher(s, { train, datasetName: 'synthetic' }, (m) => messages.push(m));
  return { cached: r.cached, messages, weights: r.model.getFlatParams() };
}

const cacheFile = (): string => {
  const files = readdirSync(join(dir, 'teachers'));
  expect(files).toHaveLength(1);
  return join(dir, 'teachers', files[0]!);
};

describe('cached teachers', () => {
  it('are written with their settings and loaded back when nothing changed', async () => {
    const first = await teacher();
    expect(first.cached).toBe(false);
    const settings = parseCheckpoint(new Uint8Array(readFileSync(cacheFile()))).metadata['qdistill.teacherCache'] as Record<string, unknown>;
    expect(settings).toMatchObject({ spec: { arch: 'lenet5', epochs: 1, batchSize: 16 }, dataset: 'synthetic', n: 48 });
    expect(typeof settings.data).toBe('string');
    const second = await teacher();
    expect(second.cached).toBe(true);
    expect(second.messages[0]).toContain('loaded cached lenet5');
    expect(second.weights).toEqual(first.weights);
  });

  it.each([
    ['a bit-flipped file', (b: Uint8Array) => ((b[b.length - 100]! ^= 0x10), b), 'is unusable', 'corrupted: CRC-32'],
    ['a truncated file', (b: Uint8Array) => b.subarray(0, b.length - 1000), 'is unusable', 'truncated'],
    ['a file of other settings', (b: Uint8Array) => {
      const settings = parseCheckpoint(b).metadata['qdistill.teacherCache'] as object;
      return serializeCheckpoint(createModel({ arch: 'lenet5', numClasses: 2 }), { metadata: { 'qdistill.teacherCache': { ...settings, n: 47 } } });
    }, 'is stale', 'n: 47 ≠ 48'],
    ['a file that records no settings', () => serializeCheckpoint(createModel({ arch: 'lenet5', numClasses: 2 })), 'is stale', 'records no settings'],
  ])('%s is reported, never used, and rebuilt', async (_what, damage, problem, detail) => {
    const file = cacheFile();
    const good = new Uint8Array(readFileSync(file));
    const reference = (await teacher()).weights;
    writeFileSync(file, damage(good.slice()));
    const rebuilt = await teacher();
    expect(rebuilt.cached).toBe(false);
    const report = rebuilt.messages.find((m) => m.includes('training again'))!;
    expect(report).toContain(problem);
    expect(report).toContain(detail);
    expect(rebuilt.weights).toEqual(reference); // retraining is deterministic
    expect((await teacher()).cached).toBe(true); // and the cache is whole again
  });
});
