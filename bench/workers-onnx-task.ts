// Task module of bench/workers.ts, run in pool workers (WorkerPool.call): an
// ONNX teacher session per worker, kept between calls, predicting its chunk.
import { OnnxTeacher } from '../sdk/teachers/onnx-teacher.js';

let teacher: Promise<OnnxTeacher> | undefined;

/** Logits of `batch` images of `x` by the ONNX model `bytes` (loaded once per worker). */
export async function predict(bytes: Uint8Array, x: Float32Array, batch: number): Promise<Float32Array> {
  teacher ??= OnnxTeacher.load(bytes, { name: 'lenet5.onnx' });
  return (await teacher).predict(x, batch);
}
