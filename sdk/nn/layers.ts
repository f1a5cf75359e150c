/**
 * Layers: Linear, Conv2d, pooling, Flatten, Dropout, batch norm,
 * activations, Sequential, Lambda and Residual. Each validates its input and
 * names itself in errors (`Linear(400→120): expected input [N, 400], got [8, 256]`).
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import type { Random } from '../util/random.js';
import { initLayer, resolveRandom, type LayerInit } from './init.js';
import { Module, type ParamResolver } from './module.js';
import { add, relu, sigmoid, tanh } from './ops/elementwise.js';
import { linear } from './ops/linalg.js';
import { avgPool2d, conv2d, maxPool2d } from './ops/conv.js';
import { batchNorm, dropout } from './ops/regularize.js';
import { logSoftmax, softmax } from './ops/reduce.js';
import { flatten } from './ops/shape.js';
import { formatShape, ones, zeros, type DType, type Tensor } from './tensor.js';

/** Options shared by layers with weights. */
export interface LayerOptions {
  /** Generator for the initial weights (default: `seed`, else the process default, see `manualSeed`). */
  rng?: Random;
  /** Seed for a fresh generator (ignored when `rng` is given). */
  seed?: number;
  /** Parameter dtype (default float32). */
  dtype?: DType;
  /** Initialiser (default: PyTorch's kaiming-uniform a=√5, bias U(±1/√fan_in)). */
  init?: LayerInit;
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

function assertPositiveInt(where: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
}

/**
 * Fully connected layer y = x·Wᵀ + b, W `[out, in]`, b `[out]`; input `[N, in]`.
 *
 * @example
 * ```ts
 * const fc = new Linear(400, 120, { seed: 0 });
 * fc.forward(zeros([8, 400])).shape; // [8, 120]
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly label: string;
  private readonly hasBias: boolean;

  constructor(inFeatures: number, outFeatures: number, options: LayerOptions = {}) {
    super();
    assertPositiveInt('Linear', 'inFeatures', inFeatures);
    assertPositiveInt('Linear', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.label = `Linear(${inFeatures}→${outFeatures})`;
    const dtype = options.dtype ?? 'float32';
    const w = this.registerParameter('weight', zeros([outFeatures, inFeatures], { dtype }));
    this.hasBias = options.bias !== false;
    const b = this.hasBias ? this.registerParameter('bias', zeros([outFeatures], { dtype })) : null;
    initLayer(options.init ?? 'default', w, b, resolveRandom(options));
  }

  /** Weight `[out, in]`. */
  get weight(): Tensor {
    return this.getParameter('weight');
  }

  /** Bias `[out]`, or null. */
  get bias(): Tensor | null {
    return this.hasBias ? this.getParameter('bias') : null;
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new QDistillError('E_SHAPE', `${this.label}: expected input [N, ${this.inFeatures}], got ${formatShape(x.shape)}`);
    }
    const b = this.bias;
    return linear(x, p(this.weight), b ? p(b) : null, this.label);
  }
}

/** Options of {@link Conv2d}. */
export interface Conv2dLayerOptions extends LayerOptions {
  stride?: number;
  padding?: number;
}

/**
 * 2-D convolution over NCHW: weight `[out, in, k, k]`, bias `[out]`.
 *
 * @example
 * ```ts
 * const conv = new Conv2d(1, 6, 5, { padding: 2, seed: 0 });
 * conv.forward(zeros([8, 1, 28, 28])).shape; // [8, 6, 28, 28]
 * ```
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly label: string;
  private readonly hasBias: boolean;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv2dLayerOptions = {}) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    assertPositiveInt('Conv2d', 'inChannels', inChannels);
    assertPositiveInt('Conv2d', 'outChannels', outChannels);
    assertPositiveInt('Conv2d', 'kernelSize', kernelSize);
    assertPositiveInt('Conv2d', 'stride', this.stride);
    assertPositiveInt('Conv2d', 'padding', this.padding, 0);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    const extra = `${this.stride !== 1 ? `, stride ${this.stride}` : ''}${this.padding !== 0 ? `, padding ${this.padding}` : ''}`;
    this.label = `Conv2d(${inChannels}→${outChannels}, ${kernelSize}×${kernelSize}${extra})`;
    const dtype = options.dtype ?? 'float32';
    const w = this.registerParameter('weight', zeros([outChannels, inChannels, kernelSize, kernelSize], { dtype }));
    this.hasBias = options.bias !== false;
    const b = this.hasBias ? this.registerParameter('bias', zeros([outChannels], { dtype })) : null;
    initLayer(options.init ?? 'default', w, b, resolveRandom(options));
  }

  /** Weight `[out, in, k, k]`. */
  get weight(): Tensor {
    return this.getParameter('weight');
  }

  /** Bias `[out]`, or null. */
  get bias(): Tensor | null {
    return this.hasBias ? this.getParameter('bias') : null;
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new QDistillError('E_SHAPE', `${this.label}: expected input [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)}`);
    }
    const b = this.bias;
    return conv2d(x, p(this.weight), b ? p(b) : null, { stride: this.stride, padding: this.padding }, this.label);
  }
}

