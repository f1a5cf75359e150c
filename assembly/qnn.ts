// Batched QNN forward and adjoint backward: ONE call runs a whole batch.
// A layer is described by a descriptor of f64 fields (see sdk/qnn/layer-format.ts,
// which mirrors the constants below): the tape, where each angle comes from,
// the state preparation and the readouts.
import { amp } from './kernels/bits';
import { spread } from './kernels/dense-k';
import { applyOp } from './tape';
import { OP_PAULI_ROT, OP_PHASE_ROT, OP_WIDTH } from './tape';
import { expvalMatrix, expvalPauliWord, probsSubset } from './measure';
import { accumulateDensity, accumulateMatrix, accumulatePauli, innerMaskIm, innerPauliIm } from './adjoint';

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
export const D_WIDTH = 24;

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
  return 1;
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

function computeAngles(desc: usize, weights: usize, inputRow: usize): void {
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const slots = ptr(desc, D_SLOTS);
  const angles = ptr(desc, D_ANGLES);
  for (let s = 0; s < numSlots; s++) {
    const base = slots + ((<usize>(s * SLOT_WIDTH)) << 3);
    const kind = <i32>load<f64>(base);
    const index = <usize>load<f64>(base, 8);
    const scale = load<f64>(base, 16);
    const offset = load<f64>(base, 24);
    let value = offset;
    if (kind == SLOT_WEIGHT) value = scale * load<f64>(weights + (index << 3)) + offset;
    else if (kind == SLOT_INPUT) value = scale * load<f64>(inputRow + (index << 3)) + offset;
    store<f64>(angles + (<usize>s << 3), value);
  }
}

function prepare(desc: usize, state: usize, inputRow: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const size: u32 = <u32>1 << <u32>n;
  const kind = <i32>field(desc, D_PREP_KIND);
  memory.fill(state, 0, <usize>size << 4);
  if (kind == PREP_NONE) {
    store<f64>(state, 1.0);
    return;
  }
  const offset = <usize>field(desc, D_PREP_OFFSET);
  if (kind == PREP_STATE) {
    for (let i: u32 = 0; i < size; i++) {
      const p = amp(state, i);
      store<f64>(p, load<f64>(inputRow + ((offset + <usize>i) << 3)));
      store<f64>(p, load<f64>(inputRow + ((offset + <usize>size + <usize>i) << 3)), 8);
    }
    return;
  }
  const count = <u32>field(desc, D_PREP_NUM_FEATURES);
  const pad = field(desc, D_PREP_PAD);
  let norm2 = 0.0;
  for (let i: u32 = 0; i < size; i++) {
    const v = i < count ? load<f64>(inputRow + ((offset + <usize>i) << 3)) : pad;
    store<f64>(amp(state, i), v);
    norm2 += v * v;
  }
  if (field(desc, D_PREP_NORMALIZE) != 0) {
    assert(norm2 > 0, 'amplitude embedding of a zero vector');
    const inv = 1.0 / Math.sqrt(norm2);
    for (let i: u32 = 0; i < size; i++) {
      const p = amp(state, i);
      store<f64>(p, load<f64>(p) * inv);
    }
  }
}

function runForward(desc: usize, state: usize, weights: usize, inputRow: usize): void {
  computeAngles(desc, weights, inputRow);
  prepare(desc, state, inputRow);
  const n = <i32>field(desc, D_NUM_QUBITS);
  const numOps = <i32>field(desc, D_NUM_OPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), scratch = ptr(desc, D_SCRATCH);
  for (let i = 0; i < numOps; i++) applyOp(state, n, ops, i, consts, angles, false, scratch);
}

function measure(desc: usize, state: usize, out: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  const bitsBase = ptr(desc, D_BITS);
  const matrices = ptr(desc, D_MATRICES);
  for (let r = 0; r < numReadouts; r++) {
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
      const scratch = ptr(desc, D_SCRATCH);
      probsSubset(state, n, bits, k, scratch);
      memory.copy(o, scratch, <usize>count << 3);
    }
  }
}

/**
 * Forward pass of a batch: outputs[b] (numOutputs f64 per sample). If
 * `states` is non-zero, the final state of each sample is kept there
 * (16·2^n bytes per sample) for the backward pass.
 */
export function qnnForward(desc: usize, batch: i32, weights: usize, inputs: usize, outputs: usize, states: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const stateBytes = <usize>16 << <usize>n;
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const psi = ptr(desc, D_PSI);
  for (let b = 0; b < batch; b++) {
    const target = states != 0 ? states + <usize>b * stateBytes : psi;
    runForward(desc, target, weights, inputs + ((<usize>b * numInputs) << 3));
    measure(desc, target, outputs + ((<usize>b * numOutputs) << 3));
  }
}

