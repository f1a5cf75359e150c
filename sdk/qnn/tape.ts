/**
 * The tape compiler: turns a {@link Circuit} into the engine's op list once.
 * This is where a circuit's PennyLane wires become engine bit positions
 * (through sdk/circuit/wires.ts) and gate names become structure-level kernels.
 */
import { QDistillError, unreachable } from '../errors.js';
import type { Circuit, StatePrep } from '../circuit/circuit.js';
import { getGate, type Factor } from '../circuit/gates.js';
import { dagger, interleave, type ComplexMatrix } from '../circuit/matrix.js';
import { isInputRef, isWeightRef, type ParamSource } from '../circuit/params.js';
import { pauliMasks, type PauliLetter } from '../circuit/pauli.js';
import { wireBit, wireMask } from '../circuit/wires.js';
import { OP_WIDTH, Opcode } from './tape-format.js';

/** Where a parametric op's angle comes from: θ = scale·source + offset. */
export type SlotSource =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'weight'; readonly index: number; readonly scale: number; readonly offset: number }
  | { readonly kind: 'input'; readonly index: number; readonly scale: number; readonly offset: number };

/** Which gate (op index in the circuit) and parameter produced a slot — for gradients and shift rules. */
export interface SlotOrigin {
  readonly opIndex: number;
  readonly paramIndex: number;
  /** Generator kind and the number of controls, for the parameter-shift rule. */
  readonly factor: Factor;
  readonly numControls: number;
  readonly numTargets: number;
}

/** A compiled circuit. */
export interface Tape {
  readonly numQubits: number;
  readonly numOps: number;
  readonly ops: Int32Array;
  readonly consts: Float64Array;
  readonly slots: readonly SlotSource[];
  readonly slotOrigins: readonly SlotOrigin[];
  readonly prep: StatePrep | undefined;
  /** Largest number of wires of a dense op (scratch needed: 16·2^k bytes). */
  readonly maxDenseWires: number;
  /** Highest weight index used + 1. */
  readonly numWeights: number;
  /** Highest input index used + 1 (including the preparation). */
  readonly numInputs: number;
}

/**
 * Compiles a circuit.
 *
 * @example
 * ```ts
 * const tape = compileTape(new Circuit(2).h(0).cnot(0, 1));
 * ```
 */
