/**
 * OpenQASM 2.0 export and import, so circuits run on other engines (Qiskit
 * Aer, hardware services) and come back.
 *
 * Wire order: qubit `q[w]` is PennyLane wire `w`. Note that Qiskit prints
 * basis states little-endian (q[0] is the LEAST significant bit of its
 * statevector index) while qdistill and PennyLane put wire 0 first; the
 * amplitudes are the same, the index bits are reversed.
 *
 * Gate map (qdistill/PennyLane → qelib1.inc), exact unless noted:
 *
 * | qdistill | QASM | note |
 * |---|---|---|
 * | Hadamard, PauliX/Y/Z, S, T, SX | h, x, y, z, s, t, sx | adjoint: sdg, tdg, sxdg |
 * | RX, RY, RZ | rx, ry, rz | adjoint: negated angle (all parametric gates) |
 * | PhaseShift | u1 | (`p` is the same gate in newer qelib1) |
 * | U3(θ, φ, δ) | u3(θ, φ, δ) | identical matrices; adjoint u3(−θ, −δ, −φ) |
 * | Rot(φ, θ, ω) = RZ(ω)RY(θ)RZ(φ) | u3(θ, ω, φ) | global phase e^{−i(φ+ω)/2} |
 * | CNOT, CZ, CY, SWAP, Toffoli | cx, cz, cy, swap, ccx | |
 * | CRX, CRY, CRZ | crx, cry, crz | |
 * | ControlledPhaseShift | cu1 | (`cp` in newer qelib1) |
 * | CRot(φ, θ, ω) | crz(φ); cry(θ); crz(ω) | |
 * | IsingXX, IsingYY, IsingZZ | rxx, ryy, rzz | `ryy` is not in qelib1.inc: its definition is emitted. (npm quantum-circuit 0.9.250 reads `rxx(θ)` as exp(−iθ·X⊗X), twice Qiskit's angle.) |
 * | MultiRZ(θ) | CNOT ladder, rz(θ) on the last wire, ladder back | |
 * | QubitUnitary, 1 wire | u3 | global phase e^{iα} (see below) |
 * | QubitUnitary, 2–3 wires | cu3, u1, cx, x | two-level (Givens) decomposition, exact with its phase: ≤ 20 gates on 2 wires, ≤ ~300 on 3 |
 * | AmplitudeEmbedding (numbers) | ry/cx state preparation from \|0…0⟩ | uniformly controlled RY tree, exact, 2^n − 1 RY |
 *
 * Symbolic parameters and input-fed state preparations throw
 * `E_UNSUPPORTED`. A gate added to the table later exports through its
 * matrix if it acts on one wire (as u3), else throws `E_UNSUPPORTED` until
 * it gets an entry in EXPORTERS.
 *
 * QASM 2.0 has no global phase; gates are exact up to the phases noted above,
 * whose sum is written in a `// global phase` comment.
 */
import { QDistillError, isQDistillError, unreachable } from '../errors.js';
import { Circuit, type Operation } from './circuit.js';
import { getGate } from './gates.js';
import { dagger, type ComplexMatrix } from './matrix.js';
import { isInputRef, isWeightRef, type ParamSource } from './params.js';
import { prepareAmplitudes } from './templates.js';

// =================================================================== export

/** Options of {@link toQASM}. */
export interface ToQASMOptions {
  /** Append `creg c[n]; measure q -> c;` (for shot-based engines). Default false. */
  measure?: boolean;
}

interface Emitter {
  /** Appends `name(params) q[w0],q[w1];`. */
  gate(name: string, params: readonly number[], wires: readonly number[]): void;
  comment(text: string): void;
  /** Adds θ to the dropped global phase (circuit = e^{iθ}·program). */
  phase(theta: number): void;
  /** Requests a gate definition that qelib1.inc lacks. */
  define(name: keyof typeof EXTRA_DEFINITIONS): void;
}

/** Definitions emitted when used (absent from qelib1.inc). */
const EXTRA_DEFINITIONS = {
  // exp(−iθ/2·Y⊗Y): rotate Y into Z on both wires, then rzz as cx·rz·cx.
  ryy: 'gate ryy(theta) a,b { rx(pi/2) a; rx(pi/2) b; cx a,b; rz(theta) b; cx a,b; rx(-pi/2) a; rx(-pi/2) b; }',
} as const;

type NumericOp = Operation & { readonly values: readonly number[] };
type OpExporter = (op: NumericOp, out: Emitter) => void;

const neg = (values: readonly number[], inverse: boolean): number[] => (inverse ? values.map((v) => -v) : [...values]);

/** One fixed gate: `name`, or `inverseName` for its adjoint. */
const fixed = (name: string, inverseName = name): OpExporter => (op, out) => out.gate(op.inverse ? inverseName : name, [], op.wires);
/** One parametric gate whose adjoint negates every angle. */
const rotation = (name: string, define?: keyof typeof EXTRA_DEFINITIONS): OpExporter => (op, out) => {
  if (define) out.define(define);
  out.gate(name, neg(op.values, op.inverse), op.wires);
};

