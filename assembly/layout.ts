// Memory layouts the SDK writes and the engine reads: tape ops (tape.ts), the
// QNN layer descriptor and its tables (qnn.ts), plan steps (fusion.ts).
//
// The SDK's definition is sdk/qnn/layer-format.ts and sdk/qnn/tape-format.ts;
// every constant below is exported from the module as a WebAssembly global,
// and test/engine/layout.test.ts checks the two sides name for name and value
// for value (SDK `Desc.NUM_QUBITS` is `D_NUM_QUBITS` here, `ReadoutField.COUNT`
// is `RF_COUNT`, `Opcode.PauliRot` is `OP_PAULI_ROT`, …). Change a layout in
// both places and bump the format version.

// ------------------------------------------------------------------ tape ops

export const TAPE_FORMAT_VERSION = 1;
/** i32 per tape op: [opcode, args…]. */
export const OP_WIDTH = 8;
export const OP_DENSE1 = 1;    // bit, ctrl, constOff            (8 f64 + 8 adjoint)
export const OP_DENSE2 = 2;    // bitHi, bitLo, ctrl, constOff   (32 f64 + 32 adjoint)
export const OP_DENSEK = 3;    // k, ctrl, constOff, bits[0..3]  (2·4^k f64 + adjoint)
export const OP_DIAG1 = 4;     // bit, ctrl, constOff            (4 f64: d0, d1)
export const OP_PHASE = 5;     // mask, constOff                 (2 f64: one phase)
export const OP_X = 6;         // bit, ctrl
export const OP_SWAP = 7;      // bitA, bitB, ctrl
export const OP_PAULI = 8;     // xMask, zMask, ctrl, numY
export const OP_PAULI_ROT = 9; // xMask, zMask, ctrl, numY, slot  exp(-i·θ/2·P)
export const OP_PHASE_ROT = 10; // mask, slot                     e^{iθ} on all-ones of mask

// ---------------------------------------------------------- layer descriptor

export const QNN_FORMAT_VERSION = 4;
// Fields of the descriptor (f64 each; pointers are byte offsets).
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
export const D_BITS = 17;            // i32 readout bits; each readout has its own offset (RF_BITS_OFFSET)
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
export const D_PREP_BIAS = 30;       // amplitude embedding: a constant amplitude after the features (0: none)
export const D_PREP_NORM_SCALE = 31; // amplitude embedding: s of the appended s·‖x‖² (0: none)
export const D_OUTPUTS_SCRATCH = 32; // f64 × 2·numOutputs: outputs of shifted/perturbed runs
export const D_SAMPLE_SCRATCH = 33;  // f64 × 3·(largest probs count + 1): shot sampling
export const D_WORK_STATES = 34;     // 2 + D_STACK_CAPACITY states: parameter shift and finite differences (the SDK allocates them on first use)
export const D_NUM_WEIGHTS = 35;
export const D_STACK_CAPACITY = 36;  // direction vectors parameter shift propagates together (≥ 1)
export const D_SHIFT_RECORDS = 37;   // i32 × 4 per slot: parameter shift's bookkeeping
export const D_SAMPLE_GRADS = 38;    // 0, or f64 × numSlots per sample: every sample's slot gradients (adjoint, parameter shift), for a caller that sums them itself
export const D_WIDTH = 40;

// State preparations (D_PREP_KIND).
export const PREP_NONE = 0;
export const PREP_AMPLITUDE = 1;
export const PREP_STATE = 2;

// Slot table: SLOT_WIDTH f64 per angle slot, θ = scale·source + offset.
export const SLOT_WIDTH = 4;
export const SF_KIND = 0;
export const SF_INDEX = 1;
export const SF_SCALE = 2;
export const SF_OFFSET = 3;
export const SLOT_CONST = 0;
export const SLOT_WEIGHT = 1;
export const SLOT_INPUT = 2;

// Readout table: R_WIDTH f64 per readout.
export const R_WIDTH = 12;
export const RF_KIND = 0;
export const RF_OUT_OFFSET = 1;
export const RF_COUNT = 2;        // outputs of the readout (probs: classes)
export const RF_X_MASK = 3;       // Pauli word
export const RF_Z_MASK = 4;
export const RF_NUM_Y = 5;
export const RF_NUM_BITS = 6;     // matrix and probs readouts: how many bits
export const RF_MATRIX_OFFSET = 7; // f64 offset of the matrix in the matrices area
export const RF_BITS_OFFSET = 8;  // i32 offset of the readout's bits in D_BITS (first = most significant)
export const RF_LOW = 9;          // shots: lowest eigenvalue of the observable
export const RF_HIGH = 10;        // shots: highest eigenvalue of the observable
export const R_PAULI = 1;
export const R_MATRIX = 2;
export const R_PROBS = 3;

// Parameter-shift rules: RULE_WIDTH f64 per slot (terms R, R shifts, R coefficients).
export const RULE_MAX_TERMS = 4;
export const RULE_WIDTH = 9; // 1 + 2·RULE_MAX_TERMS

// What qnnFiniteDiff differentiates (flags).
export const FD_WEIGHTS = 1;
export const FD_INPUTS = 2;
export const FD_MATRICES = 4;

// Plan steps (fusion.ts): STEP_WIDTH i32 per op.
export const STEP_WIDTH = 8;
