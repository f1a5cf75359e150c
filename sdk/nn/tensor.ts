/**
 * Tensors and the reverse-mode autodiff engine.
 *
 * A {@link Tensor} is a dense row-major array (`Float32Array` by default,
 * `Float64Array` on request) with a shape. Every differentiable op records a
 * node with its inputs and a vector-Jacobian product (VJP) closure defined
 * right next to its forward computation (see `ops.ts`): micrograd /
 * HIPS-autograd style, one definition per primitive. `loss.backward()` walks
 * the recorded graph in reverse topological order and accumulates gradients
 * into the leaves' `grad`.
 *
 * The graph is first order: VJPs run on plain arrays, they do not record new
 * nodes. Second-order quantities (Hessian-vector products, hypergradients
 * through unrolled training) are taken by central differences of first-order
 * gradients in `functional.ts`.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { Random } from '../util/random.js';

/** Element type of a tensor. `float32` (default, like PyTorch) or `float64` (gradient checks). */
export type DType = 'float32' | 'float64';

/** The typed array behind a tensor. */
export type TypedData = Float32Array | Float64Array;

/** Anything that can be turned into tensor data. */
export type DataLike = ArrayLike<number> | TypedData;

/**
 * Accumulator for one input's gradient inside a VJP: returns that input's
 * gradient buffer (zero-filled on first use, same dtype and size as the
 * input) to add into, or `null` when the input needs no gradient (skip the
 * work).
 */
export type GradSink = (inputIndex: number) => TypedData | null;

/** A recorded operation: its name, its inputs and its VJP. */
export interface GraphNode {
  /** Op name, for error messages and debugging (`conv2d`, `add`…). */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Adds (∂out/∂inputᵢ)ᵀ·g into `sink(i)` for every input i that wants it. */
  readonly vjp: (g: TypedData, sink: GradSink) => void;
}

let gradEnabled = true;

/**
 * Runs `body` without recording the autodiff graph (inference, optimiser
 * updates, evaluation loops). Nesting is fine.
 *
 * @example
 * ```ts
 * const logits = noGrad(() => model.forward(x));
 * ```
 */
export function noGrad<T>(body: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return body();
  } finally {
    gradEnabled = before;
  }
}

/**
 * True when ops record the graph (outside {@link noGrad}).
 *
 * @example
 * ```ts
 * isGradEnabled(); // true
 * noGrad(() => isGradEnabled()); // false
 * ```
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Allocates a zero-filled typed array of `dtype`.
 *
 * @example
 * ```ts
 * allocData('float64', 3); // Float64Array [0, 0, 0]
 * ```
 */
