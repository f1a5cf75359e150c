/**
 * The QNN layer descriptor and its tables: the SDK's one definition of the
 * memory layout the engine reads (assembly/layout.ts is the engine's side;
 * test/engine/layout.test.ts checks that every constant there equals the one
 * here, by the naming rule `Desc.NUM_QUBITS` ↔ `D_NUM_QUBITS`,
 * `ReadoutField.COUNT` ↔ `RF_COUNT`, …). Only the layer's engine binding
 * (layer-engine.ts) writes descriptors.
 *
 * All descriptor fields are f64 (pointers are byte offsets). Fields marked
 * "engine" are written by `qnnPlan`, once per layer.
 */
export const QNN_FORMAT_VERSION = 4;

/** Fields of the layer descriptor (`D_…` in the engine). */
export const Desc = {
  NUM_QUBITS: 0, NUM_OPS: 1, OPS: 2, CONSTS: 3, NUM_SLOTS: 4, SLOTS: 5,
  PREP_KIND: 6, PREP_NUM_FEATURES: 7, PREP_OFFSET: 8, PREP_NORMALIZE: 9, PREP_PAD: 10,
  NUM_READOUTS: 11, READOUTS: 12, NUM_OUTPUTS: 13, NUM_INPUTS: 14, ANGLES: 15, SCRATCH: 16,
  /** i32 readout bits; each readout starts at its ReadoutField.BITS_OFFSET. */
  BITS: 17,
  MATRICES: 18, PSI: 19, LAMBDA: 20,
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
  /** Amplitude embedding: the bias amplitude c after the features (0: none). */
  PREP_BIAS: 30,
  /** Amplitude embedding: s of the norm feature s·‖x‖² (0: none). */
  PREP_NORM_SCALE: 31,
  /** 2·numOutputs f64: the outputs of shifted and perturbed runs. */
  OUTPUTS_SCRATCH: 32,
  /** 3·(largest probs count + 1) f64: shot sampling. */
  SAMPLE_SCRATCH: 33,
  /** 2 + STACK_CAPACITY states for parameter shift and finite differences (allocated on first use). */
  WORK_STATES: 34,
  NUM_WEIGHTS: 35,
  /** How many direction vectors parameter shift propagates together through the rest of the circuit (≥ 1). */
  STACK_CAPACITY: 36,
  /** 4 i32 per slot: parameter shift's bookkeeping. */
  SHIFT_RECORDS: 37,
  /**
   * 0 (off), or numSlots f64 per sample: the adjoint and parameter-shift
   * passes also store every sample's slot gradients there, so a worker pool
   * can sum them over the batch in sample order (SDK, per pass).
   */
  SAMPLE_GRADS: 38,
  WIDTH: 40,
} as const;

/** State preparations (`PREP_…`). */
export const Prep = { NONE: 0, AMPLITUDE: 1, STATE: 2 } as const;

/** The slot table: SLOT_WIDTH f64 per angle slot, θ = scale·source + offset (fields `SF_…`, kinds `SLOT_…`). */
export const SLOT_WIDTH = 4;
export const SlotField = { KIND: 0, INDEX: 1, SCALE: 2, OFFSET: 3 } as const;
export const SlotKind = { CONST: 0, WEIGHT: 1, INPUT: 2 } as const;

/** The readout table: R_WIDTH f64 per readout (fields `RF_…`, kinds `R_…`). */
export const R_WIDTH = 12;
export const ReadoutField = {
  KIND: 0, OUT_OFFSET: 1, COUNT: 2, X_MASK: 3, Z_MASK: 4, NUM_Y: 5, NUM_BITS: 6, MATRIX_OFFSET: 7, BITS_OFFSET: 8,
  /** Shots: the lowest and highest eigenvalue of the observable. */
  LOW: 9, HIGH: 10,
} as const;
export const ReadoutKind = { PAULI: 1, MATRIX: 2, PROBS: 3 } as const;

/** Parameter-shift rules: RULE_WIDTH f64 per slot — R, then R shifts and R coefficients. */
export const RULE_MAX_TERMS = 4;
export const RULE_WIDTH = 1 + 2 * RULE_MAX_TERMS;

/** What `qnnFiniteDiff` differentiates (flags, `FD_…`). */
export const FiniteDiff = { WEIGHTS: 1, INPUTS: 2, MATRICES: 4 } as const;

/** i32 per plan step (assembly/fusion.ts). The sizes of the fused area and of the ⟨Z⟩ scratch come from the engine (`fusedLength`, `zScratchLength`). */
export const STEP_WIDTH = 8;