/** The export table, keyed by gate name. */
const EXPORTERS: Readonly<Record<string, OpExporter>> = {
  Hadamard: fixed('h'),
  PauliX: fixed('x'),
  PauliY: fixed('y'),
  PauliZ: fixed('z'),
  S: fixed('s', 'sdg'),
  T: fixed('t', 'tdg'),
  SX: fixed('sx', 'sxdg'),
  RX: rotation('rx'),
  RY: rotation('ry'),
  RZ: rotation('rz'),
  PhaseShift: rotation('u1'),
  U3: (op, out) => {
    const [theta, phi, delta] = op.values as [number, number, number];
    // U3(θ,φ,δ)† = PhaseShift(−δ)·RY(−θ)·PhaseShift(−φ) = U3(−θ, −δ, −φ)
    out.gate('u3', op.inverse ? [-theta, -delta, -phi] : [theta, phi, delta], op.wires);
  },
  Rot: (op, out) => {
    // Rot(φ,θ,ω) = RZ(ω)RY(θ)RZ(φ) = e^{−i(φ+ω)/2}·U3(θ, ω, φ); Rot† = Rot(−ω, −θ, −φ).
    const [p, t, o] = op.values as [number, number, number];
    const [phi, theta, omega] = op.inverse ? [-o, -t, -p] : [p, t, o];
    out.gate('u3', [theta, omega, phi], op.wires);
    out.phase(-(phi + omega) / 2);
  },
  CNOT: fixed('cx'),
  CZ: fixed('cz'),
  CY: fixed('cy'),
  SWAP: fixed('swap'),
  Toffoli: fixed('ccx'),
  CRX: rotation('crx'),
  CRY: rotation('cry'),
  CRZ: rotation('crz'),
  ControlledPhaseShift: rotation('cu1'),
  CRot: (op, out) => {
    // controlled(RZ(ω)RY(θ)RZ(φ)) = CRZ(ω)·CRY(θ)·CRZ(φ) (the controlled product of the factors).
    const [phi, theta, omega] = op.values as [number, number, number];
    const sequence: [string, number][] = [['crz', phi], ['cry', theta], ['crz', omega]];
    if (op.inverse) sequence.reverse();
    for (const [name, angle] of sequence) out.gate(name, [op.inverse ? -angle : angle], op.wires);
  },
  IsingXX: rotation('rxx'),
  IsingYY: rotation('ryy', 'ryy'),
  IsingZZ: rotation('rzz'),
  MultiRZ: (op, out) => {
    // exp(−iθ/2·Z⊗…⊗Z): accumulate the parity on the last wire, rotate it, undo.
    const theta = op.inverse ? -op.values[0]! : op.values[0]!;
    const w = op.wires;
    for (let i = 0; i + 1 < w.length; i++) out.gate('cx', [], [w[i]!, w[i + 1]!]);
    out.gate('rz', [theta], [w[w.length - 1]!]);
    for (let i = w.length - 2; i >= 0; i--) out.gate('cx', [], [w[i]!, w[i + 1]!]);
  },
};

/**
 * Exports a circuit (numeric parameters only) as an OpenQASM 2.0 program
 * using `qelib1.inc` gates. Numbers are written with full precision (the
 * shortest decimal that reads back as the same double).
 *
 * @throws E_UNSUPPORTED — symbolic parameters (`{ weight }`/`{ input }`: bind
 *   numbers first), a state preparation fed from inputs (or a whole input
 *   state), or a multi-wire gate with no QASM mapping.
 * @example
 * ```ts
 * toQASM(new Circuit(2).h(0).cnot(0, 1));
 * // OPENQASM 2.0;
 * // include "qelib1.inc";
 * // qreg q[2];
 * // h q[0];
 * // cx q[0],q[1];
 * ```
 */
export function toQASM(circuit: Circuit, options: ToQASMOptions = {}): string {
  const body: string[] = [];
  const definitions = new Set<keyof typeof EXTRA_DEFINITIONS>();
  let globalPhase = 0;
  const emitter: Emitter = {
    gate(name, params, wires) {
      const args = params.length ? `(${params.map(formatNumber).join(',')})` : '';
      body.push(`${name}${args} ${wires.map((w) => `q[${w}]`).join(',')};`);
    },
    comment(text) {
      body.push(`// ${text}`);
    },
    phase(theta) {
      globalPhase += theta;
    },
    define(name) {
      definitions.add(name);
    },
  };
  if (circuit.prep) exportPrep(circuit, emitter);
  circuit.ops.forEach((op, index) => exportOp(op, index, emitter));
  const lines = ['OPENQASM 2.0;', 'include "qelib1.inc";'];
  for (const name of definitions) lines.push(EXTRA_DEFINITIONS[name]);
  const phase = wrapAngle(globalPhase);
  if (phase !== 0) {
    lines.push(`// global phase ${formatNumber(phase)}: the qdistill state is e^{i·${formatNumber(phase)}} times this program's (QASM 2.0 has no global phase)`);
  }
  lines.push(`qreg q[${circuit.numQubits}];`);
  lines.push(...body);
  if (options.measure) lines.push(`creg c[${circuit.numQubits}];`, 'measure q -> c;');
  return `${lines.join('\n')}\n`;
}

function exportOp(op: Operation, index: number, out: Emitter): void {
  const where = `toQASM: ops[${index}] ${op.name} on wires [${op.wires.join(', ')}]`;
  const values = op.params.map((p, k) => numericParam(p, `${where}, parameter ${k}`));
  const numeric: NumericOp = { ...op, values };
  const exporter = EXPORTERS[op.name];
  if (exporter) {
    exporter(numeric, out);
    return;
  }
  const gate = getGate(op.name);
  if (op.wires.length === 1) {
    // QubitUnitary, and any 1-wire gate added to the table later: through its matrix.
    const matrix = gate.matrixParam ? op.matrix! : gate.matrix(values, 1);
    const [theta, phi, lambda, alpha] = zyzFromUnitary(op.inverse ? dagger(matrix) : matrix);
    if (alpha !== 0) out.comment(`${op.name}${op.inverse ? '†' : ''} on q[${op.wires[0]}] = e^{i·${formatNumber(alpha)}}·u3 below`);
    out.gate('u3', [theta, phi, lambda], op.wires);
    out.phase(alpha);
    return;
  }
  if (gate.matrixParam && op.wires.length <= 3) {
    out.comment(`${op.name}${op.inverse ? '†' : ''} on ${op.wires.map((w) => `q[${w}]`).join(',')}: two-level (Givens) decomposition`);
    exportUnitary(op.inverse ? dagger(op.matrix!) : op.matrix!, op.wires, out);
    return;
  }
  if (gate.matrixParam) {
    throw new QDistillError('E_UNSUPPORTED', `${where}: QubitUnitary exports on 1–3 wires, got ${op.wires.length}`);
  }
  throw new QDistillError('E_UNSUPPORTED', `${where}: no OpenQASM 2.0 mapping for ${op.name}; supported: ${Object.keys(EXPORTERS).join(', ')}, QubitUnitary (1 wire)`);
}

