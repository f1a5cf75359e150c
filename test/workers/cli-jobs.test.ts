// qdistill kd --jobs / --workers: runs in parallel workers give the output of
// the sequential loop — same tables in the same order, same summary, same
// per-epoch history fingerprint — and the flags are validated.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TINY_KD_CONFIG } from '../helpers/kd-tiny.js';

const dir = mkdtempSync(join(tmpdir(), 'qdistill-jobs-'));
const previousCache = process.env.QDISTILL_CACHE_DIR;
process.env.QDISTILL_CACHE_DIR = join(dir, 'cache');

afterAll(() => {
  if (previousCache === undefined) delete process.env.QDISTILL_CACHE_DIR;
  else process.env.QDISTILL_CACHE_DIR = previousCache;
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

const config = join(dir, 'tiny.json');
writeFileSync(config, JSON.stringify({
  ...TINY_KD_CONFIG,
  teacher: { ...TINY_KD_CONFIG.teacher, cache: true },
  train: { ...TINY_KD_CONFIG.train, epochs: 2, seeds: [0, 1] },
}));


/** stdout of a run without its timings: the tables, and the summary line minus `seconds`. */
async function output(args: string[]): Promise<{ tables: string[]; summary: Record<string, unknown> }> {
  const { code, stdout, stderr } = await runCli(['kd', config, ...args]);
  expect(code, stderr).toBe(0);
  const { seconds: _seconds, ...summary } = JSON.parse(stdout[stdout.length - 1]!) as Record<string, unknown>;
  return { tables: stdout.slice(0, -1), summary };
}

describe('qdistill kd --jobs and --workers', () => {
  it('runs arms × seeds in 2 or 3 workers with the sequential output, table for table and bit for bit', async () => {
    const sequential = await output(['--workers', '1']);
    expect(sequential.summary.historyHash).toMatch(/^[0-9a-f]{16}$/);
    expect(await output(['--jobs', '2', '--workers', '1'])).toEqual(sequential);
    expect(await output(['--jobs', '3', '--workers', '2'])).toEqual(sequential);
  }, 180_000);

  it('rejects --jobs and --workers that are not positive integers', async () => {
    for (const [flag, value] of [['--jobs', '0'], ['--workers', 'two']] as const) {
      const { code, stderr } = await runCli(['kd', config, flag, value]);
      expect(code).not.toBe(0);
      expect(stderr).toContain(`${flag}: expected a positive integer, got "${value}"`);
    }
  });
});
