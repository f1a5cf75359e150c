/**
 * Seeded random test data: states, unitaries, Hermitian observables, Pauli
 * words, gate applications and whole circuits. Everything draws from the
 * SDK's {@link Random} so a seed gives the same data in every runtime.
 *
 * The generators are registry-driven: a gate added to the table with
 * `defineGate` is picked up with no change here.
 */
import { Circuit } from '../../sdk/circuit/circuit.js';
import { listGates, type GateDefinition } from '../../sdk/circuit/gates.js';
import { dagger, zeros, add, type ComplexMatrix } from '../../sdk/circuit/matrix.js';
import type { StateVector } from '../../sdk/qnn/simulator.js';
import { Random } from '../../sdk/util/random.js';

export { Random };

/** A normalised random complex state on `numQubits` qubits (Gaussian entries, then normalised). */
export function randomState(rng: Random, numQubits: number): StateVector {
  const size = 1 << numQubits;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let norm = 0;
  for (let i = 0; i < size; i++) {
    re[i] = rng.normal();
    im[i] = rng.normal();
    norm += re[i]! * re[i]! + im[i]! * im[i]!;
  }
  const s = 1 / Math.sqrt(norm);
  for (let i = 0; i < size; i++) {
    re[i] = re[i]! * s;
    im[i] = im[i]! * s;
  }
  return { re, im };
}

/** The basis state |index⟩. */
export function basisState(numQubits: number, index: number): StateVector {
  const re = new Float64Array(1 << numQubits);
  re[index] = 1;
  return { re, im: new Float64Array(1 << numQubits) };
}

/** A random complex Gaussian matrix. */
export function randomComplexMatrix(rng: Random, dim: number): ComplexMatrix {
  const m = zeros(dim);
  for (let i = 0; i < dim * dim; i++) {
    m.re[i] = rng.normal();
    m.im[i] = rng.normal();
  }
  return m;
}

/**
 * A random unitary: modified Gram–Schmidt (the Q of a QR decomposition) on
 * the columns of a random complex Gaussian matrix.
 */
export function randomUnitary(rng: Random, dim: number): ComplexMatrix {
  const a = randomComplexMatrix(rng, dim);
  const q = zeros(dim);
  for (let c = 0; c < dim; c++) {
    const vr = new Float64Array(dim);
    const vi = new Float64Array(dim);
    for (let r = 0; r < dim; r++) {
      vr[r] = a.re[r * dim + c]!;
      vi[r] = a.im[r * dim + c]!;
    }
    for (let p = 0; p < c; p++) {
      // v ← v − ⟨q_p, v⟩ q_p
      let dr = 0;
      let di = 0;
      for (let r = 0; r < dim; r++) {
        const qr = q.re[r * dim + p]!, qi = q.im[r * dim + p]!;
        dr += qr * vr[r]! + qi * vi[r]!;
        di += qr * vi[r]! - qi * vr[r]!;
      }
      for (let r = 0; r < dim; r++) {
        const qr = q.re[r * dim + p]!, qi = q.im[r * dim + p]!;
        vr[r] = vr[r]! - (dr * qr - di * qi);
        vi[r] = vi[r]! - (dr * qi + di * qr);
      }
    }
    let norm = 0;
    for (let r = 0; r < dim; r++) norm += vr[r]! * vr[r]! + vi[r]! * vi[r]!;
    norm = Math.sqrt(norm);
    for (let r = 0; r < dim; r++) {
      q.re[r * dim + c] = vr[r]! / norm;
      q.im[r * dim + c] = vi[r]! / norm;
    }
  }
  return q;
}

/** A random Hermitian matrix (A + A†)/2 of a complex Gaussian A. */
export function randomHermitian(rng: Random, dim: number): ComplexMatrix {
  const a = randomComplexMatrix(rng, dim);
  const h = add(a, dagger(a));
  for (let i = 0; i < h.re.length; i++) {
    h.re[i] = h.re[i]! / 2;
    h.im[i] = h.im[i]! / 2;
  }
  return h;
}

/** `count` distinct wires of 0..numQubits−1 in random order. */
export function randomWires(rng: Random, numQubits: number, count: number): number[] {
  return Array.from(rng.permutation(numQubits)).slice(0, count);
}