function numericParam(p: ParamSource, where: string): number {
  if (typeof p === 'number') return p;
  const what = isWeightRef(p) ? `trainable weight ${p.weight}` : isInputRef(p) ? `input feature ${p.input}` : JSON.stringify(p);
  throw new QDistillError(
    'E_UNSUPPORTED',
    `${where} is symbolic (${what}); OpenQASM export needs numbers — build the circuit with numeric angles (bind weights and inputs) first`,
  );
}

/**
 * AmplitudeEmbedding as gates from |0…0⟩: for wire k (wire 0 first), a RY
 * on wire k uniformly controlled by wires 0..k−1 sets, for every prefix,
 * the split of the remaining norm between the two halves; on the last wire
 * the angle is signed, giving each amplitude its sign. A uniformly
 * controlled RY is two half-size ones between CNOTs from the first control
 * (X·RY(a)·X = RY(−a)). Exact up to rounding, no global phase.
 */
function exportPrep(circuit: Circuit, out: Emitter): void {
  const prep = circuit.prep!;
  if (prep.kind === 'state') {
    throw new QDistillError('E_UNSUPPORTED', 'toQASM: the circuit takes its whole state as an input (state preparation "state"); there are no numbers to export');
  }
  if (!prep.features) {
    throw new QDistillError(
      'E_UNSUPPORTED',
      `toQASM: AmplitudeEmbedding reads ${prep.numFeatures} features from the inputs; build the circuit with numeric features to export it`,
    );
  }
  const n = circuit.numQubits;
  const amplitudes = prepareAmplitudes(prep.features, 1 << n, prep.pad, prep.normalize, 'toQASM: AmplitudeEmbedding', prep);
  out.comment(`AmplitudeEmbedding of ${prep.numFeatures} feature(s)${prep.normalize ? ', normalised' : ''}, as a RY/CX state preparation`);
  for (let k = 0; k < n; k++) {
    const blocks = 1 << k;
    const size = 1 << (n - k);
    const angles: number[] = [];
    for (let j = 0; j < blocks; j++) {
      const start = j * size;
      if (k === n - 1) angles.push(2 * Math.atan2(amplitudes[start + 1]!, amplitudes[start]!));
      else angles.push(2 * Math.atan2(norm(amplitudes, start + size / 2, size / 2), norm(amplitudes, start, size / 2)));
    }
    uniformlyControlledRY(Array.from({ length: k }, (_, i) => i), k, angles, out);
  }
}

function norm(values: Float64Array, start: number, length: number): number {
  let s = 0;
  for (let i = start; i < start + length; i++) s += values[i]! * values[i]!;
  return Math.sqrt(s);
}

/** RY(angles[j]) on `target` when the controls (first = most significant) read j. */
function uniformlyControlledRY(controls: readonly number[], target: number, angles: readonly number[], out: Emitter): void {
  if (controls.length === 0) {
    if (angles[0] !== 0) out.gate('ry', [angles[0]!], [target]);
    return;
  }
  const half = angles.length / 2;
  if (angles.every((a) => a === 0)) return;
  const rest = controls.slice(1);
  const lo = angles.slice(0, half);
  const hi = angles.slice(half);
  uniformlyControlledRY(rest, target, lo.map((a, i) => (a + hi[i]!) / 2), out);
  out.gate('cx', [], [controls[0]!, target]);
  uniformlyControlledRY(rest, target, lo.map((a, i) => (a - hi[i]!) / 2), out);
  out.gate('cx', [], [controls[0]!, target]);
}

/** A 2×2 complex matrix as [re00, im00, re01, im01, re10, im10, re11, im11]. */
type M2 = [number, number, number, number, number, number, number, number];

const m2 = (m: M2): ComplexMatrix => ({ dim: 2, re: Float64Array.of(m[0], m[2], m[4], m[6]), im: Float64Array.of(m[1], m[3], m[5], m[7]) });

function dagger2(m: M2): M2 {
  return [m[0], -m[1], m[4], -m[5], m[2], -m[3], m[6], -m[7]];
}

/** A square root V of a 2×2 unitary (V² = U): (U + s·I)/√(tr U + 2s), s = ±√det U, the branch away from 0. */
function sqrt2(u: M2): M2 {
  const detR = u[0] * u[6] - u[1] * u[7] - (u[2] * u[4] - u[3] * u[5]);
  const detI = u[0] * u[7] + u[1] * u[6] - (u[2] * u[5] + u[3] * u[4]);
  const r = Math.sqrt(Math.hypot(detR, detI));
  const a = Math.atan2(detI, detR) / 2;
  let sr = r * Math.cos(a);
  let si = r * Math.sin(a);
  const trR = u[0] + u[6];
  const trI = u[1] + u[7];
  if (Math.hypot(trR + 2 * sr, trI + 2 * si) < Math.hypot(trR - 2 * sr, trI - 2 * si)) {
    sr = -sr;
    si = -si;
  }
  // t = √(tr + 2s); V = (U + sI)/t
  const zr = trR + 2 * sr;
  const zi = trI + 2 * si;
  const mod = Math.sqrt(Math.hypot(zr, zi));
  const arg = Math.atan2(zi, zr) / 2;
  const tr = mod * Math.cos(arg);
  const ti = mod * Math.sin(arg);
  const t2 = tr * tr + ti * ti;
  const div = (xr: number, xi: number): [number, number] => [(xr * tr + xi * ti) / t2, (xi * tr - xr * ti) / t2];
  return [...div(u[0] + sr, u[1] + si), ...div(u[2], u[3]), ...div(u[4], u[5]), ...div(u[6] + sr, u[7] + si)] as M2;
}

