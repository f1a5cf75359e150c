/** `qdistill kd`: knowledge-distillation experiments from a JSON config or a preset. */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  QDistillError, validateKDConfig, runKDExperiment, serializeHybridCheckpoint, type KDExperimentConfig, type KDExperimentResult,
} from '../index.js';
import { nodeExperimentEnvironment, writeFileAtomic } from '../node.js';
import { parseCommandArgs, parseIntList, parsePositiveInt, type Command } from './args.js';
import { KD_PRESETS } from './presets.js';
import { pct, printTable, ProgressReporter } from './progress.js';

const HELP = `qdistill kd — knowledge distillation: a student with and without a teacher

Usage:
  qdistill kd <config.json> [flags]
  qdistill kd --preset <name> [flags]      (qdistill presets lists them)

Flags:
  --epochs N            override train.epochs
  --seeds a,b,c         override train.seeds
  --no-baseline         skip the run without a teacher
  --checkpoint-dir DIR  keep the best student of every run there (.qdc)

The last line of stdout is one JSON object (testAccuracy, baselineAccuracy,
teacherAccuracy, epochs, seconds, …). Progress is drawn on stderr.`;

/** ONNX teacher paths in a config file are relative to the file (URLs and absolute paths stay). */
function resolveTeacherPaths(spec: KDExperimentConfig['teacher'], base: string): void {
  if (!spec) return;
  if (spec.type === 'onnx' && !/^[a-z]+:\/\//i.test(spec.path) && !isAbsolute(spec.path)) spec.path = resolve(base, spec.path);
  if (spec.type === 'ensemble') spec.members.forEach((m) => resolveTeacherPaths(m, base));
}

function printResult(result: KDExperimentResult): void {
  console.log(`\n${result.name}: ${result.trainSize} training / ${result.testSize} test samples, ${result.epochs} epochs, seeds ${result.seeds.join(',')}`);
  const rows: string[][] = [['run', 'best test acc (mean ± std)', 'last epoch', 'per seed (best)']];
  if (result.teacherAccuracy !== null) rows.push(['teacher', pct(result.teacherAccuracy), '', '']);
  for (const [label, arm] of [['student + KD', result.kd], ['student, no KD', result.baseline]] as const) {
    if (!arm) continue;
    rows.push([label, `${pct(arm.mean)} ± ${(100 * arm.std).toFixed(2)}`, pct(arm.lastMean), arm.bestAccuracies.map((a) => (100 * a).toFixed(1)).join(' ')]);
  }
  printTable(rows);
}

async function loadConfig(positionals: string[], preset: string | undefined): Promise<KDExperimentConfig> {
  if (preset !== undefined && positionals[0]) throw new QDistillError('E_USAGE', 'qdistill kd: give a config file or --preset, not both');
  if (preset !== undefined) {
    const found = KD_PRESETS[preset];
    if (!found) throw new QDistillError('E_CONFIG', `--preset ${preset}: unknown preset (available: ${Object.keys(KD_PRESETS).join(', ')})`);
    return validateKDConfig(structuredClone(found.config));
  }
  const file = positionals[0];
  if (!file) throw new QDistillError('E_USAGE', 'qdistill kd: give a config file or --preset <name> (see: qdistill kd --help)');
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new QDistillError('E_CONFIG', `kd: cannot read config file ${file}`, { cause });
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new QDistillError('E_CONFIG', `kd: ${file} is not valid JSON (${(cause as Error).message})`, { cause });
  }
  const config = validateKDConfig(raw);
  resolveTeacherPaths(config.teacher, dirname(resolve(file)));
  return config;
}

export const kdCommand: Command = {
  name: 'kd',
  summary: '<config.json> | --preset <name>   knowledge distillation, KD vs no KD',
  help: HELP,
  async run(argv) {
    const { values, positionals, help } = parseCommandArgs('kd', argv, {
      preset: { type: 'string' }, epochs: { type: 'string' }, seeds: { type: 'string' },
      'no-baseline': { type: 'boolean' }, 'checkpoint-dir': { type: 'string' },
    }, 1);
    if (help) {
      console.log(HELP);
      return 0;
    }
    const config = await loadConfig(positionals, values.preset as string | undefined);
    if (typeof values.epochs === 'string') config.train.epochs = parsePositiveInt('epochs', values.epochs);
    if (typeof values.seeds === 'string') config.train.seeds = parseIntList('seeds', values.seeds, { min: 0 });
    if (values['no-baseline']) config.baseline = false;
    validateKDConfig(config);

    const progress = new ProgressReporter();
    const checkpointDir = values['checkpoint-dir'] as string | undefined;
    const bestSoFar = new Map<string, number>();
    const result = await runKDExperiment(config, nodeExperimentEnvironment(), {
      onEpoch: async (run, seed, record, student) => {
        if (checkpointDir === undefined) return;
        const key = `${run}-seed${seed}`;
        if (record.testAccuracy <= (bestSoFar.get(key) ?? -1)) return;
        bestSoFar.set(key, record.testAccuracy);
        const file = join(resolve(checkpointDir), `${config.name ?? 'experiment'}-${key}.qdc`);
        await mkdir(dirname(file), { recursive: true });
        await writeFileAtomic(file, serializeHybridCheckpoint(student, { metadata: { epoch: record.epoch, testAccuracy: record.testAccuracy } }));
      },
      onMessage: (m) => progress.message(m),
      onProgress: ({ run, seed, progress: p }) => {
        progress.update({
          key: `${run} seed ${seed}`,
          value: (p.epoch - 1) * p.stepsPerEpoch + p.step,
          total: p.epochs * p.stepsPerEpoch,
          detail: `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)} acc ${p.accuracy.toFixed(3)} ${Math.round(p.samplesPerSecond)}/s`,
          milestone: p.step === p.stepsPerEpoch,
        });
      },
    });
    progress.stop();
    printResult(result);
    console.log(JSON.stringify({
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
    }));
    return 0;
  },
};
