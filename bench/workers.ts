// Benchmark section "workers": the worker pool, measured in one run against
// the same work on one worker and on the calling thread (`npx tsx bench/workers.ts`).
//
// 1. QNN workloads of bench/qnn.ts, release engine, batches split over a pool
//    of 1 and of 2 workers (every batch split: threshold 0) and, for
//    reference, on the calling thread; rounds interleave the three so a busy
//    moment of the shared machine does not favour one; the fastest round
//    counts.                                  → w2_samples_per_s_2w, w3_adjoint_samples_per_s_2w,
//                                                 w4_samples_per_s_2w, w3_pshift_samples_per_s_2w,
//                                                 w2/w3/w4/w3_pshift _pool_speedup (2 workers over 1)
// 2. LeNet (paper 000) training steps at batch 64 (conv2d and Linear split)
//                                             → lenet_train_images_per_s_2w, lenet_pool_speedup
// 3. The crossover: W3 forward + adjoint at growing batches, calling thread
//    vs 2 workers; the smallest batch from which the pool is faster
//                                             → pool_crossover_w3_batch (and its single-thread ms)
// 4. Teacher inference on 8,192 images: ModelTeacher (LeNet-5 in qdistill nn),
//    calling thread vs 2 workers; the same model as an OnnxTeacher, one
//    session vs a session per worker (WorkerPool.call), and onnxruntime-web's
//    own threads (numThreads 2, in a fresh process)
//                                             → teacher_lenet_nn_images_per_s_2w, teacher_lenet_onnx_images_per_s_2w,
//                                               teacher_lenet_onnx_images_per_s_2threads (NaN where it fails)
// 5. The dataset-distillation outer loss and gradient (DistillRunner.outerValueAndGrad,
//    R-H quantum LeNet, a real batch of 1,024)  → dd_outer_grads_per_s_2w, dd_outer_pool_speedup
// 6. The main job, `qdistill kd --preset mnist-0-5`, as a child process:
//    --workers 1, then --jobs 2 --workers 1 (the runs two at a time) and
//    --workers 2 (batches split)            → kd_main_job_seconds_1w, kd_main_job_seconds_2w
//    (the faster two-core way), kd_main_job_seconds_jobs2, kd_main_job_seconds_workers2.
//    Set QDISTILL_BENCH_MAIN_JOB=0 to skip it (it takes tens of minutes).
// Every result is checked bit-identical between the calling thread and the
// pools. Node only; the machine load is printed with each table.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DistillRunner } from '../sdk/distill/dataset.js';
import { createKernel, type Kernel } from '../sdk/kernel/kernel.js';
import { createModel, crossEntropy, init, rand, Tensor } from '../sdk/nn/index.js';
import { Adam } from '../sdk/nn/optim/index.js';
import { estimatePassMs } from '../sdk/qnn/layer-parallel.js';
import { QNNLayer, type DiffMethod, type QNNLayerConfig } from '../sdk/qnn/qnn-layer.js';
import { ModelTeacher } from '../sdk/teachers/model-teacher.js';
import { encodeOnnx } from '../sdk/teachers/export.js';
import { OnnxTeacher } from '../sdk/teachers/onnx-teacher.js';
import { hashFloat64 } from '../sdk/util/hash.js';
import { Random } from '../sdk/util/random.js';
import { createWorkerPool, useWorkerPool, type WorkerPool } from '../sdk/workers/index.js';
import { fmt, round, runtimeInfo, startLoadProbe, table } from './util.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The three places work can run. */
type Where = 'thread' | '1w' | '2w';

interface Pools {
  '1w': WorkerPool;
  '2w': WorkerPool;
}

/** Runs `body` with the pool of `where` installed (none for the calling thread). */
function on<T>(pools: Pools, where: Where, body: () => T): T {
  useWorkerPool(where === 'thread' ? null : pools[where]);
  try {
    return body();
  } finally {
    useWorkerPool(null);
  }
}

/**
 * Fastest ms per call of `fn` at each place, over `rounds` interleaved rounds
 * of at least `minMs` each; also checks the results agree bit for bit.
 */
