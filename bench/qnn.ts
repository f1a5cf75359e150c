// Benchmark section "qnn": throughput of the batched QNN layer, release
// engine, one thread, samples per second (median of timed runs after warm-up).
//
//   W2  6 qubits: AmplitudeEmbedding(64 features) + 3 StronglyEntanglingLayers
//       + ⟨Z⟩ on every wire; forward of 10,000 samples        → w2_samples_per_s
//   W3  the same, forward + backward (∂ w.r.t. all weights AND all 64 raw
//       features) of 1,000 samples: adjoint                    → w3_adjoint_samples_per_s
//       and parameter-shift (weights by the shift rule; the amplitude-embedded
//       features by the layer's central-difference fallback)   → w3_pshift_samples_per_s
//       ratio                                                  → w3_adjoint_over_pshift
//   W4  10 qubits: AmplitudeEmbedding(1024) + 4 SEL + ⟨Z⟩ all wires, forward +
//       adjoint backward of 200 samples                        → w4_samples_per_s
//   W3 forward + finite differences of everything (weights and the 64
//       features, one engine call)                             → w3_fd_samples_per_s
//   W2 forward with 1,000 shots per readout (drawn in the engine)
//                                                              → shots_samples_per_s
//   W3 forward + parameter shift with 1,000 shots per shifted run, ∂weights
//       (angle inputs instead of amplitude ones: shots cannot differentiate
//       a state preparation)                                   → w3_pshift_shots_samples_per_s
//   W4 with probs on all 10 wires (1,024 outputs), forward and forward +
//       adjoint                                                → probs10_forward_samples_per_s,
//                                                                probs10_adjoint_samples_per_s
//
// Baseline in the same process: the plain-TS reference engine (referenceRun,
// full gate matrices, per sample) on W2 forward and W4 forward, on fewer
// samples. Peers for scale, measured on this machine type (one thread, per
// sample): PennyLane-Lightning 175,000 / 36,000 / 4,900 samples/s on W2 / W3
// adjoint / W4; a plain-JS implementation 122,000 / 27,000 / 990.
//
// Run alone: `npx tsx bench/qnn.ts` (prints a table and a final JSON line);
// bench/run.ts imports `run()`.
import { pathToFileURL } from 'node:url';
import { Circuit } from '../sdk/circuit/circuit.js';
import { referenceRun } from '../sdk/circuit/reference.js';
import { amplitudeEmbedding, stronglyEntanglingLayers } from '../sdk/circuit/templates.js';
import { createKernel, type Kernel } from '../sdk/kernel/kernel.js';
import { QNNLayer, type DiffMethod, type QNNLayerConfig } from '../sdk/qnn/qnn-layer.js';
import { Random } from '../sdk/util/random.js';
import { collectGarbage, fmt, round, runtimeInfo, table, time, type Timing } from './util.js';

/** Peers and targets (samples/s) quoted in the issue. */
const PEERS = {
  w2: { lightning: 175_000, plainJs: 122_000, target: 350_000 },
  w3: { lightning: 36_000, plainJs: 27_000, target: 60_000 },
  w4: { lightning: 4_900, plainJs: 990, target: 6_000 },
} as const;

function config(numQubits: number, layers: number, diffMethod: DiffMethod, extra: Partial<QNNLayerConfig> = {}): QNNLayerConfig {
  return {
    numQubits,
    encoder: { type: 'AmplitudeEmbedding', numFeatures: 2 ** numQubits, pad: 0, normalize: true },
    ansatz: { type: 'StronglyEntanglingLayers', layers },
    measurements: [{ type: 'expvalZ' }],
    diffMethod,
    seed: 1,
    ...extra,
  };
}

function features(rng: Random, samples: number, numFeatures: number): Float64Array {
  return Float64Array.from({ length: samples * numFeatures }, () => rng.range(-1, 1));
}

interface Row {
  readonly name: string;
  readonly samples: number;
  readonly timing: Timing;
  readonly perSecond: number;
  readonly target?: number;
  readonly lightning?: number;
  readonly plainJs?: number;
}

