// Parameter shift and finite differences of a QNN layer, ONE call per batch.
//
// Parameter shift (qnnParamShift) evaluates every shifted circuit
// E(θ_s ± s_μ) of every slot with a rule and combines them,
//   ∂L/∂θ_s = Σ_μ c_μ·(g·out(θ_s + s_μ) − g·out(θ_s − s_μ)),
// with the shifted final states built by linearity instead of re-running the
// whole circuit. Let ψ_k be the state right after the step holding slot s,
// S the rest of the circuit (its "suffix") and ψ_f = S ψ_k the final state.
// A shift δ of a rotation's angle is one more rotation by δ, which commutes
// with the op itself, and has a closed form in fixed operators D_m:
//   exp(−iδ/2·P)            = cos(δ/2)·I − i·sin(δ/2)·P              (D = P)
//   exp(−iδ/2·Π_c P)        = I + (cos(δ/2) − 1)·Π_c − i·sin(δ/2)·Π_c P  (controlled; D = Π_c, Π_c P)
//   e^{iδΠ}                 = I + (e^{iδ} − 1)·Π                        (phase; D = Π)
// and inside a fused run F = U_last ⋯ U_first the shift of factor k is
// W·(shift)·W† applied after F, W = U_last ⋯ U_{k+1}, where W P W† (or
// W Π W†) is the run's A_k / coef_k from fusion.ts. So the shifted final
// state is S(α ψ_k + Σ β_m D_m ψ_k) = α ψ_f + Σ β_m (S D_m ψ_k): each slot
// propagates its one or two vectors D_m ψ_k through the suffix once, and every
// shift of its rule is then an exact combination, measured like any final
// state (and sampled, with shots, from fresh draws per shifted run). The
// vectors start from a walk through the circuit, so a slot only pays for the
// steps after it, and the vectors of a gradient group travel together: k
// consecutive states are one register of n + log₂k qubits whose low n bits
// the steps act on, so one kernel call moves them all.
//
// Finite differences (qnnFiniteDiff) perturb weights, inputs and observable
// matrix entries by ±h in the engine. Amplitude-embedded and state inputs of
// a circuit without input-fed angles use the circuit's columns C_j = U e_j
// (computed once per batch): the perturbed final state is
// (U v ± h·C_j + …)/‖v'‖ — the forward pass of the perturbed input by
// linearity of U — instead of a full run per perturbation.
import { amp } from './kernels/bits';
import { cmul, splatIm, splatRe } from './kernels/complex';
import { applyPauliWord } from './kernels/pauli';
import { expvalMatrix } from './measure';
import { stateBasis } from './state';
import { applyOp } from './tape';
import {
  applyMatrix2, fuseAdjoint, opSlot, RUN_HEADER, STEP_BIT, STEP_BLOCK, STEP_COUNT, STEP_FIRST, STEP_FIXED,
  STEP_GROUP_FIRST, STEP_KIND, STEP_RUN, T_DIRECTION, stepField,
} from './fusion';
import {
  D_ANGLES, D_CONSTS, D_FUSED, D_MATRICES, D_NUM_INPUT_SLOTS, D_NUM_INPUTS, D_NUM_OUTPUTS, D_NUM_QUBITS,
  D_NUM_READOUTS, D_NUM_SLOTS, D_NUM_STEPS, D_NUM_WEIGHTS, D_OPS, D_OUTPUTS_SCRATCH, D_PREP_KIND, D_PREP_NORM_SCALE,
  D_PREP_NORMALIZE, D_PREP_NUM_FEATURES, D_PREP_OFFSET, D_PSI, D_SCRATCH, D_SHIFT_RECORDS, D_SLOT_GRADS, D_STACK_CAPACITY,
  D_STEPS, D_WORK_STATES,
  FD_INPUTS, FD_MATRICES, FD_WEIGHTS, OP_PAULI_ROT, OP_PHASE_ROT, OP_WIDTH, PREP_AMPLITUDE, PREP_NONE, R_MATRIX,
  RF_KIND, RF_MATRIX_OFFSET, RF_NUM_BITS, RF_OUT_OFFSET, RULE_MAX_TERMS, RULE_WIDTH, SF_INDEX, SF_KIND, SLOT_CONST,
  SLOT_WEIGHT,
} from './layout';
import { field, ptr, readoutBits, readoutField, slotField } from './qnn-desc';
import {
  accumulateMatrixGradients, addSlotGradients, amplitudeNorm2, applyStepsOn, computeFixedAngles, computeInputAngles,
  fillFixedRuns, keepSampleGradients, measure, prepare, runSteps, sampleOutputs,
} from './qnn';