/**
 * The 2×2 unitary `u` on `target`, applied when every control wire reads 1
 * (exactly, phase included): no control → u3 (its global phase reported),
 * one → cu3 and a u1 on the control for the phase, two → Barenco et al.'s
 * V = √u construction (CV, CX, CV†, CX, CV).
 */
function controlledUnitary(controls: readonly number[], target: number, u: M2, out: Emitter): void {
  if (controls.length === 0) {
    const [theta, phi, lambda, alpha] = zyzFromUnitary(m2(u));
    out.gate('u3', [theta, phi, lambda], [target]);
    out.phase(alpha);
    return;
  }
  if (controls.length === 1) {
    const [theta, phi, lambda, alpha] = zyzFromUnitary(m2(u));
    out.gate('cu3', [theta, phi, lambda], [controls[0]!, target]);
    if (alpha !== 0) out.gate('u1', [alpha], [controls[0]!]);
    return;
  }
  if (controls.length === 2) {
    const [c0, c1] = controls as [number, number];
    const v = sqrt2(u);
    controlledUnitary([c1], target, v, out);
    out.gate('cx', [], [c0, c1]);
    controlledUnitary([c1], target, dagger2(v), out);
    out.gate('cx', [], [c0, c1]);
    controlledUnitary([c0], target, v, out);
    return;
  }
  throw new QDistillError('E_UNSUPPORTED', `toQASM: a unitary with ${controls.length} controls is not decomposed (at most 2)`);
}

/**
 * A k-wire unitary (k ≤ 3) as two-level unitaries: Givens rotations between
 * basis states adjacent in Gray-code order (so each differs in one bit)
 * reduce U to a diagonal D, W_m⋯W_1·U = D; then U = W_1†⋯W_m†·D, each W†
 * a single-qubit unitary controlled on the other bits (X around controls
 * that must read 0), and D pairs of phases as controlled diagonals.
 */
function exportUnitary(u: ComplexMatrix, wires: readonly number[], out: Emitter): void {
  const k = wires.length;
  const dim = 1 << k;
  const re = Float64Array.from(u.re);
  const im = Float64Array.from(u.im);
  /** Local bit b (0 = least significant of the matrix index) is wire wires[k−1−b]. */
  const wireOf = (b: number): number => wires[k - 1 - b]!;
  const gray = Array.from({ length: dim }, (_, i) => i ^ (i >> 1));
  const steps: { a: number; b: number; g: M2 }[] = [];
  for (let j = 0; j < dim - 1; j++) {
    const col = gray[j]!;
    for (let r = dim - 1; r > j; r--) {
      const a = gray[r - 1]!;
      const b = gray[r]!;
      const xr = re[a * dim + col]!, xi = im[a * dim + col]!;
      const yr = re[b * dim + col]!, yi = im[b * dim + col]!;
      const norm = Math.hypot(xr, xi, yr, yi);
      if (Math.hypot(yr, yi) === 0 || norm === 0) continue;
      // G = [[x̄, ȳ], [−y, x]]/norm maps (x, y) to (norm, 0).
      const g: M2 = [xr / norm, -xi / norm, yr / norm, -yi / norm, -yr / norm, -yi / norm, xr / norm, xi / norm];
      for (let c = 0; c < dim; c++) {
        const ar = re[a * dim + c]!, ai = im[a * dim + c]!, br = re[b * dim + c]!, bi = im[b * dim + c]!;
        re[a * dim + c] = g[0] * ar - g[1] * ai + (g[2] * br - g[3] * bi);
        im[a * dim + c] = g[0] * ai + g[1] * ar + (g[2] * bi + g[3] * br);
        re[b * dim + c] = g[4] * ar - g[5] * ai + (g[6] * br - g[7] * bi);
        im[b * dim + c] = g[4] * ai + g[5] * ar + (g[6] * bi + g[7] * br);
      }
      steps.push({ a, b, g });
    }
  }
  /** `m` on the local bit where a and b differ, (a, b) in that order, controlled by the other bits' values in a. */
  const twoLevel = (a: number, b: number, m: M2): void => {
    const bit = 31 - Math.clz32(a ^ b);
    const ordered: M2 = (a >> bit) & 1 ? [m[6], m[7], m[4], m[5], m[2], m[3], m[0], m[1]] : m;
    const controls: number[] = [];
    const flips: number[] = [];
    for (let c = 0; c < k; c++) {
      if (c === bit) continue;
      controls.push(wireOf(c));
      if (((a >> c) & 1) === 0) flips.push(wireOf(c));
    }
    for (const w of flips) out.gate('x', [], [w]);
    controlledUnitary(controls, wireOf(bit), ordered, out);
    for (const w of flips) out.gate('x', [], [w]);
  };
  // U = W_1†⋯W_m†·D: D acts first. D as controlled diagonals on local bit 0, pairs (i, i+1).
  for (let i = 0; i < dim; i += 2) {
    const d: M2 = [re[i * dim + i]!, im[i * dim + i]!, 0, 0, 0, 0, re[(i + 1) * dim + i + 1]!, im[(i + 1) * dim + i + 1]!];
    if (d[0] === 1 && d[1] === 0 && d[6] === 1 && d[7] === 0) continue;
    twoLevel(i, i + 1, d);
  }
  for (let s = steps.length - 1; s >= 0; s--) twoLevel(steps[s]!.a, steps[s]!.b, dagger2(steps[s]!.g));
}

/**
 * U = e^{iα}·U3(θ, φ, λ) for a 2×2 unitary: returns [θ, φ, λ, α] with
 * U3(θ,φ,λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]].
 */
