// The worker pool in Node: a batch split over 1, 2 or 3 workers gives the
// bits of the single-thread run — QNN outputs and gradients (adjoint,
// parameter shift), classical conv/Linear kernels, whole training histories
// of a quantum student and of LeNet; a worker killed mid-batch gives the same
// result and is replaced; errors cross the boundary with their class and
// code; AbortSignal cancels. Timings are in bench/, not here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../../sdk/data/dataset.js';
import { distillKnowledge } from '../../sdk/distill/knowledge.js';
import { QDistillError } from '../../sdk/errors.js';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { createModel, crossEntropy, init, rand } from '../../sdk/nn/index.js';
import { Adam } from '../../sdk/nn/optim/index.js';
import { createHybridModel } from '../../sdk/qnn/hybrid.js';
import { QNNLayer, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { hashFloat64 } from '../../sdk/util/hash.js';
import { Random } from '../../sdk/util/random.js';
import { createWorkerPool, proxy, useWorkerPool, type WorkerPool } from '../../sdk/workers/index.js';
import { expectQDistillErrorValue, rejectionOf, thrownBy } from '../helpers/errors.js';
import { requestedBuild } from '../helpers/engine.js';

const TASKS = new URL('../fixtures/workers/tasks.ts', import.meta.url).href;

/** Pools of 1, 2 and 3 workers that split every batch (threshold 0), started once for the file. */
const pools = new Map<number, WorkerPool>();
let kernel: Kernel;

beforeAll(async () => {
  kernel = await createKernel({ build: requestedBuild() });
  await init({ build: requestedBuild() });
  for (const workers of [1, 2, 3]) pools.set(workers, await createWorkerPool({ workers, build: requestedBuild(), splitThresholdMs: 0 }));
}, 120_000);

afterAll(async () => {
  useWorkerPool(null);
  for (const pool of pools.values()) await pool.dispose();
});

/** `body` without a pool, then with each pool installed: every result must equal the first (and, with `split`, the workers ran tasks). */
async function sameForEveryPool<T>(body: () => T | Promise<T>, split = true): Promise<T> {
  useWorkerPool(null);
  const reference = await body();
  for (const [workers, pool] of pools) {
    useWorkerPool(pool);
    const before = pool.stats.workerTasks;
    try {
      expect(await body(), `${workers} worker(s)`).toEqual(reference);
    } finally {
      useWorkerPool(null);
    }
    if (split) expect(pool.stats.workerTasks, `the workers of the ${workers}-worker pool ran tasks`).toBeGreaterThan(before);
  }
  return reference;
}

const AMPLITUDE: QNNLayerConfig = {
  numQubits: 4,
  encoder: { type: 'AmplitudeEmbedding', numFeatures: 16 },
  ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
  measurements: [{ type: 'expvalZ' }, { type: 'probs', wires: [0, 1] }],
  seed: 3,
};
const ANGLE: QNNLayerConfig = {
  numQubits: 3,
  encoder: { type: 'AngleEmbedding', rotation: 'Y' },
  ansatz: { type: 'BasicEntanglerLayers', layers: 2 },
  measurements: [{ type: 'expvalZ' }],
  seed: 5,
};

/** Hashes of a forward and a backward of `batch` seeded samples, twice in a row (the second backward reuses kept states). */
function layerRun(config: QNNLayerConfig, batch: number): string[] {
  const layer = new QNNLayer(config, kernel);
  const rng = new Random(11);
  const x = Float64Array.from({ length: batch * layer.numInputs }, () => rng.range(-1, 1));
  const g = Float64Array.from({ length: batch * layer.numOutputs }, () => rng.range(-1, 1));
  const out: string[] = [];
  for (let round = 0; round < 2; round++) {
    out.push(hashFloat64(layer.forward(x, batch)));
    const grads = layer.backward(g);
    out.push(hashFloat64(grads.inputs), hashFloat64(grads.params));
    layer.setParams(layer.getParams().map((v, i) => v + 0.01 * grads.params[i]!));
  }
  layer.dispose();
  return out;
}

describe('a QNN layer split over workers', () => {
  it('gives the single-thread bits for 1, 2 and 3 workers: outputs and adjoint gradients (amplitude inputs, probs readouts)', async () => {
    await sameForEveryPool(() => layerRun({ ...AMPLITUDE, diffMethod: 'adjoint' }, 7));
  });

  it('gives the single-thread bits with parameter shift (angle inputs) and with parameter shift of amplitude inputs', async () => {
    await sameForEveryPool(() => layerRun({ ...ANGLE, diffMethod: 'parameter-shift' }, 5));
    await sameForEveryPool(() => layerRun({ ...AMPLITUDE, diffMethod: 'parameter-shift' }, 4));
  });

  it('keeps shots and finite differences on the calling thread (same bits, same generator state)', async () => {
    await sameForEveryPool(() => layerRun({ ...ANGLE, diffMethod: 'parameter-shift', shots: 100 }, 6), false);
    await sameForEveryPool(() => layerRun({ ...ANGLE, diffMethod: 'finite-diff' }, 6));
  });

  it('trains a quantum student with KD to the same history, epoch by epoch, for 1, 2 and 3 workers', async () => {
    const rng = new Random(2);
    const n = 48;
    const x = new Float32Array(n * 16).map(() => rng.range(0.1, 1));
    const y = Int32Array.from({ length: n }, (_, i) => i % 4);
    const data = createDataset({ x, y, shape: [16], numClasses: 4 });
    const logits = new Float32Array(n * 4).map((_, i) => (i % 4 === y[Math.floor(i / 4)]! ? 2 : 0));
    const teacher = { numClasses: 4, predict: (_x: Float32Array, batch: number) => logits.subarray(0, batch * 4), logitsFor: () => logits };
    const history = await sameForEveryPool(async () => {
      const student = await createHybridModel({
        arch: 'qnn-classifier', numClasses: 4, numQubits: 4, encoder: { type: 'AmplitudeEmbedding', numFeatures: 16 },
        ansatz: { type: 'StronglyEntanglingLayers', layers: 3 }, measurements: [{ type: 'expvalZ' }], head: false,
        outputScale: { init: 3, trainable: true }, seed: 1,
      }, { kernel });
      const result = await distillKnowledge({
        student, teacher, data: { train: data, validation: data }, epochs: 2, batchSize: 16, seed: 4,
        loss: { temperature: 2, alpha: 0.7 }, optimizer: { type: 'adam', lr: 0.05 },
      });
      return { history: result.history.map((r) => ({ ...r, seconds: 0 })), params: hashFloat64(student.getFlatParams()) };
    });
    expect(history.history).toHaveLength(2);
  });
});

describe('classical kernels split over workers', () => {
  it('trains LeNet (conv2d, Linear, forward and backward) to the same weights for 1, 2 and 3 workers', async () => {
    await sameForEveryPool(() => {
      const model = createModel({ arch: 'lenet-000', numClasses: 10, seed: 0 });
      const optimizer = new Adam(model, { lr: 1e-3 });
      const x = rand([9, 1, 28, 28], new Random(7));
      const labels = Array.from({ length: 9 }, (_, i) => i % 10);
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        optimizer.zeroGrad();
        const loss = crossEntropy(model.forward(x), labels);
        loss.backward();
        losses.push(loss.item());
        optimizer.step();
      }
      return { losses, params: hashFloat64(model.getFlatParams()) };
    });
  });
});