function compare(pools: Pools, fn: () => string, options: { rounds?: number; minMs?: number; places?: Where[] } = {}): { ms: Record<Where, number>; cpu: Record<Where, number>; load: number } {
  const places = options.places ?? ['thread', '1w', '2w'];
  const rounds = options.rounds ?? 5;
  const minMs = options.minMs ?? 300;
  const best: Record<Where, number> = { thread: Infinity, '1w': Infinity, '2w': Infinity };
  // CPU ms per call summed over every thread of this process (the pool's workers included): what the split costs, whatever the load.
  const cpu: Record<Where, number> = { thread: Infinity, '1w': Infinity, '2w': Infinity };
  const hashes = new Map<Where, string>();
  for (const where of places) hashes.set(where, on(pools, where, fn)); // warm-up, and the bits
  const reference = hashes.get(places[0]!)!;
  for (const [where, hash] of hashes) {
    if (hash !== reference) throw new Error(`bench workers: ${where} gave ${hash}, the calling thread ${reference} (not bit-identical)`);
  }
  const probe = startLoadProbe();
  for (let r = 0; r < rounds; r++) {
    for (const where of places) {
      on(pools, where, () => {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        let calls = 0;
        while (calls < 2 || performance.now() - t0 < minMs) {
          fn();
          calls++;
        }
        const c = process.cpuUsage(c0);
        best[where] = Math.min(best[where], (performance.now() - t0) / calls);
        cpu[where] = Math.min(cpu[where], (c.user + c.system) / 1000 / calls);
      });
    }
  }
  return { ms: best, cpu, load: probe() };
}

function qnnConfig(numQubits: number, layers: number, diffMethod: DiffMethod): QNNLayerConfig {
  return {
    numQubits, encoder: { type: 'AmplitudeEmbedding', numFeatures: 2 ** numQubits, pad: 0, normalize: true },
    ansatz: { type: 'StronglyEntanglingLayers', layers }, measurements: [{ type: 'expvalZ' }], diffMethod, seed: 1,
  };
}

/** One call: forward (and backward) of `samples` seeded samples; returns a hash of everything. */
function qnnJob(kernel: Kernel, config: QNNLayerConfig, samples: number, backward: boolean): { fn: () => string; layer: QNNLayer } {
  const layer = new QNNLayer(config, kernel);
  const rng = new Random(2024);
  const x = Float64Array.from({ length: samples * layer.numInputs }, () => rng.range(-1, 1));
  const g = Float64Array.from({ length: samples * layer.numOutputs }, () => rng.range(-1, 1));
  return {
    layer,
    fn: () => {
      const y = layer.forward(x, samples);
      if (!backward) return hashFloat64(y);
      const grads = layer.backward(g);
      return hashFloat64(y, grads.inputs, grads.params);
    },
  };
}

async function qnnSection(kernel: Kernel, pools: Pools): Promise<Record<string, number>> {
  const workloads = [
    { key: 'w2', name: 'W2 forward, 6q AE(64)+3 SEL, 10,000 samples', config: qnnConfig(6, 3, 'adjoint'), samples: 10_000, backward: false },
    { key: 'w3_adjoint', name: 'W3 forward+adjoint, 1,000 samples', config: qnnConfig(6, 3, 'adjoint'), samples: 1_000, backward: true },
    { key: 'w3_pshift', name: 'W3 forward+parameter shift, 200 samples', config: qnnConfig(6, 3, 'parameter-shift'), samples: 200, backward: true },
    { key: 'w4', name: 'W4 forward+adjoint, 10q AE(1024)+4 SEL, 200 samples', config: qnnConfig(10, 4, 'adjoint'), samples: 200, backward: true },
  ];
  const rows: string[][] = [];
  const out: Record<string, number> = {};
  for (const w of workloads) {
    const job = qnnJob(kernel, w.config, w.samples, w.backward);
    const { ms, cpu, load } = compare(pools, job.fn);
    job.layer.dispose();
    const rate = (where: Where): number => (w.samples * 1000) / ms[where];
    rows.push([
      w.name, fmt(rate('thread')), fmt(rate('1w')), fmt(rate('2w')), `${(ms['1w'] / ms['2w']).toFixed(2)}×`, `${(ms.thread / ms['2w']).toFixed(2)}×`,
      `${(cpu['2w'] / cpu.thread).toFixed(2)}×`, load.toFixed(2),
    ]);
    out[`${w.key}_samples_per_s_2w`] = round(rate('2w'));
    out[`${w.key}_samples_per_s_1w`] = round(rate('1w'));
    out[`${w.key}_pool_speedup`] = round(ms['1w'] / ms['2w']);
    out[`${w.key}_pool_cpu_ratio`] = round(cpu['2w'] / cpu.thread);
  }
  console.log(`\n## workers — QNN batches split over a pool (release engine; load average ${loadavg()[0]!.toFixed(2)})`);
  console.log(table(['workload', 'thread /s', '1 worker /s', '2 workers /s', '2w / 1w', '2w / thread', 'CPU 2w / thread', 'other load'], rows));
  console.log('CPU 2w / thread: CPU time per call over all threads, 2 workers vs the calling thread — the cost of splitting, whatever the load; with 2 free cores the speedup is about 2 / that.');
  return out;
}

