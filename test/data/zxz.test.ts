// The ZXZ (cluster-Ising) quantum dataset of paper 002: every Hamiltonian-
// spectrum case (outputs.ground_energy) of every golden file (zxz.json: exact
// diagonalisation), read generically; the
// near-degenerate edge-mode splitting; labels; seeded datasets at n = 7 and 15.
import { beforeAll, describe, expect, it } from 'vitest';
import { PauliSumOperator } from '../../sdk/data/hamiltonian.js';
import { lanczos } from '../../sdk/data/lanczos.js';
import {
  zxzDataset,
  zxzGroundState,
  zxzHamiltonian,
  zxzStringOrderOperator,
  zxzSymmetryMasks,
} from '../../sdk/data/zxz.js';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { loadGoldenFiles } from '../helpers/golden.js';
import { expectRejects } from './helpers.js';

interface GoldenCase {
  name: string;
  n_wires: number;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  [key: string]: unknown;
}

/** Every file's Hamiltonian-spectrum cases (the engine's golden harness defers them here), with the file's header. */
const spectra = loadGoldenFiles()
  .map(({ file, header, cases }) => ({
    file,
    stringOrderOperator: header.string_order_operator as string | undefined,
    cases: (cases as unknown as GoldenCase[]).filter((c) => typeof c.outputs === 'object' && c.outputs !== null && 'ground_energy' in c.outputs),
  }))
  .filter((f) => f.cases.length > 0);
const golden = { cases: spectra.flatMap((f) => f.cases) };

const KNOWN_INPUTS = new Set(['J', 'h1', 'h2', 'boundary']);
const KNOWN_OUTPUTS = new Set(['ground_energy', 'first_gap', 'lowest_energies', 'string_order', 'string_order_ground_state']);

let kernel: Kernel;
beforeAll(async () => {
  kernel = await createKernel();
});

