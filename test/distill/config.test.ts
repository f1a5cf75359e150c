// KD experiment configs: one zod schema, strict at every level; errors give
// the path, the bad value and what is allowed. Cross-field rules and the
// paper-003-exact protocol switch.
import { describe, expect, it } from 'vitest';
import { experimentArms, validateKDConfig } from '../../sdk/distill/config.js';
import { applyProtocol } from '../../sdk/distill/protocols.js';
import { KD_PRESETS } from '../../sdk/cli/presets.js';
import { expectQDistillErrorValue, thrownBy } from '../helpers/errors.js';

const base = () => structuredClone(KD_PRESETS['mnist-0-5']!.config) as unknown as Record<string, any>;
const errorFor = (mutate: (c: Record<string, any>) => void) => {
  const c = base();
  mutate(c);
  return thrownBy(() => validateKDConfig(c));
};

describe('validateKDConfig', () => {
  it('accepts every preset', () => {
    for (const preset of Object.values(KD_PRESETS)) expect(() => validateKDConfig(structuredClone(preset.config))).not.toThrow();
  });

  it('rejects unknown fields at every level, listing the allowed ones', () => {
    expectQDistillErrorValue(errorFor((c) => (c.learningRate = 1)), 'E_CONFIG', 'config: unknown field "learningRate" (allowed: $schema, name, notes, dataset');
    expectQDistillErrorValue(errorFor((c) => (c.student.layerz = 3)), 'E_CONFIG', 'config student: unknown field "layerz"');
    expectQDistillErrorValue(errorFor((c) => (c.student.ansatz.layerss = 3)), 'E_CONFIG', 'config student.ansatz: unknown field "layerss" (allowed: type, layers, ranges, imprimitive)');
    expectQDistillErrorValue(errorFor((c) => (c.train.optimizer.learningRate = 0.1)), 'E_CONFIG', 'config train.optimizer: unknown field "learningRate"');
    expectQDistillErrorValue(errorFor((c) => (c.transform[0].methd = 'area')), 'E_CONFIG', 'config transform[0]: unknown field "methd" (allowed: type, height, width, method)');
    expectQDistillErrorValue(errorFor((c) => (c.teacher.bogus = true)), 'E_CONFIG', 'config teacher: unknown field "bogus"');
  });

  it('names the path, the bad value and what is allowed', () => {
    expectQDistillErrorValue(errorFor((c) => (c.train.epochs = 0)), 'E_CONFIG', 'config train.epochs: expected a number > 0, got 0');
    expectQDistillErrorValue(errorFor((c) => (c.dataset.name = 'cifar')), 'E_CONFIG', 'config dataset.name: expected name to be one of "mnist", "fashion-mnist", "zxz", got "cifar"');
    expectQDistillErrorValue(errorFor((c) => (c.dataset.classes = [0])), 'E_CONFIG', 'config dataset.classes: expected at least 2 items, got [0]');
    expectQDistillErrorValue(errorFor((c) => (c.student.arch = 'resnet')), 'E_CONFIG', 'config student.arch: expected arch to be one of "quantum-lenet-000", "student-003", "qnn-classifier", got "resnet"');
    expectQDistillErrorValue(errorFor((c) => (c.teacher = { type: 'onnx' })), 'E_CONFIG', 'config teacher.path: missing (expected a string)');
    expectQDistillErrorValue(errorFor((c) => (c.kd.temperature = -1)), 'E_CONFIG', 'config kd.temperature: expected a number > 0, got -1');
    expectQDistillErrorValue(errorFor((c) => (c.train.optimizer.type = 'rmsprop')), 'E_CONFIG', 'config train.optimizer.type: expected type to be one of "adam", "sgd", got "rmsprop"');
    expectQDistillErrorValue(errorFor((c) => (c.kd = { alpha: 0.5, kdWeight: 1 })), 'E_CONFIG', 'config kd: give alpha or kdWeight/ceWeight, not both');
    expectQDistillErrorValue(errorFor((c) => (c.augment = [{ type: 'rotate', degrees: 90 }])), 'E_CONFIG', 'config augment[0].degrees: expected a number ≤ 45, got 90');
    expectQDistillErrorValue(errorFor((c) => (c.train.seeds = [1, 1])), 'E_CONFIG', 'config train.seeds: seeds must be distinct, got [1,1]');
  });

  it('checks fields against each other: classes, transfer without a teacher, pseudo-labels without a transfer set', () => {
    expectQDistillErrorValue(errorFor((c) => (c.student.numClasses = 4)), 'E_CONFIG', 'config student.numClasses: expected 6 (the number of classes of the dataset), got 4');
    expectQDistillErrorValue(errorFor((c) => (c.teacher = null)), 'E_CONFIG', 'config dataset.transfer: a transfer set needs a teacher');
    expectQDistillErrorValue(errorFor((c) => { c.dataset.transfer = null; c.arms = ['kd', 'pseudo-labels']; }), 'E_CONFIG', 'config arms: the pseudo-labels arm needs a transfer set');
    expectQDistillErrorValue(errorFor((c) => (c.protocol = { name: 'paper-003-exact' })), 'E_CONFIG', 'paper-003-exact runs paper 003\'s student');
  });

  it('defaults the arms: KD and no KD, plus pseudo-labels with a transfer set; no KD alone without a teacher', () => {
    const c = validateKDConfig(base());
    expect(experimentArms(c)).toEqual(['kd', 'baseline', 'pseudo-labels']);
    expect(experimentArms({ ...c, dataset: { ...c.dataset, transfer: null } } as typeof c)).toEqual(['kd', 'baseline']);
    expect(experimentArms({ ...c, teacher: null } as typeof c)).toEqual(['baseline']);
  });
});

