/**
 * Node-only file access for teachers: reading a model file with an error
 * that names it. Loaded by `OnnxTeacher.load` through a dynamic `import()`
 * when it is given a file path in Node.
 *
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QDistillError } from '../../errors.js';

/**
 * Reads a model file (a path, or a `file:` URL).
 *
 * @throws E_ONNX naming the file when it is missing, a directory, or unreadable
 * @example
 * ```ts
 * const bytes = await readModelFile('teachers/lenet-mnist-c6.onnx');
 * ```
 */
export async function readModelFile(path: string | URL, where = 'teacher'): Promise<Uint8Array> {
  const file = typeof path === 'string' ? (path.startsWith('file:') ? fileURLToPath(path) : path) : fileURLToPath(path);
  const absolute = resolve(file);
  let isFile = false;
  try {
    isFile = (await stat(absolute)).isFile();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new QDistillError('E_ONNX', `${where}: cannot read the ONNX model ${absolute}: ${reason}`, {
      cause,
      details: { source: absolute, problem: code === 'ENOENT' ? 'missing-file' : 'unreadable' },
    });
  }
  if (!isFile) {
    throw new QDistillError('E_ONNX', `${where}: ${absolute} is not a file (an ONNX model file was expected)`, {
      details: { source: absolute, problem: 'not-a-file' },
    });
  }
  try {
    const buffer = await readFile(absolute);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (cause) {
    throw new QDistillError('E_ONNX', `${where}: cannot read the ONNX model ${absolute}: ${(cause as Error).message}`, {
      cause,
      details: { source: absolute, problem: 'unreadable' },
    });
  }
}
