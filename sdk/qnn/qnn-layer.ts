/**
 * The differentiable quantum layer. Its parts live beside it: the config
 * (qnn-config.ts), the readouts (readouts.ts), the gradient methods
 * (gradients.ts) and the engine binding (layer-engine.ts).
 *
 * @module
 */
import { QDistillError, assertAllFinite, unreachable } from '../errors.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { parallelRunner, runnerFor, splitRanges, type ParallelRunner, type ParallelTask } from '../kernel/parallel.js';
import { Random } from '../util/random.js';
import { amplitudeExtras, buildLayerCircuit, encoderInputs } from './ansatz.js';
import { adjointGradients, buildShiftRules, finiteDiffGradients, paramShiftGradients, toGradients, type GradientContext } from './gradients.js';
import { LayerEngine, type PassParams, type RawGradients, type ShotState } from './layer-engine.js';
import {
  backwardTasks, estimatePassMs, forwardTasks, sumSlotGradients, type LayerTaskContext, type QNNPass,
} from './layer-parallel.js';
import {
  DEFAULT_FINITE_DIFF_STEP, initWeights, validateConfig, type DiffMethod, type QNNGradients, type QNNLayerConfig,
} from './qnn-config.js';
import { compileReadouts, matricesArea, outputLabels, readoutSpectra, type CompiledReadouts } from './readouts.js';
import { checkRegisterSize } from './simulator.js';
import { compileTape, type Tape } from './tape.js';

export type {
  MeasurementConfig, DiffMethod, WeightInit, QNNLayerConfig, QNNGradients, ShiftRuleConfig,
} from './qnn-config.js';

/**
 * A differentiable quantum layer: a batch of classical inputs is encoded,
 * run through an ansatz and measured, all in ONE WebAssembly call per batch;
 * the backward pass is ONE call too, whichever the method: the adjoint
 * vector-Jacobian product, parameter shift (every shifted circuit evaluated
 * in the engine, shots drawn there too) or central differences.
 *
 * Parameters are a flat Float64Array: the circuit weights in PennyLane order
 * (e.g. (L, n, 3) for StronglyEntanglingLayers), then the observable
 * parameters of trainable Hermitian readouts.
 *
 * @example
 * ```ts
 * const layer = await QNNLayer.create({
 *   numQubits: 6,
 *   encoder: { type: 'AmplitudeEmbedding', numFeatures: 64 },
 *   ansatz: { type: 'StronglyEntanglingLayers', layers: 3 },
 *   measurements: [{ type: 'expvalZ' }],
 * });
 * const y = layer.forward(x, batch);            // batch × 6
 * const { inputs, params } = layer.backward(dy); // VJP
 * ```
 *
 * With a worker pool installed (`useWorkerPool(pool)`, or `parallel` in
 * {@link QNNLayer.create}), big batches are split by samples over the
 * workers, each with its own engine — exact forward and backward passes
 * (adjoint, parameter shift), not shots or finite differences — and the
 * results are bit-identical to the single-thread pass for any number of
 * workers.
 */
export class QNNLayer {
  readonly config: QNNLayerConfig;
  readonly numQubits: number;
  readonly numInputs: number;
  readonly numOutputs: number;
  readonly numWeights: number;
  readonly numObservableParams: number;
  readonly diffMethod: DiffMethod;
  readonly shots: number | undefined;
  /** Trainable circuit weights (PennyLane order). */
  readonly weights: Float64Array;
  /** Trainable observable parameters. */
  readonly observableParams: Float64Array;
  readonly tape: Tape;
  readonly kernel: Kernel;

  private readonly readouts: CompiledReadouts;
  private readonly engine: LayerEngine;
  private readonly rules: Float64Array;
  private rng: Random;
  private cache: { inputs: Float64Array; batch: number; params: Float64Array; statesKept: boolean; used: boolean; token: number } | undefined;
  /** The pool to split batches over: the installed one (undefined), a given one, or none (false). */
  private readonly parallel: ParallelRunner | false | undefined;
  /** What every pool task of this layer carries (created on first use). */
  private taskContext: LayerTaskContext | undefined;
  /** Scratch for the per-sample slot gradients of a split backward (reused: fresh memory is slow to fault in). */
  private sampleGradRows = new Float64Array(0);
  /**
   * Whether the next adjoint forward keeps its states for a backward: true
   * at first and after every backward, false once a forward's result went
   * unused by any backward (inference). A backward without kept states
   * recomputes them, with the same bits.
   */
  private backwardExpected = true;
  private forwards = 0;