function lenetSection(pools: Pools): Record<string, number> {
  const model = createModel({ arch: 'lenet-000', numClasses: 10, seed: 0 });
  const optimizer = new Adam(model, { lr: 1e-3 });
  const x = rand([64, 1, 28, 28], new Random(7));
  const labels = Array.from({ length: 64 }, (_, i) => i % 10);
  const start = model.getFlatParams();
  // A training step (forward, backward, Adam) from the same weights each time, so every place computes the same bits.
  const step = (): string => {
    model.setFlatParams(start);
    optimizer.zeroGrad();
    const loss = crossEntropy(model.forward(x), labels);
    loss.backward();
    const hash = hashFloat64(model.getFlatGrad(), [loss.item()]);
    optimizer.step();
    return hash;
  };
  const { ms, cpu, load } = compare(pools, step, { minMs: 400 });
  const rate = (where: Where): number => (64 * 1000) / ms[where];
  console.log(`\n## workers — LeNet (paper 000) training steps (forward, backward, Adam) at batch 64, conv2d and Linear split (load average ${loadavg()[0]!.toFixed(2)})`);
  console.log(table(['', 'thread', '1 worker', '2 workers', '2w / 1w', '2w / thread', 'CPU 2w / thread', 'other load'], [
    ['images/s', fmt(rate('thread')), fmt(rate('1w')), fmt(rate('2w')), `${(ms['1w'] / ms['2w']).toFixed(2)}×`, `${(ms.thread / ms['2w']).toFixed(2)}×`, `${(cpu['2w'] / cpu.thread).toFixed(2)}×`, load.toFixed(2)],
  ]));
  return {
    lenet_train_images_per_s_2w: round(rate('2w')), lenet_train_images_per_s_1w: round(rate('1w')), lenet_pool_speedup: round(ms['1w'] / ms['2w']),
    lenet_pool_cpu_ratio: round(cpu['2w'] / cpu.thread),
  };
}

function crossoverSection(kernel: Kernel, pools: Pools): Record<string, number> {
  const rows: string[][] = [];
  let crossover = Infinity;
  const config = qnnConfig(6, 3, 'adjoint');
  for (const batch of [4, 8, 16, 32, 64, 128, 256, 512]) {
    const job = qnnJob(kernel, config, batch, true);
    const { ms } = compare(pools, job.fn, { places: ['thread', '2w'], rounds: 5, minMs: 100 });
    const estimate = estimatePassMs(job.layer.tape, batch, 'forward') + estimatePassMs(job.layer.tape, batch, 'adjoint');
    job.layer.dispose();
    const faster = ms['2w'] < ms.thread;
    if (faster && crossover === Infinity) crossover = batch;
    if (!faster) crossover = Infinity;
    rows.push([String(batch), fmt(ms.thread), fmt(ms['2w']), `${(ms.thread / ms['2w']).toFixed(2)}×`, fmt(estimate)]);
  }
  console.log(`\n## workers — crossover: W3 forward+adjoint, calling thread vs 2 workers (load average ${loadavg()[0]!.toFixed(2)})`);
  console.log(table(['batch', 'thread ms', '2 workers ms', 'speedup', 'estimated single-thread ms (the split rule)'], rows));
  console.log(`the pool is faster from batch ${crossover} on (DEFAULT_SPLIT_THRESHOLD_MS compares the estimate in the last column)`);
  return { pool_crossover_w3_batch: crossover };
}

