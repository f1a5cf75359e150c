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

const lenet5Teacher = { type: 'train', arch: 'lenet5', epochs: 8, batchSize: 64, lr: 0.002, seed: 0, cache: true } as const;

// ------------------------------------------------------------- paper 002: ZXZ phases
const NOTES_002 =
  'Paper 002 (QNN -> QNN KD) on quantum data: ground states of the 7-qubit ZXZ chain (h1 uniform in [0, 2], h2 = 0, J = 1) labelled by ' +
  'their phase. Teacher: a 7-qubit hardware-efficient QNN (2 layers, <Z> on the first and last wire + a 2->2 linear head) trained by ' +
  'qdistill on the states. Chosen here (the paper text omits the values): T = 2, 0.5 KD + 0.5 CE with T^2, Adam lr 0.05, 13 epochs. ' +
  'Selection on 64 validation states; 5 paired seeds. The same as experiments/paper-002/';

const zxzQnn = (numQubits: number, layers: number) => ({
  arch: 'qnn-classifier' as const,
  numClasses: 2,
  numQubits,
  encoder: { type: 'StateInput' as const },
  ansatz: { type: 'HardwareEfficient' as const, layers },
  measurements: [{ type: 'expvalZ' as const, wires: [0, numQubits - 1] }],
  head: true,
});

const zxzPreset = (name: string, student: ReturnType<typeof zxzQnn>, compress?: KDExperimentConfig['compress']): KDExperimentConfig => ({
  name,
  notes: `${NOTES_002}${name}.json.`,
  dataset: { name: 'zxz', numQubits: 7, train: 320, validation: 64, test: 128, h1: [0, 2], h2: 0, seed: 1 },
  teacher: { type: 'model', model: zxzQnn(7, 2), epochs: 20, batchSize: 64, optimizer: { type: 'adam', lr: 0.05 }, seed: 100 },
  student,
  ...(compress ? { compress } : {}),
  kd: { temperature: 2, kdWeight: 0.5, ceWeight: 0.5, tSquared: true },
  train: { epochs: 13, batchSize: 64, optimizer: { type: 'adam', lr: 0.05 }, seeds: [0, 1, 2, 3, 4] },
  arms: ['kd', 'baseline'],
});

// ------------------------------------------------------------- paper 003: its table's rows
type Dataset003 = 'mnist' | 'fashion-mnist';
type Teacher003 = 'lenet' | 'alexnet' | 'ensemble';

const NOTES_003 =
  "Paper 003 (classical -> quantum KD), Tables 1-2, protocol (i): the paper's student and heads as its code builds them (CNN -> " +
  'pi*tanh angles -> H + RY -> basis-state probabilities -> sigmoid+concat, 2^(n+1) logits), simulated exactly, batch 32; the first 150 ' +
  'training images per class labelled, T = 3, 0.9 T^2 KL(teacher||student) + 1 CE, Adam lr 1e-3, 10 epochs. Ours: selection on a ' +
  'validation split (the last 100 training images per class), 5 paired seeds, teachers trained and cached by qdistill (AlexNet with ' +
  "128-unit FC layers; the ensemble averages the two teachers' logits). --protocol paper-003-exact runs its notebooks as they are. " +
  'The same as experiments/paper-003/003-paper-';

function teacher003(dataset: Dataset003, teacher: Teacher003): NonNullable<KDExperimentConfig['teacher']> {
  const alexnet = { type: 'train', arch: 'alexnet-mini', fcWidths: 128, epochs: dataset === 'mnist' ? 3 : 2, batchSize: 64, lr: 0.001, seed: 0, cache: true } as const;
  if (teacher === 'lenet') return { ...lenet5Teacher };
  if (teacher === 'alexnet') return alexnet;
  return { type: 'ensemble', members: [alexnet, { ...lenet5Teacher }], combine: 'logits' };
}

