/**
 * The tiny KD experiment the CLI suites run: MNIST 0/1, 10 labelled and 30
 * transfer images per class, a 1-epoch LeNet-5 teacher, a 4-qubit student on
 * 4×4 images, 3 epochs of batch 8 over 3 seeds (seconds per run).
 */
export const TINY_KD_CONFIG = {
  name: 'tiny',
  dataset: { name: 'mnist', classes: [0, 1], labelledPerClass: 10, transfer: { perClass: 30 }, validation: { perClass: 20 }, testPerClass: 30 },
  teacher: { type: 'train', arch: 'lenet5', epochs: 1, batchSize: 32, cache: false },
  student: {
    arch: 'qnn-classifier', numClasses: 2, numQubits: 4,
    encoder: { type: 'AmplitudeEmbedding', numFeatures: 16 }, ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
    measurements: [{ type: 'expvalZ', wires: [0, 1] }], head: false, outputScale: 5,
  },
  transform: [{ type: 'resize', height: 4, width: 4, method: 'area' }, { type: 'flatten' }],
  kd: { temperature: 2, kdWeight: 0.5, ceWeight: 0.5 },
  train: { epochs: 3, batchSize: 8, optimizer: { type: 'adam', lr: 0.05 }, seeds: [0, 1, 2] },
} as const;
