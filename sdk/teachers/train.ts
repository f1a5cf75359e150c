/**
 * {@link trainTeacher}: trains a classical zoo model (the teachers' LeNet-5,
 * the papers' LeNets, AlexNet-mini, an MLP) with Adam and cross-entropy on a
 * dataset, and reports its test accuracy. The CLI wraps it; Node code saves
 * the result with `saveTeacher` from `sdk/teachers/node`.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import { batches } from '../data/select.js';
import { validateDataset, type Dataset } from '../data/dataset.js';
import { backendName, init } from '../nn/backend.js';
import { accuracy, crossEntropy } from '../nn/losses.js';
import { Adam } from '../nn/optim/adam.js';
import { noGrad, Tensor } from '../nn/tensor.js';
import { createModel, normalizeModelConfig, type ModelConfig, type ZooModel } from '../nn/zoo.js';

/**
 * Progress report of {@link trainTeacher}: after every batch, and after every epoch (with accuracies).
 *
 * @example
 * ```ts
 * await trainTeacher({ arch: { arch: 'lenet5' }, data: { train, test }, onProgress: (p: TrainProgress) => p.phase === 'epoch' && console.log(p.epoch, p.testAccuracy) });
 * ```
 */
export interface TrainProgress {
  phase: 'batch' | 'epoch';
  /** 1-based epoch. */
  epoch: number;
  epochs: number;
  /** 1-based step within the epoch. */
  step: number;
  stepsPerEpoch: number;
  /** `batch`: this batch's mean loss; `epoch`: the epoch's mean training loss. */
  loss: number;
  /** `epoch` only: accuracy on the training batches seen this epoch (in training mode). */
  trainAccuracy?: number;
  /** `epoch` only, with test data: accuracy on the test set (eval mode). */
  testAccuracy?: number;
  elapsedMs: number;
}

/**
 * One epoch of {@link TrainedTeacher.history}.
 *
 * @example
 * ```ts
 * const { history } = await trainTeacher(options);
 * history.at(-1); // { epoch: 15, loss: 0.05, trainAccuracy: 0.99, testAccuracy: 0.97 }
 * ```
 */
export interface EpochSummary {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number | null;
}

/**
 * Options of {@link trainTeacher}.
 *
 * @example
 * ```ts
 * const options: TrainTeacherOptions = { arch: { arch: 'lenet5' }, data: { train, test }, epochs: 15, batchSize: 64, lr: 1e-3, seed: 0 };
 * ```
 */
export interface TrainTeacherOptions {
  /**
   * Zoo config (`{ arch: 'lenet5' }`, …). Missing `numClasses`,
   * `inChannels`/`imageSize` (conv models) and `inputSize` (mlp) are taken
   * from the data; `seed` defaults to the run's seed.
   */
  arch: Partial<ModelConfig> & { arch: ModelConfig['arch'] };
  /** Training data and optional test data (same sample shape and classes). */
  data: { train: Dataset; test?: Dataset };
  /** Default 5. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam learning rate, default 1e-3. */
  lr?: number;
  /** Adam L2 weight decay, default 0. */
  weightDecay?: number;
  /** Seed of the initial weights (unless the config has one) and of the batch order. Default 0. */
  seed?: number;
  /** Called after every batch and every epoch. */
  onProgress?: (progress: TrainProgress) => void;
  /** Stops training between batches (throws `E_ABORTED`). */
  signal?: AbortSignal;
  /** Samples per forward pass when evaluating (default 512). */
  evalBatchSize?: number;
}

/**
 * What {@link trainTeacher} returns.
 *
 * @example
 * ```ts
 * const { model, testAccuracy, inputShape } = await trainTeacher(options);
 * const bytes = await exportOnnx(model, { inputShape });
 * ```
 */
