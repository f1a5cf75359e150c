// Batched QNN forward and adjoint backward: ONE call runs a whole batch.
// A layer is described by a descriptor of f64 fields (see sdk/qnn/layer-format.ts,
// which mirrors the constants below): the tape, where each angle comes from,
// the state preparation, the readouts, and the plan (fusion.ts) that qnnPlan
// builds once per layer: the tape's ops as steps, runs of single-qubit ops
// fused into one 2x2 each.
//
// Per engine call, the angles of weight and constant slots and the matrices
// of FIXED runs (angles from weights and constants only) are computed once;
// per sample, only input slots and the runs that read them.
import { amp } from './kernels/bits';
import { applyOp, OP_PAULI_ROT, OP_PHASE_ROT, OP_WIDTH } from './tape';
import { expvalMatrix, expvalPauliWord, expvalZAll, probsSubset, Z_TABLE_BITS } from './measure';
import {
  accumulateDensity, accumulateMatrix, accumulatePauli, accumulateZ, innerMaskIm, innerPauliIm, overlap1,
} from './adjoint';
import {
  applyMatrix2, buildSteps, fuseAdjoint, fuseForward, groupSteps, imTrace2, opSlot, runUsesSlot, stepField,
  RUN_HEADER, STEP_BIT, STEP_BLOCK, STEP_CHECKPOINT, STEP_COUNT, STEP_FIRST, STEP_FIXED, STEP_GROUP_FIRST, STEP_KIND,
  STEP_RUN, STEP_WIDTH, T_DIRTY, T_OVERLAP,
} from './fusion';

export const D_NUM_QUBITS = 0;
export const D_NUM_OPS = 1;
export const D_OPS = 2;
export const D_CONSTS = 3;
export const D_NUM_SLOTS = 4;
export const D_SLOTS = 5;
export const D_PREP_KIND = 6;
export const D_PREP_NUM_FEATURES = 7;
export const D_PREP_OFFSET = 8;
export const D_PREP_NORMALIZE = 9;
export const D_PREP_PAD = 10;
export const D_NUM_READOUTS = 11;
export const D_READOUTS = 12;
export const D_NUM_OUTPUTS = 13;
export const D_NUM_INPUTS = 14;
export const D_ANGLES = 15;
export const D_SCRATCH = 16;
export const D_BITS = 17;
export const D_MATRICES = 18;
export const D_PSI = 19;
export const D_LAMBDA = 20;
export const D_STEPS = 21;           // i32 × STEP_WIDTH per op (written by qnnPlan)
export const D_NUM_STEPS = 22;       // written by qnnPlan
export const D_FUSED = 23;           // f64 × fusedLength(numOps): run matrices
export const D_INPUT_SLOTS = 24;     // i32 per slot: the input slots (written by qnnPlan)
export const D_NUM_INPUT_SLOTS = 25; // written by qnnPlan
export const D_SLOT_GRADS = 26;      // f64 per slot: one sample's gradients (backward)
export const D_NUM_CHECKPOINTS = 27; // ψ checkpoint slots of the plan (written by qnnPlan)
export const D_USE_CHECKPOINTS = 28; // 1: kept states carry the checkpoints (set by the SDK)
export const D_CHECKPOINT_SCRATCH = 29; // one sample's checkpoints + final state, for a backward that recomputes
export const D_WIDTH = 32;

export const PREP_NONE = 0;
export const PREP_AMPLITUDE = 1;
export const PREP_STATE = 2;

export const SLOT_WIDTH = 4; // kind, index, scale, offset
export const SLOT_CONST = 0;
export const SLOT_WEIGHT = 1;
export const SLOT_INPUT = 2;

export const R_WIDTH = 8; // kind, outOffset, count, xMask, zMask, numY, k, matrixOffset
export const R_PAULI = 1;
export const R_MATRIX = 2;
export const R_PROBS = 3;
export const BITS_PER_READOUT = 8;

/** Version of the descriptor layout; sdk/qnn/layer-format.ts checks it. */
export function qnnFormatVersion(): i32 {
  return 2;
}

// @ts-ignore: decorator
@inline
function field(desc: usize, index: i32): f64 {
  return load<f64>(desc + (<usize>index << 3));
}

// @ts-ignore: decorator
@inline
function ptr(desc: usize, index: i32): usize {
  return <usize>field(desc, index);
}

