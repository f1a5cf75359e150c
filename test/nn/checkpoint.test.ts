// Checkpoints: round trip (config, weights, buffers, optimiser, seed,
// metadata), validation errors, and the atomic file write.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm1d,
  createModel,
  crossEntropy,
  init,
  Linear,
  loadCheckpointInto,
  parseCheckpoint,
  restoreModel,
  Sequential,
  serializeCheckpoint,
  crc32,
  Dropout,
} from '../../sdk/nn/index.js';
import { toVersion1Checkpoint } from '../helpers/files.js';
import { loadCheckpointFile, restoreModelFile, saveCheckpointFile, writeFileAtomic } from '../../sdk/nn/node/checkpoint-file.js';
import { Adam, restoreOptimizer, StepLR } from '../../sdk/nn/optim/index.js';
import { expectError, expectErrorAsync, normal } from './helpers.js';

beforeAll(async () => {
  await init();
});

function trainedLenet(): { model: ReturnType<typeof createModel>; opt: Adam } {
  const model = createModel({ arch: 'lenet-003', numClasses: 6, seed: 2 });
  const opt = new Adam(model, { lr: 1e-3 });
  const x = normal([4, 1, 28, 28], 1, 'float32');
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    crossEntropy(model.forward(x), [0, 1, 2, 3]).backward();
    opt.step();
  }
  return { model, opt };
}