export function zyzFromUnitary(u: ComplexMatrix): [number, number, number, number] {
  if (u.dim !== 2) throw new QDistillError('E_SHAPE', `zyzFromUnitary: expected a 2×2 matrix, got ${u.dim}×${u.dim}`);
  const [ar, ai, br, bi, cr, ci, dr, di] = [u.re[0]!, u.im[0]!, u.re[1]!, u.im[1]!, u.re[2]!, u.im[2]!, u.re[3]!, u.im[3]!];
  // V = U/√det is in SU(2): V = [[e^{−iσ} cos, −e^{−iδ} sin], [e^{iδ} sin, e^{iσ} cos]], σ = (φ+λ)/2, δ = (φ−λ)/2.
  const detR = ar * dr - ai * di - (br * cr - bi * ci);
  const detI = ar * di + ai * dr - (br * ci + bi * cr);
  const half = Math.atan2(detI, detR) / 2; // arg √det
  const rot = (re: number, im: number): [number, number] => [re * Math.cos(half) + im * Math.sin(half), im * Math.cos(half) - re * Math.sin(half)];
  const [v11r, v11i] = rot(dr, di);
  const [v10r, v10i] = rot(cr, ci);
  const theta = 2 * Math.atan2(Math.hypot(cr, ci), Math.hypot(ar, ai));
  const sigma = Math.atan2(v11i, v11r);
  const delta = Math.atan2(v10i, v10r);
  const phi = sigma + delta;
  const lambda = sigma - delta;
  // U = √det·V = e^{i(half − σ)}·U3(θ, φ, λ)
  return [theta, phi, lambda, wrapAngle(half - sigma)];
}

/** The angle in (−π, π]; exact zero stays zero. */
function wrapAngle(theta: number): number {
  if (theta === 0) return 0;
  let t = theta % (2 * Math.PI);
  if (t > Math.PI) t -= 2 * Math.PI;
  if (t <= -Math.PI) t += 2 * Math.PI;
  return t;
}

/** A double as a QASM real: shortest round-trip digits, always with a decimal point. */
export function formatNumber(x: number): string {
  const s = String(Object.is(x, -0) ? 0 : x);
  if (/^-?\d+$/.test(s)) return `${s}.0`;
  if (/^-?\d+e/.test(s)) return s.replace('e', '.0e');
  return s;
}

// =================================================================== import

type Token =
  | { kind: 'id'; text: string; line: number; column: number }
  | { kind: 'number'; text: string; value: number; line: number; column: number }
  | { kind: 'string'; text: string; line: number; column: number }
  | { kind: 'symbol'; text: string; line: number; column: number }
  | { kind: 'end'; text: ''; line: number; column: number };

type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'name'; name: string; token: Token }
  | { kind: 'negate'; operand: Expr }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr }
  | { kind: 'call'; fn: string; arg: Expr; token: Token };

/** `q[3]` (index) or `q` (whole register). */
interface Arg {
  readonly name: string;
  readonly index: number | undefined;
  readonly token: Token;
}

interface GateCall {
  readonly name: string;
  readonly params: readonly Expr[];
  readonly args: readonly Arg[];
  readonly token: Token;
}

interface GateDef {
  readonly name: string;
  readonly params: readonly string[];
  readonly qubits: readonly string[];
  readonly body: readonly GateCall[];
  readonly line: number;
}

type Statement =
  | { kind: 'qreg'; name: string; size: number; token: Token }
  | { kind: 'creg'; name: string; size: number; token: Token }
  | { kind: 'call'; call: GateCall }
  | { kind: 'barrier'; args: readonly Arg[]; token: Token }
  | { kind: 'measure'; qubit: Arg; token: Token };

function qasmError(token: { line: number; column: number } | undefined, message: string, cause?: unknown): QDistillError {
  const where = token ? `line ${token.line}, column ${token.column}: ` : '';
  return new QDistillError('E_QASM', `fromQASM: ${where}${message}`, {
    ...(cause === undefined ? {} : { cause }),
    details: token ? { line: token.line, column: token.column } : {},
  });
}

