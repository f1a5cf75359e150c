// Benchmark section "engine": time per gate of workload W1 (a layer of RX on
// every wire, then a CNOT chain CNOT(i, i+1)) on
//   (1) the SIMD WebAssembly engine, release build: the circuit is compiled
//       to a tape once and applied to a state resident in engine memory by
//       one tapeApply call per run (no compile, no allocation, no copy timed);
//   (2) the plain-TS reference engine, referenceApplyMatrix on a resident
//       state, measured in the same process;
//   (3) the npm package quantum-circuit as a peer (10, 16, 20 qubits);
// and a sweep of single-gate kernels over target positions at 20 qubits.
//
// QDISTILL_BENCH_WASM=/path/to/engine.wasm adds a "candidate" engine (e.g. a
// kernel change under evaluation) measured side by side in the same run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Circuit } from '../sdk/circuit/circuit.js';
import { getGate } from '../sdk/circuit/gates.js';
import type { ComplexMatrix } from '../sdk/circuit/matrix.js';
import { referenceApplyMatrix, referenceZeroState, type ReferenceState } from '../sdk/circuit/reference.js';
import { createKernel, type Kernel } from '../sdk/kernel/kernel.js';
import { createSimulator } from '../sdk/qnn/simulator.js';
import { compileTape, slotAngles } from '../sdk/qnn/tape.js';
import { collectGarbage, fmt, loadText, round, table, time, type Timing } from './util.js';

const SIZES = [10, 16, 20, 24] as const;
const PEER_SIZES = [10, 16, 20] as const;
const SWEEP_QUBITS = 20;

/** A gate of a workload, by PennyLane name (the plain-JS and reference baselines know RX, RZ, Hadamard and CNOT). */
interface GateSpec {
  readonly name: 'RX' | 'RZ' | 'Hadamard' | 'CNOT' | 'CZ' | 'CRX' | 'QubitUnitary';
  readonly wires: readonly number[];
  readonly angle?: number;
  /** QubitUnitary's matrix. */
  readonly matrix?: ComplexMatrix;
}

/** One W1 layer on n wires: RX(θ_w) on every wire w, then CNOT(i, i+1). */
function w1Layer(n: number): GateSpec[] {
  const gates: GateSpec[] = [];
  for (let w = 0; w < n; w++) gates.push({ name: 'RX', wires: [w], angle: 0.1 + 0.01 * w });
  for (let i = 0; i + 1 < n; i++) gates.push({ name: 'CNOT', wires: [i, i + 1] });
  return gates;
}

/** Layers per timed run: about 2^23 amplitude-updates' worth, at least one layer. */
function layersFor(n: number): number {
  return Math.max(1, Math.round(2 ** 23 / (2 ** n * (2 * n - 1))));
}

function circuitOf(n: number, gates: readonly GateSpec[], repeat: number): Circuit {
  const c = new Circuit(n);
  for (let r = 0; r < repeat; r++) {
    for (const g of gates) c.op(g.name, g.wires, g.matrix ? (g.matrix as never) : g.angle === undefined ? [] : [g.angle]);
  }
  return c;
}

// ------------------------------------------------------------ the engines

/** A tape resident in engine memory, with its state; `apply` is one WASM call. */
interface ResidentTape {
  apply(): void;
  reset(): void;
  read(): { re: Float64Array; im: Float64Array };
  dispose(): void;
}

