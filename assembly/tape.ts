// The tape interpreter. A tape is a list of fixed-width ops (OP_WIDTH i32
// each) over structure-level primitives; the engine never sees gate names.
// Parametric ops read their angle from a slot of the `angles` array (f64).
// Matrix ops read their matrix from the `consts` pool (f64), with the
// adjoint matrix stored right after the forward one.
//
// The layout lives in layout.ts (the SDK's side: sdk/qnn/tape-format.ts; a test checks the two agree).
import { applyDense1 } from './kernels/dense1';
import { applyDense2 } from './kernels/dense2';
import { applyDenseK } from './kernels/dense-k';
import { applyDiagonal1, applyPhaseOnMask, applyZRotation } from './kernels/diagonal';
import { applySwap, applyX } from './kernels/permutation';
import { applyPauliRotation, applyPauliRotationPair, applyPauliWord } from './kernels/pauli';
import { stateScale } from './state';
import {
  OP_DENSE1, OP_DENSE2, OP_DENSEK, OP_DIAG1, OP_PAULI, OP_PAULI_ROT, OP_PHASE, OP_PHASE_ROT, OP_SWAP, OP_WIDTH, OP_X,
  TAPE_FORMAT_VERSION,
} from './layout';

/** Version of the op layout; sdk/qnn/tape-format.ts checks it at load. */
export function tapeFormatVersion(): i32 {
  return TAPE_FORMAT_VERSION;
}

// @ts-ignore: decorator
@inline
function arg(ops: usize, index: i32, field: i32): i32 {
  return load<i32>(ops + ((<usize>index * OP_WIDTH + <usize>field) << 2));
}

/** Applies op `index` of the tape (or its inverse) to the state. */
export function applyOp(
  state: usize, numQubits: i32, ops: usize, index: i32, consts: usize, angles: usize, inverse: bool, scratch: usize,
): void {
  applyOpInBlock(state, numQubits, ops, index, consts, angles, inverse, scratch, 0xffffffff, 0);
}

/** The field of an op holding its condition mask: the controls, or the mask of a phase op (all bits must be 1). */
// @ts-ignore: decorator
@inline
function conditionField(code: i32): i32 {
  if (code == OP_PHASE || code == OP_PHASE_ROT) return 1;
  if (code == OP_DENSE2 || code == OP_SWAP || code == OP_PAULI || code == OP_PAULI_ROT) return 3;
  return 2; // Dense1, DenseK, Diag1, X
}

/**
 * Applies op `index` (or its inverse) to one BLOCK of the state: the
 * 2^numQubits amplitudes at `state` whose index bits outside `inside` equal
 * those of `blockBase` (a whole state: inside = all ones, blockBase = 0).
 * The op's moving bits (blockMovingBits) must lie inside the block; its
 * condition bits (controls, phase masks) outside it are checked against
 * `blockBase` — the op is skipped when the block is not in its subspace.
 */
