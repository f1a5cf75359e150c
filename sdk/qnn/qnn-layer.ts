import { QDistillError, assertAllFinite, unreachable } from '../errors.js';
import { factorGenerator, shiftRuleFromSpectrum, type ShiftRule } from '../circuit/gates.js';
import { hermitianEigenvalues, hermiticityError, identity, interleave, type ComplexMatrix } from '../circuit/matrix.js';
import { checkWireList, matrixFromRows, type RowsMatrix } from '../circuit/circuit.js';
import { parsePauliString, pauliMasks, pauliMatrix } from '../circuit/pauli.js';
import { wireBits } from '../circuit/wires.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { Random } from '../util/random.js';
import { buildLayerCircuit, encoderInputs, type AnsatzConfig, type EncoderConfig } from './ansatz.js';
import {
  BITS_PER_READOUT, Desc, Prep, QNN_FORMAT_VERSION, R_WIDTH, ReadoutKind, RULE_MAX_TERMS, RULE_WIDTH, SLOT_WIDTH, STEP_WIDTH, SlotKind,
} from './layer-format.js';
import { checkRegisterSize, sampleFromProbabilities } from './simulator.js';
import { compileTape, type Tape } from './tape.js';

/** What a layer measures; each entry adds one or more outputs. */
export type MeasurementConfig =
  | { type: 'expval'; observable: string }
  | { type: 'expvalZ'; wires?: number[] }
  | {
      type: 'hermitian';
      wires: number[];
      /** Train the observable (1-qubit only). Default false. */
      trainable?: boolean;
      /** 'A': H = (A + A†)/2 from a complex 2×2 A (8 reals); 'pauli': H = a₀I + aₓX + a_yY + a_zZ (4 reals). */
      parametrization?: 'A' | 'pauli';
      /** Fixed matrix, or the initial value of a trainable one (default Pauli Z). */
      matrix?: RowsMatrix;
    }
  | { type: 'probs'; wires?: number[]; classes?: number };

/** Gradient method. */
export type DiffMethod = 'adjoint' | 'parameter-shift' | 'finite-diff';

/** Weight initialiser (seeded). */
export type WeightInit = { type: 'uniform'; low?: number; high?: number } | { type: 'normal'; std?: number } | { type: 'xavier-normal' };

/** A plain, JSON-serialisable description of a {@link QNNLayer}. */
export interface QNNLayerConfig {
  numQubits: number;
  encoder: EncoderConfig;
  ansatz: AnsatzConfig;
  measurements: MeasurementConfig[];
  /** Default 'adjoint'. */
  diffMethod?: DiffMethod;
  /** Finite number of shots (seeded sampling), or undefined/null for exact values. */
  shots?: number | null;
  /** Seed for initialisation and shot sampling. Default 0. */
  seed?: number;
  /** Weight initialiser. Default uniform [0, 2π). */
  init?: WeightInit;
  /** Step of 'finite-diff' (central differences). Default 1e-6. */
  finiteDiffStep?: number;
}

/** Result of {@link QNNLayer.backward}. */
export interface QNNGradients {
  /** ∂L/∂inputs, batch × numInputs. */
  inputs: Float64Array;
  /** ∂L/∂params: circuit weights then observable parameters (summed over the batch). */
  params: Float64Array;
}

interface ObservableParam {
  readonly readout: number;
  readonly offset: number; // into observable params
  readonly count: number;
  readonly basis: ComplexMatrix[]; // H = Σ p_i·basis_i
}

interface Readout {
  readonly kind: number;
  readonly outOffset: number;
  readonly count: number;
  readonly xMask: number;
  readonly zMask: number;
  readonly numY: number;
  readonly bits: number[];
  readonly matrixOffset: number;
  readonly fixedMatrix?: ComplexMatrix;
  readonly label: string;
}

