/**
 * fast-check arbitraries over the gate registry (a new gate is generated with
 * no change here) and the suite's fast-check settings: a FIXED seed
 * (`QDISTILL_FC_SEED` overrides it to explore) so runs are reproducible.
 */
import fc from 'fast-check';
import { listGates, type GateDefinition } from '../../sdk/circuit/gates.js';
import { MAX_RANDOM_GATE_WIRES, Random, randomUnitary, wireCounts, type RandomOp } from './random.js';

/** Parameters for `fc.assert`: a fixed seed and a modest number of runs. */
export function fcParams(numRuns = 60): { seed: number; numRuns: number } {
  const seed = Number(process.env.QDISTILL_FC_SEED ?? 20_260_101);
  return { seed, numRuns };
}

const ANGLE = fc.double({ min: -2 * Math.PI, max: 2 * Math.PI, noNaN: true });

/** One application of `gate` on `k` of the wires `pool` (order random). */
function opOn(gate: GateDefinition, pool: readonly number[], k: number): fc.Arbitrary<RandomOp> {
  return fc
    .record({
      wires: fc.shuffledSubarray([...pool], { minLength: k, maxLength: k }),
      params: fc.array(ANGLE, { minLength: gate.params.length, maxLength: gate.params.length }),
      unitarySeed: fc.integer(),
      inverse: fc.boolean(),
    })
    .map(({ wires, params, unitarySeed, inverse }) => ({
      name: gate.name,
      wires,
      params: gate.matrixParam ? randomUnitary(new Random(unitarySeed), 1 << k) : params,
      inverse,
    }));
}

/** Any registered gate that fits, on wires drawn from `pool`. */
export function opArbitrary(pool: readonly number[]): fc.Arbitrary<RandomOp> {
  const choices: Array<[GateDefinition, number]> = [];
  for (const gate of listGates()) {
    for (const k of wireCounts(gate, Math.min(pool.length, MAX_RANDOM_GATE_WIRES))) choices.push([gate, k]);
  }
  return fc.constantFrom(...choices).chain(([gate, k]) => opOn(gate, pool, k));
}

/** A register size in [1, maxQubits] with a list of random ops and a seed for a random initial state. */
export function circuitArbitrary(maxQubits = 6, maxDepth = 14): fc.Arbitrary<{ numQubits: number; ops: RandomOp[]; stateSeed: number }> {
  return fc.integer({ min: 1, max: maxQubits }).chain((numQubits) =>
    fc.record({
      numQubits: fc.constant(numQubits),
      ops: fc.array(opArbitrary(Array.from({ length: numQubits }, (_, i) => i)), { maxLength: maxDepth }),
      stateSeed: fc.integer(),
    }),
  );
}

/** Two ops on disjoint wire sets of one register of 2..maxQubits qubits. */
export function disjointOpsArbitrary(maxQubits = 6): fc.Arbitrary<{ numQubits: number; first: RandomOp; second: RandomOp; stateSeed: number }> {
  return fc
    .integer({ min: 2, max: maxQubits })
    .chain((numQubits) => {
      const all = Array.from({ length: numQubits }, (_, i) => i);
      return fc.tuple(fc.constant(numQubits), fc.shuffledSubarray(all, { minLength: numQubits, maxLength: numQubits }), fc.integer({ min: 1, max: numQubits - 1 }));
    })
    .chain(([numQubits, order, split]) =>
      fc.record({
        numQubits: fc.constant(numQubits),
        first: opArbitrary(order.slice(0, split)),
        second: opArbitrary(order.slice(split)),
        stateSeed: fc.integer(),
      }),
    );
}
