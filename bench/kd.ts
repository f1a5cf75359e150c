// Knowledge-distillation throughput: `npx tsx bench/kd.ts` (also a section of `npm run bench`).
//
// 1. Teacher inference, batched: LeNet-5 and AlexNet-mini (128-unit FC) exported
//    to ONNX by qdistill and run through onnxruntime-web, in images/s, cold
//    (first batch, session warm-up) and warm; the baseline is the same model run
//    by qdistill's own nn forward (eval mode, no graph), measured in the same run.
// 2. KD training throughput of the main job's student (6 qubits, 32
//    StronglyEntanglingLayers, 8×8 amplitude-embedded MNIST) on a labelled set
//    and a transfer set: one epoch, samples/s, for KD with cached teacher logits,
//    KD with augmentation (the teacher labels every batch of views on the fly),
//    and the same epoch without a teacher (the baseline of the ratio).
// Ends with one JSON line of the summary keys.
import { pathToFileURL } from 'node:url';
import { createHybridModel, distillKnowledge, encodeOnnx, ModelTeacher, OnnxTeacher } from '../sdk/index.js';
import { concatDatasets, firstPerClass, Pipeline, subset } from '../sdk/data/index.js';
import { loadMnist } from '../sdk/data/node/index.js';
import { createModel, init } from '../sdk/nn/index.js';
import { fmt, runtimeInfo, table } from './util.js';

const round = (x: number): number => Math.round(x);

async function teacherInference(): Promise<Record<string, number>> {
  const rows: string[][] = [];
  const summary: Record<string, number> = {};
  for (const [arch, batch] of [['lenet5', 8192], ['alexnet-mini', 1024]] as const) {
    const model = createModel({ arch, numClasses: 10, seed: 1, ...(arch === 'alexnet-mini' ? { fcWidths: 128 } : {}) } as never);
    const { bytes } = await encodeOnnx(model, { inputShape: [1, 28, 28] });
    const onnx = await OnnxTeacher.load(bytes, { name: `${arch}.onnx` });
    const own = ModelTeacher.fromModule(model, { dataShape: [1, 28, 28], numClasses: 10, name: arch });
    const x = new Float32Array(batch * 784).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    let sink = 0;
    const t0 = performance.now();
    sink += (await onnx.predict(x, batch))[0]!;
    const cold = performance.now() - t0;
    const warm: number[] = [];
    for (let r = 0; r < 5; r++) {
      const s = performance.now();
      sink += (await onnx.predict(x, batch))[0]!;
      warm.push(performance.now() - s);
    }
    const ownTimes: number[] = [];
    for (let r = 0; r < 3; r++) {
      const s = performance.now();
      sink += (await own.predict(x, batch))[0]!;
      ownTimes.push(performance.now() - s);
    }
    const onnxRate = (batch / Math.min(...warm)) * 1000;
    const ownRate = (batch / Math.min(...ownTimes)) * 1000;
    rows.push([arch, String(batch), fmt(cold), fmt(Math.min(...warm)), fmt(onnxRate), fmt(ownRate), `${(onnxRate / ownRate).toFixed(2)}×`]);
    summary[`teacher_${arch === 'lenet5' ? 'lenet' : 'alexnet'}_onnx_images_per_s`] = round(onnxRate);
    summary[`teacher_${arch === 'lenet5' ? 'lenet' : 'alexnet'}_onnx_ratio_vs_nn`] = Number((onnxRate / ownRate).toFixed(2));
    await onnx.dispose();
    if (!Number.isFinite(sink)) throw new Error('non-finite logits');
  }
  console.log('\n## Teacher inference (onnxruntime-web, batched) vs the same model in qdistill nn');
  console.log(table(['teacher', 'batch', 'cold ms', 'warm ms', 'ONNX images/s', 'nn images/s', 'ratio'], rows));
  return summary;
}

async function kdThroughput(): Promise<Record<string, number>> {
  const { train } = await loadMnist({ classes: [0, 1, 2, 3, 4, 5] });
  const labelled = firstPerClass(train, 20);
  const transfer = subset(train, Int32Array.from({ length: 2000 }, (_, i) => 200 + i));
  const pipeline = new Pipeline([{ type: 'resize', height: 8, width: 8, method: 'area' }, { type: 'flatten' }]);
  pipeline.fit(labelled);
  const teacherModel = createModel({ arch: 'lenet5', numClasses: 6, seed: 0 });
  const teacher = ModelTeacher.fromModule(teacherModel, { dataShape: [1, 28, 28], numClasses: 6 });
  const student = () => createHybridModel({
    arch: 'qnn-classifier', numClasses: 6, numQubits: 6, encoder: { type: 'AmplitudeEmbedding', numFeatures: 64 },
    ansatz: { type: 'StronglyEntanglingLayers', layers: 32 }, measurements: [{ type: 'expvalZ' }], head: false, outputScale: { init: 10, trainable: true }, seed: 0,
  });
  const run = async (mode: 'kd' | 'kd-augment' | 'baseline'): Promise<number> => {
    const s = await student();
    const samples = labelled.y.length + transfer.y.length;
    // The baseline trains on as many labelled samples (the transfer images' labels are used here only to time it).
    const data = mode === 'baseline' ? { train: concatDatasets([labelled, transfer]) } : { train: labelled, transfer };
    const t0 = performance.now();
    await distillKnowledge({
      student: s, teacher: mode === 'baseline' ? null : teacher, data, epochs: 1, batchSize: 32, seed: 0,
      studentInput: (x, n, shape) => pipeline.transformBatch(x, n, shape),
      ...(mode === 'kd-augment' ? { augment: [{ type: 'shift' as const, max: 2 }] } : {}),
      loss: { temperature: 1, alpha: 0.9 }, optimizer: { type: 'adam', lr: 0.005 },
    });
    return (samples / (performance.now() - t0)) * 1000;
  };
  await run('kd'); // warm-up: teacher logits cached, engine warmed
  const kd = Math.max(await run('kd'), await run('kd'));
  const aug = Math.max(await run('kd-augment'), await run('kd-augment'));
  const base = Math.max(await run('baseline'), await run('baseline'));
  console.log('\n## KD training throughput (main-job student: 6 qubits × 32 layers; 120 labelled + 2,000 transfer images; batch 32)');
  console.log(table(['run', 'samples/s', 'vs no teacher'], [
    ['KD, cached teacher logits', fmt(kd), `${(kd / base).toFixed(2)}×`],
    ['KD, augmented views, teacher per batch', fmt(aug), `${(aug / base).toFixed(2)}×`],
    ['no teacher (baseline)', fmt(base), '1.00×'],
  ]));
  return { kd_transfer_samples_per_s: round(kd), kd_augment_samples_per_s: round(aug), kd_ratio_vs_no_teacher: Number((kd / base).toFixed(2)) };
}

/** The bench section: teacher inference and KD training throughput. */
export async function run(): Promise<Record<string, number>> {
  await init({ build: 'release' });
  return { ...(await teacherInference()), ...(await kdThroughput()) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of runtimeInfo()) console.log(line);
  console.log(JSON.stringify(await run()));
}
