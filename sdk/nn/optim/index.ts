/**
 * Optimisers and learning-rate schedulers. Each works on a module, a list of
 * tensors, or a raw flat typed array (then `step(grad)` takes the gradient).
 *
 * @example
 * ```ts
 * import { optim } from 'qdistill';
 * const opt = new optim.Adam(model, { lr: 1e-3 });
 * const sched = new optim.StepLR(opt, { stepSize: 5, gamma: 0.5 });
 * ```
 *
 * @packageDocumentation
 */
export { Optimizer, type OptimizerState, type OptimizerTarget } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { CosineAnnealingLR, LRScheduler, StepLR } from './scheduler.js';
export { restoreOptimizer } from './restore.js';
