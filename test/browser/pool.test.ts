// The worker pool of the browser bundle in Chromium (a cross-origin isolated
// page, COOP/COEP): QNN outputs and gradients, LeNet training steps and a
// KD training history split over 1, 2 and 3 Web Workers have the bits of the
// single-thread run — in the page (the caller spins: a main thread may not
// block), in a Web Worker (the caller blocks in Atomics.wait) and in Node.
// A worker killed mid-batch (self.close) gives the same result, and errors
// cross with their class and code.
import { expect, it } from 'vitest';
import { describeInBrowser, runInNode } from './harness.js';

const POOL_SNIPPET = `
export default async function (q, args, env) {
  await q.nn.init({ build: 'release' });
  const kernel = await q.createKernel({ build: 'release' });
  const config = {
    numQubits: 4, encoder: { type: 'AmplitudeEmbedding', numFeatures: 16 },
    ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
    measurements: [{ type: 'expvalZ' }, { type: 'probs', wires: [0, 1] }], seed: 3,
  };
  const qnn = (diffMethod) => {
    const layer = new q.QNNLayer({ ...config, diffMethod }, kernel);
    const rng = new q.Random(11);
    const batch = 7;
    const x = Float64Array.from({ length: batch * layer.numInputs }, () => rng.range(-1, 1));
    const g = Float64Array.from({ length: batch * layer.numOutputs }, () => rng.range(-1, 1));
    const out = [];
    for (let round = 0; round < 2; round++) {
      out.push(q.hashFloat64(layer.forward(x, batch)));
      const grads = layer.backward(g);
      out.push(q.hashFloat64(grads.inputs), q.hashFloat64(grads.params));
      layer.setParams(layer.getParams().map((v, i) => v + 0.01 * grads.params[i]));
    }
    layer.dispose();
    return out;
  };
  const lenet = () => {
    const model = q.nn.createModel({ arch: 'lenet-000', numClasses: 10, seed: 0 });
    const optimizer = new q.optim.Adam(model, { lr: 1e-3 });
    const x = q.nn.rand([9, 1, 28, 28], new q.Random(7));
    const labels = Array.from({ length: 9 }, (_, i) => i % 10);
    const losses = [];
    for (let step = 0; step < 2; step++) {
      optimizer.zeroGrad();
      const loss = q.nn.crossEntropy(model.forward(x), labels);
      loss.backward();
      losses.push(loss.item());
      optimizer.step();
    }
    return { losses, params: q.hashFloat64(model.getFlatParams()) };
  };
  const kd = async () => {
    const rng = new q.Random(2);
    const n = 32;
    const x = new Float32Array(n * 16).map(() => rng.range(0.1, 1));
    const y = Int32Array.from({ length: n }, (_, i) => i % 4);
    const data = q.data.createDataset({ x, y, shape: [16], numClasses: 4 });
    const logits = new Float32Array(n * 4).map((_, i) => (i % 4 === y[Math.floor(i / 4)] ? 2 : 0));
    const teacher = { numClasses: 4, predict: (_x, batch) => logits.subarray(0, batch * 4), logitsFor: () => logits };
    const student = await q.createHybridModel({
      arch: 'qnn-classifier', numClasses: 4, numQubits: 4, encoder: { type: 'AmplitudeEmbedding', numFeatures: 16 },
      ansatz: { type: 'StronglyEntanglingLayers', layers: 2 }, measurements: [{ type: 'expvalZ' }], head: false,
      outputScale: { init: 3, trainable: true }, seed: 1,
    }, { kernel });
    const result = await q.distillKnowledge({
      student, teacher, data: { train: data, validation: data }, epochs: 2, batchSize: 16, seed: 4,
      loss: { temperature: 2, alpha: 0.7 }, optimizer: { type: 'adam', lr: 0.05 },
    });
    return { history: result.history.map((r) => ({ ...r, seconds: 0 })), params: q.hashFloat64(student.getFlatParams()) };
  };
  const all = async () => ({ adjoint: qnn('adjoint'), shift: qnn('parameter-shift'), lenet: lenet(), kd: await kd() });
  const out = { runtime: env.runtime, none: await all(), pools: {} };
  for (const workers of [1, 2, 3]) {
    const pool = await q.createWorkerPool({ workers, build: 'release', splitThresholdMs: 0 });
    q.useWorkerPool(pool);
    try {
      const results = await all();
      const entry = { results, tasks: pool.stats.workerTasks, canRunSync: pool.canRunSync };
      if (workers === 3) {
        pool.injectFault(1, 'exit');
        entry.afterKill = qnn('adjoint');
        entry.localTasks = pool.stats.localTasks;
        try {
          pool.runSync([{ kind: 'qnn.forward', state: { key: 'bad', value: { numQubits: 0 } }, meta: { key: 'bad', start: 0, batch: 1, token: 1, keep: false }, inputs: {}, outputs: {} }], () => ({}));
        } catch (e) {
          entry.error = { code: e.code, instance: e instanceof q.QDistillError, branded: q.isQDistillError(e) };
        }
      }
      out.pools[workers] = entry;
    } finally {
      q.useWorkerPool(null);
      await pool.dispose();
    }
  }
  return out;
}`;

interface PoolResult {
  runtime: string;
  none: unknown;
  pools: Record<string, { results: unknown; tasks: number; canRunSync: boolean; afterKill?: string[]; localTasks?: number; error?: unknown }>;
}

function expectSameForEveryPool(result: PoolResult): void {
  for (const workers of ['1', '2', '3']) {
    const entry = result.pools[workers]!;
    expect(entry.canRunSync, `${result.runtime}: synchronous splits available`).toBe(true);
    expect(entry.tasks, `${result.runtime}: the ${workers}-worker pool ran tasks`).toBeGreaterThan(0);
    expect(entry.results, `${result.runtime}: ${workers} worker(s) = no pool`).toEqual(result.none);
  }
  const three = result.pools['3']!;
  expect(three.afterKill, `${result.runtime}: a worker killed mid-batch`).toEqual((result.none as { adjoint: string[] }).adjoint);
  expect(three.localTasks).toBeGreaterThan(0);
  expect(three.error).toEqual({ code: 'E_CONFIG', instance: true, branded: true });
}

describeInBrowser('the worker pool in Chromium', (browser) => {
  it('splits QNN passes, LeNet steps and a KD run over 1, 2, 3 Web Workers with the bits of the single thread, in the page, a worker and Node', async () => {
    const page = await browser.run<PoolResult>(POOL_SNIPPET, {}, { timeoutMs: 120_000 });
    expectSameForEveryPool(page);
    const worker = await browser.runInWorker<PoolResult>(POOL_SNIPPET, {}, { timeoutMs: 120_000 });
    expectSameForEveryPool(worker);
    const node = await runInNode<PoolResult>(POOL_SNIPPET, {});
    expectSameForEveryPool(node);
    expect(worker.none).toEqual(page.none);
    expect(node.none).toEqual(page.none);
  }, 300_000);
});