function measure(name: string, samples: number, fn: () => void, runs: { warmup: number; runs: number }, peers: Partial<Row> = {}): Row {
  collectGarbage();
  const timing = time(fn, runs);
  return { name, samples, timing, perSecond: (samples * 1000) / timing.warmMs, ...peers };
}

/** Forward of a whole batch in one call. */
function forwardRun(kernel: Kernel, n: number, layers: number, samples: number, rng: Random, extra: Partial<QNNLayerConfig> = {}): { fn: () => void; dispose: () => void } {
  const layer = new QNNLayer(config(n, layers, 'adjoint', extra), kernel);
  const x = features(rng, samples, layer.numInputs);
  return { fn: () => void layer.forward(x, samples), dispose: () => layer.dispose() };
}

/** Forward + backward (all weights and all raw features) of a whole batch. */
function gradientRun(kernel: Kernel, n: number, layers: number, samples: number, method: DiffMethod, rng: Random, extra: Partial<QNNLayerConfig> = {}): { fn: () => void; dispose: () => void } {
  const layer = new QNNLayer(config(n, layers, method, extra), kernel);
  const x = features(rng, samples, layer.numInputs);
  const g = Float64Array.from({ length: samples * layer.numOutputs }, () => rng.range(-1, 1));
  return {
    fn: () => {
      layer.forward(x, samples);
      layer.backward(g);
    },
    dispose: () => layer.dispose(),
  };
}

/** The plain-TS reference engine, per sample: build the numeric circuit, run it, ⟨Z_i⟩ from the state. */
function referenceForward(n: number, layers: number, samples: number, rng: Random): () => void {
  const weights = Float64Array.from({ length: layers * n * 3 }, () => rng.range(0, 2 * Math.PI));
  const x = features(rng, samples, 2 ** n);
  const dim = 2 ** n;
  const out = new Float64Array(samples * n);
  return () => {
    for (let s = 0; s < samples; s++) {
      const c = new Circuit(n);
      amplitudeEmbedding(c, x.subarray(s * dim, (s + 1) * dim), { pad: 0, normalize: true });
      stronglyEntanglingLayers(c, weights);
      const state = referenceRun(c);
      for (let w = 0; w < n; w++) {
        const bit = n - 1 - w;
        let z = 0;
        for (let i = 0; i < dim; i++) z += ((i >> bit) & 1 ? -1 : 1) * (state.re[i]! ** 2 + state.im[i]! ** 2);
        out[s * n + w] = z;
      }
    }
  };
}

