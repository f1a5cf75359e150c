// Text drawing (sdk/circuit/draw.ts) against literal expected drawings.
import { describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { drawCircuit } from '../../sdk/circuit/draw.js';
import { input, weight } from '../../sdk/circuit/params.js';
import { amplitudeEmbedding } from '../../sdk/circuit/templates.js';
import { isQDistillError } from '../../sdk/errors.js';

describe('drawCircuit', () => {
  it('draws a Bell circuit with a rotation: one line per wire, ● control, ⊕ target, 2 decimals', () => {
    const c = new Circuit(2).h(0).cnot(0, 1).rx(0.3, 1);
    expect(drawCircuit(c)).toBe(['0: ─H─╭●──────────┤', '1: ───╰⊕─RX(0.30)─┤'].join('\n'));
  });

  it('packs gates into layers, draws crossings, adjoints, symbolic parameters and multi-wire boxes', () => {
    const c = new Circuit(4)
      .h(0)
      .cnot(0, 3)
      .rx(weight(0), 1)
      .toffoli(0, 1, 2)
      .op('CRot', [3, 1], [0.1, 0.2, 0.3])
      .op('RY', [2], [input(1, Math.PI, -0.1)], { inverse: true })
      .swap(0, 1)
      .multiRZ(0.5, [0, 2]);
    expect(drawCircuit(c)).toBe(
      [
        '0: ─H─╭●────────╭●──────────────────────╭SWAP─────────────╭MultiRZ(0.50)─┤',
        '1: ───│──RX(w0)─├●─╭Rot(0.10,0.20,0.30)─╰SWAP─────────────│──────────────┤',
        '2: ───│─────────╰⊕─│────────────────────RY(3.14·x1-0.10)†─╰MultiRZ(0.50)─┤',
        '3: ───╰⊕───────────╰●────────────────────────────────────────────────────┤',
      ].join('\n'),
    );
  });

  it('draws the state preparation as the first box and honours decimals', () => {
    const c = amplitudeEmbedding(new Circuit(2), { inputs: 4 }).cz(0, 1).op('PhaseShift', [1], [Math.PI]);
    expect(drawCircuit(c, { decimals: 3 })).toBe(
      ['0: ─╭AmplitudeEmbedding(x0..x3)─╭●───────────┤', '1: ─╰AmplitudeEmbedding(x0..x3)─╰Z─Rϕ(3.142)─┤'].join('\n'),
    );
  });

  it('right-aligns wire numbers past 9 wires and draws an empty circuit', () => {
    const lines = drawCircuit(new Circuit(11).x(10)).split('\n');
    expect(lines[0]).toBe(' 0: ───┤');
    expect(lines[10]).toBe('10: ─X─┤');
    expect(drawCircuit(new Circuit(1))).toBe('0: ─┤');
  });

  it('rejects a bad decimals option with E_INVALID_ARGUMENT', () => {
    try {
      drawCircuit(new Circuit(1), { decimals: -1 });
      expect.unreachable();
    } catch (e) {
      expect(isQDistillError(e) && e.code).toBe('E_INVALID_ARGUMENT');
      expect((e as Error).message).toBe('drawCircuit: decimals must be an integer in 0..10, got -1');
    }
  });
});