const SYMBOLS = ['->', '==', ';', ',', '(', ')', '[', ']', '{', '}', '+', '-', '*', '/', '^'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const column = i - lineStart + 1;
    if (ch === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw qasmError({ line, column }, 'unterminated /* comment');
      for (let k = i; k < end; k++) {
        if (text[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      i = end + 2;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (id) {
      tokens.push({ kind: 'id', text: id[0], line, column });
      i += id[0].length;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 256));
    if (num) {
      tokens.push({ kind: 'number', text: num[0], value: Number(num[0]), line, column });
      i += num[0].length;
      continue;
    }
    if (ch === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0 || text.slice(i, end).includes('\n')) throw qasmError({ line, column }, 'unterminated string');
      tokens.push({ kind: 'string', text: text.slice(i + 1, end), line, column });
      i = end + 1;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol) {
      tokens.push({ kind: 'symbol', text: symbol, line, column });
      i += symbol.length;
      continue;
    }
    throw qasmError({ line, column }, `unexpected character ${JSON.stringify(ch)}`);
  }
  tokens.push({ kind: 'end', text: '', line, column: i - lineStart + 1 });
  return tokens;
}

const FUNCTIONS: Readonly<Record<string, (x: number) => number>> = {
  sin: Math.sin, cos: Math.cos, tan: Math.tan, exp: Math.exp, ln: Math.log, sqrt: Math.sqrt,
  asin: Math.asin, acos: Math.acos, atan: Math.atan,
};

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  isSymbol(text: string): boolean {
    const t = this.peek();
    return t.kind === 'symbol' && t.text === text;
  }

  expectSymbol(text: string, what: string): Token {
    const t = this.next();
    if (t.kind !== 'symbol' || t.text !== text) throw qasmError(t, `expected "${text}" ${what}, got ${show(t)}`);
    return t;
  }

  expectId(what: string): Token {
    const t = this.next();
    if (t.kind !== 'id') throw qasmError(t, `expected ${what}, got ${show(t)}`);
    return t;
  }

  expectInteger(what: string): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw qasmError(t, `expected ${what} (a non-negative integer), got ${show(t)}`);
    return t.value;
  }

  /** The whole program. */
  program(): { statements: Statement[]; definitions: Map<string, GateDef> } {
    const header = this.next();
    if (header.kind !== 'id' || header.text !== 'OPENQASM') {
      throw qasmError(header, `a program must start with "OPENQASM 2.0;", got ${show(header)}`);
    }
    const version = this.next();
    if (version.kind !== 'number' || version.value !== 2) {
      throw qasmError(version, `only OpenQASM 2.0 is supported, got version ${show(version)}`);
    }
    this.expectSymbol(';', 'after the version');
    const statements: Statement[] = [];
    const definitions = new Map<string, GateDef>();
    while (this.peek().kind !== 'end') {
      const t = this.peek();
      if (t.kind !== 'id') throw qasmError(t, `expected a statement, got ${show(t)}`);
      switch (t.text) {
        case 'include': {
          this.next();
          const file = this.next();
          if (file.kind !== 'string') throw qasmError(file, `expected a file name in quotes, got ${show(file)}`);
          if (file.text !== 'qelib1.inc') throw qasmError(file, `only "qelib1.inc" can be included, got "${file.text}"`);
          this.expectSymbol(';', 'after include');
          break;
        }
        case 'qreg':
        case 'creg': {
          this.next();
          const name = this.expectId('a register name');
          this.expectSymbol('[', 'after the register name');
          const size = this.expectInteger('the register size');
          this.expectSymbol(']', 'after the register size');
          this.expectSymbol(';', 'after the register');
          if (t.text === 'qreg' && size < 1) throw qasmError(name, `qreg ${name.text} must have at least 1 qubit`);
          statements.push({ kind: t.text, name: name.text, size, token: name });
          break;
        }
        case 'gate': {
          const def = this.gateDefinition();
          if (definitions.has(def.name)) throw qasmError(t, `gate "${def.name}" is defined twice`);
          definitions.set(def.name, def);
          break;
        }
        case 'opaque':
          throw qasmError(t, 'opaque gates have no definition and cannot be simulated');
        case 'reset':
          throw qasmError(t, 'reset is not supported (qdistill circuits are unitary)');
        case 'if':
          throw qasmError(t, 'classically controlled operations (if) are not supported');
        case 'barrier': {
          this.next();
          const args = this.argList();
          this.expectSymbol(';', 'after barrier');
          statements.push({ kind: 'barrier', args, token: t });
          break;
        }
        case 'measure': {
          this.next();
          const qubit = this.arg();
          this.expectSymbol('->', 'in measure');
          this.arg();
          this.expectSymbol(';', 'after measure');
          statements.push({ kind: 'measure', qubit, token: t });
          break;
        }
        default:
          statements.push({ kind: 'call', call: this.gateCall() });
      }
    }
    return { statements, definitions };
  }

  private gateDefinition(): GateDef {
    const keyword = this.next();
    const name = this.expectId('a gate name');
    const params: string[] = [];
    if (this.isSymbol('(')) {
      this.next();
      if (!this.isSymbol(')')) {
        do params.push(this.expectId('a parameter name').text);
        while (this.isSymbol(',') && this.next());
      }
      this.expectSymbol(')', 'after the gate parameters');
    }
    const qubits: string[] = [];
    do qubits.push(this.expectId('a qubit argument name').text);
    while (this.isSymbol(',') && this.next());
    this.expectSymbol('{', 'to open the gate body');
    const body: GateCall[] = [];
    while (!this.isSymbol('}')) {
      const t = this.peek();
      if (t.kind === 'end') throw qasmError(t, `gate "${name.text}" (line ${keyword.line}) is not closed with "}"`);
      if (t.kind === 'id' && t.text === 'barrier') {
        this.next();
        this.argList();
        this.expectSymbol(';', 'after barrier');
        continue;
      }
      const call = this.gateCall();
      for (const a of call.args) {
        if (a.index !== undefined) throw qasmError(a.token, `inside a gate body, qubits are the gate's arguments (${qubits.join(', ')}), not indexed registers`);
        if (!qubits.includes(a.name)) throw qasmError(a.token, `"${a.name}" is not an argument of gate "${name.text}" (${qubits.join(', ')})`);
      }
      body.push(call);
    }
    this.next();
    return { name: name.text, params, qubits, body, line: keyword.line };
  }

  private gateCall(): GateCall {
    const name = this.expectId('a gate name');
    const params: Expr[] = [];
    if (this.isSymbol('(')) {
      this.next();
      if (!this.isSymbol(')')) {
        do params.push(this.expression());
        while (this.isSymbol(',') && this.next());
      }
      this.expectSymbol(')', `after the parameters of ${name.text}`);
    }
    const args = this.argList();
    this.expectSymbol(';', `after ${name.text}`);
    return { name: name.text, params, args, token: name };
  }

  private argList(): Arg[] {
    const args: Arg[] = [];
    do args.push(this.arg());
    while (this.isSymbol(',') && this.next());
    return args;
  }

  private arg(): Arg {
    const name = this.expectId('a qubit (like q[0]) or a register');
    if (!this.isSymbol('[')) return { name: name.text, index: undefined, token: name };
    this.next();
    const index = this.expectInteger('a qubit index');
    this.expectSymbol(']', 'after the qubit index');
    return { name: name.text, index, token: name };
  }

  // exp := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
  // unary := '-' unary | power ; power := primary ('^' unary)?
  private expression(): Expr {
    let left = this.term();
    while (this.isSymbol('+') || this.isSymbol('-')) {
      const op = this.next().text as '+' | '-';
      left = { kind: 'binary', op, left, right: this.term() };
    }
    return left;
  }

  private term(): Expr {
    let left = this.unary();
    while (this.isSymbol('*') || this.isSymbol('/')) {
      const op = this.next().text as '*' | '/';
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isSymbol('-')) {
      this.next();
      return { kind: 'negate', operand: this.unary() };
    }
    if (this.isSymbol('+')) {
      this.next();
      return this.unary();
    }
    const base = this.primary();
    if (this.isSymbol('^')) {
      this.next();
      return { kind: 'binary', op: '^', left: base, right: this.unary() };
    }
    return base;
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === 'number') return { kind: 'number', value: t.value };
    if (t.kind === 'symbol' && t.text === '(') {
      const inner = this.expression();
      this.expectSymbol(')', 'to close the parenthesis');
      return inner;
    }
    if (t.kind === 'id') {
      if (t.text === 'pi') return { kind: 'number', value: Math.PI };
      if (this.isSymbol('(')) {
        if (!FUNCTIONS[t.text]) throw qasmError(t, `unknown function "${t.text}"; known: ${Object.keys(FUNCTIONS).join(', ')}`);
        this.next();
        const arg = this.expression();
        this.expectSymbol(')', `after the argument of ${t.text}`);
        return { kind: 'call', fn: t.text, arg, token: t };
      }
      return { kind: 'name', name: t.text, token: t };
    }
    throw qasmError(t, `expected a number, pi, a parameter or "(", got ${show(t)}`);
  }
}