  /**
   * Creates a layer on a fresh engine (or the given kernel). `parallel`: the
   * worker pool to split big batches over (default: the one installed with
   * `useWorkerPool`, if any; `false`: always the calling thread).
   *
   * @example
   * ```ts
   * const layer = await QNNLayer.create(config, { parallel: pool });
   * ```
   */
  static async create(config: QNNLayerConfig, options: { kernel?: Kernel; parallel?: ParallelRunner | false } = {}): Promise<QNNLayer> {
    return new QNNLayer(config, options.kernel ?? (await createKernel()), options.parallel === undefined ? {} : { parallel: options.parallel });
  }

  constructor(config: QNNLayerConfig, kernel: Kernel, options: { parallel?: ParallelRunner | false } = {}) {
    validateConfig(config);
    this.config = config;
    this.kernel = kernel;
    this.parallel = options.parallel;
    const n = config.numQubits;
    checkRegisterSize(n, 'QNNLayer');
    this.numQubits = n;
    this.diffMethod = config.diffMethod ?? 'adjoint';
    this.shots = config.shots ?? undefined;
    this.rng = new Random(config.seed ?? 0);
    this.numInputs = encoderInputs(config.encoder, n, config.ansatz);
    const { circuit, numWeights } = buildLayerCircuit(n, config.encoder, config.ansatz);
    this.numWeights = numWeights;
    this.tape = compileTape(circuit);
    if (this.tape.numInputs > this.numInputs) {
      throw new QDistillError('E_INVALID_ARGUMENT', `QNNLayer: the circuit reads input ${this.tape.numInputs - 1} but the encoder provides ${this.numInputs}`);
    }
    this.readouts = compileReadouts(config.measurements, n);
    this.numOutputs = this.readouts.numOutputs;
    this.numObservableParams = this.readouts.initialObservableParams.length;
    this.observableParams = this.readouts.initialObservableParams.slice();
    this.weights = initWeights(numWeights, config.init ?? { type: 'uniform' }, new Random((config.seed ?? 0) ^ 0x5eed), n);
    this.rules = this.diffMethod === 'parameter-shift' ? buildShiftRules(this.tape, config.shiftRule) : new Float64Array(0);
    this.engine = new LayerEngine(kernel, this.tape, this.readouts, this.numInputs, numWeights);
  }

  /** Number of forward passes so far: a backward applies to the pass that set it. */
  get forwardCount(): number {
    return this.forwards;
  }

  /** Total trainable parameters (weights + observable parameters). */
  get numParams(): number {
    return this.numWeights + this.numObservableParams;
  }

  /** Labels of the outputs, e.g. `<Z0>`, `<Z0 Z1>`, `P[0,1]=2`. */
  get outputLabels(): string[] {
    return outputLabels(this.readouts);
  }

  /** All parameters as one flat vector (weights then observable parameters). */
  getParams(): Float64Array {
    const out = new Float64Array(this.numParams);
    out.set(this.weights);
    out.set(this.observableParams, this.numWeights);
    return out;
  }

  /** Sets all parameters from one flat vector. */
  setParams(params: ArrayLike<number>): void {
    if (params.length !== this.numParams) {
      throw new QDistillError('E_SHAPE', `QNNLayer.setParams: expected ${this.numParams} values (${this.numWeights} weights + ${this.numObservableParams} observable), got ${params.length}`);
    }
    assertAllFinite(params, 'QNNLayer.setParams');
    for (let i = 0; i < this.numWeights; i++) this.weights[i] = params[i]!;
    for (let i = 0; i < this.numObservableParams; i++) this.observableParams[i] = params[this.numWeights + i]!;
    this.cache = undefined;
  }