describe('the paper-003-exact protocol', () => {
  it('rewrites a paper-003 row to what its notebooks run, and keeps validation selection', () => {
    const config = validateKDConfig({
      name: 'row', dataset: { name: 'mnist', classes: [0, 1, 2, 3, 4, 5], labelledPerClass: 150, transfer: 'rest' },
      teacher: { type: 'train', arch: 'lenet5' }, student: { arch: 'student-003', numClasses: 6, numQubits: 3 },
      train: { epochs: 3, batchSize: 32, seeds: [0, 1] }, arms: ['kd', 'baseline', 'pseudo-labels'],
      protocol: { name: 'paper-003-exact', baselineHead: 'softmax' },
    });
    const exact = applyProtocol(config);
    expect(exact.train).toMatchObject({ epochs: 10, batchSize: 1, optimizer: { type: 'adam', lr: 1e-3 }, seeds: [0, 1] });
    expect(exact.student).toMatchObject({ arch: 'student-003', shots: 5000, diffMethod: 'parameter-shift', head: 'sigmoid-concat', shiftRule: { shift: Math.PI / 4, factor: 'none' } });
    expect(exact.dataset).toMatchObject({ labelledPerClass: 150, selection: 'first', transfer: null, testPerClass: 150 });
    expect(exact.kd).toEqual({ temperature: 3, kdWeight: 0.9, ceWeight: 1, tSquared: true, direction: 'teacher||student' });
    expect(exact.arms).toEqual(['kd', 'baseline']);
    expect(exact.armStudent).toEqual({ baseline: { head: 'softmax' } });
    expect(applyProtocol({ ...config, protocol: undefined } as typeof config)).toEqual({ ...config, protocol: undefined });
  });
});

describe('student configs in the KD schema', () => {
  it("accepts the QNN layer's student features and rejects their misspellings", () => {
    const c = base();
    c.student.encoder = { type: 'AmplitudeEmbedding', numFeatures: 62, pad: 0, bias: 1, normFeature: 0.1 };
    c.student.measurements = [{ type: 'expvalZ' }, { type: 'expvalZZ', pairs: 'ring' }];
    c.student.head = true;
    expect(() => validateKDConfig(c)).not.toThrow();
    c.student.ansatz = { type: 'DataReuploading', numFeatures: 16, rotations: ['Y', 'Z'], repeats: 2, block: { type: 'StronglyEntanglingLayers', layers: 1 } };
    expect(() => validateKDConfig(c)).not.toThrow();
    c.student.ansatz.block.layerz = 1;
    expectQDistillErrorValue(thrownBy(() => validateKDConfig(c)), 'E_CONFIG', 'config student.ansatz.block: unknown field "layerz"');
    c.student.measurements = [{ type: 'expvalZZ', pairs: 'circle' }];
    delete c.student.ansatz.block.layerz;
    expectQDistillErrorValue(thrownBy(() => validateKDConfig(c)), 'E_CONFIG', 'config student.measurements[0].pairs');
  });
});