describe('ZXZ golden file', () => {
  it('has cases, every one with only fields this suite understands', () => {
    expect(golden.cases.length).toBeGreaterThan(0);
    for (const c of golden.cases) {
      expect(Object.keys(c).sort(), c.name).toEqual(['inputs', 'n_wires', 'name', 'outputs']);
      for (const k of Object.keys(c.inputs)) expect(KNOWN_INPUTS.has(k), `${c.name}: unknown input "${k}"`).toBe(true);
      for (const k of Object.keys(c.outputs)) expect(KNOWN_OUTPUTS.has(k), `${c.name}: unknown output "${k}"`).toBe(true);
      expect(c.inputs.boundary ?? 'open', `${c.name}: only open boundaries are implemented`).toBe('open');
    }
  });

  it('uses the same string order operator as the file header', () => {
    for (const f of spectra) {
      if (!f.cases.some((c) => 'string_order' in c.outputs)) continue;
      const match = /S = ((?:[IXYZ]_\d+\s*)+)/.exec(f.stringOrderOperator ?? '');
      expect(match, `${f.file}: header string_order_operator names S`).not.toBeNull();
      const tokens = match![1]!.trim().split(/\s+/).filter((t) => !t.startsWith('I'));
      const n = Math.max(...tokens.map((t) => Number(t.split('_')[1]))) + 1;
      expect(zxzStringOrderOperator(n).word(0)).toBe(tokens.map((t) => t.replace('_', '')).join(' '));
    }
  });

  for (const c of golden.cases) {
    it(`${c.name}: ground energy, first gap, lowest energies and string order match exact diagonalisation`, async () => {
      const n = c.n_wires;
      const { J, h1, h2 } = c.inputs as { J?: number; h1: number; h2?: number };
      const out = c.outputs as {
        ground_energy: number;
        first_gap: number;
        lowest_energies?: number[];
        string_order?: number;
        string_order_ground_state?: string;
      };
      const numEnergies = Math.max(2, out.lowest_energies?.length ?? 0);
      const g = await zxzGroundState(n, { h1, h2: h2 ?? 0, J: J ?? 1 }, { kernel, numEnergies, tolerance: 1e-11 });
      expect(Math.abs(g.energies[0]! - out.ground_energy), 'ground energy').toBeLessThan(1e-8);
      expect(Math.abs(g.gap! - out.first_gap), 'first gap').toBeLessThan(1e-8);
      (out.lowest_energies ?? []).forEach((e, i) => expect(Math.abs(g.energies[i]! - e), `lowest energy ${i}`).toBeLessThan(1e-8));
      if (out.string_order !== undefined) expect(Math.abs(g.stringOrder - out.string_order), 'string order').toBeLessThan(1e-6);
      if (out.string_order_ground_state !== undefined) {
        // The file states whether its ground state is unique; ours must agree.
        expect(g.degenerate, out.string_order_ground_state).toBe(!/unique/.test(out.string_order_ground_state));
      }
      // The state is normalised and has the reported energy.
      const op = await PauliSumOperator.create(zxzHamiltonian(n, { h1, h2: h2 ?? 0, J: J ?? 1 }), { kernel });
      const norm = g.state.re.reduce((a, v, j) => a + v * v + g.state.im[j]! ** 2, 0);
      expect(Math.abs(norm - 1)).toBeLessThan(1e-12);
      expect(Math.abs(op.expectation(g.state) - g.energies[0]!)).toBeLessThan(1e-9);
      op.dispose();
    });
  }

  it('resolves the two lowest levels in the full space too (no symmetry sectors, tight tolerance), even at the smallest golden gap', async () => {
    const c = [...golden.cases].sort((a, b) => (a.outputs.first_gap as number) - (b.outputs.first_gap as number))[0]!;
    const { J, h1, h2 } = c.inputs as { J?: number; h1: number; h2?: number };
    const op = await PauliSumOperator.create(zxzHamiltonian(c.n_wires, { h1, h2: h2 ?? 0, J: J ?? 1 }), { kernel });
    const stringOp = await PauliSumOperator.create(zxzStringOrderOperator(c.n_wires), { kernel });
    const result = lanczos(op, { numEigenpairs: 2, tolerance: 1e-11, exhaustBelow: 0, seed: 3 });
    expect(result.exhausted, 'converged by residuals, not by spanning the space').toBe(false);
    expect(Math.abs(result.eigenvalues[0]! - (c.outputs.ground_energy as number))).toBeLessThan(1e-8);
    expect(Math.abs(result.eigenvalues[1]! - result.eigenvalues[0]! - (c.outputs.first_gap as number))).toBeLessThan(1e-8);
    if (c.outputs.string_order !== undefined) {
      expect(Math.abs(stringOp.expectation(result.eigenvectors[0]!) - (c.outputs.string_order as number))).toBeLessThan(1e-6);
    }
    op.dispose();
    stringOp.dispose();
  });
});

describe('ZXZ ground states', () => {
  it('commute with both sublattice flips, so each sector is exact; the ground state carries its sector', async () => {
    const n = 7;
    const [even, odd] = zxzSymmetryMasks(n);
    expect(even.toString(2)).toBe('1010101');
    expect(odd.toString(2)).toBe('101010');
    const h = zxzHamiltonian(n, { h1: 0.7, h2: -0.4 });
    expect(h.commutesWithFlip(even) && h.commutesWithFlip(odd)).toBe(true);
    const g = await zxzGroundState(n, { h1: 0.7, h2: -0.4 }, { kernel });
    const [pe, po] = g.sector;
    for (let j = 0; j < 2 ** n; j++) {
      expect(g.state.re[j ^ even]).toBeCloseTo(pe * g.state.re[j]!, 12);
      expect(g.state.re[j ^ odd]).toBeCloseTo(po * g.state.re[j]!, 12);
    }
  });

  it('flags an exactly degenerate ground level (h1 = h2 = 0: four edge-mode states) and breaks the tie by sector order', async () => {
    const g = await zxzGroundState(7, { h1: 0, h2: 0 }, { kernel });
    expect(g.degenerate).toBe(true);
    expect(g.sector).toEqual([1, 1]);
    expect(g.energies[0]).toBeCloseTo(-5, 10); // −(n−2) stabilisers
    expect(Math.abs(g.gap!)).toBeLessThan(1e-9);
  });

  it('resolves a 2e−8 edge-mode splitting at 15 qubits (h1 = 0.1) and reports a unique ground state', async () => {
    const g = await zxzGroundState(15, { h1: 0.1 }, { kernel });
    expect(g.degenerate).toBe(false);
    // Splitting ≈ 2·h1^((n+1)/2) = 2e−8 (2e−4 at n = 7 in the golden file).
    expect(g.gap!).toBeGreaterThan(1e-8);
    expect(g.gap!).toBeLessThan(4e-8);
    expect(g.stringOrder).toBeGreaterThan(0.98);
  }, 30_000);

  it('rejects bad sizes and parameters with typed errors', async () => {
    await expectRejects(zxzGroundState(2, { h1: 0.5 }), 'E_INVALID_ARGUMENT', /numQubits/);
    await expectRejects(zxzGroundState(7, { h1: Number.NaN }), 'E_NON_FINITE', /h1/);
    await expectRejects(zxzGroundState(7, { h1: 0.5 }, { kernel, numEnergies: 0 }), 'E_INVALID_ARGUMENT', /numEnergies/);
  });
});

