// `qdistill dd`: a preset runs end to end (progress on stderr, a table, files,
// one JSON line with the promised keys last), `--evaluate` replays the file
// it wrote to the same accuracy, the paper-000 CIFAR-10 configs run on
// generated CIFAR-10 binary files, and usage errors are typed.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CIFAR10_RECORD_BYTES } from '../../sdk/data/formats.js';
import { Random } from '../../sdk/util/random.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

afterEach(() => vi.restoreAllMocks());

describe('qdistill dd', () => {
  it('runs a preset: progress with ETA on stderr, a table, the files, and one JSON object with the promised keys as the last line', async () => {
    const out = mkdtempSync(join(tmpdir(), 'qdistill-dd-cli-'));
    const { code, stdout, stderr } = await runCli(['dd', '--preset', 'ci-2class', '--max-iterations', '4', '--out', out]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/dd seed 0 epoch 1\/\d+ loss \d\.\d+ .*eta \d+:\d\d/);
    const last = JSON.parse(stdout.at(-1)!) as Record<string, unknown>;
    for (const key of ['testAccuracy', 'randomRealAccuracy', 'classMeanAccuracy', 'kmeansAccuracy', 'model', 'images', 'seconds']) expect(last).toHaveProperty(key);
    expect(last.model).toBe('lenet-000');
    expect(last.images).toBe(2);
    expect(last.iterations).toEqual([4]);
    expect(stdout.join('\n')).toContain('random real, same replay');
    const files = last.files as string[];
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['ci-2class-seed0.qdd.json', 'ci-2class-seed0.png']);
    expect(readFileSync(files[1]!).subarray(1, 4).toString()).toBe('PNG');

    const again = await runCli(['dd', '--evaluate', files[0]!]);
    expect(again.code).toBe(0);
    const replay = JSON.parse(again.stdout.at(-1)!) as Record<string, unknown>;
    expect(replay.testAccuracy).toBe(last.testAccuracy);
    expect(replay.recordedTestAccuracy).toBe(last.testAccuracy);
  });

  it('runs the paper-000 CIFAR-10 config (quantum LeNet R-H, 10 step batches, augmentation) on generated CIFAR-10 files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdistill-dd-cifar-'));
    mkdirSync(join(dir, 'cifar-10-batches-bin'));
    const rng = new Random(4);
    const batch = (records: number): Uint8Array => {
      const bytes = new Uint8Array(records * CIFAR10_RECORD_BYTES);
      for (let r = 0; r < records; r++) {
        const label = r % 10;
        bytes[r * CIFAR10_RECORD_BYTES] = label;
        for (let p = 1; p < CIFAR10_RECORD_BYTES; p++) bytes[r * CIFAR10_RECORD_BYTES + p] = Math.min(255, Math.floor(25 * label + 40 * rng.uniform()));
      }
      return bytes;
    };
    for (let i = 1; i <= 5; i++) writeFileSync(join(dir, 'cifar-10-batches-bin', `data_batch_${i}.bin`), batch(8));
    writeFileSync(join(dir, 'cifar-10-batches-bin', 'test_batch.bin'), batch(20));
    for (const name of ['000-cifar10-100-qlenet-r-h']) {
      const config = JSON.parse(readFileSync(join(root, 'experiments', 'paper-000', `${name}.json`), 'utf8')) as Record<string, unknown>;
      config.validation = 10; // the generated files hold 40 training images
      // the config as written, but 1 pass over its 10 step batches instead of 3 (10 unrolled float64 steps, not 30: suite time)
      Object.assign(config.distill as Record<string, unknown>, { evalEvery: 0, epochs: 1 });
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(config));
      const { code, stdout, stderr } = await runCli(['dd', file, '--seeds', '0', '--max-iterations', '1', '--no-baselines', '--out', join(dir, 'out')]);
      expect(code, stderr).toBe(0);
      const last = JSON.parse(stdout.at(-1)!) as Record<string, unknown>;
      expect(last.images).toBe(100);
      expect(last.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(last.randomRealAccuracy).toBeNull();
    }
  });

  it('usage errors are typed: unknown flag, unknown preset, a config and a preset together', async () => {
    const unknownFlag = await runCli(['dd', '--preset', 'mnist-10', '--epoch', '3']);
    expect(unknownFlag.code).toBe(2);
    expect(JSON.parse(unknownFlag.stdout.at(-1)!)).toMatchObject({ error: { code: 'E_USAGE' } });
    expect(unknownFlag.stderr).toContain("unknown option '--epoch'");
    const unknownPreset = await runCli(['dd', '--preset', 'mnist-11']);
    expect(unknownPreset.code).toBe(2);
    expect(JSON.parse(unknownPreset.stdout.at(-1)!)).toMatchObject({ error: { code: 'E_USAGE', message: 'qdistill dd --preset mnist-11: unknown preset (available: mnist-10, ci-2class)' } });
    const both = await runCli(['dd', 'x.json', '--preset', 'mnist-10']);
    expect(JSON.parse(both.stdout.at(-1)!)).toMatchObject({ error: { code: 'E_USAGE', message: 'qdistill dd: give a config file or --preset, not both' } });
    const missing = await runCli(['dd', '--evaluate', join(tmpdir(), 'no-such-file.qdd.json')]);
    expect(JSON.parse(missing.stdout.at(-1)!)).toMatchObject({ error: { code: 'E_DATA' } });
  });

  it('presets lists the dd presets', async () => {
    const { stdout } = await runCli(['presets']);
    expect(stdout.join('\n')).toMatch(/dd --preset mnist-10 +paper 000: 10 distilled MNIST images/);
  });
});