function show(t: Token): string {
  return t.kind === 'end' ? 'the end of the program' : `"${t.text}"`;
}

function evaluate(e: Expr, env: ReadonlyMap<string, number>): number {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'name': {
      const v = env.get(e.name);
      if (v === undefined) {
        throw qasmError(e.token, `unknown parameter "${e.name}"${env.size ? ` (parameters here: ${[...env.keys()].join(', ')})` : ' (only numbers, pi and functions are allowed outside gate bodies)'}`);
      }
      return v;
    }
    case 'negate':
      return -evaluate(e.operand, env);
    case 'binary': {
      const a = evaluate(e.left, env);
      const b = evaluate(e.right, env);
      switch (e.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return a / b;
        case '^': return a ** b;
        default: return unreachable(e.op, 'QASM operator');
      }
    }
    case 'call':
      return FUNCTIONS[e.fn]!(evaluate(e.arg, env));
    default:
      return unreachable(e, 'QASM expression');
  }
}

/** How a qelib1 gate becomes qdistill ops: [params, qubits, apply(circuit, values, wires)]. */
type Builtin = readonly [number, number, (c: Circuit, v: readonly number[], w: readonly number[]) => void];

const op = (name: string, inverse = false): Builtin[2] => (c, v, w) => {
  c.op(name, w, v, { inverse });
};

const BUILTINS: Readonly<Record<string, Builtin>> = {
  U: [3, 1, op('U3')],
  u3: [3, 1, op('U3')],
  u: [3, 1, op('U3')],
  u2: [2, 1, (c, v, w) => c.op('U3', w, [Math.PI / 2, v[0]!, v[1]!])],
  u1: [1, 1, op('PhaseShift')],
  p: [1, 1, op('PhaseShift')],
  u0: [1, 1, () => {}],
  id: [0, 1, () => {}],
  x: [0, 1, op('PauliX')],
  y: [0, 1, op('PauliY')],
  z: [0, 1, op('PauliZ')],
  h: [0, 1, op('Hadamard')],
  s: [0, 1, op('S')],
  sdg: [0, 1, op('S', true)],
  t: [0, 1, op('T')],
  tdg: [0, 1, op('T', true)],
  sx: [0, 1, op('SX')],
  sxdg: [0, 1, op('SX', true)],
  rx: [1, 1, op('RX')],
  ry: [1, 1, op('RY')],
  rz: [1, 1, op('RZ')],
  CX: [0, 2, op('CNOT')],
  cx: [0, 2, op('CNOT')],
  cz: [0, 2, op('CZ')],
  cy: [0, 2, op('CY')],
  swap: [0, 2, op('SWAP')],
  ccx: [0, 3, op('Toffoli')],
  crx: [1, 2, op('CRX')],
  cry: [1, 2, op('CRY')],
  crz: [1, 2, op('CRZ')],
  cu1: [1, 2, op('ControlledPhaseShift')],
  cp: [1, 2, op('ControlledPhaseShift')],
  rxx: [1, 2, op('IsingXX')],
  ryy: [1, 2, op('IsingYY')],
  rzz: [1, 2, op('IsingZZ')],
};

/** qelib1.inc gates with no qdistill counterpart, by their qelib1 definitions (exact). */
const PRELUDE = `OPENQASM 2.0;
gate ch a,b { s b; h b; t b; cx a,b; tdg b; h b; sdg b; }
gate cswap a,b,c { cx c,b; ccx a,b,c; cx c,b; }
gate csx a,b { h b; cu1(pi/2) a,b; h b; }
gate cu3(theta,phi,lambda) c,t { u1((lambda+phi)/2) c; u1((lambda-phi)/2) t; cx c,t; u3(-theta/2,0,-(phi+lambda)/2) t; cx c,t; u3(theta/2,phi,0) t; }
gate cu(theta,phi,lambda,gamma) c,t { p(gamma) c; p((lambda+phi)/2) c; p((lambda-phi)/2) t; cx c,t; u(-theta/2,0,-(phi+lambda)/2) t; cx c,t; u(theta/2,phi,0) t; }
`;

let preludeDefinitions: Map<string, GateDef> | undefined;

/**
 * Imports an OpenQASM 2.0 program: `qelib1.inc` gates (h, x, y, z, s, sdg,
 * t, tdg, sx, sxdg, rx, ry, rz, u1/p, u2, u3/u/U, id, cx/CX, cz, cy, swap,
 * ccx, crx, cry, crz, cu1/cp, cu3, cu, ch, csx, cswap, rxx, ryy, rzz),
 * user `gate` definitions (expanded), several `qreg`s (wires in
 * declaration order), `barrier`, and final `measure`s (ignored).
 * Parameters are expressions of numbers, `pi`, + − * / ^ and sin, cos, tan,
 * exp, ln, sqrt, asin, acos, atan.
 *
 * @throws E_QASM with the line and column (also in `details`): syntax errors,
 *   unknown gates, wrong parameter or qubit counts, out-of-range qubits,
 *   unsupported statements (opaque, reset, if, gates after a measurement on
 *   the same qubit).
 * @example
 * ```ts
 * const circuit = fromQASM('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\ncx q[0],q[1];\n');
 * ```
 */