function applyOpInBlock(
  state: usize, numQubits: i32, ops: usize, index: i32, consts: usize, angles: usize, inverse: bool, scratch: usize,
  inside: u32, blockBase: u32,
): void {
  const code = arg(ops, index, 0);
  const condition = <u32>arg(ops, index, conditionField(code));
  if ((condition & ~inside & ~blockBase) != 0) return;
  const ctrl = condition & inside;
  switch (code) {
    case OP_DENSE1: {
      const m = consts + (<usize>arg(ops, index, 3) << 3) + (inverse ? 64 : 0);
      applyDense1(state, numQubits, arg(ops, index, 1), ctrl,
        load<f64>(m, 0), load<f64>(m, 8), load<f64>(m, 16), load<f64>(m, 24),
        load<f64>(m, 32), load<f64>(m, 40), load<f64>(m, 48), load<f64>(m, 56));
      break;
    }
    case OP_DENSE2: {
      const m = consts + (<usize>arg(ops, index, 4) << 3) + (inverse ? 256 : 0);
      applyDense2(state, numQubits, arg(ops, index, 1), arg(ops, index, 2), ctrl, m);
      break;
    }
    case OP_DENSEK: {
      const k = arg(ops, index, 1);
      const size = <usize>2 << (<usize>k << 1); // 2·4^k doubles
      const m = consts + (<usize>arg(ops, index, 3) << 3) + (inverse ? size << 3 : 0);
      const bits = ops + ((<usize>index * OP_WIDTH + 4) << 2);
      applyDenseK(state, numQubits, bits, k, ctrl, m, scratch);
      break;
    }
    case OP_DIAG1: {
      const m = consts + (<usize>arg(ops, index, 3) << 3);
      const sign = inverse ? -1.0 : 1.0;
      applyDiagonal1(state, numQubits, arg(ops, index, 1), ctrl,
        load<f64>(m, 0), sign * load<f64>(m, 8), load<f64>(m, 16), sign * load<f64>(m, 24));
      break;
    }
    case OP_PHASE: {
      const m = consts + (<usize>arg(ops, index, 2) << 3);
      applyPhaseOnMask(state, numQubits, ctrl, load<f64>(m, 0), (inverse ? -1.0 : 1.0) * load<f64>(m, 8));
      break;
    }
    case OP_X:
      applyX(state, numQubits, arg(ops, index, 1), ctrl);
      break;
    case OP_SWAP:
      applySwap(state, numQubits, arg(ops, index, 1), arg(ops, index, 2), ctrl);
      break;
    case OP_PAULI:
      applyPauliWord(state, numQubits, <u32>arg(ops, index, 1), <u32>arg(ops, index, 2), ctrl, arg(ops, index, 4));
      break;
    case OP_PAULI_ROT: {
      const theta = load<f64>(angles + (<usize>arg(ops, index, 5) << 3));
      applyRotation(state, numQubits, <u32>arg(ops, index, 1), <u32>arg(ops, index, 2), ctrl,
        arg(ops, index, 4), inverse ? -theta : theta);
      break;
    }
    case OP_PHASE_ROT: {
      const theta = load<f64>(angles + (<usize>arg(ops, index, 2) << 3));
      const phi = inverse ? -theta : theta;
      applyPhaseOnMask(state, numQubits, ctrl, Math.cos(phi), Math.sin(phi));
      break;
    }
    default:
      assert(false, 'unknown tape opcode');
  }
}

/**
 * The bits op `index` pairs amplitudes across or reads a sign from (targets,
 * Pauli X and Z bits): they must lie inside a block for the op to run block
 * by block. Controls and phase masks are conditions, not moving bits.
 */
function blockMovingBits(ops: usize, index: i32): u32 {
  switch (arg(ops, index, 0)) {
    case OP_DENSE1:
    case OP_DIAG1:
    case OP_X:
      return <u32>1 << <u32>arg(ops, index, 1);
    case OP_DENSE2:
    case OP_SWAP:
      return (<u32>1 << <u32>arg(ops, index, 1)) | (<u32>1 << <u32>arg(ops, index, 2));
    case OP_PAULI:
    case OP_PAULI_ROT:
      return <u32>arg(ops, index, 1) | <u32>arg(ops, index, 2);
    case OP_PHASE:
    case OP_PHASE_ROT:
      return 0;
    default:
      return 0xffffffff; // dense k-qubit ops always run on the whole state
  }
}

/**
 * exp(-i·θ/2·P) dispatched to the fastest kernel for the word's structure:
 * Z words are diagonal (one bit: a diagonal 2x2), every other word is the
 * Pauli kernel (which has its own single-bit fast path for RX and RY).
 */
export function applyRotation(state: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, numY: i32, theta: f64): void {
  const c = Math.cos(theta * 0.5), s = Math.sin(theta * 0.5);
  if (xMask == 0) {
    if (popcnt(zMask) == 1) {
      applyDiagonal1(state, numQubits, <i32>ctz(zMask), ctrlMask, c, -s, c, s);
    } else {
      applyZRotation(state, numQubits, zMask, ctrlMask, c, s);
    }
    return;
  }
  applyPauliRotation(state, numQubits, xMask, zMask, ctrlMask, numY, c, s);
}

/**
 * Smallest scalar tapeApply lets a state owe before folding it back into a
 * gate (each deferral multiplies it by |cos(θ/2)| ≥ 1/√2: far from underflow).
 */
const MIN_DEFERRED = 1e-60;

/**
 * applyOpInBlock for tapeApply, with the cos(θ/2) of rotations DEFERRED. An
 * uncontrolled single-bit rotation exp(−iθ/2·P) = cos(θ/2)·(I − i·tan(θ/2)·P)
 * with |tan(θ/2)| ≤ 1 applies only I − i·tan(θ/2)·P, whose unit coefficient
 * saves a multiply per output in the kernel, and returns deferred·cos(θ/2):
 * the real scalar the state still owes. Every op is linear, so a global
 * scalar commutes with all of them and is paid once at the end. Any other
 * uncontrolled single-bit rotation folds the owed scalar into its own
 * coefficients (returns 1); other ops leave it unchanged.
 */
