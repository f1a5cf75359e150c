// DESIGN.md's layering of sdk/, checked by dependency-cruiser with
// .dependency-cruiser.cjs (the same two passes as `npm run lint:layers`),
// plus proof that every rule fires, on the fixtures in test/fixtures/layering/.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'layering');

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string; severity: 'error' | 'warn' | 'info' };
  via?: Array<{ name: string }>;
  cycle?: Array<{ name: string }>;
}

type Pass = 'layers' | 'static-entry';

/** Runs depcruise in `cwd` on the folders that exist there; returns every violation. */
function cruise(cwd: string, pass: Pass): Promise<Violation[]> {
  const targets = ['sdk', 'demos'].filter((dir) => existsSync(join(cwd, dir)));
  const env = { ...process.env };
  if (pass === 'static-entry') env.QDISTILL_LAYERS = 'static-entry';
  else delete env.QDISTILL_LAYERS;
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [DEPCRUISE, ...targets, '--config', CONFIG, '--output-type', 'json'],
      { cwd, env, maxBuffer: 64 << 20, timeout: 60_000 },
      (error, stdout, stderr) => {
        // depcruise exits non-zero when it finds errors: the JSON is still there.
        try {
          const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
          resolvePromise(result.summary.violations);
        } catch {
          reject(new Error(`dependency-cruiser did not produce a report (${error?.message ?? 'no error'}):\n${stderr}\n${stdout.slice(0, 2000)}`));
        }
      },
    );
  });
}

const describeViolation = (v: Violation): string => {
  const chain = v.via?.length ? ` (via ${v.via.map((step) => step.name).join(' → ')})` : '';
  const cycle = v.cycle?.length ? ` (cycle ${v.cycle.map((step) => step.name).join(' → ')})` : '';
  return `${v.rule.name}: ${v.from} → ${v.to}${chain}${cycle}`;
};

const errorsOf = (violations: Violation[]): string[] =>
  violations
    .filter((v) => v.rule.severity === 'error')
    .map(describeViolation)
    .sort();

const RULE_HELP =
  'See the layer table at the top of .dependency-cruiser.cjs (DESIGN.md "Layout"); ' +
  'move the code to a layer that may import it, or load node-only/heavy modules with a dynamic import().';

// The four cruises take ~1–2.5 s each: start them together.
const runs = new Map<string, Promise<Violation[]>>();
function cruiseOnce(where: 'repo' | 'fixtures', pass: Pass): Promise<Violation[]> {
  const key = `${where}:${pass}`;
  let run = runs.get(key);
  if (!run) {
    run = cruise(where === 'repo' ? ROOT : FIXTURES, pass);
    run.catch(() => undefined); // awaited (and reported) by its test
    runs.set(key, run);
  }
  return run;
}
beforeAll(() => {
  for (const where of ['repo', 'fixtures'] as const) for (const pass of ['layers', 'static-entry'] as const) void cruiseOnce(where, pass);
});

describe('layering of sdk/ (npm run lint:layers)', () => {
  it('every import in sdk/ and demos/ follows the layer table', async () => {
    const errors = errorsOf(await cruiseOnce('repo', 'layers'));
    expect(errors, `${errors.length} layering violation(s):\n  ${errors.join('\n  ')}\n${RULE_HELP}`).toEqual([]);
  });

  it('no chain of static imports from sdk/index.ts reaches comlink, onnxruntime-web or Node builtins', async () => {
    const errors = errorsOf(await cruiseOnce('repo', 'static-entry'));
    expect(errors, `${errors.length} violation(s):\n  ${errors.join('\n  ')}\n${RULE_HELP}`).toEqual([]);
  });
});

