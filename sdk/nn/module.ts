/**
 * The module base class: parameters (named, ordered), buffers, children,
 * train/eval mode, flat parameter vectors and the functional form
 * `apply(params, x)`.
 *
 * @packageDocumentation
 */
import { LOGITS, type OutputSpec } from './outputs.js';
import { QDistillError } from '../errors.js';
import { cast, reshape, slice } from './ops/shape.js';
import { allocData, formatShape, Tensor, type DataLike, type DType, type TypedData } from './tensor.js';

/**
 * Maps a module's own parameter tensor to the tensor to compute with: the
 * identity for `forward`, a slice of the flat vector for `apply`.
 */
export type ParamResolver = (parameter: Tensor) => Tensor;

const identity: ParamResolver = (p) => p;

/**
 * A random generator a module draws from while it runs (dropout masks, shot
 * sampling): its state is part of the training state, like a buffer.
 * `Random` fits; so does any accessor pair.
 */
export interface GeneratorAccess {
  /** The generator's state (plain JSON, e.g. four uint32). */
  getState(): number[];
  /** Restores a state from {@link getState}. */
  setState(state: readonly number[]): void;
}

/**
 * Base class of every layer and model (PyTorch's `nn.Module` in spirit).
 *
 * Subclasses register parameters, buffers and children in their constructor
 * and implement {@link Module.forwardWith}, reading every parameter through
 * the resolver they are given. That single method serves both the stateful
 * `forward(x)` and the functional `apply(params, x)`, so the two agree by
 * construction.
 *
 * Parameter order (used by flat vectors, optimisers and checkpoints): a
 * module's own parameters in registration order, then each child's, in
 * registration order, depth first — PyTorch's `named_parameters()` order.
 *
 * @example
 * ```ts
 * class Affine extends Module {
 *   readonly label = 'Affine';
 *   constructor() { super(); this.registerParameter('w', tensor([2])); }
 *   forwardWith(x: Tensor, p: ParamResolver) { return mul(x, p(this.getParameter('w'))); }
 * }
 * ```
 */
export abstract class Module {
  /** Training mode (dropout active, batch-norm uses batch statistics). */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly childModules = new Map<string, Module>();
  private readonly ownGenerators = new Map<string, GeneratorAccess>();

  /** Human-readable name used in error messages, e.g. `Linear(400→120)`. */
  abstract readonly label: string;

  /**
   * What `forward` emits: logits (the default), Born probabilities over
   * measurement outcomes, or expectation values. Losses, accuracy and the
   * KD temperature read it (see `OutputSpec`).
   */
  get outputSpec(): OutputSpec {
    return LOGITS;
  }

  /**
   * Computes the output, reading every own parameter through `resolve` and
   * passing `resolve` on to children.
   */
  abstract forwardWith(x: Tensor, resolve: ParamResolver): Tensor;

  /**
   * The stateful forward pass with this module's own parameters.
   *
   * @example
   * ```ts
   * const logits = model.forward(images);
   * ```
   */
  forward(x: Tensor): Tensor {
    return this.forwardWith(x, identity);
  }

  /**
   * The functional form: the output with the parameters taken from a flat
   * vector `params` (length {@link numParameters}, in {@link namedParameters}
   * order) instead of the module's own. Gradients flow to `params` (and to
   * `x`) when they require them; the module's own parameters are not used.
   * Buffers (batch-norm running stats) and dropout generators are still the
   * module's, and update as in `forward`.
   *
   * @throws E_SHAPE if `params` does not hold exactly numParameters() values
   * @example
   * ```ts
   * const theta = tensor(model.getFlatParams(), { requiresGrad: true });
   * const loss = crossEntropy(model.apply(theta, x), labels);
   * loss.backward(); // theta.grad is ∇θ loss, flat
   * ```
   */
  apply(params: Tensor | DataLike, x: Tensor): Tensor {
    const list = this.namedParameters();
    const total = list.reduce((s, [, t]) => s + t.size, 0);
    let flat: Tensor;
    if (params instanceof Tensor) flat = params.rank === 1 ? params : reshape(params, [-1]);
    else {
      const d = allocData('float64', params.length);
      d.set(params);
      flat = new Tensor(d, [d.length]);
    }
    if (flat.size !== total) {
      throw new QDistillError(
        'E_SHAPE',
        `${this.label}.apply: expected a flat parameter vector of ${total} values, got ${flat.size} (shape ${formatShape(flat.shape)})`,
      );
    }
    const map = new Map<Tensor, Tensor>();
    let offset = 0;
    for (const [, p] of list) {
      const piece = reshape(slice(flat, 0, offset, offset + p.size), p.shape);
      map.set(p, cast(piece, p.dtype));
      offset += p.size;
    }
    return this.forwardWith(x, (p) => map.get(p) ?? p);
  }

