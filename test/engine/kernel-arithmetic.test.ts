// The single-bit kernels' arithmetic, bit for bit. Every kernel documents the
// exact operations it performs (assembly/kernels/complex.ts: a product
// a·(mr + i·mi) is a·(mr, mr) + swap(a)·(−mi, mi), rows summed column 0
// first, no fused multiply-add), and a real matrix takes the real path
// (a·m0 + b·m1 per lane). Plain JavaScript doubles do the same IEEE
// operations, so the engine's output must equal this file's emulation
// exactly — at every target bit (the lowest ones inside one SIMD register,
// the short-run walks of bits 1–2), with and without controls. That is what
// keeps Node and Chromium bit-identical.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { testSimulator } from '../helpers/engine.js';
import { Random } from '../helpers/random.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = (await testSimulator()).kernel;
});

const N = 7;

/** A random (unnormalised is fine) interleaved state with some exact zeros and negative zeros. */
function randomInterleaved(rng: Random): Float64Array {
  const s = Float64Array.from({ length: 2 << N }, () => rng.range(-1, 1));
  s[3] = 0;
  s[8] = -0;
  return s;
}

/** The engine's dense 2x2 on (bit, controls), emulated: the real path when every imaginary part is 0. */
function emulateDense1(state: Float64Array, bit: number, ctrl: number, m: number[]): Float64Array {
  const out = state.slice();
  const real = m[1] === 0 && m[3] === 0 && m[5] === 0 && m[7] === 0;
  const [m00r, m00i, m01r, m01i, m10r, m10i, m11r, m11i] = m as [number, number, number, number, number, number, number, number];
  // cmul lanes: (re·mr + im·(−mi), im·mr + re·mi)
  const cmul = (re: number, im: number, mr: number, mi: number): [number, number] => [re * mr + im * -mi, im * mr + re * mi];
  for (let i = 0; i < 1 << N; i++) {
    if ((i >> bit) & 1 || (i & ctrl) !== ctrl) continue;
    const j = i | (1 << bit);
    const ar = state[2 * i]!, ai = state[2 * i + 1]!, br = state[2 * j]!, bi = state[2 * j + 1]!;
    if (real) {
      out[2 * i] = ar * m00r + br * m01r;
      out[2 * i + 1] = ai * m00r + bi * m01r;
      out[2 * j] = ar * m10r + br * m11r;
      out[2 * j + 1] = ai * m10r + bi * m11r;
    } else {
      const p0 = cmul(ar, ai, m00r, m00i), p1 = cmul(br, bi, m01r, m01i);
      const q0 = cmul(ar, ai, m10r, m10i), q1 = cmul(br, bi, m11r, m11i);
      out[2 * i] = p0[0] + p1[0];
      out[2 * i + 1] = p0[1] + p1[1];
      out[2 * j] = q0[0] + q1[0];
      out[2 * j + 1] = q0[1] + q1[1];
    }
  }
  return out;
}

function runDense1(state: Float64Array, bit: number, ctrl: number, m: number[]): Float64Array {
  const ptr = kernel.allocF64(state, 'kernel test state');
  try {
    kernel.run('kernel test', (ex) => ex.applyDense1(ptr, N, bit, ctrl, m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!));
    return kernel.f64(ptr, state.length).slice();
  } finally {
    kernel.free(ptr);
  }
}

function expectSameBits(actual: Float64Array, expected: Float64Array, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}: entry ${i} is ${actual[i]}, expected bit for bit ${expected[i]}`);
  }
}

describe('dense single-bit kernel: the documented arithmetic, bit for bit, at every target bit', () => {
  const s = Math.SQRT1_2;
  const matrices: Array<[string, number[]]> = [
    ['Hadamard (real path)', [s, 0, s, 0, s, 0, -s, 0]],
    ['a real rotation (real path)', [0.8, 0, -0.6, 0, 0.6, 0, 0.8, 0]],
    ['a complex unitary', [0.6, 0.0, 0.0, -0.8, 0.0, -0.8, 0.6, 0.0].map((v, i) => (i === 1 ? 0.1 : v))],
    ['a complex unitary with −0 imaginary parts', [0.28, -0, -0.96, 0.5, 0.96, 0.25, 0.28, -0]],
  ];
  const controls = (bit: number): number[] => [0, bit === 0 ? 0b10 : 0b1, (0b1100000 & ~(1 << bit)) >>> 0, (0b11 & ~(1 << bit)) >>> 0];
  for (const [name, m] of matrices) {
    it(name, () => {
      const rng = new Random(name.length);
      for (let bit = 0; bit < N; bit++) {
        for (const ctrl of controls(bit)) {
          const state = randomInterleaved(rng);
          expectSameBits(runDense1(state, bit, ctrl, m), emulateDense1(state, bit, ctrl, m), `${name}, bit ${bit}, controls 0b${ctrl.toString(2)}`);
        }
      }
    });
  }
});