// @ts-ignore: decorator
@inline
function readoutField(desc: usize, r: i32, f: i32): f64 {
  return load<f64>(ptr(desc, D_READOUTS) + ((<usize>(r * R_WIDTH + f)) << 3));
}

// @ts-ignore: decorator
@inline
function slotField(desc: usize, s: i32, f: i32): f64 {
  return load<f64>(ptr(desc, D_SLOTS) + ((<usize>(s * SLOT_WIDTH + f)) << 3));
}

/** A ⟨Z_b⟩ readout on one bit: its bit, else −1. */
// @ts-ignore: decorator
@inline
function singleZBit(desc: usize, r: i32): i32 {
  if (<i32>readoutField(desc, r, 0) != R_PAULI || <u32>readoutField(desc, r, 3) != 0) return -1;
  const z = <u32>readoutField(desc, r, 4);
  return popcnt(z) == 1 ? <i32>ctz(z) : -1;
}

/**
 * Builds the layer's plan, once, after the SDK has written the descriptor:
 * the steps and gradient groups (fusion.ts) with runs that read an input
 * slot marked per-sample, and the list of input slots.
 */
export function qnnPlan(desc: usize): void {
  const ops = ptr(desc, D_OPS), steps = ptr(desc, D_STEPS);
  const numSteps = buildSteps(ops, <i32>field(desc, D_NUM_OPS), steps);
  store<f64>(desc + (<usize>D_NUM_STEPS << 3), <f64>numSteps);
  store<f64>(desc + (<usize>D_NUM_CHECKPOINTS << 3), <f64>groupSteps(steps, numSteps, ops));
  for (let s = 0; s < numSteps; s++) {
    if (stepField(steps, s, STEP_KIND) != STEP_RUN) continue;
    const first = stepField(steps, s, STEP_FIRST), count = stepField(steps, s, STEP_COUNT);
    for (let k = first; k < first + count; k++) {
      const slot = opSlot(ops, k);
      if (slot >= 0 && <i32>slotField(desc, slot, 0) == SLOT_INPUT) {
        store<i32>(steps + ((<usize>s * STEP_WIDTH + STEP_FIXED) << 2), 0);
      }
    }
  }
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const inputSlots = ptr(desc, D_INPUT_SLOTS);
  let numInputSlots = 0;
  for (let s = 0; s < numSlots; s++) {
    if (<i32>slotField(desc, s, 0) != SLOT_INPUT) continue;
    store<i32>(inputSlots + (<usize>numInputSlots << 2), s);
    numInputSlots++;
  }
  store<f64>(desc + (<usize>D_NUM_INPUT_SLOTS << 3), <f64>numInputSlots);
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
function computeFixedAngles(desc: usize, weights: usize): void {
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const angles = ptr(desc, D_ANGLES);
  for (let s = 0; s < numSlots; s++) {
    const kind = <i32>slotField(desc, s, 0);
    if (kind == SLOT_INPUT) continue;
    let value = slotField(desc, s, 3);
    if (kind == SLOT_WEIGHT) value = slotField(desc, s, 2) * load<f64>(weights + (<usize>slotField(desc, s, 1) << 3)) + value;
    store<f64>(angles + (<usize>s << 3), value);
  }
}

/** Angles of the input slots for one sample: θ = scale·input + offset. */
function computeInputAngles(desc: usize, inputRow: usize): void {
  const count = <i32>field(desc, D_NUM_INPUT_SLOTS);
  const list = ptr(desc, D_INPUT_SLOTS), angles = ptr(desc, D_ANGLES);
  for (let i = 0; i < count; i++) {
    const s = load<i32>(list + (<usize>i << 2));
    store<f64>(angles + (<usize>s << 3), slotField(desc, s, 2) * load<f64>(inputRow + (<usize>slotField(desc, s, 1) << 3)) + slotField(desc, s, 3));
  }
}

/** Fills the matrices of the fixed runs from the current angles: F, and with `adjoint` also F† and the A_k. */
function fillFixedRuns(desc: usize, adjoint: bool): void {
  const steps = ptr(desc, D_STEPS), numSteps = <i32>field(desc, D_NUM_STEPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), fused = ptr(desc, D_FUSED);
  for (let s = 0; s < numSteps; s++) {
    if (stepField(steps, s, STEP_KIND) != STEP_RUN || stepField(steps, s, STEP_FIXED) == 0) continue;
    fuseForward(steps, s, ops, consts, angles, fused, fused + (<usize>stepField(steps, s, STEP_BLOCK) << 3));
    if (adjoint) fuseAdjoint(steps, s, ops, consts, angles, fused);
  }
}

// ------------------------------------------------------------------ forward

/**
 * |ψ₀⟩ of one sample. Amplitude embedding: the padded features v, divided by
 * ‖v‖ (summed in index order) when normalising, written in one pass.
 */
function prepare(desc: usize, state: usize, inputRow: usize): void {
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
    const norm2 = amplitudeNorm2(features, count, size, pad);
    assert(norm2 > 0, 'amplitude embedding of a zero vector');
    scale = 1.0 / Math.sqrt(norm2);
  }
  for (let i: u32 = 0; i < size; i++) {
    const v = i < count ? load<f64>(features + (<usize>i << 3)) : pad;
    v128.store(amp(state, i), f64x2(v * scale, 0.0));
  }
}

