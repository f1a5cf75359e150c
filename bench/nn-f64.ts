// Benchmark: the float64 nn kernels in WebAssembly vs the TypeScript reference
// loops they replaced, both measured in THIS process (`npx tsx bench/nn-f64.ts`).
//
// 1. Micro: float64 conv2d forward + backward (dx, dw, db) at LeNet (paper 000)
//    shapes and a batch of 10 (dataset distillation's synthetic set), the
//    first and second conv layer, and the whole float64 LeNet train step
//    (forward + backward of cross-entropy). Rounds alternate reference / wasm;
//    medians of warm runs                       → f64_conv1_ratio, f64_conv2_ratio, f64_lenet_step_ratio
// 2. Dataset distillation seconds per outer iteration (bench/dd.ts settings:
//    10 MNIST images, 3 unrolled steps, a real batch of 1,024, float64 inner
//    steps) with the float64 kernels in the reference loops and in wasm,
//    alternating, the medians of the iterations after the first; the distilled
//    images of the two arms must be bit-identical
//                                               → dd_lenet_s_per_iter_{ref,wasm}, dd_qlenet_s_per_iter_{ref,wasm}
//    Set QDISTILL_BENCH_NO_DD=1 to skip part 2, QDISTILL_BENCH_ROUNDS=N for N
//    rounds of each arm (default 2; more on a loaded machine).
// Ratios are reference time / wasm time (> 1: wasm faster).
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { loadMnist } from '../sdk/data/node/mnist.js';
import { trainValidationSplit } from '../sdk/data/select.js';
import { distillDataset, type DistillModelConfig } from '../sdk/distill/dataset.js';
import { createKernel, type Kernel } from '../sdk/kernel/kernel.js';
import { setFloat64Backend } from '../sdk/nn/backend.js';
import { conv2d, createModel, crossEntropy, init, Tensor } from '../sdk/nn/index.js';
import type { Dataset } from '../sdk/data/dataset.js';
import { Random } from '../sdk/util/random.js';
import { runtimeFields, time } from './util.js';

const ROUNDS = Math.max(1, Number(process.env.QDISTILL_BENCH_ROUNDS ?? 2) || 2);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function normal(n: number, rng: Random): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** Alternates reference / wasm rounds of `fn`; returns the median warm ms of each. */
function abTime(fn: () => void, rounds = 3): { refMs: number; wasmMs: number; otherLoad: number } {
  const ref: number[] = [];
  const wasm: number[] = [];
  let otherLoad = 0;
  for (let r = 0; r < rounds; r++) {
    for (const arm of ['reference', 'wasm'] as const) {
      setFloat64Backend(arm);
      const t = time(fn, { warmup: 2, runs: 5 });
      (arm === 'reference' ? ref : wasm).push(t.warmMs);
      otherLoad = Math.max(otherLoad, t.otherLoad);
    }
  }
  setFloat64Backend('wasm');
  return { refMs: median(ref), wasmMs: median(wasm), otherLoad };
}

function convCase(batch: number, channels: number, size: number, filters: number, padding: number): () => void {
  const rng = new Random(7);
  const x = new Tensor(normal(batch * channels * size * size, rng), [batch, channels, size, size], true);
  const w = new Tensor(normal(filters * channels * 25, rng), [filters, channels, 5, 5], true);
  const b = new Tensor(normal(filters, rng), [filters], true);
  return () => {
    x.zeroGrad();
    w.zeroGrad();
    b.zeroGrad();
    const y = conv2d(x, w, b, { padding });
    y.backward(new Tensor(new Float64Array(y.size).fill(1), y.shape));
  };
}

function lenetStep(batch: number): () => void {
  const model = createModel({ arch: 'lenet-000', numClasses: 10, dtype: 'float64', seed: 3 });
  const rng = new Random(8);
  const x = new Tensor(normal(batch * 784, rng), [batch, 1, 28, 28]);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  return () => {
    model.zeroGrad();
    crossEntropy(model.forward(x), labels).backward();
  };
}

interface DdArm {
  perIter: number[];
  hash: string;
}

