// Batched QNN forward and adjoint backward: ONE call runs a whole batch.
// A layer is described by a descriptor of f64 fields (layout.ts; the SDK's
// definition is sdk/qnn/layer-format.ts): the tape, where each angle comes
// from, the state preparation, the readouts, and the plan (fusion.ts) that
// qnnPlan builds once per layer: the tape's ops as steps, runs of
// single-qubit ops fused into one 2x2 each.
//
// Per engine call, the angles of weight and constant slots and the matrices
// of FIXED runs (angles from weights and constants only) are computed once;
// per sample, only input slots and the runs that read them.
// Parameter shift and finite differences live in qnn-shift.ts.
import { amp } from './kernels/bits';
import { applyOp } from './tape';
import { expvalMatrix, expvalPauliWord, expvalZAll, probsMarginal, Z_TABLE_BITS } from './measure';
import {
  accumulateDensity, accumulateMatrix, accumulatePauli, accumulateZ, innerMaskIm, innerPauliIm, overlap1,
} from './adjoint';
import {
  applyMatrix2, buildSteps, fuseAdjoint, fuseForward, groupSteps, imTrace2, opSlot,
  RUN_HEADER, STEP_BIT, STEP_BLOCK, STEP_CHECKPOINT, STEP_COUNT, STEP_FIRST, STEP_FIXED, STEP_GROUP_FIRST, STEP_KIND,
  STEP_RUN, T_OVERLAP, stepField,
} from './fusion';
import {
  D_ANGLES, D_CHECKPOINT_SCRATCH, D_CONSTS, D_FUSED, D_INPUT_SLOTS, D_LAMBDA, D_MATRICES, D_NUM_CHECKPOINTS,
  D_NUM_INPUT_SLOTS, D_NUM_INPUTS, D_NUM_OPS, D_NUM_OUTPUTS, D_NUM_QUBITS, D_NUM_READOUTS, D_NUM_SLOTS, D_NUM_STEPS,
  D_OPS, D_PREP_BIAS, D_PREP_KIND, D_PREP_NORM_SCALE, D_PREP_NORMALIZE, D_PREP_NUM_FEATURES, D_PREP_OFFSET, D_PREP_PAD,
  D_PSI, D_SAMPLE_GRADS, D_SAMPLE_SCRATCH, D_SCRATCH, D_SLOT_GRADS, D_STEPS, D_USE_CHECKPOINTS, OP_PAULI_ROT, OP_PHASE_ROT, OP_WIDTH,
  PREP_NONE, PREP_STATE, QNN_FORMAT_VERSION, R_MATRIX, R_PAULI, R_PROBS, RF_COUNT, RF_HIGH, RF_KIND, RF_LOW,
  RF_MATRIX_OFFSET, RF_NUM_BITS, RF_NUM_Y, RF_OUT_OFFSET, RF_X_MASK, RF_Z_MASK, SF_INDEX, SF_KIND, SF_OFFSET, SF_SCALE,
  SLOT_CONST, SLOT_INPUT, SLOT_WEIGHT, STEP_WIDTH,
} from './layout';
import { field, ptr, readoutBits, readoutField, setField, singleZBit, slotField } from './qnn-desc';
import { sampleCounts, sampleTwoOutcome } from './random';

/** Version of the descriptor layout; the SDK checks it against its own (sdk/qnn/layer-format.ts). */
export function qnnFormatVersion(): i32 {
  return QNN_FORMAT_VERSION;
}

/**
 * Builds the layer's plan, once, after the SDK has written the descriptor:
 * the steps and gradient groups (fusion.ts) with runs that read an input
 * slot marked per-sample, and the list of input slots.
 */
export function qnnPlan(desc: usize): void {
  const ops = ptr(desc, D_OPS), steps = ptr(desc, D_STEPS);
  const numSteps = buildSteps(ops, <i32>field(desc, D_NUM_OPS), steps);
  setField(desc, D_NUM_STEPS, <f64>numSteps);
  setField(desc, D_NUM_CHECKPOINTS, <f64>groupSteps(steps, numSteps, ops));
  for (let s = 0; s < numSteps; s++) {
    if (stepField(steps, s, STEP_KIND) != STEP_RUN) continue;
    const first = stepField(steps, s, STEP_FIRST), count = stepField(steps, s, STEP_COUNT);
    for (let k = first; k < first + count; k++) {
      const slot = opSlot(ops, k);
      if (slot >= 0 && <i32>slotField(desc, slot, SF_KIND) == SLOT_INPUT) {
        store<i32>(steps + ((<usize>s * STEP_WIDTH + STEP_FIXED) << 2), 0);
      }
    }
  }
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const inputSlots = ptr(desc, D_INPUT_SLOTS);
  let numInputSlots = 0;
  for (let s = 0; s < numSlots; s++) {
    if (<i32>slotField(desc, s, SF_KIND) != SLOT_INPUT) continue;
    store<i32>(inputSlots + (<usize>numInputSlots << 2), s);
    numInputSlots++;
  }
  setField(desc, D_NUM_INPUT_SLOTS, <f64>numInputSlots);
}

