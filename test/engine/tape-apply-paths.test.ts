// The interpreter paths of `tapeApply` (assembly/tape.ts) that small circuits
// never reach, against the reference engine:
// - above BLOCK_BITS (15) qubits the tape runs in cache blocks: segments of
//   ops whose moving bits are low run block by block, the others on the
//   whole state, controls above the block checked against the block index;
// - uncontrolled single-bit rotations defer their cos(θ/2) (unit-diagonal
//   form, |tan(θ/2)| ≤ 1) and two X/Y rotations on different bits share one
//   pass; the owed scalar is paid at the end, or folded back into a later
//   rotation before it would underflow.
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { referenceRun } from '../../sdk/circuit/reference.js';
import type { Simulator, StateVector } from '../../sdk/qnn/simulator.js';
import { compileTape } from '../../sdk/qnn/tape.js';
import { runTapeRaw, testSimulator } from '../helpers/engine.js';
import { randomCircuit, randomState, rngFor } from '../helpers/random.js';
import { expectComplexClose, tolerance } from '../helpers/tolerance.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await testSimulator();
});

const ENGINE = tolerance('engine');

/** A layer of rotations on every wire, then CNOT(i, i+1) (bench workload W1 with mixed axes). */
function rotationLayers(n: number, layers: number, angle: (layer: number, wire: number) => number): Circuit {
  const c = new Circuit(n);
  const axes = ['RX', 'RY', 'RZ'] as const;
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < n; w++) c.op(axes[(l + (w % 5 === 4 ? 1 : 0)) % 3]!, [w], [angle(l, w)]);
    for (let i = 0; i + 1 < n; i++) c.cnot(i, i + 1);
  }
  return c;
}

function norm2(s: StateVector): number {
  let sum = 0;
  for (let i = 0; i < s.re.length; i++) sum += s.re[i]! * s.re[i]! + s.im[i]! * s.im[i]!;
  return sum;
}

describe('tapeApply above BLOCK_BITS (cache-blocked segments)', () => {
  it.each([16, 17])('random circuits over every gate on %i qubits equal the reference engine, from |0…0⟩ and a random state', (n) => {
    for (let seed = 0; seed < 2; seed++) {
      const rng = rngFor('blocked-random-circuit', n, seed);
      const { circuit } = randomCircuit(rng, n, 40);
      expectComplexClose(sim.state(circuit), referenceRun(circuit), ENGINE, `${n} qubits, seed ${seed}: from |0…0⟩`);
      const initialState = randomState(rng, n);
      expectComplexClose(sim.state(circuit, { initialState }), referenceRun(circuit, initialState), ENGINE, `${n} qubits, seed ${seed}: from a random state`);
    }
  });

  it('controls above the block (CNOT, CRX, Toffoli, controlled phase from high wires) act only on the blocks in their subspace', () => {
    const n = 17;
    const rng = rngFor('blocked-high-controls');
    const c = new Circuit(n);
    for (let w = 0; w < n; w++) c.h(w);
    c.cnot(0, n - 1).op('CRX', [1, n - 2], [0.7]).toffoli(0, 2, n - 3).op('ControlledPhaseShift', [0, n - 1], [0.4]);
    c.op('CRZ', [3, 15], [1.1]).op('CRot', [2, 16], [0.3, -0.8, 1.9]).cnot(n - 1, 0);
    const initialState = randomState(rng, n);
    expectComplexClose(sim.state(c, { initialState }), referenceRun(c, initialState), ENGINE, 'high controls');
  });

  it('the reverse pass (inverse = true) undoes the forward pass on 17 qubits', () => {
    const n = 17;
    const rng = rngFor('blocked-reverse');
    const tape = compileTape(randomCircuit(rng, n, 30).circuit);
    const initial = randomState(rng, n);
    const back = runTapeRaw(sim.kernel, tape, runTapeRaw(sim.kernel, tape, initial, false), true);
    expectComplexClose(back, initial, ENGINE, 'U then U† from a random state');
  });
});

describe('deferred cos(θ/2) and paired rotations', () => {
  it.each([9, 16])('layers of RX/RY/RZ on every wire with CNOT chains on %i qubits equal the reference engine, for small, large (|tan θ/2| > 1) and negative angles', (n) => {
    const angles = [(l: number, w: number) => 0.1 + 0.01 * w + 0.2 * l, (l: number, w: number) => 2.5 + 0.1 * w - l, (l: number, w: number) => (w % 2 ? -1 : 1) * (Math.PI - 0.05 * (w + l))];
    angles.forEach((angle, which) => {
      const c = rotationLayers(n, 3, angle);
      expectComplexClose(sim.state(c), referenceRun(c), ENGINE, `${n} qubits, angle family ${which}`);
    });
  });

  it('a long run of rotations folds the owed scalar back before it underflows (unblocked and blocked), keeping the state normalised', () => {
    for (const n of [6, 16]) {
      // cos(0.75) ≈ 0.73 per deferral: the owed scalar would pass 1e-60 after ~440 rotations.
      const c = new Circuit(n);
      for (let r = 0; r < 700; r++) c.rx(1.5, r % n).ry(1.5, (r + 3) % n);
      const state = sim.state(c);
      expect(Math.abs(norm2(state) - 1), `${n} qubits: |ψ|² after 1400 rotations`).toBeLessThan(1e-11);
      const tape = compileTape(c);
      const back = runTapeRaw(sim.kernel, tape, state, true);
      const zero = { re: new Float64Array(1 << n), im: new Float64Array(1 << n) };
      zero.re[0] = 1;
      expectComplexClose(back, zero, 1e-10, `${n} qubits: U then U† restores |0…0⟩`);
    }
    const small = new Circuit(5);
    for (let r = 0; r < 700; r++) small.rx(1.5, r % 5).rz(1.5, (r + 2) % 5);
    expectComplexClose(sim.state(small), referenceRun(small), 1e-10, '5 qubits, 1400 rotations vs the reference engine');
  });
});
