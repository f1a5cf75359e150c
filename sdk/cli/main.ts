/**
 * The `qdistill` command line (Node only):
 *
 *   qdistill kd <config.json> | --preset <name>   knowledge distillation, KD vs no-KD
 *   qdistill teacher train [options]              train and export a classical teacher
 *   qdistill presets                              list the built-in experiments
 *
 * Progress goes to stderr; a readable table, then ONE JSON object as the
 * last line of stdout.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import {
  isQDistillError, QDistillError, validateKDConfig, runKDExperiment, serializeHybridCheckpoint, type KDExperimentConfig, type KDExperimentResult,
} from '../index.js';
import { nodeExperimentEnvironment, trainTeacherCommand, writeFileAtomic } from '../node.js';
import { PRESETS } from './presets.js';

const HELP = `qdistill — knowledge distillation into quantum neural networks

Usage:
  qdistill kd <config.json>            run a KD experiment from a JSON config
  qdistill kd --preset <name>          run a built-in experiment (see: qdistill presets)
      --epochs N  --seeds a,b,c        override the config's training length / seeds
      --no-baseline                    skip the run without teacher
      --checkpoint-dir DIR             keep the best student of every run there (qdistill checkpoints)
  qdistill teacher train --arch lenet5 --dataset mnist --classes 0-5 [--epochs 5] [--out teacher.onnx]
  qdistill presets                     list presets
  qdistill --help | --version

The last line of stdout is one JSON object (testAccuracy, baselineAccuracy,
teacherAccuracy, epochs, seconds, …). Progress is drawn on stderr.`;

function parseFlags(args: string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [key, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (inline !== undefined) flags.set(key, inline);
      else if (i + 1 < args.length && !args[i + 1]!.startsWith('--') && !['no-baseline', 'help', 'version'].includes(key)) flags.set(key, args[++i]!);
      else flags.set(key, true);
    } else positional.push(a);
  }
  return { positional, flags };
}

function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : `${(100 * x).toFixed(2)}%`;
}

function printTable(result: KDExperimentResult): void {
  const rows: string[][] = [['run', 'best test acc (mean ± std)', 'last epoch', 'per seed (best)']];
  if (result.teacherAccuracy !== null) rows.push(['teacher', pct(result.teacherAccuracy), '', '']);
  for (const [label, arm] of [['student + KD', result.kd], ['student, no KD', result.baseline]] as const) {
    if (!arm) continue;
    rows.push([label, `${pct(arm.mean)} ± ${(100 * arm.std).toFixed(2)}`, pct(arm.lastMean), arm.bestAccuracies.map((a) => (100 * a).toFixed(1)).join(' ')]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  console.log(`\n${result.name}: ${result.trainSize} training / ${result.testSize} test samples, ${result.epochs} epochs, seeds ${result.seeds.join(',')}`);
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}

/** ONNX teacher paths in a config file are relative to the file (URLs and absolute paths stay). */
function resolveTeacherPaths(spec: KDExperimentConfig['teacher'], base: string): void {
  if (!spec) return;
  if (spec.type === 'onnx' && !/^[a-z]+:\/\//i.test(spec.path) && !isAbsolute(spec.path)) spec.path = resolve(base, spec.path);
  if (spec.type === 'ensemble') spec.members.forEach((m) => resolveTeacherPaths(m, base));
}

async function kdCommand(positional: string[], flags: Map<string, string | true>): Promise<void> {
  let raw: unknown;
  const preset = flags.get('preset');
  if (typeof preset === 'string') {
    raw = PRESETS[preset];
    if (!raw) throw new QDistillError('E_CONFIG', `--preset ${preset}: unknown preset (available: ${Object.keys(PRESETS).join(', ')})`);
    raw = structuredClone(raw);
  } else if (positional[0]) {
    const text = await readFile(positional[0], 'utf8').catch((cause: unknown) => {
      throw new QDistillError('E_CONFIG', `kd: cannot read config file ${positional[0]}`, { cause });
    });
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new QDistillError('E_CONFIG', `kd: ${positional[0]} is not valid JSON (${(cause as Error).message})`, { cause });
    }
  } else {
    throw new QDistillError('E_CONFIG', 'kd: give a config file or --preset <name>');
  }
  const config = validateKDConfig(raw);
  if (typeof preset !== 'string' && positional[0]) resolveTeacherPaths(config.teacher, dirname(resolve(positional[0])));
  const epochs = flags.get('epochs');
  if (typeof epochs === 'string') config.train.epochs = Number(epochs);
  const seeds = flags.get('seeds');
  if (typeof seeds === 'string') config.train.seeds = seeds.split(',').map(Number);
  if (flags.get('no-baseline')) config.baseline = false;
  validateKDConfig(config);

  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{run} seed {seed} |{bar}| epoch {epoch}/{epochs} step {step}/{steps} loss {loss} acc {acc} {rate}/s eta {eta_formatted}',
      noTTYOutput: false,
      hideCursor: interactive,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let barKey = '';
  let lastLog = 0;
  const checkpointDir = flags.get('checkpoint-dir');
  const bestSoFar = new Map<string, number>();
  const result = await runKDExperiment(config, nodeExperimentEnvironment(), {
    onEpoch: async (run, seed, record, student) => {
      if (typeof checkpointDir !== 'string') return;
      const key = `${run}-seed${seed}`;
      if (record.testAccuracy <= (bestSoFar.get(key) ?? -1)) return;
      bestSoFar.set(key, record.testAccuracy);
      const file = join(resolve(checkpointDir), `${config.name ?? 'experiment'}-${key}.qdc`);
      await mkdir(dirname(file), { recursive: true });
      await writeFileAtomic(file, serializeHybridCheckpoint(student, { metadata: { epoch: record.epoch, testAccuracy: record.testAccuracy } }));
    },
    onMessage: (m) => process.stderr.write(`${m}\n`),
    onProgress: ({ run, seed, progress: p }) => {
      const key = `${run}/${seed}`;
      const total = p.epochs * p.stepsPerEpoch;
      const value = (p.epoch - 1) * p.stepsPerEpoch + p.step;
      const payload = { run, seed, epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.stepsPerEpoch, loss: p.loss.toFixed(3), acc: p.accuracy.toFixed(3), rate: Math.round(p.samplesPerSecond) };
      if (!interactive) {
        // Not a terminal (CI, pipes): one line per epoch end instead of redraws.
        if (p.step === p.stepsPerEpoch && performance.now() - lastLog > 0) {
          process.stderr.write(`${run} seed ${seed} epoch ${p.epoch}/${p.epochs} loss ${payload.loss} acc ${payload.acc} ${payload.rate} samples/s\n`);
          lastLog = performance.now();
        }
        return;
      }
      if (key !== barKey) {
        if (barKey) bar.stop();
        bar.start(total, value, payload);
        barKey = key;
      } else bar.update(value, payload);
    },
  });
  if (barKey) bar.stop();
  printTable(result);
  const summary = {
    experiment: result.name,
    testAccuracy: result.kd?.mean ?? null,
    testAccuracyStd: result.kd?.std ?? null,
    baselineAccuracy: result.baseline?.mean ?? null,
    baselineAccuracyStd: result.baseline?.std ?? null,
    teacherAccuracy: result.teacherAccuracy,
    epochs: result.epochs,
    seeds: result.seeds,
    trainSize: result.trainSize,
    testSize: result.testSize,
    seconds: Number(result.seconds.toFixed(2)),
  };
  console.log(JSON.stringify(summary));
}

/** Entry point; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, flags } = parseFlags(rest);
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      console.log(HELP);
      return 0;
    }
    if (command === '--version') {
      const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      console.log(pkg.version);
      return 0;
    }
    if (command === 'presets') {
      for (const [name, preset] of Object.entries(PRESETS)) console.log(`${name}\t${preset.notes ?? ''}`);
      return 0;
    }
    if (command === 'kd') {
      await kdCommand(positional, flags);
      return 0;
    }
    if (command === 'teacher' && positional[0] === 'train') {
      const summary = await trainTeacherCommand(Object.fromEntries(flags), (m) => process.stderr.write(`${m}\n`));
      console.log(JSON.stringify(summary));
      return 0;
    }
    console.error(`qdistill: unknown command "${[command, ...positional].join(' ')}"\n\n${HELP}`);
    return 2;
  } catch (error) {
    if (isQDistillError(error)) {
      console.error(`qdistill: ${error.message} [${error.code}]`);
      console.log(JSON.stringify({ error: { code: error.code, message: error.message } }));
      return 1;
    }
    throw error;
  }
}
