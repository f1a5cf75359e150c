/**
 * Node-only readers of dataset files on disk (IDX, optionally gzipped, and
 * CIFAR-10 binary batches). Parsing is done by the isomorphic parsers in
 * `../formats.ts`; errors name the file.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { QDistillError } from '../../errors.js';
import { concatDatasets, type Dataset } from '../dataset.js';
import { idxToDataset, isGzip, MAX_GUNZIP_BYTES, parseCifar10, parseIdx, type IdxArray, type IdxDatasetOptions } from '../formats.js';

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  if (typeof path !== 'string' || path === '') throw new QDistillError('E_INVALID_ARGUMENT', `${what}: expected a file path, got ${JSON.stringify(path)}`);
  try {
    return await readFile(path);
  } catch (cause) {
    throw new QDistillError('E_DATA', `${what}: cannot read ${path} (${(cause as Error).message})`, { cause, details: { source: path } });
  }
}

/**
 * Reads an IDX file (gzip-compressed or not, detected by its magic bytes).
 *
 * @example
 * ```ts
 * import { readIdxFile } from 'qdistill/node';
 * const labels = await readIdxFile('data/t10k-labels-idx1-ubyte.gz');
 * ```
 * @throws QDistillError `E_DATA` (cannot read), `E_FILE_FORMAT` (`wrong-magic`,
 *   `truncated`, `wrong-size`, `bad-gzip`, `too-large`), naming the file.
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes = await readBytes(path, 'readIdxFile');
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_GUNZIP_BYTES });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new QDistillError('E_FILE_FORMAT', `${path}: the gzip stream expands beyond ${MAX_GUNZIP_BYTES} bytes (the limit)`, { cause, details: { source: path, problem: 'too-large' } });
      }
      throw new QDistillError('E_FILE_FORMAT', `${path}: corrupt or truncated gzip stream (${(cause as Error).message})`, {
        cause,
        details: { source: path, problem: 'bad-gzip' },
      });
    }
  }
  return parseIdx(bytes, path);
}

/**
 * Loads an images + labels IDX pair (e.g. MNIST's `train-images-idx3-ubyte`
 * and `train-labels-idx1-ubyte`) as a {@link Dataset}; uint8 pixels become
 * v/255, shape [1, H, W].
 *
 * @example
 * ```ts
 * const train = await loadIdxDataset('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz');
 * ```
 * @throws QDistillError as {@link readIdxFile}, plus `E_FILE_FORMAT` (`mismatch`, `bad-label`).
 */
export async function loadIdxDataset(imagesPath: string, labelsPath: string, options: Omit<IdxDatasetOptions, 'imagesSource' | 'labelsSource'> = {}): Promise<Dataset> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  return idxToDataset(images, labels, { ...options, imagesSource: imagesPath, labelsSource: labelsPath });
}

/**
 * Reads one or more CIFAR-10 binary batch files into one dataset (in the
 * order given), shape [3, 32, 32], pixels v/255.
 *
 * @example
 * ```ts
 * const train = await readCifar10Files([1, 2, 3, 4, 5].map((i) => `cifar-10-batches-bin/data_batch_${i}.bin`));
 * ```
 * @throws QDistillError `E_DATA` (cannot read), `E_FILE_FORMAT` (`truncated`, `wrong-size`, `bad-label`), naming the file.
 */
export async function readCifar10Files(paths: string | readonly string[]): Promise<Dataset> {
  const list = typeof paths === 'string' ? [paths] : [...paths];
  if (list.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'readCifar10Files: expected at least one file path');
  const parts = await Promise.all(list.map(async (p) => parseCifar10(await readBytes(p, 'readCifar10Files'), p)));
  return parts.length === 1 ? parts[0]! : concatDatasets(parts);
}