// The work states at D_WORK_STATES: the walk, φ, then the direction stack (D_STACK_CAPACITY states).
const WALK = 0;
const PHI = 1;
const STACK = 2;

// How a shift δ acts (see the header): φ(δ) = α·ψ_f + β·D1 + γ·D2.
const SHIFT_ROTATION = 0;   // α = cos(δ/2), β = −i·sin(δ/2)
const SHIFT_CONTROLLED = 1; // α = 1, β = cos(δ/2) − 1, γ = −i·sin(δ/2)
const SHIFT_PHASE = 2;      // α = 1, β = e^{iδ} − 1

// @ts-ignore: decorator
@inline
function workState(desc: usize, which: i32): usize {
  return ptr(desc, D_WORK_STATES) + (<usize>which << (<usize>4 + <usize>field(desc, D_NUM_QUBITS)));
}

// @ts-ignore: decorator
@inline
function stateBytes(desc: usize): usize {
  return <usize>16 << <usize>field(desc, D_NUM_QUBITS);
}

/** out = a·x + b·y (+ c·z when `z` is non-zero), complex scalars, 2^n amplitudes; out may alias none of x, y, z. */
function combine(
  out: usize, numQubits: i32, x: usize, ar: f64, ai: f64, y: usize, br: f64, bi: f64, z: usize, cr: f64, ci: f64,
): void {
  const aR = splatRe(ar), aI = splatIm(ai), bR = splatRe(br), bI = splatIm(bi), cR = splatRe(cr), cI = splatIm(ci);
  const bytes = <usize>16 << <usize>numQubits;
  if (z == 0) {
    for (let o: usize = 0; o < bytes; o += 16) {
      v128.store(out + o, f64x2.add(cmul(v128.load(x + o), aR, aI), cmul(v128.load(y + o), bR, bI)));
    }
    return;
  }
  for (let o: usize = 0; o < bytes; o += 16) {
    v128.store(out + o, f64x2.add(f64x2.add(cmul(v128.load(x + o), aR, aI), cmul(v128.load(y + o), bR, bI)), cmul(v128.load(z + o), cR, cI)));
  }
}

/** Zeroes the amplitudes whose `mask` bits are not all 1: ψ ← Π_mask ψ. */
function projectOnMask(state: usize, numQubits: i32, mask: u32): void {
  const size: u32 = <u32>1 << <u32>numQubits;
  for (let i: u32 = 0; i < size; i++) if ((i & mask) != mask) v128.store(amp(state, i), f64x2.splat(0.0));
}

/** Σ_k g_k·out_k of one sample. */
// @ts-ignore: decorator
@inline
function dotOutputs(g: usize, out: usize, count: i32): f64 {
  let sum = 0.0;
  for (let k = 0; k < count; k++) sum += load<f64>(g + (<usize>k << 3)) * load<f64>(out + (<usize>k << 3));
  return sum;
}

/** g·readouts of the state at `state`, estimated from `shots` draws when shots > 0. */
function readoutDot(desc: usize, state: usize, g: usize, shots: i32, rng: usize): f64 {
  const out = ptr(desc, D_OUTPUTS_SCRATCH);
  measure(desc, state, out);
  if (shots > 0) sampleOutputs(desc, out, shots, rng);
  return dotOutputs(g, out, <i32>field(desc, D_NUM_OUTPUTS));
}

// ------------------------------------------------------------ parameter shift

/** Whether slot `slot` gets a gradient: it reads a weight or an input, and has a rule. */
// @ts-ignore: decorator
@inline
function wantsShift(desc: usize, rules: usize, slot: i32): bool {
  return slot >= 0 && <i32>slotField(desc, slot, SF_KIND) != SLOT_CONST && load<f64>(rules + ((<usize>(slot * RULE_WIDTH)) << 3)) > 0;
}

