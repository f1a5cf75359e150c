// Every committed experiment config (experiments/paper-000, paper-002,
// paper-003, kd-labels) validates with its schema and needs nothing outside
// the repository: teachers are trained (and cached) by qdistill itself or are
// files inside the repository; no path points beside it. One representative
// config runs with `qdistill kd <config> --epochs 1 --seeds 0`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateKDConfig } from '../../sdk/distill/config.js';
import { validateDDConfig } from '../../sdk/index.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const EXPERIMENTS = join(REPO_ROOT, 'experiments');
/** Config folder → the command that runs it. */
const KINDS: Record<string, 'kd' | 'dd'> = { 'paper-000': 'dd', 'paper-002': 'kd', 'paper-003': 'kd', 'kd-labels': 'kd' };
/**
 * Configs that read data the user downloads (not an npm package): paper 000's
 * CIFAR-10 rows name the CIFAR-10 binary batches next to the config.
 */
const USER_DATA = /^paper-000\/000-cifar10-/;

const configs = Object.keys(KINDS).flatMap((folder) =>
  readdirSync(join(EXPERIMENTS, folder))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ path: `${folder}/${f}`, file: join(EXPERIMENTS, folder, f), kind: KINDS[folder]! })),
);

/** Every file path a config names: ONNX teachers (also in ensembles), data files. */
function pathsOf(config: Record<string, any>): string[] {
  const out: string[] = [];
  const teacher = (t: Record<string, any> | null | undefined): void => {
    if (!t) return;
    if (t.type === 'onnx') out.push(t.path);
    if (t.type === 'ensemble') t.members.forEach(teacher);
  };
  teacher(config.teacher);
  for (const key of ['trainFiles', 'testFiles']) out.push(...((config.dataset?.[key] as string[] | undefined) ?? []));
  return out;
}

describe('the committed experiment configs', () => {
  it('are all found (every folder has configs)', () => {
    for (const folder of Object.keys(KINDS)) expect(configs.filter((c) => c.path.startsWith(folder)).length, folder).toBeGreaterThan(0);
    expect(readdirSync(EXPERIMENTS, { withFileTypes: true }).filter((d) => d.isDirectory() && /^(paper-|kd-)/.test(d.name)).map((d) => d.name).sort()).toEqual(Object.keys(KINDS).sort());
  });

  it.each(configs.map((c) => [c.path, c] as const))('%s validates with its schema', (_path, { file, kind }) => {
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    expect(() => (kind === 'kd' ? validateKDConfig(raw) : validateDDConfig(raw))).not.toThrow();
  });

  it('need nothing outside the repository: teachers trained by qdistill or files inside it, no path beside it', () => {
    const outside: string[] = [];
    const userData: string[] = [];
    for (const { path, file } of configs) {
      const config = JSON.parse(readFileSync(file, 'utf8'));
      for (const p of pathsOf(config)) {
        const target = resolve(dirname(file), p);
        if (relative(REPO_ROOT, target).startsWith('..')) outside.push(`${path}: ${p}`);
        else if (!existsSync(target)) (USER_DATA.test(path) ? userData : outside).push(`${path}: ${p}`);
      }
    }
    expect(outside).toEqual([]);
    // the CIFAR-10 rows are the only configs that need a download (and say where to put it)
    expect(new Set(userData.map((l) => l.split(':')[0]))).toEqual(new Set(configs.filter((c) => USER_DATA.test(c.path)).map((c) => c.path)));
  });

  it('a representative runs: qdistill kd experiments/paper-002/002-zxz-q7-student-7x1.json --epochs 1 --seeds 0', async () => {
    const { code, stdout, stderr } = await runCli(['kd', join(EXPERIMENTS, 'paper-002', '002-zxz-q7-student-7x1.json'), '--epochs', '1', '--seeds', '0']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout[stdout.length - 1]!)).toMatchObject({ experiment: '002-zxz-q7-student-7x1', seeds: [0], epochs: 1 });
  });

  it('a paper-003 row runs with the LeNet-5 teacher qdistill trains and caches (~20 s the first time): qdistill kd experiments/paper-003/003-paper-mnist-c6-q3-lenet.json --epochs 1 --seeds 0', async () => {
    const { code, stdout, stderr } = await runCli(['kd', join(EXPERIMENTS, 'paper-003', '003-paper-mnist-c6-q3-lenet.json'), '--epochs', '1', '--seeds', '0']);
    expect(code, stderr).toBe(0);
    const last = JSON.parse(stdout[stdout.length - 1]!);
    expect(last).toMatchObject({ experiment: '003-paper-mnist-c6-q3-lenet', seeds: [0], epochs: 1 });
    expect(last.teacherAccuracy).toBeGreaterThan(0.9);
  });
});
