// The cached teacher (~/.cache/qdistill/teachers/*.qdc): it records the
// settings that made it under a checksum; a corrupted, truncated or stale
// file is reported on the progress channel, never used, and rebuilt. Its
// training, interrupted, resumes from the experiment's checkpoint store.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../../sdk/data/index.js';
import { trainedTeacher } from '../../sdk/distill/node/environment.js';
import { createModel, init, memoryCheckpointStore, parseCheckpoint, parseTrainingState, serializeCheckpoint } from '../../sdk/nn/index.js';
import { expectQDistillErrorValue, rejectionOf } from '../helpers/errors.js';
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

describe('a teacher trained by the run', () => {
  it('cancelled mid-epoch keeps its state in the store, and resumes from it to the same weights', async () => {
    const m = 480;
    const labels = Int32Array.from({ length: m }, (_, i) => i % 2);
    const pixels = new Float32Array(m * 784).map((_, i) => (labels[Math.floor(i / 784)]! ? 0.5 : 0) + 0.2 * rng.uniform());
    const pool = createDataset({ x: pixels, y: labels, shape: [1, 28, 28], numClasses: 2 });
    const trainSpec = { ...spec, cache: false };
    const reference = await trainedTeacher(trainSpec, { train: pool, datasetName: 'synthetic' });
    const store = memoryCheckpointStore();
    const controller = new AbortController();
    const error = await rejectionOf(() =>
      trainedTeacher(trainSpec, { train: pool, datasetName: 'synthetic', checkpoint: { store }, signal: controller.signal }, (message) => {
        if (message.includes('teacher: training')) setTimeout(() => controller.abort(), 20); // fires at a step boundary (the trainer yields every 8 steps)
      }),
    );
    expectQDistillErrorValue(error, 'E_ABORTED', 'cancelled at epoch 1');
    const [key] = store.keys();
    expect(key).toMatch(/^teacher-lenet5-[0-9a-f]{16}$/);
    expect(parseTrainingState((await store.load(key!))!).json.inEpoch).toMatchObject({ epoch: 1 });
    const messages: string[] = [];
    const resumed = await trainedTeacher(trainSpec, { train: pool, datasetName: 'synthetic', checkpoint: { store, resume: true } }, (msg) => messages.push(msg));
    expect(messages).toContain(`${key}: resuming from its saved state`);
    expect(resumed.model.getFlatParams()).toEqual(reference.model.getFlatParams());
  });
});