/**
 * Every term of slot `slot`'s rule: the shifted final states from ψ_f (at
 * D_PSI) and the propagated directions `d1`, `d2`, measured (sampled with
 * shots) and combined with the upstream g of the sample; adds ∂L/∂θ_slot to
 * the slot gradients.
 */
function shiftTerms(desc: usize, rules: usize, slot: i32, how: i32, d1: usize, d2: usize, g: usize, shots: i32, rng: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const psi = ptr(desc, D_PSI), phi = workState(desc, PHI);
  const rule = rules + ((<usize>(slot * RULE_WIDTH)) << 3);
  const terms = <i32>load<f64>(rule);
  let total = 0.0;
  for (let mu = 0; mu < terms; mu++) {
    const shift = load<f64>(rule + ((<usize>(1 + mu)) << 3));
    const coeff = load<f64>(rule + ((<usize>(1 + RULE_MAX_TERMS + mu)) << 3));
    for (let side = 0; side < 2; side++) {
      const delta = side == 0 ? shift : -shift;
      if (how == SHIFT_ROTATION) {
        combine(phi, n, psi, Math.cos(0.5 * delta), 0.0, d1, 0.0, -Math.sin(0.5 * delta), 0, 0.0, 0.0);
      } else if (how == SHIFT_CONTROLLED) {
        const q = Math.sin(0.25 * delta); // cos(δ/2) − 1 = −2·sin²(δ/4), without cancellation
        combine(phi, n, psi, 1.0, 0.0, d1, -2.0 * q * q, 0.0, d2, 0.0, -Math.sin(0.5 * delta));
      } else {
        const q = Math.sin(0.5 * delta); // e^{iδ} − 1 = −2·sin²(δ/2) + i·sin δ
        combine(phi, n, psi, 1.0, 0.0, d1, -2.0 * q * q, Math.sin(delta), 0, 0.0, 0.0);
      }
      const dot = readoutDot(desc, phi, g, shots, rng);
      total += side == 0 ? coeff * dot : -(coeff * dot);
    }
  }
  const at = ptr(desc, D_SLOT_GRADS) + (<usize>slot << 3);
  store<f64>(at, load<f64>(at) + total);
}

// A pending slot of the walk (D_SHIFT_RECORDS, 4 i32 each): slot, how it shifts, its direction vectors' stack places.
// @ts-ignore: decorator
@inline
function record(desc: usize, i: i32): usize {
  return ptr(desc, D_SHIFT_RECORDS) + (<usize>i << 4);
}

/**
 * Propagates the `count` direction vectors at the bottom of the stack from
 * step `from` to the end of the circuit (propagateStack: the steps act on the
 * low n bits, so one pass applies a step to every vector of a chunk), then
 * evaluates every pending slot's shift terms (`pending` records).
 */
function flushStack(desc: usize, from: i32, count: i32, pending: i32, rules: usize, g: usize, shots: i32, rng: usize): void {
  const bytes = stateBytes(desc);
  const stack = workState(desc, STACK);
  propagateStack(desc, stack, count, from);
  for (let i = 0; i < pending; i++) {
    const r = record(desc, i);
    const d1 = stack + <usize>load<i32>(r, 8) * bytes;
    const second = load<i32>(r, 12);
    shiftTerms(desc, rules, load<i32>(r), load<i32>(r, 4), d1, second >= 0 ? stack + <usize>second * bytes : 0, g, shots, rng);
  }
}

/** Steps `from` … last on `count` consecutive states at `states`, in chunks of 2^m states, each one (n + m)-qubit register. */
function propagateStack(desc: usize, states: usize, count: i32, from: i32): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const bytes = stateBytes(desc);
  let done = 0;
  while (done < count) {
    const m = 31 - <i32>clz(<u32>(count - done)); // the largest 2^m ≤ what is left
    applyStepsOn(desc, states + <usize>done * bytes, n + m, from);
    done += 1 << m;
  }
}

