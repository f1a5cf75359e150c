import { QDistillError, assertAllFinite } from '../errors.js';
import { checkWireList, type Circuit } from '../circuit/circuit.js';
import { interleave, matmul } from '../circuit/matrix.js';
import { resolveObservable, type Observable, type ResolvedObservable } from '../circuit/observables.js';
import { pauliMasks } from '../circuit/pauli.js';
import { wireBits } from '../circuit/wires.js';
import { prepareAmplitudes } from '../circuit/templates.js';
import { createKernel, type Kernel, type KernelBuild } from '../kernel/kernel.js';
import { formatBytes } from '../kernel/memory.js';
import { Random } from '../util/random.js';
import { compileTape, slotAngles, type Tape } from './tape.js';

/** A statevector: amplitude i is `re[i] + i·im[i]`, wire 0 the most significant bit of i. */
export interface StateVector {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** Options of {@link createSimulator}. */
export interface SimulatorOptions {
  /** Engine build: `release` (default) or `debug` (asserts on). */
  build?: KernelBuild;
  /** Use an existing kernel instead of creating one. */
  kernel?: Kernel;
}

/** Options of a simulation call. */
export interface RunOptions {
  /** Start from this normalised state instead of |0…0⟩ (not with a state preparation). */
  initialState?: StateVector;
  /** Trainable weights, if the circuit references `{ weight }`. */
  weights?: ArrayLike<number>;
  /** Input features, if the circuit references `{ input }` or embeds inputs. */
  inputs?: ArrayLike<number>;
}

/** Largest register the wasm32 engine can hold: a 27-qubit state is 2 GiB of a 4 GiB address space. */
export const MAX_SIMULATED_QUBITS = 27;

/**
 * Exact statevector simulation on the WebAssembly engine.
 *
 * @example
 * ```ts
 * const sim = await createSimulator();
 * const bell = new Circuit(2).h(0).cnot(0, 1);
 * sim.probs(bell);                 // Float64Array [0.5, 0, 0, 0.5]
 * sim.expval(bell, ['Z0 Z1', 'X0']); // [1, 0]
 * sim.sample(bell, 1000, { seed: 7 });
 * ```
 */
export class Simulator {
  /** The engine instance this simulator runs on. */
  readonly kernel: Kernel;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  /** The final state of `circuit`. */
  state(circuit: Circuit, options: RunOptions = {}): StateVector {
    return this.withState(circuit, options, 'state', (ptr, n) => {
      const view = this.kernel.f64(ptr, 2 << n);
      const size = 1 << n;
      const re = new Float64Array(size);
      const im = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        re[i] = view[2 * i]!;
        im[i] = view[2 * i + 1]!;
      }
      return { re, im };
    });
  }

  /**
   * Probabilities of the computational basis states of `wires` (default:
   * all), in PennyLane order: the first listed wire is the most significant
   * bit of the outcome index.
   */
  probs(circuit: Circuit, wires?: readonly number[], options: RunOptions = {}): Float64Array {
    const list = wires ? [...wires] : undefined;
    if (list) checkWireList(list, circuit.numQubits, 'probs');
    return this.withState(circuit, options, 'probs', (ptr, n) => this.probsOf(ptr, n, list));
  }

  /** Expectation value(s) ⟨ψ|O|ψ⟩. */
  expval(circuit: Circuit, observable: Observable, options?: RunOptions): number;
  expval(circuit: Circuit, observables: readonly Observable[], options?: RunOptions): number[];
  expval(circuit: Circuit, observables: Observable | readonly Observable[], options: RunOptions = {}): number | number[] {
    const list = Array.isArray(observables) ? (observables as Observable[]) : [observables as Observable];
    const resolved = list.map((o) => resolveObservable(o, circuit.numQubits));
    const values = this.withState(circuit, options, 'expval', (ptr, n) => resolved.map((o) => this.expvalOf(ptr, n, o, false)));
    return Array.isArray(observables) ? values : values[0]!;
  }

  /** Variance(s) ⟨O²⟩ − ⟨O⟩². */
  var(circuit: Circuit, observable: Observable, options?: RunOptions): number;
  var(circuit: Circuit, observables: readonly Observable[], options?: RunOptions): number[];
  var(circuit: Circuit, observables: Observable | readonly Observable[], options: RunOptions = {}): number | number[] {
    const list = Array.isArray(observables) ? (observables as Observable[]) : [observables as Observable];
    const resolved = list.map((o) => resolveObservable(o, circuit.numQubits));
    const values = this.withState(circuit, options, 'var', (ptr, n) =>
      resolved.map((o) => {
        const mean = this.expvalOf(ptr, n, o, false);
        const square = o.kind === 'pauli' ? 1 : this.expvalOf(ptr, n, o, true);
        return square - mean * mean;
      }),
    );
    return Array.isArray(observables) ? values : values[0]!;
  }

