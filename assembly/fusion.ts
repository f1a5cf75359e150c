// Fusion of single-qubit runs for the batched QNN passes (qnn.ts).
//
// A RUN is a maximal sequence (two ops or more) of consecutive tape ops that
// act on the same single bit with no controls: Dense1, Diag1, X, single-bit
// Pauli words and phases, and the parametric single-bit Pauli rotations (RX,
// RY, RZ) and phase rotations (PhaseShift). Rot = RZ·RY·RZ and U3 are runs.
// - Forward, a run is ONE 2x2: F = U_last ⋯ U_first.
// - Adjoint, ONE pass computes the overlap M_ab = Σ conj(λ[a])·ψ[b] of λ and
//   ψ on the bit (adjoint.ts overlap1); factor k's gradient is then
//   coef_k · Im Σ_ab A_ab·M_ab with A = W_k† G_k W_k, where G_k is its
//   generator and W_k = U_{k+1}† ⋯ U_last† takes λ, ψ from the end of the run
//   back to just after factor k; finally F† un-applies the whole run from ψ
//   and λ (one 2x2 each).
//
// The PLAN (built once per layer by qnnPlan) is a list of STEPS: one tape op,
// or one run. Steps form GRADIENT GROUPS: a maximal sequence of runs on
// pairwise different bits (they commute, so every run's gradient can be
// taken from λ and ψ at the END of the group: for run R_b followed by runs Q
// on other bits, ⟨Q†λ|G_b|Q†ψ⟩ = ⟨λ|G_b|ψ⟩), or one other step. A group with
// parameters gets a ψ CHECKPOINT slot: the forward pass may keep ψ there, and
// the adjoint pass then reads ψ instead of un-applying it step by step. A run whose angles all come from weights or constants is FIXED:
// its matrices are filled once per engine call and reused by every sample of
// the batch; other runs are filled per sample. Matrices live in the layer's
// own fused area (descriptor field D_FUSED), never in global memory, so
// layers sharing an engine never see each other's matrices.
//
// Layouts (STEP_WIDTH in layout.ts, mirrored by sdk/qnn/layer-format.ts):
//   step (STEP_WIDTH i32): kind, first op, op count, bit, block offset (f64),
//                          fixed, checkpoint slot, first step of its group
//   fused area (f64):      WORK_LENGTH of temporaries, then per run a block:
//                          F (8), F† (8), then A_k (8) per op of the run
//   2x2 matrices: row-major, interleaved re/im (8 f64).
import { applyDense1 } from './kernels/dense1';
import {
  OP_DENSE1, OP_DIAG1, OP_PAULI, OP_PAULI_ROT, OP_PHASE, OP_PHASE_ROT, OP_WIDTH, OP_X, STEP_WIDTH,
} from './layout';
export const STEP_OP: i32 = 0;
export const STEP_RUN: i32 = 1;
export const STEP_KIND = 0;
export const STEP_FIRST = 1;
export const STEP_COUNT = 2;
export const STEP_BIT = 3;
export const STEP_BLOCK = 4;
export const STEP_FIXED = 5;
export const STEP_CHECKPOINT = 6;  // ψ checkpoint saved after this step in the forward pass, or −1
export const STEP_GROUP_FIRST = 7; // first step of this step's gradient group

/** Temporaries at the start of the fused area (f64). */
export const WORK_LENGTH = 48;
const T_FACTOR = 0;   // one factor's 2x2
const T_FRAME = 8;    // W while walking a run backwards
const T_PRODUCT = 16; // G·W
export const T_DIRECTION = 24; // a direction 2x2 of the parameter shift (qnn-shift.ts)
export const T_OVERLAP = 32; // M of the run being differentiated
/** A run block: F, F†, then one A per op. */
export const RUN_HEADER = 16;
/** f64 per op in the worst case (every op in a run of two): half a header + one A. */
export const FUSED_PER_OP = 16;

/** Length in f64 of the fused area a tape of `numOps` ops may need. */
export function fusedLength(numOps: i32): i32 {
  return WORK_LENGTH + FUSED_PER_OP * numOps;
}

// @ts-ignore: decorator
@inline
function arg(ops: usize, index: i32, field: i32): i32 {
  return load<i32>(ops + ((<usize>index * OP_WIDTH + <usize>field) << 2));
}

// @ts-ignore: decorator
@inline
export function stepField(steps: usize, step: i32, field: i32): i32 {
  return load<i32>(steps + ((<usize>step * STEP_WIDTH + <usize>field) << 2));
}

// @ts-ignore: decorator
@inline
function setStepField(steps: usize, step: i32, field: i32, value: i32): void {
  store<i32>(steps + ((<usize>step * STEP_WIDTH + <usize>field) << 2), value);
}

