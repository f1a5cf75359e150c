// distillDataset({ checkpoint, resumeFrom }): a run resumed from any state it
// saved — every outer epoch end, a cancellation inside an epoch, the finished
// state — ends with the history (wall-clock seconds aside), images, learning
// rates and counters of an uninterrupted run, bit for bit; for the classical
// LeNet with a StepLR decay, best-validation selection and CIFAR-style
// augmentation, for 'random' init, and for the quantum LeNet. Damaged states,
// states of another run or kind are refused with E_CHECKPOINT.
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset, type Dataset } from '../../sdk/data/dataset.js';
import { distillDataset, type DistillDatasetOptions, type DistillDatasetResult } from '../../sdk/distill/dataset.js';
import type { CheckpointEvent } from '../../sdk/distill/knowledge.js';
import { init } from '../../sdk/nn/index.js';
import { parseTrainingState, serializeTrainingState } from '../../sdk/nn/training-state.js';
import { Random } from '../../sdk/util/random.js';
import { rejectionOf } from '../helpers/errors.js';

beforeAll(async () => {
  await init();
});

/** Two or three classes of 28×28 images: a class-dependent blob plus noise (raw pixels in [0, 1]). */
function blobs(n: number, seed: number, classes = 2, channels = 1): Dataset {
  const rng = new Random(seed);
  const x = new Float32Array(n * channels * 784);
  const y = Array.from({ length: n }, (_, i) => i % classes);
  for (let i = 0; i < n; i++) {
    const cy = 7 + 7 * y[i]!;
    for (let c = 0; c < channels; c++) {
      for (let r = 0; r < 28; r++) {
        for (let q = 0; q < 28; q++) x[((i * channels + c) * 28 + r) * 28 + q] = Math.min(1, Math.exp(-((r - cy) ** 2 + (q - 14) ** 2) / 30) + 0.3 * rng.uniform());
      }
    }
  }
  return createDataset({ x, y, shape: [channels, 28, 28], numClasses: classes });
}

interface Saved {
  bytes: Uint8Array;
  event: CheckpointEvent;
}

/** Everything that must not change, wall-clock seconds removed. */
function fingerprint(r: DistillDatasetResult): unknown {
  const { distilled } = r;
  return {
    history: r.history.map(({ seconds: _s, ...h }) => h),
    images: Buffer.from(distilled.images.buffer).toString('base64'),
    learningRates: distilled.learningRates,
    theta0: Buffer.from(distilled.theta0.buffer).toString('base64'),
    iterations: r.iterations,
    validationAccuracy: r.validationAccuracy,
    hvpRetries: r.hvpRetries,
    hvpUnresolved: r.hvpUnresolved,
  };
}

const realData = blobs(48, 1);
const validation = blobs(16, 2);
/** 48 images in batches of 16: 3 outer iterations per epoch, 4 epochs, the outer lr halved every 2. */
const base: DistillDatasetOptions = {
  model: { arch: 'lenet-000', numClasses: 2 }, realData, validation, batchSize: 16, outerEpochs: 4, evalEvery: 1, decayEpochs: 2, initialLr: 0.05, seed: 3,
};

async function reference(options: DistillDatasetOptions): Promise<{ result: DistillDatasetResult; saved: Saved[] }> {
  const saved: Saved[] = [];
  const result = await distillDataset({ ...options, checkpoint: { save: (bytes, event) => void saved.push({ bytes, event }) } });
  return { result, saved };
}

/** Cancels the run after `iterations` outer iterations; returns the state saved on cancel. */
async function cancelAfter(options: DistillDatasetOptions, iterations: number, resumeFrom?: Uint8Array): Promise<Saved> {
  const controller = new AbortController();
  const saved: Saved[] = [];
  const error = await rejectionOf(() => distillDataset({
    ...options,
    signal: controller.signal,
    ...(resumeFrom ? { resumeFrom } : {}),
    onProgress: (p) => p.iteration >= iterations && controller.abort(),
    checkpoint: { save: (bytes, event) => void saved.push({ bytes, event }) },
  }));
  expect(error).toMatchObject({ code: 'E_ABORTED' });
  const last = saved.at(-1)!;
  expect(last.event.reason).toBe('cancelled');
  return last;
}