async function teacherSection(pools: Pools): Promise<Record<string, number>> {
  const model = createModel({ arch: 'lenet5', numClasses: 10, seed: 1 });
  const teacher = ModelTeacher.fromModule(model, { dataShape: [1, 28, 28], numClasses: 10, name: 'lenet5' });
  const batch = 8192;
  const x = new Float32Array(batch * 784).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const { bytes } = await encodeOnnx(model, { inputShape: [1, 28, 28] });
  const onnx = await OnnxTeacher.load(bytes, { name: 'lenet5.onnx' });
  const half = batch / 2;
  const task = pathToFileURL(join(root, 'bench', 'workers-onnx-task.ts')).href;
  // The ONNX teacher split over the 2 workers (a session in each) vs one session here.
  const onnxSplit = async (): Promise<Float32Array> => {
    const parts = await Promise.all([0, 1].map((i) => pools['2w'].call<Float32Array>(task, 'predict', [bytes, x.slice(i * half * 784, (i + 1) * half * 784), half])));
    const out = new Float32Array(batch * 10);
    parts.forEach((p, i) => out.set(p, i * half * 10));
    return out;
  };
  const ways: Record<string, () => Promise<Float32Array>> = {
    nnThread: async () => (useWorkerPool(null), teacher.predict(x, batch)),
    nnPool: async () => {
      useWorkerPool(pools['2w']);
      try {
        return await teacher.predict(x, batch);
      } finally {
        useWorkerPool(null);
      }
    },
    onnxThread: () => onnx.predict(x, batch),
    onnxPool: onnxSplit,
  };
  const best: Record<string, number> = {};
  const hashes: Record<string, string> = {};
  for (let r = 0; r < 4; r++) {
    for (const [name, way] of Object.entries(ways)) {
      const t0 = performance.now();
      hashes[name] = hashFloat64(Float64Array.from(await way()));
      best[name] = Math.min(best[name] ?? Infinity, performance.now() - t0);
    }
  }
  await onnx.dispose();
  if (hashes.nnThread !== hashes.nnPool) throw new Error('bench workers: ModelTeacher logits differ with the pool');
  const onnxSame = hashes.onnxThread === hashes.onnxPool;
  // onnxruntime-web's own threads (numThreads is fixed per process: a fresh process).
  const threaded = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'workers-onnx.ts'), '2'], { cwd: root, encoding: 'utf8' });
  const ortThreads = threaded.status === 0 ? Number(threaded.stdout.trim().split('\n').pop()) : NaN;
  const rate = (name: string): number => (batch * 1000) / best[name]!;
  console.log(`\n## workers — teacher inference, LeNet-5 on ${batch} images (load average ${loadavg()[0]!.toFixed(2)})`);
  console.log(table(['teacher', '1 thread images/s', '2 threads images/s', 'ratio', 'bit-identical'], [
    ['ModelTeacher (qdistill nn), pool of 2', fmt(rate('nnThread')), fmt(rate('nnPool')), `${(rate('nnPool') / rate('nnThread')).toFixed(2)}×`, 'yes'],
    ['OnnxTeacher, a session per pool worker', fmt(rate('onnxThread')), fmt(rate('onnxPool')), `${(rate('onnxPool') / rate('onnxThread')).toFixed(2)}×`, onnxSame ? 'yes' : 'no'],
    ['OnnxTeacher, onnxruntime-web numThreads 2', fmt(rate('onnxThread')), Number.isNaN(ortThreads) ? 'fails in Node' : fmt(ortThreads), Number.isNaN(ortThreads) ? '' : `${(ortThreads / rate('onnxThread')).toFixed(2)}×`, ''],
  ]));
  if (Number.isNaN(ortThreads)) console.log(`onnxruntime-web with numThreads 2 in Node: ${threaded.stderr.split('\n').find((l) => l.includes('QDistillError')) ?? 'failed'}`);
  return {
    teacher_lenet_nn_images_per_s_2w: round(rate('nnPool')), teacher_lenet_nn_pool_speedup: round(rate('nnPool') / rate('nnThread')),
    teacher_lenet_onnx_images_per_s_1thread: round(rate('onnxThread')), teacher_lenet_onnx_images_per_s_2w: round(rate('onnxPool')),
    teacher_lenet_onnx_images_per_s_2threads: round(ortThreads),
  };
}