// @ts-ignore: decorator
@inline
function oneBit(mask: u32): i32 {
  return popcnt(mask) == 1 ? <i32>ctz(mask) : -1;
}

/** The bit op `index` acts on if it can join a run (uncontrolled, one bit), else −1. */
export function fusableBit(ops: usize, index: i32): i32 {
  switch (arg(ops, index, 0)) {
    case OP_DENSE1:
    case OP_DIAG1:
    case OP_X:
      return arg(ops, index, 2) == 0 ? arg(ops, index, 1) : -1;
    case OP_PHASE:
    case OP_PHASE_ROT:
      return oneBit(<u32>arg(ops, index, 1));
    case OP_PAULI:
    case OP_PAULI_ROT:
      return arg(ops, index, 3) == 0 ? oneBit(<u32>arg(ops, index, 1) | <u32>arg(ops, index, 2)) : -1;
    default:
      return -1;
  }
}

/** The angle slot of op `index`, or −1 for a constant op. */
export function opSlot(ops: usize, index: i32): i32 {
  const code = arg(ops, index, 0);
  if (code == OP_PAULI_ROT) return arg(ops, index, 5);
  if (code == OP_PHASE_ROT) return arg(ops, index, 2);
  return -1;
}

// ------------------------------------------------------------ 2x2 algebra

// @ts-ignore: decorator
@inline
function set2(out: usize, ar: f64, ai: f64, br: f64, bi: f64, cr: f64, ci: f64, dr: f64, di: f64): void {
  store<f64>(out, ar); store<f64>(out, ai, 8); store<f64>(out, br, 16); store<f64>(out, bi, 24);
  store<f64>(out, cr, 32); store<f64>(out, ci, 40); store<f64>(out, dr, 48); store<f64>(out, di, 56);
}

// @ts-ignore: decorator
@inline
function copy2(out: usize, a: usize): void {
  memory.copy(out, a, 64);
}

/** out = A·b for A = [[a0, a1], [a2, a3]] given by value (out may alias b). */
// @ts-ignore: decorator
@inline
function mulValues2(
  out: usize, a0r: f64, a0i: f64, a1r: f64, a1i: f64, a2r: f64, a2i: f64, a3r: f64, a3i: f64, b: usize,
): void {
  const b0r = load<f64>(b), b0i = load<f64>(b, 8), b1r = load<f64>(b, 16), b1i = load<f64>(b, 24);
  const b2r = load<f64>(b, 32), b2i = load<f64>(b, 40), b3r = load<f64>(b, 48), b3i = load<f64>(b, 56);
  set2(out,
    (a0r * b0r - a0i * b0i) + (a1r * b2r - a1i * b2i), (a0r * b0i + a0i * b0r) + (a1r * b2i + a1i * b2r),
    (a0r * b1r - a0i * b1i) + (a1r * b3r - a1i * b3i), (a0r * b1i + a0i * b1r) + (a1r * b3i + a1i * b3r),
    (a2r * b0r - a2i * b0i) + (a3r * b2r - a3i * b2i), (a2r * b0i + a2i * b0r) + (a3r * b2i + a3i * b2r),
    (a2r * b1r - a2i * b1i) + (a3r * b3r - a3i * b3i), (a2r * b1i + a2i * b1r) + (a3r * b3i + a3i * b3r));
}

/** out = a·b (out may alias a or b). */
function mul2(out: usize, a: usize, b: usize): void {
  mulValues2(out,
    load<f64>(a), load<f64>(a, 8), load<f64>(a, 16), load<f64>(a, 24),
    load<f64>(a, 32), load<f64>(a, 40), load<f64>(a, 48), load<f64>(a, 56), b);
}

/** out = a†·b (out may alias a or b). */
function adjointMul2(out: usize, a: usize, b: usize): void {
  // a† = [[conj a0, conj a2], [conj a1, conj a3]]
  mulValues2(out,
    load<f64>(a), -load<f64>(a, 8), load<f64>(a, 32), -load<f64>(a, 40),
    load<f64>(a, 16), -load<f64>(a, 24), load<f64>(a, 48), -load<f64>(a, 56), b);
}

/** The 2x2 of the single-bit Pauli word i^ny·X^x·Z^z (x, z: whether the bit is set): P[c ⊕ x][c] = i^ny·(−1)^(c·z). */
function pauli2(out: usize, x: bool, z: bool, numY: i32): void {
  let pr = 1.0, pi = 0.0; // i^ny
  switch (numY & 3) {
    case 1: pr = 0.0; pi = 1.0; break;
    case 2: pr = -1.0; break;
    case 3: pr = 0.0; pi = -1.0; break;
    default: break;
  }
  const sr = z ? -pr : pr, si = z ? -pi : pi; // column 1 carries (−1)^z
  if (x) set2(out, 0.0, 0.0, sr, si, pr, pi, 0.0, 0.0);
  else set2(out, pr, pi, 0.0, 0.0, 0.0, 0.0, sr, si);
}

