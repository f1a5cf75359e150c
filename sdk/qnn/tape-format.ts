/**
 * The tape's binary layout: the SDK's one definition (assembly/layout.ts is
 * the engine's side; test/engine/layout.test.ts checks they agree, `Opcode.PauliRot`
 * ↔ `OP_PAULI_ROT`). Ops are OP_WIDTH int32 each: [opcode, args…].
 */
export const TAPE_FORMAT_VERSION = 1;
export const OP_WIDTH = 8;

export const Opcode = {
  /** bit, ctrl, constOff — 2x2 matrix (8 f64) then its adjoint (8 f64). */
  Dense1: 1,
  /** bitHi, bitLo, ctrl, constOff — 4x4 matrix (32 f64) then adjoint. */
  Dense2: 2,
  /** k, ctrl, constOff, bits[0..3] — 2^k matrix (2·4^k f64) then adjoint. */
  DenseK: 3,
  /** bit, ctrl, constOff — diagonal (d0, d1) as 4 f64; inverse conjugates. */
  Diag1: 4,
  /** mask, constOff — one phase (2 f64) on the all-ones of mask. */
  Phase: 5,
  /** bit, ctrl — bit flip. */
  X: 6,
  /** bitA, bitB, ctrl. */
  Swap: 7,
  /** xMask, zMask, ctrl, numY — a Pauli word. */
  Pauli: 8,
  /** xMask, zMask, ctrl, numY, slot — exp(−iθ/2·P). */
  PauliRot: 9,
  /** mask, slot — e^{iθ} on the all-ones of mask. */
  PhaseRot: 10,
} as const;