/** Shared by the pooling layers: a square window and a stride, both validated and named in the label. */
abstract class Pool2d extends Module {
  readonly label: string;
  constructor(
    name: 'AvgPool2d' | 'MaxPool2d',
    readonly kernelSize: number,
    readonly stride: number,
  ) {
    super();
    assertPositiveInt(name, 'kernelSize', kernelSize);
    assertPositiveInt(name, 'stride', stride);
    this.label = `${name}(${kernelSize}${stride !== kernelSize ? `, stride ${stride}` : ''})`;
  }
}

/**
 * Average pooling (square window, no padding, floor mode; stride defaults to the window).
 *
 * @example
 * ```ts
 * new AvgPool2d(2).forward(zeros([1, 6, 24, 24])).shape; // [1, 6, 12, 12]
 * ```
 */
export class AvgPool2d extends Pool2d {
  constructor(kernelSize: number, stride: number = kernelSize) {
    super('AvgPool2d', kernelSize, stride);
  }
  forwardWith(x: Tensor): Tensor {
    return avgPool2d(x, { kernelSize: this.kernelSize, stride: this.stride }, this.label);
  }
}

/**
 * Max pooling (square window, no padding, floor mode; stride defaults to the window).
 *
 * @example
 * ```ts
 * new MaxPool2d(2).forward(zeros([1, 6, 28, 28])).shape; // [1, 6, 14, 14]
 * ```
 */
export class MaxPool2d extends Pool2d {
  constructor(kernelSize: number, stride: number = kernelSize) {
    super('MaxPool2d', kernelSize, stride);
  }
  forwardWith(x: Tensor): Tensor {
    return maxPool2d(x, { kernelSize: this.kernelSize, stride: this.stride }, this.label);
  }
}

/**
 * Flattens dimensions `startDim..endDim` (default `[N, C, H, W]` → `[N, C·H·W]`).
 *
 * @example
 * ```ts
 * new Flatten().forward(zeros([2, 16, 5, 5])).shape; // [2, 400]
 * ```
 */
export class Flatten extends Module {
  readonly label = 'Flatten';
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forwardWith(x: Tensor): Tensor {
    if (x.rank <= this.startDim) {
      throw new QDistillError('E_SHAPE', `Flatten: expected input of rank > ${this.startDim}, got ${formatShape(x.shape)}`);
    }
    return flatten(x, this.startDim, this.endDim);
  }
}

/**
 * Inverted dropout with its own seeded generator; identity in eval mode.
 *
 * @example
 * ```ts
 * const drop = new Dropout(0.5, { seed: 1 });
 * drop.eval().forward(x); // x unchanged
 * ```
 */
export class Dropout extends Module {
  readonly label: string;
  private readonly rng: Random;
  constructor(
    readonly p = 0.5,
    options: { rng?: Random; seed?: number } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new QDistillError('E_INVALID_ARGUMENT', `Dropout: p must be in [0, 1), got ${p}`);
    this.label = `Dropout(${p})`;
    this.rng = options.rng ?? resolveRandom(options).fork();
    this.registerGenerator('rng', this.rng);
  }
  forwardWith(x: Tensor): Tensor {
    return dropout(x, this.p, this.rng, this.training);
  }
}

/** Options of the batch-norm layers. */
export interface BatchNormLayerOptions {
  eps?: number;
  momentum?: number;
  /** Learn γ and β (default true). */
  affine?: boolean;
  dtype?: DType;
}

abstract class BatchNormBase extends Module {
  readonly label: string;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  protected abstract readonly expectedRank: readonly number[];

  constructor(
    kind: string,
    readonly numFeatures: number,
    options: BatchNormLayerOptions,
  ) {
    super();
    assertPositiveInt(kind, 'numFeatures', numFeatures);
    this.label = `${kind}(${numFeatures})`;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.affine = options.affine ?? true;
    const dtype = options.dtype ?? 'float32';
    if (this.affine) {
      this.registerParameter('weight', ones([numFeatures], { dtype }));
      this.registerParameter('bias', zeros([numFeatures], { dtype }));
    }
    this.registerBuffer('runningMean', zeros([numFeatures], { dtype }));
    this.registerBuffer('runningVar', ones([numFeatures], { dtype }));
  }

