/**
 * A {@link QNNLayer}'s binding to the engine: it writes the layer descriptor
 * (layer-format.ts) once, owns the layer's engine buffers, and runs each
 * batched pass — forward (exact or with shots), adjoint, parameter shift,
 * finite differences — as ONE engine call.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import {
  Desc, FiniteDiff, Prep, QNN_FORMAT_VERSION, ReadoutField, ReadoutKind, R_WIDTH, SLOT_WIDTH, STEP_WIDTH, SlotField, SlotKind,
} from './layer-format.js';
import { readoutTable, type CompiledReadouts } from './readouts.js';
import type { Tape } from './tape.js';

/** A forward pass keeps its final states (and checkpoints) for the adjoint pass up to this size; beyond, backward recomputes them. */
export const KEEP_STATES_BYTES = 64 * 1024 * 1024;
/** The adjoint pass uses ψ checkpoints when one sample's (checkpoints + final state) fit in this. */
const CHECKPOINT_BUDGET_BYTES = 1024 * 1024;
/** Finite differences of state-preparation inputs go through the circuit's columns when these fit. */
const COLUMNS_BUDGET_BYTES = 32 * 1024 * 1024;
/** Parameter shift propagates up to this many bytes of direction vectors together (at least one vector, at most MAX_STACK). */
const STACK_BUDGET_BYTES = 4 * 1024 * 1024;
const MAX_STACK = 64;

/** What every engine pass reads besides the inputs: the weights and the readouts' current matrices (and spectra). */
export interface PassParams {
  readonly weights: Float64Array;
  /** The matrices area (readouts.matricesArea). */
  readonly matrices: Float64Array;
}

/** Shots of a pass: how many, and the generator state (four uint32) it starts from. */
export interface ShotState {
  readonly shots: number;
  readonly rngState: readonly number[];
  /** [low, high] of every two-outcome readout by index (readouts.readoutSpectra). */
  readonly spectra: ReadonlyMap<number, readonly [number, number]>;
}

/** Where a pass writes its per-sample results instead of fresh arrays (a worker writes straight into shared memory). */
export interface PassOutputs {
  /** Forward outputs, batch × numOutputs. */
  outputs?: Float64Array;
  /** ∂L/∂inputs, batch × numInputs. */
  inputs?: Float64Array;
  /** Every sample's slot gradients, batch × numSlots (with `sampleGrads`). */
  sampleGrads?: Float64Array;
}

/** A copy of `view` into `into` (which it returns), or a fresh copy. */
function copyOut(view: Float64Array, into: Float64Array | undefined): Float64Array {
  if (!into) return view.slice();
  into.set(view);
  return into;
}

/** Raw gradients of a backward pass, before observable parameters are mapped. */
export interface RawGradients {
  /** ∂L/∂weights, summed over the batch. */
  readonly weights: Float64Array;
  /** ∂L/∂inputs, batch × numInputs. */
  readonly inputs: Float64Array;
  /** ∂L/∂M of the matrix readouts (matrices area layout), summed over the batch; empty without matrix readouts. */
  readonly matrices: Float64Array;
  /** With `sampleGrads`: every sample's slot gradients, batch × numSlots (what {@link sumSlotGradients} sums). */
  readonly sampleGrads?: Float64Array;
}

/** The descriptor and buffers of one layer in one engine. */
export class LayerEngine {
  readonly kernel: Kernel;
  readonly numQubits: number;
  readonly numInputs: number;
  readonly numOutputs: number;
  readonly numWeights: number;
  /** Angle slots of the tape (the rows of per-sample slot gradients). */
  readonly numSlots: number;
  /** States a forward pass keeps per sample for the adjoint pass: the final one, after the ψ checkpoints if used. */
  readonly keptStatesPerSample: number;
  private readonly matricesLength: number;
  private readonly descPtr: number;
  private readonly staticPtrs: number[] = [];
  private readonly buffers = new Map<string, { ptr: number; bytes: number }>();
  /** The array whose values the engine's 'inputs' buffer holds (see writeInputs). */
  private residentInputs: Float64Array | undefined;