  /** Registers (and returns) a trainable parameter; it becomes a leaf with `requiresGrad`. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.assertFreshName(name);
    t.requiresGrad = true;
    t.node = null;
    this.ownParams.set(name, t);
    return t;
  }

  /** Registers (and returns) a non-trainable state tensor saved in checkpoints (e.g. running stats). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.assertFreshName(name);
    this.ownBuffers.set(name, t);
    return t;
  }

  /** Registers (and returns) a child module. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.assertFreshName(name);
    this.childModules.set(name, m);
    return m;
  }

  /**
   * Registers a random generator the module draws from while running, so
   * checkpoints save and restore its state (see {@link generatorStates}).
   */
  protected registerGenerator(name: string, generator: GeneratorAccess): void {
    this.assertFreshName(name);
    this.ownGenerators.set(name, generator);
  }

  private assertFreshName(name: string): void {
    if (this.ownParams.has(name) || this.ownBuffers.has(name) || this.childModules.has(name) || this.ownGenerators.has(name)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${this.label}: "${name}" is already registered`);
    }
  }

  /** Replaces a registered tensor (used by {@link to}). */
  private replaceOwn(kind: 'param' | 'buffer', name: string, t: Tensor): void {
    (kind === 'param' ? this.ownParams : this.ownBuffers).set(name, t);
  }

  /** An own parameter by name (subclasses expose them through getters, so {@link to} can swap them). */
  protected getParameter(name: string): Tensor {
    const t = this.ownParams.get(name);
    if (!t) throw new QDistillError('E_INVALID_ARGUMENT', `${this.label}: no parameter "${name}"`);
    return t;
  }

  /** An own buffer by name. */
  protected getBuffer(name: string): Tensor {
    const t = this.ownBuffers.get(name);
    if (!t) throw new QDistillError('E_INVALID_ARGUMENT', `${this.label}: no buffer "${name}"`);
    return t;
  }

  /**
   * `[qualifiedName, tensor]` for every parameter, in the canonical order
   * (e.g. `"0.weight"`, `"0.bias"`, `"3.weight"`…).
   *
   * @example
   * ```ts
   * for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   * ```
   */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, t] of this.ownParams) out.push([prefix + n, t]);
    for (const [n, m] of this.childModules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /**
   * Every parameter tensor, in the canonical order.
   *
   * @example
   * ```ts
   * const opt = new Adam(model.parameters(), { lr: 1e-3 });
   * ```
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /**
   * `[qualifiedName, tensor]` for every buffer (running statistics…).
   *
   * @example
   * ```ts
   * model.namedBuffers(); // [["1.runningMean", …], …]
   * ```
   */
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, t] of this.ownBuffers) out.push([prefix + n, t]);
    for (const [n, m] of this.childModules) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /**
   * The state of every random generator of this module and its descendants
   * (dropout, shot sampling) by qualified name, in the canonical order: what a
   * resumed run needs besides parameters and buffers to draw the same numbers.
   *
   * @example
   * ```ts
   * const saved = model.generatorStates(); // { "2.rng": [4 uint32] }
   * model.loadGeneratorStates(saved);
   * ```
   */
  generatorStates(prefix = ''): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [n, g] of this.ownGenerators) out[prefix + n] = [...g.getState()];
    for (const [n, m] of this.childModules) Object.assign(out, m.generatorStates(`${prefix}${n}.`));
    return out;
  }

  /**
   * Restores generator states from {@link generatorStates}: the names must be
   * exactly this model's.
   *
   * @throws E_SHAPE naming a missing or unexpected generator; E_INVALID_ARGUMENT for a malformed state
   * @example
   * ```ts
   * model.loadGeneratorStates(other.generatorStates());
   * ```
   */
  loadGeneratorStates(states: Readonly<Record<string, readonly number[]>>): void {
    const targets = new Map<string, GeneratorAccess>();
    const collect = (m: Module, prefix: string): void => {
      for (const [n, g] of m.ownGenerators) targets.set(prefix + n, g);
      for (const [n, c] of m.childModules) collect(c, `${prefix}${n}.`);
    };
    collect(this, '');
    for (const name of Object.keys(states)) {
      if (!targets.has(name)) throw new QDistillError('E_SHAPE', `${this.label}.loadGeneratorStates: unexpected generator "${name}"`);
    }
    for (const name of targets.keys()) {
      if (!Object.hasOwn(states, name)) throw new QDistillError('E_SHAPE', `${this.label}.loadGeneratorStates: missing generator "${name}"`);
    }
    for (const [name, g] of targets) g.setState(states[name]!);
  }

  /**
   * Direct children with their names.
   *
   * @example
   * ```ts
   * for (const [name, child] of model.namedChildren()) console.log(name, child.label);
   * ```
   */
  namedChildren(): Array<[string, Module]> {
    return [...this.childModules];
  }

  /**
   * Sets training mode on this module and every descendant.
   *
   * @example
   * ```ts
   * model.train();
   * ```
   */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.childModules.values()) m.train(mode);
    return this;
  }

  /**
   * Evaluation mode (`train(false)`).
   *
   * @example
   * ```ts
   * model.eval();
   * ```
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Total number of trainable scalars.
   *
   * @example
   * ```ts
   * createModel({ arch: 'lenet-000', numClasses: 10 }).numParameters(); // 61706
   * ```
   */
  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /**
   * A copy of all parameters concatenated in canonical order, as float64
   * (lossless for float32 and float64 parameters alike).
   *
   * @example
   * ```ts
   * const theta0 = model.getFlatParams();
   * ```
   */
  getFlatParams(): Float64Array {
    const out = new Float64Array(this.numParameters());
    let o = 0;
    for (const p of this.parameters()) {
      out.set(p.data, o);
      o += p.size;
    }
    return out;
  }

  /**
   * Overwrites all parameters from a flat vector (canonical order).
   *
   * @throws E_SHAPE on a length mismatch
   * @example
   * ```ts
   * model.setFlatParams(theta);
   * ```
   */
  setFlatParams(flat: DataLike): void {
    const n = this.numParameters();
    if (flat.length !== n) {
      throw new QDistillError('E_SHAPE', `${this.label}.setFlatParams: expected ${n} values, got ${flat.length}`);
    }
    let o = 0;
    for (const p of this.parameters()) {
      for (let i = 0; i < p.size; i++) p.data[i] = flat[o + i]!;
      o += p.size;
    }
  }

  /**
   * All parameter gradients concatenated in canonical order (zeros where a
   * parameter has none), as float64.
   *
   * @example
   * ```ts
   * loss.backward();
   * const g = model.getFlatGrad();
   * ```
   */
  getFlatGrad(): Float64Array {
    const out = new Float64Array(this.numParameters());
    let o = 0;
    for (const p of this.parameters()) {
      if (p.gradData) out.set(p.gradData, o);
      o += p.size;
    }
    return out;
  }

  /**
   * Clears every parameter's gradient.
   *
   * @example
   * ```ts
   * model.zeroGrad();
   * ```
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /**
   * Copies of every parameter and buffer by qualified name.
   *
   * @example
   * ```ts
   * const state = model.stateDict();
   * ```
   */
  stateDict(): Map<string, { data: TypedData; shape: readonly number[] }> {
    const out = new Map<string, { data: TypedData; shape: readonly number[] }>();
    for (const [n, t] of [...this.namedParameters(), ...this.namedBuffers()]) out.set(n, { data: t.data.slice(), shape: t.shape });
    return out;
  }

  /**
   * Copies values into parameters and buffers by qualified name. Every
   * entry must exist with the same shape, and every parameter and buffer
   * must be given.
   *
   * @throws E_SHAPE naming the entry on a missing/unexpected name or a shape mismatch
   * @example
   * ```ts
   * model.loadStateDict(other.stateDict());
   * ```
   */
  loadStateDict(state: ReadonlyMap<string, { data: ArrayLike<number>; shape: readonly number[] }>): void {
    const targets = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    for (const name of state.keys()) {
      if (!targets.has(name)) throw new QDistillError('E_SHAPE', `${this.label}.loadStateDict: unexpected entry "${name}"`);
    }
    for (const [name, t] of targets) {
      const entry = state.get(name);
      if (!entry) throw new QDistillError('E_SHAPE', `${this.label}.loadStateDict: missing entry "${name}" ${formatShape(t.shape)}`);
      if (entry.shape.length !== t.rank || entry.shape.some((d, i) => d !== t.shape[i]) || entry.data.length !== t.size) {
        throw new QDistillError(
          'E_SHAPE',
          `${this.label}.loadStateDict: "${name}" has shape ${formatShape(entry.shape)}, the model expects ${formatShape(t.shape)}`,
        );
      }
    }
    for (const [name, t] of targets) t.data.set(state.get(name)!.data);
  }

  /**
   * Converts every parameter and buffer to `dtype` (new tensors; create
   * optimisers after this call).
   *
   * @example
   * ```ts
   * const model64 = createModel({ arch: 'mlp', inputSize: 4, hiddenSizes: [8], numClasses: 3 }).to('float64');
   * ```
   */
  to(dtype: DType): this {
    for (const [n, t] of [...this.ownParams]) {
      if (t.dtype === dtype) continue;
      const c = new Tensor(allocData(dtype, t.size), t.shape, true);
      c.data.set(t.data);
      this.replaceOwn('param', n, c);
    }
    for (const [n, t] of [...this.ownBuffers]) {
      if (t.dtype === dtype) continue;
      const c = new Tensor(allocData(dtype, t.size), t.shape);
      c.data.set(t.data);
      this.replaceOwn('buffer', n, c);
    }
    for (const m of this.childModules.values()) m.to(dtype);
    return this;
  }

  /** The label. */
  toString(): string {
    return this.label;
  }
}
