/**
 * External blocks: any batched computation with its own forward and
 * backward (the quantum `QNNLayer`, a simulator, another library) becomes a
 * differentiable op ({@link externalOp}) and an nn module
 * ({@link ExternalModule}) whose VJP flows into the classical graph.
 *
 * ## The contract (what a block implements)
 *
 * ```ts
 * interface ExternalBlock {
 *   numParams: number;              // length of the flat weight vector θ
 *   outputSize: number;             // features per sample out
 *   inputSize?: number;             // features per sample in (checked if given)
 *   forward(x, params, batchSize)   // x: Float64Array [batch·inputSize], params: Float64Array [numParams]
 *     → Float64Array | Float32Array // y: [batch·outputSize]
 *     | { y, backward(dy) }         // …or y with its own VJP closure
 *   backward?(dy)                   // VJP of the LAST forward call:
 *     → { dx?, dparams? }           // dx [batch·inputSize], dparams [numParams]
 * }
 * ```
 *
 * Everything crossing the boundary is a row-major `Float64Array` (inputs are
 * converted from float32 if needed; outputs may be float32 or float64 and are
 * converted to the input dtype). When a block is stateful (`backward` uses
 * what the last `forward` saw) and the graph called it more than once
 * before the backward sweep (central differences, unrolled steps, two uses
 * in one model), the op re-runs `forward` on its saved inputs before calling
 * `backward`, so every VJP is taken at the right point. Blocks that return
 * `{ y, backward }` from forward never need that.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import type { Random } from '../util/random.js';
import { resolveRandom } from './init.js';
import { Module, type ParamResolver } from './module.js';
import { allocData, formatShape, record, Tensor, type DType, type TypedData } from './tensor.js';

/** Gradients returned by an external block's backward. */
export interface ExternalGradients {
  /** ∂L/∂x, `[batch·inputSize]` (may be omitted when `needInputGrad` is false). */
  dx?: ArrayLike<number> | null;
  /** ∂L/∂θ summed over the batch, `[numParams]` (may be omitted when `needParamGrad` is false). */
  dparams?: ArrayLike<number> | null;
}

/** What the op tells `backward` it needs. */
export interface ExternalBackwardNeeds {
  needInputGrad: boolean;
  needParamGrad: boolean;
}

/** A forward result carrying its own VJP closure. */
export interface ExternalForwardResult {
  y: ArrayLike<number>;
  backward(dy: Float64Array, needs: ExternalBackwardNeeds): ExternalGradients;
}

/** A batched computation with a flat parameter vector and a VJP (e.g. `QNNLayer`). */
export interface ExternalBlock {
  /** Name used in error messages. */
  readonly name?: string;
  /** Length of the flat parameter vector. */
  readonly numParams: number;
  /** Output features per sample. */
  readonly outputSize: number;
  /** Input features per sample; checked against the input when given. */
  readonly inputSize?: number;
  /** Batched forward over `batchSize` rows of x. */
  forward(x: Float64Array, params: Float64Array, batchSize: number): ArrayLike<number> | ExternalForwardResult;
  /** VJP of the most recent `forward` (required unless forward returns `{ y, backward }`). */
  backward?(dy: Float64Array, needs: ExternalBackwardNeeds): ExternalGradients;
  /** Optional initial parameters (used by {@link ExternalModule} unless `init` is given). */
  initParams?(rng: Random): ArrayLike<number>;
}

const lastCall = new WeakMap<ExternalBlock, number>();
let callCounter = 0;

function toF64(data: TypedData): Float64Array {
  if (data instanceof Float64Array) return data.slice();
  const out = new Float64Array(data.length);
  out.set(data);
  return out;
}

function checkFiniteArray(where: string, what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new QDistillError('E_NAN', `${where}: ${what} holds ${values[i]} at index ${i}`);
    }
  }
}

/**
 * Applies an external block to x `[N, …]` (flattened to `[N, inputSize]`)
 * with parameters `params` (`[numParams]`, any shape of that size), giving
 * `[N, outputSize]` in x's dtype. Gradients flow to x and params.
 *
 * @throws E_SHAPE if x or params do not fit the block, or the block returns the wrong sizes
 * @throws E_NAN if the block returns NaN/±∞
 * @example
 * ```ts
 * const y = externalOp(qnnLayer, features, weights); // features [N, 4] → y [N, qnnLayer.outputSize]
 * ```
 */