describe('distillDataset checkpoints and resume', () => {
  const variants: Array<[string, DistillDatasetOptions]> = [
    ['LeNet, StepLR, best-validation, seeded augmentation of the real batches', { ...base, select: 'best-validation', augment: 'cifar' }],
    ["LeNet, init 'random' (a fresh θ₀ every iteration), maxIterations inside an epoch", { ...base, init: 'random', maxIterations: 10 }],
  ];

  it.each(variants)('%s: resuming from every saved state and from a mid-epoch cancellation is bit-identical', async (_name, options) => {
    const { result, saved } = await reference(options);
    const expected = fingerprint(result);
    expect(saved.map((s) => s.event.reason)).toEqual([...Array(saved.length - 1).fill('epoch'), 'finished']);
    for (const { bytes, event } of saved) {
      const resumed = await distillDataset({ ...options, resumeFrom: bytes });
      expect(resumed.resumedFrom).toEqual({ epoch: event.epoch, iteration: expect.any(Number), finished: event.reason === 'finished' });
      expect(fingerprint(resumed), `resumed from ${event.reason} at epoch ${event.epoch}`).toEqual(expected);
    }
    // Cancelled inside epoch 2 (iteration 4 of 3 per epoch), then again inside the resumed run, then resumed to the end.
    const first = await cancelAfter(options, 4);
    expect(parseTrainingState(first.bytes, { kind: 'dd-run' }).json.inEpoch).toMatchObject({ epoch: 1, lossCount: 1 });
    const second = await cancelAfter(options, 8, first.bytes);
    const finished = await distillDataset({ ...options, resumeFrom: second.bytes });
    expect(fingerprint(finished)).toEqual(expected);
  });

  it('the R-H quantum LeNet (float64 inner steps through the circuit) resumes bit-identically', async () => {
    const options: DistillDatasetOptions = { ...base, model: { arch: 'quantum-lenet-000', numClasses: 2 }, outerEpochs: 2, decayEpochs: 1 };
    const { result, saved } = await reference(options);
    expect(saved).toHaveLength(2);
    const cancelled = await cancelAfter(options, 2);
    expect(fingerprint(await distillDataset({ ...options, resumeFrom: saved[0]!.bytes }))).toEqual(fingerprint(result));
    expect(fingerprint(await distillDataset({ ...options, resumeFrom: cancelled.bytes }))).toEqual(fingerprint(result));
  });

  it('a state is refused with E_CHECKPOINT when damaged, truncated, of another run, of another kind, or with a bad field', async () => {
    const { saved } = await reference({ ...base, outerEpochs: 1 });
    const bytes = saved[0]!.bytes;
    const flipped = bytes.slice();
    flipped[flipped.length - 20]! ^= 0x10;
    await expect(distillDataset({ ...base, resumeFrom: flipped })).rejects.toMatchObject({ code: 'E_CHECKPOINT' });
    await expect(distillDataset({ ...base, resumeFrom: bytes.subarray(0, bytes.length - 7) })).rejects.toMatchObject({ code: 'E_CHECKPOINT' });
    await expect(distillDataset({ ...base, outerEpochs: 1, seed: 4, resumeFrom: bytes })).rejects.toMatchObject({ code: 'E_CHECKPOINT', message: expect.stringContaining('another run (seed') });
    await expect(distillDataset({ ...base, outerEpochs: 1, realData: blobs(48, 9), resumeFrom: bytes })).rejects.toMatchObject({ code: 'E_CHECKPOINT', message: expect.stringContaining('another run (train') });
    await expect(distillDataset({ ...base, outerEpochs: 1, resumeFrom: bytes, checkpoint: { save: () => {}, context: { run: 'x' } } })).rejects.toMatchObject({ code: 'E_CHECKPOINT' });
    const state = parseTrainingState(bytes, { kind: 'dd-run' });
    await expect(distillDataset({ ...base, outerEpochs: 1, resumeFrom: serializeTrainingState({ ...state, kind: 'kd-run' }) })).rejects.toMatchObject({ code: 'E_CHECKPOINT', message: expect.stringContaining('expected a "dd-run" state') });
    const broken = (json: Record<string, unknown>, arrays = state.arrays) => serializeTrainingState({ kind: 'dd-run', json: { ...state.json, ...json }, arrays });
    for (const [json, message] of [
      [{ history: [] }, 'the history holds 0 epochs'],
      [{ augRng: [0, 0, 0, 0] }, 'generator state is malformed'],
      [{ iteration: 1e9 }, 'iteration 1000000000 is not in'],
      [{ scheduler: { epoch: 7 } }, 'the scheduler is at epoch 7'],
      [{ optimizer: { kind: 'adam' } }, 'outer optimiser state is malformed'],
    ] as const) {
      await expect(distillDataset({ ...base, outerEpochs: 1, resumeFrom: broken(json) }), message).rejects.toMatchObject({ code: 'E_CHECKPOINT', message: expect.stringContaining(message) });
    }
    const arrays = new Map(state.arrays);
    arrays.set('packed', new Float64Array(5));
    await expect(distillDataset({ ...base, outerEpochs: 1, resumeFrom: broken({}, arrays) })).rejects.toMatchObject({ code: 'E_CHECKPOINT', message: expect.stringContaining('hold 5 values') });
    const nan = new Map(state.arrays);
    const packed = (state.arrays.get('packed') as Float64Array).slice();
    packed[3] = NaN;
    nan.set('packed', packed);
    await expect(distillDataset({ ...base, outerEpochs: 1, resumeFrom: broken({}, nan) })).rejects.toMatchObject({ code: 'E_CHECKPOINT', message: expect.stringContaining('not finite') });
  });
});
