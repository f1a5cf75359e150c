/**
 * Hybrid quantum–classical models of the papers, built from nn modules and
 * {@link QNNModule}s, each constructible from a plain JSON config:
 *
 * - `quantum-lenet-000` (paper 000, {@link QuantumLeNet}),
 * - `student-003` (paper 003, {@link Student003}),
 * - `qnn-classifier`: encoder + ansatz + readout ({@link QNNClassifier}).
 *
 * Each model lives in its own file under `models/`; this module holds the
 * config union and the factory; hybrid-schema.ts the one schema of the configs.
 */
import { unreachable } from '../errors.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { init as initNN } from '../nn/backend.js';
import { validateHybridModelConfig } from './hybrid-schema.js';
import { HybridModel } from './models/hybrid-model.js';
import { QuantumLeNet, type QuantumLeNetConfig } from './models/quantum-lenet.js';
import { Student003, type Student003Config } from './models/student-003.js';
import { QNNClassifier, type OutputScaleConfig, type QNNClassifierConfig } from './models/qnn-classifier.js';

export { HybridModel, QuantumLeNet, Student003, QNNClassifier };
export type { QuantumLeNetConfig, Student003Config, QNNClassifierConfig, OutputScaleConfig };

/** Any hybrid model config. */
export type HybridModelConfig = QuantumLeNetConfig | Student003Config | QNNClassifierConfig;

/**
 * Builds a hybrid model from its JSON config (on a fresh engine unless a
 * kernel is given). The config is validated first by the same schema as a KD
 * experiment's student ({@link hybridModelSchema}).
 *
 * @throws E_CONFIG for a config the schema rejects: the path, the bad value and what is allowed
 * @example
 * ```ts
 * const model = await createHybridModel({ arch: 'student-003', numClasses: 6, numQubits: 3 });
 * const scores = model.forward(images); // [N, 6]
 * ```
 */
export async function createHybridModel(config: HybridModelConfig, options: { kernel?: Kernel } = {}): Promise<HybridModel> {
  validateHybridModelConfig(config);
  await initNN();
  const kernel = options.kernel ?? (await createKernel());
  switch (config.arch) {
    case 'quantum-lenet-000':
      return new QuantumLeNet(config, kernel);
    case 'student-003':
      return new Student003(config, kernel);
    case 'qnn-classifier':
      return new QNNClassifier(config, kernel);
    default:
      return unreachable(config, 'hybrid model arch');
  }
}
