/**
 * The generic external-function op: wrap any computation whose forward and
 * VJP you can write on plain arrays (a WebAssembly simulator, a closed-form
 * function, another library) so it joins the autodiff graph.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import { allocData, formatShape, record, Tensor, type DType, type TypedData } from '../tensor.js';

/** What a custom forward returns: a tensor, or data with its shape. */
export type CustomForwardResult = Tensor | { data: ArrayLike<number>; shape: readonly number[] };

/** Context handed to a custom VJP. */
export interface CustomVjpContext {
  /** The inputs' data, as given to forward. */
  readonly inputs: readonly TypedData[];
  /** The forward output's data. */
  readonly output: TypedData;
  /** Which inputs need a gradient (return `null` for the others). */
  readonly needsGrad: readonly boolean[];
}

/** A custom VJP: given the output gradient, the gradient of every input (or `null`). */
export type CustomVjp = (g: TypedData, context: CustomVjpContext) => ReadonlyArray<ArrayLike<number> | null | undefined>;

/** Options of {@link customOp}. */
export interface CustomOpOptions {
  /** Name in errors and in the graph (default `customOp`). */
  name?: string;
  /** Output dtype (default: the first input's). */
  dtype?: DType;
  /** Throw `E_NAN` if the forward output or a returned gradient holds NaN/±∞ (default true). */
  checkFinite?: boolean;
}

function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/**
 * Runs `forward` on the inputs' data and records `vjp` as its
 * vector-Jacobian product. The VJP must return, for each input, an array of
 * the input's size (or `null` if it has no gradient); the op adds them into
 * the graph's gradients.
 *
 * @throws E_SHAPE if forward's data does not match its shape, or a VJP array has the wrong length
 * @throws E_NAN if forward or the VJP produce NaN/±∞ (unless `checkFinite: false`)
 * @example
 * ```ts
 * // y = sin(x), defined outside the op library
 * const y = customOp([x], ([xd]) => ({ data: xd.map(Math.sin), shape: x.shape }),
 *   (g, { inputs: [xd] }) => [g.map((gi, i) => gi * Math.cos(xd[i]))], { name: 'sin' });
 * ```
 */
export function customOp(
  inputs: readonly Tensor[],
  forward: (inputs: readonly TypedData[]) => CustomForwardResult,
  vjp: CustomVjp,
  options: CustomOpOptions = {},
): Tensor {
  const name = options.name ?? 'customOp';
  const checkFinite = options.checkFinite ?? true;
  const datas = inputs.map((t) => t.data);
  const result = forward(datas);
  const dtype = options.dtype ?? inputs[0]?.dtype ?? 'float32';
  let out: Tensor;
  if (result instanceof Tensor) {
    out = result.dtype === dtype ? new Tensor(result.data, result.shape) : new Tensor(allocData(dtype, result.size), result.shape);
    if (result.dtype !== dtype) out.data.set(result.data);
  } else {
    const size = result.shape.reduce((p, d) => p * d, 1);
    if (size !== result.data.length) {
      throw new QDistillError(
        'E_SHAPE',
        `${name}: forward returned ${result.data.length} values for the declared output shape ${formatShape(result.shape)}`,
      );
    }
    const data = allocData(dtype, size);
    data.set(result.data);
    out = new Tensor(data, result.shape);
  }
  if (checkFinite) {
    const bad = firstNonFinite(out.data);
    if (bad >= 0) throw new QDistillError('E_NAN', `${name}: forward produced ${out.data[bad]} at output index ${bad}`);
  }
  const output = out.data;
  return record(name, inputs, out, (g, sink) => {
    const sinks = inputs.map((_, i) => sink(i));
    const grads = vjp(g, { inputs: datas, output, needsGrad: sinks.map((s) => s !== null) });
    sinks.forEach((gx, i) => {
      const gi = grads[i];
      if (!gx || gi === null || gi === undefined) return;
      if (gi.length !== gx.length) {
        throw new QDistillError(
          'E_SHAPE',
          `${name}: the VJP returned ${gi.length} values for input ${i} of shape ${formatShape(inputs[i]!.shape)} (${gx.length} expected)`,
        );
      }
      if (checkFinite) {
        const bad = firstNonFinite(gi);
        if (bad >= 0) throw new QDistillError('E_NAN', `${name}: the VJP produced ${gi[bad]} for input ${i} at index ${bad}`);
      }
      for (let k = 0; k < gx.length; k++) gx[k]! += gi[k]!;
    });
  });
}
