// Property tests (fast-check, fixed seed) of the WebAssembly engine on random
// circuits over every registered gate: norm, inverse, commutation of disjoint
// gates, probabilities, marginals, ⟨Z⟩ vs probabilities, and sampling.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import type { Simulator } from '../../sdk/qnn/simulator.js';
import { circuitArbitrary, disjointOpsArbitrary, fcParams } from '../helpers/arbitraries.js';
import { testSimulator } from '../helpers/engine.js';
import { Random, applyOp, randomState, type RandomOp } from '../helpers/random.js';
import { expectArrayClose, expectClose, expectComplexClose, tolerance } from '../helpers/tolerance.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await testSimulator();
});

const ENGINE = tolerance('engine');

function build(numQubits: number, ops: readonly RandomOp[]): Circuit {
  const c = new Circuit(numQubits);
  ops.forEach((op) => applyOp(c, op));
  return c;
}

describe('engine properties on random circuits', () => {
  it('preserves the norm of a random initial state', () => {
    fc.assert(
      fc.property(circuitArbitrary(), ({ numQubits, ops, stateSeed }) => {
        const { re, im } = sim.state(build(numQubits, ops), { initialState: randomState(new Random(stateSeed), numQubits) });
        let norm = 0;
        for (let i = 0; i < re.length; i++) norm += re[i]! ** 2 + im[i]! ** 2;
        expectClose(norm, 1, ENGINE, 'squared norm');
      }),
      fcParams(100),
    );
  });

  it('restores the initial state when a circuit is followed by circuit.inverse()', () => {
    fc.assert(
      fc.property(circuitArbitrary(), ({ numQubits, ops, stateSeed }) => {
        const circuit = build(numQubits, ops);
        const initialState = randomState(new Random(stateSeed), numQubits);
        const roundTrip = circuit.clone().append(circuit.inverse());
        expect(roundTrip.ops.length).toBe(2 * ops.length);
        expectComplexClose(sim.state(roundTrip, { initialState }), initialState, 1e-11, 'U then U†');
      }),
      fcParams(100),
    );
  });

  it('commutes gates on disjoint wires', () => {
    fc.assert(
      fc.property(disjointOpsArbitrary(), ({ numQubits, first, second, stateSeed }) => {
        const initialState = randomState(new Random(stateSeed), numQubits);
        const ab = sim.state(build(numQubits, [first, second]), { initialState });
        const ba = sim.state(build(numQubits, [second, first]), { initialState });
        expectComplexClose(ab, ba, ENGINE, `${first.name}[${first.wires}] and ${second.name}[${second.wires}]`);
      }),
      fcParams(100),
    );
  });

  it('gives probabilities that sum to 1 and lie in [0, 1]', () => {
    fc.assert(
      fc.property(circuitArbitrary(), ({ numQubits, ops }) => {
        const probs = sim.probs(build(numQubits, ops));
        expect(probs.length).toBe(1 << numQubits);
        expect(probs.every((p) => p >= 0 && p <= 1 + ENGINE)).toBe(true);
        expectClose(probs.reduce((s, p) => s + p, 0), 1, ENGINE, 'sum of probabilities');
      }),
      fcParams(100),
    );
  });

  it('gives probs on a wire subset (in any order) equal to the marginal of the full probs', () => {
    fc.assert(
      fc.property(
        circuitArbitrary().chain((c) =>
          fc.record({
            c: fc.constant(c),
            wires: fc.shuffledSubarray(Array.from({ length: c.numQubits }, (_, i) => i), { minLength: 1 }),
          }),
        ),
        ({ c: { numQubits, ops }, wires }) => {
          const circuit = build(numQubits, ops);
          const full = sim.probs(circuit);
          const marginal = new Float64Array(1 << wires.length);
          full.forEach((p, i) => {
            let outcome = 0;
            for (const w of wires) outcome = (outcome << 1) | ((i >> (numQubits - 1 - w)) & 1);
            marginal[outcome] = marginal[outcome]! + p;
          });
          expectArrayClose(sim.probs(circuit, wires), marginal, ENGINE, `marginal on [${wires}]`);
        },
      ),
      fcParams(100),
    );
  });

  it('gives <Z_w> = 1 − 2·P(wire w = 1) on every wire', () => {
    fc.assert(
      fc.property(circuitArbitrary(), ({ numQubits, ops }) => {
        const circuit = build(numQubits, ops);
        const wires = Array.from({ length: numQubits }, (_, w) => w);
        const z = sim.expval(circuit, wires.map((w) => `Z${w}`));
        wires.forEach((w) => expectClose(z[w]!, 1 - 2 * sim.probs(circuit, [w])[1]!, ENGINE, `<Z${w}>`));
      }),
      fcParams(100),
    );
  });
});

describe('sampling', () => {
  it('gives identical samples for the same seed', () => {
    fc.assert(
      fc.property(circuitArbitrary(4, 8), fc.integer(), ({ numQubits, ops }, seed) => {
        const circuit = build(numQubits, ops);
        expect(sim.sample(circuit, 200, { seed })).toEqual(sim.sample(circuit, 200, { seed }));
      }),
      fcParams(30),
    );
  });

  it('takes the seed as the third argument, per the DESIGN.md contract sample(circuit, shots, seed)', () => {
    const circuit = new Circuit(3).h(0).h(1).h(2);
    // A numeric third argument must not be ignored (it currently falls back to seed 0 silently).
    const bySeed = (seed: number): Int32Array => sim.sample(circuit, 64, seed as never);
    expect(bySeed(1)).toEqual(sim.sample(circuit, 64, { seed: 1 }));
    expect(bySeed(1)).not.toEqual(bySeed(2));
  });

  it('draws 10^4 shots whose frequencies lie within 4 binomial standard deviations of probs', () => {
    const shots = 10_000;
    fc.assert(
      fc.property(
        circuitArbitrary(4, 10).chain((c) =>
          fc.record({
            c: fc.constant(c),
            seed: fc.integer(),
            wires: fc.option(fc.shuffledSubarray(Array.from({ length: c.numQubits }, (_, i) => i), { minLength: 1 }), { nil: undefined }),
          }),
        ),
        ({ c: { numQubits, ops }, seed, wires }) => {
          const circuit = build(numQubits, ops);
          const probs = sim.probs(circuit, wires);
          const samples = sim.sample(circuit, shots, { seed, ...(wires ? { wires } : {}) });
          expect(samples.length).toBe(shots);
          const counts = new Float64Array(probs.length);
          let outOfRange = 0;
          for (const s of samples) {
            if (s >= 0 && s < probs.length) counts[s]!++;
            else outOfRange++;
          }
          expect(outOfRange, 'outcomes outside 0..2^k−1').toBe(0);
          probs.forEach((p, i) => {
            const sigma = Math.sqrt(shots * p * (1 - p));
            // +1 shot of slack: the normal bound is meaningless for outcomes with N·p ≪ 1.
            const bound = 4 * sigma + 1;
            expect(Math.abs(counts[i]! - shots * p), `outcome ${i}: ${counts[i]} shots, expected ${shots * p} ± ${bound}`).toBeLessThanOrEqual(bound);
          });
        },
      ),
      fcParams(25),
    );
  });
});
