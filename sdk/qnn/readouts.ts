/**
 * The readouts of a {@link QNNLayer}: measurement configs compiled into the
 * engine's readout table (Pauli words, Hermitian matrices, marginal
 * probabilities), the trainable observables' parametrisations, and the
 * spectra shots sample from.
 *
 * @module
 */
import { QDistillError, assertAllFinite, unreachable } from '../errors.js';
import { checkWireList, matrixFromRows } from '../circuit/circuit.js';
import { hermitianEigenvalues, hermiticityError, identity, interleave, type ComplexMatrix } from '../circuit/matrix.js';
import { parsePauliString, pauliMasks, pauliMatrix } from '../circuit/pauli.js';
import { wireBits } from '../circuit/wires.js';
import { R_WIDTH, ReadoutField, ReadoutKind } from './layer-format.js';
import type { MeasurementConfig } from './qnn-config.js';

/** One compiled readout: a row of the engine's readout table. */
export interface Readout {
  readonly kind: number;
  readonly outOffset: number;
  /** Outputs of this readout (probs: classes; else 1). */
  readonly count: number;
  readonly xMask: number;
  readonly zMask: number;
  readonly numY: number;
  /** Index bits of the readout's wires, first = most significant (matrix and probs readouts). */
  readonly bits: number[];
  readonly matrixOffset: number;
  /** A fixed observable's matrix (trainable ones are rebuilt from their parameters). */
  readonly fixedMatrix?: ComplexMatrix;
  readonly label: string;
}

/** The parameters of a trainable Hermitian readout: H = Σ_i p_i·basis_i. */
export interface ObservableParam {
  /** Index of its readout. */
  readonly readout: number;
  /** Offset into the layer's observable parameters. */
  readonly offset: number;
  readonly count: number;
  readonly basis: ComplexMatrix[];
}

/** Every readout of a layer. */
export interface CompiledReadouts {
  readonly readouts: readonly Readout[];
  readonly observables: readonly ObservableParam[];
  readonly numOutputs: number;
  /** f64 of the matrices area (interleaved complex matrices of the matrix readouts). */
  readonly matricesLength: number;
  readonly initialObservableParams: Float64Array;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function checkWire(w: number, n: number, where: string): void {
  if (!Number.isInteger(w) || w < 0 || w >= n) {
    throw new QDistillError('E_WIRE_RANGE', `${where}: wire ${w} is out of range for ${n} qubits (valid 0..${n - 1})`);
  }
}

/**
 * The wire pairs of an `expvalZZ` readout: `'chain'` (i, i+1), `'ring'` (the
 * chain closed by (n−1, 0) when n > 2), `'all'` (every i < j) or a list.
 *
 * @throws E_CONFIG (a pair that is not two wires, fewer than two qubits), E_WIRE_RANGE, E_DUPLICATE_WIRES
 * @example
 * ```ts
 * zzPairs('ring', 4); // [[0, 1], [1, 2], [2, 3], [3, 0]]
 * ```
 */
export function zzPairs(pairs: 'chain' | 'ring' | 'all' | readonly (readonly number[])[], numQubits: number): [number, number][] {
  const n = numQubits;
  if (typeof pairs === 'string') {
    if (n < 2) throw new QDistillError('E_CONFIG', `expvalZZ measurement: ${n} qubit(s) have no pairs of wires`);
    switch (pairs) {
      case 'chain':
        return range(n - 1).map((i) => [i, i + 1]);
      case 'ring':
        return n === 2 ? [[0, 1]] : range(n).map((i) => [i, (i + 1) % n]);
      case 'all':
        return range(n).flatMap((i) => range(n).filter((j) => j > i).map((j): [number, number] => [i, j]));
      default:
        throw new QDistillError('E_CONFIG', `expvalZZ measurement: pairs must be 'chain', 'ring', 'all' or a list of [i, j] wire pairs, got ${JSON.stringify(pairs)}`);
    }
  }
  if (!Array.isArray(pairs) || pairs.length === 0) {
    throw new QDistillError('E_CONFIG', `expvalZZ measurement: pairs must be 'chain', 'ring', 'all' or a non-empty list of [i, j] wire pairs, got ${JSON.stringify(pairs)}`);
  }
  return pairs.map((pair, k) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new QDistillError('E_CONFIG', `expvalZZ measurement: pair ${k} must be two wires [i, j], got ${JSON.stringify(pair)}`);
    }
    checkWireList(pair, n, `expvalZZ measurement pair ${k}`);
    return [pair[0]!, pair[1]!];
  });
}