/**
 * States kept per sample by a forward pass with `states`: the final state,
 * preceded by the ψ checkpoints when the layer uses them. Layout per sample:
 * checkpoint 0 … checkpoint G−1, final.
 */
// @ts-ignore: decorator
@inline
function checkpointsPerSample(desc: usize): i32 {
  return field(desc, D_USE_CHECKPOINTS) != 0 ? <i32>field(desc, D_NUM_CHECKPOINTS) : 0;
}

// ------------------------------------------------------------------ angles

/** Angles of the weight and constant slots: θ = scale·weight + offset, or the constant. */
export function computeFixedAngles(desc: usize, weights: usize): void {
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const angles = ptr(desc, D_ANGLES);
  for (let s = 0; s < numSlots; s++) {
    const kind = <i32>slotField(desc, s, SF_KIND);
    if (kind == SLOT_INPUT) continue;
    let value = slotField(desc, s, SF_OFFSET);
    if (kind == SLOT_WEIGHT) value = slotField(desc, s, SF_SCALE) * load<f64>(weights + (<usize>slotField(desc, s, SF_INDEX) << 3)) + value;
    store<f64>(angles + (<usize>s << 3), value);
  }
}

/** Angles of the input slots for one sample: θ = scale·input + offset. */
export function computeInputAngles(desc: usize, inputRow: usize): void {
  const count = <i32>field(desc, D_NUM_INPUT_SLOTS);
  const list = ptr(desc, D_INPUT_SLOTS), angles = ptr(desc, D_ANGLES);
  for (let i = 0; i < count; i++) {
    const s = load<i32>(list + (<usize>i << 2));
    store<f64>(angles + (<usize>s << 3), slotField(desc, s, SF_SCALE) * load<f64>(inputRow + (<usize>slotField(desc, s, SF_INDEX) << 3)) + slotField(desc, s, SF_OFFSET));
  }
}

/** Fills the matrices of the fixed runs from the current angles: F, and with `adjoint` also F† and the A_k. */
export function fillFixedRuns(desc: usize, adjoint: bool): void {
  const steps = ptr(desc, D_STEPS), numSteps = <i32>field(desc, D_NUM_STEPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), fused = ptr(desc, D_FUSED);
  for (let s = 0; s < numSteps; s++) {
    if (stepField(steps, s, STEP_KIND) != STEP_RUN || stepField(steps, s, STEP_FIXED) == 0) continue;
    fuseForward(steps, s, ops, consts, angles, fused, fused + (<usize>stepField(steps, s, STEP_BLOCK) << 3));
    if (adjoint) fuseAdjoint(steps, s, ops, consts, angles, fused);
  }
}

// ------------------------------------------------------------------ state preparation

/**
 * The amplitude-embedded vector v of one sample, entry i < 2^n: the features
 * x_0 … x_{F−1}, then the extras — s·‖x‖² when the norm feature is on
 * (`normValue`), then the bias c when it is on — then the padding.
 */
// @ts-ignore: decorator
@inline
function amplitudeEntry(features: usize, i: u32, count: u32, numExtras: u32, extra0: f64, extra1: f64, pad: f64): f64 {
  if (i < count) return load<f64>(features + (<usize>i << 3));
  if (i - count < numExtras) return i == count ? extra0 : extra1;
  return pad;
}

// The extras of the sample being prepared (amplitudeExtras): how many, and their values. Globals: the
// engine never allocates memory of its own.
let extrasCount: u32 = 0;
let extrasFirst: f64 = 0;
let extrasSecond: f64 = 0;