/**
 * The slot gradients of one sample (into D_SLOT_GRADS, zeroed here) by the
 * rules, walking the circuit once from |ψ₀⟩ (see the header). At the end of
 * each gradient group (runs on distinct bits commute, so a direction on one
 * run's bit may be applied after the whole group) the group's direction
 * vectors go onto a stack that is propagated through the rest of the circuit
 * together (flushStack). ψ_f must be at D_PSI and every run matrix of this
 * sample in its block (runSteps).
 */
function shiftSlots(desc: usize, inputRow: usize, rules: usize, g: usize, shots: i32, rng: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const bytes = stateBytes(desc);
  const steps = ptr(desc, D_STEPS), numSteps = <i32>field(desc, D_NUM_STEPS);
  const ops = ptr(desc, D_OPS), consts = ptr(desc, D_CONSTS), angles = ptr(desc, D_ANGLES), scratch = ptr(desc, D_SCRATCH);
  const fused = ptr(desc, D_FUSED), direction = fused + (<usize>T_DIRECTION << 3);
  const walk = workState(desc, WALK), stack = workState(desc, STACK);
  const capacity = <i32>field(desc, D_STACK_CAPACITY);
  memory.fill(ptr(desc, D_SLOT_GRADS), 0, <usize>field(desc, D_NUM_SLOTS) << 3);
  prepare(desc, walk, inputRow);
  let groupFirst = 0;
  for (let s = 0; s < numSteps; s++) {
    const first = stepField(steps, s, STEP_FIRST);
    if (stepField(steps, s, STEP_KIND) == STEP_RUN) {
      applyMatrix2(walk, n, stepField(steps, s, STEP_BIT), fused + (<usize>stepField(steps, s, STEP_BLOCK) << 3));
    } else {
      applyOp(walk, n, ops, first, consts, angles, false, scratch);
    }
    if (s + 1 < numSteps && stepField(steps, s + 1, STEP_GROUP_FIRST) == groupFirst) continue;
    // The end of a gradient group [groupFirst, s]: its slots' directions, from the walk state here.
    let count = 0, pending = 0;
    for (let t = groupFirst; t <= s; t++) {
      const at = stepField(steps, t, STEP_FIRST);
      const run = stepField(steps, t, STEP_KIND) == STEP_RUN;
      const size = run ? stepField(steps, t, STEP_COUNT) : 1;
      let adjointDone = !run || stepField(steps, t, STEP_FIXED) != 0; // fixed runs: filled for the batch
      for (let k = 0; k < size; k++) {
        const slot = opSlot(ops, at + k);
        if (!wantsShift(desc, rules, slot)) continue;
        const base = ops + ((<usize>(at + k) * OP_WIDTH) << 2);
        const rotation = load<i32>(base) == OP_PAULI_ROT;
        const controls: u32 = rotation && !run ? <u32>load<i32>(base, 12) : 0;
        const needed = controls != 0 ? 2 : 1;
        if (count + needed > capacity) {
          flushStack(desc, s + 1, count, pending, rules, g, shots, rng);
          count = 0;
          pending = 0;
        }
        const d1 = stack + <usize>count * bytes;
        memory.copy(d1, walk, bytes);
        const r = record(desc, pending);
        store<i32>(r, slot);
        store<i32>(r, count, 8);
        store<i32>(r, -1, 12);
        if (run) {
          // D = A_k / coef_k: W P W† for a Pauli rotation (coef 1), W Π W† for a phase (coef −2).
          if (!adjointDone) {
            fuseAdjoint(steps, t, ops, consts, angles, fused);
            adjointDone = true;
          }
          const block = fused + (<usize>stepField(steps, t, STEP_BLOCK) << 3);
          const a = block + ((<usize>(RUN_HEADER + 8 * k)) << 3);
          const inv = rotation ? 1.0 : -0.5;
          for (let e = 0; e < 8; e++) store<f64>(direction + (<usize>e << 3), inv * load<f64>(a + (<usize>e << 3)));
          applyMatrix2(d1, n, stepField(steps, t, STEP_BIT), direction);
          store<i32>(r, rotation ? SHIFT_ROTATION : SHIFT_PHASE, 4);
        } else if (!rotation) {
          projectOnMask(d1, n, <u32>load<i32>(base, 4)); // OP_PHASE_ROT: mask, slot
          store<i32>(r, SHIFT_PHASE, 4);
        } else {
          // OP_PAULI_ROT: xMask, zMask, ctrl, numY
          const xMask = <u32>load<i32>(base, 4), zMask = <u32>load<i32>(base, 8), numY = load<i32>(base, 16);
          if (controls == 0) {
            applyPauliWord(d1, n, xMask, zMask, 0, numY);
            store<i32>(r, SHIFT_ROTATION, 4);
          } else {
            projectOnMask(d1, n, controls);
            const d2 = d1 + bytes;
            memory.copy(d2, d1, bytes);
            applyPauliWord(d2, n, xMask, zMask, 0, numY); // P acts on the targets: it commutes with Π_c
            store<i32>(r, SHIFT_CONTROLLED, 4);
            store<i32>(r, count + 1, 12);
          }
        }
        count += needed;
        pending++;
      }
    }
    if (pending > 0) flushStack(desc, s + 1, count, pending, rules, g, shots, rng);
    groupFirst = s + 1;
  }
}

