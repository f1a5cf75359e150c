/**
 * Node-only part of the teachers layer: saving a trained teacher as an ONNX
 * file with a small JSON manifest next to it, loading it back, and reading
 * model files. Everything else is in the isomorphic `sdk/teachers/index.ts`.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { QDistillError } from '../../errors.js';
import type { Module } from '../../nn/module.js';
import type { ModelConfig } from '../../nn/zoo.js';
import { encodeOnnx, type ExportOnnxOptions } from '../export.js';
import { OnnxTeacher, type OnnxTeacherOptions } from '../onnx-teacher.js';
import type { EpochSummary } from '../train.js';
import { readModelFile } from './files.js';

export { readModelFile } from './files.js';
export { exportOnnxFile } from './export-file.js';

/**
 * Manifest format written by {@link saveTeacher} (the field names follow `shared/teachers/manifest.json`).
 *
 * @example
 * ```ts
 * manifest.format_version === TEACHER_MANIFEST_VERSION;
 * ```
 */
export const TEACHER_MANIFEST_VERSION = 1;

/**
 * The JSON manifest saved next to a teacher's `.onnx` file.
 *
 * @example
 * ```ts
 * const { manifest } = await saveTeacher(trained, 'out/lenet5.onnx');
 * manifest.num_classes; // 6
 * ```
 */
export interface TeacherManifest {
  format_version: number;
  name: string;
  /** The ONNX file name, relative to the manifest. */
  file: string;
  bytes: number;
  sha256: string;
  architecture: string;
  /** The zoo config the model was built from, when known. */
  config: ModelConfig | null;
  parameters: number;
  num_classes: number;
  /** Dataset name (`mnist`, `fashion-mnist`, …), when given. */
  dataset: string | null;
  /** Original class ids of logits 0..C−1, when given. */
  classes: number[] | null;
  class_names: string[] | null;
  input: { name: string; shape: Array<string | number>; dtype: 'float32'; layout: string };
  output: { name: string; shape: Array<string | number>; dtype: 'float32'; meaning: string };
  opset: number;
  dynamic_batch: true;
  producer: string;
  test_accuracy: number | null;
  training: Record<string, unknown> | null;
}

/**
 * What to save: a `trainTeacher` result, or any exportable module with its input shape.
 *
 * @example
 * ```ts
 * await saveTeacher({ model, inputShape: [1, 28, 28] }, 'out/model.onnx');
 * ```
 */
export interface SavableTeacher {
  model: Module;
  inputShape: readonly number[];
  config?: ModelConfig;
  testAccuracy?: number | null;
  history?: readonly EpochSummary[];
}

/**
 * Options of {@link saveTeacher}.
 *
 * @example
 * ```ts
 * await saveTeacher(trained, 'out/lenet5-mnist-c6.onnx', { dataset: 'mnist', classes: [0, 1, 2, 3, 4, 5] });
 * ```
 */
export interface SaveTeacherOptions extends Partial<Omit<ExportOnnxOptions, 'inputShape'>> {
  /** Name in the manifest (default: the file name without `.onnx`). */
  name?: string;
  /** Dataset name recorded in the manifest. */
  dataset?: string;
  /** Original class ids of the logits (e.g. `data.classIds`). */
  classes?: readonly number[];
  classNames?: readonly string[];
  /** Training settings to record (epochs, lr, seed…). */
  training?: Record<string, unknown>;
}

/**
 * Where {@link saveTeacher} wrote, and what.
 *
 * @example
 * ```ts
 * const { onnxPath, manifestPath } = await saveTeacher(trained, 'out/lenet5.onnx');
 * ```
 */
export interface SavedTeacher {
  onnxPath: string;
  manifestPath: string;
  manifest: TeacherManifest;
}

function manifestPathFor(onnxPath: string): string {
  return join(dirname(onnxPath), `${basename(onnxPath, extname(onnxPath))}.json`);
}

/**
 * Exports a teacher to `onnxPath` (creating folders) and writes
 * `<name>.json` beside it: architecture and config, classes, input/output
 * names and shapes, opset, size and SHA-256, test accuracy and training
 * settings. Output files are deterministic (no timestamps).
 *
 * @throws E_INVALID_ARGUMENT for a path not ending in `.onnx`; export errors (E_UNSUPPORTED, E_SHAPE); E_DATA when the files cannot be written
 * @example
 * ```ts
 * import { trainTeacher } from 'qdistill';
 * import { saveTeacher } from 'qdistill/node';
 * const trained = await trainTeacher({ arch: { arch: 'lenet5' }, data: { train, test }, epochs: 15 });
 * await saveTeacher(trained, 'teachers/lenet5-mnist-c6.onnx', { dataset: 'mnist', classes: train.classIds });
 * ```
 */