describe('ZXZ dataset', () => {
  it('labels SPT (1) for h1/J < 1 and paramagnetic (0) above on an h2 = 0 grid, and the string-order rule agrees there', async () => {
    const sampling = { kind: 'grid', h1: [0.1, 1.9, 10] } as const;
    const byField = await zxzDataset({ numQubits: 7, sampling, kernel });
    expect(byField.labelRule).toBe('h1');
    expect(Array.from(byField.y)).toEqual(byField.params.map((p) => (p.h1 < 1 ? 1 : 0)));
    expect(byField.classNames).toEqual(['paramagnetic', 'SPT']);
    const byOrder = await zxzDataset({ numQubits: 7, sampling, kernel, labelRule: 'stringOrder' });
    expect(Array.from(byOrder.y)).toEqual(Array.from(byField.y));
    const critical = await zxzGroundState(7, { h1: 1 }, { kernel, numEnergies: 1 });
    expect(byOrder.stringOrderThreshold).toBeCloseTo(Math.abs(critical.stringOrder), 12);
    // The string order decreases along the h2 = 0 line (the rule relies on it).
    for (let i = 1; i < 10; i++) expect(byField.stringOrders[i]!).toBeLessThan(byField.stringOrders[i - 1]!);
  });

  it('labels by the string order when h2 varies, with states as {re, im} per sample', async () => {
    const ds = await zxzDataset({ numQubits: 7, sampling: { kind: 'grid', h1: [0.2, 1.6, 3], h2: [-0.5, 0.5, 2] }, kernel, numEnergies: 2 });
    expect(ds.labelRule).toBe('stringOrder');
    expect(ds.params.length).toBe(6);
    expect(ds.gaps?.length).toBe(6);
    ds.states.forEach((s, i) => {
      expect(s.re).toBeInstanceOf(Float64Array);
      expect(s.im.length).toBe(128);
      expect(ds.y[i]).toBe(Math.abs(ds.stringOrders[i]!) > ds.stringOrderThreshold! ? 1 : 0);
    });
    await expectRejects(
      zxzDataset({ numQubits: 7, sampling: { kind: 'points', points: [{ h1: 0.5, h2: 0.3 }] }, labelRule: 'h1', kernel }),
      'E_INVALID_ARGUMENT',
      /only defined for h2 = 0/,
    );
  });

  it('draws the same random fields and states for the same seed at 15 qubits, and different ones for another seed', async () => {
    const options = { numQubits: 15, sampling: { kind: 'random', count: 2, seed: 4, h1: [0, 2] }, kernel } as const;
    const a = await zxzDataset(options);
    const b = await zxzDataset(options);
    const c = await zxzDataset({ ...options, sampling: { ...options.sampling, seed: 5 } });
    expect(a.params).toEqual(b.params);
    expect(a.states[0]!.re).toEqual(b.states[0]!.re);
    expect(a.params).not.toEqual(c.params);
    expect(a.states[0]!.re.length).toBe(2 ** 15);
    const op = await PauliSumOperator.create(zxzHamiltonian(15, a.params[1]!), { kernel });
    expect(Math.abs(op.expectation(a.states[1]!) - a.energies[1]!)).toBeLessThan(1e-9);
    op.dispose();
  }, 60_000);
});
