/**
 * The QNN layer descriptor layout, mirrored from assembly/qnn.ts and
 * assembly/fusion.ts (the one place the engine defines it). All fields are
 * f64. Fields marked "engine" are written by `qnnPlan`, once per layer.
 */
export const QNN_FORMAT_VERSION = 2;
export const Desc = {
  NUM_QUBITS: 0, NUM_OPS: 1, OPS: 2, CONSTS: 3, NUM_SLOTS: 4, SLOTS: 5,
  PREP_KIND: 6, PREP_NUM_FEATURES: 7, PREP_OFFSET: 8, PREP_NORMALIZE: 9, PREP_PAD: 10,
  NUM_READOUTS: 11, READOUTS: 12, NUM_OUTPUTS: 13, NUM_INPUTS: 14, ANGLES: 15, SCRATCH: 16,
  BITS: 17, MATRICES: 18, PSI: 19, LAMBDA: 20,
  /** Plan steps: STEP_WIDTH i32 per op (engine fills). */
  STEPS: 21,
  /** Number of steps (engine). */
  NUM_STEPS: 22,
  /** Fused run matrices: fusedLength(numOps) f64. */
  FUSED: 23,
  /** The input slots: one i32 per slot (engine fills). */
  INPUT_SLOTS: 24,
  /** Number of input slots (engine). */
  NUM_INPUT_SLOTS: 25,
  /** One sample's slot gradients: one f64 per slot (backward scratch). */
  SLOT_GRADS: 26,
  /** ψ checkpoint slots of the plan (engine). */
  NUM_CHECKPOINTS: 27,
  /** 1 if kept states carry the ψ checkpoints (SDK). */
  USE_CHECKPOINTS: 28,
  /** One sample's checkpoints + final state, for a backward that recomputes (SDK). */
  CHECKPOINT_SCRATCH: 29,
  WIDTH: 32,
} as const;
export const Prep = { NONE: 0, AMPLITUDE: 1, STATE: 2 } as const;
export const SLOT_WIDTH = 4;
export const SlotKind = { CONST: 0, WEIGHT: 1, INPUT: 2 } as const;
export const R_WIDTH = 8;
export const ReadoutKind = { PAULI: 1, MATRIX: 2, PROBS: 3 } as const;
export const BITS_PER_READOUT = 8;
export const RULE_MAX_TERMS = 4;
export const RULE_WIDTH = 1 + 2 * RULE_MAX_TERMS;
/** i32 per plan step (assembly/fusion.ts). The sizes of the fused area and of the ⟨Z⟩ scratch come from the engine (`fusedLength`, `zScratchLength`). */
export const STEP_WIDTH = 8;