function applyOpDeferred(
  state: usize, numQubits: i32, ops: usize, index: i32, consts: usize, angles: usize, inverse: bool, scratch: usize,
  inside: u32, blockBase: u32, deferred: f64,
): f64 {
  if (arg(ops, index, 0) == OP_PAULI_ROT && arg(ops, index, 3) == 0) {
    const xMask = <u32>arg(ops, index, 1), zMask = <u32>arg(ops, index, 2), numY = arg(ops, index, 4);
    const zRotation = xMask == 0 && popcnt(zMask) == 1;
    if (zRotation || (popcnt(xMask) == 1 && (zMask & ~xMask) == 0)) {
      const half = halfAngle(ops, index, angles, inverse);
      const c = Math.cos(half), s = Math.sin(half);
      if (Math.abs(c) >= Math.abs(s) && Math.abs(deferred * c) >= MIN_DEFERRED) {
        const t = s / c;
        if (zRotation) applyDiagonal1(state, numQubits, <i32>ctz(zMask), 0, 1.0, -t, 1.0, t);
        else applyPauliRotation(state, numQubits, xMask, zMask, 0, numY, 1.0, t);
        return deferred * c;
      }
      const dc = deferred * c, ds = deferred * s;
      if (zRotation) applyDiagonal1(state, numQubits, <i32>ctz(zMask), 0, dc, -ds, dc, ds);
      else applyPauliRotation(state, numQubits, xMask, zMask, 0, numY, dc, ds);
      return 1.0;
    }
  }
  applyOpInBlock(state, numQubits, ops, index, consts, angles, inverse, scratch, inside, blockBase);
  return deferred;
}

/**
 * cos(θ/2) of op `index` if it is an uncontrolled single-bit X or Y rotation
 * that can run in unit-diagonal form (|tan(θ/2)| ≤ 1, and the owed scalar
 * stays above MIN_DEFERRED once multiplied by `deferred`), else 0.
 */
function deferrableXY(ops: usize, index: i32, angles: usize, inverse: bool, deferred: f64): f64 {
  if (arg(ops, index, 0) != OP_PAULI_ROT || arg(ops, index, 3) != 0) return 0.0;
  const xMask = <u32>arg(ops, index, 1), zMask = <u32>arg(ops, index, 2);
  if (popcnt(xMask) != 1 || (zMask & ~xMask) != 0) return 0.0;
  const half = halfAngle(ops, index, angles, inverse);
  const c = Math.cos(half);
  return Math.abs(c) >= Math.abs(Math.sin(half)) && Math.abs(deferred * c) >= MIN_DEFERRED ? c : 0.0;
}

// @ts-ignore: decorator
@inline
function halfAngle(ops: usize, index: i32, angles: usize, inverse: bool): f64 {
  const theta = load<f64>(angles + (<usize>arg(ops, index, 5) << 3));
  return (inverse ? -theta : theta) * 0.5;
}

/** Whether ops `a` then `b` can share one pass: deferrable X/Y rotations on different bits. */
function pairable(ops: usize, a: i32, b: i32, angles: usize, inverse: bool, deferred: f64): bool {
  if (b < 0 || arg(ops, a, 1) == arg(ops, b, 1)) return false;
  const cA = deferrableXY(ops, a, angles, inverse, deferred);
  return cA != 0 && deferrableXY(ops, b, angles, inverse, deferred * cA) != 0;
}

/** Ops `a` then `b` (pairable) in one pass (applyPauliRotationPair); returns the owed scalar. */
function applyPair(state: usize, numQubits: i32, ops: usize, a: i32, b: i32, angles: usize, inverse: bool, deferred: f64): f64 {
  const halfA = halfAngle(ops, a, angles, inverse), halfB = halfAngle(ops, b, angles, inverse);
  const cA = Math.cos(halfA), cB = Math.cos(halfB);
  applyPauliRotationPair(state, numQubits,
    <u32>arg(ops, a, 1), <u32>arg(ops, a, 2), arg(ops, a, 4), Math.sin(halfA) / cA,
    <u32>arg(ops, b, 1), <u32>arg(ops, b, 2), arg(ops, b, 4), Math.sin(halfB) / cB);
  return deferred * cA * cB;
}