  /**
   * Forward pass of a batch. `inputs` is batch × numInputs, row-major.
   * With shots, the outputs are seeded estimates drawn in the engine. Keeps
   * what the backward pass needs (for the adjoint method, the final states
   * when they fit, unless forward results have been going unused: then a
   * backward recomputes them).
   *
   * @throws E_SHAPE (wrong length), E_NON_FINITE (NaN/∞), E_ZERO_VECTOR (amplitude embedding),
   *   E_UNSUPPORTED (shots with a multi-qubit Hermitian readout)
   */
  forward(inputs: ArrayLike<number>, batchSize?: number, params?: ArrayLike<number>): Float64Array {
    if (params) this.setParams(params);
    const batch = this.checkInputs(inputs, batchSize, 'QNNLayer.forward');
    assertAllFinite(this.weights, 'QNNLayer.forward weights');
    assertAllFinite(this.observableParams, 'QNNLayer.forward observable parameters');
    const x = Float64Array.from(inputs);
    if (this.cache && !this.cache.used) this.backwardExpected = false;
    const token = this.forwards + 1;
    const pool = this.shots ? null : this.splitFor(batch, 'forward');
    if (pool) {
      // Split over the workers; each keeps its chunk's states for the backward when it can.
      const keep = this.diffMethod === 'adjoint' && this.backwardExpected;
      const params = this.passParams();
      const ranges = splitRanges(batch, pool.chunks);
      const y = new Float64Array(batch * this.numOutputs);
      pool.runner.runSync(forwardTasks(this.tasks(), x, ranges, params, token, keep, y), (task) => ({
        y: this.forwardChunk(task.inputs.x as Float64Array, chunkBatch(task), params, false, task.outputs.y!.into as Float64Array),
      }));
      this.cache = { inputs: x, batch, params: this.getParams(), statesKept: false, used: false, token };
      this.forwards++;
      return y;
    }
    const keepStates = this.diffMethod === 'adjoint' && this.backwardExpected && this.engine.canKeepStates(batch);
    const shots = this.shotState();
    const result = this.engine.forward(x, batch, this.passParams(), keepStates, shots);
    if (result.rngState) this.rng = Random.fromState(result.rngState);
    this.cache = { inputs: x, batch, params: this.getParams(), statesKept: keepStates, used: false, token };
    this.forwards++;
    return result.outputs;
  }