/**
 * Parameter-shift gradients of a batch in one call. For every slot that
 * reads a weight or an input and has a rule at `rules` (per slot RULE_WIDTH
 * f64: R, then R shifts and R coefficients), ∂L/∂θ = Σ_μ c_μ·(g·out(θ + s_μ)
 * − g·out(θ − s_μ)), every shifted run sampled afresh with `shots` > 0
 * (generator at `rng`). Slot gradients go to `weightGrads` (summed over the
 * batch) and `inputGrads` (batch × numInputs, written). Also, per sample:
 * - with `matrixGrads` non-zero, ∂L/∂M of every matrix readout from the
 *   unshifted final state (exact: ⟨M⟩ is linear in M), summed over the batch;
 * - with `prepStep` > 0, ∂L/∂(state-preparation inputs) by central
 *   differences of step prepStep (linear in `columns` when non-zero, see
 *   qnnPrepColumns);
 * - with D_SAMPLE_GRADS set, every sample's slot gradients there (keepSampleGradients).
 */
export function qnnParamShift(
  desc: usize, batch: i32, weights: usize, inputs: usize, upstream: usize, rules: usize,
  weightGrads: usize, inputGrads: usize, matrixGrads: usize, prepStep: f64, columns: usize, shots: i32, rng: usize,
): void {
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const psi = ptr(desc, D_PSI);
  computeFixedAngles(desc, weights);
  fillFixedRuns(desc, true);
  if (columns != 0) computeColumns(desc, columns);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    const g = upstream + ((<usize>b * numOutputs) << 3);
    const row = inputGrads + ((<usize>b * numInputs) << 3);
    memory.fill(row, 0, numInputs << 3);
    computeInputAngles(desc, inputRow);
    prepare(desc, psi, inputRow);
    runSteps(desc, psi, 0);
    if (matrixGrads != 0) accumulateMatrixGradients(desc, psi, g, matrixGrads);
    shiftSlots(desc, inputRow, rules, g, shots, rng);
    keepSampleGradients(desc, ptr(desc, D_SLOT_GRADS), b);
    addSlotGradients(desc, ptr(desc, D_SLOT_GRADS), row, weightGrads);
    if (prepStep > 0) prepDifferences(desc, inputRow, g, prepStep, columns, false, row);
  }
}

// ------------------------------------------------------------ finite differences

/** How many columns C_j = U e_j qnnPrepColumns computes (0: no state preparation). */
export function qnnPrepColumnCount(desc: usize): i32 {
  const kind = <i32>field(desc, D_PREP_KIND);
  if (kind == PREP_NONE) return 0;
  if (kind != PREP_AMPLITUDE) return 1 << <i32>field(desc, D_NUM_QUBITS);
  return <i32>field(desc, D_PREP_NUM_FEATURES) + (field(desc, D_PREP_NORM_SCALE) != 0 ? 1 : 0);
}