/**
 * Applies ops from `from` up to (not including) `to`, in steps of `step` (−1:
 * the reverse pass), to a block (see applyOpInBlock), two X/Y rotations at a
 * time where possible; returns the scalar the state owes (see
 * applyOpDeferred), starting from `deferred`.
 */
function applyRange(
  state: usize, numQubits: i32, ops: usize, from: i32, to: i32, step: i32, consts: usize, angles: usize, inverse: bool,
  scratch: usize, inside: u32, blockBase: u32, deferred: f64,
): f64 {
  for (let k = from; k != to; k += step) {
    const next = k + step != to ? k + step : -1;
    if (pairable(ops, k, next, angles, inverse, deferred)) {
      deferred = applyPair(state, numQubits, ops, k, next, angles, inverse, deferred);
      k = next;
    } else {
      deferred = applyOpDeferred(state, numQubits, ops, k, consts, angles, inverse, scratch, inside, blockBase, deferred);
    }
  }
  return deferred;
}

/**
 * Index bits of a cache block: 2^BLOCK_BITS amplitudes (512 KiB), which stay
 * in a core's L2 cache while every gate of a segment runs on them.
 */
export const BLOCK_BITS = 15;

/**
 * Applies ops [0, numOps) (or their inverses in reverse order) to the state.
 *
 * Above BLOCK_BITS qubits the tape runs in SEGMENTS: two or more consecutive
 * ops whose moving bits all lie below BLOCK_BITS run block by block (every op
 * of the segment on block 0, then on block 1, …), so the state crosses the
 * memory hierarchy once per segment instead of once per gate; the ops in
 * between run on the whole state. Every kernel maps each amplitude pair on
 * its own, so blocking does not change a bit of the result.
 *
 * Rotations defer their cos(θ/2) (applyOpDeferred), and two consecutive X/Y
 * rotations on different bits share one pass (pairable, applyPair); the
 * scalar owed is paid in the last segment's blocks while they are in cache,
 * else by one pass.
 */
export function tapeApply(
  state: usize, numQubits: i32, ops: usize, numOps: i32, consts: usize, angles: usize, inverse: bool, scratch: usize,
): void {
  const all: u32 = 0xffffffff;
  const step = inverse ? -1 : 1;
  const end = inverse ? -1 : numOps;
  const start = inverse ? numOps - 1 : 0;
  if (numQubits <= BLOCK_BITS) {
    const owed = applyRange(state, numQubits, ops, start, end, step, consts, angles, inverse, scratch, all, 0, 1.0);
    if (owed != 1.0) stateScale(state, numQubits, owed);
    return;
  }
  const inside: u32 = (<u32>1 << <u32>BLOCK_BITS) - 1;
  const blocks: u32 = <u32>1 << <u32>(numQubits - BLOCK_BITS);
  const blockBytes = <usize>16 << <usize>BLOCK_BITS;
  let deferred = 1.0;
  let i = start;
  while (i != end) {
    let j = i;
    while (j != end && (blockMovingBits(ops, j) & ~inside) == 0) j += step;
    if (j != i && j != i + step) {
      // A blocked segment [i, j): every block replays it from the same owed scalar.
      const last = j == end;
      let owed = deferred;
      for (let b: u32 = 0; b < blocks; b++) {
        const block = state + <usize>b * blockBytes;
        owed = applyRange(block, BLOCK_BITS, ops, i, j, step, consts, angles, inverse, scratch, inside, b << <u32>BLOCK_BITS, deferred);
        if (last && owed != 1.0) stateScale(block, BLOCK_BITS, owed);
      }
      deferred = last ? 1.0 : owed;
      i = j;
      continue;
    }
    // Whole-state ops, up to the next two consecutive blockable ones.
    j = i;
    while (j != end) {
      const next = j + step;
      if ((blockMovingBits(ops, j) & ~inside) == 0 && next != end && (blockMovingBits(ops, next) & ~inside) == 0) break;
      j = next;
    }
    deferred = applyRange(state, numQubits, ops, i, j, step, consts, angles, inverse, scratch, all, 0, deferred);
    i = j;
  }
  if (deferred != 1.0) stateScale(state, numQubits, deferred);
}