  /**
   * Vector-Jacobian product for the last {@link forward}: given ∂L/∂outputs
   * (batch × numOutputs), returns ∂L/∂inputs (per sample) and ∂L/∂params
   * (summed over the batch).
   *
   * @throws E_SHAPE if `upstream` does not match the last forward pass;
   *   E_UNSUPPORTED for what shots cannot differentiate (the adjoint method; state-preparation inputs)
   */
  backward(upstream: ArrayLike<number>): QNNGradients {
    const cache = this.cache;
    if (!cache) throw new QDistillError('E_INVALID_ARGUMENT', 'QNNLayer.backward: call forward first (parameters changed or no forward pass yet)');
    const current = this.getParams();
    if (current.some((v, i) => !Object.is(v, cache.params[i]))) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        'QNNLayer.backward: the parameters changed since the forward pass (e.g. an optimiser step); run forward again before backward',
      );
    }
    const expected = cache.batch * this.numOutputs;
    if (upstream.length !== expected) {
      throw new QDistillError('E_SHAPE', `QNNLayer.backward: upstream gradients must be batch × outputs = ${cache.batch} × ${this.numOutputs} = ${expected} values, got ${upstream.length}`);
    }
    assertAllFinite(upstream, 'QNNLayer.backward upstream');
    const g = Float64Array.from(upstream);
    cache.used = true;
    this.backwardExpected = true;
    const context: GradientContext = { engine: this.engine, readouts: this.readouts, numWeights: this.numWeights, numParams: this.numParams };
    const step = this.config.finiteDiffStep ?? DEFAULT_FINITE_DIFF_STEP;
    // Split over the workers: exact adjoint and parameter-shift passes of layers without trainable observables.
    const splittable = !this.shots && this.diffMethod !== 'finite-diff' && this.readouts.observables.length === 0;
    const pool = splittable ? this.splitFor(cache.batch, this.diffMethod) : null;
    if (pool) {
      const params = this.passParams();
      const ranges = splitRanges(cache.batch, pool.chunks);
      const slotRows = cache.batch * this.tape.slots.length;
      if (this.sampleGradRows.length < slotRows) this.sampleGradRows = new Float64Array(slotRows);
      const into = { inputs: new Float64Array(cache.batch * this.numInputs), sampleGrads: this.sampleGradRows.subarray(0, slotRows) };
      pool.runner.runSync(backwardTasks(this.tasks(), cache.inputs, g, ranges, params, cache.token, into), (task) =>
        this.backwardChunk(task.inputs.x as Float64Array, chunkBatch(task), params, task.inputs.g as Float64Array, false, {
          inputs: task.outputs.inputs!.into as Float64Array,
          sampleGrads: task.outputs.sampleGrads!.into as Float64Array,
        }),
      );
      const raw: RawGradients = { weights: sumSlotGradients(this.tape.slots, this.numWeights, [into.sampleGrads]), inputs: into.inputs, matrices: new Float64Array(0) };
      return toGradients(context, raw);
    }
    switch (this.diffMethod) {
      case 'adjoint':
        if (this.shots) throw new QDistillError('E_UNSUPPORTED', 'QNNLayer: adjoint gradients are exact; with shots use diffMethod "parameter-shift"');
        return adjointGradients(context, cache.inputs, cache.batch, this.passParams(), g, cache.statesKept);
      case 'parameter-shift': {
        if (this.tape.prep && this.shots) {
          throw new QDistillError('E_UNSUPPORTED', 'QNNLayer: gradients w.r.t. amplitude-embedded or state inputs are not available with shots; use exact mode');
        }
        const shots = this.shotState();
        const { rngState, ...grads } = paramShiftGradients(context, cache.inputs, cache.batch, this.passParams(), g, this.rules, this.tape.prep ? step : undefined, shots);
        if (rngState) this.rng = Random.fromState(rngState);
        return grads;
      }
      case 'finite-diff':
        return finiteDiffGradients(context, cache.inputs, cache.batch, this.passParams(), g, step);
      default:
        return unreachable(this.diffMethod, 'diffMethod');
    }
  }

  /**
   * The state of the shot sampler's generator (for checkpoints; unused in exact mode).
   *
   * @example
   * ```ts
   * const saved = layer.getRandomState(); layer.setRandomState(saved);
   * ```
   */
  getRandomState(): number[] {
    return this.rng.getState();
  }

  /** Restores the shot sampler's generator from {@link getRandomState}. */
  setRandomState(state: readonly number[]): void {
    this.rng = Random.fromState(state);
  }

  /** Frees the engine memory of this layer (and its replicas in a worker pool). */
  dispose(): void {
    this.engine.dispose();
    if (this.taskContext) this.runner()?.forget(this.taskContext.key);
  }

  /**
   * Forward pass of a chunk of samples at the given parameters, outside the
   * layer's forward/backward bookkeeping (a worker pool's task).
   *
   * @internal
   */
  forwardChunk(x: Float64Array, batch: number, params: PassParams, keepStates: boolean, into?: Float64Array): Float64Array {
    return this.engine.forward(x, batch, params, keepStates, undefined, into ? { outputs: into } : undefined).outputs;
  }

  /**
   * Exact backward pass of a chunk (adjoint or parameter shift): its input
   * gradients and every sample's slot gradients (a worker pool's task).
   *
   * @internal
   */
  backwardChunk(
    x: Float64Array, batch: number, params: PassParams, g: Float64Array, statesKept: boolean, into?: { inputs: Float64Array; sampleGrads: Float64Array },
  ): { inputs: Float64Array; sampleGrads: Float64Array } {
    let raw: RawGradients;
    if (this.diffMethod === 'adjoint') raw = this.engine.adjoint(x, batch, params, g, statesKept, true, into);
    else if (this.diffMethod === 'parameter-shift') {
      const step = this.config.finiteDiffStep ?? DEFAULT_FINITE_DIFF_STEP;
      raw = this.engine.paramShift(x, batch, params, g, this.rules, this.tape.prep ? step : undefined, undefined, true, into);
    } else throw new QDistillError('E_UNSUPPORTED', `QNNLayer: a ${this.diffMethod} backward pass is not split over workers`);
    return { inputs: raw.inputs, sampleGrads: raw.sampleGrads! };
  }

  /** @internal Whether a forward of `batch` samples can keep its states for the adjoint pass. */
  canKeepStates(batch: number): boolean {
    return this.engine.canKeepStates(batch);
  }

  // ------------------------------------------------------------------ internals

  private runner(): ParallelRunner | null {
    if (this.parallel === false) return null;
    return this.parallel ? (this.parallel.canRunSync && this.parallel.build === this.kernel.build ? this.parallel : null) : runnerFor(this.kernel.build);
  }

  /** The pool and chunk count to split a pass of `batch` samples with, or null to run it here. */
  private splitFor(batch: number, pass: QNNPass): { runner: ParallelRunner; chunks: number } | null {
    const runner = this.runner();
    if (!runner) return null;
    const chunks = runner.chunksFor(estimatePassMs(this.tape, batch, pass), batch);
    return chunks >= 1 ? { runner, chunks } : null;
  }

  private tasks(): LayerTaskContext {
    if (!this.taskContext) {
      const key = `qnn-layer-${nextLayerKey++}`;
      this.taskContext = { key, config: this.config, numInputs: this.numInputs, numOutputs: this.numOutputs, numSlots: this.tape.slots.length };
      collected?.register(this, key);
    }
    return this.taskContext;
  }

  private passParams(): PassParams {
    return { weights: this.weights, matrices: matricesArea(this.readouts, this.observableParams) };
  }

  /** The shots of the next engine pass, from the layer's generator; undefined in exact mode. */
  private shotState(): ShotState | undefined {
    if (!this.shots) return undefined;
    return { shots: this.shots, rngState: this.rng.getState(), spectra: readoutSpectra(this.readouts, this.observableParams) };
  }

  private checkInputs(inputs: ArrayLike<number>, batchSize: number | undefined, where: string): number {
    const per = this.numInputs;
    let batch: number;
    if (per === 0) {
      batch = batchSize ?? 1;
      if (!Number.isInteger(batch) || batch < 1) {
        throw new QDistillError('E_SHAPE', `${where}: batchSize must be a positive integer, got ${batchSize}`);
      }
    }
    else {
      batch = batchSize ?? inputs.length / per;
      if (!Number.isInteger(batch) || batch < 1 || inputs.length !== batch * per) {
        throw new QDistillError(
          'E_SHAPE',
          `${where}: expected batch × ${per} input values${batchSize ? ` (batch ${batchSize})` : ''}, got ${inputs.length}`,
        );
      }
    }
    assertAllFinite(inputs, `${where} inputs`);
    const enc = this.config.encoder;
    if (enc.type === 'AmplitudeEmbedding') {
      // The embedded vector: the features, then the norm feature s·‖x‖² and the bias c if on, then the padding.
      const { bias, normScale } = amplitudeExtras(enc);
      const normalize = enc.normalize ?? true;
      const pad = enc.pad ?? 0;
      const dim = 2 ** this.numQubits;
      const padded = dim - per - (normScale ? 1 : 0) - (bias ? 1 : 0);
      for (let b = 0; b < batch; b++) {
        let features = 0;
        for (let j = 0; j < per; j++) features += inputs[b * per + j]! ** 2;
        const norm = features + (normScale * features) ** 2 + bias * bias + pad * pad * padded;
        if (!(norm > 0)) {
          throw new QDistillError('E_ZERO_VECTOR', `${where}: sample ${b} is a zero vector; ${normalize ? 'AmplitudeEmbedding cannot normalise it (a bias amplitude would make it valid)' : 'it is not a quantum state'}`);
        }
        if (!normalize && Math.abs(Math.sqrt(norm) - 1) > 1e-6) {
          throw new QDistillError('E_INVALID_ARGUMENT', `${where}: sample ${b} has L2 norm ${Math.sqrt(norm)}, expected 1 (pass normalize: true to normalise)`);
        }
      }
    }
    if (enc.type === 'StateInput') {
      for (let b = 0; b < batch; b++) {
        let norm = 0;
        for (let j = 0; j < per; j++) norm += inputs[b * per + j]! ** 2;
        if (!(norm > 0)) throw new QDistillError('E_ZERO_VECTOR', `${where}: sample ${b} is a zero vector; it is not a quantum state`);
        if (Math.abs(Math.sqrt(norm) - 1) > 1e-6) {
          throw new QDistillError('E_INVALID_ARGUMENT', `${where}: sample ${b} has L2 norm ${Math.sqrt(norm)}, expected 1 (state inputs must be normalised)`);
        }
      }
    }
    if (enc.type === 'BasisEmbedding') {
      for (let i = 0; i < inputs.length; i++) {
        if (inputs[i] !== 0 && inputs[i] !== 1) {
          throw new QDistillError('E_INVALID_ARGUMENT', `${where}: BasisEmbedding inputs must be 0 or 1; sample ${Math.floor(i / per)} feature ${i % per} is ${inputs[i]}`);
        }
      }
    }
    return batch;
  }
}

let nextLayerKey = 1;

/** A layer collected without dispose(): its replicas in the pool's workers go too. */
const collected = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<string>((key) => parallelRunner()?.forget(key)) : null;

/** The sample count of a layer task (its meta). */
function chunkBatch(task: ParallelTask): number {
  return (task.meta as { batch: number }).batch;
}