/** Sets the extras for the features at `features`: [s·Σx²] then [c]. */
function amplitudeExtras(desc: usize, features: usize): void {
  const count = <u32>field(desc, D_PREP_NUM_FEATURES);
  const normScale = field(desc, D_PREP_NORM_SCALE), bias = field(desc, D_PREP_BIAS);
  extrasCount = 0;
  if (normScale != 0) {
    let nx2 = 0.0;
    for (let i: u32 = 0; i < count; i++) {
      const x = load<f64>(features + (<usize>i << 3));
      nx2 += x * x;
    }
    extrasFirst = normScale * nx2;
    extrasCount = 1;
  }
  if (bias != 0) {
    if (extrasCount == 0) extrasFirst = bias;
    else extrasSecond = bias;
    extrasCount++;
  }
}

/** Σ v_i² of the amplitude-embedded vector (features, extras, padding), in index order; sets the extras. */
export function amplitudeNorm2(desc: usize, features: usize): f64 {
  amplitudeExtras(desc, features);
  const size: u32 = <u32>1 << <u32>field(desc, D_NUM_QUBITS);
  const count = <u32>field(desc, D_PREP_NUM_FEATURES), pad = field(desc, D_PREP_PAD);
  let norm2 = 0.0;
  for (let i: u32 = 0; i < count; i++) {
    const v = load<f64>(features + (<usize>i << 3));
    norm2 += v * v;
  }
  if (extrasCount > 0) norm2 += extrasFirst * extrasFirst;
  if (extrasCount > 1) norm2 += extrasSecond * extrasSecond;
  const padSquared = pad * pad;
  for (let i: u32 = count + extrasCount; i < size; i++) norm2 += padSquared;
  return norm2;
}

/**
 * |ψ₀⟩ of one sample. Amplitude embedding: the vector v (features, extras,
 * padding) divided by ‖v‖ (summed in index order) when normalising, written
 * in one pass.
 */
export function prepare(desc: usize, state: usize, inputRow: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const size: u32 = <u32>1 << <u32>n;
  const kind = <i32>field(desc, D_PREP_KIND);
  if (kind == PREP_NONE) {
    memory.fill(state, 0, <usize>size << 4);
    store<f64>(state, 1.0);
    return;
  }
  const features = inputRow + (<usize>field(desc, D_PREP_OFFSET) << 3);
  if (kind == PREP_STATE) {
    for (let i: u32 = 0; i < size; i++) {
      const p = amp(state, i);
      store<f64>(p, load<f64>(features + (<usize>i << 3)));
      store<f64>(p, load<f64>(features + ((<usize>size + <usize>i) << 3)), 8);
    }
    return;
  }
  const count = <u32>field(desc, D_PREP_NUM_FEATURES);
  const pad = field(desc, D_PREP_PAD);
  let scale = 1.0;
  if (field(desc, D_PREP_NORMALIZE) != 0) {
    const norm2 = amplitudeNorm2(desc, features);
    assert(norm2 > 0, 'amplitude embedding of a zero vector');
    scale = 1.0 / Math.sqrt(norm2);
  } else {
    amplitudeExtras(desc, features);
  }
  for (let i: u32 = 0; i < count; i++) v128.store(amp(state, i), f64x2(load<f64>(features + (<usize>i << 3)) * scale, 0.0));
  if (extrasCount > 0) v128.store(amp(state, count), f64x2(extrasFirst * scale, 0.0));
  if (extrasCount > 1) v128.store(amp(state, count + 1), f64x2(extrasSecond * scale, 0.0));
  const padded = f64x2(pad * scale, 0.0);
  for (let i: u32 = count + extrasCount; i < size; i++) v128.store(amp(state, i), padded);
}

// ------------------------------------------------------------------ steps

/**
 * Applies the plan to the state. A fixed run uses its matrix from the
 * batch's fill; a per-sample run is fused now, into its block. With
 * `checkpoints` non-zero, ψ is copied into checkpoint slot c after the step
 * that carries c.
 */
export function runSteps(desc: usize, state: usize, checkpoints: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const steps = ptr(desc, D_STEPS), numSteps = <i32>field(desc, D_NUM_STEPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), scratch = ptr(desc, D_SCRATCH);
  const fused = ptr(desc, D_FUSED);
  const stateBytes = <usize>16 << <usize>n;
  for (let s = 0; s < numSteps; s++) {
    const first = stepField(steps, s, STEP_FIRST);
    if (stepField(steps, s, STEP_KIND) != STEP_RUN) {
      applyOp(state, n, ops, first, consts, angles, false, scratch);
    } else {
      const m = fused + (<usize>stepField(steps, s, STEP_BLOCK) << 3);
      if (stepField(steps, s, STEP_FIXED) == 0) fuseForward(steps, s, ops, consts, angles, fused, m);
      applyMatrix2(state, n, stepField(steps, s, STEP_BIT), m);
    }
    const slot = stepField(steps, s, STEP_CHECKPOINT);
    if (checkpoints != 0 && slot >= 0) memory.copy(checkpoints + <usize>slot * stateBytes, state, stateBytes);
  }
}