describe('checkpoint bytes', () => {
  it('round-trips config, weights, optimiser state, seed and metadata', () => {
    const { model, opt } = trainedLenet();
    const bytes = serializeCheckpoint(model, { optimizer: opt, seed: 1234, metadata: { epoch: 3, note: 'ok' } });
    const ckpt = parseCheckpoint(bytes);
    expect(ckpt.formatVersion).toBe(2);
    expect(ckpt.config).toEqual(model.config);
    expect(ckpt.seed).toBe(1234);
    expect(ckpt.metadata).toEqual({ epoch: 3, note: 'ok' });
    expect(ckpt.optimizer!.kind).toBe('adam');
    const { model: restored } = restoreModel(bytes);
    expect(Array.from(restored.getFlatParams())).toEqual(Array.from(model.getFlatParams()));
    // the restored optimiser continues exactly like the original
    const opt2 = restoreOptimizer(restored, ckpt.optimizer!);
    const x = normal([4, 1, 28, 28], 5, 'float32');
    for (const [m, o] of [
      [model, opt],
      [restored, opt2],
    ] as const) {
      o.zeroGrad();
      crossEntropy(m.forward(x), [5, 4, 3, 2]).backward();
      o.step();
    }
    expect(Array.from(restored.getFlatParams())).toEqual(Array.from(model.getFlatParams()));
  });

  it('stores buffers (batch-norm running stats) of hand-built modules and loads into the same structure', () => {
    const build = (): Sequential => new Sequential(new Linear(3, 4, { seed: 1 }), new BatchNorm1d(4));
    const a = build();
    a.forward(normal([5, 3], 2, 'float32'));
    const b = build();
    loadCheckpointInto(b, serializeCheckpoint(a));
    expect(b.stateDict().get('1.runningVar')!.data).toEqual(a.stateDict().get('1.runningVar')!.data);
    expectError(() => restoreModel(serializeCheckpoint(a)), 'E_CHECKPOINT', 'saved from a hand-built module');
  });

  it('rejects a checkpoint of another architecture, naming both', () => {
    const bytes = serializeCheckpoint(createModel({ arch: 'lenet-003', numClasses: 6 }));
    const other = createModel({ arch: 'lenet-000', numClasses: 6 });
    expectError(() => loadCheckpointInto(other, bytes), 'E_CHECKPOINT', 'architecture mismatch', '"arch":"lenet-003"', '"arch":"lenet-000"');
    expectError(() => loadCheckpointInto(createModel({ arch: 'lenet-003', numClasses: 10 }), bytes), 'E_CHECKPOINT', '"numClasses":6', '"numClasses":10');
    // a different seed or dtype is the same architecture
    const f64 = createModel({ arch: 'lenet-003', numClasses: 6, seed: 9, dtype: 'float64' });
    loadCheckpointInto(f64, bytes);
    expect(f64.parameters()[0]!.data[0]).toBe(createModel({ arch: 'lenet-003', numClasses: 6 }).parameters()[0]!.data[0]);
  });

  it('rejects wrong shapes and missing tensors, naming the tensor and both shapes, and modifies nothing', () => {
    const bytes = serializeCheckpoint(new Sequential(new Linear(4, 3, { seed: 1 })));
    const wider = new Sequential(new Linear(4, 5, { seed: 2 }));
    const before = Array.from(wider.getFlatParams());
    expectError(() => loadCheckpointInto(wider, bytes), 'E_CHECKPOINT', 'shape mismatch for "0.weight": the checkpoint has [3, 4], the model Sequential expects [5, 4]');
    expect(Array.from(wider.getFlatParams())).toEqual(before);
    expectError(() => loadCheckpointInto(new Sequential(new Linear(4, 3), new Linear(3, 2)), bytes), 'E_CHECKPOINT', 'has tensor "1.weight" [2, 3] that the checkpoint lacks');
    expectError(() => loadCheckpointInto(new Sequential(new Linear(4, 3, { bias: false })), bytes), 'E_CHECKPOINT', 'checkpoint (Sequential) has tensor "0.bias" [3] that the model (Sequential) lacks');
  });

  it('detects truncation, corruption, foreign files and newer versions', () => {
    const bytes = serializeCheckpoint(createModel({ arch: 'mlp', inputSize: 4, hiddenSizes: [3], numClasses: 2 }));
    expectError(() => parseCheckpoint(bytes.subarray(0, bytes.length - 5)), 'E_CHECKPOINT', 'truncated: the preamble declares', 'bytes of data');
    expectError(() => parseCheckpoint(bytes.subarray(0, 40)), 'E_CHECKPOINT', 'truncated: the header needs');
    expectError(() => parseCheckpoint(bytes.subarray(0, 10)), 'E_CHECKPOINT', 'truncated: 10 bytes');
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 3]! ^= 0x40;
    expectError(() => parseCheckpoint(corrupt), 'E_CHECKPOINT', 'corrupted: CRC-32 of the data');
    const flippedHeader = bytes.slice();
    flippedHeader[40]! ^= 0x01; // inside the JSON header: caught by the header's CRC
    expectError(() => parseCheckpoint(flippedHeader), 'E_CHECKPOINT', 'corrupted: CRC-32 of the header');
    expectError(() => parseCheckpoint(new TextEncoder().encode('{"not":"a checkpoint"}')), 'E_CHECKPOINT', 'not a qdistill nn checkpoint');
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(8, 3, true);
    expectError(() => parseCheckpoint(future), 'E_CHECKPOINT', 'format version 3 is not supported');
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('still reads version-1 files (16-byte preamble, data CRC in the header) and their corruption', () => {
    const model = new Sequential(new Linear(3, 2, { seed: 4 }));
    const v1 = toVersion1Checkpoint(serializeCheckpoint(model));
    const ckpt = parseCheckpoint(v1);
    expect(ckpt.formatVersion).toBe(1);
    expect(ckpt.generators).toEqual({});
    const other = new Sequential(new Linear(3, 2, { seed: 9 }));
    loadCheckpointInto(other, v1);
    expect(Array.from(other.getFlatParams())).toEqual(Array.from(model.getFlatParams()));
    const corrupt = v1.slice();
    corrupt[corrupt.length - 1]! ^= 0x80;
    expectError(() => parseCheckpoint(corrupt), 'E_CHECKPOINT', 'corrupted: CRC-32 of the tensor data');
    expectError(() => parseCheckpoint(v1.subarray(0, v1.length - 4)), 'E_CHECKPOINT', 'truncated: the header declares');
  });

  it('saves and restores random generator states (dropout) and a scheduler with the weights', () => {
    const build = (): Sequential => new Sequential(new Linear(4, 4, { seed: 1 }), new Dropout(0.5, { seed: 3 }));
    const a = build();
    const opt = new Adam(a, { lr: 0.1 });
    const sched = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    a.forward(normal([2, 4], 1, 'float32'));
    sched.step();
    const bytes = serializeCheckpoint(a, { optimizer: opt, scheduler: sched });
    const b = build();
    const opt2 = new Adam(b, { lr: 0.1 });
    const sched2 = new StepLR(opt2, { stepSize: 1, gamma: 0.5 });
    loadCheckpointInto(b, bytes, { optimizer: opt2, scheduler: sched2 });
    expect(sched2.epoch).toBe(1);
    expect(opt2.lr).toBe(opt.lr);
    const x = normal([3, 4], 2, 'float32');
    expect(Array.from(b.forward(x).data)).toEqual(Array.from(a.forward(x).data)); // same dropout mask
    expectError(() => loadCheckpointInto(new Sequential(new Linear(4, 4), new Linear(4, 4, { bias: false }).eval()), bytes), 'E_CHECKPOINT');
    const noDropout = new Sequential(new Linear(4, 4, { seed: 1 }), new Sequential());
    expectError(() => loadCheckpointInto(noDropout, bytes), 'E_CHECKPOINT', 'random generators differ', '"1.rng"');
  });
});

describe('checkpoint files (Node)', () => {
  it('saves atomically (no temporary file left) and loads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-ckpt-'));
    const path = join(dir, 'lenet.qdc');
    const { model, opt } = trainedLenet();
    await saveCheckpointFile(path, model, { optimizer: opt, metadata: { epoch: 1 } });
    await saveCheckpointFile(path, model, { optimizer: opt, metadata: { epoch: 2 } });
    expect(readdirSync(dir)).toEqual(['lenet.qdc']);
    const { model: restored, checkpoint } = await restoreModelFile(path);
    expect(checkpoint.metadata).toEqual({ epoch: 2 });
    expect(Array.from(restored.getFlatParams())).toEqual(Array.from(model.getFlatParams()));
    const fresh = createModel({ arch: 'lenet-003', numClasses: 6, seed: 7 });
    const opt2 = new Adam(fresh, { lr: 1e-3 });
    await loadCheckpointFile(path, fresh, { optimizer: opt2 });
    expect(opt2.stepCount).toBe(2);
  });

  it('a failed write leaves the previous file intact and removes the temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-ckpt-'));
    const path = join(dir, 'model.qdc');
    writeFileSync(path, 'previous contents');
    let tmpSeen = '';
    await expectErrorAsync(
      () =>
        writeFileAtomic(path, new Uint8Array(1000), {
          async writeAndSync(p, bytes) {
            tmpSeen = p;
            await writeFile(p, bytes.subarray(0, 10)); // a partial write, then the disk "fails"
            throw new Error('ENOSPC: no space left on device');
          },
          rename: async () => undefined,
          unlink: async (p) => (await import('node:fs/promises')).unlink(p),
        }),
      'E_CHECKPOINT',
      'could not write',
      'ENOSPC',
      'the previous file, if any, is unchanged',
    );
    expect(tmpSeen).not.toBe(path);
    expect(readFileSync(path, 'utf8')).toBe('previous contents');
    expect(readdirSync(dir)).toEqual(['model.qdc']);
  });

  it('loading a truncated or mismatched file names the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-ckpt-'));
    const path = join(dir, 'cut.qdc');
    const bytes = serializeCheckpoint(createModel({ arch: 'lenet-003', numClasses: 6 }));
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    await expectErrorAsync(() => loadCheckpointFile(path, createModel({ arch: 'lenet-003', numClasses: 6 })), 'E_CHECKPOINT', path, 'truncated');
    writeFileSync(path, bytes);
    await expectErrorAsync(() => loadCheckpointFile(path, createModel({ arch: 'lenet5', numClasses: 6 })), 'E_CHECKPOINT', path, 'architecture mismatch');
    await expectErrorAsync(() => loadCheckpointFile(join(dir, 'missing.qdc'), createModel({ arch: 'lenet5', numClasses: 6 })), 'E_CHECKPOINT', 'could not read');
  });
});