/** Σ v_i² of the padded features, in index order. */
function amplitudeNorm2(features: usize, count: u32, size: u32, pad: f64): f64 {
  let norm2 = 0.0;
  for (let i: u32 = 0; i < size; i++) {
    const v = i < count ? load<f64>(features + (<usize>i << 3)) : pad;
    norm2 += v * v;
  }
  return norm2;
}

/**
 * Applies the plan to the state. A fixed run uses its matrix from the
 * batch's fill; a per-sample run is fused now, into its block. `dirtySlot`
 * (parameter shift, else −1) is a shifted slot: a fixed run that reads it is
 * re-fused into a temporary, leaving the batch's matrix intact. With
 * `checkpoints` non-zero, ψ is copied into checkpoint slot c after the step
 * that carries c.
 */
function runSteps(desc: usize, state: usize, dirtySlot: i32, checkpoints: usize): void {
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
      let m = fused + (<usize>stepField(steps, s, STEP_BLOCK) << 3);
      if (stepField(steps, s, STEP_FIXED) == 0) {
        fuseForward(steps, s, ops, consts, angles, fused, m);
      } else if (dirtySlot >= 0 && runUsesSlot(steps, s, ops, dirtySlot)) {
        m = fused + (<usize>T_DIRTY << 3);
        fuseForward(steps, s, ops, consts, angles, fused, m);
      }
      applyMatrix2(state, n, stepField(steps, s, STEP_BIT), m);
    }
    const slot = stepField(steps, s, STEP_CHECKPOINT);
    if (checkpoints != 0 && slot >= 0) memory.copy(checkpoints + <usize>slot * stateBytes, state, stateBytes);
  }
}

function measure(desc: usize, state: usize, out: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  const bitsBase = ptr(desc, D_BITS);
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
    store<f64>(out + (<usize>readoutField(desc, r, 1) << 3), load<f64>(zValues + (<usize>zBit << 3)));
  }
  for (let r = 0; r < numReadouts; r++) {
    if (singleZBit(desc, r) >= 0) continue;
    const kind = <i32>readoutField(desc, r, 0);
    const o = out + (<usize>readoutField(desc, r, 1) << 3);
    const bits = bitsBase + ((<usize>(r * BITS_PER_READOUT)) << 2);
    const k = <i32>readoutField(desc, r, 6);
    if (kind == R_PAULI) {
      store<f64>(o, expvalPauliWord(state, n, <u32>readoutField(desc, r, 3), <u32>readoutField(desc, r, 4), <i32>readoutField(desc, r, 5)));
    } else if (kind == R_MATRIX) {
      store<f64>(o, expvalMatrix(state, n, bits, k, matrices + (<usize>readoutField(desc, r, 7) << 3)));
    } else {
      // R_PROBS: the first `count` outcomes of the marginal on `bits`.
      const count = <i32>readoutField(desc, r, 2);
      probsSubset(state, n, bits, k, scratch);
      memory.copy(o, scratch, <usize>count << 3);
    }
  }
}