  /** Running mean buffer. */
  get runningMean(): Tensor {
    return this.getBuffer('runningMean');
  }

  /** Running variance buffer. */
  get runningVar(): Tensor {
    return this.getBuffer('runningVar');
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    if (!this.expectedRank.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      const dims = this.expectedRank[0] === 4 ? `[N, ${this.numFeatures}, H, W]` : `[N, ${this.numFeatures}]`;
      throw new QDistillError('E_SHAPE', `${this.label}: expected input ${dims}, got ${formatShape(x.shape)}`);
    }
    return batchNorm(x, this.affine ? p(this.getParameter('weight')) : null, this.affine ? p(this.getParameter('bias')) : null, {
      training: this.training,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      momentum: this.momentum,
      eps: this.eps,
      where: this.label,
    });
  }
}

/**
 * Batch normalisation over the channels of `[N, C, H, W]`
 * (batch statistics in training, running statistics in eval).
 *
 * @example
 * ```ts
 * const bn = new BatchNorm2d(6);
 * bn.forward(x); // training: updates bn.runningMean / runningVar
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  protected readonly expectedRank = [4];
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }
}

/**
 * Batch normalisation over the features of `[N, C]` (or `[N, C, L]`).
 *
 * @example
 * ```ts
 * new BatchNorm1d(120).forward(zeros([8, 120]));
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  protected readonly expectedRank = [2, 3];
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }
}

/**
 * max(x, 0).
 *
 * @example
 * ```ts
 * new ReLU().forward(x);
 * ```
 */
export class ReLU extends Module {
  readonly label = 'ReLU';
  forwardWith(x: Tensor): Tensor {
    return relu(x);
  }
}

/**
 * tanh.
 *
 * @example
 * ```ts
 * new Tanh().forward(x);
 * ```
 */
export class Tanh extends Module {
  readonly label = 'Tanh';
  forwardWith(x: Tensor): Tensor {
    return tanh(x);
  }
}

/**
 * Logistic sigmoid.
 *
 * @example
 * ```ts
 * new Sigmoid().forward(x);
 * ```
 */
export class Sigmoid extends Module {
  readonly label = 'Sigmoid';
  forwardWith(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/**
 * softmax along `axis` (default last).
 *
 * @example
 * ```ts
 * new Softmax().forward(logits);
 * ```
 */
export class Softmax extends Module {
  readonly label = 'Softmax';
  constructor(readonly axis = -1) {
    super();
  }
  forwardWith(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
}

/**
 * log-softmax along `axis` (default last).
 *
 * @example
 * ```ts
 * new LogSoftmax().forward(logits);
 * ```
 */
export class LogSoftmax extends Module {
  readonly label = 'LogSoftmax';
  constructor(readonly axis = -1) {
    super();
  }
  forwardWith(x: Tensor): Tensor {
    return logSoftmax(x, this.axis);
  }
}

/**
 * Runs its children in order. Children are named `"0"`, `"1"`, … (so
 * parameters are `"0.weight"`, `"0.bias"`, …).
 *
 * @example
 * ```ts
 * const mlp = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
 * ```
 */
export class Sequential extends Module {
  readonly label: string = 'Sequential';
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => this.registerModule(String(i), m));
    this.layers = layers;
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    let h = x;
    for (const m of this.layers) h = m.forwardWith(h, p);
    return h;
  }
}

/**
 * A parameter-free module from a function of tensors (any composition of
 * differentiable ops).
 *
 * @example
 * ```ts
 * const scaleByTwo = new Lambda((x) => mul(x, 2), 'ScaleByTwo');
 * ```
 */
export class Lambda extends Module {
  constructor(
    private readonly fn: (x: Tensor) => Tensor,
    readonly label = 'Lambda',
  ) {
    super();
  }
  forwardWith(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/**
 * y = x + inner(x) (a residual connection around any module with equal input and output shapes).
 *
 * @example
 * ```ts
 * const block = new Residual(new Linear(16, 16));
 * ```
 */
export class Residual extends Module {
  readonly label: string;
  constructor(readonly inner: Module) {
    super();
    this.registerModule('inner', inner);
    this.label = `Residual(${inner.label})`;
  }
  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    const y = this.inner.forwardWith(x, p);
    if (y.rank !== x.rank || y.shape.some((d, i) => d !== x.shape[i])) {
      throw new QDistillError('E_SHAPE', `${this.label}: the inner module maps ${formatShape(x.shape)} to ${formatShape(y.shape)}; a residual needs equal shapes`);
    }
    return add(x, y);
  }
}
