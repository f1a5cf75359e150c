// Helper of bench/workers.ts: LeNet-5 exported to ONNX, run by onnxruntime-web
// with `numThreads` = argv[2] (it can be set once per process), on 8,192
// images; prints the best images/s of 5 warm runs as its last line.
import { configureOnnxRuntime, encodeOnnx, OnnxTeacher } from '../sdk/teachers/index.js';
import { createModel, init } from '../sdk/nn/index.js';

const threads = Number(process.argv[2] ?? '1');
configureOnnxRuntime({ numThreads: threads });
await init({ build: 'release' });
const model = createModel({ arch: 'lenet5', numClasses: 10, seed: 1 });
const { bytes } = await encodeOnnx(model, { inputShape: [1, 28, 28] });
const teacher = await OnnxTeacher.load(bytes, { name: 'lenet5.onnx' });
const batch = 8192;
const x = new Float32Array(batch * 784).map((_, i) => ((i * 2654435761) % 1000) / 1000);
await teacher.predict(x, batch);
let best = Infinity;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  await teacher.predict(x, batch);
  best = Math.min(best, performance.now() - t0);
}
await teacher.dispose();
console.log(Math.round((batch * 1000) / best));