/** Runs the section: prints a table, returns the summary numbers. */
export async function run(): Promise<Record<string, number>> {
  const kernel = await createKernel({ build: 'release' });
  const rng = new Random(2024);
  const rows: Row[] = [];
  const steady = { warmup: 2, runs: 7 };

  console.log('\n## qnn — QNNLayer throughput (release engine, one thread, one engine call per batch)');

  let job = forwardRun(kernel, 6, 3, 10_000, rng);
  const w2 = measure('W2 forward, 6q AE(64)+3 SEL, ⟨Z⟩×6', 10_000, job.fn, steady, PEERS.w2);
  job.dispose();
  rows.push(w2);

  job = gradientRun(kernel, 6, 3, 1_000, 'adjoint', rng);
  const w3a = measure('W3 forward+adjoint (∂weights, ∂features)', 1_000, job.fn, steady, PEERS.w3);
  job.dispose();
  rows.push(w3a);

  job = gradientRun(kernel, 6, 3, 200, 'parameter-shift', rng);
  const w3p = measure('W3 forward+parameter-shift (∂features by FD)', 200, job.fn, { warmup: 1, runs: 5 });
  job.dispose();
  rows.push(w3p);

  job = gradientRun(kernel, 10, 4, 200, 'adjoint', rng);
  const w4 = measure('W4 forward+adjoint, 10q AE(1024)+4 SEL', 200, job.fn, steady, PEERS.w4);
  job.dispose();
  rows.push(w4);

  job = forwardRun(kernel, 10, 4, 200, rng);
  const w4f = measure('W4 forward only', 200, job.fn, steady);
  job.dispose();
  rows.push(w4f);

  job = gradientRun(kernel, 6, 3, 200, 'finite-diff', rng);
  const w3f = measure('W3 forward+finite-diff (everything)', 200, job.fn, { warmup: 1, runs: 5 });
  job.dispose();
  rows.push(w3f);

  job = forwardRun(kernel, 6, 3, 2_000, rng, { shots: 1000 });
  const shots = measure('W2 forward, 1,000 shots per readout', 2_000, job.fn, steady);
  job.dispose();
  rows.push(shots);

  const angle = { encoder: { type: 'AngleEmbedding', rotation: 'Y' } as const, shots: 1000 };
  job = gradientRun(kernel, 6, 3, 50, 'parameter-shift', rng, angle);
  const w3ps = measure('W3 (angle inputs) forward+parameter-shift, 1,000 shots per run', 50, job.fn, { warmup: 1, runs: 5 });
  job.dispose();
  rows.push(w3ps);

  const probs10 = { measurements: [{ type: 'probs' }] as QNNLayerConfig['measurements'] };
  job = forwardRun(kernel, 10, 4, 200, rng, probs10);
  const p10f = measure('W4 with probs on 10 wires, forward', 200, job.fn, steady);
  job.dispose();
  rows.push(p10f);
  job = gradientRun(kernel, 10, 4, 100, 'adjoint', rng, probs10);
  const p10a = measure('W4 with probs on 10 wires, forward+adjoint', 100, job.fn, steady);
  job.dispose();
  rows.push(p10a);

  // Baseline: the plain-TS reference engine in this process.
  const refW2 = measure('baseline: reference engine, W2 forward', 500, referenceForward(6, 3, 500, rng), { warmup: 1, runs: 5 });
  rows.push(refW2);
  const refW4 = measure('baseline: reference engine, W4 forward', 20, referenceForward(10, 4, 20, rng), { warmup: 1, runs: 3 });
  rows.push(refW4);

  const ratio = (v: number | undefined, of: number): string => (v ? `${fmt(of / v)}×` : '');
  console.log(
    table(
      ['workload', 'samples', 'median ms', 'cold ms', 'samples/s', 'best run /s', 'target', 'vs target', 'vs Lightning', 'vs plain JS'],
      rows.map((r) => [
        r.name, String(r.samples), fmt(r.timing.warmMs), fmt(r.timing.coldMs), fmt(r.perSecond), fmt((r.samples * 1000) / r.timing.minMs),
        r.target ? String(r.target) : '', ratio(r.target, r.perSecond), ratio(r.lightning, r.perSecond), ratio(r.plainJs, r.perSecond),
      ]),
    ),
  );
  console.log(`W2 forward: WASM engine / plain-TS reference engine (same process) = ${fmt(w2.perSecond / refW2.perSecond)}×`);
  console.log(`W4 forward: WASM engine / plain-TS reference engine (same process) = ${fmt(w4f.perSecond / refW4.perSecond)}×`);
  console.log(`W3: adjoint / parameter-shift = ${fmt(w3a.perSecond / w3p.perSecond)}×`);
  for (const r of rows.filter((x) => x.target)) {
    if (r.perSecond < r.target!) console.log(`BELOW TARGET: ${r.name}: ${fmt(r.perSecond)} < ${r.target} samples/s`);
  }

  return {
    w2_samples_per_s: round(w2.perSecond),
    w3_adjoint_samples_per_s: round(w3a.perSecond),
    w3_pshift_samples_per_s: round(w3p.perSecond),
    w3_adjoint_over_pshift: round(w3a.perSecond / w3p.perSecond),
    w4_samples_per_s: round(w4.perSecond),
    w4_forward_samples_per_s: round(w4f.perSecond),
    w3_fd_samples_per_s: round(w3f.perSecond),
    shots_samples_per_s: round(shots.perSecond),
    w3_pshift_shots_samples_per_s: round(w3ps.perSecond),
    probs10_forward_samples_per_s: round(p10f.perSecond),
    probs10_adjoint_samples_per_s: round(p10a.perSecond),
    w2_reference_ts_samples_per_s: round(refW2.perSecond),
    w2_over_reference_ts: round(w2.perSecond / refW2.perSecond),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of runtimeInfo()) console.log(line);
  const summary = await run();
  console.log(JSON.stringify(summary));
}
