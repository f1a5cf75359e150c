/**
 * The plain, JSON-serialisable configuration of a {@link QNNLayer}: its
 * types, validation and the seeded weight initialisers.
 *
 * @module
 */
import { QDistillError, unreachable } from '../errors.js';
import type { RowsMatrix } from '../circuit/circuit.js';
import { Random } from '../util/random.js';
import type { AnsatzConfig, EncoderConfig } from './ansatz.js';

/**
 * What a layer measures; each entry adds one or more outputs.
 *
 * - `expval`: ⟨P⟩ of one Pauli word, e.g. `'Z0 Z1'` or `'X0 Y2'`.
 * - `expvalZ`: ⟨Z_i⟩ for every listed wire (default all), one pass over the state.
 * - `expvalZZ`: ⟨Z_i Z_j⟩ for pairs of wires: `'chain'` (i, i+1), `'ring'`
 *   (the chain closed by (n−1, 0) for n > 2), `'all'` (every i < j) or an
 *   explicit list `[[0, 1], [2, 3]]`.
 * - `hermitian`: ⟨H⟩ of a Hermitian matrix on some wires, optionally trainable.
 * - `probs`: the probabilities of the basis states of `wires` (any number of
 *   wires up to the register; first listed = most significant), the first
 *   `classes` of them.
 */
export type MeasurementConfig =
  | { type: 'expval'; observable: string }
  | { type: 'expvalZ'; wires?: number[] }
  | { type: 'expvalZZ'; pairs?: 'chain' | 'ring' | 'all' | [number, number][] }
  | {
      type: 'hermitian';
      wires: number[];
      /** Train the observable (1-qubit only). Default false. */
      trainable?: boolean;
      /** 'A': H = (A + A†)/2 from a complex 2×2 A (8 reals); 'pauli': H = a₀I + aₓX + a_yY + a_zZ (4 reals). */
      parametrization?: 'A' | 'pauli';
      /** Fixed matrix, or the initial value of a trainable one (default Pauli Z). */
      matrix?: RowsMatrix;
    }
  | { type: 'probs'; wires?: number[]; classes?: number };

/** Gradient method. */
export type DiffMethod = 'adjoint' | 'parameter-shift' | 'finite-diff';

/** Weight initialiser (seeded). */
export type WeightInit = { type: 'uniform'; low?: number; high?: number } | { type: 'normal'; std?: number } | { type: 'xavier-normal' };

/**
 * The parameter-shift rule of single-frequency gates (a generator with two
 * eigenvalues a frequency b apart: RX, RY, RZ, PhaseShift, Rot's factors,
 * IsingXX/YY/ZZ, MultiRZ, ControlledPhaseShift, …). For f(θ) = E(θ):
 *
 *   f(θ + s) − f(θ − s) = (2·sin(b·s)/b) · f′(θ)
 *
 * so the gradient estimate is c·(f(θ + s) − f(θ − s)) with
 * c = b/(2·sin(b·s)) (`factor: 'exact'`, the derivative itself) or c = 1
 * (`factor: 'none'`, the raw difference: (2·sin(b·s)/b)·f′). Gates with
 * more frequencies (controlled rotations) keep their own exact rule.
 *
 * The default is the usual rule s = π/(2b), c = b/2. Paper 003's gradient,
 * E(θ + π/4) − E(θ − π/4) with fresh shots for each shifted run and no
 * factor — √2 times the exact derivative plus shot noise — is
 * `{ shift: Math.PI / 4, factor: 'none' }`.
 *
 * @example
 * ```ts
 * const layer = await QNNLayer.create({ ...config, diffMethod: 'parameter-shift', shots: 5000,
 *   shiftRule: { shift: Math.PI / 4, factor: 'none' } });
 * ```
 */
export interface ShiftRuleConfig {
  /** The shift s in radians (default π/(2b), b the gate's frequency). */
  shift?: number;
  /** 'exact' (default): c = b/(2·sin(b·s)); 'none': c = 1. */
  factor?: 'exact' | 'none';
}