/**
 * Forward pass of a batch: outputs[b] (numOutputs f64 per sample). If
 * `states` is non-zero, each sample's final state is kept there for the
 * backward pass, after its ψ checkpoints when the layer uses them
 * ((checkpoints + 1)·16·2^n bytes per sample).
 */
export function qnnForward(desc: usize, batch: i32, weights: usize, inputs: usize, outputs: usize, states: usize): void {
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
    computeInputAngles(desc, inputRow);
    prepare(desc, target, inputRow);
    runSteps(desc, target, -1, checkpoints);
    measure(desc, target, outputs + ((<usize>b * numOutputs) << 3));
  }
}

// ------------------------------------------------------------------ backward

/** λ = Σ_k g_k O_k ψ for the upstream gradients g of one sample; ∂L/∂M into `matrixGrads`. */
function seedLambda(desc: usize, lambda: usize, psi: usize, g: usize, matrixGrads: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const size: u32 = <u32>1 << <u32>n;
  memory.fill(lambda, 0, <usize>size << 4);
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  const bitsBase = ptr(desc, D_BITS);
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
    store<f64>(o, load<f64>(o) + load<f64>(g + (<usize>readoutField(desc, r, 1) << 3)));
  }
  if (anyZ) accumulateZ(lambda, psi, n, perBit, scratch);
  for (let r = 0; r < numReadouts; r++) {
    if (singleZBit(desc, r) >= 0) continue;
    const kind = <i32>readoutField(desc, r, 0);
    const outOffset = <usize>readoutField(desc, r, 1);
    const bits = bitsBase + ((<usize>(r * BITS_PER_READOUT)) << 2);
    const k = <i32>readoutField(desc, r, 6);
    if (kind == R_PAULI) {
      const gk = load<f64>(g + (outOffset << 3));
      if (gk != 0) accumulatePauli(lambda, psi, n, <u32>readoutField(desc, r, 3), <u32>readoutField(desc, r, 4), <i32>readoutField(desc, r, 5), gk);
    } else if (kind == R_MATRIX) {
      const gk = load<f64>(g + (outOffset << 3));
      const matrixOffset = <usize>readoutField(desc, r, 7);
      if (gk != 0) {
        accumulateMatrix(lambda, psi, n, bits, k, matrices + (matrixOffset << 3), gk);
        if (matrixGrads != 0) accumulateDensity(matrixGrads + (matrixOffset << 3), psi, n, bits, k, gk);
      }
    } else {
      // λ_i += g[outcome(i)]·ψ_i for outcomes below `count`
      const count = <u32>readoutField(desc, r, 2);
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
 * u = v/‖v‖: ∂L/∂v_j = (∂L/∂u_j − u_j·Σ_i ∂L/∂u_i·u_i)/‖v‖ (without
 * normalisation: ∂L/∂u_j); padding positions have no input.
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
  const scale = 1.0 / Math.sqrt(amplitudeNorm2(features, count, size, pad)); // as in prepare: u = v·scale
  let dot = 0.0;
  for (let j: u32 = 0; j < size; j++) {
    const v = j < count ? load<f64>(features + (<usize>j << 3)) : pad;
    dot += load<f64>(amp(lambda, j)) * (v * scale);
  }
  dot *= 2.0;
  for (let j: u32 = 0; j < count; j++) {
    const o = out + (<usize>j << 3);
    const u = load<f64>(features + (<usize>j << 3)) * scale;
    store<f64>(o, load<f64>(o) + (2.0 * load<f64>(amp(lambda, j)) - u * dot) * scale);
  }
}

/**
 * Adjoint backward pass of a batch (a vector-Jacobian product). Given the
 * upstream gradients g (batch × numOutputs):
 * - writes `inputGrads` (batch × numInputs): ∂L/∂inputs of every sample,
 *   through angle slots and through the state preparation;
 * - accumulates Σ_batch ∂L/∂weights into `weightGrads` (numWeights f64);
 * - accumulates, over the batch, ∂L/∂M for every matrix readout into
 *   `matrixGrads` (same layout as the matrices area), if non-zero.
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
      runSteps(desc, base + <usize>kept * stateBytes, -1, useCheckpoints ? base : 0);
    }
    const final = base + <usize>kept * stateBytes;
    if (!useCheckpoints && final != psi) memory.copy(psi, final, stateBytes);
    seedLambda(desc, lambda, final, upstream + ((<usize>b * numOutputs) << 3), matrixGrads);
    memory.fill(grads, 0, <usize>numSlots << 3);
    adjointSteps(desc, psi, useCheckpoints ? base : 0, lambda, grads);
    const row = inputGrads + ((<usize>b * numInputs) << 3);
    memory.fill(row, 0, numInputs << 3);
    addPrepGradients(desc, lambda, inputRow, row);
    for (let s = 0; s < numSlots; s++) {
      const kind = <i32>slotField(desc, s, 0);
      if (kind == SLOT_CONST) continue;
      const g = slotField(desc, s, 2) * load<f64>(grads + (<usize>s << 3));
      const o = (kind == SLOT_INPUT ? row : weightGrads) + (<usize>slotField(desc, s, 1) << 3);
      store<f64>(o, load<f64>(o) + g);
    }
  }
}

// ------------------------------------------------------------ parameter shift

/**
 * Forward pass with one slot's angle shifted by `delta` for every sample
 * (parameter-shift rules with shots sample each shifted circuit).
 */
export function qnnForwardShifted(desc: usize, batch: i32, weights: usize, inputs: usize, outputs: usize, slot: i32, delta: f64): void {
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const psi = ptr(desc, D_PSI);
  const a = ptr(desc, D_ANGLES) + (<usize>slot << 3);
  const perSample = <i32>slotField(desc, slot, 0) == SLOT_INPUT;
  computeFixedAngles(desc, weights);
  if (!perSample) store<f64>(a, load<f64>(a) + delta);
  fillFixedRuns(desc, false);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    computeInputAngles(desc, inputRow);
    if (perSample) store<f64>(a, load<f64>(a) + delta);
    prepare(desc, psi, inputRow);
    runSteps(desc, psi, -1, 0);
    measure(desc, psi, outputs + ((<usize>b * numOutputs) << 3));
  }
}