/**
 * Applies steps `from` … last with the run matrices already in their blocks
 * (a fixed run's from the batch's fill, a per-sample run's from this
 * sample's runSteps) to a register of `numQubits` ≥ n qubits: one state, or
 * 2^(numQubits − n) consecutive states at once (the steps act on the low n
 * bits) — propagating vectors through the rest of the circuit.
 */
export function applyStepsOn(desc: usize, state: usize, numQubits: i32, from: i32): void {
  const steps = ptr(desc, D_STEPS), numSteps = <i32>field(desc, D_NUM_STEPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), scratch = ptr(desc, D_SCRATCH);
  const fused = ptr(desc, D_FUSED);
  for (let s = from; s < numSteps; s++) {
    const first = stepField(steps, s, STEP_FIRST);
    if (stepField(steps, s, STEP_KIND) != STEP_RUN) applyOp(state, numQubits, ops, first, consts, angles, false, scratch);
    else applyMatrix2(state, numQubits, stepField(steps, s, STEP_BIT), fused + (<usize>stepField(steps, s, STEP_BLOCK) << 3));
  }
}

// ------------------------------------------------------------------ readouts

/** The readouts of a state into `out` (numOutputs f64). */
export function measure(desc: usize, state: usize, out: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  const matrices = ptr(desc, D_MATRICES);
  const scratch = ptr(desc, D_SCRATCH);
  // Every single-qubit ⟨Z⟩ comes from one pass (expvalZAll), into the scratch after its table.
  const zValues = scratch + (<usize>8 << <usize>min(n, Z_TABLE_BITS));
  let zDone = false;
  for (let r = 0; r < numReadouts; r++) {
    const zBit = singleZBit(desc, r);
    if (zBit < 0) continue;
    if (!zDone) {
      expvalZAll(state, n, zValues, scratch);
      zDone = true;
    }
    store<f64>(out + (<usize>readoutField(desc, r, RF_OUT_OFFSET) << 3), load<f64>(zValues + (<usize>zBit << 3)));
  }
  for (let r = 0; r < numReadouts; r++) {
    if (singleZBit(desc, r) >= 0) continue;
    const kind = <i32>readoutField(desc, r, RF_KIND);
    const o = out + (<usize>readoutField(desc, r, RF_OUT_OFFSET) << 3);
    const k = <i32>readoutField(desc, r, RF_NUM_BITS);
    if (kind == R_PAULI) {
      store<f64>(o, expvalPauliWord(state, n, <u32>readoutField(desc, r, RF_X_MASK), <u32>readoutField(desc, r, RF_Z_MASK), <i32>readoutField(desc, r, RF_NUM_Y)));
    } else if (kind == R_MATRIX) {
      store<f64>(o, expvalMatrix(state, n, readoutBits(desc, r), k, matrices + (<usize>readoutField(desc, r, RF_MATRIX_OFFSET) << 3)));
    } else {
      // R_PROBS: the first `count` outcomes of the marginal on the readout's bits.
      probsMarginal(state, n, readoutBits(desc, r), k, o, <u32>readoutField(desc, r, RF_COUNT));
    }
  }
}

/**
 * Replaces one sample's exact readouts at `out` by estimates from `shots`
 * measurements, drawn with the generator at `rng` (random.ts), readout by
 * readout: a probability readout of C classes samples C + 1 outcomes (the
 * classes and "the rest", clamped to be non-negative) and reports counts /
 * shots; every other readout has two eigenvalues [RF_LOW, RF_HIGH] (the SDK
 * writes them; ±1 for Pauli words) and is a binomial estimate.
 */