  /**
   * Draws `shots` measurement outcomes of `wires` (default all) with a seeded
   * generator ({@link Random}: xoshiro128**; each shot takes one uniform u in
   * [0, 1) and picks the first outcome whose cumulative probability exceeds
   * u). The draws happen in the engine, with exactly the draws of
   * {@link sampleFromProbabilities}. Returns outcome indices (first listed
   * wire = most significant bit). Same seed → same samples, in every runtime.
   */
  sample(circuit: Circuit, shots: number, seedOrOptions: number | (RunOptions & { seed?: number; wires?: readonly number[] }) = {}): Int32Array {
    const options = typeof seedOrOptions === 'number' ? { seed: seedOrOptions } : seedOrOptions;
    if (!Number.isInteger(shots) || shots <= 0) {
      throw new QDistillError('E_SHOTS', `sample: shots must be a positive integer, got ${shots}`);
    }
    const probabilities = this.probs(circuit, options.wires, options);
    return engineSample(this.kernel, probabilities, shots, new Random(options.seed ?? 0)).outcomes;
  }

  /**
   * The same draws as {@link sample} (same seed, same shots) as bits in
   * PennyLane's shape: one row per shot, one bit per measured wire in the
   * order listed (`qml.sample()` → `shots × wires`).
   *
   * @throws E_SHOTS for a non-positive or non-integer shot count
   * @example
   * ```ts
   * const sim = await createSimulator();
   * const bell = new Circuit(2).h(0).cnot(0, 1);
   * sim.sampleBits(bell, 3, { seed: 7 }); // e.g. [[1, 1], [0, 0], [1, 1]] as Uint8Arrays
   * ```
   */
  sampleBits(circuit: Circuit, shots: number, seedOrOptions: number | (RunOptions & { seed?: number; wires?: readonly number[] }) = {}): Uint8Array[] {
    const options = typeof seedOrOptions === 'number' ? { seed: seedOrOptions } : seedOrOptions;
    const numWires = options.wires?.length ?? circuit.numQubits;
    return outcomesToBits(this.sample(circuit, shots, options), numWires);
  }

  /** Frees nothing persistent; present for symmetry with pooled simulators. */
  dispose(): void {}

  /** @internal runs `body` with the final state of `circuit` in engine memory. */
  withState<T>(circuit: Circuit, options: RunOptions, where: string, body: (statePtr: number, numQubits: number) => T): T {
    const n = circuit.numQubits;
    checkRegisterSize(n, where);
    const tape = compileTape(circuit);
    checkSources(tape, options, where);
    const kernel = this.kernel;
    const allocations: number[] = [];
    const alloc = (bytes: number, what: string): number => {
      const ptr = kernel.alloc(bytes, what);
      allocations.push(ptr);
      return ptr;
    };
    try {
      const statePtr = alloc(16 * 2 ** n, `${n}-qubit state`);
      this.prepare(tape, statePtr, options, where);
      this.applyTape(tape, statePtr, slotAngles(tape, options.weights, options.inputs), alloc);
      return body(statePtr, n);
    } finally {
      for (const ptr of allocations) kernel.free(ptr);
    }
  }

  /** @internal applies a compiled tape to a state already in engine memory. */
  applyTape(tape: Tape, statePtr: number, angles: Float64Array, alloc: (bytes: number, what: string) => number): void {
    const kernel = this.kernel;
    const opsPtr = alloc(Math.max(4, tape.ops.length * 4), 'tape ops');
    kernel.i32(opsPtr, tape.ops.length).set(tape.ops);
    const constsPtr = alloc(Math.max(8, tape.consts.length * 8), 'tape constants');
    kernel.f64(constsPtr, tape.consts.length).set(tape.consts);
    const anglesPtr = alloc(Math.max(8, angles.length * 8), 'tape angles');
    kernel.f64(anglesPtr, angles.length).set(angles);
    const scratchPtr = alloc(16 << Math.max(1, tape.maxDenseWires), 'scratch');
    kernel.run('simulate', (ex) => ex.tapeApply(statePtr, tape.numQubits, opsPtr, tape.numOps, constsPtr, anglesPtr, false, scratchPtr));
  }