/**
 * The columns of the circuit's unitary U that the perturbed inputs of the
 * state preparation move along: amplitude embedding, C_j = U e_j for every
 * feature j, then the norm feature's column; state input, every column.
 * Valid only for a circuit whose angles read no inputs (U is the same for
 * every sample); the fixed runs must be filled.
 */
function computeColumns(desc: usize, columns: usize): void {
  assert(<i32>field(desc, D_NUM_INPUT_SLOTS) == 0, 'prep columns: the circuit reads inputs in its angles');
  const n = <i32>field(desc, D_NUM_QUBITS);
  const bytes = stateBytes(desc);
  const count = qnnPrepColumnCount(desc);
  for (let c = 0; c < count; c++) stateBasis(columns + <usize>c * bytes, n, <u32>c); // the norm feature's amplitude follows the features
  propagateStack(desc, columns, count, 0);
}

/**
 * Central differences of g·out with respect to inputs [from, from + count) of
 * one sample, each re-run from the perturbed input row (restored after),
 * added to `row`. With `throughAngles` the perturbation reaches the angle
 * slots too (a full finite difference); without, only the state preparation
 * sees it (the slots' part comes from their rules).
 */
function inputDifferences(desc: usize, inputRow: usize, g: usize, h: f64, from: i32, count: i32, throughAngles: bool, row: usize): void {
  const phi = workState(desc, PHI);
  for (let j = from; j < from + count; j++) {
    const at = inputRow + (<usize>j << 3);
    const x = load<f64>(at);
    let plus = 0.0, minus = 0.0;
    for (let side = 0; side < 2; side++) {
      store<f64>(at, side == 0 ? x + h : x - h);
      if (throughAngles) computeInputAngles(desc, inputRow);
      prepare(desc, phi, inputRow);
      runSteps(desc, phi, 0);
      const dot = readoutDot(desc, phi, g, 0, 0);
      if (side == 0) plus = dot;
      else minus = dot;
    }
    store<f64>(at, x);
    const o = row + (<usize>j << 3);
    store<f64>(o, load<f64>(o) + (plus - minus) / (2.0 * h));
  }
  computeInputAngles(desc, inputRow);
}

/**
 * Central differences of g·out with respect to the inputs of the state
 * preparation of one sample (ψ_f at D_PSI), added to `row`. With `columns`,
 * by linearity: the perturbed amplitude vector v' = v + Δ_j e_j + Δ_F e_F
 * (Δ_F: the norm feature's change) gives the final state
 * (‖v‖·ψ_f + Δ_j C_j + Δ_F C_F)/‖v'‖, with ‖v'‖² = ‖v‖² + Δ(x_j²) + Δ(v_F²)
 * (unnormalised embeddings: ψ_f + Δ_j C_j; state inputs: ψ_f + Δ C_j, or
 * + i·Δ C_j for an imaginary part). Without, every perturbation re-runs the
 * circuit (inputDifferences).
 */