export function allocData(dtype: DType, length: number): TypedData {
  if (allocationLimit !== null) {
    allocationLimit.left -= length;
    if (allocationLimit.left < 0) {
      throw new QDistillError('E_OUT_OF_MEMORY', `${allocationLimit.where}: needs more than the ${allocationLimit.max} tensor elements allowed (a ${length}-element tensor was asked for)`);
    }
  }
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

let allocationLimit: { left: number; max: number; where: string } | null = null;

/**
 * Runs `body` (synchronous) allowing at most `maxElements` tensor elements to
 * be allocated by {@link allocData} in all: a model built from a config read
 * from a file cannot ask for gigabytes its file does not hold.
 *
 * @throws E_OUT_OF_MEMORY naming `where` when `body` asks for more
 * @example
 * ```ts
 * const model = withAllocationLimit(1e6, 'restoreModel', () => createModel(config));
 * ```
 */
export function withAllocationLimit<T>(maxElements: number, where: string, body: () => T): T {
  const saved = allocationLimit;
  allocationLimit = { left: maxElements, max: maxElements, where };
  try {
    return body();
  } finally {
    allocationLimit = saved;
  }
}

/**
 * The dtype of a typed array.
 *
 * @example
 * ```ts
 * dtypeOf(new Float64Array(2)); // 'float64'
 * ```
 */
export function dtypeOf(data: TypedData): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * Product of a shape's dimensions (1 for a scalar `[]`).
 *
 * @example
 * ```ts
 * shapeSize([2, 3, 4]); // 24
 * ```
 */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * `[2, 3]` → `"[2, 3]"`, for error messages.
 *
 * @example
 * ```ts
 * formatShape([8, 256]); // "[8, 256]"
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function validateShape(shape: readonly number[], where: string): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new QDistillError('E_SHAPE', `${where}: shape ${formatShape(shape)} must hold non-negative integers`);
    }
  }
}

/** Options for {@link tensor} and the creation helpers. */
export interface TensorOptions {
  /** `float32` (default) or `float64`. */
  dtype?: DType;
  /** Make this a leaf whose gradient `backward()` accumulates. */
  requiresGrad?: boolean;
}

/**
 * A dense row-major n-dimensional array with an optional autodiff record.
 *
 * Data is stored in a `Float32Array` or `Float64Array` in JavaScript memory;
 * heavy float32 kernels (matmul, conv2d, pooling) copy it into WebAssembly
 * memory per call. Tensors are treated as immutable by ops: an op never
 * writes into its inputs, so `reshape` may share data with its input.
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true, dtype: 'float64' });
 * const y = sum(mul(x, x));
 * y.backward();
 * x.grad!.toArray(); // [2, 4, 6, 8]
 * ```
 */
export class Tensor {
  /** Element data, row-major. Mutate only leaves, and only outside a live graph. */
  readonly data: TypedData;
  /** Dimensions, outermost first. `[]` is a scalar. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
  /** Whether gradients flow to this tensor. */
  requiresGrad: boolean;
  /** @internal the op that produced this tensor, if recorded. */
  node: GraphNode | null = null;
  /** @internal accumulated gradient data of a leaf. */
  gradData: TypedData | null = null;
  /** Optional label (parameters carry their qualified name). */
  name: string | undefined;

  /** @param data taken as is (not copied) @param shape must match `data.length` */
  constructor(data: TypedData, shape: readonly number[], requiresGrad = false) {
    validateShape(shape, 'Tensor');
    const size = shapeSize(shape);
    if (size !== data.length) {
      throw new QDistillError(
        'E_SHAPE',
        `Tensor: shape ${formatShape(shape)} holds ${size} elements but the data has ${data.length}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.requiresGrad = requiresGrad;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** True if produced by a recorded op (false for leaves). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The accumulated gradient of a leaf, as a tensor sharing its data (or `null`). */
  get grad(): Tensor | null {
    return this.gradData ? new Tensor(this.gradData, this.shape) : null;
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.gradData = null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new QDistillError('E_SHAPE', `Tensor.item: expected a one-element tensor, got shape ${formatShape(this.shape)}`);
    }
    return this.data[0]!;
  }

  /** A plain array copy of the data (flat, row-major). */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /** A tensor sharing this data, cut from the graph, with no gradient. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A deep copy (new data), cut from the graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, false);
  }

  /**
   * Reverse-mode sweep from this tensor. A scalar (one-element) tensor
   * seeds with 1; otherwise pass `seed` (the upstream gradient, same size).
   * Gradients accumulate into every leaf with `requiresGrad` (call
   * `zeroGrad()` / `optimizer.zeroGrad()` between steps).
   */
  backward(seed?: DataLike | Tensor): void {
    backward(this, seed);
  }

  /** `this.shape` as `"[2, 3]"`. */
  toString(): string {
    return `Tensor(${this.dtype}, ${formatShape(this.shape)})`;
  }
}

/**
 * Records `out` as produced by `op` from `inputs` with the given VJP (no-op
 * under {@link noGrad} or when no input requires a gradient). Returns `out`.
 * This is how every primitive in `ops/` joins the graph.
 *
 * @example
 * ```ts
 * const y = new Tensor(x.data.map((v) => 3 * v), x.shape);
 * return record('triple', [x], y, (g, sink) => {
 *   const gx = sink(0);
 *   if (gx) for (let i = 0; i < g.length; i++) gx[i] += 3 * g[i];
 * });
 * ```
 */
export function record(op: string, inputs: readonly Tensor[], out: Tensor, vjp: GraphNode['vjp']): Tensor {
  if (!gradEnabled) return out;
  let any = false;
  for (const t of inputs) {
    if (t.requiresGrad) {
      any = true;
      break;
    }
  }
  if (!any) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, vjp };
  return out;
}

/**
 * Runs the reverse sweep from `root`. See {@link Tensor.backward}.
 *
 * @throws E_SHAPE if the seed's length differs from the root's size
 * @throws E_INVALID_ARGUMENT if the root does not require a gradient
 * @example
 * ```ts
 * const w = tensor([1, 2], { requiresGrad: true });
 * backward(sum(mul(w, w)));
 * ```
 */
export function backward(root: Tensor, seed?: DataLike | Tensor): void {
  if (!root.requiresGrad) {
    throw new QDistillError(
      'E_INVALID_ARGUMENT',
      `backward: this ${root.toString()} does not require a gradient (no input had requiresGrad, or it was computed under noGrad)`,
    );
  }
  let seedData: TypedData;
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new QDistillError(
        'E_SHAPE',
        `backward: a non-scalar root ${formatShape(root.shape)} needs an explicit seed gradient of the same size`,
      );
    }
    seedData = allocData(root.dtype, 1);
    seedData[0] = 1;
  } else {
    const src = seed instanceof Tensor ? seed.data : seed;
    if (src.length !== root.size) {
      throw new QDistillError('E_SHAPE', `backward: seed has ${src.length} elements, the root ${formatShape(root.shape)} has ${root.size}`);
    }
    seedData = allocData(root.dtype, root.size);
    seedData.set(src);
  }

  // Topological order (iterative DFS over recorded nodes).
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node ? t.node.inputs : [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i]!;
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }

  const grads = new Map<Tensor, TypedData>();
  const bufferFor = (t: Tensor): TypedData => {
    if (t.node === null) {
      if (!t.gradData) t.gradData = allocData(t.dtype, t.size);
      return t.gradData;
    }
    let g = grads.get(t);
    if (!g) {
      g = allocData(t.dtype, t.size);
      grads.set(t, g);
    }
    return g;
  };
  if (root.node === null) {
    const g = bufferFor(root);
    for (let i = 0; i < g.length; i++) g[i]! += seedData[i]!;
    return;
  }
  grads.set(root, seedData);
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    const node = t.node;
    if (!node) continue;
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    node.vjp(g, (i) => {
      const input = node.inputs[i];
      if (!input || !input.requiresGrad) return null;
      return bufferFor(input);
    });
  }
}

// ---------------------------------------------------------------------------
// Creation helpers

function flattenNested(value: unknown, shape: number[], out: number[], depth: number, where: string): void {
  if (typeof value === 'number') {
    if (depth !== shape.length) throw new QDistillError('E_SHAPE', `${where}: ragged nested array`);
    out.push(value);
    return;
  }
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: expected numbers or nested arrays of numbers, got ${typeof value}`);
  }
  const arr = value as ArrayLike<unknown>;
  if (depth === shape.length) shape.push(arr.length);
  else if (shape[depth] !== arr.length) throw new QDistillError('E_SHAPE', `${where}: ragged nested array at depth ${depth}`);
  for (let i = 0; i < arr.length; i++) flattenNested(arr[i], shape, out, depth + 1, where);
}

/** A nested array of numbers (`number`, `number[]`, `number[][]`, …). */
export type NestedArray = number | ArrayLike<number> | readonly NestedArray[];

/**
 * Builds a tensor from a number, a (nested) array or a typed array, with an
 * optional explicit shape for flat data.
 *
 * @throws E_SHAPE on ragged arrays or a shape that does not match the data
 * @example
 * ```ts
 * tensor([[1, 2, 3], [4, 5, 6]]);              // float32 [2, 3]
 * tensor(new Float64Array(6), { dtype: 'float64' }, [2, 3]);
 * ```
 */
export function tensor(value: NestedArray | TypedData, options: TensorOptions = {}, shape?: readonly number[]): Tensor {
  const dtype = options.dtype ?? (value instanceof Float64Array ? 'float64' : 'float32');
  let data: TypedData;
  let dims: number[];
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    data = allocData(dtype, (value as TypedData).length);
    data.set(value as TypedData);
    dims = shape ? [...shape] : [data.length];
  } else {
    const flat: number[] = [];
    const inferred: number[] = [];
    flattenNested(value, inferred, flat, 0, 'tensor');
    data = allocData(dtype, flat.length);
    data.set(flat);
    dims = shape ? [...shape] : inferred;
  }
  return new Tensor(data, dims, options.requiresGrad ?? false);
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * zeros([2, 3], { dtype: 'float64' });
 * ```
 */
export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  validateShape(shape, 'zeros');
  return new Tensor(allocData(options.dtype ?? 'float32', shapeSize(shape)), shape, options.requiresGrad ?? false);
}

/**
 * A tensor filled with `value` (default 1).
 *
 * @example
 * ```ts
 * full([3], 0.5);
 * ```
 */
export function full(shape: readonly number[], value = 1, options: TensorOptions = {}): Tensor {
  const t = zeros(shape, options);
  t.data.fill(value);
  return t;
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * ones([4]);
 * ```
 */
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/**
 * Standard-normal samples from a seeded {@link Random}.
 *
 * @example
 * ```ts
 * randn([2, 3], new Random(0));
 * ```
 */
export function randn(shape: readonly number[], rng: Random, options: TensorOptions = {}): Tensor {
  const t = zeros(shape, options);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
  return t;
}

/**
 * Uniform samples in [low, high) from a seeded {@link Random}.
 *
 * @example
 * ```ts
 * rand([5], new Random(1), -1, 1);
 * ```
 */
export function rand(shape: readonly number[], rng: Random, low = 0, high = 1, options: TensorOptions = {}): Tensor {
  const t = zeros(shape, options);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.range(low, high);
  return t;
}

/**
 * Throws `E_INVALID_ARGUMENT` unless every tensor has the same dtype.
 *
 * @example
 * ```ts
 * assertSameDtype('add', [a, b]);
 * ```
 */
export function assertSameDtype(op: string, tensors: readonly Tensor[]): DType {
  const dtype = tensors[0]!.dtype;
  for (const t of tensors) {
    if (t.dtype !== dtype) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `${op}: inputs have different dtypes (${tensors.map((x) => x.dtype).join(', ')}); convert with cast(x, dtype) first`,
      );
    }
  }
  return dtype;
}