function residentTape(kernel: Kernel, circuit: Circuit, blockBits = 0): ResidentTape {
  const n = circuit.numQubits;
  const tape = compileTape(circuit);
  const angles = slotAngles(tape);
  const pointers: number[] = [];
  const alloc = (bytes: number, what: string): number => {
    const p = kernel.alloc(Math.max(16, bytes), what);
    pointers.push(p);
    return p;
  };
  const state = alloc(16 * 2 ** n, `${n}-qubit state`);
  const ops = alloc(tape.ops.length * 4, 'tape ops');
  const consts = alloc(tape.consts.length * 8, 'tape constants');
  const slots = alloc(angles.length * 8, 'tape angles');
  const scratch = alloc(16 << Math.max(1, tape.maxDenseWires), 'scratch');
  kernel.i32(ops, tape.ops.length).set(tape.ops);
  kernel.f64(consts, tape.consts.length).set(tape.consts);
  kernel.f64(slots, angles.length).set(angles);
  // A candidate build may export tapeApplyBlocked (cache-blocked interpreter, see the report).
  const blocked = (kernel.exports as unknown as { tapeApplyBlocked?: (...args: (number | boolean)[]) => void }).tapeApplyBlocked;
  if (blockBits > 0 && !blocked) throw new Error('bench: QDISTILL_BENCH_BLOCK_BITS needs a candidate build exporting tapeApplyBlocked');
  return {
    apply: blockBits > 0
      ? () => kernel.run('bench', () => blocked!(state, n, ops, tape.numOps, consts, slots, false, scratch, blockBits))
      : () => kernel.run('bench', (ex) => ex.tapeApply(state, n, ops, tape.numOps, consts, slots, false, scratch)),
    reset: () => kernel.run('bench', (ex) => ex.stateZero(state, n)),
    read: () => {
      const view = kernel.f64(state, 2 << n);
      const re = new Float64Array(1 << n);
      const im = new Float64Array(1 << n);
      for (let i = 0; i < 1 << n; i++) {
        re[i] = view[2 * i]!;
        im[i] = view[2 * i + 1]!;
      }
      return { re, im };
    },
    dispose: () => pointers.reverse().forEach((p) => kernel.free(p)),
  };
}

/** Gate matrices built once; the timed loop only calls referenceApplyMatrix. */
function referenceProgram(gates: readonly GateSpec[]): { matrix: ComplexMatrix; wires: readonly number[] }[] {
  return gates.map((g) => ({ matrix: getGate(g.name).matrix(g.angle === undefined ? [] : [g.angle]), wires: g.wires }));
}

function resetReference(state: ReferenceState): void {
  state.re.fill(0);
  state.im.fill(0);
  state.re[0] = 1;
}

/**
 * A plain-JS statevector engine of the usual kind (interleaved re/im
 * Float64Array, a scalar complex 2×2 kernel, CNOT as swaps over nested
 * loops): the baseline a SIMD WebAssembly engine has to beat. The reference
 * engine above is written for clarity, not speed, so it is not that baseline.
 */
function plainJsApply(state: Float64Array, n: number, g: GateSpec, m: ComplexMatrix | undefined): void {
  const size = 1 << n;
  if (g.name === 'CNOT') {
    const c = n - 1 - g.wires[0]!;
    const t = n - 1 - g.wires[1]!;
    const lo = Math.min(c, t);
    const hi = Math.max(c, t);
    const tStride = 2 << t;
    for (let outer = 0; outer < size; outer += 2 << hi) {
      for (let mid = 0; mid < 1 << hi; mid += 2 << lo) {
        const base = (outer | mid | (1 << c)) << 1;
        for (let j = 0; j < 2 << lo; j += 2) {
          const p = base + j;
          const q = p + tStride;
          const r = state[p]!, i = state[p + 1]!;
          state[p] = state[q]!;
          state[p + 1] = state[q + 1]!;
          state[q] = r;
          state[q + 1] = i;
        }
      }
    }
    return;
  }
  const bit = n - 1 - g.wires[0]!;
  const [m00r, m01r, m10r, m11r] = m!.re as unknown as [number, number, number, number];
  const [m00i, m01i, m10i, m11i] = m!.im as unknown as [number, number, number, number];
  const half = 1 << bit;
  for (let block = 0; block < size; block += half << 1) {
    for (let k = block; k < block + half; k++) {
      const p = k << 1;
      const q = (k + half) << 1;
      const ar = state[p]!, ai = state[p + 1]!, br = state[q]!, bi = state[q + 1]!;
      state[p] = m00r * ar - m00i * ai + (m01r * br - m01i * bi);
      state[p + 1] = m00r * ai + m00i * ar + (m01r * bi + m01i * br);
      state[q] = m10r * ar - m10i * ai + (m11r * br - m11i * bi);
      state[q + 1] = m10r * ai + m10i * ar + (m11r * bi + m11i * br);
    }
  }
}

