// Golden tests: every case of every fixture file generated with PennyLane
// (test/fixtures/golden, or QDISTILL_GOLDEN_DIR from the repository root).
// The harness in test/helpers/golden.ts dispatches on each case's fields, so a
// new case with a known schema is covered with no change here, and a case it
// does not understand fails with the fields it could not place.
import { tmpdir } from 'node:os';
import { relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sdk/qnn/simulator.js';
import { testSimulator } from '../helpers/engine.js';
import { REPO_ROOT, classifyCase, goldenDir, loadGoldenFiles, runGoldenCase, type GoldenCase } from '../helpers/golden.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await testSimulator();
});

const files = loadGoldenFiles();

describe(`golden fixtures in ${goldenDir()}`, () => {
  it('has the gate, observable and template fixtures the engine suite checks', () => {
    const names = files.map((f) => f.file);
    for (const required of ['gates.json', 'observables.json', 'templates.json']) expect(names).toContain(required);
  });

  for (const { file, header, cases } of files) {
    describe(`${file} (PennyLane ${String(header.pennylane_version ?? 'n/a')})`, () => {
      it('uses the big-endian wire convention (wire 0 = most significant bit)', () => {
        if (header.convention !== undefined) expect(String(header.convention)).toMatch(/wire 0 is the MOST significant bit/);
      });
      for (const raw of cases) {
        let title: string;
        try {
          title = `${raw.name}: ${classifyCase(raw, file).behaviour}`;
        } catch {
          title = `${raw.name}: is understood by the golden harness`;
        }
        it(title, () => {
          runGoldenCase(file, raw, { sim });
        });
      }
    });
  }
});

describe('the golden harness', () => {
  it('resolves QDISTILL_GOLDEN_DIR from the repository root, not the working directory', () => {
    const saved = { env: process.env.QDISTILL_GOLDEN_DIR, cwd: process.cwd() };
    try {
      process.env.QDISTILL_GOLDEN_DIR = relative(REPO_ROOT, goldenDir());
      process.chdir(tmpdir());
      expect(goldenDir()).toBe(resolve(REPO_ROOT, process.env.QDISTILL_GOLDEN_DIR));
      process.env.QDISTILL_GOLDEN_DIR = 'no/such/fixtures';
      expect(() => goldenDir()).toThrow(/no\/such\/fixtures does not exist/);
    } finally {
      process.chdir(saved.cwd);
      if (saved.env === undefined) delete process.env.QDISTILL_GOLDEN_DIR;
      else process.env.QDISTILL_GOLDEN_DIR = saved.env;
    }
  });

  const gateCase = (): GoldenCase => structuredClone(files.find((f) => f.file === 'gates.json')!.cases[0]!);
  const obsCase = (): GoldenCase => structuredClone(files.find((f) => f.file === 'observables.json')!.cases[0]!);
  const templateCase = (): GoldenCase => structuredClone(files.find((f) => f.file === 'templates.json')!.cases[0]!);

  it('fails a case no handler recognises, naming its fields', () => {
    const raw = { name: 'mystery', n_wires: 1, inputs: { foo: 1 }, outputs: { bar: 2 } };
    expect(() => runGoldenCase('x.json', raw, { sim })).toThrow(/no handler for a case with fields name, n_wires, inputs\{foo\}, outputs\{bar\}/);
  });

  it('fails a case with a field it does not read instead of ignoring it', () => {
    const raw = gateCase() as GoldenCase & { outputs: Record<string, unknown> };
    raw.outputs.new_quantity = 1;
    expect(() => runGoldenCase('gates.json', raw, { sim })).toThrow(/unknown field\(s\) "new_quantity"/);
    const top = { ...gateCase(), extra_top: true };
    expect(() => runGoldenCase('gates.json', top, { sim })).toThrow(/unknown field\(s\) "extra_top"/);
  });

  it('fails an unknown measurement or observable type', () => {
    const m = obsCase() as GoldenCase & { inputs: Record<string, unknown> };
    m.inputs.measurement = 'sample';
    expect(() => runGoldenCase('observables.json', m, { sim })).toThrow(/unknown measurement "sample"/);
    const o = obsCase() as GoldenCase & { inputs: { observable: Record<string, unknown> } };
    o.inputs.observable.type = 'tensor_sum';
    expect(() => runGoldenCase('observables.json', o, { sim })).toThrow(/unknown observable type "tensor_sum"/);
  });

  it('fails an unknown template part or option', () => {
    const t = templateCase() as GoldenCase & { template: string; inputs: Record<string, Record<string, unknown>> };
    t.template = `${t.template}+QAOAEmbedding`;
    expect(() => runGoldenCase('templates.json', t, { sim })).toThrow(/unknown template part\(s\) QAOAEmbedding/);
    const o = templateCase() as GoldenCase & { inputs: Record<string, Record<string, unknown>> };
    o.inputs.sel!.new_option = 3;
    expect(() => runGoldenCase('templates.json', o, { sim })).toThrow(/inputs\.sel: unknown field\(s\) "new_option"/);
  });

  it('fails when a recorded value disagrees with the engine', () => {
    const raw = gateCase() as GoldenCase & { outputs: { state: { re: number[] } } };
    raw.outputs.state.re[0] = raw.outputs.state.re[0]! + 1e-6;
    expect(() => runGoldenCase('gates.json', raw, { sim })).toThrow(/engine state: entry 0/);
  });
});