export function sampleOutputs(desc: usize, out: usize, shots: i32, rng: usize): void {
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  const work = ptr(desc, D_SAMPLE_SCRATCH);
  for (let r = 0; r < numReadouts; r++) {
    const o = out + (<usize>readoutField(desc, r, RF_OUT_OFFSET) << 3);
    if (<i32>readoutField(desc, r, RF_KIND) == R_PROBS) {
      const count = <i32>readoutField(desc, r, RF_COUNT);
      const probs = work, cumulative = work + (<usize>(count + 1) << 3), counts = work + (<usize>(2 * count + 2) << 3);
      let rest = 1.0;
      for (let c = 0; c < count; c++) {
        const p = Math.max(0.0, load<f64>(o + (<usize>c << 3)));
        store<f64>(probs + (<usize>c << 3), p);
        rest -= p;
      }
      store<f64>(probs + (<usize>count << 3), Math.max(0.0, rest));
      sampleCounts(probs, count + 1, shots, rng, cumulative, counts);
      for (let c = 0; c < count; c++) store<f64>(o + (<usize>c << 3), load<f64>(counts + (<usize>c << 3)) / <f64>shots);
      continue;
    }
    store<f64>(o, sampleTwoOutcome(load<f64>(o), readoutField(desc, r, RF_LOW), readoutField(desc, r, RF_HIGH), shots, rng));
  }
}

// ------------------------------------------------------------------ forward

/**
 * Forward pass of a batch: outputs[b] (numOutputs f64 per sample). If
 * `states` is non-zero, each sample's final state is kept there for the
 * backward pass, after its ψ checkpoints when the layer uses them
 * ((checkpoints + 1)·16·2^n bytes per sample). With `shots` > 0 the outputs
 * are seeded estimates (sampleOutputs; generator state at `rng`, advanced).
 */
export function qnnForward(desc: usize, batch: i32, weights: usize, inputs: usize, outputs: usize, states: usize, shots: i32, rng: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const stateBytes = <usize>16 << <usize>n;
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const psi = ptr(desc, D_PSI);
  const kept = checkpointsPerSample(desc);
  const perSample = <usize>(kept + 1) * stateBytes;
  computeFixedAngles(desc, weights);
  fillFixedRuns(desc, false);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    const checkpoints = states != 0 && kept > 0 ? states + <usize>b * perSample : 0;
    const target = states != 0 ? states + <usize>b * perSample + <usize>kept * stateBytes : psi;
    const out = outputs + ((<usize>b * numOutputs) << 3);
    computeInputAngles(desc, inputRow);
    prepare(desc, target, inputRow);
    runSteps(desc, target, checkpoints);
    measure(desc, target, out);
    if (shots > 0) sampleOutputs(desc, out, shots, rng);
  }
}

// ------------------------------------------------------------------ backward

/** ∂L/∂M += Σ_r g_r·conj(ψ_a)ψ_b for every matrix readout r (matrices area layout). */
export function accumulateMatrixGradients(desc: usize, psi: usize, g: usize, matrixGrads: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  for (let r = 0; r < numReadouts; r++) {
    if (<i32>readoutField(desc, r, RF_KIND) != R_MATRIX) continue;
    const gk = load<f64>(g + (<usize>readoutField(desc, r, RF_OUT_OFFSET) << 3));
    if (gk == 0) continue;
    accumulateDensity(matrixGrads + (<usize>readoutField(desc, r, RF_MATRIX_OFFSET) << 3), psi, n, readoutBits(desc, r), <i32>readoutField(desc, r, RF_NUM_BITS), gk);
  }
}