function timePlainJs(n: number, gates: readonly GateSpec[], repeat: number, runs: { warmup: number; runs: number }): EngineRun {
  const state = new Float64Array(2 << n);
  const program = gates.map((g) => ({ g, m: g.name === 'CNOT' ? undefined : getGate(g.name).matrix(g.angle === undefined ? [] : [g.angle]) }));
  const timing = time(
    () => {
      for (let r = 0; r < repeat; r++) for (const { g, m } of program) plainJsApply(state, n, g, m);
    },
    { ...runs, before: () => { state.fill(0); state[0] = 1; } },
  );
  const re = new Float64Array(1 << n);
  const im = new Float64Array(1 << n);
  for (let i = 0; i < 1 << n; i++) {
    re[i] = state[2 * i]!;
    im[i] = state[2 * i + 1]!;
  }
  return { timing, gates: gates.length * repeat, state: { re, im } };
}

interface EngineRun {
  readonly timing: Timing;
  /** Gates per timed run. */
  readonly gates: number;
  readonly state?: { re: ArrayLike<number>; im: ArrayLike<number> };
}

const perGateUs = (run: EngineRun, which: 'warmMs' | 'coldMs' | 'minMs' | 'maxMs' = 'warmMs'): number => (run.timing[which] * 1000) / run.gates;

function timeWasm(
  kernel: Kernel, n: number, gates: readonly GateSpec[], repeat: number, runs: { warmup: number; runs: number }, keepState: boolean, blockBits = 0,
): EngineRun {
  const resident = residentTape(kernel, circuitOf(n, gates, repeat), blockBits);
  try {
    const timing = time(resident.apply, { ...runs, before: resident.reset });
    return { timing, gates: gates.length * repeat, ...(keepState ? { state: resident.read() } : {}) };
  } finally {
    resident.dispose();
  }
}

function timeReference(n: number, gates: readonly GateSpec[], repeat: number, runs: { warmup: number; runs: number }): EngineRun {
  const state = referenceZeroState(n);
  const program = referenceProgram(gates);
  const timing = time(
    () => {
      for (let r = 0; r < repeat; r++) for (const g of program) referenceApplyMatrix(state, g.matrix, g.wires);
    },
    { ...runs, before: () => resetReference(state) },
  );
  return { timing, gates: gates.length * repeat, state };
}

// ------------------------------------------------------ the quantum-circuit peer

interface QuantumCircuitInstance {
  addGate(name: string, column: number, wires: number | number[], options?: unknown): void;
  run(): void;
  applyGate(name: string, column: number, wires: number[], options: unknown): void;
  state: Record<string, { re: number; im: number } | undefined>;
}

type QuantumCircuitClass = new (numQubits: number) => QuantumCircuitInstance;

