// Where the time of one outer iteration of dataset distillation goes (R-H quantum LeNet, 10 images, 3 steps):
// `npx tsx experiments/paper-000/scripts/profile-iteration.ts [workers]` — medians of 5 repetitions, load average printed.
import { loadavg } from 'node:os';
import { loadMnist } from '../../../sdk/data/node/mnist.js';
import { batchLabels, DistillRunner } from '../../../sdk/distill/dataset.js';
import { createKernel } from '../../../sdk/kernel/kernel.js';
import { init, Tensor, unrolledHypergradient, valueAndGrad } from '../../../sdk/nn/index.js';
import { Random } from '../../../sdk/util/random.js';
import { createWorkerPool, useWorkerPool } from '../../../sdk/workers/index.js';

const workers = Number(process.argv[2] ?? 1);
await init();
const kernel = await createKernel();
const pool = workers > 1 ? await createWorkerPool({ workers }) : null;
if (pool) useWorkerPool(pool);
const { train } = await loadMnist();
const runner = await DistillRunner.create({ arch: 'quantum-lenet-000', numClasses: 10 }, [1, 28, 28], 'float64', false, kernel);
const theta0 = runner.initialParams('paper-000', [0, 0]);
const rng = new Random(5);
const X = Float64Array.from({ length: 10 * 784 }, () => rng.normal());
const labels = [batchLabels(10, 1)];
const syn = new Tensor(X, [10, 1, 28, 28]);
const loss = runner.innerLoss(labels);
const median = (f: () => void, n = 5): number => {
  const t: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.shift();
  return t.sort((a, b) => a - b)[Math.floor(n / 2)]!;
};
const real = (B: number) => {
  const x = new Float32Array(B * 784);
  for (let i = 0; i < x.length; i++) x[i] = (train.x[i]! - 0.1307) / 0.3081;
  return { x: new Tensor(x, [B, 1, 28, 28]), y: train.y.slice(0, B) };
};
const out: Record<string, number> = { workers, load: loadavg()[0]! };
for (const B of [256, 1024]) {
  const r = real(B);
  out[`outer_fwd_bwd_${B}_ms`] = median(() => runner.outerValueAndGrad(theta0, r.x, r.y));
}
out.inner_grad_f64_10img_ms = median(() => valueAndGrad((p, x) => loss(p, x, 0), theta0, syn, { inputGrad: false }));
out.inner_grad_f64_10img_with_input_ms = median(() => valueAndGrad((p, x) => loss(p, x, 0), theta0, syn, { inputGrad: true }));
for (const B of [256, 1024]) {
  const r = real(B);
  let retries = 0;
  out[`iteration_${B}_ms`] = median(() => {
    const res = unrolledHypergradient({
      innerLoss: loss, outerGradient: (th) => runner.outerValueAndGrad(th, r.x, r.y), theta0, syntheticInputs: [syn], learningRates: [0.02, 0.02, 0.02],
    }, { eps: runner.hvpEps });
    retries += res.hvpRetries;
  });
  out[`iteration_${B}_hvp_retries_per_iter`] = retries / 6;
}
out.load_end = loadavg()[0]!;
console.log(JSON.stringify(out));
await pool?.dispose();