/** λ = Σ_k g_k O_k ψ for the upstream gradients g of one sample; ∂L/∂M into `matrixGrads`. */
function seedLambda(desc: usize, lambda: usize, psi: usize, g: usize, matrixGrads: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const size: u32 = <u32>1 << <u32>n;
  memory.fill(lambda, 0, <usize>size << 4);
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  const matrices = ptr(desc, D_MATRICES);
  // Single-qubit ⟨Z⟩ readouts: their g summed per bit, then one pass (accumulateZ).
  const scratch = ptr(desc, D_SCRATCH);
  const perBit = scratch + (<usize>8 << <usize>min(n, Z_TABLE_BITS));
  let anyZ = false;
  for (let r = 0; r < numReadouts; r++) {
    const zBit = singleZBit(desc, r);
    if (zBit < 0) continue;
    if (!anyZ) {
      memory.fill(perBit, 0, <usize>n << 3);
      anyZ = true;
    }
    const o = perBit + (<usize>zBit << 3);
    store<f64>(o, load<f64>(o) + load<f64>(g + (<usize>readoutField(desc, r, RF_OUT_OFFSET) << 3)));
  }
  if (anyZ) accumulateZ(lambda, psi, n, perBit, scratch);
  for (let r = 0; r < numReadouts; r++) {
    if (singleZBit(desc, r) >= 0) continue;
    const kind = <i32>readoutField(desc, r, RF_KIND);
    const outOffset = <usize>readoutField(desc, r, RF_OUT_OFFSET);
    const bits = readoutBits(desc, r);
    const k = <i32>readoutField(desc, r, RF_NUM_BITS);
    if (kind == R_PAULI) {
      const gk = load<f64>(g + (outOffset << 3));
      if (gk != 0) accumulatePauli(lambda, psi, n, <u32>readoutField(desc, r, RF_X_MASK), <u32>readoutField(desc, r, RF_Z_MASK), <i32>readoutField(desc, r, RF_NUM_Y), gk);
    } else if (kind == R_MATRIX) {
      const gk = load<f64>(g + (outOffset << 3));
      const matrixOffset = <usize>readoutField(desc, r, RF_MATRIX_OFFSET);
      if (gk != 0) {
        accumulateMatrix(lambda, psi, n, bits, k, matrices + (matrixOffset << 3), gk);
        if (matrixGrads != 0) accumulateDensity(matrixGrads + (matrixOffset << 3), psi, n, bits, k, gk);
      }
    } else {
      // λ_i += g[outcome(i)]·ψ_i for outcomes below `count`
      const count = <u32>readoutField(desc, r, RF_COUNT);
      for (let i: u32 = 0; i < size; i++) {
        let outcome: u32 = 0;
        for (let t = 0; t < k; t++) outcome = (outcome << 1) | ((i >> load<u32>(bits + (<usize>t << 2))) & 1);
        if (outcome >= count) continue;
        const gk = load<f64>(g + ((outOffset + <usize>outcome) << 3));
        const p = amp(lambda, i), q = amp(psi, i);
        store<f64>(p, load<f64>(p) + gk * load<f64>(q));
        store<f64>(p, load<f64>(p, 8) + gk * load<f64>(q, 8), 8);
      }
    }
  }
}

/**
 * Walks the plan backwards from the final state and the seeded λ, adding
 * each slot's ∂L/∂θ into `grads` and leaving λ₀ = U†·λ in `lambda`, one
 * gradient group at a time: the gradients of every step of the group from λ
 * and ψ at the group's end, then the group un-applied from λ.
 * With `checkpoints` non-zero, ψ at a group's end is read from its checkpoint
 * slot and ψ itself is never un-applied; otherwise `psi` holds the final
 * state and is un-applied alongside λ.
 */
function adjointSteps(desc: usize, psi: usize, checkpoints: usize, lambda: usize, grads: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const steps = ptr(desc, D_STEPS), numSteps = <i32>field(desc, D_NUM_STEPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), scratch = ptr(desc, D_SCRATCH);
  const fused = ptr(desc, D_FUSED);
  const overlap = fused + (<usize>T_OVERLAP << 3);
  const stateBytes = <usize>16 << <usize>n;
  let last = numSteps - 1;
  while (last >= 0) {
    const groupFirst = stepField(steps, last, STEP_GROUP_FIRST);
    const slot = stepField(steps, last, STEP_CHECKPOINT);
    const at = checkpoints != 0 && slot >= 0 ? checkpoints + <usize>slot * stateBytes : psi;
    // 1. Gradients of the group, all from λ and ψ at its end.
    for (let s = groupFirst; s <= last; s++) {
      const first = stepField(steps, s, STEP_FIRST);
      if (stepField(steps, s, STEP_KIND) == STEP_RUN) {
        if (stepField(steps, s, STEP_FIXED) == 0) fuseAdjoint(steps, s, ops, consts, angles, fused);
        if (slot < 0) continue;
        const count = stepField(steps, s, STEP_COUNT);
        const block = fused + (<usize>stepField(steps, s, STEP_BLOCK) << 3);
        let overlapDone = false;
        for (let k = 0; k < count; k++) {
          const target = opSlot(ops, first + k);
          if (target < 0) continue;
          if (!overlapDone) {
            overlap1(lambda, at, n, stepField(steps, s, STEP_BIT), overlap);
            overlapDone = true;
          }
          const g = grads + (<usize>target << 3);
          store<f64>(g, load<f64>(g) + imTrace2(block + ((<usize>(RUN_HEADER + 8 * k)) << 3), overlap));
        }
        continue;
      }
      const base = ops + ((<usize>first * OP_WIDTH) << 2);
      const code = load<i32>(base);
      if (code == OP_PAULI_ROT) {
        // U = exp(−iθH), H = ½·Π_ctrl⊗P:  ∂/∂θ = 2·Im⟨λ|H|ψ⟩ = Im⟨λ|Π P|ψ⟩
        const g = innerPauliIm(lambda, at, n, <u32>load<i32>(base, 4), <u32>load<i32>(base, 8), <u32>load<i32>(base, 12), load<i32>(base, 16));
        const target = <usize>load<i32>(base, 20);
        store<f64>(grads + (target << 3), load<f64>(grads + (target << 3)) + g);
      } else if (code == OP_PHASE_ROT) {
        // U = exp(iθΠ), H = −Π:  ∂/∂θ = −2·Im⟨λ|Π|ψ⟩
        const g = -2.0 * innerMaskIm(lambda, at, n, <u32>load<i32>(base, 4));
        const target = <usize>load<i32>(base, 8);
        store<f64>(grads + (target << 3), load<f64>(grads + (target << 3)) + g);
      }
    }
    // 2. Un-apply the group from λ (and from ψ when it is tracked).
    for (let s = last; s >= groupFirst; s--) {
      const first = stepField(steps, s, STEP_FIRST);
      if (stepField(steps, s, STEP_KIND) == STEP_RUN) {
        const inverse = fused + (<usize>(stepField(steps, s, STEP_BLOCK) + 8) << 3);
        const bit = stepField(steps, s, STEP_BIT);
        if (checkpoints == 0) applyMatrix2(psi, n, bit, inverse);
        applyMatrix2(lambda, n, bit, inverse);
      } else {
        if (checkpoints == 0) applyOp(psi, n, ops, first, consts, angles, true, scratch);
        applyOp(lambda, n, ops, first, consts, angles, true, scratch);
      }
    }
    last = groupFirst - 1;
  }
}