/** Writes the 2x2 that op `index` applies (a fusable op) at `out`. */
export function opMatrix2(ops: usize, index: i32, consts: usize, angles: usize, out: usize): void {
  switch (arg(ops, index, 0)) {
    case OP_DENSE1:
      memory.copy(out, consts + (<usize>arg(ops, index, 3) << 3), 64);
      break;
    case OP_DIAG1: {
      const m = consts + (<usize>arg(ops, index, 3) << 3);
      set2(out, load<f64>(m), load<f64>(m, 8), 0.0, 0.0, 0.0, 0.0, load<f64>(m, 16), load<f64>(m, 24));
      break;
    }
    case OP_PHASE: {
      const m = consts + (<usize>arg(ops, index, 2) << 3);
      set2(out, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, load<f64>(m), load<f64>(m, 8));
      break;
    }
    case OP_X:
      set2(out, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0);
      break;
    case OP_PAULI:
      pauli2(out, arg(ops, index, 1) != 0, arg(ops, index, 2) != 0, arg(ops, index, 4));
      break;
    case OP_PAULI_ROT: {
      // cos(θ/2)·I − i·sin(θ/2)·P
      const theta = load<f64>(angles + (<usize>arg(ops, index, 5) << 3));
      const c = Math.cos(theta * 0.5), s = Math.sin(theta * 0.5);
      pauli2(out, arg(ops, index, 1) != 0, arg(ops, index, 2) != 0, arg(ops, index, 4));
      for (let e = 0; e < 4; e++) {
        const p = out + (<usize>e << 4);
        const pr = load<f64>(p), pi = load<f64>(p, 8);
        const diagonal = e == 0 || e == 3 ? c : 0.0;
        store<f64>(p, diagonal + s * pi); // −i·s·(pr + i·pi) = s·pi − i·s·pr
        store<f64>(p, -s * pr, 8);
      }
      break;
    }
    case OP_PHASE_ROT: {
      const theta = load<f64>(angles + (<usize>arg(ops, index, 2) << 3));
      set2(out, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, Math.cos(theta), Math.sin(theta));
      break;
    }
    default:
      assert(false, 'opMatrix2: op cannot join a run');
  }
}

/**
 * Writes the generator G of a parametric op at `out` and returns the
 * coefficient c such that ∂L/∂θ = c·Im⟨λ|G|ψ⟩ (λ, ψ just after the op);
 * returns 0 (and writes nothing) for a constant op.
 *   PauliRot exp(−iθ/2·P): G = P, c = 1.    PhaseRot diag(1, e^{iθ}): G = diag(0, 1), c = −2.
 */
function opGenerator2(ops: usize, index: i32, out: usize): f64 {
  const code = arg(ops, index, 0);
  if (code == OP_PAULI_ROT) {
    pauli2(out, arg(ops, index, 1) != 0, arg(ops, index, 2) != 0, arg(ops, index, 4));
    return 1.0;
  }
  if (code == OP_PHASE_ROT) {
    set2(out, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0);
    return -2.0;
  }
  return 0.0;
}

// ------------------------------------------------------------------ plan

/**
 * Writes the steps of the tape at `steps` (room for numOps steps) and returns
 * their number. Every run is marked fixed here; the caller clears the flag
 * of runs that read an input slot (it owns the slot table).
 */
export function buildSteps(ops: usize, numOps: i32, steps: usize): i32 {
  let count = 0;
  let block = WORK_LENGTH;
  let i = 0;
  while (i < numOps) {
    const bit = fusableBit(ops, i);
    let j = i + 1;
    if (bit >= 0) while (j < numOps && fusableBit(ops, j) == bit) j++;
    const s = steps + ((<usize>count * STEP_WIDTH) << 2);
    memory.fill(s, 0, STEP_WIDTH << 2);
    store<i32>(s + (STEP_FIRST << 2), i);
    if (bit >= 0 && j - i >= 2) {
      store<i32>(s + (STEP_KIND << 2), STEP_RUN);
      store<i32>(s + (STEP_COUNT << 2), j - i);
      store<i32>(s + (STEP_BIT << 2), bit);
      store<i32>(s + (STEP_BLOCK << 2), block);
      store<i32>(s + (STEP_FIXED << 2), 1);
      block += RUN_HEADER + 8 * (j - i);
    } else {
      store<i32>(s + (STEP_KIND << 2), STEP_OP);
      store<i32>(s + (STEP_COUNT << 2), 1);
      j = i + 1;
    }
    store<i32>(s + (STEP_CHECKPOINT << 2), -1);
    store<i32>(s + (STEP_GROUP_FIRST << 2), count);
    count++;
    i = j;
  }
  assert(block <= fusedLength(numOps), 'fused area too small');
  return count;
}