/**
 * Compiles the measurement configs of an n-qubit layer into readouts, in
 * order (each config adds its outputs after the previous ones).
 *
 * @throws E_WIRE_RANGE, E_DUPLICATE_WIRES, E_OBSERVABLE (Pauli words), E_SHAPE / E_NOT_HERMITIAN / E_NON_FINITE
 *   (Hermitian matrices), E_UNSUPPORTED (a trainable multi-qubit Hermitian), E_INVALID_ARGUMENT (probs classes,
 *   no readout at all), E_CONFIG (expvalZZ pairs)
 */
export function compileReadouts(measurements: readonly MeasurementConfig[], numQubits: number): CompiledReadouts {
  const n = numQubits;
  const readouts: Readout[] = [];
  const observables: ObservableParam[] = [];
  const initialObs: number[] = [];
  let outputs = 0;
  let matrices = 0;
  let obsParams = 0;
  const pauli = (word: string): void => {
    const term = parsePauliString(word);
    term.wires.forEach((w) => checkWire(w, n, `measurement "${word}"`));
    const masks = pauliMasks(term, n);
    readouts.push({ kind: ReadoutKind.PAULI, outOffset: outputs++, count: 1, ...masks, bits: [], matrixOffset: 0, label: `<${word}>` });
  };
  for (const m of measurements) {
    switch (m.type) {
      case 'expval':
        pauli(m.observable);
        break;
      case 'expvalZ':
        for (const w of m.wires ?? range(n)) pauli(`Z${w}`);
        break;
      case 'expvalZZ':
        for (const [i, j] of zzPairs(m.pairs ?? 'chain', n)) pauli(`Z${i} Z${j}`);
        break;
      case 'hermitian': {
        checkWireList(m.wires, n, 'hermitian measurement');
        const k = m.wires.length;
        const dim = 1 << k;
        const initial = m.matrix ? matrixFromRows(m.matrix) : k === 1 ? pauliMatrix('Z') : undefined;
        if (!initial) throw new QDistillError('E_INVALID_ARGUMENT', `hermitian measurement on ${k} wires: give its matrix`);
        if (initial.dim !== dim) throw new QDistillError('E_SHAPE', `hermitian measurement on wires [${m.wires}]: expected a ${dim}×${dim} matrix, got ${initial.dim}×${initial.dim}`);
        assertAllFinite(initial.re, `hermitian measurement on wires [${m.wires}] (re)`);
        assertAllFinite(initial.im, `hermitian measurement on wires [${m.wires}] (im)`);
        const herr = hermiticityError(initial);
        if (herr > 1e-10) throw new QDistillError('E_NOT_HERMITIAN', `hermitian measurement on wires [${m.wires}]: matrix is not Hermitian (max |H − H†| = ${herr.toExponential(2)})`);
        const readoutIndex = readouts.length;
        readouts.push({
          kind: ReadoutKind.MATRIX, outOffset: outputs++, count: 1, xMask: 0, zMask: 0, numY: 0,
          bits: wireBits(n, m.wires), matrixOffset: matrices, label: `<H[${m.wires}]>`,
          ...(m.trainable ? {} : { fixedMatrix: initial }),
        });
        matrices += 2 * dim * dim;
        if (m.trainable) {
          if (k !== 1) throw new QDistillError('E_UNSUPPORTED', `trainable hermitian measurement: only 1-qubit observables are trainable, got ${k} wires`);
          const parametrization = m.parametrization ?? 'A';
          const basis = observableBasis(parametrization);
          observables.push({ readout: readoutIndex, offset: obsParams, count: basis.length, basis });
          initialObs.push(...initialObservableParams(parametrization, initial));
          obsParams += basis.length;
        }
        break;
      }
      case 'probs': {
        const wires = m.wires ?? range(n);
        checkWireList(wires, n, 'probs measurement');
        const classes = m.classes ?? 2 ** wires.length;
        if (!Number.isInteger(classes) || classes < 1 || classes > 2 ** wires.length) {
          throw new QDistillError('E_INVALID_ARGUMENT', `probs measurement: classes must be in 1..${2 ** wires.length}, got ${classes}`);
        }
        readouts.push({ kind: ReadoutKind.PROBS, outOffset: outputs, count: classes, xMask: 0, zMask: 0, numY: 0, bits: wireBits(n, wires), matrixOffset: 0, label: `P[${wires}]` });
        outputs += classes;
        break;
      }
      default:
        unreachable(m, 'measurement type');
    }
  }
  if (outputs === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'QNNLayer: at least one measurement is required');
  return { readouts, observables, numOutputs: outputs, matricesLength: matrices, initialObservableParams: Float64Array.from(initialObs) };
}

