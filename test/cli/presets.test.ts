// `qdistill presets`: every built-in experiment, one line each — the main
// job, Fashion-MNIST, paper 002's ZXZ phases, paper 003's table rows and the
// dataset-distillation presets. Every preset validates; the paper presets are
// the committed experiment configs; a cheap one runs end to end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DD_PRESETS } from '../../sdk/cli/dd-presets.js';
import { KD_PRESETS } from '../../sdk/cli/presets.js';
import { validateKDConfig } from '../../sdk/distill/config.js';
import { validateDDConfig } from '../../sdk/index.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const experiment = (path: string): Record<string, unknown> => JSON.parse(readFileSync(join(REPO_ROOT, 'experiments', path), 'utf8'));
const withoutProse = ({ name: _name, notes: _notes, ...rest }: Record<string, unknown>) => rest;

describe('qdistill presets', () => {
  it('every KD and DD preset validates against its schema', () => {
    for (const [name, preset] of Object.entries(KD_PRESETS)) expect(() => validateKDConfig(structuredClone(preset.config)), name).not.toThrow();
    for (const [name, preset] of Object.entries(DD_PRESETS)) expect(() => validateDDConfig(structuredClone(preset.config)), name).not.toThrow();
  });

  it('lists every preset with one line each: Fashion-MNIST, ZXZ phases, the paper-003 rows, dataset distillation', async () => {
    const { code, stdout } = await runCli(['presets']);
    expect(code).toBe(0);
    const names = [...Object.keys(KD_PRESETS).map((n) => `kd --preset ${n} `), ...Object.keys(DD_PRESETS).map((n) => `dd --preset ${n} `)];
    expect(stdout).toHaveLength(names.length);
    names.forEach((n, i) => expect(stdout[i]!.startsWith(n), stdout[i]).toBe(true));
    for (const line of stdout) expect(line.length).toBeGreaterThan(60); // a summary, not just a name
    for (const name of ['mnist-0-5', 'fashion-mnist-0-5', 'zxz-phases', 'zxz-phases-qae', 'paper-003-mnist-c6-q3-lenet', 'paper-003-fashion-mnist-c8-q4-ensemble']) {
      expect(KD_PRESETS, name).toHaveProperty([name]);
    }
    expect(Object.keys(KD_PRESETS).filter((n) => n.startsWith('paper-003-'))).toHaveLength(18); // 2 datasets × 3 class/qubit settings × 3 teachers
    expect(Object.keys(DD_PRESETS).length).toBeGreaterThan(0);
  });

  it("the paper presets are the committed experiment configs (experiments/paper-002, paper-003), and need nothing outside the repository", () => {
    for (const [name, preset] of Object.entries(KD_PRESETS)) {
      if (!name.startsWith('paper-003-')) continue;
      expect(withoutProse(preset.config as unknown as Record<string, unknown>), name).toEqual(withoutProse(experiment(`paper-003/003-paper-${name.slice('paper-003-'.length)}.json`)));
    }
    expect(withoutProse(KD_PRESETS['zxz-phases']!.config as unknown as Record<string, unknown>)).toEqual(withoutProse(experiment('paper-002/002-zxz-q7-student-7x1.json')));
    expect(withoutProse(KD_PRESETS['zxz-phases-qae']!.config as unknown as Record<string, unknown>)).toEqual(withoutProse(experiment('paper-002/002-zxz-q7-student-2x2-qae.json')));
    const fashion = withoutProse(experiment('paper-003/003-quantum-fashion-mnist-c6-lenet.json'));
    expect(withoutProse(KD_PRESETS['fashion-mnist-0-5']!.config as unknown as Record<string, unknown>)).toEqual({ ...fashion, arms: ['kd', 'baseline', 'pseudo-labels'] });
    for (const [name, preset] of Object.entries(KD_PRESETS)) {
      if (name === 'web-mnist-0-5') continue; // the studio's bundled teacher, built by npm run build
      expect(JSON.stringify(preset.config), name).not.toMatch(/shared|\.onnx"/);
    }
  });

  it('runs a cheap preset end to end: qdistill kd --preset zxz-phases --epochs 1 --seeds 0', async () => {
    const { code, stdout, stderr } = await runCli(['kd', '--preset', 'zxz-phases', '--epochs', '1', '--seeds', '0']);
    expect(code, stderr).toBe(0);
    const last = JSON.parse(stdout[stdout.length - 1]!);
    expect(last).toMatchObject({ experiment: '002-zxz-q7-student-7x1', seeds: [0], epochs: 1, selection: 'validation' });
    expect(last.teacherAccuracy).toBeGreaterThan(0.5);
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0);
  });
});