/**
 * ∂L/∂(prepared inputs) of one sample from λ₀, added into `row` (its input
 * gradients): ∂L/∂Re ψ₀ = 2·Re λ₀, ∂L/∂Im ψ₀ = 2·Im λ₀. Amplitude embedding
 * u = v/‖v‖: ∂L/∂v_j = (∂L/∂u_j − u_j·Σ_i ∂L/∂u_i·u_i)/‖v‖ over every entry
 * of v (without normalisation: ∂L/∂u_j); the features get theirs, plus,
 * with the norm feature v_F = s·Σx², ∂L/∂v_F·2s·x_j; the bias and the
 * padding have no input.
 */
function addPrepGradients(desc: usize, lambda: usize, inputRow: usize, row: usize): void {
  const kind = <i32>field(desc, D_PREP_KIND);
  if (kind == PREP_NONE) return;
  const n = <i32>field(desc, D_NUM_QUBITS);
  const size: u32 = <u32>1 << <u32>n;
  const offset = <usize>field(desc, D_PREP_OFFSET) << 3;
  const features = inputRow + offset, out = row + offset;
  if (kind == PREP_STATE) {
    for (let j: u32 = 0; j < size; j++) {
      const p = amp(lambda, j);
      const re = out + (<usize>j << 3), im = out + ((<usize>size + <usize>j) << 3);
      store<f64>(re, load<f64>(re) + 2.0 * load<f64>(p));
      store<f64>(im, load<f64>(im) + 2.0 * load<f64>(p, 8));
    }
    return;
  }
  const count = <u32>field(desc, D_PREP_NUM_FEATURES);
  if (field(desc, D_PREP_NORMALIZE) == 0) {
    for (let j: u32 = 0; j < count; j++) {
      const o = out + (<usize>j << 3);
      store<f64>(o, load<f64>(o) + 2.0 * load<f64>(amp(lambda, j)));
    }
    return;
  }
  const pad = field(desc, D_PREP_PAD);
  const scale = 1.0 / Math.sqrt(amplitudeNorm2(desc, features)); // as in prepare: u = v·scale
  let dot = 0.0;
  for (let j: u32 = 0; j < size; j++) {
    const v = amplitudeEntry(features, j, count, extrasCount, extrasFirst, extrasSecond, pad);
    dot += load<f64>(amp(lambda, j)) * (v * scale);
  }
  dot *= 2.0;
  for (let j: u32 = 0; j < count; j++) {
    const o = out + (<usize>j << 3);
    const u = load<f64>(features + (<usize>j << 3)) * scale;
    store<f64>(o, load<f64>(o) + (2.0 * load<f64>(amp(lambda, j)) - u * dot) * scale);
  }
  const normScale = field(desc, D_PREP_NORM_SCALE);
  if (normScale != 0) {
    // v_F = s·Σx²: ∂v_F/∂x_j = 2s·x_j
    const gNorm = (2.0 * load<f64>(amp(lambda, count)) - extrasFirst * scale * dot) * scale;
    for (let j: u32 = 0; j < count; j++) {
      const o = out + (<usize>j << 3);
      store<f64>(o, load<f64>(o) + gNorm * (2.0 * normScale * load<f64>(features + (<usize>j << 3))));
    }
  }
}

