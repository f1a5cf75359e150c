// Simulator.sampleBits: the draws of sample() in PennyLane's shape
// (qml.sample(): shots × wires, first wire first), and outcomesToBits.
import { describe, expect, it } from 'vitest';
import { Circuit, createSimulator, outcomesToBits } from '../../sdk/index.js';
import { expectQDistillErrorValue, thrownBy } from '../helpers/errors.js';

describe('sampleBits', () => {
  it('gives the same draws as sample, as one row of bits per shot, first listed wire first', async () => {
    const sim = await createSimulator();
    const c = new Circuit(3).h(0).cnot(0, 1).x(2); // (|00⟩ + |11⟩)/√2 ⊗ |1⟩
    const indices = sim.sample(c, 50, { seed: 4 });
    const bits = sim.sampleBits(c, 50, { seed: 4 });
    expect(bits).toHaveLength(50);
    bits.forEach((row, s) => {
      expect(row).toBeInstanceOf(Uint8Array);
      expect(Array.from(row)).toEqual([(indices[s]! >> 2) & 1, (indices[s]! >> 1) & 1, indices[s]! & 1]);
      expect(row[0]).toBe(row[1]); // Bell pair
      expect(row[2]).toBe(1);
    });
    expect(new Set(bits.map((r) => r[0])).size).toBe(2);
    // a subset of wires, in the order listed
    const sub = sim.sampleBits(c, 20, { seed: 4, wires: [2, 0] });
    expect(sub.every((r) => r.length === 2 && r[0] === 1)).toBe(true);
  });

  it('outcomesToBits converts indices and refuses what does not fit', () => {
    expect(outcomesToBits(new Int32Array([3, 0, 2]), 2).map((r) => Array.from(r))).toEqual([[1, 1], [0, 0], [1, 0]]);
    expectQDistillErrorValue(thrownBy(() => outcomesToBits([4], 2)), 'E_INVALID_ARGUMENT', 'outcome 4 at index 0 is outside 0..3 for 2 wires');
    expectQDistillErrorValue(thrownBy(() => outcomesToBits([0], 0)), 'E_INVALID_ARGUMENT', 'numWires must be an integer in 1..30, got 0');
  });

  it('rejects bad shot counts like sample does (E_SHOTS)', async () => {
    const sim = await createSimulator();
    expectQDistillErrorValue(thrownBy(() => sim.sampleBits(new Circuit(1), 0)), 'E_SHOTS', 'shots must be a positive integer, got 0');
  });
});