/** Labels of the outputs, e.g. `<Z0>`, `<Z0 Z1>`, `P[0,1]=3`. */
export function outputLabels(compiled: CompiledReadouts): string[] {
  return compiled.readouts.flatMap((r) => (r.count === 1 ? [r.label] : range(r.count).map((i) => `${r.label}=${i}`)));
}

/**
 * The engine's readout table (R_WIDTH f64 per readout) and the readouts'
 * bits (i32, each readout's at its BITS_OFFSET). LOW/HIGH start at ±1 (the
 * spectrum of a Pauli word); {@link readoutSpectra} gives matrix readouts'.
 */
export function readoutTable(compiled: CompiledReadouts): { table: Float64Array; bits: Int32Array } {
  const table = new Float64Array(Math.max(1, compiled.readouts.length) * R_WIDTH);
  const bits: number[] = [];
  compiled.readouts.forEach((r, i) => {
    const row = table.subarray(i * R_WIDTH, (i + 1) * R_WIDTH);
    row[ReadoutField.KIND] = r.kind;
    row[ReadoutField.OUT_OFFSET] = r.outOffset;
    row[ReadoutField.COUNT] = r.count;
    row[ReadoutField.X_MASK] = r.xMask;
    row[ReadoutField.Z_MASK] = r.zMask;
    row[ReadoutField.NUM_Y] = r.numY;
    row[ReadoutField.NUM_BITS] = r.bits.length;
    row[ReadoutField.MATRIX_OFFSET] = r.matrixOffset;
    row[ReadoutField.BITS_OFFSET] = bits.length;
    row[ReadoutField.LOW] = -1;
    row[ReadoutField.HIGH] = 1;
    bits.push(...r.bits);
  });
  return { table, bits: Int32Array.from(bits.length ? bits : [0]) };
}

/** The current matrix of a trainable observable: H = Σ_i p_i·basis_i. */
export function observableMatrix(o: ObservableParam, params: ArrayLike<number>): ComplexMatrix {
  const dim = o.basis[0]!.dim;
  const re = new Float64Array(dim * dim);
  const im = new Float64Array(dim * dim);
  o.basis.forEach((b, i) => {
    const p = params[o.offset + i]!;
    for (let j = 0; j < re.length; j++) {
      re[j] = re[j]! + p * b.re[j]!;
      im[j] = im[j]! + p * b.im[j]!;
    }
  });
  return { dim, re, im };
}

/** The matrix of every matrix readout (fixed, or from the observable parameters), by readout index. */
function currentMatrices(compiled: CompiledReadouts, params: ArrayLike<number>): Map<number, ComplexMatrix> {
  const out = new Map<number, ComplexMatrix>();
  compiled.readouts.forEach((r, i) => {
    if (r.fixedMatrix) out.set(i, r.fixedMatrix);
  });
  for (const o of compiled.observables) out.set(o.readout, observableMatrix(o, params));
  return out;
}