function loadQuantumCircuit(): QuantumCircuitClass {
  const require = createRequire(import.meta.url);
  // Its ANTLR-based QASM importer prints circular-dependency warnings on load; keep them off the report.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return require('quantum-circuit') as QuantumCircuitClass;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** quantum-circuit's names and options for a W1 gate (its wire w is bit w of the index). */
function qcApply(qc: QuantumCircuitInstance, g: GateSpec): void {
  if (g.name === 'RX') qc.applyGate('rx', 0, [...g.wires], { params: { theta: String(g.angle) } });
  else if (g.name === 'CNOT') qc.applyGate('cx', 0, [...g.wires], {});
  else throw new Error(`bench: no quantum-circuit mapping for ${g.name}`);
}

/** A quantum-circuit instance with the dense state H^⊗n|0⟩ (its map stores only non-zero amplitudes). */
function denseQuantumCircuit(QC: QuantumCircuitClass, n: number): QuantumCircuitInstance {
  const qc = new QC(n);
  for (let w = 0; w < n; w++) qc.addGate('h', 0, w);
  qc.run();
  return qc;
}

interface PeerResult {
  readonly usPerGate: number;
  readonly coldUsPerGate: number;
  readonly how: string;
}

function timePeer(QC: QuantumCircuitClass, n: number): PeerResult {
  const layer = w1Layer(n);
  const qc = denseQuantumCircuit(QC, n);
  if (n <= 16) {
    const runs = n <= 10 ? { warmup: 2, runs: 5 } : { warmup: 0, runs: 2 };
    const timing = time(() => layer.forEach((g) => qcApply(qc, g)), runs);
    return {
      usPerGate: (timing.warmMs * 1000) / layer.length,
      coldUsPerGate: (timing.coldMs * 1000) / layer.length,
      how: `full W1 layers, median of ${timing.runs}`,
    };
  }
  // At 20 qubits one W1 layer takes about a minute: time RX and CNOT once at
  // three positions each and weight them as W1 does (n RX, n−1 CNOT).
  const mid = n >> 1;
  const sample: GateSpec[] = [
    { name: 'RX', wires: [0], angle: 0.1 }, { name: 'RX', wires: [mid], angle: 0.2 }, { name: 'RX', wires: [n - 1], angle: 0.3 },
    { name: 'CNOT', wires: [0, 1] }, { name: 'CNOT', wires: [mid - 1, mid] }, { name: 'CNOT', wires: [n - 2, n - 1] },
  ];
  const ms = sample.map((g) => time(() => qcApply(qc, g), { warmup: 0, runs: 1 }).coldMs);
  const rx = (ms[0]! + ms[1]! + ms[2]!) / 3;
  const cnot = (ms[3]! + ms[4]! + ms[5]!) / 3;
  const us = ((n * rx + (n - 1) * cnot) / (2 * n - 1)) * 1000;
  return { usPerGate: us, coldUsPerGate: us, how: `RX ${fmt(rx)} ms, CNOT ${fmt(cnot)} ms (3 positions each, one run), W1-weighted` };
}

/** Checks the peer computes the same W1 state (its bit order is reversed). */
function checkPeer(QC: QuantumCircuitClass, n: number): number {
  const qc = denseQuantumCircuit(QC, n);
  w1Layer(n).forEach((g) => qcApply(qc, g));
  const state = referenceZeroState(n);
  const h = getGate('Hadamard').matrix([]);
  for (let w = 0; w < n; w++) referenceApplyMatrix(state, h, [w]);
  for (const g of referenceProgram(w1Layer(n))) referenceApplyMatrix(state, g.matrix, g.wires);
  let maxDiff = 0;
  for (let i = 0; i < 1 << n; i++) {
    let j = 0;
    for (let b = 0; b < n; b++) if ((i >> b) & 1) j |= 1 << (n - 1 - b);
    const a = qc.state[String(i)] ?? { re: 0, im: 0 };
    maxDiff = Math.max(maxDiff, Math.hypot(a.re - state.re[j]!, a.im - state.im[j]!));
  }
  return maxDiff;
}

// ------------------------------------------------------------------ section

function maxDiff(a: { re: ArrayLike<number>; im: ArrayLike<number> }, b: { re: ArrayLike<number>; im: ArrayLike<number> }): number {
  let d = 0;
  for (let i = 0; i < a.re.length; i++) d = Math.max(d, Math.abs(a.re[i]! - b.re[i]!), Math.abs(a.im[i]! - b.im[i]!));
  return d;
}

interface Candidate {
  readonly kernel: Kernel;
  readonly path: string;
  readonly blockBits: number;
}

async function loadCandidate(): Promise<Candidate | undefined> {
  const path = process.env.QDISTILL_BENCH_WASM;
  if (!path) return undefined;
  const module = await WebAssembly.compile(readFileSync(path));
  return { kernel: await createKernel({ build: 'release', module }), path, blockBits: Number(process.env.QDISTILL_BENCH_BLOCK_BITS ?? 0) };
}

/** Runs the engine section; prints its tables and returns its summary keys. */
export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const sim = await createSimulator({ build: 'release' });
  const candidate = await loadCandidate();
  const QC = loadQuantumCircuit();

  console.log('\n## W1: RX on every wire, then CNOT(i, i+1) — time per gate');
  console.log('engine = SIMD WebAssembly, release build (-O3 --noAssert --enable simd), tape resident in engine memory, one tapeApply call per run');
  console.log('plain JS = a typical scalar JS engine (interleaved Float64Array, complex 2×2 kernel, CNOT as swaps), defined in this file');
  console.log('reference = plain-TS referenceApplyMatrix (the readable reference engine) on a resident state, same process');
  if (candidate) console.log(`candidate = ${candidate.path}${candidate.blockBits ? `, cache-blocked tapeApplyBlocked(blockBits = ${candidate.blockBits})` : ''}`);
  console.log('cold = first run at that size (at 10 qubits it includes WebAssembly tier-up); warm = median after warm-up');
  console.log('other load = share of the machine\'s CPU used by other processes during the engine\'s timed runs (> ~10%: numbers are contaminated)\n');

  const rows: string[][] = [];
  const sizes = process.env.QDISTILL_BENCH_ENGINE === 'sweep' ? [] : SIZES;
  if (!sizes.length) console.log('(QDISTILL_BENCH_ENGINE=sweep: W1 skipped, position sweep only)');
  for (const n of sizes) {
    const layer = w1Layer(n);
    const repeat = layersFor(n);
    const runs = n >= 24 ? { warmup: 1, runs: 3 } : { warmup: 2, runs: 7 };
    const refRuns = n >= 24 ? { warmup: 0, runs: 2 } : n >= 20 ? { warmup: 1, runs: 3 } : { warmup: 1, runs: 5 };
    collectGarbage();
    const wasm = timeWasm(sim.kernel, n, layer, repeat, runs, true);
    const cand = candidate ? timeWasm(candidate.kernel, n, layer, repeat, runs, true, candidate.blockBits) : undefined;
    const js = timePlainJs(n, layer, repeat, runs);
    const ref = timeReference(n, layer, repeat, refRuns);
    const check = Math.max(maxDiff(wasm.state!, ref.state!), maxDiff(js.state!, ref.state!), cand ? maxDiff(cand.state!, ref.state!) : 0);
    let peer: PeerResult | undefined;
    if ((PEER_SIZES as readonly number[]).includes(n)) {
      collectGarbage();
      peer = timePeer(QC, n);
    }
    collectGarbage();
    const us = perGateUs(wasm);
    const refUs = perGateUs(ref);
    out[`w1_n${n}_us_per_gate`] = round(us);
    out[`w1_n${n}_cold_us_per_gate`] = round(perGateUs(wasm, 'coldMs'));
    out[`w1_n${n}_min_us_per_gate`] = round(perGateUs(wasm, 'minMs'));
    if (!Number.isNaN(wasm.timing.otherLoad)) out[`w1_n${n}_other_load`] = round(wasm.timing.otherLoad);
    out[`w1_n${n}_ns_per_amplitude`] = round((us * 1000) / 2 ** n);
    out[`w1_n${n}_reference_us_per_gate`] = round(refUs);
    out[`w1_n${n}_ratio_vs_reference`] = round(refUs / us);
    out[`w1_n${n}_plain_js_us_per_gate`] = round(perGateUs(js));
    out[`w1_n${n}_ratio_vs_plain_js`] = round(perGateUs(js) / us);
    if (cand) {
      out[`w1_n${n}_candidate_us_per_gate`] = round(perGateUs(cand));
      out[`w1_n${n}_candidate_speedup`] = round(us / perGateUs(cand));
    }
    if (peer) {
      out[`w1_n${n}_quantum_circuit_us_per_gate`] = round(peer.usPerGate);
      out[`w1_n${n}_ratio_vs_quantum_circuit`] = round(peer.usPerGate / us);
    }
    rows.push([
      String(n),
      `${layer.length}×${repeat}`,
      fmt(perGateUs(wasm, 'coldMs')),
      fmt(us),
      `${fmt(perGateUs(wasm, 'minMs'))}–${fmt(perGateUs(wasm, 'maxMs'))}`,
      loadText(wasm.timing),
      fmt((us * 1000) / 2 ** n),
      ...(cand ? [fmt(perGateUs(cand)), `${(us / perGateUs(cand)).toFixed(2)}×`] : []),
      fmt(perGateUs(js)),
      `${(perGateUs(js) / us).toFixed(2)}×`,
      fmt(perGateUs(ref, 'coldMs')),
      fmt(refUs),
      `${(refUs / us).toFixed(2)}×`,
      peer ? fmt(peer.usPerGate) : 'skipped',
      peer ? `${(peer.usPerGate / us).toFixed(0)}×` : '—',
      check.toExponential(1),
    ]);
    console.log(`  … ${n} qubits done${peer ? ` (quantum-circuit: ${peer.how})` : ''}`);
  }
  if (sizes.length) {
  out.w1_n24_ms_per_gate = round(out.w1_n24_us_per_gate! / 1000);
  console.log();
  console.log(
    table(
      [
        'qubits', 'gates/run', 'engine cold µs', 'engine warm µs', 'warm range', 'other load', 'ns/amp',
        ...(candidate ? ['candidate µs', 'speedup'] : []),
        'plain JS µs', 'engine vs JS', 'ref cold µs', 'ref warm µs', 'engine vs ref', 'quantum-circuit µs', 'engine vs qc', 'max |Δψ| engine−ref',
      ],
      rows,
    ),
  );
  console.log(
    '\nquantum-circuit: state prepared dense (H on every wire) first, its applyGate timed per gate. At 24 qubits skipped: one dense gate\n' +
      `takes ~${fmt((out.w1_n20_quantum_circuit_us_per_gate! * 16) / 1e6)} s (16× the 20-qubit time) and its amplitude map (~0.3 GB of heap at 20 qubits) would need ~5 GB.`,
  );
  const qcCheck = checkPeer(QC, 10);
  console.log(`quantum-circuit computes the same W1 state at 10 qubits: max |Δψ| = ${qcCheck.toExponential(1)}`);
  out.quantum_circuit_check_n10_max_abs_diff = qcCheck;
  }

  // Target-position sweep of single-gate kernels.
  const n = SWEEP_QUBITS;
  const mid = n >> 1;
  const sweep: [string, GateSpec][] = [
    ['RX wire 0 (bit 19)', { name: 'RX', wires: [0], angle: 0.3 }],
    [`RX wire ${mid} (bit ${n - 1 - mid})`, { name: 'RX', wires: [mid], angle: 0.3 }],
    [`RX wire ${n - 1} (bit 0)`, { name: 'RX', wires: [n - 1], angle: 0.3 }],
    ['RZ wire 0', { name: 'RZ', wires: [0], angle: 0.3 }],
    [`RZ wire ${mid}`, { name: 'RZ', wires: [mid], angle: 0.3 }],
    [`RZ wire ${n - 1}`, { name: 'RZ', wires: [n - 1], angle: 0.3 }],
    ['H wire 0', { name: 'Hadamard', wires: [0] }],
    [`H wire ${n - 1}`, { name: 'Hadamard', wires: [n - 1] }],
    ['CNOT near (0, 1)', { name: 'CNOT', wires: [0, 1] }],
    [`CNOT near (${mid - 1}, ${mid})`, { name: 'CNOT', wires: [mid - 1, mid] }],
    [`CNOT near (${n - 2}, ${n - 1})`, { name: 'CNOT', wires: [n - 2, n - 1] }],
    [`CNOT far (0, ${n - 1})`, { name: 'CNOT', wires: [0, n - 1] }],
    [`CNOT far (${n - 1}, 0)`, { name: 'CNOT', wires: [n - 1, 0] }],
  ];
  console.log(`\n## Single-gate kernels at ${n} qubits by target position (each run: the gate 16 times)\n`);
  const sweepRows: string[][] = [];
  for (const [label, gate] of sweep) {
    const wasm = timeWasm(sim.kernel, n, [gate], 16, { warmup: 2, runs: 7 }, false);
    const cand = candidate ? timeWasm(candidate.kernel, n, [gate], 16, { warmup: 2, runs: 7 }, false, candidate.blockBits) : undefined;
    const js = timePlainJs(n, [gate], 16, { warmup: 1, runs: 5 });
    const ref = timeReference(n, [gate], 4, { warmup: 1, runs: 3 });
    const us = perGateUs(wasm);
    const key = label.replace(/\(bit \d+\)/, '').trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/_+$/, '');
    out[`sweep_n${n}_${key}_us`] = round(us);
    if (cand) out[`sweep_n${n}_${key}_candidate_us`] = round(perGateUs(cand));
    sweepRows.push([
      label,
      fmt(us),
      fmt((us * 1000) / 2 ** n),
      loadText(wasm.timing),
      ...(cand ? [fmt(perGateUs(cand)), `${(us / perGateUs(cand)).toFixed(2)}×`] : []),
      fmt(perGateUs(js)),
      `${(perGateUs(js) / us).toFixed(2)}×`,
      fmt(perGateUs(ref)),
      `${(perGateUs(ref) / us).toFixed(2)}×`,
    ]);
  }
  console.log(
    table(['gate', 'engine µs', 'ns/amp', 'other load', ...(candidate ? ['candidate µs', 'speedup'] : []), 'plain JS µs', 'engine vs JS', 'ref µs', 'engine vs ref'], sweepRows),
  );
  Object.assign(out, positionSweep(sim.kernel, candidate));
  return out;
}

