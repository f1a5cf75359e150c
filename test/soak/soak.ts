/**
 * Soak runs: thousands of KD training batches in one process — a pure QNN
 * student and a hybrid (convolutional + quantum) one, with a teacher,
 * augmentation, validation every epoch and a checkpoint saved every epoch —
 * sampling WebAssembly memory (the student's engine and the nn engine: the
 * size of linear memory and the bytes its allocator hands out) and the JS
 * heap after a full garbage collection.
 *
 * `npm run soak` (scripts/soak.ts) runs 10⁴ batches of each and prints the
 * figures; test/soak/soak.test.ts runs a few hundred.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { createDataset, type Dataset } from '../../sdk/data/dataset.js';
import { distillKnowledge } from '../../sdk/distill/knowledge.js';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { backendKernel, init as initNN } from '../../sdk/nn/backend.js';
import { memoryCheckpointStore } from '../../sdk/nn/training-state.js';
import { createHybridModel, type HybridModelConfig } from '../../sdk/qnn/hybrid.js';
import { Random } from '../../sdk/util/random.js';

v8.setFlagsFromString('--expose-gc');
/** A full garbage collection (exposed at run time, so no node flag is needed). */
const gc = vm.runInNewContext('gc') as () => void;

/** Memory after `batches` training batches. */
export interface SoakSample {
  batches: number;
  /** Linear memory of the student's engine and of the nn engine (bytes). */
  wasmBytes: number;
  /** Bytes their allocators hand out. */
  wasmInUse: number;
  /** JS heap after a full GC (bytes). */
  heapUsed: number;
}

/** Which student. */
export type SoakModel = 'qnn' | 'hybrid';

const STUDENTS: Record<SoakModel, HybridModelConfig> = {
  qnn: {
    arch: 'qnn-classifier', numClasses: 2, numQubits: 4, encoder: { type: 'AmplitudeEmbedding', numFeatures: 16 },
    ansatz: { type: 'StronglyEntanglingLayers', layers: 2 }, measurements: [{ type: 'expvalZ', wires: [0, 1] }], head: false, outputScale: 3,
  } as HybridModelConfig,
  hybrid: { arch: 'student-003', numClasses: 2, numQubits: 2, dropout: 0.2 } as HybridModelConfig,
};

/** Two classes of noisy images (a bright top or bottom half), and a teacher that reads them. */
function images(n: number, side: number, seed: number): Dataset {
  const rng = new Random(seed);
  const y = Int32Array.from({ length: n }, () => rng.int(2));
  const x = new Float32Array(n * side * side);
  for (let i = 0; i < n; i++) for (let p = 0; p < side * side; p++) x[i * side * side + p] = 0.2 * rng.uniform() + (Math.floor(p / side) < side / 2 === (y[i] === 0) ? 0.6 : 0);
  return createDataset({ x, y, shape: [1, side, side], numClasses: 2 });
}

function teacher(side: number) {
  const predict = (x: Float32Array, batch: number): Float32Array => {
    const out = new Float32Array(batch * 2);
    const per = side * side;
    for (let i = 0; i < batch; i++) {
      let top = 0;
      for (let p = 0; p < per / 2; p++) top += x[i * per + p]! - x[i * per + per / 2 + p]!;
      out[2 * i] = (4 * top) / per;
      out[2 * i + 1] = (-4 * top) / per;
    }
    return out;
  };
  return { numClasses: 2, predict, logitsFor: (d: { x: Float32Array }) => predict(d.x, d.x.length / per(side)) };
}
const per = (side: number): number => side * side;

function measure(batches: number, kernels: Kernel[]): SoakSample {
  gc();
  gc();
  return {
    batches,
    wasmBytes: kernels.reduce((s, k) => s + k.exports.memory.buffer.byteLength, 0),
    wasmInUse: kernels.reduce((s, k) => s + k.bytesInUse, 0),
    heapUsed: process.memoryUsage().heapUsed,
  };
}

/**
 * Trains `model` for `batches` batches of 8 (KD from a teacher, shift
 * augmentation, validation and a saved checkpoint every epoch of 8 batches),
 * sampling memory after `warmup` batches, every `every` batches after, and at the end.
 */
export async function soak(model: SoakModel, options: { batches: number; warmup: number; every: number; onSample?: (s: SoakSample) => void }): Promise<SoakSample[]> {
  await initNN();
  const kernel = await createKernel();
  const student = await createHybridModel({ ...STUDENTS[model], seed: 1 } as HybridModelConfig, { kernel });
  const side = model === 'qnn' ? 4 : 28;
  const kernels = [kernel, backendKernel()!];
  const store = memoryCheckpointStore();
  const samples: SoakSample[] = [];
  const stepsPerEpoch = 8;
  let next = options.warmup;
  const epochs = Math.ceil(options.batches / stepsPerEpoch);
  await distillKnowledge({
    student,
    teacher: teacher(side),
    data: { train: images(stepsPerEpoch * 8, side, 2), validation: images(16, side, 3) },
    ...(model === 'qnn' ? { studentInput: (x: Float32Array, n: number) => ({ x, shape: [16] }) } : {}),
    augment: [{ type: 'shift', max: 1 }],
    loss: { temperature: 2, alpha: 0.5 },
    optimizer: { type: 'adam', lr: 0.01 },
    epochs,
    batchSize: 8,
    seed: 1,
    checkpoint: { save: (bytes) => store.save(model, bytes) },
    onEpoch: (record) => {
      const done = record.epoch * stepsPerEpoch;
      if (done < next && record.epoch < epochs) return;
      while (next <= done) next += options.every;
      const s = measure(done, kernels);
      samples.push(s);
      options.onSample?.(s);
    },
  });
  return samples;
}