/**
 * A differentiable quantum layer: a batch of classical inputs is encoded,
 * run through an ansatz and measured, all in ONE WebAssembly call per batch;
 * the backward pass is ONE call too (adjoint vector-Jacobian product).
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

  private readonly readouts: Readout[];
  private readonly observables: ObservableParam[];
  private readonly matricesLength: number;
  private readonly rules: Float64Array;
  private readonly rng: Random;
  private readonly descPtr: number;
  private readonly staticPtrs: number[] = [];
  private readonly buffers = new Map<string, { ptr: number; bytes: number }>();
  private cache: { inputs: Float64Array; batch: number; params: Float64Array; statesKept: boolean; used: boolean } | undefined;
  /**
   * Whether the next adjoint forward keeps its states for a backward: true
   * at first and after every backward, false once a forward's result went
   * unused by any backward (inference). A backward without kept states
   * recomputes them, with the same bits.
   */
  private backwardExpected = true;
  private forwards = 0;
  /** States a forward pass keeps per sample for the adjoint pass: the final one, after the ψ checkpoints if used. */
  private keptStatesPerSample = 1;
  /** The array whose values the engine's 'inputs' buffer holds (see writeInputs). */
  private residentInputs: Float64Array | undefined;

  /** Creates a layer on a fresh engine (or the given kernel). */
  static async create(config: QNNLayerConfig, options: { kernel?: Kernel } = {}): Promise<QNNLayer> {
    return new QNNLayer(config, options.kernel ?? (await createKernel()));
  }

  constructor(config: QNNLayerConfig, kernel: Kernel) {
    validateConfig(config);
    this.config = config;
    this.kernel = kernel;
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

    // Readouts and observable parameters.
    this.readouts = [];
    this.observables = [];
    let outputs = 0;
    let matrices = 0;
    let obsParams = 0;
    const initialObs: number[] = [];
    for (const m of config.measurements) {
      switch (m.type) {
        case 'expval':
        case 'expvalZ': {
          const words = m.type === 'expval' ? [m.observable] : (m.wires ?? range(n)).map((w) => `Z${w}`);
          for (const word of words) {
            const term = parsePauliString(word);
            term.wires.forEach((w) => checkWire(w, n, `measurement "${word}"`));
            const masks = pauliMasks(term, n);
            this.readouts.push({ kind: ReadoutKind.PAULI, outOffset: outputs++, count: 1, ...masks, bits: [], matrixOffset: 0, label: `<${word}>` });
          }
          break;
        }
        case 'hermitian': {
          checkWireList(m.wires, n, 'hermitian measurement');
          const k = m.wires.length;
          const dim = 1 << k;
          const initial = m.matrix ? matrixFromRows(m.matrix) : k === 1 ? pauliMatrix('Z') : undefined;
          if (!initial) throw new QDistillError('E_INVALID_ARGUMENT', `hermitian measurement on ${k} wires: give its matrix`);
          if (initial.dim !== dim) throw new QDistillError('E_SHAPE', `hermitian measurement on wires [${m.wires}]: expected a ${dim}×${dim} matrix, got ${initial.dim}×${initial.dim}`);
          assertAllFinite(initial.re, `hermitian measurement on wires [${m.wires}] (re)`);
          assertAllFinite(initial.im, `hermitian measurement on wires [${m.wires}] (im)`);
          const herr = hermiticityError(initial);
          if (herr > 1e-10) throw new QDistillError('E_NOT_HERMITIAN', `hermitian measurement on wires [${m.wires}]: matrix is not Hermitian (max |H − H†| = ${herr.toExponential(2)})`);
          const readoutIndex = this.readouts.length;
          this.readouts.push({
            kind: ReadoutKind.MATRIX, outOffset: outputs++, count: 1, xMask: 0, zMask: 0, numY: 0,
            bits: wireBits(n, m.wires), matrixOffset: matrices, label: `<H[${m.wires}]>`,
            ...(m.trainable ? {} : { fixedMatrix: initial }),
          });
          matrices += 2 * dim * dim;
          if (m.trainable) {
            if (k !== 1) throw new QDistillError('E_UNSUPPORTED', `trainable hermitian measurement: only 1-qubit observables are trainable, got ${k} wires`);
            const parametrization = m.parametrization ?? 'A';
            const basis = observableBasis(parametrization);
            this.observables.push({ readout: readoutIndex, offset: obsParams, count: basis.length, basis });
            initialObs.push(...initialObservableParams(parametrization, initial));
            obsParams += basis.length;
          }
          break;
        }
        case 'probs': {
          const wires = m.wires ?? range(n);
          checkWireList(wires, n, 'probs measurement');
          if (wires.length > BITS_PER_READOUT) {
            throw new QDistillError('E_UNSUPPORTED', `probs measurement: at most ${BITS_PER_READOUT} wires, got ${wires.length}`);
          }
          const classes = m.classes ?? 2 ** wires.length;
          if (!Number.isInteger(classes) || classes < 1 || classes > 2 ** wires.length) {
            throw new QDistillError('E_INVALID_ARGUMENT', `probs measurement: classes must be in 1..${2 ** wires.length}, got ${classes}`);
          }
          this.readouts.push({ kind: ReadoutKind.PROBS, outOffset: outputs, count: classes, xMask: 0, zMask: 0, numY: 0, bits: wireBits(n, wires), matrixOffset: 0, label: `P[${wires}]` });
          outputs += classes;
          break;
        }
        default:
          unreachable(m, 'measurement type');
      }
    }
    if (outputs === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'QNNLayer: at least one measurement is required');
    this.numOutputs = outputs;
    this.matricesLength = matrices;
    this.numObservableParams = obsParams;
    this.observableParams = Float64Array.from(initialObs);
    this.weights = initWeights(numWeights, config.init ?? { type: 'uniform' }, new Random((config.seed ?? 0) ^ 0x5eed), n);
    this.rules = this.buildRules();
    this.descPtr = this.writeStatic();
  }

  /** Number of forward passes so far: a backward applies to the pass that set it. */
  get forwardCount(): number {
    return this.forwards;
  }

  /** Total trainable parameters (weights + observable parameters). */
  get numParams(): number {
    return this.numWeights + this.numObservableParams;
  }

  /** Labels of the outputs, e.g. `<Z0>`, `P[0,1]`. */
  get outputLabels(): string[] {
    return this.readouts.flatMap((r) => (r.count === 1 ? [r.label] : range(r.count).map((i) => `${r.label}=${i}`)));
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
   * With shots, the outputs are seeded estimates. Keeps what the backward
   * pass needs (for the adjoint method, the final states when they fit,
   * unless forward results have been going unused: then a backward
   * recomputes them).
   *
   * @throws E_SHAPE (wrong length), E_NON_FINITE (NaN/∞), E_ZERO_VECTOR (amplitude embedding)
   */
  forward(inputs: ArrayLike<number>, batchSize?: number, params?: ArrayLike<number>): Float64Array {
    if (params) this.setParams(params);
    const batch = this.checkInputs(inputs, batchSize, 'QNNLayer.forward');
    assertAllFinite(this.weights, 'QNNLayer.forward weights');
    assertAllFinite(this.observableParams, 'QNNLayer.forward observable parameters');
    const x = Float64Array.from(inputs);
    if (this.cache && !this.cache.used) this.backwardExpected = false;
    const keptBytes = this.keptStatesPerSample * (16 << this.numQubits);
    const keepStates = this.diffMethod === 'adjoint' && this.backwardExpected && batch * keptBytes <= KEEP_STATES_BYTES;
    const exact = this.runForward(x, batch, keepStates);
    this.cache = { inputs: x, batch, params: this.getParams(), statesKept: keepStates, used: false };
    this.forwards++;
    return this.shots ? this.sampleOutputs(exact, batch) : exact;
  }

  /**
   * Vector-Jacobian product for the last {@link forward}: given ∂L/∂outputs
   * (batch × numOutputs), returns ∂L/∂inputs (per sample) and ∂L/∂params
   * (summed over the batch).
   *
   * @throws E_SHAPE if `upstream` does not match the last forward pass
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
    switch (this.diffMethod) {
      case 'adjoint':
        if (this.shots) throw new QDistillError('E_UNSUPPORTED', 'QNNLayer: adjoint gradients are exact; with shots use diffMethod "parameter-shift"');
        return this.adjointBackward(cache.inputs, cache.batch, g, cache.statesKept);
      case 'parameter-shift':
        return this.shiftBackward(cache.inputs, cache.batch, g);
      case 'finite-diff':
        return this.finiteDiffBackward(cache.inputs, cache.batch, g);
      default:
        return unreachable(this.diffMethod, 'diffMethod');
    }
  }

  /** Frees the engine memory of this layer. */
  dispose(): void {
    for (const { ptr } of this.buffers.values()) this.kernel.free(ptr);
    this.buffers.clear();
    this.residentInputs = undefined;
    for (const ptr of this.staticPtrs) this.kernel.free(ptr);
    this.staticPtrs.length = 0;
  }

  // ------------------------------------------------------------------ internals

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
    if (enc.type === 'AmplitudeEmbedding' && (enc.normalize ?? true)) {
      const pad = enc.pad ?? 0;
      const dim = 2 ** this.numQubits;
      for (let b = 0; b < batch; b++) {
        let norm = pad * pad * (dim - per);
        for (let j = 0; j < per; j++) norm += inputs[b * per + j]! ** 2;
        if (!(norm > 0)) throw new QDistillError('E_ZERO_VECTOR', `${where}: sample ${b} is a zero vector; AmplitudeEmbedding cannot normalise it`);
      }
    }
    if ((enc.type === 'AmplitudeEmbedding' && enc.normalize === false) || enc.type === 'StateInput') {
      const pad = enc.type === 'AmplitudeEmbedding' ? (enc.pad ?? 0) : 0;
      const dim = 2 ** this.numQubits;
      for (let b = 0; b < batch; b++) {
        let norm = enc.type === 'AmplitudeEmbedding' ? pad * pad * (dim - per) : 0;
        for (let j = 0; j < per; j++) norm += inputs[b * per + j]! ** 2;
        if (!(norm > 0)) throw new QDistillError('E_ZERO_VECTOR', `${where}: sample ${b} is a zero vector; it is not a quantum state`);
        if (Math.abs(Math.sqrt(norm) - 1) > 1e-6) {
          throw new QDistillError(
            'E_INVALID_ARGUMENT',
            `${where}: sample ${b} has L2 norm ${Math.sqrt(norm)}, expected 1 (${enc.type === 'StateInput' ? 'state inputs must be normalised' : 'pass normalize: true to normalise'})`,
          );
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

  /**
   * Copies a batch of inputs into the engine's 'inputs' buffer, unless it
   * already holds that very array (a backward right after its forward).
   */
  private writeInputs(x: Float64Array): number {
    const ptr = this.buffer('inputs', x.length * 8);
    if (this.residentInputs !== x) {
      this.kernel.f64(ptr, x.length).set(x);
      this.residentInputs = x;
    }
    return ptr;
  }

  private buffer(name: string, bytes: number): number {
    const have = this.buffers.get(name);
    if (have && have.bytes >= bytes) return have.ptr;
    if (have) this.kernel.free(have.ptr);
    const ptr = this.kernel.alloc(Math.max(16, bytes), `QNNLayer ${name}`);
    this.buffers.set(name, { ptr, bytes: Math.max(16, bytes) });
    return ptr;
  }

  private writeStatic(): number {
    const k = this.kernel;
    const version = k.exports.qnnFormatVersion();
    if (version !== QNN_FORMAT_VERSION) {
      throw new QDistillError('E_UNSUPPORTED', `QNNLayer: the engine's layer descriptor format is ${version}, this SDK writes format ${QNN_FORMAT_VERSION} (a stale engine build: run npm run build:wasm)`);
    }
    const tape = this.tape;
    const n = this.numQubits;
    const keep = (ptr: number): number => {
      this.staticPtrs.push(ptr);
      return ptr;
    };
    const ops = keep(k.allocI32(tape.ops, 'tape ops'));
    const consts = keep(k.allocF64(tape.consts.length ? tape.consts : [0], 'tape constants'));
    const slots = new Float64Array(Math.max(1, tape.slots.length) * SLOT_WIDTH);
    tape.slots.forEach((s, i) => {
      const o = i * SLOT_WIDTH;
      if (s.kind === 'const') {
        slots.set([SlotKind.CONST, 0, 0, s.value], o);
      } else {
        slots.set([s.kind === 'weight' ? SlotKind.WEIGHT : SlotKind.INPUT, s.index, s.scale, s.offset], o);
      }
    });
    const slotsPtr = keep(k.allocF64(slots, 'slot table'));
    const readouts = new Float64Array(this.readouts.length * R_WIDTH);
    const bits = new Int32Array(Math.max(1, this.readouts.length) * BITS_PER_READOUT);
    this.readouts.forEach((r, i) => {
      readouts.set([r.kind, r.outOffset, r.count, r.xMask, r.zMask, r.numY, r.bits.length, r.matrixOffset], i * R_WIDTH);
      bits.set(r.bits, i * BITS_PER_READOUT);
    });
    const readoutsPtr = keep(k.allocF64(readouts, 'readouts'));
    const bitsPtr = keep(k.allocI32(bits, 'readout wires'));
    const matricesPtr = keep(k.alloc(Math.max(16, this.matricesLength * 8), 'observable matrices'));
    const anglesPtr = keep(k.alloc(Math.max(16, tape.slots.length * 8), 'angles'));
    const maxProbs = Math.max(0, ...this.readouts.filter((r) => r.kind === ReadoutKind.PROBS).map((r) => r.bits.length));
    const scratchPtr = keep(k.alloc(Math.max(16 << Math.max(1, tape.maxDenseWires), 8 << maxProbs, 8 * k.exports.zScratchLength(n)), 'scratch'));
    const stepsPtr = keep(k.alloc(Math.max(1, tape.numOps) * STEP_WIDTH * 4, 'plan steps'));
    const fusedPtr = keep(k.alloc(k.exports.fusedLength(tape.numOps) * 8, 'fused run matrices'));
    const inputSlotsPtr = keep(k.alloc(Math.max(1, tape.slots.length) * 4, 'input slots'));
    const slotGradsPtr = keep(k.alloc(Math.max(1, tape.slots.length) * 8, 'slot gradients'));
    const psiPtr = keep(k.alloc(16 << n, 'state'));
    const lambdaPtr = keep(k.alloc(16 << n, 'adjoint state'));
    const prep = tape.prep;
    const desc = new Float64Array(Desc.WIDTH);
    desc[Desc.NUM_QUBITS] = n;
    desc[Desc.NUM_OPS] = tape.numOps;
    desc[Desc.OPS] = ops;
    desc[Desc.CONSTS] = consts;
    desc[Desc.NUM_SLOTS] = tape.slots.length;
    desc[Desc.SLOTS] = slotsPtr;
    desc[Desc.PREP_KIND] = !prep ? Prep.NONE : prep.kind === 'amplitude' ? Prep.AMPLITUDE : Prep.STATE;
    if (prep?.kind === 'amplitude') {
      desc[Desc.PREP_NUM_FEATURES] = prep.numFeatures;
      desc[Desc.PREP_OFFSET] = prep.inputOffset;
      desc[Desc.PREP_NORMALIZE] = prep.normalize ? 1 : 0;
      desc[Desc.PREP_PAD] = prep.pad;
    }
    desc[Desc.NUM_READOUTS] = this.readouts.length;
    desc[Desc.READOUTS] = readoutsPtr;
    desc[Desc.NUM_OUTPUTS] = this.numOutputs;
    desc[Desc.NUM_INPUTS] = this.numInputs;
    desc[Desc.ANGLES] = anglesPtr;
    desc[Desc.SCRATCH] = scratchPtr;
    desc[Desc.BITS] = bitsPtr;
    desc[Desc.MATRICES] = matricesPtr;
    desc[Desc.PSI] = psiPtr;
    desc[Desc.LAMBDA] = lambdaPtr;
    desc[Desc.STEPS] = stepsPtr;
    desc[Desc.FUSED] = fusedPtr;
    desc[Desc.INPUT_SLOTS] = inputSlotsPtr;
    desc[Desc.SLOT_GRADS] = slotGradsPtr;
    const descPtr = keep(k.allocF64(desc, 'layer descriptor'));
    // The plan (fused single-qubit runs, gradient groups) is built once, here.
    k.run('QNNLayer plan', (ex) => ex.qnnPlan(descPtr));
    // ψ checkpoints spare the adjoint pass un-applying ψ; they cost (checkpoints + 1) states per sample.
    const checkpoints = k.f64(descPtr, Desc.WIDTH)[Desc.NUM_CHECKPOINTS]!;
    const perSample = (checkpoints + 1) * (16 << n);
    if (perSample <= CHECKPOINT_BUDGET_BYTES) {
      const scratch = keep(k.alloc(perSample, 'checkpoint scratch'));
      const view = k.f64(descPtr, Desc.WIDTH);
      view[Desc.USE_CHECKPOINTS] = 1;
      view[Desc.CHECKPOINT_SCRATCH] = scratch;
      this.keptStatesPerSample = checkpoints + 1;
    }
    return descPtr;
  }

  /** Writes the current observable matrices into engine memory. */
  private writeMatrices(): void {
    if (this.matricesLength === 0) return;
    const ptr = this.matricesPtr();
    const view = this.kernel.f64(ptr, this.matricesLength);
    for (const r of this.readouts) if (r.fixedMatrix) view.set(interleave(r.fixedMatrix), r.matrixOffset);
    for (const o of this.observables) {
      const m = this.observableMatrix(o);
      view.set(interleave(m), this.readouts[o.readout]!.matrixOffset);
    }
  }

  private matricesPtr(): number {
    return this.kernel.f64(this.descPtr, Desc.WIDTH)[Desc.MATRICES]!;
  }

  private observableMatrix(o: ObservableParam): ComplexMatrix {
    const dim = o.basis[0]!.dim;
    const re = new Float64Array(dim * dim);
    const im = new Float64Array(dim * dim);
    o.basis.forEach((b, i) => {
      const p = this.observableParams[o.offset + i]!;
      for (let j = 0; j < re.length; j++) {
        re[j] = re[j]! + p * b.re[j]!;
        im[j] = im[j]! + p * b.im[j]!;
      }
    });
    return { dim, re, im };
  }

  private runForward(x: Float64Array, batch: number, keepStates: boolean): Float64Array {
    const k = this.kernel;
    this.writeMatrices();
    const inPtr = this.writeInputs(x);
    const wPtr = this.buffer('weights', this.numWeights * 8);
    k.f64(wPtr, this.numWeights).set(this.weights);
    const outPtr = this.buffer('outputs', batch * this.numOutputs * 8);
    const statesPtr = keepStates ? this.buffer('states', batch * this.keptStatesPerSample * (16 << this.numQubits)) : 0;
    k.run('QNNLayer.forward', (ex) => ex.qnnForward(this.descPtr, batch, wPtr, inPtr, outPtr, statesPtr));
    return k.f64(outPtr, batch * this.numOutputs).slice();
  }

  private adjointBackward(x: Float64Array, batch: number, g: Float64Array, statesKept: boolean): QNNGradients {
    const k = this.kernel;
    this.writeMatrices();
    const inPtr = this.writeInputs(x);
    const wPtr = this.buffer('weights', this.numWeights * 8);
    k.f64(wPtr, this.numWeights).set(this.weights);
    const gPtr = this.buffer('upstream', g.length * 8);
    k.f64(gPtr, g.length).set(g);
    // The engine maps slot gradients to weights (summed over the batch) and inputs (per sample),
    // including the state preparation's inputs.
    const weightGradPtr = this.buffer('weight grads', this.numWeights * 8);
    k.f64(weightGradPtr, this.numWeights).fill(0);
    const inputGradPtr = this.buffer('input grads', batch * this.numInputs * 8);
    const matGradPtr = this.matricesLength ? this.buffer('matrix grads', this.matricesLength * 8) : 0;
    if (matGradPtr) k.f64(matGradPtr, this.matricesLength).fill(0);
    const statesPtr = statesKept ? this.buffers.get('states')!.ptr : 0;
    k.run('QNNLayer.backward', (ex) =>
      ex.qnnBackward(this.descPtr, batch, wPtr, inPtr, gPtr, statesPtr, weightGradPtr, inputGradPtr, matGradPtr),
    );
    const params = new Float64Array(this.numParams);
    params.set(k.f64(weightGradPtr, this.numWeights));
    const inputs = k.f64(inputGradPtr, batch * this.numInputs).slice();
    if (matGradPtr) this.addObservableGradients(params, k.f64(matGradPtr, this.matricesLength));
    return { inputs, params };
  }

  /** Maps per-sample slot gradients to weights (summed) and angle inputs (per sample). */
  private mapSlotGradients(slotGrads: Float64Array, batch: number): QNNGradients {
    const numSlots = this.tape.slots.length;
    const inputs = new Float64Array(batch * this.numInputs);
    const params = new Float64Array(this.numParams);
    this.tape.slots.forEach((s, i) => {
      if (s.kind === 'weight') {
        let sum = 0;
        for (let b = 0; b < batch; b++) sum += slotGrads[b * numSlots + i]!;
        params[s.index] = params[s.index]! + s.scale * sum;
      } else if (s.kind === 'input') {
        for (let b = 0; b < batch; b++) {
          const j = b * this.numInputs + s.index;
          inputs[j] = inputs[j]! + s.scale * slotGrads[b * numSlots + i]!;
        }
      }
    });
    return { inputs, params };
  }

  /** ∂L/∂p for H = Σ p_i B_i: Re Σ_ab D_ab (B_i)_ab with D the accumulated density gradient. */
  private addObservableGradients(dParams: Float64Array, density: Float64Array): void {
    for (const o of this.observables) {
      const off = this.readouts[o.readout]!.matrixOffset;
      o.basis.forEach((b, i) => {
        let sum = 0;
        for (let j = 0; j < b.re.length; j++) {
          sum += density[off + 2 * j]! * b.re[j]! - density[off + 2 * j + 1]! * b.im[j]!;
        }
        dParams[this.numWeights + o.offset + i] += sum;
      });
    }
  }

  private buildRules(): Float64Array {
    const rules = new Float64Array(Math.max(1, this.tape.slots.length) * RULE_WIDTH);
    const cache = new Map<string, ShiftRule>();
    this.tape.slotOrigins.forEach((origin, s) => {
      const key = `${JSON.stringify(origin.factor)}|${origin.numControls}|${origin.numTargets}`;
      let rule = cache.get(key);
      if (!rule) {
        rule = shiftRuleFromSpectrum(hermitianEigenvalues(factorGenerator(origin.factor, origin.numControls, origin.numTargets)));
        cache.set(key, rule);
      }
      if (rule.shifts.length > RULE_MAX_TERMS) throw new QDistillError('E_UNSUPPORTED', `parameter-shift: rule with ${rule.shifts.length} terms`);
      const o = s * RULE_WIDTH;
      rules[o] = rule.shifts.length;
      rule.shifts.forEach((v, i) => (rules[o + 1 + i] = v));
      rule.coefficients.forEach((v, i) => (rules[o + 1 + RULE_MAX_TERMS + i] = v));
    });
    return rules;
  }

  private shiftBackward(x: Float64Array, batch: number, g: Float64Array): QNNGradients {
    const k = this.kernel;
    const numSlots = this.tape.slots.length;
    this.writeMatrices();
    const inPtr = this.writeInputs(x);
    const wPtr = this.buffer('weights', this.numWeights * 8);
    k.f64(wPtr, this.numWeights).set(this.weights);
    const slotPtr = this.buffer('slot grads', batch * numSlots * 8);
    let slotGrads: Float64Array;
    if (!this.shots) {
      const gPtr = this.buffer('upstream', g.length * 8);
      k.f64(gPtr, g.length).set(g);
      const rulesPtr = this.buffer('rules', this.rules.length * 8);
      k.f64(rulesPtr, this.rules.length).set(this.rules);
      const workPtr = this.buffer('work', 2 * this.numOutputs * 8);
      k.run('QNNLayer.backward (parameter-shift)', (ex) => ex.qnnParamShift(this.descPtr, batch, wPtr, inPtr, gPtr, rulesPtr, slotPtr, workPtr));
      slotGrads = k.f64(slotPtr, batch * numSlots).slice();
    } else {
      // Each shifted circuit is estimated with shots: one engine call per (slot, shift) for the whole batch.
      slotGrads = new Float64Array(batch * numSlots);
      const outPtr = this.buffer('outputs', batch * this.numOutputs * 8);
      for (let s = 0; s < numSlots; s++) {
        const o = s * RULE_WIDTH;
        for (let mu = 0; mu < this.rules[o]!; mu++) {
          const shift = this.rules[o + 1 + mu]!;
          const coeff = this.rules[o + 1 + RULE_MAX_TERMS + mu]!;
          for (const sign of [1, -1]) {
            k.run('QNNLayer.backward (parameter-shift)', (ex) => ex.qnnForwardShifted(this.descPtr, batch, wPtr, inPtr, outPtr, s, sign * shift));
            const est = this.sampleOutputs(k.f64(outPtr, batch * this.numOutputs).slice(), batch);
            for (let b = 0; b < batch; b++) {
              let dot = 0;
              for (let j = 0; j < this.numOutputs; j++) dot += g[b * this.numOutputs + j]! * est[b * this.numOutputs + j]!;
              slotGrads[b * numSlots + s] += sign * coeff * dot;
            }
          }
        }
      }
    }
    const out = this.mapSlotGradients(slotGrads, batch);
    this.addNonShiftGradients(out, x, batch, g);
    return out;
  }

  /**
   * Gradients parameter-shift rules cannot give: state-preparation inputs and
   * observable parameters. Computed from exact expectation values (central
   * differences for the preparation, the analytic density for observables).
   */
  private addNonShiftGradients(out: QNNGradients, x: Float64Array, batch: number, g: Float64Array): void {
    if (this.tape.prep) {
      if (this.shots) {
        throw new QDistillError('E_UNSUPPORTED', 'QNNLayer: gradients w.r.t. amplitude-embedded or state inputs are not available with shots; use exact mode');
      }
      this.finiteDiffInputs(out.inputs, x, batch, g, true);
    }
    if (this.numObservableParams > 0) {
      const saved = this.observableParams.slice();
      const h = this.config.finiteDiffStep ?? 1e-6;
      for (let i = 0; i < this.numObservableParams; i++) {
        // ⟨H⟩ is linear in the observable parameters: a central difference is exact up to rounding.
        this.observableParams[i] = saved[i]! + h;
        const plus = this.runForward(x, batch, false);
        this.observableParams[i] = saved[i]! - h;
        const minus = this.runForward(x, batch, false);
        this.observableParams[i] = saved[i]!;
        let sum = 0;
        for (let j = 0; j < g.length; j++) sum += g[j]! * (plus[j]! - minus[j]!);
        out.params[this.numWeights + i] += sum / (2 * h);
      }
    }
  }

  private finiteDiffInputs(dInputs: Float64Array, x: Float64Array, batch: number, g: Float64Array, prepOnly: boolean): void {
    const h = this.config.finiteDiffStep ?? 1e-6;
    const prep = this.tape.prep;
    const per = this.numInputs;
    const indices: number[] = [];
    if (prepOnly && prep) {
      const start = prep.inputOffset;
      const count = prep.kind === 'amplitude' ? prep.numFeatures : 2 << this.numQubits;
      for (let j = start; j < start + count; j++) indices.push(j);
    } else for (let j = 0; j < per; j++) indices.push(j);
    for (const j of indices) {
      const xp = x.slice();
      const xm = x.slice();
      for (let b = 0; b < batch; b++) {
        xp[b * per + j] += h;
        xm[b * per + j] -= h;
      }
      const plus = this.runForward(xp, batch, false);
      const minus = this.runForward(xm, batch, false);
      for (let b = 0; b < batch; b++) {
        let dot = 0;
        for (let o = 0; o < this.numOutputs; o++) {
          dot += g[b * this.numOutputs + o]! * (plus[b * this.numOutputs + o]! - minus[b * this.numOutputs + o]!);
        }
        dInputs[b * per + j] += dot / (2 * h);
      }
    }
  }

  private finiteDiffBackward(x: Float64Array, batch: number, g: Float64Array): QNNGradients {
    const h = this.config.finiteDiffStep ?? 1e-6;
    const inputs = new Float64Array(batch * this.numInputs);
    const params = new Float64Array(this.numParams);
    const saved = this.getParams();
    const all = saved.slice();
    for (let i = 0; i < this.numParams; i++) {
      all[i] = saved[i]! + h;
      this.assign(all);
      const plus = this.runForward(x, batch, false);
      all[i] = saved[i]! - h;
      this.assign(all);
      const minus = this.runForward(x, batch, false);
      all[i] = saved[i]!;
      let sum = 0;
      for (let j = 0; j < g.length; j++) sum += g[j]! * (plus[j]! - minus[j]!);
      params[i] = sum / (2 * h);
    }
    this.assign(saved);
    this.finiteDiffInputs(inputs, x, batch, g, false);
    return { inputs, params };
  }

  private assign(params: Float64Array): void {
    this.weights.set(params.subarray(0, this.numWeights));
    this.observableParams.set(params.subarray(this.numWeights));
  }

  /** Replaces exact outputs by seeded finite-shot estimates. */
  private sampleOutputs(exact: Float64Array, batch: number): Float64Array {
    const shots = this.shots!;
    const out = new Float64Array(exact.length);
    const per = this.numOutputs;
    for (let b = 0; b < batch; b++) {
      for (const r of this.readouts) {
        const o = b * per + r.outOffset;
        if (r.kind === ReadoutKind.PROBS) {
          let rest = 1;
          const probs: number[] = [];
          for (let c = 0; c < r.count; c++) {
            const p = Math.max(0, exact[o + c]!);
            probs.push(p);
            rest -= p;
          }
          probs.push(Math.max(0, rest));
          const counts = new Float64Array(probs.length);
          for (const idx of sampleFromProbabilities(probs, shots, this.rng)) counts[idx]++;
          for (let c = 0; c < r.count; c++) out[o + c] = counts[c]! / shots;
          continue;
        }
        const value = exact[o]!;
        let low = -1;
        let high = 1;
        if (r.kind === ReadoutKind.MATRIX) {
          const m = r.fixedMatrix ?? this.observableMatrix(this.observables.find((x) => x.readout === this.readouts.indexOf(r))!);
          if (m.dim !== 2) throw new QDistillError('E_UNSUPPORTED', 'QNNLayer: shots with multi-qubit Hermitian observables are not supported');
          [low, high] = hermitianEigenvalues(m) as [number, number];
          if (high - low < 1e-12) {
            out[o] = value;
            continue;
          }
        }
        const p = Math.min(1, Math.max(0, (value - low) / (high - low)));
        let hits = 0;
        for (let s = 0; s < shots; s++) if (this.rng.uniform() < p) hits++;
        out[o] = low + ((high - low) * hits) / shots;
      }
    }
    return out;
  }
}

/** A forward pass keeps its final states (and checkpoints) for the adjoint pass up to this size; beyond, backward recomputes them. */
const KEEP_STATES_BYTES = 64 * 1024 * 1024;
/** The adjoint pass uses ψ checkpoints when one sample's (checkpoints + final state) fit in this. */
const CHECKPOINT_BUDGET_BYTES = 1024 * 1024;

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function checkWire(w: number, n: number, where: string): void {
  if (!Number.isInteger(w) || w < 0 || w >= n) {
    throw new QDistillError('E_WIRE_RANGE', `${where}: wire ${w} is out of range for ${n} qubits (valid 0..${n - 1})`);
  }
}

function observableBasis(parametrization: 'A' | 'pauli'): ComplexMatrix[] {
  const e = (r: number, c: number, re: number, im: number): ComplexMatrix => {
    const m = { dim: 2, re: new Float64Array(4), im: new Float64Array(4) };
    m.re[r * 2 + c] = re;
    m.im[r * 2 + c] = im;
    return m;
  };
  const sum = (a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix => ({
    dim: 2,
    re: a.re.map((v, i) => v + b.re[i]!),
    im: a.im.map((v, i) => v + b.im[i]!),
  });
  if (parametrization === 'pauli') return [identity(2), pauliMatrix('X'), pauliMatrix('Y'), pauliMatrix('Z')];
  // H = (A + A†)/2, params [Re A00, Im A00, Re A01, Im A01, Re A10, Im A10, Re A11, Im A11]
  return [
    e(0, 0, 1, 0),
    e(0, 0, 0, 0),
    sum(e(0, 1, 0.5, 0), e(1, 0, 0.5, 0)),
    sum(e(0, 1, 0, 0.5), e(1, 0, 0, -0.5)),
    sum(e(0, 1, 0.5, 0), e(1, 0, 0.5, 0)),
    sum(e(0, 1, 0, -0.5), e(1, 0, 0, 0.5)),
    e(1, 1, 1, 0),
    e(1, 1, 0, 0),
  ];
}

function initialObservableParams(parametrization: 'A' | 'pauli', m: ComplexMatrix): number[] {
  if (parametrization === 'pauli') {
    // a0 = tr(H)/2, ax = Re H01, ay = −Im H01... from H = a0 I + ax X + ay Y + az Z
    return [(m.re[0]! + m.re[3]!) / 2, m.re[1]!, -m.im[1]!, (m.re[0]! - m.re[3]!) / 2];
  }
  return [m.re[0]!, 0, m.re[1]!, m.im[1]!, m.re[2]!, m.im[2]!, m.re[3]!, 0]; // A = H, so (A + A†)/2 = H
}

function initWeights(count: number, init: WeightInit, rng: Random, numQubits: number): Float64Array {
  const out = new Float64Array(count);
  switch (init.type) {
    case 'uniform': {
      const low = init.low ?? 0;
      const high = init.high ?? 2 * Math.PI;
      for (let i = 0; i < count; i++) out[i] = rng.range(low, high);
      break;
    }
    case 'normal': {
      const std = init.std ?? 1;
      for (let i = 0; i < count; i++) out[i] = std * rng.normal();
      break;
    }
    case 'xavier-normal': {
      const std = Math.sqrt(2 / (2 * numQubits));
      for (let i = 0; i < count; i++) out[i] = std * rng.normal();
      break;
    }
    default:
      unreachable(init, 'weight init');
  }
  return out;
}

function validateConfig(config: QNNLayerConfig): void {
  if (typeof config !== 'object' || config === null) throw new QDistillError('E_CONFIG', 'QNNLayer: config must be an object');
  if (!Number.isInteger(config.numQubits) || config.numQubits < 1) {
    throw new QDistillError('E_CONFIG', `QNNLayer config.numQubits: expected a positive integer, got ${config.numQubits}`);
  }
  if (config.shots !== undefined && config.shots !== null && (!Number.isInteger(config.shots) || config.shots <= 0)) {
    throw new QDistillError('E_SHOTS', `QNNLayer config.shots: expected a positive integer (or null for exact), got ${config.shots}`);
  }
  if (config.diffMethod && !['adjoint', 'parameter-shift', 'finite-diff'].includes(config.diffMethod)) {
    throw new QDistillError('E_CONFIG', `QNNLayer config.diffMethod: expected 'adjoint', 'parameter-shift' or 'finite-diff', got ${JSON.stringify(config.diffMethod)}`);
  }
  if (!Array.isArray(config.measurements)) throw new QDistillError('E_CONFIG', 'QNNLayer config.measurements: expected an array');
  if (config.finiteDiffStep !== undefined && !(config.finiteDiffStep > 0 && Number.isFinite(config.finiteDiffStep))) {
    throw new QDistillError('E_CONFIG', `QNNLayer config.finiteDiffStep: expected a finite number > 0, got ${config.finiteDiffStep}`);
  }
}
