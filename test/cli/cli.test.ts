// The qdistill command line: KD from a JSON config prints a table and ends
// with one JSON object; bad configs fail with the field named; the bin works.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TINY_KD_CONFIG } from '../helpers/kd-tiny.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function configFile(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'qdistill-cli-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const tiny = TINY_KD_CONFIG;


afterEach(() => vi.restoreAllMocks());

describe('qdistill kd', () => {
  it('runs a config: progress on stderr, a table with verdicts, and one JSON object as the last stdout line', async () => {
    const { code, stdout, stderr } = await runCli(['kd', configFile(tiny)]);
    expect(code).toBe(0);
    const last = JSON.parse(stdout[stdout.length - 1]!);
    for (const key of ['testAccuracy', 'baselineAccuracy', 'pseudoLabelAccuracy', 'gain', 'gainCI95', 'selection', 'seeds', 'teacherAccuracy', 'seconds']) {
      expect(last, key).toHaveProperty(key);
    }
    expect(last.selection).toBe('validation');
    expect(last.seeds).toEqual([0, 1, 2]);
    expect(last.pairedInit).toBe(true);
    expect(last.gainCI95).toHaveLength(2);
    expect(last.gainCI95[0]).toBeLessThanOrEqual(last.gain);
    expect(last.teacherAccuracy).toBeGreaterThan(0.9);
    expect(last.testAccuracy).toBeGreaterThan(0.6); // two classes: chance 0.5
    const text = stdout.join('\n');
    for (const row of ['student, KD', 'student, no KD', 'student, pseudo-labels']) expect(text).toContain(row);
    expect(text).toMatch(/(KD helps over no KD|no significant difference between KD and no KD|KD hurts against no KD): [+−]\d+\.\d\d points, 95 % CI/);
    expect(stderr).toMatch(/epoch 3\/3/);
  });

  it('sweeps --set values, selecting on validation and reading the test split only for the selected point', async () => {
    const { code, stdout } = await runCli(['kd', configFile(tiny), '--seeds', '0,1', '--set', 'kd.temperature=1,3', '--arms', 'kd,baseline']);
    expect(code).toBe(0);
    const last = JSON.parse(stdout[stdout.length - 1]!);
    expect(last.sweep).toHaveLength(2);
    const best = Math.max(...last.sweep.map((p: { validation: number }) => p.validation));
    expect(last.sweep.find((p: { validation: number }) => p.validation === best)).toMatchObject(last.selectedPoint);
    expect(stdout.join('\n')).toContain('← selected');
  });

  it('is strict about flags: unknown flags, malformed lists and a missing value are usage errors (exit 2)', async () => {
    for (const [args, message] of [
      [['kd', configFile(tiny), '--epoch', '2'], "unknown option '--epoch'"],
      [['kd', configFile(tiny), '--seeds', '1,,2'], '--seeds: expected a comma-separated list of integers'],
      [['kd', configFile(tiny), '--epochs', 'two'], '--epochs: expected a positive integer, got "two"'],
      [['kd', configFile(tiny), '--set', 'kd.temperature'], '--set kd.temperature: expected path=value'],
      [['kd', configFile(tiny), 'extra.json'], 'unexpected argument "extra.json"'],
      [['teacher', 'train', '--clases', '0-5'], "unknown option '--clases'"],
    ] as const) {
      const { code, stderr, stdout } = await runCli([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toContain(message);
      expect(JSON.parse(stdout[stdout.length - 1]!).error.code).toBe('E_USAGE');
    }
  });

  it('prints help for every command', async () => {
    expect((await runCli(['kd', '--help'])).stdout.join('\n')).toContain('qdistill kd — knowledge distillation');
    expect((await runCli(['teacher', '--help'])).stdout.join('\n')).toContain('qdistill teacher train');
    expect((await runCli(['presets', '--help'])).stdout.join('\n')).toContain('qdistill presets');
  });

  it('--arms and --epochs override the config; --checkpoint-dir keeps the best-validation student, which restores', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdistill-ckpt-'));
    const { code, stdout } = await runCli(['kd', configFile(tiny), '--arms', 'kd', '--epochs', '1', '--seeds', '4', '--checkpoint-dir', dir]);
    const { readFileSync } = await import('node:fs');
    const { restoreHybridModel } = await import('../../sdk/qnn/hybrid-checkpoint.js');
    const { checkpoint } = await restoreHybridModel(readFileSync(join(dir, 'tiny-kd-seed4.qdc')));
    expect(checkpoint.metadata.epoch).toBe(1);
    expect(code).toBe(0);
    const last = JSON.parse(stdout[stdout.length - 1]!);
    expect(last.baselineAccuracy).toBeNull();
    expect(last.epochs).toBe(1);
    expect(last.seeds).toEqual([4]);
  });

  it('fails with E_CONFIG naming the bad field, also as the last JSON line', async () => {
    const bad = structuredClone(tiny) as Record<string, any>;
    bad.train.learningRate = 0.1;
    const { code, stdout, stderr } = await runCli(['kd', configFile(bad)]);
    expect(code).toBe(1);
    expect(stderr).toContain('config train: unknown field "learningRate" (allowed: epochs, batchSize');
    expect(JSON.parse(stdout[stdout.length - 1]!).error.code).toBe('E_CONFIG');
  });

  it('rejects an unknown preset, a missing file and invalid JSON', async () => {
    expect((await runCli(['kd', '--preset', 'nope'])).stderr).toContain('unknown preset (available: mnist-0-5');
    expect((await runCli(['kd', '/no/such/config.json'])).stderr).toContain('cannot read config file');
    const dir = mkdtempSync(join(tmpdir(), 'qdistill-cli-'));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect((await runCli(['kd', join(dir, 'bad.json')])).stderr).toContain('is not valid JSON');
  });

  it('lists presets and prints help', async () => {
    expect((await runCli(['presets'])).stdout.join('\n')).toContain('mnist-0-5');
    expect((await runCli(['--help'])).stdout.join('\n')).toContain('qdistill kd');
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });
});

describe('qdistill teacher train', () => {
  it('trains a LeNet-5 teacher, exports it to ONNX, and the file loads back through onnxruntime-web', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdistill-teacher-'));
    const out = join(dir, 'lenet.onnx');
    const { code, stdout } = await runCli(['teacher', 'train', '--arch', 'lenet5', '--dataset', 'mnist', '--classes', '0-2', '--epochs', '1', '--out', out]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout[stdout.length - 1]!);
    expect(summary).toMatchObject({ teacher: out, arch: 'lenet5', classes: [0, 1, 2], epochs: 1 });
    expect(summary.testAccuracy).toBeGreaterThan(0.8);
    const { OnnxTeacher } = await import('../../sdk/teachers/index.js');
    const teacher = await OnnxTeacher.load(out);
    expect(teacher.numClasses).toBe(3);
    await teacher.dispose();
  });

  it('rejects a bad class range', async () => {
    const { code, stderr } = await runCli(['teacher', 'train', '--classes', '0-x']);
    expect(code).toBe(1);
    expect(stderr).toContain('--classes');
  });
});

describe('the qdistill bin', () => {
  it('runs from bin/qdistill.js (built dist) and prints help', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'qdistill.js'), '--help'], { cwd: root });
    expect(stdout).toContain('knowledge and dataset distillation into quantum neural networks');
  });
});
