// float64 nn kernels (conv2d, pooling, Linear in the engine after nn.init)
// give BIT-IDENTICAL results in Chromium (page and Web Worker) and Node: a
// float64 LeNet (paper 000) training step and a strided, padded conv2d, the
// logits and every gradient hashed; Node's reference loops give the same bits.
import { expect, it } from 'vitest';
import { describeInBrowser, runInNode } from './harness.js';

const F64_SNIPPET = `
export default async function (q, args, env) {
  const { nn } = q;
  await nn.init({ build: 'release' });
  const run = () => {
    const rng = new q.Random(args.seed);
    const model = nn.createModel({ arch: 'lenet-000', numClasses: 10, dtype: 'float64', seed: args.seed });
    const x = nn.randn([6, 1, 28, 28], rng, { dtype: 'float64' });
    const labels = Int32Array.from({ length: 6 }, (_, i) => i);
    const logits = model.forward(x);
    nn.crossEntropy(logits, labels).backward();
    const cx = nn.randn([2, 3, 9, 11], rng, { dtype: 'float64' });
    cx.requiresGrad = true;
    const cw = nn.randn([5, 3, 3, 3], rng, { dtype: 'float64' });
    cw.requiresGrad = true;
    const y = nn.avgPool2d(nn.conv2d(cx, cw, null, { stride: 2, padding: 1 }), { kernelSize: 2 });
    y.backward(nn.randn(y.shape, rng, { dtype: 'float64' }));
    return q.hashFloat64(logits.data, ...model.parameters().map((p) => p.grad.data), y.data, cx.grad.data, cw.grad.data);
  };
  const engine = run();
  nn.setBackendProfiling(true);
  run();
  const ops = Object.keys(nn.backendProfile().byOp).filter((op) => op.endsWith('float64')).sort();
  nn.setBackendProfiling(false);
  nn.useReferenceBackend();
  const reference = run();
  return { runtime: env.runtime, engine, reference, ops };
}`;

describeInBrowser('float64 nn kernels: parity between Node and Chromium', (browser) => {
  it('gives bit-identical float64 LeNet gradients in the page, a worker and Node, equal to the reference loops', async () => {
    const args = { seed: 2027 };
    const node = await runInNode<Record<string, unknown>>(F64_SNIPPET, args);
    const page = await browser.run<Record<string, unknown>>(F64_SNIPPET, args);
    const worker = await browser.runInWorker<Record<string, unknown>>(F64_SNIPPET, args);
    expect(node.ops).toEqual(expect.arrayContaining(['conv2d float64', 'conv2d backward float64', 'maxPool2d float64', 'linear float64']));
    expect(node.reference).toBe(node.engine);
    for (const r of [page, worker]) {
      expect(r.engine, `${r.runtime as string} engine`).toBe(node.engine);
      expect(r.reference, `${r.runtime as string} reference`).toBe(node.engine);
      expect(r.ops).toEqual(node.ops);
    }
    expect([node.runtime, page.runtime, worker.runtime]).toEqual(['node', 'page', 'worker']);
  });
});
