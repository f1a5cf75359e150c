// Benchmark section "dd" (dataset distillation, paper 000): `npx tsx bench/dd.ts`
//
// 1. Seconds per outer iteration with the authors' settings (10 synthetic
//    MNIST images, 3 unrolled steps, a real batch of 1,024, float32 outer
//    loss, float64 inner steps and kink-guarded central-difference HVPs), for
//    paper 000's classical LeNet and the R-H quantum LeNet: the median of the
//    iterations after the first (cold) one          → dd_lenet_s_per_iter, dd_qlenet_s_per_iter
// 2. Precision of the hypergradient (R-H quantum LeNet, 3 steps at η = 0.02,
//    a real batch of 256): dL/d(images) along 3 random directions and dL/dη_t
//    against brute central differences of the whole unrolled objective in
//    float64 (step 1e-6, small enough not to cross a ReLU/max-pool kink), for
//    the inner steps in float64 (ε = 1e-6, what distillDataset uses) and in
//    float32 (ε = 1e-2, the best ε for float32)   → dd_hypergrad_relerr_f64, dd_hypergrad_relerr_f32
//    (max relative error over the directions and the rates)
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { loadMnist } from '../sdk/data/node/mnist.js';
import { trainValidationSplit } from '../sdk/data/select.js';
import { batchLabels, distillDataset, DistillRunner, type DistillModelConfig } from '../sdk/distill/dataset.js';
import { createKernel, type Kernel } from '../sdk/kernel/kernel.js';
import { crossEntropy, init, noGrad, Tensor, unrolledHypergradient, valueAndGrad } from '../sdk/nn/index.js';
import type { Dataset } from '../sdk/data/dataset.js';
import { Random } from '../sdk/util/random.js';
import { runtimeFields } from './util.js';

const ITERATIONS = 8;

async function secondsPerIteration(model: DistillModelConfig, train: Dataset, kernel: Kernel): Promise<{ median: number; cold: number }> {
  const stamps: number[] = [];
  const start = performance.now();
  await distillDataset({
    model, realData: train, maxIterations: ITERATIONS, evalEvery: 0, kernel,
    onProgress: () => void stamps.push(performance.now()),
  });
  const per = stamps.slice(1).map((t, i) => (t - stamps[i]!) / 1000).sort((a, b) => a - b);
  return { median: per[Math.floor(per.length / 2)]!, cold: (stamps[0]! - start) / 1000 };
}

interface PrecisionRow {
  inner: string;
  images: number;
  rates: number;
  ms: number;
}