function prepDifferences(desc: usize, inputRow: usize, g: usize, h: f64, columns: usize, throughAngles: bool, row: usize): void {
  const kind = <i32>field(desc, D_PREP_KIND);
  if (kind == PREP_NONE) return;
  const n = <i32>field(desc, D_NUM_QUBITS);
  const size = 1 << n;
  const offset = <i32>field(desc, D_PREP_OFFSET);
  const amplitude = kind == PREP_AMPLITUDE;
  const count = amplitude ? <i32>field(desc, D_PREP_NUM_FEATURES) : 2 * size;
  if (columns == 0) {
    inputDifferences(desc, inputRow, g, h, offset, count, throughAngles, row);
    return;
  }
  const bytes = stateBytes(desc);
  const psi = ptr(desc, D_PSI), phi = workState(desc, PHI);
  const features = inputRow + (<usize>offset << 3);
  const normalize = amplitude && field(desc, D_PREP_NORMALIZE) != 0;
  // ‖v‖² and Σx² once; a perturbation x_j → x_j' changes them by x_j'² − x_j² (and the norm feature v_F = s·Σx² with them).
  const normScale = field(desc, D_PREP_NORM_SCALE);
  const norm2 = normalize ? amplitudeNorm2(desc, features) : 1.0;
  const norm = Math.sqrt(norm2);
  let sumX2 = 0.0;
  if (normScale != 0) {
    for (let j = 0; j < count; j++) {
      const x = load<f64>(features + (<usize>j << 3));
      sumX2 += x * x;
    }
  }
  const normFeature = normScale * sumX2;
  const normColumn = normScale != 0 ? columns + <usize>count * bytes : 0;
  for (let j = 0; j < count; j++) {
    const x = load<f64>(features + (<usize>j << 3));
    const column = columns + <usize>(amplitude ? j : j % size) * bytes;
    let plus = 0.0, minus = 0.0;
    for (let side = 0; side < 2; side++) {
      const moved = side == 0 ? x + h : x - h;
      const delta = moved - x;
      if (!amplitude) {
        if (j < size) combine(phi, n, psi, 1.0, 0.0, column, delta, 0.0, 0, 0.0, 0.0);
        else combine(phi, n, psi, 1.0, 0.0, column, 0.0, delta, 0, 0.0, 0.0);
      } else if (!normalize) {
        combine(phi, n, psi, 1.0, 0.0, column, delta, 0.0, 0, 0.0, 0.0);
      } else {
        const dx2 = moved * moved - x * x;
        const movedFeature = normScale * (sumX2 + dx2);
        const scale = 1.0 / Math.sqrt(norm2 + dx2 + (movedFeature * movedFeature - normFeature * normFeature));
        combine(phi, n, psi, norm * scale, 0.0, column, delta * scale, 0.0, normColumn, (movedFeature - normFeature) * scale, 0.0);
      }
      const dot = readoutDot(desc, phi, g, 0, 0);
      if (side == 0) plus = dot;
      else minus = dot;
    }
    const o = row + (<usize>(offset + j) << 3);
    store<f64>(o, load<f64>(o) + (plus - minus) / (2.0 * h));
  }
}

/**
 * Central differences of g·⟨M⟩ with respect to every entry of every matrix
 * readout (real and imaginary parts, step h, restored after) at the final
 * state at D_PSI, accumulated like accumulateDensity's ∂L/∂M (a derivative
 * d by Re M_ab adds d to Re D_ab; by Im M_ab, −d to Im D_ab).
 */
function matrixDifferences(desc: usize, g: usize, h: f64, matrixGrads: usize): void {
  const n = <i32>field(desc, D_NUM_QUBITS);
  const psi = ptr(desc, D_PSI);
  const numReadouts = <i32>field(desc, D_NUM_READOUTS);
  for (let r = 0; r < numReadouts; r++) {
    if (<i32>readoutField(desc, r, RF_KIND) != R_MATRIX) continue;
    const gk = load<f64>(g + (<usize>readoutField(desc, r, RF_OUT_OFFSET) << 3));
    if (gk == 0) continue;
    const k = <i32>readoutField(desc, r, RF_NUM_BITS), bits = readoutBits(desc, r);
    const offset = <usize>readoutField(desc, r, RF_MATRIX_OFFSET) << 3;
    const matrix = ptr(desc, D_MATRICES) + offset, grads = matrixGrads + offset;
    const entries = 2 << (2 * k); // re and im of dim² entries
    for (let e = 0; e < entries; e++) {
      const at = matrix + (<usize>e << 3);
      const m = load<f64>(at);
      store<f64>(at, m + h);
      const plus = expvalMatrix(psi, n, bits, k, matrix);
      store<f64>(at, m - h);
      const minus = expvalMatrix(psi, n, bits, k, matrix);
      store<f64>(at, m);
      const d = (gk * (plus - minus)) / (2.0 * h);
      const o = grads + (<usize>e << 3);
      store<f64>(o, (e & 1) == 0 ? load<f64>(o) + d : load<f64>(o) - d);
    }
  }
}

/** Whether some slot reads weight `w`. */
function weightUsed(desc: usize, w: i32): bool {
  const numSlots = <i32>field(desc, D_NUM_SLOTS);
  for (let s = 0; s < numSlots; s++) {
    if (<i32>slotField(desc, s, SF_KIND) == SLOT_WEIGHT && <i32>slotField(desc, s, SF_INDEX) == w) return true;
  }
  return false;
}