  private prepare(tape: Tape, statePtr: number, options: RunOptions, where: string): void {
    const n = tape.numQubits;
    const size = 1 << n;
    const kernel = this.kernel;
    if (tape.prep && options.initialState) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${where}: pass either initialState or a circuit with a state preparation, not both`);
    }
    if (options.initialState) {
      const { re, im } = options.initialState;
      if (re.length !== size || im.length !== size) {
        throw new QDistillError('E_SHAPE', `${where}: initialState must have ${size} amplitudes for ${n} qubits, got re ${re.length}, im ${im.length}`);
      }
      assertAllFinite(re, `${where}: initialState.re`);
      assertAllFinite(im, `${where}: initialState.im`);
      let norm = 0;
      for (let i = 0; i < size; i++) norm += re[i]! * re[i]! + im[i]! * im[i]!;
      if (Math.abs(norm - 1) > 1e-8) {
        throw new QDistillError('E_INVALID_ARGUMENT', `${where}: initialState has squared norm ${norm}, expected 1`);
      }
      const view = kernel.f64(statePtr, 2 * size);
      for (let i = 0; i < size; i++) {
        view[2 * i] = re[i]!;
        view[2 * i + 1] = im[i]!;
      }
      return;
    }
    const prep = tape.prep;
    if (!prep) {
      kernel.run(where, (ex) => ex.stateZero(statePtr, n));
      return;
    }
    const view = kernel.f64(statePtr, 2 * size);
    if (prep.kind === 'amplitude') {
      let features: ArrayLike<number>;
      if (prep.features) features = prep.features;
      else {
        if (!options.inputs) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: the circuit embeds input features: pass inputs`);
        assertAllFinite(options.inputs, `${where}: inputs`);
        features = Array.from(options.inputs).slice(prep.inputOffset, prep.inputOffset + prep.numFeatures);
      }
      const amplitudes = prepareAmplitudes(features, size, prep.pad, prep.normalize, 'AmplitudeEmbedding', prep);
      view.fill(0);
      for (let i = 0; i < size; i++) view[2 * i] = amplitudes[i]!;
      return;
    }
    if (!options.inputs) throw new QDistillError('E_INVALID_ARGUMENT', `${where}: the circuit takes a state as input: pass inputs`);
    for (let i = 0; i < size; i++) {
      view[2 * i] = options.inputs[prep.inputOffset + i]!;
      view[2 * i + 1] = options.inputs[prep.inputOffset + size + i]!;
    }
  }

  private probsOf(statePtr: number, n: number, wires: number[] | undefined): Float64Array {
    const kernel = this.kernel;
    const k = wires ? wires.length : n;
    const outPtr = kernel.alloc(8 << k, 'probabilities');
    try {
      if (!wires) kernel.run('probs', (ex) => ex.probsAll(statePtr, n, outPtr));
      else {
        const bitsPtr = kernel.allocI32(wireBits(n, wires), 'probs wires');
        try {
          kernel.run('probs', (ex) => ex.probsSubset(statePtr, n, bitsPtr, k, outPtr));
        } finally {
          kernel.free(bitsPtr);
        }
      }
      return kernel.f64(outPtr, 1 << k).slice();
    } finally {
      kernel.free(outPtr);
    }
  }

  private expvalOf(statePtr: number, n: number, obs: ResolvedObservable, squared: boolean): number {
    const kernel = this.kernel;
    if (obs.kind === 'pauli') {
      const { xMask, zMask, numY } = pauliMasks(obs.term, n);
      return kernel.run('expval', (ex) => ex.expvalPauliWord(statePtr, n, xMask, zMask, numY));
    }
    const matrix = squared ? matmul(obs.matrix, obs.matrix) : obs.matrix;
    const bitsPtr = kernel.allocI32(wireBits(n, obs.wires), 'observable wires');
    const matPtr = kernel.allocF64(interleave(matrix), 'observable matrix');
    try {
      return kernel.run('expval', (ex) => ex.expvalMatrix(statePtr, n, bitsPtr, obs.wires.length, matPtr));
    } finally {
      kernel.free(matPtr);
      kernel.free(bitsPtr);
    }
  }
}

/** Checks that the weights and inputs a tape reads exist and are finite. */
function checkSources(tape: Tape, options: RunOptions, where: string): void {
  const check = (values: ArrayLike<number> | undefined, needed: number, what: string): void => {
    if (needed === 0) return;
    if (!values) {
      const kind = what === 'weights' ? 'trainable weights' : 'input features';
      throw new QDistillError('E_INVALID_ARGUMENT', `${where}: the circuit uses ${kind} (${needed} values): pass ${what} in the options`);
    }
    if (values.length < needed) {
      throw new QDistillError('E_SHAPE', `${where}: the circuit reads ${needed} ${what}, got ${values.length}`);
    }
    assertAllFinite(values, `${where}: ${what}`);
  };
  check(options.weights, tape.numWeights, 'weights');
  check(options.inputs, tape.numInputs, 'inputs');
}

