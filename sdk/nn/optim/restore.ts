import { QDistillError } from '../../errors.js';
import { Adam, AdamW } from './adam.js';
import type { Optimizer, OptimizerState, OptimizerTarget } from './optimizer.js';
import { SGD } from './sgd.js';

/**
 * Rebuilds an optimiser of the stored kind and hyperparameters over
 * `target`, with its state (moments, step counts, lr) restored — e.g. from
 * `checkpoint.optimizer`.
 *
 * @throws E_CHECKPOINT for an unknown kind or a state that does not fit the target
 * @example
 * ```ts
 * const { model, checkpoint } = restoreModel(bytes);
 * const opt = restoreOptimizer(model, checkpoint.optimizer!);
 * ```
 */
export function restoreOptimizer(target: OptimizerTarget, state: OptimizerState): Optimizer {
  const o = state.options;
  const num = (k: string, def: number): number => (typeof o[k] === 'number' ? (o[k] as number) : def);
  let opt: Optimizer;
  switch (state.kind) {
    case 'sgd':
      opt = new SGD(target, {
        lr: state.lr,
        momentum: num('momentum', 0),
        dampening: num('dampening', 0),
        weightDecay: num('weightDecay', 0),
        nesterov: o.nesterov === true,
      });
      break;
    case 'adam':
    case 'adamw': {
      const options = { lr: state.lr, betas: [num('beta1', 0.9), num('beta2', 0.999)] as const, eps: num('eps', 1e-8), weightDecay: num('weightDecay', 0) };
      opt = state.kind === 'adam' ? new Adam(target, options) : new AdamW(target, options);
      break;
    }
    default:
      throw new QDistillError('E_CHECKPOINT', `restoreOptimizer: unknown optimizer kind ${JSON.stringify(state.kind)} (known: sgd, adam, adamw)`);
  }
  opt.loadStateDict(state);
  return opt;
}