/**
 * g_b·out_b of every sample of the batch at the current angles of weights
 * and constants: written to `dots` (batch f64), or with `subtract` the
 * difference dots[b] − g_b·out_b summed over the batch in sample order.
 */
function batchDots(desc: usize, batch: i32, inputs: usize, upstream: usize, dots: usize, subtract: bool): f64 {
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const psi = ptr(desc, D_PSI);
  fillFixedRuns(desc, false);
  let sum = 0.0;
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    computeInputAngles(desc, inputRow);
    prepare(desc, psi, inputRow);
    runSteps(desc, psi, 0);
    const dot = readoutDot(desc, psi, upstream + ((<usize>b * numOutputs) << 3), 0, 0);
    const at = dots + (<usize>b << 3);
    if (subtract) sum += load<f64>(at) - dot;
    else store<f64>(at, dot);
  }
  return sum;
}

/**
 * Central differences of a batch in one call, step h, of L = Σ_b g_b·out_b:
 * - FD_WEIGHTS: every weight (±h in place, restored), into `weightGrads`
 *   (added: Σ_b (g_b·out_b(w + h) − g_b·out_b(w − h))/2h; `dots` holds batch f64);
 * - FD_INPUTS: every input of every sample into `inputGrads` (batch ×
 *   numInputs, written): amplitude/state inputs by linearity in `columns`
 *   when non-zero (qnnPrepColumnCount columns, 16·2^n bytes each; only for a
 *   circuit whose angles read no inputs), else a re-run per perturbation;
 * - FD_MATRICES: every entry of every matrix readout into `matrixGrads`
 *   (summed over the batch, accumulateDensity's layout).
 */
export function qnnFiniteDiff(
  desc: usize, batch: i32, weights: usize, inputs: usize, upstream: usize, h: f64, flags: i32,
  weightGrads: usize, inputGrads: usize, matrixGrads: usize, columns: usize, dots: usize,
): void {
  const numInputs = <usize>field(desc, D_NUM_INPUTS);
  const numOutputs = <usize>field(desc, D_NUM_OUTPUTS);
  const psi = ptr(desc, D_PSI);
  computeFixedAngles(desc, weights);
  if ((flags & FD_WEIGHTS) != 0) {
    const numWeights = <i32>field(desc, D_NUM_WEIGHTS);
    for (let w = 0; w < numWeights; w++) {
      if (!weightUsed(desc, w)) continue;
      const at = weights + (<usize>w << 3);
      const value = load<f64>(at);
      store<f64>(at, value + h);
      computeFixedAngles(desc, weights);
      batchDots(desc, batch, inputs, upstream, dots, false);
      store<f64>(at, value - h);
      computeFixedAngles(desc, weights);
      const difference = batchDots(desc, batch, inputs, upstream, dots, true);
      store<f64>(at, value);
      const o = weightGrads + (<usize>w << 3);
      store<f64>(o, load<f64>(o) + difference / (2.0 * h));
    }
    computeFixedAngles(desc, weights);
  }
  if ((flags & (FD_INPUTS | FD_MATRICES)) == 0) return;
  fillFixedRuns(desc, false);
  if (columns != 0 && (flags & FD_INPUTS) != 0) computeColumns(desc, columns);
  for (let b = 0; b < batch; b++) {
    const inputRow = inputs + ((<usize>b * numInputs) << 3);
    const g = upstream + ((<usize>b * numOutputs) << 3);
    computeInputAngles(desc, inputRow);
    prepare(desc, psi, inputRow);
    runSteps(desc, psi, 0);
    if ((flags & FD_MATRICES) != 0) matrixDifferences(desc, g, h, matrixGrads);
    if ((flags & FD_INPUTS) == 0) continue;
    const row = inputGrads + ((<usize>b * numInputs) << 3);
    memory.fill(row, 0, numInputs << 3);
    if (columns != 0) prepDifferences(desc, inputRow, g, h, columns, true, row);
    else inputDifferences(desc, inputRow, g, h, 0, <i32>numInputs, true, row);
  }
}