/** Whether step `step` has a parameter (needs ψ in the adjoint pass). */
export function stepHasParameter(steps: usize, step: i32, ops: usize): bool {
  const first = stepField(steps, step, STEP_FIRST), count = stepField(steps, step, STEP_COUNT);
  for (let k = first; k < first + count; k++) if (opSlot(ops, k) >= 0) return true;
  return false;
}

/**
 * Groups the steps (see the header) and gives every group with a parameter
 * a checkpoint slot, on its last step. Returns the number of slots.
 */
export function groupSteps(steps: usize, numSteps: i32, ops: usize): i32 {
  let slots = 0;
  let s = 0;
  while (s < numSteps) {
    let e = s;
    if (stepField(steps, s, STEP_KIND) == STEP_RUN) {
      let bits: u32 = <u32>1 << <u32>stepField(steps, s, STEP_BIT);
      while (e + 1 < numSteps && stepField(steps, e + 1, STEP_KIND) == STEP_RUN) {
        const next: u32 = <u32>1 << <u32>stepField(steps, e + 1, STEP_BIT);
        if ((bits & next) != 0) break;
        bits |= next;
        e++;
      }
    }
    let parametric = false;
    for (let t = s; t <= e; t++) {
      setStepField(steps, t, STEP_GROUP_FIRST, s);
      if (stepHasParameter(steps, t, ops)) parametric = true;
    }
    if (parametric) {
      setStepField(steps, e, STEP_CHECKPOINT, slots);
      slots++;
    }
    s = e + 1;
  }
  return slots;
}

/** F = U_last ⋯ U_first of run `step`, at `out`. */
export function fuseForward(steps: usize, step: i32, ops: usize, consts: usize, angles: usize, fused: usize, out: usize): void {
  const first = stepField(steps, step, STEP_FIRST), count = stepField(steps, step, STEP_COUNT);
  const factor = fused + (T_FACTOR << 3);
  opMatrix2(ops, first, consts, angles, out);
  for (let k = first + 1; k < first + count; k++) {
    opMatrix2(ops, k, consts, angles, factor);
    mul2(out, factor, out);
  }
}

/**
 * The adjoint matrices of run `step` in its block: F† and, per parametric
 * op k, A_k = coef_k·W_k† G_k W_k (zero for constant ops).
 */
export function fuseAdjoint(steps: usize, step: i32, ops: usize, consts: usize, angles: usize, fused: usize): void {
  const first = stepField(steps, step, STEP_FIRST), count = stepField(steps, step, STEP_COUNT);
  const block = fused + (<usize>stepField(steps, step, STEP_BLOCK) << 3);
  const factor = fused + (T_FACTOR << 3), frame = fused + (T_FRAME << 3), product = fused + (T_PRODUCT << 3);
  set2(frame, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0);
  for (let k = first + count - 1; k >= first; k--) {
    const a = block + ((<usize>(RUN_HEADER + 8 * (k - first))) << 3);
    const coef = opGenerator2(ops, k, factor);
    if (coef != 0) {
      mul2(product, factor, frame);
      adjointMul2(a, frame, product);
      for (let e = 0; e < 8; e++) store<f64>(a + (<usize>e << 3), coef * load<f64>(a + (<usize>e << 3)));
    } else {
      memory.fill(a, 0, 64);
    }
    opMatrix2(ops, k, consts, angles, factor);
    adjointMul2(frame, factor, frame);
  }
  copy2(block + 64, frame);
}

/** Im Σ_ab A_ab·M_ab for 2x2 A, M at `a`, `m`. */
export function imTrace2(a: usize, m: usize): f64 {
  let sum = 0.0;
  for (let e = 0; e < 4; e++) {
    const p = a + (<usize>e << 4), q = m + (<usize>e << 4);
    sum += load<f64>(p) * load<f64>(q, 8) + load<f64>(p, 8) * load<f64>(q);
  }
  return sum;
}

/** Applies the 2x2 at `m` to `bit` of the state (uncontrolled). */
export function applyMatrix2(state: usize, numQubits: i32, bit: i32, m: usize): void {
  applyDense1(state, numQubits, bit, 0,
    load<f64>(m), load<f64>(m, 8), load<f64>(m, 16), load<f64>(m, 24),
    load<f64>(m, 32), load<f64>(m, 40), load<f64>(m, 48), load<f64>(m, 56));
}
