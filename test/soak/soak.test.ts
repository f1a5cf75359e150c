// A short soak (npm run soak runs 10⁴ batches of each): KD training of a QNN
// and a hybrid student in one process leaves WebAssembly memory exactly flat
// after the warm-up and the JS heap within a bound; and an engine that ran out
// of memory on a large state stays usable.
import { describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { createKernel } from '../../sdk/kernel/kernel.js';
import { MAX_SIMULATED_QUBITS, Simulator } from '../../sdk/qnn/simulator.js';
import { expectQDistillError } from '../helpers/errors.js';
import { soak } from './soak.js';

const HEAP_BOUND = 4 * 2 ** 20;

describe('soak', () => {
  it.each([
    ['qnn', 400],
    ['hybrid', 160],
  ] as const)('%s student, %i batches: WebAssembly memory flat after the warm-up, heap growth under 4 MiB', async (model, batches) => {
    const samples = await soak(model, { batches, warmup: batches / 4, every: batches / 4 });
    expect(samples.length).toBeGreaterThanOrEqual(4);
    const [first] = samples;
    for (const s of samples) {
      expect(s.wasmBytes, `wasm memory after ${s.batches} batches`).toBe(first!.wasmBytes);
      expect(s.wasmInUse, `wasm bytes in use after ${s.batches} batches`).toBe(first!.wasmInUse);
      expect(s.heapUsed - first!.heapUsed, `heap growth after ${s.batches} batches`).toBeLessThan(HEAP_BOUND);
    }
  });

  it('an engine out of memory on a large state stays usable: the error is typed, nothing leaks, the next circuit runs', async () => {
    const kernel = await createKernel();
    const sim = new Simulator(kernel);
    const bell = new Circuit(2).h(0).cnot(0, 1);
    const before = sim.probs(bell);
    // 2.5 GiB already held (address space only: nothing touches it), then a 27-qubit state (2 GiB) cannot fit in 4 GiB.
    const held = kernel.alloc(2.5 * 2 ** 30, 'other buffers');
    const inUse = kernel.bytesInUse;
    const large = new Circuit(MAX_SIMULATED_QUBITS).h(0);
    expectQDistillError(() => sim.state(large), 'E_OUT_OF_MEMORY', `${MAX_SIMULATED_QUBITS}-qubit state`, 'does not fit in the 4 GiB WebAssembly address space');
    expect(kernel.bytesInUse, 'the failed call freed what it had taken').toBe(inUse);
    expect(kernel.retired).toBe(false);
    expect(Array.from(sim.probs(bell))).toEqual(Array.from(before));
    kernel.free(held);
    expect(Array.from(sim.probs(bell))).toEqual(Array.from(before));
    expect(sim.expval(new Circuit(20).h(19), 'Z19')).toBeCloseTo(0, 12); // a 16 MiB state fits again
  });
});
