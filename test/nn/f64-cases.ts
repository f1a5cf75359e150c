// Seeded float64 workloads whose output bits are pinned in
// test/fixtures/nn/f64-kernels.json: the conv2d / pooling / linear shapes
// paper 000's LeNet uses, a few odd geometries (stride, padding, filter
// counts that hit every SIMD remainder), and one whole float64 LeNet
// training step. Shared by the test (test/nn/kernels-f64.test.ts) and the
// script that wrote the fixture (scripts/nn-f64-fixture.ts), which ran them
// on the TypeScript reference loops before the float64 kernels moved to
// WebAssembly.
import { createHash } from 'node:crypto';
import { avgPool2d, conv2d, createModel, crossEntropy, linear, matmul, maxPool2d, randn, Tensor } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';

/** sha256 of the bytes of every array, in order. */
export function bitsHash(arrays: readonly Float64Array[]): string {
  const hash = createHash('sha256');
  for (const a of arrays) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return hash.digest('hex');
}

function leaf(shape: number[], seed: number): Tensor {
  const t = randn(shape, new Random(seed), { dtype: 'float64' });
  // Exact zeros (ReLU outputs) and ties, as the kernels see them in a network.
  const d = t.data;
  for (let i = 0; i < d.length; i += 7) d[i] = 0;
  for (let i = 3; i < d.length; i += 11) d[i] = d[i - 1]!;
  t.requiresGrad = true;
  return t;
}

/** Runs f on seeded leaves, backpropagates a seeded upstream gradient; returns [output, ...input gradients]. */
function forwardBackward(shapes: number[][], seed: number, f: (...xs: Tensor[]) => Tensor): Float64Array[] {
  const inputs = shapes.map((s, i) => leaf(s, seed + i));
  const y = f(...inputs);
  const g = randn(y.shape, new Random(seed + 100), { dtype: 'float64' });
  y.backward(g);
  return [y.data as Float64Array, ...inputs.map((t) => t.grad!.data as Float64Array)];
}

/** Case name → its output bits (output and every input gradient). */
export const F64_CASES: Record<string, () => Float64Array[]> = {
  'conv2d lenet c1: 10×1×28×28, 6@5×5 pad 2': () =>
    forwardBackward([[10, 1, 28, 28], [6, 1, 5, 5], [6]], 1, (x, w, b) => conv2d(x!, w!, b!, { padding: 2 })),
  'conv2d lenet c2: 10×6×14×14, 16@5×5': () =>
    forwardBackward([[10, 6, 14, 14], [16, 6, 5, 5], [16]], 2, (x, w, b) => conv2d(x!, w!, b!)),
  'conv2d 2×3×9×11, 9@3×3 stride 2 pad 1, no bias': () =>
    forwardBackward([[2, 3, 9, 11], [9, 3, 3, 3]], 3, (x, w) => conv2d(x!, w!, null, { stride: 2, padding: 1 })),
  'conv2d 3×2×7×19, 5@2×4 pad 3': () =>
    forwardBackward([[3, 2, 7, 19], [5, 2, 2, 4], [5]], 4, (x, w, b) => conv2d(x!, w!, b!, { padding: 3 })),
  'maxPool2d 2: 10×6×28×28': () => forwardBackward([[10, 6, 28, 28]], 5, (x) => maxPool2d(x!, { kernelSize: 2 })),
  'maxPool2d 3 stride 1: 2×3×7×8': () => forwardBackward([[2, 3, 7, 8]], 6, (x) => maxPool2d(x!, { kernelSize: 3, stride: 1 })),
  'avgPool2d 2: 10×16×10×10': () => forwardBackward([[10, 16, 10, 10]], 7, (x) => avgPool2d(x!, { kernelSize: 2 })),
  'avgPool2d 3 stride 2: 2×3×9×7': () => forwardBackward([[2, 3, 9, 7]], 8, (x) => avgPool2d(x!, { kernelSize: 3, stride: 2 })),
  'linear 10×400 → 120': () => forwardBackward([[10, 400], [120, 400], [120]], 9, (x, w, b) => linear(x!, w!, b!)),
  'matmul 7×13 · 13×9': () => forwardBackward([[7, 13], [13, 9]], 10, (a, b) => matmul(a!, b!)),
  'LeNet (000) float64 training step, batch 10': () => {
    const model = createModel({ arch: 'lenet-000', numClasses: 10, dtype: 'float64', seed: 11 });
    const x = randn([10, 1, 28, 28], new Random(12), { dtype: 'float64' });
    const labels = Int32Array.from({ length: 10 }, (_, i) => i);
    const logits = model.forward(x);
    crossEntropy(logits, labels).backward();
    return [logits.data as Float64Array, ...model.parameters().map((p) => p.grad!.data as Float64Array)];
  },
};