export function compileTape(circuit: Circuit): Tape {
  const n = circuit.numQubits;
  const ops: number[] = [];
  const consts: number[] = [];
  const slots: SlotSource[] = [];
  const slotOrigins: SlotOrigin[] = [];
  let maxDense = 0;
  let numWeights = 0;
  let numInputs = 0;
  const bit = (wire: number): number => wireBit(n, wire);
  const maskOf = (wires: readonly number[]): number => wireMask(n, wires);
  const emit = (...fields: number[]): void => {
    if (fields.length > OP_WIDTH) throw new QDistillError('E_INVALID_ARGUMENT', 'tape: op too wide');
    for (let i = 0; i < OP_WIDTH; i++) ops.push(fields[i] ?? 0);
  };
  const constant = (values: ArrayLike<number>): number => {
    const offset = consts.length;
    for (let i = 0; i < values.length; i++) consts.push(values[i]!);
    return offset;
  };
  const slot = (p: ParamSource, sign: number, origin: SlotOrigin): number => {
    let source: SlotSource;
    if (typeof p === 'number') source = { kind: 'const', value: sign * p };
    else if (isWeightRef(p)) {
      source = { kind: 'weight', index: p.weight, scale: sign * (p.scale ?? 1), offset: 0 };
      numWeights = Math.max(numWeights, p.weight + 1);
    } else if (isInputRef(p)) {
      source = { kind: 'input', index: p.input, scale: sign * (p.scale ?? 1), offset: sign * (p.offset ?? 0) };
      numInputs = Math.max(numInputs, p.input + 1);
    } else throw new QDistillError('E_INVALID_ARGUMENT', `tape: bad parameter ${JSON.stringify(p)}`);
    slots.push(source);
    slotOrigins.push(origin);
    return slots.length - 1;
  };
  const dense = (matrix: ComplexMatrix, targets: readonly number[], ctrl: number, inverse: boolean): void => {
    const forward = inverse ? dagger(matrix) : matrix;
    const backward = inverse ? matrix : dagger(matrix);
    const off = constant(interleave(forward));
    constant(interleave(backward));
    maxDense = Math.max(maxDense, targets.length);
    if (targets.length === 1) emit(Opcode.Dense1, bit(targets[0]!), ctrl, off);
    else if (targets.length === 2) emit(Opcode.Dense2, bit(targets[0]!), bit(targets[1]!), ctrl, off);
    else if (targets.length <= 4) emit(Opcode.DenseK, targets.length, ctrl, off, ...targets.map(bit));
    else throw new QDistillError('E_UNSUPPORTED', `tape: dense ops act on at most 4 wires, got ${targets.length}`);
  };

  if (circuit.prep) {
    const prep = circuit.prep;
    if (prep.kind === 'amplitude' && prep.features === null) numInputs = Math.max(numInputs, prep.inputOffset + prep.numFeatures);
    if (prep.kind === 'state') numInputs = Math.max(numInputs, prep.inputOffset + 2 * (1 << n));
  }

  circuit.ops.forEach((op, opIndex) => {
    const gate = getGate(op.name);
    const controls = op.wires.slice(0, gate.numControls);
    const targets = op.wires.slice(gate.numControls);
    const ctrl = maskOf(controls);
    if (gate.matrixParam) {
      dense(op.matrix!, targets, ctrl, op.inverse);
      return;
    }
    if (gate.action) {
      const action = gate.action;
      switch (action.kind) {
        case 'dense':
          dense(action.matrix, targets, ctrl, op.inverse);
          return;
        case 'flip':
          emit(Opcode.X, bit(targets[0]!), ctrl);
          return;
        case 'swap':
          emit(Opcode.Swap, bit(targets[0]!), bit(targets[1]!), ctrl);
          return;
        case 'pauli': {
          const masks = pauliMasks({ letters: [...action.word] as PauliLetter[], wires: targets }, n);
          emit(Opcode.Pauli, masks.xMask, masks.zMask, ctrl, masks.numY);
          return;
        }
        case 'phase': {
          const off = constant([action.re, op.inverse ? -action.im : action.im]);
          emit(Opcode.Phase, (ctrl | maskOf(targets)) >>> 0, off);
          return;
        }
        default:
          unreachable(action, 'tape action');
      }
    }
    const factors = op.inverse ? [...gate.factors!].reverse() : gate.factors!;
    const sign = op.inverse ? -1 : 1;
    for (const factor of factors) {
      const origin: SlotOrigin = { opIndex, paramIndex: factor.param, factor, numControls: controls.length, numTargets: targets.length };
      const s = slot(op.params[factor.param]!, sign, origin);
      if (factor.kind === 'rotation') {
        const word = factor.pauli.length === 1 && targets.length > 1 ? factor.pauli.repeat(targets.length) : factor.pauli;
        const masks = pauliMasks({ letters: [...word] as PauliLetter[], wires: targets }, n);
        emit(Opcode.PauliRot, masks.xMask, masks.zMask, ctrl, masks.numY, s);
      } else {
        emit(Opcode.PhaseRot, (ctrl | maskOf(targets)) >>> 0, s);
      }
    }
  });

  return {
    numQubits: n,
    numOps: ops.length / OP_WIDTH,
    ops: Int32Array.from(ops),
    consts: Float64Array.from(consts),
    slots,
    slotOrigins,
    prep: circuit.prep,
    maxDenseWires: maxDense,
    numWeights,
    numInputs,
  };
}

/** Angles of every slot for given weights and one sample's inputs. */
export function slotAngles(tape: Tape, weights?: ArrayLike<number>, inputs?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(tape.slots.length);
  tape.slots.forEach((s, i) => {
    switch (s.kind) {
      case 'const':
        out[i] = s.value;
        break;
      case 'weight':
        if (!weights) throw new QDistillError('E_INVALID_ARGUMENT', 'circuit uses trainable weights: pass weights');
        out[i] = s.scale * weights[s.index]! + s.offset;
        break;
      case 'input':
        if (!inputs) throw new QDistillError('E_INVALID_ARGUMENT', 'circuit uses input features: pass inputs');
        out[i] = s.scale * inputs[s.index]! + s.offset;
        break;
      default:
        unreachable(s, 'slot source');
    }
  });
  return out;
}
