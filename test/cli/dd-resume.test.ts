// `qdistill dd --checkpoint-dir D`, killed (kill -9 at several points, SIGINT,
// SIGTERM), then `--resume`: the final JSON line (wall-clock fields aside),
// the distilled files (.qdd.json: images, learned rates, θ₀, test scores) and
// image grids, and every seed's history are bit-identical to an uninterrupted
// run. The interrupted runs are real child processes on real MNIST digits
// (3 vs 5); the reference and the resumptions run in-process.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseTrainingState } from '../../sdk/nn/training-state.js';
import { Random } from '../../sdk/util/random.js';
import { runCli } from '../helpers/cli.js';
import { interruptCliAfter, type ChildExit } from '../helpers/interrupt.js';


// 1,315 training digits in batches of 512: 3 outer iterations per epoch, 3 epochs, StepLR every 2, two seeds.
const config = {
  name: 'ddresume',
  dataset: { name: 'mnist', classes: [3, 5] },
  validation: 200,
  model: { arch: 'lenet-000', numClasses: 2 },
  distill: { batchSize: 512, outerEpochs: 3, evalEvery: 1, decayEpochs: 2, select: 'best-validation' },
  seeds: [0, 1],
  baselines: false,
};

let configPath = '';
let reference: Outcome;

interface Outcome {
  last: unknown;
  files: Record<string, string>;
  histories: Record<string, unknown>;
}

const workDir = (): string => mkdtempSync(join(tmpdir(), 'qdistill-dd-resume-'));

/** Everything that must not change: the last JSON line without wall-clock fields, the output files, the saved histories. */
function outcome(dir: string, stdout: string[]): Outcome {
  const { seconds: _s, files: _f, perSeed, ...last } = JSON.parse(stdout.at(-1)!) as Record<string, unknown> & { perSeed: Array<Record<string, unknown>> };
  const files: Record<string, string> = {};
  for (const name of readdirSync(join(dir, 'out')).sort()) files[name] = readFileSync(join(dir, 'out', name)).toString('base64');
  const histories: Record<string, unknown> = {};
  for (const name of readdirSync(join(dir, 'ckpt')).sort()) {
    const state = parseTrainingState(new Uint8Array(readFileSync(join(dir, 'ckpt', name))), { kind: 'dd-run' });
    expect(state.json.finished, name).toBe(true);
    histories[name] = {
      history: (state.json.history as Array<Record<string, unknown>>).map(({ seconds: _t, ...h }) => h),
      packed: Buffer.from((state.arrays.get('packed') as Float64Array).buffer).toString('base64'),
    };
  }
  return { last: { ...last, perSeed: perSeed.map(({ secondsPerIteration: _p, ...r }) => r) }, files, histories };
}

const args = (dir: string, ...more: string[]): string[] => ['dd', configPath, '--checkpoint-dir', join(dir, 'ckpt'), '--out', join(dir, 'out'), ...more];

/** Sends the dd run `signal` once `epochs` outer epochs have ended (+ `delayMs`): each ends with a validation line. */
function interruptAfter(dir: string, epochs: number, delayMs: number, signal: NodeJS.Signals): Promise<ChildExit> {
  return interruptCliAfter(args(dir), { marker: / epoch \d+\/\d+ loss [\d.]+ val /g, count: epochs, stateDir: join(dir, 'ckpt'), delayMs, signal });
}

beforeAll(async () => {
  const dir = workDir();
  configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const { code, stdout } = await runCli(args(dir));
  expect(code).toBe(0);
  reference = outcome(dir, stdout);
  expect(Object.keys(reference.files)).toEqual(['ddresume-seed0.png', 'ddresume-seed0.qdd.json', 'ddresume-seed1.png', 'ddresume-seed1.qdd.json']);
  expect(Object.keys(reference.histories)).toEqual(['ddresume-seed0.qdstate', 'ddresume-seed1.qdstate']);
});

afterEach(() => vi.restoreAllMocks());

describe('qdistill dd --resume after an interruption', () => {
  // Kill points: in seed 0 (its first state saved) and in seed 1 (seed 0 finished); each after a random delay.
  const rng = new Random(10);
  const points = [2, 5].map((epochs) => ({ epochs, delay: rng.int(400) }));

  it.each(points)('kill -9 after $epochs outer epochs (+$delay ms), then --resume: bit-identical results, files and histories', async ({ epochs, delay }) => {
    const dir = workDir();
    const killed = await interruptAfter(dir, epochs, delay, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const { code, stdout, stderr } = await runCli([...args(dir), '--resume']);
    expect(code).toBe(0);
    expect(stderr).toContain('resuming from its saved state');
    expect(outcome(dir, stdout)).toEqual(reference);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops cleanly after saving the position inside the epoch (exit 130, the resume command printed); --resume finishes identically', async (signal) => {
    const dir = workDir();
    const stopped = await interruptAfter(dir, 2, 150, signal);
    expect(stopped.code).toBe(130);
    const last = JSON.parse(stopped.stdout.trim().split('\n').pop()!);
    expect(last.error.code).toBe('E_ABORTED');
    expect(last.error.message).toContain(`interrupted by ${signal}`);
    expect(last.error.message).toContain('--resume');
    // The stopped seed saved its position inside the epoch, not only the last epoch end.
    const states = readdirSync(join(dir, 'ckpt')).map((f) => parseTrainingState(new Uint8Array(readFileSync(join(dir, 'ckpt', f))), { kind: 'dd-run' }).json);
    expect(states.some((j) => j.finished === false && j.inEpoch !== null)).toBe(true);
    const { code, stdout } = await runCli([...args(dir), '--resume']);
    expect(code).toBe(0);
    expect(outcome(dir, stdout)).toEqual(reference);
  });

  it('--resume of a finished run distils nothing again; another config is refused with E_CHECKPOINT; a damaged state too', async () => {
    const dir = workDir();
    expect((await runCli(args(dir))).code).toBe(0);
    const again = await runCli([...args(dir), '--resume']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/dd seed \d epoch/);
    expect(outcome(dir, again.stdout)).toEqual(reference);
    const other = await runCli([...args(dir), '--resume', '--outer-epochs', '4']);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout.at(-1)!).error).toMatchObject({ code: 'E_CHECKPOINT' });
    expect(other.stderr).toContain('cannot resume');
    const file = join(dir, 'ckpt', 'ddresume-seed0.qdstate');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3]! ^= 0x01;
    writeFileSync(file, bytes);
    const damaged = await runCli([...args(dir), '--resume']);
    expect(damaged.code).toBe(1);
    expect(JSON.parse(damaged.stdout.at(-1)!).error).toMatchObject({ code: 'E_CHECKPOINT' });
    expect((await runCli(['dd', configPath, '--resume'])).stderr).toContain('--resume: needs --checkpoint-dir');
  });
});
