/**
 * The QNN layer descriptor layout, mirrored from assembly/qnn.ts (the one
 * place the engine defines it). All fields are f64.
 */
export const QNN_FORMAT_VERSION = 1;
export const Desc = {
  NUM_QUBITS: 0, NUM_OPS: 1, OPS: 2, CONSTS: 3, NUM_SLOTS: 4, SLOTS: 5,
  PREP_KIND: 6, PREP_NUM_FEATURES: 7, PREP_OFFSET: 8, PREP_NORMALIZE: 9, PREP_PAD: 10,
  NUM_READOUTS: 11, READOUTS: 12, NUM_OUTPUTS: 13, NUM_INPUTS: 14, ANGLES: 15, SCRATCH: 16,
  BITS: 17, MATRICES: 18, PSI: 19, LAMBDA: 20, WIDTH: 24,
} as const;
export const Prep = { NONE: 0, AMPLITUDE: 1, STATE: 2 } as const;
export const SLOT_WIDTH = 4;
export const SlotKind = { CONST: 0, WEIGHT: 1, INPUT: 2 } as const;
export const R_WIDTH = 8;
export const ReadoutKind = { PAULI: 1, MATRIX: 2, PROBS: 3 } as const;
export const BITS_PER_READOUT = 8;
export const RULE_MAX_TERMS = 4;
export const RULE_WIDTH = 1 + 2 * RULE_MAX_TERMS;
