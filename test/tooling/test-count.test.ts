// npm test's closing line counts what did not run: a real vitest JSON report
// of a directory with a passing, a failing and an unloadable test file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error — plain ES module without types
import { countReport } from '../../scripts/test-count.mjs';
import { REPO_ROOT } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'qdistill-count-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the test runner\'s count (scripts/test-count.mjs)', () => {
  it('counts a test file that fails to load as a failure and names it; its tests did not run', () => {
    writeFileSync(join(dir, 'ok.test.mjs'), "import { it, expect } from 'vitest';\nit('a', () => expect(1).toBe(1));\nit('b', () => expect(2).toBe(2));\n");
    writeFileSync(join(dir, 'fails.test.mjs'), "import { it, expect } from 'vitest';\nit('c', () => expect(1).toBe(2));\n");
    writeFileSync(join(dir, 'broken.test.mjs'), "import { it } from 'vitest';\nthrow new Error('fixture missing');\nit('never collected', () => {});\n");
    writeFileSync(join(dir, 'vitest.config.mjs'), 'export default { test: { include: ["*.test.mjs"] } };\n');
    const out = join(dir, 'report.json');
    const vitest = join(REPO_ROOT, 'node_modules', '.bin', 'vitest');
    const r = spawnSync(vitest, ['run', '--root', dir, '--reporter=json', `--outputFile=${out}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.status, r.stderr).toBe(1);
    const counted = countReport(JSON.parse(readFileSync(out, 'utf8')), dir) as { passed: number; failed: number; skipped: number; unloaded: string[] };
    expect(counted).toEqual({ passed: 2, failed: 2, skipped: 0, unloaded: ['broken.test.mjs'] });
  });
});