/**
 * Every target position of a gate at SWEEP_QUBITS qubits (two-wire gates:
 * the target on wire w, the control on its neighbour). Per gate: the best
 * position, the worst, worst/best over all positions and over the middle
 * wires 1 … n−2. `Hadamard` (real matrix) against `QubitUnitary` with a
 * complex matrix is the real-matrix fast path against the complex kernel.
 */
function positionSweep(kernel: Kernel, candidate: Candidate | undefined): Record<string, number> {
  const n = SWEEP_QUBITS;
  const out: Record<string, number> = {};
  const complex = getGate('Rot').matrix([0.1, 0.7, 0.3]);
  const neighbour = (w: number): number => (w === 0 ? 1 : w - 1);
  const gates: Array<[string, (w: number) => GateSpec]> = [
    ['RX', (w) => ({ name: 'RX', wires: [w], angle: 0.3 })],
    ['RZ', (w) => ({ name: 'RZ', wires: [w], angle: 0.3 })],
    ['H', (w) => ({ name: 'Hadamard', wires: [w] })],
    ['U (complex 2×2)', (w) => ({ name: 'QubitUnitary', wires: [w], matrix: complex })],
    ['CNOT', (w) => ({ name: 'CNOT', wires: [neighbour(w), w] })],
    ['CZ', (w) => ({ name: 'CZ', wires: [neighbour(w), w] })],
    ['CRX', (w) => ({ name: 'CRX', wires: [neighbour(w), w], angle: 0.4 })],
  ];
  console.log(`\n## Every target position at ${n} qubits (target on wire w = bit ${n - 1} − w; two-wire gates: control on a neighbouring wire; each run: the gate 16 times)\n`);
  const engines: Array<[string, Kernel, number]> = [['engine', kernel, 0], ...(candidate ? [['candidate', candidate.kernel, candidate.blockBits] as [string, Kernel, number]] : [])];
  const rows: string[][] = [];
  const best = new Map<string, number>();
  for (const [label, gate] of gates) {
    // The fastest of 7 runs in each of two passes over the positions, the engines interleaved position by position:
    // the machine is shared, and one busy moment would otherwise decide a position's number (or favour one engine).
    const times = engines.map(() => new Array<number>(n).fill(Infinity));
    for (let pass = 0; pass < 2; pass++) {
      for (let w = 0; w < n; w++) {
        engines.forEach(([, k, blockBits], e) => {
          times[e]![w] = Math.min(times[e]![w]!, perGateUs(timeWasm(k, n, [gate(w)], 16, { warmup: 2, runs: 7 }, false, blockBits), 'minMs'));
        });
      }
    }
    engines.forEach(([which], e) => {
      const us = times[e]!;
      const lowest = Math.min(...us);
      const middle = us.slice(1, n - 1);
      const key = `sweep_n${n}_${label.split(' ')[0]!.toLowerCase()}${which === 'candidate' ? '_candidate' : ''}`;
      out[`${key}_best_us`] = round(lowest);
      out[`${key}_worst_over_best`] = round(Math.max(...us) / lowest);
      out[`${key}_middle_worst_over_best`] = round(Math.max(...middle) / lowest);
      best.set(`${which} ${label}`, lowest);
      rows.push([
        `${label}${candidate ? ` (${which})` : ''}`,
        `${fmt(lowest)} (w${us.indexOf(lowest)})`,
        `${fmt(Math.max(...us))} (w${us.indexOf(Math.max(...us))})`,
        `${(Math.max(...us) / lowest).toFixed(2)}×`,
        `${(Math.max(...middle) / lowest).toFixed(2)}×`,
        us.map((v) => v.toFixed(0)).join(' '),
      ]);
    });
  }
  console.log(table(['gate', 'best µs (wire)', 'worst µs (wire)', 'worst/best', 'middle wires worst/best', 'µs per gate at wire 0 … ' + (n - 1)], rows));
  for (const [which] of engines) {
    const speedup = best.get(`${which} U (complex 2×2)`)! / best.get(`${which} H`)!;
    out[`sweep_n${n}_h_real_path_speedup${which === 'candidate' ? '_candidate' : ''}`] = round(speedup);
    console.log(`${which}: Hadamard (real-matrix path) is ${speedup.toFixed(2)}× faster than the same kernel with a complex 2×2, best positions`);
  }
  return out;
}
