/**
 * Built-in experiment configs, runnable with `qdistill kd --preset <name>`.
 * Every value chosen by measurement was chosen on the validation split (the
 * sweep that chose it is in `notes`); the test split was read to report only.
 */
import { fileURLToPath } from 'node:url';
import type { KDExperimentConfig } from '../index.js';

/** Where `npm run build` puts the web studio's bundled teachers (the package root is two folders up from sdk/cli and dist/cli). */
const STUDIO_TEACHERS = fileURLToPath(new URL('../../dist/browser/studio/teachers/', import.meta.url));

/** One preset: a line for `qdistill presets` and the config. */
export interface KDPreset {
  /** One line for `qdistill presets`. */
  summary: string;
  config: KDExperimentConfig;
}

const quantumStudent = (numClasses: number, layers: number): KDExperimentConfig['student'] => ({
  arch: 'qnn-classifier',
  numClasses,
  numQubits: 6,
  encoder: { type: 'AmplitudeEmbedding', numFeatures: 64 },
  ansatz: { type: 'StronglyEntanglingLayers', layers },
  measurements: [{ type: 'expvalZ' }],
  head: false,
  outputScale: { init: 10, trainable: true },
});

export const KD_PRESETS: Record<string, KDPreset> = {
  'mnist-0-5': {
    summary: 'the main job: LeNet-5 teacher -> 6-qubit quantum student (no classical layer) on MNIST 0-5, 150 labels/class + transfer set, 5 paired seeds',
    config: {
      name: 'mnist-0-5',
      notes:
        'Main job. Teacher: qdistill LeNet-5 trained on the MNIST 0-5 training pool (validation split excluded; cached). ' +
        'Student: a genuinely quantum classifier: the 8x8 area-downsampled image amplitude-embedded on 6 qubits, ' +
        '32 StronglyEntanglingLayers, <Z_i> times a trainable scale (init 10) as the 6 logits; no classical layer. ' +
        '150 labelled images per class (paper 003\'s count, its first 150); the rest of the training split (labels never read) is ' +
        'the transfer set; 80 images per class are held out for validation. T and alpha were chosen on validation ' +
        '(`qdistill kd --preset mnist-0-5 --seeds 0,1,2 --set kd.temperature=1,2,4 --set kd.alpha=0.5,0.9`: T = 1, alpha = 0.9 ' +
        'was best; validation accuracy of the KD arm over 3 seeds, alpha 0.5/0.9: T=1 95.4/96.0, T=2 95.7/95.6, T=4 95.5/95.1). ' +
        'experiments/RESULTS.md has the same job at 10/20/50/150 labels per class. ' +
        'The no-KD arm trains for as many optimiser steps as the KD arm (many short epochs) and is selected on validation as often.',
      dataset: { name: 'mnist', classes: [0, 1, 2, 3, 4, 5], labelledPerClass: 150, selection: 'first', transfer: 'rest', validation: { perClass: 80 } },
      teacher: { type: 'train', arch: 'lenet5', epochs: 8, batchSize: 64, lr: 0.002, seed: 0, cache: true },
      student: quantumStudent(6, 32),
      transform: [{ type: 'resize', height: 8, width: 8, method: 'area' }, { type: 'flatten' }],
      kd: { temperature: 1, alpha: 0.9 },
      train: { epochs: 15, batchSize: 32, optimizer: { type: 'adam', lr: 0.005 }, seeds: [0, 1, 2, 3, 4] },
    },
  },
  'web-mnist-0-5': {
    summary: 'the web studio\'s quick job (seconds): bundled LeNet-5 ONNX teacher -> 6-qubit student, 4 layers, on MNIST 0-5 with 20 labels/class + 100/class transfer; same historyHash as the studio (needs npm run build)',
    config: {
      name: 'web-mnist-0-5',
      notes:
        'The studio\'s default run (demos/studio), small enough for a browser tab: the student is the main job\'s 6-qubit amplitude-embedded ' +
        'classifier with 4 StronglyEntanglingLayers instead of 32; 20 labelled images per class, a transfer set of the next 100 per class, ' +
        'the last 30 per class for validation, the first 100 test images per class. The teacher is the LeNet-5 that `npm run build` trains ' +
        '(scripts/build-studio.mjs) and exports to ONNX; it is run by onnxruntime-web here and in the page, which give the same logits, and ' +
        'the training itself is bit-identical, so `historyHash` in the last JSON line equals the studio\'s for the same seed.',
      dataset: { name: 'mnist', classes: [0, 1, 2, 3, 4, 5], labelledPerClass: 20, selection: 'first', transfer: { perClass: 100 }, validation: { perClass: 30 }, testPerClass: 100 },
      teacher: { type: 'onnx', path: `${STUDIO_TEACHERS}lenet5-mnist-0-5.onnx` },
      student: quantumStudent(6, 4),
      transform: [{ type: 'resize', height: 8, width: 8, method: 'area' }, { type: 'flatten' }],
      kd: { temperature: 2, alpha: 0.9 },
      train: { epochs: 5, batchSize: 16, optimizer: { type: 'adam', lr: 0.02 }, seeds: [0] },
      arms: ['kd', 'baseline'],
    },
  },
};