  constructor(kernel: Kernel, tape: Tape, readouts: CompiledReadouts, numInputs: number, numWeights: number) {
    this.kernel = kernel;
    this.numQubits = tape.numQubits;
    this.numInputs = numInputs;
    this.numOutputs = readouts.numOutputs;
    this.numWeights = numWeights;
    this.numSlots = tape.slots.length;
    this.matricesLength = readouts.matricesLength;
    const { descPtr, keptStatesPerSample } = this.writeStatic(tape, readouts);
    this.descPtr = descPtr;
    this.keptStatesPerSample = keptStatesPerSample;
  }

  /** Whether a forward pass of `batch` samples can keep its states for the adjoint pass. */
  canKeepStates(batch: number): boolean {
    return batch * this.keptStatesPerSample * (16 << this.numQubits) <= KEEP_STATES_BYTES;
  }

  /**
   * Forward pass of a batch: outputs (batch × numOutputs). `keepStates`
   * keeps the final states for {@link adjoint}. With `shots`, the outputs are
   * estimates drawn in the engine; the generator's next state is returned.
   */
  forward(x: Float64Array, batch: number, params: PassParams, keepStates: boolean, shots?: ShotState, into?: PassOutputs): { outputs: Float64Array; rngState?: number[] } {
    const k = this.kernel;
    const inPtr = this.writePass(x, params);
    const wPtr = this.buffers.get('weights')!.ptr;
    const outPtr = this.buffer('outputs', batch * this.numOutputs * 8);
    const statesPtr = keepStates ? this.buffer('states', batch * this.keptStatesPerSample * (16 << this.numQubits)) : 0;
    const rngPtr = shots ? this.writeShots(shots) : 0;
    k.run('QNNLayer.forward', (ex) => ex.qnnForward(this.descPtr, batch, wPtr, inPtr, outPtr, statesPtr, shots?.shots ?? 0, rngPtr));
    const outputs = copyOut(k.f64(outPtr, batch * this.numOutputs), into?.outputs);
    return shots ? { outputs, rngState: Array.from(k.u32(rngPtr, 4)) } : { outputs };
  }

  /**
   * Adjoint vector-Jacobian product of the batch of the last forward (its
   * states if kept, else recomputed). With `sampleGrads`, also every
   * sample's slot gradients (for a worker that computed part of a batch).
   */
  adjoint(x: Float64Array, batch: number, params: PassParams, upstream: Float64Array, statesKept: boolean, sampleGrads = false, into?: PassOutputs): RawGradients {
    const k = this.kernel;
    const { inPtr, wPtr, gPtr, grads } = this.backwardPass(x, batch, params, upstream);
    const statesPtr = statesKept ? this.buffers.get('states')!.ptr : 0;
    return this.withSampleGradients(batch, sampleGrads, into, () => {
      k.run('QNNLayer.backward', (ex) =>
        ex.qnnBackward(this.descPtr, batch, wPtr, inPtr, gPtr, statesPtr, grads.weights, grads.inputs, grads.matrices),
      );
      return this.readGradients(batch, grads, into);
    });
  }

  /**
   * Parameter-shift gradients of a batch (engine: qnnParamShift) with the
   * per-slot `rules`; state-preparation inputs by central differences of
   * `prepStep` when given; matrix readouts' ∂L/∂M from the unshifted states.
   */
  paramShift(
    x: Float64Array, batch: number, params: PassParams, upstream: Float64Array, rules: Float64Array, prepStep: number | undefined, shots?: ShotState,
    sampleGrads = false,
    into?: PassOutputs,
  ): RawGradients & { rngState?: number[] } {
    const k = this.kernel;
    const { inPtr, wPtr, gPtr, grads } = this.backwardPass(x, batch, params, upstream);
    const rulesPtr = this.buffer('rules', rules.length * 8);
    k.f64(rulesPtr, rules.length).set(rules);
    this.workStates();
    const columns = prepStep !== undefined ? this.columns() : 0;
    const rngPtr = shots ? this.writeShots(shots) : 0;
    const out = this.withSampleGradients(batch, sampleGrads, into, () => {
      k.run('QNNLayer.backward (parameter-shift)', (ex) =>
        ex.qnnParamShift(this.descPtr, batch, wPtr, inPtr, gPtr, rulesPtr, grads.weights, grads.inputs, grads.matrices, prepStep ?? 0, columns, shots?.shots ?? 0, rngPtr),
      );
      return this.readGradients(batch, grads, into);
    });
    return shots ? { ...out, rngState: Array.from(k.u32(rngPtr, 4)) } : out;
  }

