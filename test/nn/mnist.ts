// The MNIST canonical split for the nn tests and bench, from the data
// layer's loader (sdk/data/node), plus a class-balanced CI subset: the first
// n images of each digit of a split, in canonical order.
import { loadMnist as loadCanonicalMnist } from '../../sdk/data/node/mnist.js';

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
