// The inputs issue 13 names as accepted silently before, each rejected with
// its code and a message that says what was wrong and what is allowed: a
// nested unknown field, a misspelled enum value, an unknown flag, a malformed
// seed list — through the CLI as a user meets them (exit code, stderr, and
// the error in the last JSON line). And `--help` for every command.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../sdk/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { TINY_KD_CONFIG } from '../helpers/kd-tiny.js';

function configFile(mutate: (c: Record<string, any>) => void = () => {}): string {
  const config = structuredClone(TINY_KD_CONFIG) as Record<string, any>;
  mutate(config);
  const file = join(mkdtempSync(join(tmpdir(), 'qdistill-reject-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function rejected(args: string[]): Promise<{ code: number; stderr: string; error: { code: string; message: string } }> {
  const { code, stdout, stderr } = await runCli(args);
  return { code, stderr, error: JSON.parse(stdout[stdout.length - 1]!).error };
}

describe('rejected inputs', () => {
  it('a nested unknown field: E_CONFIG naming the path and the allowed fields (exit 1)', async () => {
    const r = await rejected(['kd', configFile((c) => (c.train.optimizer = { type: 'adam', learningRate: 0.1 }))]);
    expect(r.code).toBe(1);
    expect(r.error.code).toBe('E_CONFIG');
    expect(r.error.message).toContain('config train.optimizer: unknown field "learningRate" (allowed: type, lr');
    expect(r.stderr).toContain('unknown field "learningRate"');
  });

  it('a misspelled enum value: E_CONFIG listing the valid values', async () => {
    const r = await rejected(['kd', configFile((c) => (c.train.optimizer = { type: 'adamw', lr: 0.01 }))]);
    expect(r.code).toBe(1);
    expect(r.error).toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('config train.optimizer.type: expected type to be one of "adam", "sgd", got "adamw"') });
  });

  it('an unknown flag: E_USAGE naming it (exit 2), for every command', async () => {
    for (const args of [['kd', configFile(), '--epoch', '2'], ['dd', '--preset', 'ci-2class', '--epoch', '2'], ['teacher', 'train', '--epoch', '2'], ['presets', '--all'], ['schema', 'kd', '--out', 'x']]) {
      const r = await rejected(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.error.code, args.join(' ')).toBe('E_USAGE');
      expect(r.error.message, args.join(' ')).toMatch(/unknown option '--(epoch|all|out)'/);
    }
  });

  it('a malformed seed list: E_USAGE naming the flag, the text and the bad item; nothing is filled in', async () => {
    for (const [seeds, message] of [
      ['1,,2', '--seeds: expected a comma-separated list of integers, got "1,,2" (bad item "")'],
      ['0,1,', '--seeds: expected a comma-separated list of integers, got "0,1," (bad item "")'],
      ['1.5', '--seeds: expected a comma-separated list of integers, got "1.5" (bad item "1.5")'],
      ['a', '--seeds: expected a comma-separated list of integers, got "a" (bad item "a")'],
      ['-1', '--seeds: -1 is outside 0..'],
    ] as const) {
      const r = await rejected(['kd', configFile(), `--seeds=${seeds}`]);
      expect(r.code, seeds).toBe(2);
      expect(r.error, seeds).toMatchObject({ code: 'E_USAGE', message: expect.stringContaining(message) });
    }
    const repeated = await rejected(['kd', configFile(), '--seeds', '1,1']);
    expect(repeated.error).toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('config train.seeds: seeds must be distinct, got [1,1]') });
  });

  it('--help works for every command (exit 0, the command\'s own help)', async () => {
    for (const command of COMMANDS) {
      const { code, stdout } = await runCli([command.name, '--help']);
      expect(code, command.name).toBe(0);
      expect(stdout.join('\n'), command.name).toContain(`qdistill ${command.name}`);
    }
  });
});