function seedLambda(desc: usize, lambda: usize, psi: usize, g: usize, matrixGrads: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const size: u32 = <u32>1 << <u32>n;
  memory.fill(lambda, 0, <usize>size << 4);
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  const bitsBase = ptr(desc, D_BITS);
  const matrices = ptr(desc, D_MATRICES);
  for (let r = 0; r < numReadouts; r++) {
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
 * Adjoint backward pass of a batch (a vector-Jacobian product). Given the
 * upstream gradients g (batch × numOutputs), writes for every sample:
 * - slotGrads[b][s] = Σ_k g_k ∂out_k/∂θ_s (batch × numSlots);
 * - if `stateGrads` is non-zero, λ₀ = U†·(Σ_k g_k O_k)·ψ_final as
 *   interleaved complex (2·2^n f64 per sample): ∂L/∂Re ψ₀ = 2·Re λ₀,
 *   ∂L/∂Im ψ₀ = 2·Im λ₀;
 * and accumulates, over the batch, ∂L/∂M for every matrix readout into
 * `matrixGrads` (same layout as the matrices area), if non-zero.
 * `states` holds the forward pass's final states, or is 0 to recompute them.
 */
export function qnnBackward(
  desc: usize, batch: i32, weights: usize, inputs: usize, upstream: usize, states: usize,
  slotGrads: usize, stateGrads: usize, matrixGrads: usize,
): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const stateBytes = <usize>16 << <usize>n;
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const numOps = <i32>field(desc, D_NUM_OPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), scratch = ptr(desc, D_SCRATCH);
  const psi = ptr(desc, D_PSI), lambda = ptr(desc, D_LAMBDA);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    if (states != 0) {
      computeAngles(desc, weights, inputRow);
      memory.copy(psi, states + <usize>b * stateBytes, stateBytes);
    } else {
      runForward(desc, psi, weights, inputRow);
    }
    seedLambda(desc, lambda, psi, upstream + ((<usize>b * numOutputs) << 3), matrixGrads);
    const grads = slotGrads + ((<usize>(b * numSlots)) << 3);
    for (let s = 0; s < numSlots; s++) store<f64>(grads + (<usize>s << 3), 0.0);
    for (let i = numOps - 1; i >= 0; i--) {
      const base = ops + ((<usize>i * OP_WIDTH) << 2);
      const code = load<i32>(base);
      if (code == OP_PAULI_ROT) {
        // U = exp(−iθH), H = ½·Π_ctrl⊗P:  ∂/∂θ = 2·Im⟨λ|H|ψ⟩ = Im⟨λ|Π P|ψ⟩
        const g = innerPauliIm(lambda, psi, n, <u32>load<i32>(base, 4), <u32>load<i32>(base, 8), <u32>load<i32>(base, 12), load<i32>(base, 16));
        const slot = <usize>load<i32>(base, 20);
        store<f64>(grads + (slot << 3), load<f64>(grads + (slot << 3)) + g);
      } else if (code == OP_PHASE_ROT) {
        // U = exp(iθΠ), H = −Π:  ∂/∂θ = −2·Im⟨λ|Π|ψ⟩
        const g = -2.0 * innerMaskIm(lambda, psi, n, <u32>load<i32>(base, 4));
        const slot = <usize>load<i32>(base, 8);
        store<f64>(grads + (slot << 3), load<f64>(grads + (slot << 3)) + g);
      }
      applyOp(psi, n, ops, i, consts, angles, true, scratch);
      applyOp(lambda, n, ops, i, consts, angles, true, scratch);
    }
    if (stateGrads != 0) memory.copy(stateGrads + <usize>b * stateBytes, lambda, stateBytes);
  }
}

/**
 * Forward pass with one slot's angle shifted by `delta` for every sample
 * (parameter-shift rules with shots sample each shifted circuit).
 */
export function qnnForwardShifted(desc: usize, batch: i32, weights: usize, inputs: usize, outputs: usize, slot: i32, delta: f64): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const numOps = <i32>field(desc, D_NUM_OPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), scratch = ptr(desc, D_SCRATCH);
  const psi = ptr(desc, D_PSI);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    computeAngles(desc, weights, inputRow);
    const a = angles + (<usize>slot << 3);
    store<f64>(a, load<f64>(a) + delta);
    prepare(desc, psi, inputRow);
    for (let i = 0; i < numOps; i++) applyOp(psi, n, ops, i, consts, angles, false, scratch);
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
  const n = <i32>field(desc, D_NUM_QUBITS);
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <i32>field(desc, D_NUM_OUTPUTS);
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  const numOps = <i32>field(desc, D_NUM_OPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), scratch = ptr(desc, D_SCRATCH);
  const psi = ptr(desc, D_PSI);
  const plus = work, minus = work + (<usize>numOutputs << 3);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    const g = upstream + ((<usize>(b * numOutputs)) << 3);
    for (let s = 0; s < numSlots; s++) {
      const rule = rules + ((<usize>(s * RULE_WIDTH)) << 3);
      const terms = <i32>load<f64>(rule);
      let total = 0.0;
      for (let mu = 0; mu < terms; mu++) {
        const shift = load<f64>(rule + ((<usize>(1 + mu)) << 3));
        const coeff = load<f64>(rule + ((<usize>(1 + RULE_MAX_TERMS + mu)) << 3));
        for (let side = 0; side < 2; side++) {
          computeAngles(desc, weights, inputRow);
          const a = angles + (<usize>s << 3);
          store<f64>(a, load<f64>(a) + (side == 0 ? shift : -shift));
          prepare(desc, psi, inputRow);
          for (let i = 0; i < numOps; i++) applyOp(psi, n, ops, i, consts, angles, false, scratch);
          measure(desc, psi, side == 0 ? plus : minus);
        }
        let dot = 0.0;
        for (let k = 0; k < numOutputs; k++) {
          dot += load<f64>(g + (<usize>k << 3)) * (load<f64>(plus + (<usize>k << 3)) - load<f64>(minus + (<usize>k << 3)));
        }
        total += coeff * dot;
      }
      store<f64>(slotGrads + ((<usize>(b * numSlots + s)) << 3), total);
    }
  }
}

export const RULE_MAX_TERMS = 4;
export const RULE_WIDTH = 1 + 2 * RULE_MAX_TERMS;