describe('the layering rules fire on deliberate violations (test/fixtures/layering)', () => {
  const n = (p: string): string => p.replace(/^(?:\.\.\/)+node_modules\//, 'node_modules/');
  const simplify = (violations: Violation[]): string[] =>
    errorsOf(violations.map((v) => ({ ...v, to: n(v.to), ...(v.via ? { via: v.via.map((s) => ({ name: n(s.name) })) } : {}) })));

  it('reports exactly the bad imports, each under the rule its file names', async () => {
    const violations = await cruiseOnce('fixtures', 'layers');
    expect(simplify(violations)).toEqual(
      [
        'circuit-layer: sdk/circuit/bad.ts → sdk/kernel/kernel.ts',
        'cli-imports-public-entry-only: sdk/cli/bad.ts → sdk/qnn/layer.ts',
        'comlink-only-in-workers: sdk/qnn/bad-comlink.ts → node_modules/comlink/dist/esm/comlink.mjs',
        'data-layer: sdk/data/bad.ts → sdk/teachers/onnx.ts',
        'demos-import-public-entry-only: demos/01-example/bad.ts → sdk/kernel/kernel.ts',
        'distill-layer: sdk/distill/bad.ts → sdk/cli/main.ts',
        'errors-imports-nothing: sdk/errors.ts → sdk/util/types.ts',
        'isomorphic-code-loads-node-modules-dynamically: sdk/data/loader.ts → sdk/data/node/read-idx.ts',
        'isomorphic-code-loads-node-modules-dynamically: sdk/distill/bad.ts → sdk/cli/main.ts',
        'isomorphic-code-loads-node-modules-dynamically: sdk/kernel/bad-static-node.ts → sdk/kernel/node/fs-loader.ts',
        'kernel-layer: sdk/kernel/bad.ts → sdk/circuit/circuit.ts',
        'nn-layer: sdk/nn/bad.ts → sdk/qnn/layer.ts',
        'no-unresolvable-imports: sdk/qnn/bad-unresolved.ts → ./does-not-exist.js',
        'node-builtins-only-in-node-modules: sdk/nn/bad-fs.ts → fs',
        'node-builtins-only-in-node-modules: sdk/nn/bad-fs.ts → zlib',
        'nothing-imports-cli: sdk/distill/bad.ts → sdk/cli/main.ts',
        'nothing-imports-demos: sdk/kernel/bad-demo.ts → demos/01-example/main.ts',
        'onnxruntime-only-in-teachers: sdk/data/bad-onnx.ts → node_modules/onnxruntime-web/dist/ort.bundle.min.mjs',
        'qnn-layer: sdk/qnn/bad.ts → sdk/distill/kd.ts',
        'teachers-layer: sdk/teachers/bad.ts → sdk/distill/kd.ts',
        'unknown-sdk-folder: sdk/extra/thing.ts → sdk/errors.ts',
        'util-layer: sdk/util/bad.ts → sdk/kernel/kernel.ts',
        'workers-layer: sdk/workers/bad.ts → sdk/data/ok.ts',
      ].sort(),
    );
    // Every layering rule of the config is exercised by some fixture.
    const fired = new Set(violations.map((v) => v.rule.name));
    const { forbidden } = (await import(/* @vite-ignore */ CONFIG)).default as { forbidden: Array<{ name: string }> };
    expect(forbidden.map((r) => r.name).filter((name) => !fired.has(name))).toEqual([]);
  });

  it('reports static chains from the public entry to comlink and to Node builtins, but not dynamic imports', async () => {
    expect(simplify(await cruiseOnce('fixtures', 'static-entry'))).toEqual(
      [
        'public-entry-never-statically-reaches-heavy-packages: sdk/index.ts → node_modules/comlink/dist/esm/comlink.mjs' +
          ' (via sdk/workers/pool.ts → node_modules/comlink/dist/esm/comlink.mjs)',
        'public-entry-never-statically-reaches-node-builtins: sdk/index.ts → fs (via sdk/data/loader.ts → sdk/data/node/read-idx.ts → fs)',
        'public-entry-never-statically-reaches-node-builtins: sdk/index.ts → sdk/data/node/read-idx.ts' +
          ' (via sdk/data/loader.ts → sdk/data/node/read-idx.ts)',
      ].sort(),
    );
  });
});