export interface TrainedTeacher {
  /** The trained model, in eval mode. */
  model: ZooModel;
  /** Its normalised config (what a checkpoint or manifest stores). */
  config: ModelConfig;
  /** Accuracy on `data.test` after the last epoch (null without test data). */
  testAccuracy: number | null;
  /** Accuracy on the whole training set after the last epoch (eval mode). */
  trainAccuracy: number;
  history: EpochSummary[];
  /** Per-sample input shape of the model, e.g. `[1, 28, 28]` (for export). */
  inputShape: number[];
  elapsedMs: number;
}

function positive(value: unknown, what: string, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new QDistillError('E_CONFIG', `trainTeacher: ${what} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills the config's data-dependent fields from the data's shape and classes. */
function resolveConfig(arch: TrainTeacherOptions['arch'], train: Dataset, seed: number): { config: ModelConfig; inputShape: number[] } {
  if (typeof arch !== 'object' || arch === null) throw new QDistillError('E_CONFIG', `trainTeacher: arch must be a zoo config object, got ${JSON.stringify(arch)}`);
  const raw: Record<string, unknown> = { ...arch };
  raw.numClasses ??= train.numClasses;
  raw.seed ??= seed;
  const features = train.shape.reduce((a, b) => a * b, 1);
  if (raw.arch === 'mlp') raw.inputSize ??= features;
  else if (raw.inChannels === undefined || raw.imageSize === undefined) {
    const s = train.shape;
    if (s.length === 3 && s[1] === s[2]) {
      raw.inChannels ??= s[0];
      raw.imageSize ??= s[1];
    } else if (s.length === 2 && s[0] === s[1]) {
      raw.inChannels ??= 1;
      raw.imageSize ??= s[0];
    }
  }
  const config = normalizeModelConfig(raw);
  if (config.numClasses !== train.numClasses) {
    throw new QDistillError('E_CONFIG', `trainTeacher: the ${config.arch} config has numClasses ${config.numClasses} but the data has ${train.numClasses} classes`);
  }
  const inputShape = config.arch === 'mlp' ? [config.inputSize] : [config.inChannels!, config.imageSize!, config.imageSize!];
  const want = inputShape.reduce((a, b) => a * b, 1);
  if (want !== features) {
    throw new QDistillError(
      'E_SHAPE',
      `trainTeacher: the ${config.arch} model takes samples of [${inputShape.join(', ')}] (${want} values) but the data's samples are [${train.shape.join(', ')}] (${features} values)`,
    );
  }
  return { config, inputShape };
}

