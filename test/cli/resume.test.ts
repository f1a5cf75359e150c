// `qdistill kd --checkpoint-dir D`, killed (kill -9, SIGINT, SIGTERM) at
// different points, then `--resume`: the results (histories, selections,
// test scores) and every run's final and best-validation weights are
// bit-identical to an uninterrupted run. The interrupted runs are real child
// processes; the reference and the resumptions run in-process.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseCheckpoint } from '../../sdk/nn/checkpoint.js';
import { parseTrainingState } from '../../sdk/nn/training-state.js';
import { Random } from '../../sdk/util/random.js';
import { runCli } from '../helpers/cli.js';
import { interruptCliAfter, type ChildExit } from '../helpers/interrupt.js';


// ZXZ states (no dataset download), a QNN teacher trained in the run (its training is checkpointed too),
// two seeds × two arms: 19 epochs in all, a second or two of training.
const config = {
  name: 'resume',
  dataset: { name: 'zxz', numQubits: 4, train: 40, test: 40, seed: 1 },
  teacher: {
    type: 'model', epochs: 3, batchSize: 8,
    model: { arch: 'qnn-classifier', numClasses: 2, numQubits: 4, encoder: { type: 'StateInput' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 2 }, measurements: [{ type: 'expvalZ', wires: [0, 1] }], head: false, outputScale: 3 },
  },
  student: { arch: 'qnn-classifier', numClasses: 2, numQubits: 4, encoder: { type: 'StateInput' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 1 }, measurements: [{ type: 'expvalZ', wires: [0, 1] }], head: false, outputScale: 3 },
  kd: { temperature: 2, kdWeight: 0.5, ceWeight: 0.5 },
  train: { epochs: 4, batchSize: 4, optimizer: { type: 'adam', lr: 0.05 }, seeds: [0, 1] },
  arms: ['kd', 'baseline'],
};

let configPath = '';
let reference: Outcome;

interface Outcome {
  /** Every run of the results file, wall-clock fields removed. */
  runs: unknown;
  /** Final weights (finished training states) and best-validation students (.qdc) by file name. */
  files: Record<string, string>;
}

function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'qdistill-resume-'));
}

/** The results and weights a run left in `dir` (a fingerprint of every number that must not change). */
function outcome(dir: string, kind = 'kd-run'): Outcome {
  const result = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).result;
  const runs = Object.values(result.arms as Record<string, { runs: Array<Record<string, unknown>> }>).flatMap((a) =>
    a.runs.map(({ seconds: _s, history, ...r }) => ({ ...r, history: (history as Array<Record<string, unknown>>).map(({ seconds: _t, ...h }) => h) })),
  );
  const files: Record<string, string> = {};
  const ckpt = join(dir, 'ckpt');
  for (const name of readdirSync(ckpt).sort()) {
    const bytes = new Uint8Array(readFileSync(join(ckpt, name)));
    if (name.endsWith('.qdc')) files[name] = Buffer.from(bytes).toString('base64');
    else if (name.endsWith('.qdstate')) {
      const state = parseTrainingState(bytes, { kind });
      expect(state.json.finished, name).toBe(true);
      const weights = parseCheckpoint(state.arrays.get('student') as Uint8Array).tensors;
      files[name] = [...weights].map(([k, t]) => `${k}:${Buffer.from(t.data.buffer).toString('base64')}`).join(' ');
    } else throw new Error(`unexpected file ${name} left in the checkpoint directory`);
  }
  return { runs, files };
}

/** Kills the kd run once it has finished `epochs` epochs (plus a delay), with `signal`. */
function interruptAfter(dir: string, epochs: number, delayMs: number, signal: NodeJS.Signals, config = configPath, marker = / epoch \d+\/\d+ /g, extra: string[] = []): Promise<ChildExit> {
  // By default one line per finished epoch.
  const args = ['kd', config, '--checkpoint-dir', join(dir, 'ckpt'), '--out', join(dir, 'out.json'), ...extra];
  return interruptCliAfter(args, { marker, count: epochs, stateDir: join(dir, 'ckpt'), delayMs, signal });
}

