// ─── 26-QUBIT SMOKE TEST — required by issue 2 (registers of ≥ 26 qubits). KEEP IT. ───
// It allocates a 1 GiB statevector (2^26 complex128 amplitudes) in the engine
// of its own kernel (its own test file, so the memory goes with the worker),
// applies H on wire 0 and CNOT(0, 1), and checks amplitudes. It takes a few
// seconds on the debug build; it is the only test of this size.
import { expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { MAX_SIMULATED_QUBITS, Simulator } from '../../sdk/qnn/simulator.js';
import { testSimulator } from '../helpers/engine.js';
import { expectClose, tolerance } from '../helpers/tolerance.js';

const NUM_QUBITS = 26;

it(`simulates ${NUM_QUBITS} qubits (a 1 GiB state): H on wire 0 then CNOT(0, 1) gives (|00…0⟩ + |110…0⟩)/√2`, async () => {
  const sim = await testSimulator();
  const circuit = new Circuit(NUM_QUBITS).h(0).cnot(0, 1);
  const result = sim.withState(circuit, {}, 'smoke', (statePtr, n) => {
    const size = 2 ** n;
    const view = sim.kernel.f64(statePtr, 2 * size);
    // Wire 0 is the most significant bit: |11 0…0⟩ is index 3·2^(n−2); |10 0…0⟩ is 2^(n−1).
    const amplitude = (index: number): [number, number] => [view[2 * index]!, view[2 * index + 1]!];
    return {
      stateBytes: view.byteLength,
      memoryBytes: sim.kernel.exports.memory.buffer.byteLength,
      zeros: amplitude(0),
      ones: amplitude(3 * 2 ** (n - 2)),
      controlOnly: amplitude(2 ** (n - 1)),
      last: amplitude(size - 1),
      norm: sim.kernel.run('norm', (ex) => ex.stateNormSquared(statePtr, n)),
    };
  });
  expect(result.stateBytes).toBe(2 ** 30);
  expect(result.memoryBytes).toBeGreaterThanOrEqual(2 ** 30);
  const T = tolerance('exact');
  expectClose(result.zeros[0], Math.SQRT1_2, T, 'amplitude of |00…0⟩ (re)');
  expectClose(result.ones[0], Math.SQRT1_2, T, 'amplitude of |110…0⟩ (re)');
  expect([result.zeros[1], result.ones[1], ...result.controlOnly, ...result.last]).toEqual([0, 0, 0, 0, 0, 0]);
  expectClose(result.norm, 1, T, 'squared norm');
  expect(sim.kernel.bytesInUse, 'the 1 GiB state is freed afterwards').toBe(0);
}, 60_000);

it(`requests exactly 16·2^n bytes for the largest register (${MAX_SIMULATED_QUBITS} qubits = 2 GiB), with no 32-bit overflow`, () => {
  // A stub kernel records the request and stops before anything is allocated,
  // so this checks the size arithmetic without a 2 GiB allocation.
  const requests: Array<[number, string]> = [];
  const stop = new Error('stop before allocating');
  const stub = {
    alloc(bytes: number, what: string): number {
      requests.push([bytes, what]);
      throw stop;
    },
    free(): void {},
  };
  const sim = new Simulator(stub as unknown as Kernel);
  for (const n of [NUM_QUBITS, MAX_SIMULATED_QUBITS]) {
    expect(() => sim.probs(new Circuit(n).h(0), [0])).toThrow(stop);
  }
  expect(requests).toEqual([
    [16 * 2 ** NUM_QUBITS, `${NUM_QUBITS}-qubit state`],
    [16 * 2 ** MAX_SIMULATED_QUBITS, `${MAX_SIMULATED_QUBITS}-qubit state`],
  ]);
});