describe('worker failures', () => {
  it('a worker killed mid-batch: same result (its share computed here), and the worker is replaced', async () => {
    const pool = pools.get(3)!;
    useWorkerPool(null);
    const reference = layerRun({ ...AMPLITUDE, diffMethod: 'adjoint' }, 9);
    useWorkerPool(pool);
    const local = pool.stats.localTasks;
    try {
      pool.injectFault(1, 'exit');
      expect(layerRun({ ...AMPLITUDE, diffMethod: 'adjoint' }, 9)).toEqual(reference);
      await pool.settled();
      expect(pool.alive).toBe(3);
      pool.injectFault(2, 'exit');
      expect(layerRun({ ...AMPLITUDE, diffMethod: 'adjoint' }, 9)).toEqual(reference);
      await pool.settled();
      expect(pool.alive).toBe(3);
      expect(layerRun({ ...AMPLITUDE, diffMethod: 'adjoint' }, 9)).toEqual(reference);
      expect(pool.stats.localTasks, 'the dead workers\' shares ran on the calling thread').toBeGreaterThanOrEqual(local + 2);
    } finally {
      useWorkerPool(null);
    }
  });

  it('an error in a worker crosses with its class and code (a synchronous task)', () => {
    const pool = pools.get(2)!;
    const error = thrownBy(() =>
      pool.runSync([{ kind: 'qnn.forward', state: { key: 'bad', value: { numQubits: 0 } }, meta: { key: 'bad', start: 0, batch: 1, token: 1, keep: false }, inputs: {}, outputs: {} }], () => ({})),
    );
    expect(error).toBeInstanceOf(QDistillError);
    expectQDistillErrorValue(error, 'E_CONFIG');
    const unknown = thrownBy(() => pool.runSync([{ kind: 'no.such.task', inputs: {}, outputs: {} }], () => ({})));
    expectQDistillErrorValue(unknown, 'E_WORKER', 'unknown task kind "no.such.task"');
  });

  it('an error of a task module crosses with its class, code, details and cause (an asynchronous call)', async () => {
    const error = await rejectionOf(() => pools.get(1)!.call(TASKS, 'fail', ['E_SHAPE']));
    expect(error).toBeInstanceOf(QDistillError);
    const e = expectQDistillErrorValue(error, 'E_SHAPE', 'the task failed on purpose');
    expect(e.details).toEqual({ where: 'tasks.ts' });
    expect((e.cause as Error).message).toBe('the cause');
  });

  it('runs task functions with callbacks, and AbortSignal cancels a running call and start-up', async () => {
    const progress: number[] = [];
    expect(await pools.get(2)!.call(TASKS, 'count', [3, proxy((i: number) => progress.push(i))])).toBe(3);
    expect(progress).toEqual([0, 1, 2]);
    const controller = new AbortController();
    const running = pools.get(2)!.call(TASKS, 'waitForAbort', [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expectQDistillErrorValue(await rejectionOf(() => running), 'E_ABORTED');
    const aborted = new AbortController();
    aborted.abort();
    expectQDistillErrorValue(await rejectionOf(() => createWorkerPool({ workers: 1, signal: aborted.signal })), 'E_ABORTED');
  });

  it('rejects bad options with E_INVALID_ARGUMENT', async () => {
    expectQDistillErrorValue(await rejectionOf(() => createWorkerPool({ workers: 0 })), 'E_INVALID_ARGUMENT', 'workers must be an integer');
    expectQDistillErrorValue(await rejectionOf(() => createWorkerPool({ workers: 1, splitThresholdMs: -1 })), 'E_INVALID_ARGUMENT', 'splitThresholdMs');
  });
});