/** A plain, JSON-serialisable description of a {@link QNNLayer}. */
export interface QNNLayerConfig {
  numQubits: number;
  encoder: EncoderConfig;
  ansatz: AnsatzConfig;
  measurements: MeasurementConfig[];
  /** Default 'adjoint'. */
  diffMethod?: DiffMethod;
  /** Finite number of shots (seeded sampling), or undefined/null for exact values. */
  shots?: number | null;
  /** Seed for initialisation and shot sampling. Default 0. */
  seed?: number;
  /** Weight initialiser. Default uniform [0, 2π). */
  init?: WeightInit;
  /** Step of 'finite-diff' (central differences), and of parameter-shift's state-preparation inputs. Default 1e-6. */
  finiteDiffStep?: number;
  /** Parameter-shift rule of single-frequency gates (see {@link ShiftRuleConfig}). Default: the exact π/(2b) rule. */
  shiftRule?: ShiftRuleConfig;
}

/** Result of {@link QNNLayer.backward}. */
export interface QNNGradients {
  /** ∂L/∂inputs, batch × numInputs. */
  inputs: Float64Array;
  /** ∂L/∂params: circuit weights then observable parameters (summed over the batch). */
  params: Float64Array;
}

/** The default step of finite differences. */
export const DEFAULT_FINITE_DIFF_STEP = 1e-6;

/** Checks the fields of a config that do not need the circuit; throws `E_CONFIG` / `E_SHOTS`. */
export function validateConfig(config: QNNLayerConfig): void {
  if (typeof config !== 'object' || config === null) throw new QDistillError('E_CONFIG', 'QNNLayer: config must be an object');
  if (!Number.isInteger(config.numQubits) || config.numQubits < 1) {
    throw new QDistillError('E_CONFIG', `QNNLayer config.numQubits: expected a positive integer, got ${config.numQubits}`);
  }
  if (config.shots !== undefined && config.shots !== null && (!Number.isInteger(config.shots) || config.shots <= 0)) {
    throw new QDistillError('E_SHOTS', `QNNLayer config.shots: expected a positive integer (or null for exact), got ${config.shots}`);
  }
  if (config.diffMethod && !['adjoint', 'parameter-shift', 'finite-diff'].includes(config.diffMethod)) {
    throw new QDistillError('E_CONFIG', `QNNLayer config.diffMethod: expected 'adjoint', 'parameter-shift' or 'finite-diff', got ${JSON.stringify(config.diffMethod)}`);
  }
  if (!Array.isArray(config.measurements)) throw new QDistillError('E_CONFIG', 'QNNLayer config.measurements: expected an array');
  if (config.finiteDiffStep !== undefined && !(config.finiteDiffStep > 0 && Number.isFinite(config.finiteDiffStep))) {
    throw new QDistillError('E_CONFIG', `QNNLayer config.finiteDiffStep: expected a finite number > 0, got ${config.finiteDiffStep}`);
  }
  const rule = config.shiftRule;
  if (rule !== undefined) {
    if (typeof rule !== 'object' || rule === null) throw new QDistillError('E_CONFIG', `QNNLayer config.shiftRule: expected an object { shift?, factor? }, got ${JSON.stringify(rule)}`);
    if (rule.shift !== undefined && !(typeof rule.shift === 'number' && Number.isFinite(rule.shift) && rule.shift > 0)) {
      throw new QDistillError('E_CONFIG', `QNNLayer config.shiftRule.shift: expected a finite number > 0 (radians), got ${JSON.stringify(rule.shift)}`);
    }
    if (rule.factor !== undefined && rule.factor !== 'exact' && rule.factor !== 'none') {
      throw new QDistillError('E_CONFIG', `QNNLayer config.shiftRule.factor: expected 'exact' or 'none', got ${JSON.stringify(rule.factor)}`);
    }
  }
}

/** Seeded initial weights. */
export function initWeights(count: number, init: WeightInit, rng: Random, numQubits: number): Float64Array {
  const out = new Float64Array(count);
  switch (init.type) {
    case 'uniform': {
      const low = init.low ?? 0;
      const high = init.high ?? 2 * Math.PI;
      for (let i = 0; i < count; i++) out[i] = rng.range(low, high);
      break;
    }
    case 'normal': {
      const std = init.std ?? 1;
      for (let i = 0; i < count; i++) out[i] = std * rng.normal();
      break;
    }
    case 'xavier-normal': {
      const std = Math.sqrt(2 / (2 * numQubits));
      for (let i = 0; i < count; i++) out[i] = std * rng.normal();
      break;
    }
    default:
      unreachable(init, 'weight init');
  }
  return out;
}