/** Throws `E_TOO_MANY_QUBITS` (before allocating) if a register cannot fit in the engine. */
export function checkRegisterSize(numQubits: number, where: string): void {
  if (numQubits > MAX_SIMULATED_QUBITS) {
    throw new QDistillError(
      'E_TOO_MANY_QUBITS',
      `${where}: ${numQubits} qubits need a ${formatBytes(16 * 2 ** numQubits)} statevector; the WebAssembly engine ` +
        `(4 GiB address space) simulates at most ${MAX_SIMULATED_QUBITS} qubits (${formatBytes(16 * 2 ** MAX_SIMULATED_QUBITS)})`,
    );
  }
}

/**
 * {@link sampleFromProbabilities} in the engine (one call, no loop per shot):
 * the outcomes and the generator's state after the draws.
 */
export function engineSample(kernel: Kernel, probabilities: ArrayLike<number>, shots: number, rng: Random): { outcomes: Int32Array; rngState: number[] } {
  const count = probabilities.length;
  const probsPtr = kernel.allocF64(probabilities, 'sampling probabilities');
  const cumulativePtr = kernel.alloc(count * 8, 'sampling scratch');
  const outPtr = kernel.alloc(shots * 4, 'samples');
  const rngPtr = kernel.alloc(16, 'generator state');
  try {
    kernel.u32(rngPtr, 4).set(rng.getState());
    kernel.run('sample', (ex) => ex.sampleIndices(probsPtr, count, shots, rngPtr, cumulativePtr, outPtr));
    return { outcomes: kernel.i32(outPtr, shots).slice(), rngState: Array.from(kernel.u32(rngPtr, 4)) };
  } finally {
    for (const ptr of [rngPtr, outPtr, cumulativePtr, probsPtr]) kernel.free(ptr);
  }
}

/**
 * Seeded sampling from a probability vector, the reference the engine's
 * sampler matches draw for draw (see {@link Simulator.sample}).
 */
export function sampleFromProbabilities(probabilities: ArrayLike<number>, shots: number, rng: Random): Int32Array {
  const cumulative = new Float64Array(probabilities.length);
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) {
    total += probabilities[i]!;
    cumulative[i] = total;
  }
  const out = new Int32Array(shots);
  for (let s = 0; s < shots; s++) {
    const u = rng.uniform() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    out[s] = lo;
  }
  return out;
}

/**
 * Creates a simulator on a fresh WebAssembly engine.
 *
 * @example
 * ```ts
 * const sim = await createSimulator();
 * const { re, im } = sim.state(new Circuit(1).h(0));
 * ```
 */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const kernel = options.kernel ?? (await createKernel(options.build ? { build: options.build } : {}));
  return new Simulator(kernel);
}

/**
 * Outcome indices (as {@link Simulator.sample} returns them; the first wire
 * is the most significant bit) to bit rows in PennyLane's shape: one
 * `Uint8Array` of `numWires` bits per outcome, first wire first.
 *
 * @throws E_INVALID_ARGUMENT if `numWires` is not an integer in 1..30 or an outcome is outside 0..2^numWires − 1
 * @example
 * ```ts
 * outcomesToBits(new Int32Array([3, 0, 2]), 2); // [[1, 1], [0, 0], [1, 0]]
 * ```
 */
export function outcomesToBits(outcomes: ArrayLike<number>, numWires: number): Uint8Array[] {
  if (!Number.isInteger(numWires) || numWires < 1 || numWires > 30) {
    throw new QDistillError('E_INVALID_ARGUMENT', `outcomesToBits: numWires must be an integer in 1..30, got ${numWires}`);
  }
  const rows: Uint8Array[] = new Array(outcomes.length);
  for (let s = 0; s < outcomes.length; s++) {
    const k = outcomes[s]!;
    if (!Number.isInteger(k) || k < 0 || k >= 2 ** numWires) {
      throw new QDistillError('E_INVALID_ARGUMENT', `outcomesToBits: outcome ${k} at index ${s} is outside 0..${2 ** numWires - 1} for ${numWires} wires`);
    }
    const row = new Uint8Array(numWires);
    for (let w = 0; w < numWires; w++) row[w] = (k >> (numWires - 1 - w)) & 1;
    rows[s] = row;
  }
  return rows;
}
