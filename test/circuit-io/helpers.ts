// Shared by the circuit-io suites: seeded random circuits over the whole
// gate table, state comparison up to a global phase, and the typed error a
// call throws.
import { Circuit } from '../../sdk/circuit/circuit.js';
import { getGate, listGates } from '../../sdk/circuit/gates.js';
import { scale, type ComplexMatrix } from '../../sdk/circuit/matrix.js';
import { input, weight, type ParamSource } from '../../sdk/circuit/params.js';
import { amplitudeEmbedding } from '../../sdk/circuit/templates.js';
import { isQDistillError, type QDistillError } from '../../sdk/errors.js';
import { Random } from '../../sdk/util/random.js';

/** The gates DESIGN.md names; each must export to QASM. */
export const DESIGN_GATES = [
  'Hadamard', 'PauliX', 'PauliY', 'PauliZ', 'S', 'T', 'SX', 'RX', 'RY', 'RZ', 'PhaseShift', 'Rot',
  'U3', 'CNOT', 'CZ', 'CY', 'SWAP', 'CRX', 'CRY', 'CRZ', 'CRot', 'ControlledPhaseShift', 'IsingXX',
  'IsingYY', 'IsingZZ', 'Toffoli', 'MultiRZ', 'QubitUnitary',
] as const;

/** A random 1-qubit unitary e^{iα}·U3(θ, φ, λ). */
export function randomUnitary1(rng: Random): ComplexMatrix {
  const angle = (): number => (rng.uniform() * 2 - 1) * Math.PI;
  const u = getGate('U3').matrix([angle(), angle(), angle()]);
  const alpha = angle();
  return scale(u, Math.cos(alpha), Math.sin(alpha));
}

/** A random 2^k-dimensional unitary (Gram–Schmidt of a random complex matrix). */
export function randomUnitary(rng: Random, k: number): ComplexMatrix {
  const dim = 1 << k;
  const re = new Float64Array(dim * dim);
  const im = new Float64Array(dim * dim);
  for (let i = 0; i < dim * dim; i++) {
    re[i] = rng.normal();
    im[i] = rng.normal();
  }
  // Orthonormalise the columns.
  for (let c = 0; c < dim; c++) {
    for (let p = 0; p < c; p++) {
      let dr = 0;
      let di = 0;
      for (let r = 0; r < dim; r++) {
        // <col p | col c>
        dr += re[r * dim + p]! * re[r * dim + c]! + im[r * dim + p]! * im[r * dim + c]!;
        di += re[r * dim + p]! * im[r * dim + c]! - im[r * dim + p]! * re[r * dim + c]!;
      }
      for (let r = 0; r < dim; r++) {
        re[r * dim + c] = re[r * dim + c]! - (dr * re[r * dim + p]! - di * im[r * dim + p]!);
        im[r * dim + c] = im[r * dim + c]! - (dr * im[r * dim + p]! + di * re[r * dim + p]!);
      }
    }
    let norm = 0;
    for (let r = 0; r < dim; r++) norm += re[r * dim + c]! ** 2 + im[r * dim + c]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < dim; r++) {
      re[r * dim + c] = re[r * dim + c]! / norm;
      im[r * dim + c] = im[r * dim + c]! / norm;
    }
  }
  return { dim, re, im };
}

export interface RandomCircuitOptions {
  /** Gate names to draw from (default: every table gate). */
  gates?: readonly string[];
  /** Use { weight } / { input } parameters sometimes. */
  symbolic?: boolean;
  /** Start with a numeric AmplitudeEmbedding sometimes. */
  prep?: boolean;
  /** QubitUnitary on up to this many wires (default 1). */
  maxUnitaryWires?: number;
}

/** A seeded random circuit: random gates, wires, angles and adjoints. */
export function randomCircuit(rng: Random, numQubits: number, numOps: number, options: RandomCircuitOptions = {}): Circuit {
  const circuit = new Circuit(numQubits);
  if (options.prep && rng.uniform() < 0.5) {
    const count = 1 + rng.int(1 << numQubits);
    const features = Array.from({ length: count }, () => rng.normal());
    amplitudeEmbedding(circuit, features, { pad: rng.uniform() < 0.5 ? 0 : 0.25, normalize: true });
  }
  const names = options.gates ?? listGates().map((g) => g.name);
  const param = (): ParamSource => {
    if (options.symbolic) {
      const pick = rng.uniform();
      if (pick < 0.2) return rng.uniform() < 0.5 ? weight(rng.int(8)) : { weight: rng.int(8) };
      if (pick < 0.4) return rng.uniform() < 0.5 ? input(rng.int(4), rng.normal(), rng.normal()) : { input: rng.int(4) };
    }
    const pick = rng.uniform();
    if (pick < 0.05) return 0;
    if (pick < 0.1) return (rng.uniform() - 0.5) * 1e-9;
    if (pick < 0.15) return rng.normal() * 1e3;
    return (rng.uniform() * 2 - 1) * 2 * Math.PI;
  };
  for (let i = 0; i < numOps; i++) {
    const gate = getGate(names[rng.int(names.length)]!);
    let numWires: number;
    if (typeof gate.numWires === 'number') numWires = gate.numWires;
    else if (gate.matrixParam) numWires = 1 + rng.int(Math.min(options.maxUnitaryWires ?? 1, numQubits));
    else numWires = 1 + rng.int(Math.min(4, numQubits));
    if (numWires > numQubits) continue;
    const wires = shuffle(rng, Array.from({ length: numQubits }, (_, w) => w)).slice(0, numWires);
    const inverse = rng.uniform() < 0.3;
    if (gate.matrixParam) {
      circuit.op(gate.name, wires, numWires === 1 ? randomUnitary1(rng) : randomUnitary(rng, numWires), { inverse });
    } else {
      circuit.op(gate.name, wires, gate.params.map(param), { inverse });
    }
  }
  return circuit;
}

function shuffle<T>(rng: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export interface State {
  readonly re: ArrayLike<number>;
  readonly im: ArrayLike<number>;
}

/**
 * Compares a = e^{iγ}·b: γ from the overlap ⟨b|a⟩, then the largest
 * |a_k − e^{iγ} b_k|.
 */
export function phaseAlignedDiff(a: State, b: State): { maxDiff: number; phase: number } {
  let re = 0;
  let im = 0;
  for (let k = 0; k < a.re.length; k++) {
    re += b.re[k]! * a.re[k]! + b.im[k]! * a.im[k]!;
    im += b.re[k]! * a.im[k]! - b.im[k]! * a.re[k]!;
  }
  const phase = Math.atan2(im, re);
  const c = Math.cos(phase);
  const s = Math.sin(phase);
  let maxDiff = 0;
  for (let k = 0; k < a.re.length; k++) {
    const br = c * b.re[k]! - s * b.im[k]!;
    const bi = s * b.re[k]! + c * b.im[k]!;
    maxDiff = Math.max(maxDiff, Math.hypot(a.re[k]! - br, a.im[k]! - bi));
  }
  return { maxDiff, phase };
}

/** Difference of two angles, in (−π, π]. */
export function angleDiff(a: number, b: number): number {
  let d = (a - b) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  if (d <= -Math.PI) d += 2 * Math.PI;
  return d;
}

/** The QDistillError `fn` throws (throws if it returns or throws anything else). */
export function thrown(fn: () => unknown): QDistillError {
  try {
    fn();
  } catch (e) {
    if (isQDistillError(e)) return e;
    throw new Error(`expected a QDistillError, got ${String(e)}`);
  }
  throw new Error('expected an error, none was thrown');
}
