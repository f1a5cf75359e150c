#!/usr/bin/env node
// `npm test`: builds the engine and the browser bundle, runs every vitest suite
// (Node and the Chromium parity tests) — the fixture suites a second time on
// ../shared when it exists — and ends with a plain summary line
// `N passed, N failed` that CI reads (a test file that fails to load counts
// as a failure, and the line says its tests did not run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countReport } from './test-count.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  return r.status ?? 1;
};

for (const script of ['build:wasm', 'build:browser', 'build:studio']) {
  if (run('npm', ['run', '--silent', script]) !== 0) {
    console.log(`build step ${script} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

mkdirSync(join(root, 'test-results'), { recursive: true });

/** One vitest run with the JSON reporter, counted by countReport (scripts/test-count.mjs). */
function vitest(label, args, env = {}) {
  const out = join(root, 'test-results', `vitest${label ? `-${label}` : ''}.json`);
  rmSync(out, { force: true });
  const r = spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const status = r.status ?? 1;
  const result = { status, passed: 0, failed: 0, skipped: 0, unloaded: [] };
  if (!existsSync(out)) {
    result.failed = 1;
    return result;
  }
  Object.assign(result, countReport(JSON.parse(readFileSync(out, 'utf8')), root));
  if (status !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

const extra = process.argv.slice(2);
const runs = [vitest('', extra)];

// The suites that read fixtures made outside qdistill run on the copies in
// test/fixtures; when ../shared is beside the repository (QDISTILL_SHARED_DIR
// overrides), they run a second time on it — the PennyLane files and the
// PyTorch exports with the AlexNets the repository does not carry. Only for a
// whole-suite run (no file filter given).
const GOLDEN_SUITES = ['test/circuit/golden.test.ts', 'test/data/zxz.test.ts', 'test/qnn/golden-gradients.test.ts', 'test/qnn/golden-readouts.test.ts'];
const TEACHER_SUITES = ['test/teachers/shared-teachers.test.ts', 'test/teachers/ensemble.test.ts', 'test/nn/zoo.test.ts', 'test/data/canonical.test.ts'];
const shared = resolve(root, process.env.QDISTILL_SHARED_DIR ?? join('..', 'shared'));
const sharedEnv = {};
const sharedSuites = [];
if (existsSync(join(shared, 'golden'))) {
  sharedEnv.QDISTILL_GOLDEN_DIR = join(shared, 'golden');
  sharedSuites.push(...GOLDEN_SUITES);
}
if (existsSync(join(shared, 'teachers', 'manifest.json'))) {
  sharedEnv.QDISTILL_TEACHERS_DIR = join(shared, 'teachers');
  sharedSuites.push(...TEACHER_SUITES);
}
if (extra.length === 0 && sharedSuites.length > 0) {
  console.log(`\nthe fixture suites again, on ${shared} (${Object.keys(sharedEnv).join(', ')}):`);
  const again = vitest('shared', sharedSuites, sharedEnv);
  console.log(`on ${shared}: ${again.passed} passed, ${again.failed} failed`);
  runs.push(again);
}

const sum = (key) => runs.reduce((s, r) => s + r[key], 0);
const unloaded = runs.flatMap((r) => r.unloaded);
const passed = sum('passed');
const failed = sum('failed');
const skipped = sum('skipped');
if (unloaded.length) console.log(`test files that failed to load (each counted as 1 failure; their tests did not run):\n  ${unloaded.join('\n  ')}`);
const notRun = unloaded.length ? ` (${unloaded.length} test file${unloaded.length === 1 ? '' : 's'} did not load: their tests did not run)` : '';
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${notRun}`);
process.exit(runs.every((r) => r.status === 0) && failed === 0 ? 0 : 1);