/** A random Pauli word on `numQubits` wires as a string like "Z0 X2" ("I" when every letter is I). */
export function randomPauliWord(rng: Random, numQubits: number): string {
  const tokens: string[] = [];
  for (let w = 0; w < numQubits; w++) {
    const letter = 'IXYZ'[rng.int(4)]!;
    if (letter !== 'I') tokens.push(`${letter}${w}`);
  }
  return tokens.length ? rng.shuffle(tokens).join(' ') : 'I';
}

/** Random angles in [−2π, 2π) for the gate's parameters. */
export function randomParams(rng: Random, gate: GateDefinition): number[] {
  return gate.params.map(() => rng.range(-2 * Math.PI, 2 * Math.PI));
}

/** Wire counts a gate accepts on a register of `numQubits` qubits. */
export function wireCounts(gate: GateDefinition, numQubits: number): number[] {
  // Fixed-width gates need their wires; any-wire gates take lo..min(hi, numQubits).
  if (typeof gate.numWires === 'number') return gate.numWires <= numQubits ? [gate.numWires] : [];
  const [lo, hi] = gate.wireRange ?? [1, numQubits];
  const out: number[] = [];
  for (let k = lo; k <= Math.min(hi, numQubits); k++) out.push(k);
  return out;
}

/** One gate application as data: what `circuit.op` receives. */
export interface RandomOp {
  readonly name: string;
  readonly wires: number[];
  /** Numeric parameters, or the unitary for a matrix-parameter gate. */
  readonly params: number[] | ComplexMatrix;
  readonly inverse: boolean;
}

/** Appends `op` to `circuit`. */
export function applyOp(circuit: Circuit, op: RandomOp): Circuit {
  return circuit.op(op.name, op.wires, op.params, { inverse: op.inverse });
}

/** A random application of `gate` on `wires` (random parameters or a random unitary). */
export function randomOpOf(rng: Random, gate: GateDefinition, wires: number[], inverse: boolean): RandomOp {
  return {
    name: gate.name,
    wires,
    params: gate.matrixParam ? randomUnitary(rng, 1 << wires.length) : randomParams(rng, gate),
    inverse,
  };
}

/**
 * Widest any-wire gate (MultiRZ) the random generators emit: the reference
 * engine builds a gate's full 2^k matrix (O(8^k) with its identity product),
 * so wider ones would dominate the suite's time.
 */
export const MAX_RANDOM_GATE_WIRES = 6;

/** A random op of any registered gate that fits in `numQubits` (optionally from `gates` only). */
export function randomOp(rng: Random, numQubits: number, gates: readonly GateDefinition[] = listGates()): RandomOp {
  const fitting = gates.filter((g) => wireCounts(g, numQubits).length > 0);
  const gate = fitting[rng.int(fitting.length)]!;
  const counts = wireCounts(gate, Math.min(numQubits, MAX_RANDOM_GATE_WIRES));
  const k = counts[rng.int(counts.length)]!;
  return randomOpOf(rng, gate, randomWires(rng, numQubits, k), rng.uniform() < 0.3);
}

/** A random circuit of `depth` ops over every registered gate that fits. */
export function randomCircuit(rng: Random, numQubits: number, depth: number): { circuit: Circuit; ops: RandomOp[] } {
  const circuit = new Circuit(numQubits);
  const ops: RandomOp[] = [];
  for (let i = 0; i < depth; i++) {
    const op = randomOp(rng, numQubits);
    ops.push(op);
    applyOp(circuit, op);
  }
  return { circuit, ops };
}

/** Every ordered selection of `k` distinct wires out of `numQubits`. */
export function wireTuples(numQubits: number, k: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[]): void => {
    if (prefix.length === k) {
      out.push(prefix);
      return;
    }
    for (let w = 0; w < numQubits; w++) if (!prefix.includes(w)) walk([...prefix, w]);
  };
  walk([]);
  return out;
}

/** A 32-bit seed derived from text (FNV-1a), so each test has its own stable stream. */
export function seedFrom(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A generator seeded from text. */
export function rngFor(...parts: Array<string | number>): Random {
  return new Random(seedFrom(...parts));
}
