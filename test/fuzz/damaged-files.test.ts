// Truncated and bit-flipped files of every kind: every truncation and every
// single-bit flip of a small file of each kind gives a typed error or, where
// the format cannot tell (pixels of IDX and CIFAR-10 carry no checksum, a
// QASM program cut between statements is a shorter program), a valid
// result. Files that declare their length are never accepted truncated;
// files under CRC-32 (checkpoints, training states) never accepted damaged.
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { circuitFromJSON, circuitToJSON } from '../../sdk/circuit/serialize.js';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { fromQASM, toQASM } from '../../sdk/circuit/qasm.js';
import { CIFAR10_RECORD_BYTES, decodeIdx, encodeIdx, parseCifar10, parseIdx } from '../../sdk/data/formats.js';
import { parseDistilled, serializeDistilled } from '../../sdk/distill/dataset-file.js';
import { distillKnowledge } from '../../sdk/distill/knowledge.js';
import { ERROR_CODES, isQDistillError } from '../../sdk/errors.js';
import { init } from '../../sdk/nn/backend.js';
import { parseCheckpoint, serializeCheckpoint } from '../../sdk/nn/checkpoint.js';
import { Dropout, Linear, Sequential } from '../../sdk/nn/layers.js';
import { Adam } from '../../sdk/nn/optim/adam.js';
import { parseTrainingState } from '../../sdk/nn/training-state.js';
import { createDataset } from '../../sdk/data/dataset.js';
import { OnnxTeacher } from '../../sdk/teachers/onnx-teacher.js';
import { tinyOnnx } from '../helpers/files.js';

/** Every prefix shorter than the file, and every single-bit flip. */
function* damaged(bytes: Uint8Array): Generator<[string, Uint8Array]> {
  for (let n = 0; n < bytes.length; n++) yield [`truncated to ${n} bytes`, bytes.subarray(0, n)];
  for (let i = 0; i < bytes.length * 8; i++) {
    const flipped = bytes.slice();
    flipped[i >> 3]! ^= 1 << (i & 7);
    yield [`bit ${i} flipped`, flipped];
  }
}

/** 'ok', or the error's code; throws on anything untyped. */
async function outcome(what: string, call: () => unknown): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (isQDistillError(error) && (ERROR_CODES as readonly string[]).includes(error.code)) return error.code;
    throw new Error(`${what}: untyped ${String(error)}`, { cause: error });
  }
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
/** `read(JSON.parse(t))` when `t` parses; JSON that does not parse is the caller's problem, not the reader's. */
function parsed(t: string, read: (json: unknown) => unknown): unknown {
  let json: unknown;
  try {
    json = JSON.parse(t);
  } catch {
    return undefined;
  }
  return read(json);
}
const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s);

beforeAll(async () => {
  await init();
});

describe('files under CRC-32 are never accepted damaged', () => {
  it('model checkpoint: every truncation and every bit flip → E_CHECKPOINT', async () => {
    const model = new Sequential(new Linear(2, 2, { seed: 1 }), new Dropout(0.5, { seed: 2 }));
    const bytes = serializeCheckpoint(model, { optimizer: new Adam(model), metadata: { epoch: 1 } });
    for (const [what, b] of damaged(bytes)) expect(await outcome(what, () => parseCheckpoint(b)), what).toBe('E_CHECKPOINT');
  });

  it('training state: every truncation and every bit flip → E_CHECKPOINT', async () => {
    const train = createDataset({ x: Float32Array.of(0, 1, 1, 0), y: Int32Array.of(0, 1), shape: [2], numClasses: 2 });
    let state: Uint8Array | null = null;
    await distillKnowledge({ student: new Sequential(new Linear(2, 2, { seed: 1 })), teacher: null, data: { train }, epochs: 1, batchSize: 2, checkpoint: { save: (b) => void (state = b) } });
    for (const [what, b] of damaged(state!)) expect(await outcome(what, () => parseTrainingState(b)), what).toBe('E_CHECKPOINT');
  });
});

describe('other files: typed errors or valid results; truncations of length-declaring formats refused', () => {
  const cases: Array<[string, Uint8Array, (b: Uint8Array) => unknown, boolean?]> = [
    ['IDX', encodeIdx({ dtype: 'int16', dims: [2, 3], data: Int16Array.of(1, -2, 3, 4, 5, 6) }), (b) => parseIdx(b), true],
    ['gzipped IDX', new Uint8Array(gzipSync(encodeIdx({ dtype: 'uint8', dims: [4], data: Uint8Array.of(1, 2, 3, 4) }))), (b) => decodeIdx(b), true],
    ['CIFAR-10 batch', new Uint8Array(CIFAR10_RECORD_BYTES).fill(7), (b) => parseCifar10(b), true],
    ['OpenQASM', bytesOf(toQASM(new Circuit(2).h(0).cnot(0, 1).rx(0.25, 1))), (b) => fromQASM(text(b))],
    // circuitFromJSON reads parsed JSON: text that JSON.parse refuses never reaches it (so truncations cannot be checked).
    ['circuit JSON', bytesOf(JSON.stringify(circuitToJSON(new Circuit(2).h(0).crz(0.5, 0, 1)))), (b) => parsed(text(b), circuitFromJSON)],
    [
      'distilled dataset',
      bytesOf(serializeDistilled({
        format: 'qdistill-distilled-dataset', version: 1, model: { arch: 'lenet-000', numClasses: 2 } as never, images: new Float32Array(2), imageShape: [1, 1, 1],
        labels: Int32Array.of(0, 1), numClasses: 2, steps: 1, epochs: 1, imagesPerClass: 1, learningRates: [0.1], init: 'fixed', weightInit: 'model',
        theta0: Float64Array.of(1), innerPrecision: 'float32', freezeCircuitWeights: false, normalization: { mean: [0], std: [1] }, seed: 0, iterations: 1,
      })),
      (b) => parseDistilled(text(b)),
    ],
  ];
  it.each(cases)('%s', async (_kind, bytes, read, refusesTruncation) => {
    expect(await outcome('intact', () => read(bytes))).toBe('ok');
    for (const [what, b] of damaged(bytes)) {
      const got = await outcome(what, () => read(b));
      if (refusesTruncation && what.startsWith('truncated')) expect(got, what).not.toBe('ok');
    }
  });

  it('ONNX teacher: truncations (sampled) are refused with E_ONNX or E_TEACHER', async () => {
    const bytes = await tinyOnnx();
    for (const n of [0, 1, 8, 40, 100, bytes.length >> 1, bytes.length - 20, bytes.length - 1]) {
      expect(['E_ONNX', 'E_TEACHER'], `truncated to ${n}`).toContain(await outcome(`truncated to ${n}`, () => OnnxTeacher.load(bytes.subarray(0, n))));
    }
  });
});