async function ddSection(kernel: Kernel, pools: Pools): Promise<Record<string, number>> {
  const runner = await DistillRunner.create({ arch: 'quantum-lenet-000', numClasses: 10 }, [1, 28, 28], 'float64', false, kernel);
  const theta = runner.initialParams('paper-000', [0, 0]);
  const rng = new Random(9);
  const x = new Tensor(new Float32Array(1024 * 784).map(() => rng.normal()), [1024, 1, 28, 28]);
  const y = Int32Array.from({ length: 1024 }, (_, i) => i % 10);
  const { ms, load } = compare(pools, () => {
    const r = runner.outerValueAndGrad(theta, x, y);
    return hashFloat64(r.dParams, [r.loss]);
  }, { rounds: 3, minMs: 200 });
  console.log(`\n## workers — dataset distillation outer loss + gradient, R-H quantum LeNet, 1,024 real images (load average ${loadavg()[0]!.toFixed(2)})`);
  console.log(table(['', 'thread', '1 worker', '2 workers', '2w / 1w', '2w / thread', 'other load'], [
    ['ms per batch', fmt(ms.thread), fmt(ms['1w']), fmt(ms['2w']), `${(ms['1w'] / ms['2w']).toFixed(2)}×`, `${(ms.thread / ms['2w']).toFixed(2)}×`, load.toFixed(2)],
  ]));
  return { dd_outer_grads_per_s_2w: round(1000 / ms['2w']), dd_outer_pool_speedup: round(ms['1w'] / ms['2w']) };
}

function mainJobSection(): Record<string, number> {
  if (process.env.QDISTILL_BENCH_MAIN_JOB === '0') {
    console.log('\n## workers — main job skipped (QDISTILL_BENCH_MAIN_JOB=0)');
    return {};
  }
  const built = existsSync(join(root, 'dist', 'cli', 'main.js'));
  const command = built ? [join(root, 'bin', 'qdistill.js')] : ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-process.ts')];
  const run = (flags: string[]): number => {
    const t0 = performance.now();
    const stdout = execFileSync(process.execPath, [...command, 'kd', '--preset', 'mnist-0-5', ...flags], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
    const seconds = (performance.now() - t0) / 1000;
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { historyHash: string };
    hashes.push(summary.historyHash);
    return seconds;
  };
  const hashes: string[] = [];
  const one = run(['--workers', '1']);
  const jobs = run(['--jobs', '2', '--workers', '1']);
  const split = run(['--workers', '2']);
  if (new Set(hashes).size !== 1) throw new Error(`bench workers: the main job's historyHash differs between runs: ${hashes.join(' ')}`);
  console.log(`\n## workers — the main job, qdistill kd --preset mnist-0-5 (${built ? 'dist build' : 'sources via tsx'}; load average ${loadavg()[0]!.toFixed(2)})`);
  console.log(table(['flags', 'seconds', 'speedup'], [
    ['--workers 1', fmt(one), '1.00×'],
    ['--jobs 2 --workers 1', fmt(jobs), `${(one / jobs).toFixed(2)}×`],
    ['--workers 2', fmt(split), `${(one / split).toFixed(2)}×`],
  ]));
  console.log(`historyHash ${hashes[0]} in all three`);
  return {
    kd_main_job_seconds_1w: round(one), kd_main_job_seconds_2w: round(Math.min(jobs, split)),
    kd_main_job_seconds_jobs2: round(jobs), kd_main_job_seconds_workers2: round(split),
  };
}

/** The bench section. */
export async function run(): Promise<Record<string, number>> {
  const kernel = await createKernel({ build: 'release' });
  await init({ build: 'release' });
  const pools: Pools = {
    '1w': await createWorkerPool({ workers: 1, build: 'release', splitThresholdMs: 0 }),
    '2w': await createWorkerPool({ workers: 2, build: 'release', splitThresholdMs: 0 }),
  };
  try {
    const out = {
      ...(await qnnSection(kernel, pools)),
      ...lenetSection(pools),
      ...crossoverSection(kernel, pools),
      ...(await ddSection(kernel, pools)),
    };
    // The default split rule for inference (small chunks stay here), as a user's pool would.
    pools['2w'].splitThresholdMs = (await import('../sdk/workers/pool.js')).DEFAULT_SPLIT_THRESHOLD_MS;
    Object.assign(out, await teacherSection(pools));
    await pools['1w'].dispose();
    await pools['2w'].dispose();
    Object.assign(out, mainJobSection());
    return out;
  } finally {
    await pools['1w'].dispose();
    await pools['2w'].dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of runtimeInfo()) console.log(line);
  console.log(JSON.stringify(await run()));
}