/** The matrices area the engine reads: every matrix readout's matrix, interleaved, at its offset. */
export function matricesArea(compiled: CompiledReadouts, params: ArrayLike<number>): Float64Array {
  const area = new Float64Array(compiled.matricesLength);
  for (const [i, m] of currentMatrices(compiled, params)) area.set(interleave(m), compiled.readouts[i]!.matrixOffset);
  return area;
}

/**
 * The two eigenvalues [low, high] every readout's shots sample from, by
 * readout index: ±1 for Pauli words, the spectrum of a 1-qubit Hermitian
 * (probability readouts need none). Computed once per call, not per sample.
 *
 * @throws E_UNSUPPORTED for a Hermitian readout on more than one qubit
 */
export function readoutSpectra(compiled: CompiledReadouts, params: ArrayLike<number>): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const [i, m] of currentMatrices(compiled, params)) {
    if (m.dim !== 2) throw new QDistillError('E_UNSUPPORTED', 'QNNLayer: shots with multi-qubit Hermitian observables are not supported');
    const [low, high] = hermitianEigenvalues(m) as [number, number];
    out.set(i, [low, high]);
  }
  return out;
}

/**
 * Adds ∂L/∂p for the trainable observables to `dParams` (after `numWeights`
 * weights), from the accumulated ∂L/∂M of their matrices (`density`, the
 * matrices area's layout: D_ab = Σ g·conj(ψ_a)ψ_b): for H = Σ p_i B_i,
 * ∂L/∂p_i = Re Σ_ab D_ab·(B_i)_ab.
 */
export function addObservableGradients(compiled: CompiledReadouts, numWeights: number, dParams: Float64Array, density: Float64Array): void {
  for (const o of compiled.observables) {
    const off = compiled.readouts[o.readout]!.matrixOffset;
    o.basis.forEach((b, i) => {
      let sum = 0;
      for (let j = 0; j < b.re.length; j++) {
        sum += density[off + 2 * j]! * b.re[j]! - density[off + 2 * j + 1]! * b.im[j]!;
      }
      dParams[numWeights + o.offset + i] += sum;
    });
  }
}

function observableBasis(parametrization: 'A' | 'pauli'): ComplexMatrix[] {
  const e = (r: number, c: number, re: number, im: number): ComplexMatrix => {
    const m = { dim: 2, re: new Float64Array(4), im: new Float64Array(4) };
    m.re[r * 2 + c] = re;
    m.im[r * 2 + c] = im;
    return m;
  };
  const sum = (a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix => ({
    dim: 2,
    re: a.re.map((v, i) => v + b.re[i]!),
    im: a.im.map((v, i) => v + b.im[i]!),
  });
  if (parametrization === 'pauli') return [identity(2), pauliMatrix('X'), pauliMatrix('Y'), pauliMatrix('Z')];
  // H = (A + A†)/2, params [Re A00, Im A00, Re A01, Im A01, Re A10, Im A10, Re A11, Im A11]
  return [
    e(0, 0, 1, 0),
    e(0, 0, 0, 0),
    sum(e(0, 1, 0.5, 0), e(1, 0, 0.5, 0)),
    sum(e(0, 1, 0, 0.5), e(1, 0, 0, -0.5)),
    sum(e(0, 1, 0.5, 0), e(1, 0, 0.5, 0)),
    sum(e(0, 1, 0, -0.5), e(1, 0, 0, 0.5)),
    e(1, 1, 1, 0),
    e(1, 1, 0, 0),
  ];
}

function initialObservableParams(parametrization: 'A' | 'pauli', m: ComplexMatrix): number[] {
  if (parametrization === 'pauli') {
    // a0 = tr(H)/2, ax = Re H01, ay = −Im H01... from H = a0 I + ax X + ay Y + az Z
    return [(m.re[0]! + m.re[3]!) / 2, m.re[1]!, -m.im[1]!, (m.re[0]! - m.re[3]!) / 2];
  }
  return [m.re[0]!, 0, m.re[1]!, m.im[1]!, m.re[2]!, m.im[2]!, m.re[3]!, 0]; // A = H, so (A + A†)/2 = H
}