async function precision(train: Dataset, kernel: Kernel): Promise<PrecisionRow[]> {
  const B = 256;
  const realX32 = new Float32Array(B * 784);
  const realY = new Int32Array(B);
  for (let i = 0; i < B; i++) {
    const j = i * 29;
    realY[i] = train.y[j]!;
    for (let p = 0; p < 784; p++) realX32[i * 784 + p] = (train.x[j * 784 + p]! - 0.1307) / 0.3081;
  }
  const realX64 = Float64Array.from(realX32);
  const config: DistillModelConfig = { arch: 'quantum-lenet-000', numClasses: 10 };
  const exact = await DistillRunner.create({ ...config, dtype: 'float64' }, [1, 28, 28], 'float64', false, kernel);
  const theta0 = exact.initialParams('paper-000', [0, 0]);
  const rng = new Random(5);
  const X = Float64Array.from({ length: 10 * 784 }, () => rng.normal());
  const labels = [batchLabels(10, 1)];
  const lrs = [0.02, 0.02, 0.02];
  const realT = new Tensor(realX64, [B, 1, 28, 28]);
  const objective = (x: Float64Array, etas: number[]): number => {
    let theta = theta0.slice();
    for (const eta of etas) {
      const { dParams } = valueAndGrad((p, xx) => crossEntropy(exact.inner.apply(p, xx), labels[0]!), theta, new Tensor(x, [10, 1, 28, 28]), { inputGrad: false });
      theta = theta.map((t, i) => t - eta * dParams[i]!);
    }
    return noGrad(() => crossEntropy(exact.outer.apply(theta, realT), realY).item());
  };
  const h = 1e-6;
  const dirs = [0, 1, 2].map(() => Float64Array.from({ length: X.length }, () => rng.normal()));
  const bruteX = dirs.map((v) => (objective(X.map((x, i) => x + h * v[i]!), lrs) - objective(X.map((x, i) => x - h * v[i]!), lrs)) / (2 * h));
  const bruteLr = lrs.map((_, t) => {
    const up = [...lrs];
    const down = [...lrs];
    up[t]! += h;
    down[t]! -= h;
    return (objective(X, up) - objective(X, down)) / (2 * h);
  });
  const rows: PrecisionRow[] = [];
  for (const [inner, eps] of [['float64', 1e-6], ['float32', 1e-2]] as const) {
    const runner = await DistillRunner.create(config, [1, 28, 28], inner, false, kernel, eps);
    const realX = new Tensor(realX32, [B, 1, 28, 28]);
    const t0 = performance.now();
    const r = unrolledHypergradient({
      innerLoss: runner.innerLoss(labels),
      outerGradient: (theta) => runner.outerValueAndGrad(theta, realX, realY),
      theta0,
      syntheticInputs: [new Tensor(inner === 'float64' ? Float64Array.from(X) : Float32Array.from(X), [10, 1, 28, 28])],
      learningRates: lrs,
    }, { eps });
    const ms = performance.now() - t0;
    const dx = dirs.map((v) => v.reduce((s, vi, i) => s + vi * r.dInputs[i]!, 0));
    rows.push({
      inner,
      images: Math.max(...dx.map((d, k) => Math.abs(d - bruteX[k]!) / Math.abs(bruteX[k]!))),
      rates: Math.max(...Array.from(r.dLearningRates, (d, t) => Math.abs(d - bruteLr[t]!) / Math.abs(bruteLr[t]!))),
      ms,
    });
  }
  return rows;
}

async function main(): Promise<Record<string, unknown>> {
  await init({ build: 'release' });
  const kernel = await createKernel({ build: 'release' });
  const { train: full } = await loadMnist();
  const { train } = trainValidationSplit(full, { validation: 1000, seed: 12345 });
  const load = loadavg()[0]!;
  const lenet = await secondsPerIteration({ arch: 'lenet-000', numClasses: 10 }, train, kernel);
  const qlenet = await secondsPerIteration({ arch: 'quantum-lenet-000', numClasses: 10 }, train, kernel);
  console.log(`Dataset distillation, MNIST, 10 images, 3 unrolled steps, real batch 1024 (median of ${ITERATIONS - 1} iterations after the first; load ${load.toFixed(1)} on ${runtimeFields().cores} cores)`);
  console.log(`  LeNet (paper 000)        ${lenet.median.toFixed(3)} s/iteration (first ${lenet.cold.toFixed(2)} s)`);
  console.log(`  quantum LeNet R-H        ${qlenet.median.toFixed(3)} s/iteration (first ${qlenet.cold.toFixed(2)} s)`);
  const rows = await precision(full, kernel);
  console.log('Hypergradient vs brute central differences of the unrolled objective (quantum LeNet R-H, 3 steps, η = 0.02):');
  for (const r of rows) console.log(`  inner steps ${r.inner}: max relative error images ${r.images.toExponential(2)}, learning rates ${r.rates.toExponential(2)} (${r.ms.toFixed(0)} ms)`);
  return {
    bench: 'dd',
    ...runtimeFields(),
    dd_lenet_s_per_iter: +lenet.median.toFixed(4),
    dd_qlenet_s_per_iter: +qlenet.median.toFixed(4),
    dd_hypergrad_relerr_f64: +Math.max(rows[0]!.images, rows[0]!.rates).toExponential(3),
    dd_hypergrad_relerr_f32: +Math.max(rows[1]!.images, rows[1]!.rates).toExponential(3),
  };
}

/** Bench section for bench/run.ts: the numeric keys of the dataset-distillation benchmark. */
export async function run(): Promise<Record<string, number>> {
  const all = await main();
  return Object.fromEntries(Object.entries(all).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await main()));
}