/**
 * Adds one sample's slot gradients (`grads`, one f64 per slot) to the
 * weights (`weightGrads`, summed over the batch) and to the sample's input
 * gradients (`row`): ∂θ/∂source = the slot's scale.
 */
export function addSlotGradients(desc: usize, grads: usize, row: usize, weightGrads: usize): void {
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  for (let s = 0; s < numSlots; s++) {
    const kind = <i32>slotField(desc, s, SF_KIND);
    if (kind == SLOT_CONST) continue;
    const g = slotField(desc, s, SF_SCALE) * load<f64>(grads + (<usize>s << 3));
    const o = (kind == SLOT_INPUT ? row : weightGrads) + (<usize>slotField(desc, s, SF_INDEX) << 3);
    store<f64>(o, load<f64>(o) + g);
  }
}

/**
 * With D_SAMPLE_GRADS set, copies sample `b`'s slot gradients (one f64 per
 * slot) there, at row b: a caller that splits a batch (the worker pool)
 * sums them over the whole batch in sample order, as addSlotGradients does.
 */
export function keepSampleGradients(desc: usize, grads: usize, b: i32): void {
  const out = ptr(desc, D_SAMPLE_GRADS);
  if (out == 0) return;
  const bytes = <usize>field(desc, D_NUM_SLOTS) << 3;
  memory.copy(out + <usize>b * bytes, grads, bytes);
}

/**
 * Adjoint backward pass of a batch (a vector-Jacobian product). Given the
 * upstream gradients g (batch × numOutputs):
 * - writes `inputGrads` (batch × numInputs): ∂L/∂inputs of every sample,
 *   through angle slots and through the state preparation;
 * - accumulates Σ_batch ∂L/∂weights into `weightGrads` (numWeights f64);
 * - accumulates, over the batch, ∂L/∂M for every matrix readout into
 *   `matrixGrads` (same layout as the matrices area), if non-zero;
 * - with D_SAMPLE_GRADS set, keeps every sample's slot gradients there.
 * `states` holds the forward pass's final states, or is 0 to recompute them.
 */
export function qnnBackward(
  desc: usize, batch: i32, weights: usize, inputs: usize, upstream: usize, states: usize,
  weightGrads: usize, inputGrads: usize, matrixGrads: usize,
): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const stateBytes = <usize>16 << <usize>n;
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const psi = ptr(desc, D_PSI), lambda = ptr(desc, D_LAMBDA), grads = ptr(desc, D_SLOT_GRADS);
  const kept = checkpointsPerSample(desc);
  const perSample = <usize>(kept + 1) * stateBytes;
  const useCheckpoints = field(desc, D_USE_CHECKPOINTS) != 0;
  computeFixedAngles(desc, weights);
  fillFixedRuns(desc, true);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    computeInputAngles(desc, inputRow);
    // The sample's checkpoints and final state: kept by the forward pass, or recomputed here.
    let base = states + <usize>b * perSample;
    if (states == 0) {
      base = useCheckpoints ? ptr(desc, D_CHECKPOINT_SCRATCH) : psi;
      prepare(desc, base + <usize>kept * stateBytes, inputRow);
      runSteps(desc, base + <usize>kept * stateBytes, useCheckpoints ? base : 0);
    }
    const final = base + <usize>kept * stateBytes;
    if (!useCheckpoints && final != psi) memory.copy(psi, final, stateBytes);
    seedLambda(desc, lambda, final, upstream + ((<usize>b * numOutputs) << 3), matrixGrads);
    memory.fill(grads, 0, <usize>numSlots << 3);
    adjointSteps(desc, psi, useCheckpoints ? base : 0, lambda, grads);
    const row = inputGrads + ((<usize>b * numInputs) << 3);
    memory.fill(row, 0, numInputs << 3);
    addPrepGradients(desc, lambda, inputRow, row);
    keepSampleGradients(desc, grads, b);
    addSlotGradients(desc, grads, row, weightGrads);
  }
}
