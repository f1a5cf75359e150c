/**
 * A paper's exact protocol as one switch on a config (`protocol` in the
 * JSON). It rewrites the config to what the paper's public code runs, so the
 * rewritten config is inspectable and every field it sets is listed here.
 *
 * `paper-003-exact` (Hasan & Mahdy's notebooks, PROTOCOLS.md section B):
 * batch 1; 10 epochs of Adam(lr 1e-3); the student sampled with 5,000 shots
 * (configurable) and differentiated by parameter shift; the sigmoid +
 * concatenation head for the KD arm and the notebook's head for the baseline;
 * KD = 0.9·T²·KL(teacher‖student) + CE at T = 3 on the first C outputs; the
 * first 150 training images per class labelled, no transfer set, no
 * augmentation; the first 150 test images per class. What stays ours: the
 * epoch is selected on a validation split carved from the training split,
 * never on the test split, and the comparison is paired over seeds.
 */
import { QDistillError } from '../errors.js';
import type { Student003Config } from '../qnn/models/student-003.js';
import type { ArmName, KDExperimentConfig } from './config.js';
import { PAPER_003_KD } from './knowledge.js';

/**
 * The config a protocol runs (the config itself when it names none).
 *
 * @throws E_CONFIG if the protocol does not fit the config (e.g. paper-003-exact on another student)
 * @example
 * ```ts
 * const exact = applyProtocol({ ...config, protocol: { name: 'paper-003-exact' } });
 * exact.train.batchSize; // 1
 * ```
 */
export function applyProtocol(config: KDExperimentConfig): KDExperimentConfig {
  const protocol = config.protocol;
  if (!protocol) return config;
  if (protocol.name !== 'paper-003-exact') throw new QDistillError('E_CONFIG', `config protocol.name: unknown protocol ${JSON.stringify(protocol.name)}`);
  if (config.student.arch !== 'student-003') {
    throw new QDistillError('E_CONFIG', `config protocol: paper-003-exact runs paper 003's student (student.arch "student-003"), got "${config.student.arch}"`);
  }
  if (config.dataset.name === 'zxz') throw new QDistillError('E_CONFIG', 'config protocol: paper-003-exact needs image data (mnist or fashion-mnist)');
  const student: Student003Config = {
    ...config.student,
    shots: protocol.shots ?? 5000,
    diffMethod: 'parameter-shift',
    // E(θ + π/4) − E(θ − π/4), fresh shots per shifted run, no 1/(2 sin s) factor: √2 × the derivative plus shot noise.
    shiftRule: { shift: Math.PI / 4, factor: 'none' },
    head: 'sigmoid-concat',
  };
  const arms: ArmName[] = (config.arms ?? ['kd', 'baseline']).filter((a) => a === 'kd' || a === 'baseline');
  return {
    ...config,
    name: `${config.name ?? config.dataset.name} (paper-003-exact)`,
    dataset: { ...config.dataset, labelledPerClass: 150, selection: 'first', transfer: null, testPerClass: 150 },
    student,
    augment: [],
    kd: { ...PAPER_003_KD },
    train: { ...config.train, epochs: 10, batchSize: 1, optimizer: { type: 'adam', lr: 1e-3 }, labelledOnlyEpochs: 'same-epochs' },
    arms: arms.length ? arms : ['kd', 'baseline'],
    armStudent: { ...config.armStudent, baseline: { ...config.armStudent?.baseline, head: protocol.baselineHead ?? 'sigmoid-concat' } },
  };
}

/**
 * The student config of one arm: the config's student with the arm's
 * `armStudent` changes (paper-003-exact gives the baseline its notebook's head).
 */
export function armStudentConfig(config: KDExperimentConfig, arm: ArmName): KDExperimentConfig['student'] {
  const patch = config.armStudent?.[arm];
  return patch ? ({ ...config.student, ...patch } as KDExperimentConfig['student']) : config.student;
}