export async function saveTeacher(teacher: SavableTeacher, onnxPath: string, options: SaveTeacherOptions = {}): Promise<SavedTeacher> {
  if (typeof onnxPath !== 'string' || extname(onnxPath).toLowerCase() !== '.onnx') {
    throw new QDistillError('E_INVALID_ARGUMENT', `saveTeacher: the path must end in .onnx, got ${JSON.stringify(onnxPath)}`);
  }
  const path = resolve(onnxPath);
  const name = options.name ?? basename(path, extname(path));
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'logits';
  const opsetVersion = options.opsetVersion ?? 13;
  const batchName = options.batchName ?? 'batch';
  const config = teacher.config ?? (teacher.model as { config?: ModelConfig }).config ?? null;
  const { bytes, outputShape } = await encodeOnnx(teacher.model, {
    ...options,
    inputShape: teacher.inputShape,
    inputName,
    outputName,
    opsetVersion,
    batchName,
    metadata: { ...(config ? { 'qdistill.config': JSON.stringify(config) } : {}), ...options.metadata },
  });
  const numClasses = outputShape.reduce((a, b) => a * b, 1);
  const manifest: TeacherManifest = {
    format_version: TEACHER_MANIFEST_VERSION,
    name,
    file: basename(path),
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    architecture: config?.arch ?? teacher.model.label,
    config,
    parameters: teacher.model.numParameters(),
    num_classes: numClasses,
    dataset: options.dataset ?? null,
    classes: options.classes ? [...options.classes] : null,
    class_names: options.classNames ? [...options.classNames] : null,
    input: { name: inputName, shape: [batchName, ...teacher.inputShape], dtype: 'float32', layout: teacher.inputShape.length === 3 ? 'NCHW' : 'flat' },
    output: { name: outputName, shape: [batchName, ...outputShape], dtype: 'float32', meaning: 'raw logits (no softmax)' },
    opset: opsetVersion,
    dynamic_batch: true,
    producer: 'qdistill 0.1.0',
    test_accuracy: teacher.testAccuracy ?? null,
    training: options.training ?? (teacher.history ? { epochs: teacher.history.length, history: teacher.history } : null),
  };
  const manifestPath = manifestPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  } catch (cause) {
    throw new QDistillError('E_DATA', `saveTeacher: cannot write ${path} (${(cause as Error).message})`, { cause });
  }
  return { onnxPath: path, manifestPath, manifest };
}

/**
 * Loads a teacher saved by {@link saveTeacher} (give the `.onnx` or the
 * `.json`): checks the file's size and SHA-256 against the manifest and
 * loads it with the manifest's names and class count.
 *
 * @throws E_DATA for a missing or invalid manifest; E_ONNX when the model file does not match its manifest or cannot be loaded
 * @example
 * ```ts
 * const { teacher, manifest } = await loadSavedTeacher('teachers/lenet5-mnist-c6.onnx');
 * ```
 */
export async function loadSavedTeacher(path: string, options: OnnxTeacherOptions = {}): Promise<{ teacher: OnnxTeacher; manifest: TeacherManifest }> {
  const absolute = resolve(path);
  const manifestPath = extname(absolute).toLowerCase() === '.json' ? absolute : manifestPathFor(absolute);
  let manifest: TeacherManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as TeacherManifest;
  } catch (cause) {
    throw new QDistillError('E_DATA', `loadSavedTeacher: cannot read the manifest ${manifestPath} (${(cause as Error).message})`, { cause });
  }
  if (manifest?.format_version !== TEACHER_MANIFEST_VERSION || typeof manifest.file !== 'string') {
    throw new QDistillError('E_DATA', `loadSavedTeacher: ${manifestPath} is not a teacher manifest of format ${TEACHER_MANIFEST_VERSION}`);
  }
  const onnxPath = join(dirname(manifestPath), manifest.file);
  const bytes = await readModelFile(onnxPath, `teacher ${manifest.name}`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== manifest.bytes || sha256 !== manifest.sha256) {
    throw new QDistillError('E_ONNX', `teacher ${manifest.name}: ${onnxPath} does not match its manifest (${bytes.length} bytes, sha256 ${sha256.slice(0, 12)}…; expected ${manifest.bytes} bytes, ${String(manifest.sha256).slice(0, 12)}…)`);
  }
  const teacher = await OnnxTeacher.load(bytes, {
    name: manifest.file,
    inputName: manifest.input?.name,
    outputName: manifest.output?.name,
    numClasses: manifest.num_classes,
    ...options,
  });
  return { teacher, manifest };
}
