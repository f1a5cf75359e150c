/**
 * Node-only: {@link exportOnnxFile}, ONNX export straight to a file.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { QDistillError } from '../../errors.js';
import type { Module } from '../../nn/module.js';
import { exportOnnx, type ExportOnnxOptions } from '../export.js';

/**
 * Exports a classical model with {@link exportOnnx} and writes it to `path`
 * (creating folders). Use `saveTeacher` to also write a manifest.
 *
 * @returns the absolute path and the file size
 * @throws export errors (E_UNSUPPORTED, E_SHAPE); E_DATA when the file cannot be written
 * @example
 * ```ts
 * import { exportOnnxFile } from 'qdistill/node';
 * await exportOnnxFile(model, 'out/lenet5.onnx', { inputShape: [1, 28, 28] });
 * ```
 */
export async function exportOnnxFile(model: Module, path: string, options: ExportOnnxOptions): Promise<{ path: string; bytes: number }> {
  if (typeof path !== 'string' || path === '') throw new QDistillError('E_INVALID_ARGUMENT', `exportOnnxFile: expected a file path, got ${JSON.stringify(path)}`);
  const bytes = await exportOnnx(model, options);
  const absolute = resolve(path);
  try {
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, bytes);
  } catch (cause) {
    throw new QDistillError('E_DATA', `exportOnnxFile: cannot write ${absolute} (${(cause as Error).message})`, { cause });
  }
  return { path: absolute, bytes: bytes.length };
}