async function ddRun(model: DistillModelConfig, train: Dataset, kernel: Kernel, iterations: number): Promise<DdArm> {
  const stamps: number[] = [];
  const result = await distillDataset({
    model, realData: train, maxIterations: iterations, evalEvery: 0, kernel,
    onProgress: () => void stamps.push(performance.now()),
  });
  const { images, learningRates } = result.distilled;
  const hash = createHash('sha256').update(new Uint8Array(images.buffer, images.byteOffset, images.byteLength)).update(JSON.stringify(learningRates));
  return { perIter: stamps.slice(1).map((t, i) => (t - stamps[i]!) / 1000), hash: hash.digest('hex') };
}

async function ddAb(model: DistillModelConfig, train: Dataset, kernel: Kernel, iterations: number, rounds: number): Promise<{ ref: number; wasm: number; identical: boolean }> {
  const per = { reference: [] as number[], wasm: [] as number[] };
  const hashes = new Set<string>();
  for (let r = 0; r < rounds; r++) {
    for (const arm of ['reference', 'wasm'] as const) {
      setFloat64Backend(arm);
      const run = await ddRun(model, train, kernel, iterations);
      per[arm].push(...run.perIter);
      hashes.add(run.hash);
    }
  }
  setFloat64Backend('wasm');
  return { ref: median(per.reference), wasm: median(per.wasm), identical: hashes.size === 1 };
}

async function main(): Promise<Record<string, unknown>> {
  await init({ build: 'release' });
  const load0 = loadavg()[0]!;
  const cases = [
    { key: 'f64_conv1', label: 'conv2d 1→6 5×5 pad 2, 10×28×28', fn: convCase(10, 1, 28, 6, 2) },
    { key: 'f64_conv2', label: 'conv2d 6→16 5×5, 10×14×14', fn: convCase(10, 6, 14, 16, 0) },
    { key: 'f64_lenet_step', label: 'LeNet (000) forward + backward, batch 10', fn: lenetStep(10) },
  ];
  console.log(`float64 kernels: TypeScript reference vs WebAssembly, same process (load ${load0.toFixed(1)} on ${runtimeFields().cores} cores)`);
  const out: Record<string, unknown> = { bench: 'nn-f64', ...runtimeFields(), load: +load0.toFixed(2) };
  for (const c of cases) {
    const t = abTime(c.fn);
    console.log(`  ${c.label.padEnd(44)} reference ${t.refMs.toFixed(2).padStart(8)} ms   wasm ${t.wasmMs.toFixed(2).padStart(7)} ms   ratio ${(t.refMs / t.wasmMs).toFixed(1)}× (other load ${t.otherLoad.toFixed(2)})`);
    out[`${c.key}_ref_ms`] = +t.refMs.toFixed(3);
    out[`${c.key}_wasm_ms`] = +t.wasmMs.toFixed(3);
    out[`${c.key}_ratio`] = +(t.refMs / t.wasmMs).toFixed(2);
  }
  if (process.env.QDISTILL_BENCH_NO_DD !== '1') {
    const kernel = await createKernel({ build: 'release' });
    const { train: full } = await loadMnist();
    const { train } = trainValidationSplit(full, { validation: 1000, seed: 12345 });
    console.log('Dataset distillation s/iteration (bench/dd.ts settings), float64 kernels reference vs wasm, alternating arms:');
    for (const [key, model, iterations, rounds] of [
      ['dd_lenet', { arch: 'lenet-000', numClasses: 10 }, 6, ROUNDS],
      ['dd_qlenet', { arch: 'quantum-lenet-000', numClasses: 10 }, 6, ROUNDS],
    ] as const) {
      const r = await ddAb(model, train, kernel, iterations, rounds);
      console.log(`  ${model.arch.padEnd(20)} reference ${r.ref.toFixed(3)} s   wasm ${r.wasm.toFixed(3)} s   ratio ${(r.ref / r.wasm).toFixed(2)}×   distilled images identical: ${r.identical}`);
      out[`${key}_s_per_iter_ref`] = +r.ref.toFixed(4);
      out[`${key}_s_per_iter_wasm`] = +r.wasm.toFixed(4);
      out[`${key}_ratio`] = +(r.ref / r.wasm).toFixed(3);
      out[`${key}_identical`] = r.identical ? 1 : 0;
    }
  }
  out.load_end = +loadavg()[0]!.toFixed(2);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await main()));
}
