// The tape interpreter. A tape is a list of fixed-width ops (OP_WIDTH i32
// each) over structure-level primitives; the engine never sees gate names.
// Parametric ops read their angle from a slot of the `angles` array (f64).
// Matrix ops read their matrix from the `consts` pool (f64), with the
// adjoint matrix stored right after the forward one.
//
// The layout is mirrored by sdk/qnn/tape-format.ts; keep the two in step.
import { applyDense1 } from './kernels/dense1';
import { applyDense2 } from './kernels/dense2';
import { applyDenseK } from './kernels/dense-k';
import { applyDiagonal1, applyPhaseOnMask, applyZRotation } from './kernels/diagonal';
import { applySwap, applyX } from './kernels/permutation';
import { applyPauliRotation, applyPauliWord } from './kernels/pauli';

export const OP_WIDTH = 8;
export const OP_DENSE1: i32 = 1;    // bit, ctrl, constOff            (8 f64 + 8 adjoint)
export const OP_DENSE2: i32 = 2;    // bitHi, bitLo, ctrl, constOff   (32 f64 + 32 adjoint)
export const OP_DENSEK: i32 = 3;    // k, ctrl, constOff, bits[0..3]  (2·4^k f64 + adjoint)
export const OP_DIAG1: i32 = 4;     // bit, ctrl, constOff            (4 f64: d0, d1)
export const OP_PHASE: i32 = 5;     // mask, constOff                 (2 f64: one phase)
export const OP_X: i32 = 6;         // bit, ctrl
export const OP_SWAP: i32 = 7;      // bitA, bitB, ctrl
export const OP_PAULI: i32 = 8;     // xMask, zMask, ctrl, numY
export const OP_PAULI_ROT: i32 = 9; // xMask, zMask, ctrl, numY, slot  exp(-i·θ/2·P)
export const OP_PHASE_ROT: i32 = 10; // mask, slot                     e^{iθ} on all-ones of mask

/** Version of the op layout; sdk/qnn/tape-format.ts checks it at load. */
export function tapeFormatVersion(): i32 {
  return 1;
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
  const code = arg(ops, index, 0);
  switch (code) {
    case OP_DENSE1: {
      const m = consts + (<usize>arg(ops, index, 3) << 3) + (inverse ? 64 : 0);
      applyDense1(state, numQubits, arg(ops, index, 1), <u32>arg(ops, index, 2),
        load<f64>(m, 0), load<f64>(m, 8), load<f64>(m, 16), load<f64>(m, 24),
        load<f64>(m, 32), load<f64>(m, 40), load<f64>(m, 48), load<f64>(m, 56));
      break;
    }
    case OP_DENSE2: {
      const m = consts + (<usize>arg(ops, index, 4) << 3) + (inverse ? 256 : 0);
      applyDense2(state, numQubits, arg(ops, index, 1), arg(ops, index, 2), <u32>arg(ops, index, 3), m);
      break;
    }
    case OP_DENSEK: {
      const k = arg(ops, index, 1);
      const size = <usize>2 << (<usize>k << 1); // 2·4^k doubles
      const m = consts + (<usize>arg(ops, index, 3) << 3) + (inverse ? size << 3 : 0);
      const bits = ops + ((<usize>index * OP_WIDTH + 4) << 2);
      applyDenseK(state, numQubits, bits, k, <u32>arg(ops, index, 2), m, scratch);
      break;
    }
    case OP_DIAG1: {
      const m = consts + (<usize>arg(ops, index, 3) << 3);
      const sign = inverse ? -1.0 : 1.0;
      applyDiagonal1(state, numQubits, arg(ops, index, 1), <u32>arg(ops, index, 2),
        load<f64>(m, 0), sign * load<f64>(m, 8), load<f64>(m, 16), sign * load<f64>(m, 24));
      break;
    }
    case OP_PHASE: {
      const m = consts + (<usize>arg(ops, index, 2) << 3);
      applyPhaseOnMask(state, numQubits, <u32>arg(ops, index, 1), load<f64>(m, 0), (inverse ? -1.0 : 1.0) * load<f64>(m, 8));
      break;
    }
    case OP_X:
      applyX(state, numQubits, arg(ops, index, 1), <u32>arg(ops, index, 2));
      break;
    case OP_SWAP:
      applySwap(state, numQubits, arg(ops, index, 1), arg(ops, index, 2), <u32>arg(ops, index, 3));
      break;
    case OP_PAULI:
      applyPauliWord(state, numQubits, <u32>arg(ops, index, 1), <u32>arg(ops, index, 2), <u32>arg(ops, index, 3), arg(ops, index, 4));
      break;
    case OP_PAULI_ROT: {
      const theta = load<f64>(angles + (<usize>arg(ops, index, 5) << 3));
      applyRotation(state, numQubits, <u32>arg(ops, index, 1), <u32>arg(ops, index, 2), <u32>arg(ops, index, 3),
        arg(ops, index, 4), inverse ? -theta : theta);
      break;
    }
    case OP_PHASE_ROT: {
      const theta = load<f64>(angles + (<usize>arg(ops, index, 2) << 3));
      const phi = inverse ? -theta : theta;
      applyPhaseOnMask(state, numQubits, <u32>arg(ops, index, 1), Math.cos(phi), Math.sin(phi));
      break;
    }
    default:
      assert(false, 'unknown tape opcode');
  }
}

/** exp(-i·θ/2·P) dispatched to the fastest kernel for the word's structure. */
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
  if (popcnt(xMask) == 1 && (zMask == 0 || zMask == xMask)) {
    const bit = <i32>ctz(xMask);
    if (zMask == 0) {
      // RX: [[c, -is], [-is, c]]
      applyDense1(state, numQubits, bit, ctrlMask, c, 0.0, 0.0, -s, 0.0, -s, c, 0.0);
    } else {
      // RY: [[c, -s], [s, c]]
      applyDense1(state, numQubits, bit, ctrlMask, c, 0.0, -s, 0.0, s, 0.0, c, 0.0);
    }
    return;
  }
  applyPauliRotation(state, numQubits, xMask, zMask, ctrlMask, numY, c, s);
}

/** Applies ops [0, numOps) (or their inverses in reverse order) to the state. */
export function tapeApply(
  state: usize, numQubits: i32, ops: usize, numOps: i32, consts: usize, angles: usize, inverse: bool, scratch: usize,
): void {
  if (inverse) {
    for (let i = numOps - 1; i >= 0; i--) applyOp(state, numQubits, ops, i, consts, angles, true, scratch);
  } else {
    for (let i = 0; i < numOps; i++) applyOp(state, numQubits, ops, i, consts, angles, false, scratch);
  }
}
