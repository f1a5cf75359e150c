/**
 * Node-only file I/O of dataset distillation: the replayable distilled
 * dataset (`.qdd.json`, format in `../dataset-file.ts`) and a PNG grid of the
 * distilled images (encoded by `pngjs`).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import pngjs from 'pngjs';
import { QDistillError } from '../../errors.js';
import { writeFileAtomic } from '../../nn/node/checkpoint-file.js';
import type { DistilledDataset } from '../dataset.js';
import { distilledImageGrid, parseDistilled, serializeDistilled, type ImageGridOptions, type PixelImage } from '../dataset-file.js';

/**
 * Writes a distilled dataset (atomically) with informational metrics.
 *
 * @example
 * ```ts
 * await saveDistilledFile('mnist-10.qdd.json', distilled, { testAccuracy: 0.83 });
 * ```
 */
export async function saveDistilledFile(path: string, distilled: DistilledDataset, metrics: Record<string, unknown> = {}): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(serializeDistilled(distilled, metrics)));
}

/**
 * Reads and validates a distilled-dataset file.
 *
 * @throws E_DATA if the file cannot be read; E_FILE_FORMAT if it is not a valid distilled dataset
 * @example
 * ```ts
 * const { distilled } = await loadDistilledFile('mnist-10.qdd.json');
 * ```
 */
export async function loadDistilledFile(path: string): Promise<{ distilled: DistilledDataset; metrics: Record<string, unknown> }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new QDistillError('E_DATA', `loadDistilledFile: cannot read ${path} (${(cause as Error).message})`, { cause });
  }
  return parseDistilled(text, path);
}

/**
 * PNG bytes of an 8-bit grey or RGB image.
 *
 * @example
 * ```ts
 * const bytes = encodePng(distilledImageGrid(distilled));
 * ```
 */
export function encodePng(image: PixelImage): Uint8Array {
  const { width, height, channels, pixels } = image;
  const png = new pngjs.PNG({ width, height, colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return new Uint8Array(pngjs.PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false }));
}

/**
 * Writes the distilled images as a PNG grid (a column per class, a row per step and image).
 *
 * @example
 * ```ts
 * await writeDistilledPng('mnist-10.png', distilled, { scale: 3 });
 * ```
 */
export async function writeDistilledPng(path: string, distilled: DistilledDataset, options: ImageGridOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodePng(distilledImageGrid(distilled, options)));
}
