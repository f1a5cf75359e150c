// The MNIST canonical split for the nn tests and bench, from the data
// layer's loader (sdk/data/node), plus a class-balanced CI subset: the first
// n images of each digit of a split, in canonical order; and the shared
// minibatch training epoch of the accuracy bar and the full-data bench.
import { loadMnist as loadCanonicalMnist } from '../../sdk/data/node/mnist.js';
import { crossEntropy, Tensor, type Module } from '../../sdk/nn/index.js';
import type { Optimizer } from '../../sdk/nn/optim/index.js';
import type { Random } from '../../sdk/util/random.js';

export interface MnistSplit {
  /** [count·784] pixels in [0, 1], float32. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/**
 * The canonical `part` split (digits ascending, file order within a digit).
 * `perDigit` keeps the first n images of each digit; omit it for the whole split.
 */
export async function loadMnist(part: 'train' | 'test', perDigit?: number): Promise<MnistSplit> {
  const splits = await loadCanonicalMnist();
  const { x, y } = splits[part];
  if (perDigit === undefined) return { images: x, labels: y, count: y.length };
  const keep: number[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < y.length; i++) {
    const n = seen.get(y[i]!) ?? 0;
    if (n < perDigit) keep.push(i);
    seen.set(y[i]!, n + 1);
  }
  const images = new Float32Array(keep.length * 784);
  keep.forEach((i, k) => images.set(x.subarray(i * 784, (i + 1) * 784), k * 784));
  return { images, labels: Int32Array.from(keep, (i) => y[i]!), count: keep.length };
}

/**
 * One epoch of minibatch cross-entropy training on `train` in an order drawn
 * from `rng` (the model stays in whatever mode it is in). Returns the mean
 * training loss over the epoch.
 */
export function trainMnistEpoch(model: Module, opt: Optimizer, train: MnistSplit, rng: Random, batch: number): number {
  const order = rng.permutation(train.count);
  let sum = 0;
  for (let s = 0; s < train.count; s += batch) {
    const idx = order.subarray(s, Math.min(s + batch, train.count));
    const x = new Float32Array(idx.length * 784);
    const y: number[] = [];
    idx.forEach((j, i) => {
      x.set(train.images.subarray(j * 784, (j + 1) * 784), i * 784);
      y.push(train.labels[j]!);
    });
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(new Tensor(x, [idx.length, 1, 28, 28])), y);
    loss.backward();
    opt.step();
    sum += loss.item() * idx.length;
  }
  return sum / train.count;
}