function paper003(dataset: Dataset003, numClasses: 6 | 8, numQubits: 3 | 4, teacher: Teacher003): KDExperimentConfig {
  const row = `${dataset}-c${numClasses}-q${numQubits}-${teacher}`;
  return {
    name: `003-paper-${row}`,
    notes: `${NOTES_003}${row}.json.`,
    dataset: { name: dataset, classes: Array.from({ length: numClasses }, (_, i) => i), labelledPerClass: 150, selection: 'first', validation: { perClass: 100 } },
    teacher: teacher003(dataset, teacher),
    student: { arch: 'student-003', numClasses, numQubits, head: 'sigmoid-concat' },
    // the paper's baselines: softmax of the probabilities for Fashion-MNIST on 3 qubits, its KD head otherwise
    armStudent: { baseline: { head: dataset === 'fashion-mnist' && numQubits === 3 ? 'softmax' : 'sigmoid-concat' } },
    kd: { temperature: 3, kdWeight: 0.9, ceWeight: 1, tSquared: true, direction: 'teacher||student', tempering: 'outcomes' },
    train: { epochs: 10, batchSize: 32, optimizer: { type: 'adam', lr: 0.001 }, seeds: [0, 1, 2, 3, 4] },
    arms: ['kd', 'baseline'],
  };
}

const TEACHER_NAMES: Record<Teacher003, string> = { lenet: 'LeNet-5', alexnet: 'AlexNet-mini', ensemble: 'LeNet-5 + AlexNet-mini ensemble' };
const PAPER_003: Record<string, KDPreset> = {};
for (const dataset of ['mnist', 'fashion-mnist'] as const) {
  for (const [numClasses, numQubits] of [[6, 3], [8, 3], [8, 4]] as const) {
    for (const teacher of ['lenet', 'alexnet', 'ensemble'] as const) {
      PAPER_003[`paper-003-${dataset}-c${numClasses}-q${numQubits}-${teacher}`] = {
        summary:
          `paper 003's row: ${dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST'} ${numClasses} classes, ${TEACHER_NAMES[teacher]} teacher -> ` +
          `its ${numQubits}-qubit student (exact), 150 labels/class, KD vs no KD, 5 paired seeds`,
        config: paper003(dataset, numClasses, numQubits, teacher),
      };
    }
  }
}

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
  'fashion-mnist-0-5': {
    summary: 'the main job on Fashion-MNIST 0-5: LeNet-5 teacher -> 6-qubit quantum student (no classical layer), 150 labels/class + 1000/class transfer, 5 paired seeds',
    config: {
      name: 'fashion-mnist-0-5',
      notes:
        'The main job (mnist-0-5) on Fashion-MNIST classes 0-5: the same 6-qubit amplitude-embedded student (8x8 area-downsampled image, ' +
        '32 StronglyEntanglingLayers, <Z_i> times a trainable scale as the logits), T = 1 and alpha = 0.9 as chosen on MNIST validation ' +
        '(not re-tuned here). Teacher: qdistill LeNet-5 trained on the Fashion-MNIST 0-5 training pool outside validation (cached). ' +
        '150 labelled images per class, a transfer set of the next 1000 per class (labels never read), the last 100 per class for validation. ' +
        'The same as experiments/paper-003/003-quantum-fashion-mnist-c6-lenet.json without its kd-labelled arm.',
      dataset: { name: 'fashion-mnist', classes: [0, 1, 2, 3, 4, 5], labelledPerClass: 150, selection: 'first', validation: { perClass: 100 }, transfer: { perClass: 1000 } },
      teacher: { ...lenet5Teacher },
      student: quantumStudent(6, 32),
      transform: [{ type: 'resize', height: 8, width: 8, method: 'area' }, { type: 'flatten' }],
      kd: { temperature: 1, alpha: 0.9 },
      train: { epochs: 15, batchSize: 32, optimizer: { type: 'adam', lr: 0.005 }, seeds: [0, 1, 2, 3, 4] },
      arms: ['kd', 'baseline', 'pseudo-labels'],
    },
  },
  'zxz-phases': {
    summary: 'paper 002 on quantum data: ZXZ-chain phases, 7-qubit QNN teacher (2 layers) -> 7-qubit 1-layer QNN student, KD vs no KD, 5 paired seeds (seconds per run)',
    config: zxzPreset('002-zxz-q7-student-7x1', zxzQnn(7, 1)),
  },
  'zxz-phases-qae': {
    summary: 'paper 002: ZXZ phases compressed by a quantum autoencoder to 2 qubits, 7-qubit teacher -> 2-qubit student, KD vs no KD, 5 paired seeds',
    config: zxzPreset('002-zxz-q7-student-2x2-qae', zxzQnn(2, 2), { type: 'qae', latentQubits: 2, layers: 4, steps: 300, lr: 0.05, seed: 0 }),
  },
  ...PAPER_003,
};