/**
 * Exact parameter-shift gradients for a batch in one call: for every slot s
 * with rule (shifts, coefficients) at `rules` (per slot: R, then R shifts
 * and R coefficients, padded to RULE_WIDTH f64), slotGrads[b][s] =
 * Σ_k g_k Σ_μ c_μ (out_k(θ_s + s_μ) − out_k(θ_s − s_μ)).
 * `work` holds 2·numOutputs f64.
 */
export function qnnParamShift(
  desc: usize, batch: i32, weights: usize, inputs: usize, upstream: usize, rules: usize, slotGrads: usize, work: usize,
): void {
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <i32>field(desc, D_NUM_OUTPUTS);
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const angles = ptr(desc, D_ANGLES);
  const psi = ptr(desc, D_PSI);
  const plus = work, minus = work + (<usize>numOutputs << 3);
  computeFixedAngles(desc, weights);
  fillFixedRuns(desc, false);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    const g = upstream + ((<usize>(b * numOutputs)) << 3);
    computeInputAngles(desc, inputRow);
    for (let s = 0; s < numSlots; s++) {
      const rule = rules + ((<usize>(s * RULE_WIDTH)) << 3);
      const terms = <i32>load<f64>(rule);
      const a = angles + (<usize>s << 3);
      const theta = load<f64>(a);
      let total = 0.0;
      for (let mu = 0; mu < terms; mu++) {
        const shift = load<f64>(rule + ((<usize>(1 + mu)) << 3));
        const coeff = load<f64>(rule + ((<usize>(1 + RULE_MAX_TERMS + mu)) << 3));
        for (let side = 0; side < 2; side++) {
          store<f64>(a, theta + (side == 0 ? shift : -shift));
          prepare(desc, psi, inputRow);
          runSteps(desc, psi, s, 0);
          measure(desc, psi, side == 0 ? plus : minus);
        }
        let dot = 0.0;
        for (let k = 0; k < numOutputs; k++) {
          dot += load<f64>(g + (<usize>k << 3)) * (load<f64>(plus + (<usize>k << 3)) - load<f64>(minus + (<usize>k << 3)));
        }
        total += coeff * dot;
      }
      store<f64>(a, theta);
      store<f64>(slotGrads + ((<usize>(b * numSlots + s)) << 3), total);
    }
  }
}

export const RULE_MAX_TERMS = 4;
export const RULE_WIDTH = 1 + 2 * RULE_MAX_TERMS;