beforeAll(async () => {
  const dir = workDir();
  configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const { code } = await runCli(['kd', configPath, '--checkpoint-dir', join(dir, 'ckpt'), '--out', join(dir, 'out.json')]);
  expect(code).toBe(0);
  reference = outcome(dir);
  expect(Object.keys(reference.files).join(' ')).toMatch(
    /^resume-baseline-seed0\.qdc resume-baseline-seed0\.qdstate resume-baseline-seed1\.qdc resume-baseline-seed1\.qdstate resume-kd-seed0\.qdc resume-kd-seed0\.qdstate resume-kd-seed1\.qdc resume-kd-seed1\.qdstate resume-teacher-[0-9a-f]{8}\.qdstate$/,
  );
});

afterEach(() => vi.restoreAllMocks());

describe('qdistill kd --resume after an interruption', () => {
  // Kill points: in the teacher's training, in the first and second seed's runs; each after a random delay.
  const rng = new Random(14);
  const points = [1, 6, 13].map((epochs) => ({ epochs, delay: rng.int(120) }));

  it.each(points)('kill -9 after $epochs epochs (+$delay ms), then --resume: bit-identical results and weights', async ({ epochs, delay }) => {
    const dir = workDir();
    const killed = await interruptAfter(dir, epochs, delay, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    const { code, stderr } = await runCli(['kd', configPath, '--checkpoint-dir', join(dir, 'ckpt'), '--out', join(dir, 'out.json'), '--resume']);
    expect(code).toBe(0);
    expect(stderr).toContain('resuming from its saved state');
    expect(outcome(dir)).toEqual(reference);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops cleanly after saving (exit 130, the resume command printed); --resume finishes identically', async (signal) => {
    const dir = workDir();
    const stopped = await interruptAfter(dir, 9, 0, signal);
    expect(stopped.code).toBe(130);
    const last = JSON.parse(stopped.stdout.trim().split('\n').pop()!);
    expect(last.error.code).toBe('E_ABORTED');
    expect(last.error.message).toContain(`interrupted by ${signal}`);
    expect(last.error.message).toContain('--resume');
    // The stopped run saved its position inside the epoch (or at an epoch end), not only the last epoch end.
    const states = readdirSync(join(dir, 'ckpt')).filter((f) => f.endsWith('.qdstate'));
    expect(states.some((f) => parseTrainingState(new Uint8Array(readFileSync(join(dir, 'ckpt', f)))).json.finished === false)).toBe(true);
    const { code } = await runCli(['kd', configPath, '--checkpoint-dir', join(dir, 'ckpt'), '--out', join(dir, 'out.json'), '--resume']);
    expect(code).toBe(0);
    expect(outcome(dir)).toEqual(reference);
  });

  it('a sweep killed in its second grid point resumes to the same points, selection and runs', async () => {
    const sweep = ['--set', 'kd.temperature=1,4', '--seeds', '0'];
    const reference = workDir();
    const run = (dir: string, ...more: string[]) => runCli(['kd', configPath, '--checkpoint-dir', join(dir, 'ckpt'), '--out', join(dir, 'out.json'), ...sweep, ...more]);
    expect((await run(reference)).code).toBe(0);
    const dir = workDir();
    // 3 teacher epochs, 4 epochs for the first grid point: kill in the second.
    const killed = await interruptAfter(dir, 9, 0, 'SIGKILL', configPath, / epoch \d+\/\d+ /g, sweep);
    expect(killed.signal).toBe('SIGKILL');
    expect(readdirSync(join(dir, 'ckpt')).some((f) => f.startsWith('sweep1-'))).toBe(true);
    expect((await run(dir, '--resume')).code).toBe(0);
    const points = (d: string) => JSON.parse(readFileSync(join(d, 'out.json'), 'utf8')).sweep.map(({ perSeed, assignment }: { perSeed: number[]; assignment: unknown }) => ({ perSeed, assignment }));
    expect(points(dir)).toEqual(points(reference));
    expect(outcome(dir)).toEqual(outcome(reference));
  });

  it('--resume of a finished experiment trains nothing and gives the same results; another config is refused', async () => {
    const dir = workDir();
    const args = ['kd', configPath, '--checkpoint-dir', join(dir, 'ckpt'), '--out', join(dir, 'out.json')];
    expect((await runCli(args)).code).toBe(0);
    const again = await runCli([...args, '--resume']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/kd seed 0 epoch/);
    expect(outcome(dir)).toEqual(reference);
    const other = await runCli([...args, '--resume', '--epochs', '5']);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout.pop()!).error).toMatchObject({ code: 'E_CHECKPOINT' });
    expect(other.stderr).toContain('cannot resume');
    expect((await runCli(['kd', configPath, '--resume'])).stderr).toContain('--resume: needs --checkpoint-dir');
  });
});