export function fromQASM(text: string): Circuit {
  if (typeof text !== 'string') throw new QDistillError('E_QASM', `fromQASM: expected the program as a string, got ${typeof text}`);
  if (!preludeDefinitions) preludeDefinitions = new Parser(tokenize(PRELUDE)).program().definitions;
  const { statements, definitions } = new Parser(tokenize(text)).program();
  const registers = new Map<string, { offset: number; size: number }>();
  const classical = new Set<string>();
  let numQubits = 0;
  for (const s of statements) {
    if (s.kind !== 'qreg' && s.kind !== 'creg') continue;
    if (registers.has(s.name) || classical.has(s.name)) throw qasmError(s.token, `register "${s.name}" is declared twice`);
    if (s.kind === 'creg') classical.add(s.name);
    else {
      registers.set(s.name, { offset: numQubits, size: s.size });
      numQubits += s.size;
    }
  }
  if (numQubits === 0) throw qasmError(undefined, 'no qreg is declared');
  let circuit: Circuit;
  try {
    circuit = new Circuit(numQubits);
  } catch (cause) {
    throw qasmError(undefined, `${numQubits} qubits: ${(cause as Error).message}`, cause);
  }
  const measured = new Set<number>();
  /** Resolves arguments, broadcasting whole registers. */
  const resolve = (args: readonly Arg[], what: string): number[][] => {
    let width = 1;
    const lists = args.map((a) => {
      const reg = registers.get(a.name);
      if (!reg) {
        throw qasmError(a.token, `"${a.name}" is not a quantum register${classical.has(a.name) ? ' (it is a creg)' : ''}; declared: ${[...registers.keys()].join(', ')}`);
      }
      if (a.index === undefined) return Array.from({ length: reg.size }, (_, i) => reg.offset + i);
      if (a.index >= reg.size) throw qasmError(a.token, `${a.name}[${a.index}] is out of range (qreg ${a.name}[${reg.size}])`);
      return [reg.offset + a.index];
    });
    for (let i = 0; i < lists.length; i++) {
      const len = lists[i]!.length;
      if (len === 1) continue;
      if (width !== 1 && len !== width) throw qasmError(args[i]!.token, `${what}: registers of different sizes (${width} and ${len}) cannot be broadcast together`);
      width = len;
    }
    return Array.from({ length: width }, (_, k) => lists.map((l) => (l.length === 1 ? l[0]! : l[k]!)));
  };

  const apply = (call: GateCall, values: number[], wires: number[], origin: Token, stack: readonly string[]): void => {
    const def = definitions.get(call.name) ?? preludeDefinitions!.get(call.name);
    const builtin = BUILTINS[call.name];
    const inside = stack.length ? ` (in gate ${stack.join(' → ')})` : '';
    if (def) {
      if (stack.includes(def.name)) throw qasmError(origin, `gate "${def.name}" calls itself${inside}`);
      if (values.length !== def.params.length) {
        throw qasmError(call.token, `gate ${def.name} takes ${def.params.length} parameter(s), got ${values.length}${inside}`);
      }
      if (wires.length !== def.qubits.length) {
        throw qasmError(call.token, `gate ${def.name} acts on ${def.qubits.length} qubit(s), got ${wires.length}${inside}`);
      }
      const env = new Map(def.params.map((p, i) => [p, values[i]!]));
      const qubitOf = new Map(def.qubits.map((q, i) => [q, wires[i]!]));
      for (const inner of def.body) {
        const innerValues = inner.params.map((e) => checkFinite(evaluate(e, env), inner.token, inner.name));
        apply(inner, innerValues, inner.args.map((a) => qubitOf.get(a.name)!), origin, [...stack, def.name]);
      }
      return;
    }
    if (!builtin) {
      const known = [...Object.keys(BUILTINS), ...preludeDefinitions!.keys(), ...definitions.keys()];
      throw qasmError(call.token, `unknown gate "${call.name}"${inside}; known: ${known.join(', ')}`);
    }
    const [numParams, numWires, build] = builtin;
    if (values.length !== numParams) throw qasmError(call.token, `gate ${call.name} takes ${numParams} parameter(s), got ${values.length}${inside}`);
    if (wires.length !== numWires) throw qasmError(call.token, `gate ${call.name} acts on ${numWires} qubit(s), got ${wires.length}${inside}`);
    try {
      build(circuit, values, wires);
    } catch (cause) {
      throw qasmError(origin, `${call.name}${inside}: ${isQDistillError(cause) ? cause.message : String(cause)}`, cause);
    }
  };

  for (const s of statements) {
    if (s.kind === 'qreg' || s.kind === 'creg') continue;
    if (s.kind === 'barrier') {
      resolve(s.args, 'barrier');
      continue;
    }
    if (s.kind === 'measure') {
      for (const [w] of resolve([s.qubit], 'measure')) measured.add(w!);
      continue;
    }
    const call = s.call;
    const values = call.params.map((e) => checkFinite(evaluate(e, new Map()), call.token, call.name));
    for (const wires of resolve(call.args, call.name)) {
      const seen = wires.find((w) => measured.has(w));
      if (seen !== undefined) {
        throw qasmError(call.token, `${call.name} acts on qubit ${seen} after it was measured; mid-circuit measurement is not supported`);
      }
      const distinct = new Set(wires);
      if (distinct.size !== wires.length) throw qasmError(call.token, `${call.name}: the same qubit appears more than once (wires ${wires.join(', ')})`);
      apply(call, values, wires, call.token, []);
    }
  }
  return circuit;
}

function checkFinite(value: number, token: Token, gate: string): number {
  if (!Number.isFinite(value)) throw qasmError(token, `a parameter of ${gate} evaluates to ${value}; expected a finite number`);
  return value;
}