export function externalOp(block: ExternalBlock, x: Tensor, params: Tensor, label?: string): Tensor {
  const where = label ?? block.name ?? 'external block';
  if (x.rank < 1) throw new QDistillError('E_SHAPE', `${where}: expected input [N, features], got a scalar`);
  const batch = x.shape[0]!;
  const inputSize = batch === 0 ? 0 : x.size / batch;
  if (block.inputSize !== undefined && inputSize !== block.inputSize) {
    throw new QDistillError('E_SHAPE', `${where}: expected input [N, ${block.inputSize}], got ${formatShape(x.shape)}`);
  }
  if (params.size !== block.numParams) {
    throw new QDistillError('E_SHAPE', `${where}: expected ${block.numParams} parameters, got ${params.size} (shape ${formatShape(params.shape)})`);
  }
  const xs = toF64(x.data);
  const ps = toF64(params.data);
  const token = ++callCounter;
  const result = block.forward(xs, ps, batch);
  lastCall.set(block, token);
  const closure = isForwardResult(result) ? result : null;
  const yData = closure ? closure.y : (result as ArrayLike<number>);
  if (yData.length !== batch * block.outputSize) {
    throw new QDistillError(
      'E_SHAPE',
      `${where}: forward returned ${yData.length} values for ${batch} rows × ${block.outputSize} outputs (${batch * block.outputSize} expected)`,
    );
  }
  checkFiniteArray(where, 'forward output', yData);
  const y = new Tensor(allocData(x.dtype, yData.length), [batch, block.outputSize]);
  y.data.set(yData);
  if (!closure && !block.backward) {
    // Forward-only block: fine for inference, an error only if a gradient is asked for.
    return record(where, [x, params], y, () => {
      throw new QDistillError('E_UNSUPPORTED', `${where}: this block has no backward (and its forward returned no { y, backward }); it cannot be differentiated`);
    });
  }
  return record(where, [x, params], y, (g, sink) => {
    const gx = sink(0);
    const gp = sink(1);
    const needs: ExternalBackwardNeeds = { needInputGrad: gx !== null, needParamGrad: gp !== null };
    const dy = toF64(g);
    if (!closure && lastCall.get(block) !== token) {
      // Another forward ran since ours: restore the block's state at our point.
      block.forward(xs, ps, batch);
      lastCall.set(block, token);
    }
    const grads = closure ? closure.backward(dy, needs) : block.backward!(dy, needs);
    accumulate(where, grads, gx, gp, x, params);
  });
}

function isForwardResult(r: ArrayLike<number> | ExternalForwardResult): r is ExternalForwardResult {
  return typeof (r as ExternalForwardResult).backward === 'function' && (r as ExternalForwardResult).y !== undefined;
}

function accumulate(where: string, grads: ExternalGradients, gx: TypedData | null, gp: TypedData | null, x: Tensor, params: Tensor): void {
  for (const [name, sinkData, got, t] of [
    ['dx', gx, grads.dx, x],
    ['dparams', gp, grads.dparams, params],
  ] as const) {
    if (!sinkData) continue;
    if (got === null || got === undefined) {
      throw new QDistillError('E_UNSUPPORTED', `${where}: backward returned no ${name}, but the graph needs it`);
    }
    if (got.length !== sinkData.length) {
      throw new QDistillError('E_SHAPE', `${where}: backward returned ${got.length} values for ${name}, expected ${sinkData.length} (shape ${formatShape(t.shape)})`);
    }
    checkFiniteArray(where, `backward ${name}`, got);
    for (let i = 0; i < sinkData.length; i++) sinkData[i]! += got[i]!;
  }
}

/** Options of {@link ExternalModule}. */
export interface ExternalModuleOptions {
  /** Generator for the default initial weights. */
  rng?: Random;
  /** Seed for a fresh generator. */
  seed?: number;
  /** Initial weights, or a function of the generator (default: `block.initParams`, else U[0, 2π) like PennyLane's TorchLayer). */
  init?: ArrayLike<number> | ((rng: Random) => ArrayLike<number>);
  /** dtype of the weight parameter (default float64: the block computes in float64 anyway). */
  dtype?: DType;
  /** Label in errors (default `block.name` or `External`). */
  label?: string;
}

/**
 * An nn module around an external block: one parameter `weight` of length
 * `numParams`; input `[N, …]` → output `[N, outputSize]`.
 *
 * @example
 * ```ts
 * const model = new Sequential(new Linear(16, 4), new Tanh(), new ExternalModule(qnnLayer), new Linear(qnnLayer.outputSize, 10));
 * ```
 */
export class ExternalModule extends Module {
  readonly label: string;
  readonly block: ExternalBlock;

  constructor(block: ExternalBlock, options: ExternalModuleOptions = {}) {
    super();
    this.block = block;
    this.label = options.label ?? block.name ?? 'External';
    if (!Number.isInteger(block.numParams) || block.numParams < 0 || !Number.isInteger(block.outputSize) || block.outputSize < 1) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `${this.label}: numParams must be an integer ≥ 0 and outputSize ≥ 1, got ${block.numParams} and ${block.outputSize}`,
      );
    }
    const rng = resolveRandom(options);
    let initial: ArrayLike<number>;
    if (typeof options.init === 'function') initial = options.init(rng);
    else if (options.init) initial = options.init;
    else if (block.initParams) initial = block.initParams(rng);
    else {
      const d = new Float64Array(block.numParams);
      for (let i = 0; i < d.length; i++) d[i] = rng.range(0, 2 * Math.PI);
      initial = d;
    }
    if (initial.length !== block.numParams) {
      throw new QDistillError('E_SHAPE', `${this.label}: initial weights have ${initial.length} values, the block needs ${block.numParams}`);
    }
    const w = new Tensor(allocData(options.dtype ?? 'float64', block.numParams), [block.numParams]);
    w.data.set(initial);
    this.registerParameter('weight', w);
  }

  /** The flat weight vector `[numParams]`. */
  get weight(): Tensor {
    return this.getParameter('weight');
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    return externalOp(this.block, x, p(this.weight), this.label);
  }
}