/** Accuracy of `model` (eval mode, no autodiff) on a dataset, in chunks. */
function evaluate(model: ZooModel, data: Dataset, inputShape: readonly number[], chunk: number): number {
  const wasTraining = model.training;
  model.eval();
  try {
    const F = inputShape.reduce((a, b) => a * b, 1);
    const n = data.y.length;
    let correct = 0;
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const x = new Tensor(data.x.slice(start * F, (start + count) * F), [count, ...inputShape]);
      const logits = noGrad(() => model.forward(x));
      correct += Math.round(accuracy(logits, data.y.subarray(start, start + count)) * count);
    }
    return n === 0 ? 0 : correct / n;
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Trains a zoo model with Adam on softmax cross-entropy, shuffling the
 * training set each epoch from `seed` (same seed → same model, everywhere),
 * and returns it (in eval mode) with its test accuracy. Initialises the nn
 * backend if needed.
 *
 * @throws E_CONFIG for a bad config or hyperparameter, or class counts that differ; E_SHAPE when the model's input does not match the data; E_DATA / E_NON_FINITE for invalid data; E_ABORTED when `signal` aborts; E_NAN if training diverges
 * @example
 * ```ts
 * const { train, test } = await loadMnist({ classes: [0, 1, 2, 3, 4, 5] });
 * const { model, testAccuracy } = await trainTeacher({
 *   arch: { arch: 'lenet5' }, data: { train, test }, epochs: 15, batchSize: 64, lr: 1e-3, seed: 0,
 *   onProgress: (p) => p.phase === 'epoch' && console.log(p.epoch, p.loss, p.testAccuracy),
 * });
 * ```
 */
export async function trainTeacher(options: TrainTeacherOptions): Promise<TrainedTeacher> {
  const started = Date.now();
  if (typeof options !== 'object' || options === null) throw new QDistillError('E_CONFIG', 'trainTeacher: expected an options object');
  const train = validateDataset(options.data?.train, 'trainTeacher data.train');
  const test = options.data.test === undefined ? undefined : validateDataset(options.data.test, 'trainTeacher data.test');
  if (test && (test.numClasses !== train.numClasses || test.shape.join(',') !== train.shape.join(','))) {
    throw new QDistillError(
      'E_DATA',
      `trainTeacher: test data ([${test.shape.join(', ')}], ${test.numClasses} classes) does not match the training data ([${train.shape.join(', ')}], ${train.numClasses} classes)`,
    );
  }
  if (train.y.length === 0) throw new QDistillError('E_DATA', 'trainTeacher: the training set is empty');
  const epochs = positive(options.epochs ?? 5, 'epochs', true);
  const batchSize = positive(options.batchSize ?? 64, 'batchSize', true);
  const lr = positive(options.lr ?? 1e-3, 'lr', false);
  const evalBatch = positive(options.evalBatchSize ?? 512, 'evalBatchSize', true);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new QDistillError('E_CONFIG', `trainTeacher: seed must be an integer, got ${JSON.stringify(options.seed)}`);
  const { config, inputShape } = resolveConfig(options.arch, train, seed);

  if (backendName() === undefined) await init();
  const model = createModel(config);
  model.train();
  const opt = new Adam(model, { lr, weightDecay: options.weightDecay ?? 0 });
  const stepsPerEpoch = Math.ceil(train.y.length / batchSize);
  const history: EpochSummary[] = [];
  const abortIfAsked = (): void => {
    if (options.signal?.aborted) throw new QDistillError('E_ABORTED', `trainTeacher: aborted during epoch ${history.length + 1}`, { cause: options.signal.reason });
  };

  for (let epoch = 0; epoch < epochs; epoch++) {
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let step = 0;
    for (const batch of batches(train, { batchSize, shuffle: true, seed, epoch })) {
      abortIfAsked();
      step++;
      const x = new Tensor(batch.x, [batch.size, ...inputShape]);
      const logits = model.forward(x);
      const loss = crossEntropy(logits, batch.y);
      const value = loss.item();
      if (!Number.isFinite(value)) {
        throw new QDistillError('E_NAN', `trainTeacher: the loss became ${value} at epoch ${epoch + 1}, step ${step}; lower the learning rate (lr = ${lr})`);
      }
      opt.zeroGrad();
      loss.backward();
      opt.step();
      lossSum += value * batch.size;
      correct += Math.round(accuracy(logits, batch.y) * batch.size);
      seen += batch.size;
      options.onProgress?.({ phase: 'batch', epoch: epoch + 1, epochs, step, stepsPerEpoch, loss: value, elapsedMs: Date.now() - started });
      // Yield to the event loop between batches (progress bars, abort signals).
      if (step % 16 === 0) await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    const testAccuracy = test ? evaluate(model, test, inputShape, evalBatch) : null;
    const summary: EpochSummary = { epoch: epoch + 1, loss: lossSum / seen, trainAccuracy: correct / seen, testAccuracy };
    history.push(summary);
    options.onProgress?.({
      phase: 'epoch',
      epoch: epoch + 1,
      epochs,
      step,
      stepsPerEpoch,
      loss: summary.loss,
      trainAccuracy: summary.trainAccuracy,
      ...(testAccuracy !== null ? { testAccuracy } : {}),
      elapsedMs: Date.now() - started,
    });
  }
  model.eval();
  return {
    model,
    config,
    testAccuracy: history[history.length - 1]!.testAccuracy,
    trainAccuracy: evaluate(model, train, inputShape, evalBatch),
    history,
    inputShape,
    elapsedMs: Date.now() - started,
  };
}