  /** Central differences of step `h` of everything (engine: qnnFiniteDiff). */
  finiteDiff(x: Float64Array, batch: number, params: PassParams, upstream: Float64Array, h: number): RawGradients {
    const k = this.kernel;
    const { inPtr, wPtr, gPtr, grads } = this.backwardPass(x, batch, params, upstream);
    this.workStates();
    const columns = this.columns();
    const flags = FiniteDiff.WEIGHTS | FiniteDiff.INPUTS | (this.matricesLength ? FiniteDiff.MATRICES : 0);
    const dots = this.buffer('sample dots', batch * 8);
    // The engine perturbs the weights and inputs buffers in place and restores them exactly.
    k.run('QNNLayer.backward (finite-diff)', (ex) =>
      ex.qnnFiniteDiff(this.descPtr, batch, wPtr, inPtr, gPtr, h, flags, grads.weights, grads.inputs, grads.matrices, columns, dots),
    );
    return this.readGradients(batch, grads);
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

  /** Writes the inputs (unless resident), the weights and the matrices; returns the inputs pointer. */
  private writePass(x: Float64Array, params: PassParams): number {
    const k = this.kernel;
    if (this.matricesLength) k.f64(this.field(Desc.MATRICES), this.matricesLength).set(params.matrices);
    const wPtr = this.buffer('weights', this.numWeights * 8);
    k.f64(wPtr, this.numWeights).set(params.weights);
    return this.writeInputs(x);
  }

  /**
   * Copies a batch of inputs into the engine's 'inputs' buffer, unless it
   * already holds that very array (a backward right after its forward).
   * Finite differences perturb it in place and restore it exactly.
   */
  private writeInputs(x: Float64Array): number {
    const ptr = this.buffer('inputs', x.length * 8);
    if (this.residentInputs !== x) {
      this.kernel.f64(ptr, x.length).set(x);
      this.residentInputs = x;
    }
    return ptr;
  }

  /** What every backward pass writes first: the pass's inputs, weights and matrices, the upstream gradients, zeroed gradient buffers. */
  private backwardPass(x: Float64Array, batch: number, params: PassParams, upstream: Float64Array): {
    inPtr: number; wPtr: number; gPtr: number; grads: { weights: number; inputs: number; matrices: number };
  } {
    const inPtr = this.writePass(x, params);
    const wPtr = this.buffers.get('weights')!.ptr;
    const gPtr = this.buffer('upstream', upstream.length * 8);
    this.kernel.f64(gPtr, upstream.length).set(upstream);
    return { inPtr, wPtr, gPtr, grads: this.gradientBuffers(batch) };
  }

  /** Writes the generator state and the readouts' spectra; returns the generator's pointer. */
  private writeShots(shots: ShotState): number {
    const k = this.kernel;
    const table = k.f64(this.field(Desc.READOUTS), k.f64(this.descPtr, Desc.WIDTH)[Desc.NUM_READOUTS]! * R_WIDTH);
    for (const [r, [low, high]] of shots.spectra) {
      table[r * R_WIDTH + ReadoutField.LOW] = low;
      table[r * R_WIDTH + ReadoutField.HIGH] = high;
    }
    const ptr = this.buffer('rng', 16);
    k.u32(ptr, 4).set(shots.rngState);
    return ptr;
  }

  private gradientBuffers(batch: number): { weights: number; inputs: number; matrices: number } {
    const k = this.kernel;
    const weights = this.buffer('weight grads', this.numWeights * 8);
    k.f64(weights, this.numWeights).fill(0);
    const inputs = this.buffer('input grads', batch * this.numInputs * 8);
    k.f64(inputs, batch * this.numInputs).fill(0);
    const matrices = this.matricesLength ? this.buffer('matrix grads', this.matricesLength * 8) : 0;
    if (matrices) k.f64(matrices, this.matricesLength).fill(0);
    return { weights, inputs, matrices };
  }

  private readGradients(batch: number, grads: { weights: number; inputs: number; matrices: number }, into?: PassOutputs): RawGradients {
    const k = this.kernel;
    return {
      weights: k.f64(grads.weights, this.numWeights).slice(),
      inputs: copyOut(k.f64(grads.inputs, batch * this.numInputs), into?.inputs),
      matrices: grads.matrices ? k.f64(grads.matrices, this.matricesLength).slice() : new Float64Array(0),
    };
  }

  /**
   * Runs a backward pass with (or without) the engine keeping every
   * sample's slot gradients (Desc.SAMPLE_GRADS, switched off again after).
   */
  private withSampleGradients(batch: number, on: boolean, into: PassOutputs | undefined, pass: () => RawGradients): RawGradients {
    if (!on) return pass();
    const k = this.kernel;
    const length = batch * this.numSlots;
    const ptr = this.buffer('sample grads', length * 8);
    k.f64(this.descPtr, Desc.WIDTH)[Desc.SAMPLE_GRADS] = ptr;
    try {
      const raw = pass();
      return { ...raw, sampleGrads: copyOut(k.f64(ptr, length), into?.sampleGrads) };
    } finally {
      if (!k.retired) k.f64(this.descPtr, Desc.WIDTH)[Desc.SAMPLE_GRADS] = 0;
    }
  }

  /** The work states of parameter shift and finite differences (the walk, φ, the direction stack), allocated on first use. */
  private workStates(): void {
    const stateBytes = 16 << this.numQubits;
    const capacity = Math.max(1, Math.min(MAX_STACK, Math.floor(STACK_BUDGET_BYTES / stateBytes)));
    const ptr = this.buffer('work states', (2 + capacity) * stateBytes);
    const desc = this.kernel.f64(this.descPtr, Desc.WIDTH);
    desc[Desc.WORK_STATES] = ptr;
    desc[Desc.STACK_CAPACITY] = capacity;
  }

  /**
   * The columns buffer for finite differences of state-preparation inputs by
   * linearity, or 0 when the circuit's angles read inputs (its unitary then
   * depends on the sample) or the columns would not fit the budget.
   */
  private columns(): number {
    const k = this.kernel;
    const desc = k.f64(this.descPtr, Desc.WIDTH);
    if (desc[Desc.NUM_INPUT_SLOTS] !== 0) return 0;
    const count = k.exports.qnnPrepColumnCount(this.descPtr);
    const bytes = count * (16 << this.numQubits);
    if (count === 0 || bytes > COLUMNS_BUDGET_BYTES) return 0;
    return this.buffer('prep columns', bytes);
  }

  private field(index: number): number {
    return this.kernel.f64(this.descPtr, Desc.WIDTH)[index]!;
  }

  private buffer(name: string, bytes: number): number {
    const have = this.buffers.get(name);
    if (have && have.bytes >= bytes) return have.ptr;
    if (have) this.kernel.free(have.ptr);
    const ptr = this.kernel.alloc(Math.max(16, bytes), `QNNLayer ${name}`);
    this.buffers.set(name, { ptr, bytes: Math.max(16, bytes) });
    return ptr;
  }

  private writeStatic(tape: Tape, readouts: CompiledReadouts): { descPtr: number; keptStatesPerSample: number } {
    const k = this.kernel;
    const version = k.exports.qnnFormatVersion();
    if (version !== QNN_FORMAT_VERSION) {
      throw new QDistillError('E_UNSUPPORTED', `QNNLayer: the engine's layer descriptor format is ${version}, this SDK writes format ${QNN_FORMAT_VERSION} (a stale engine build: run npm run build:wasm)`);
    }
    const n = this.numQubits;
    const keep = (ptr: number): number => {
      this.staticPtrs.push(ptr);
      return ptr;
    };
    const desc = new Float64Array(Desc.WIDTH);
    /** Allocates engine memory for descriptor field `field` (a pointer field). */
    const area = (field: number, bytes: number, what: string): void => {
      desc[field] = keep(k.alloc(Math.max(16, bytes), what));
    };
    desc[Desc.OPS] = keep(k.allocI32(tape.ops.length ? tape.ops : [0], 'tape ops'));
    desc[Desc.CONSTS] = keep(k.allocF64(tape.consts.length ? tape.consts : [0], 'tape constants'));
    const slots = new Float64Array(Math.max(1, tape.slots.length) * SLOT_WIDTH);
    tape.slots.forEach((s, i) => {
      const row = slots.subarray(i * SLOT_WIDTH, (i + 1) * SLOT_WIDTH);
      if (s.kind === 'const') {
        row[SlotField.KIND] = SlotKind.CONST;
        row[SlotField.OFFSET] = s.value;
      } else {
        row[SlotField.KIND] = s.kind === 'weight' ? SlotKind.WEIGHT : SlotKind.INPUT;
        row[SlotField.INDEX] = s.index;
        row[SlotField.SCALE] = s.scale;
        row[SlotField.OFFSET] = s.offset;
      }
    });
    desc[Desc.SLOTS] = keep(k.allocF64(slots, 'slot table'));
    const table = readoutTable(readouts);
    desc[Desc.READOUTS] = keep(k.allocF64(table.table, 'readouts'));
    desc[Desc.BITS] = keep(k.allocI32(table.bits, 'readout wires'));
    const numSlots = Math.max(1, tape.slots.length);
    const largestProbs = Math.max(0, ...readouts.readouts.filter((r) => r.kind === ReadoutKind.PROBS).map((r) => r.count));
    area(Desc.MATRICES, readouts.matricesLength * 8, 'observable matrices');
    area(Desc.ANGLES, numSlots * 8, 'angles');
    area(Desc.SCRATCH, Math.max(16 << Math.max(1, tape.maxDenseWires), 8 * k.exports.zScratchLength(n)), 'scratch');
    area(Desc.STEPS, Math.max(1, tape.numOps) * STEP_WIDTH * 4, 'plan steps');
    area(Desc.FUSED, k.exports.fusedLength(tape.numOps) * 8, 'fused run matrices');
    area(Desc.INPUT_SLOTS, numSlots * 4, 'input slots');
    area(Desc.SLOT_GRADS, numSlots * 8, 'slot gradients');
    area(Desc.SHIFT_RECORDS, numSlots * 16, 'parameter-shift records');
    area(Desc.OUTPUTS_SCRATCH, 2 * readouts.numOutputs * 8, 'outputs scratch');
    area(Desc.SAMPLE_SCRATCH, 3 * (largestProbs + 1) * 8, 'sampling scratch');
    area(Desc.PSI, 16 << n, 'state');
    area(Desc.LAMBDA, 16 << n, 'adjoint state');
    const prep = tape.prep;
    desc[Desc.NUM_QUBITS] = n;
    desc[Desc.NUM_OPS] = tape.numOps;
    desc[Desc.NUM_SLOTS] = tape.slots.length;
    desc[Desc.PREP_KIND] = !prep ? Prep.NONE : prep.kind === 'amplitude' ? Prep.AMPLITUDE : Prep.STATE;
    if (prep?.kind === 'amplitude') {
      desc[Desc.PREP_NUM_FEATURES] = prep.numFeatures;
      desc[Desc.PREP_OFFSET] = prep.inputOffset;
      desc[Desc.PREP_NORMALIZE] = prep.normalize ? 1 : 0;
      desc[Desc.PREP_PAD] = prep.pad;
      desc[Desc.PREP_BIAS] = prep.bias ?? 0;
      desc[Desc.PREP_NORM_SCALE] = prep.normScale ?? 0;
    } else if (prep?.kind === 'state') {
      desc[Desc.PREP_OFFSET] = prep.inputOffset;
    }
    desc[Desc.NUM_READOUTS] = readouts.readouts.length;
    desc[Desc.NUM_OUTPUTS] = readouts.numOutputs;
    desc[Desc.NUM_INPUTS] = this.numInputs;
    desc[Desc.NUM_WEIGHTS] = this.numWeights;
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
      return { descPtr, keptStatesPerSample: checkpoints + 1 };
    }
    return { descPtr, keptStatesPerSample: 1 };
  }
}
