/**
 * The engine the tests run on. vitest sets QDISTILL_WASM_BUILD=debug, so the
 * kernels' asserts are on; {@link testSimulator} checks that it got that build
 * when asked for, so a suite never silently runs without asserts.
 */
import { expect } from 'vitest';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { createSimulator, type Simulator, type StateVector } from '../../sdk/qnn/simulator.js';
import { slotAngles, type Tape } from '../../sdk/qnn/tape.js';

/** The build the environment asks for (`debug` under vitest). */
export function requestedBuild(): 'debug' | 'release' {
  return process.env.QDISTILL_WASM_BUILD === 'debug' ? 'debug' : 'release';
}

/** A simulator on a fresh engine instance of the requested build. */
export async function testSimulator(): Promise<Simulator> {
  const kernel = await createKernel({ build: requestedBuild() });
  expect(kernel.build).toBe(requestedBuild());
  return createSimulator({ kernel });
}

/**
 * Runs a compiled tape on `state` (overwritten with the result) through the
 * raw `tapeApply` export, forward or as the engine's reverse pass
 * (`inverse = true`: ops in reverse order, each inverted — the pass adjoint
 * differentiation uses).
 */
export function runTapeRaw(kernel: Kernel, tape: Tape, state: StateVector, inverse: boolean, angles?: Float64Array): StateVector {
  const n = tape.numQubits;
  const size = 1 << n;
  const ptrs: number[] = [];
  const alloc = (bytes: number): number => {
    const p = kernel.alloc(bytes, 'test');
    ptrs.push(p);
    return p;
  };
  try {
    const statePtr = alloc(16 * size);
    const view = kernel.f64(statePtr, 2 * size);
    for (let i = 0; i < size; i++) {
      view[2 * i] = state.re[i]!;
      view[2 * i + 1] = state.im[i]!;
    }
    const opsPtr = alloc(Math.max(4, tape.ops.length * 4));
    kernel.i32(opsPtr, tape.ops.length).set(tape.ops);
    const constsPtr = alloc(Math.max(8, tape.consts.length * 8));
    kernel.f64(constsPtr, tape.consts.length).set(tape.consts);
    const a = angles ?? slotAngles(tape);
    const anglesPtr = alloc(Math.max(8, a.length * 8));
    kernel.f64(anglesPtr, a.length).set(a);
    const scratchPtr = alloc(16 << Math.max(1, tape.maxDenseWires));
    kernel.run('test tapeApply', (ex) => ex.tapeApply(statePtr, n, opsPtr, tape.numOps, constsPtr, anglesPtr, inverse, scratchPtr));
    const out = kernel.f64(statePtr, 2 * size);
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      re[i] = out[2 * i]!;
      im[i] = out[2 * i + 1]!;
    }
    return { re, im };
  } finally {
    ptrs.forEach((p) => kernel.free(p));
  }
}
