/**
 * Weight initialisers (PyTorch's `torch.nn.init` semantics), all drawing
 * from a seeded {@link Random}. They fill a tensor in place and return it.
 *
 * Layers without an explicit `rng`/`seed` draw from a process-wide default
 * generator, seeded 0 at start and reset by {@link manualSeed} — like
 * `torch.manual_seed`: the same construction order gives the same weights.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { Random } from '../util/random.js';
import type { Tensor } from './tensor.js';

let defaultRng = new Random(0);

/**
 * Re-seeds the default generator used by layers built without `rng`/`seed`.
 *
 * @example
 * ```ts
 * manualSeed(42);
 * const a = new Linear(4, 2); // same weights on every run
 * ```
 */
export function manualSeed(seed: number): void {
  defaultRng = new Random(seed);
}

/**
 * The default generator (see {@link manualSeed}).
 *
 * @example
 * ```ts
 * const rng = defaultRandom();
 * ```
 */
export function defaultRandom(): Random {
  return defaultRng;
}

/**
 * Resolves a layer's generator: `rng` if given, else a new one from `seed`, else the default.
 *
 * @example
 * ```ts
 * const rng = resolveRandom({ seed: 3 });
 * ```
 */
export function resolveRandom(options: { rng?: Random | undefined; seed?: number | undefined }): Random {
  if (options.rng) return options.rng;
  if (options.seed !== undefined) return new Random(options.seed);
  return defaultRng;
}

/** A nonlinearity name for {@link calculateGain}. */
export type Nonlinearity = 'linear' | 'conv' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu';

/**
 * PyTorch's recommended gain: 1 (linear, conv, sigmoid), 5/3 (tanh), √2 (relu), √(2/(1+a²)) (leaky_relu with slope a).
 *
 * @example
 * ```ts
 * calculateGain('relu'); // 1.414…
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param = 0.01): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
      return Math.sqrt(2 / (1 + param * param));
    default: {
      const never: never = nonlinearity;
      throw new QDistillError('E_INVALID_ARGUMENT', `calculateGain: unknown nonlinearity ${String(never)}`);
    }
  }
}

/**
 * fan_in and fan_out of a weight `[out, in, …kernel]`: in·∏kernel and out·∏kernel.
 *
 * @throws E_SHAPE for tensors of rank < 2
 * @example
 * ```ts
 * fans(zeros([6, 1, 5, 5])); // { fanIn: 25, fanOut: 150 }
 * ```
 */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.rank < 2) throw new QDistillError('E_SHAPE', `init: fan in/out needs a tensor of rank ≥ 2, got rank ${t.rank}`);
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/**
 * Fills with U(low, high).
 *
 * @example
 * ```ts
 * uniform_(w, rng, -0.1, 0.1);
 * ```
 */
export function uniform_(t: Tensor, rng: Random, low = 0, high = 1): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = rng.range(low, high);
  return t;
}

/**
 * Fills with N(mean, std²).
 *
 * @example
 * ```ts
 * normal_(w, rng, 0, 0.02);
 * ```
 */
export function normal_(t: Tensor, rng: Random, mean = 0, std = 1): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = mean + std * rng.normal();
  return t;
}

/**
 * Fills with a constant.
 *
 * @example
 * ```ts
 * constant_(gamma, 1);
 * ```
 */
export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

/**
 * Fills with zeros.
 *
 * @example
 * ```ts
 * zeros_(bias);
 * ```
 */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/**
 * Glorot/Xavier uniform: U(−b, b), b = gain·√(6/(fan_in + fan_out)).
 *
 * @example
 * ```ts
 * xavierUniform_(w, rng);
 * ```
 */
export function xavierUniform_(t: Tensor, rng: Random, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const b = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, rng, -b, b);
}

/**
 * Glorot/Xavier normal: N(0, σ²), σ = gain·√(2/(fan_in + fan_out)).
 *
 * @example
 * ```ts
 * xavierNormal_(w, rng);
 * ```
 */
export function xavierNormal_(t: Tensor, rng: Random, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal_(t, rng, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Options of the Kaiming initialisers. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (default 0). */
  a?: number;
  /** Preserve the variance of the forward (`fanIn`, default) or backward pass (`fanOut`). */
  mode?: 'fanIn' | 'fanOut';
  /** Default `leaky_relu` (with slope `a`), as PyTorch. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t);
  const fan = (options.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform: U(−b, b), b = gain·√(3/fan). PyTorch's default for
 * Linear and Conv weights is `{ a: √5 }`, which gives b = 1/√fan_in.
 *
 * @example
 * ```ts
 * kaimingUniform_(w, rng, { a: Math.sqrt(5) });
 * ```
 */
export function kaimingUniform_(t: Tensor, rng: Random, options: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd(t, options);
  return uniform_(t, rng, -b, b);
}

/**
 * He/Kaiming normal: N(0, σ²), σ = gain/√fan.
 *
 * @example
 * ```ts
 * kaimingNormal_(w, rng, { nonlinearity: 'relu' });
 * ```
 */
export function kaimingNormal_(t: Tensor, rng: Random, options: KaimingOptions = {}): Tensor {
  return normal_(t, rng, 0, kaimingStd(t, options));
}

/** How a Linear/Conv2d layer initialises its weight and bias. */
export type LayerInit =
  | 'default'
  | 'xavier-uniform'
  | 'xavier-normal'
  | 'kaiming-uniform'
  | 'kaiming-normal'
  | 'zeros'
  | ((weight: Tensor, bias: Tensor | null, rng: Random) => void);

/**
 * Initialises a Linear/Conv2d weight and bias.
 * `default` is PyTorch's: weight kaiming-uniform with a = √5 (U(±1/√fan_in)),
 * bias U(±1/√fan_in). `xavier-*` use gain 1, `kaiming-*` use the ReLU gain;
 * those and `zeros` set the bias to zero.
 *
 * @example
 * ```ts
 * initLayer('xavier-uniform', weight, bias, rng);
 * ```
 */
export function initLayer(kind: LayerInit, weight: Tensor, bias: Tensor | null, rng: Random): void {
  if (typeof kind === 'function') {
    kind(weight, bias, rng);
    return;
  }
  switch (kind) {
    case 'default': {
      kaimingUniform_(weight, rng, { a: Math.sqrt(5) });
      if (bias) {
        const { fanIn } = fans(weight);
        const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        uniform_(bias, rng, -b, b);
      }
      return;
    }
    case 'xavier-uniform':
      xavierUniform_(weight, rng);
      break;
    case 'xavier-normal':
      xavierNormal_(weight, rng);
      break;
    case 'kaiming-uniform':
      kaimingUniform_(weight, rng, { nonlinearity: 'relu' });
      break;
    case 'kaiming-normal':
      kaimingNormal_(weight, rng, { nonlinearity: 'relu' });
      break;
    case 'zeros':
      zeros_(weight);
      break;
    default: {
      const never: never = kind;
      throw new QDistillError('E_INVALID_ARGUMENT', `initLayer: unknown initialiser ${JSON.stringify(never)}`);
    }
  }
  if (bias) zeros_(bias);
}
