/** `qdistill kd`: knowledge-distillation experiments from a JSON config or a preset, with paired statistics and sweeps. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  ARM_LABELS, historyHash, QDistillError, validateKDConfig, runKDExperiment, runKDSweep, parseSetFlag,
  type ArmName, type ExperimentHooks, type KDExperimentConfig, type KDExperimentResult, type SweepResult,
} from '../index.js';
import { fileCheckpointStore, nodeExperimentEnvironment } from '../node.js';
import { parseCommandArgs, parseIntList, parsePositiveInt, type Command } from './args.js';
import { catchInterrupts, reportInterruption } from './interrupt.js';
import { bestStudentWriter } from './kd-best-student.js';
import { kdJobRunner, type KDJobRunner } from './kd-jobs.js';
import { KD_PRESETS } from './presets.js';
import { pct, printTable, ProgressReporter } from './progress.js';
import { withWorkerPool, workersFlag, WORKERS_HELP } from './workers.js';

const HELP = `qdistill kd — knowledge distillation into a quantum student, with honest comparisons

Usage:
  qdistill kd <config.json> [flags]
  qdistill kd --preset <name> [flags]      (qdistill presets lists them)

Flags:
  --epochs N             override train.epochs
  --seeds a,b,c          override train.seeds (paired: every arm runs on every seed)
  --arms a,b             override the arms: kd, kd-labelled, baseline, pseudo-labels
  --protocol NAME        run a paper's exact protocol (paper-003-exact)
  --set path=v1,v2,…     sweep a config value (repeatable: the grid of all --set);
                         selection uses the validation split only, then the
                         selected point runs every arm and reads the test split once
  --out FILE             also write the full results (config, runs, histories) as JSON
  --checkpoint-dir DIR   keep each run's best-validation student there
                         (<name>-<arm>-seed<s>.qdc) and, at every epoch end,
                         its whole training state (<name>-<arm>-seed<s>.qdstate:
                         weights, optimiser, RNG states, history, best epoch)
  --resume               continue the runs saved in --checkpoint-dir (after
                         Ctrl-C, kill or a crash): finished runs are not trained
                         again, the interrupted one continues where it stopped,
                         and the results are those of an uninterrupted run
  --jobs N               run N runs (arms × seeds, sweep points) at once, each in
                         a worker of its own (default 1); same results, same order
${WORKERS_HELP}

Ctrl-C (or SIGTERM) stops after the current step, saving the state first when
--checkpoint-dir is given; a second Ctrl-C exits at once. Exit code 130.

Every run selects its epoch on a validation split carved from the training
data; the test split is read once per run. Arms share seeds, initial weights
and batch order; the table gives mean ± std over seeds and the paired
difference with its 95 % confidence interval.

The last line of stdout is one JSON object: testAccuracy, baselineAccuracy,
pseudoLabelAccuracy, gain, gainCI95, selection, seeds, teacherAccuracy,
seconds, historyHash (a fingerprint of every run's per-epoch metrics), …. Progress is drawn on stderr.`;

/** ONNX teacher paths in a config file are relative to the file (URLs and absolute paths stay). */
function resolveTeacherPaths(spec: KDExperimentConfig['teacher'], base: string): void {
  if (!spec) return;
  if (spec.type === 'onnx' && !/^[a-z]+:\/\//i.test(spec.path) && !isAbsolute(spec.path)) spec.path = resolve(base, spec.path);
  if (spec.type === 'ensemble') spec.members.forEach((m) => resolveTeacherPaths(m, base));
}

const ci = (c: KDExperimentResult['comparisons'][number] | undefined): string => {
  if (!c?.comparison.interval) return '';
  const [lo, hi] = c.comparison.interval;
  const s = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
  return `${s(c.comparison.meanDifference)} [${s(lo)}, ${s(hi)}]`;
};

/** The result as a table and verdict lines on stdout. */
export function printKDResult(result: KDExperimentResult): void {
  const s = result.sizes;
  console.log(`\n${result.name}: ${s.labelled} labelled, ${s.transfer} transfer, ${s.validation} validation, ${s.test} test samples; seeds ${result.seeds.join(',')}`);
  const rows: string[][] = [['run', 'epochs', 'validation', 'test (selected epoch)', 'test (last epoch)', 'per seed (test)']];
  if (result.teacher) rows.push(['teacher', '', pct(result.teacher.validationAccuracy), pct(result.teacher.testAccuracy), '', '']);
  for (const arm of Object.keys(result.arms) as ArmName[]) {
    const a = result.arms[arm]!;
    rows.push([
      `student, ${ARM_LABELS[arm]}`, String(a.epochs), `${pct(a.validation.mean)} ± ${(100 * a.validation.std).toFixed(2)}`,
      `${pct(a.test.mean)} ± ${(100 * a.test.std).toFixed(2)}`, pct(a.lastTest.mean), a.runs.map((r) => (100 * r.testAccuracy).toFixed(1)).join(' '),
    ]);
  }
  printTable(rows);
  if (result.comparisons.length) console.log('');
  for (const c of result.comparisons) console.log(c.comparison.verdict);
  if (!result.pairedInit) console.log('warning: the arms of a seed did not start from identical weights; the comparison is not paired');
}

function summaryLine(result: KDExperimentResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const arm = (name: ArmName): number | null => result.arms[name]?.test.mean ?? null;
  const gain = result.comparisons.find((c) => c.a === 'kd' && c.b === 'baseline');
  const vsPseudo = result.comparisons.find((c) => c.a === 'kd' && c.b === 'pseudo-labels');
  return {
    experiment: result.name,
    testAccuracy: arm('kd') ?? arm('kd-labelled') ?? arm('baseline'),
    testAccuracyStd: result.arms.kd?.test.std ?? null,
    baselineAccuracy: arm('baseline'),
    baselineAccuracyStd: result.arms.baseline?.test.std ?? null,
    pseudoLabelAccuracy: arm('pseudo-labels'),
    kdLabelledAccuracy: arm('kd-labelled'),
    gain: gain?.comparison.meanDifference ?? null,
    gainCI95: gain?.comparison.interval ?? null,
    gainVerdict: gain?.comparison.verdict ?? null,
    gainOverPseudoLabels: vsPseudo?.comparison.meanDifference ?? null,
    gainOverPseudoLabelsCI95: vsPseudo?.comparison.interval ?? null,
    selection: result.selection,
    pairedInit: result.pairedInit,
    seeds: result.seeds,
    teacherAccuracy: result.teacher?.testAccuracy ?? null,
    epochs: result.config.train.epochs,
    sizes: result.sizes,
    seconds: Number(result.seconds.toFixed(2)),
    // Bit-exact fingerprint of every run's per-epoch metrics (the web studio prints the same for the same run).
    historyHash: historyHash(result),
    ...extra,
  };
}

async function loadConfig(positionals: string[], preset: string | undefined): Promise<KDExperimentConfig> {
  if (preset !== undefined && positionals[0]) throw new QDistillError('E_USAGE', 'qdistill kd: give a config file or --preset, not both');
  if (preset !== undefined) {
    const found = KD_PRESETS[preset];
    if (!found) throw new QDistillError('E_USAGE', `qdistill kd --preset ${preset}: unknown preset (available: ${Object.keys(KD_PRESETS).join(', ')})`);
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

function printSweep(sweep: SweepResult): void {
  console.log('\nsweep (selected on validation; the test split was read only for the selected point):');
  const keys = Object.keys(sweep.points[0]!.assignment);
  const rows: string[][] = [[...keys, `validation (${sweep.points[0]!.arm}, mean ± std)`, '']];
  sweep.points.forEach((p, i) => rows.push([...keys.map((k) => JSON.stringify(p.assignment[k])), `${pct(p.validation.mean)} ± ${(100 * p.validation.std).toFixed(2)}`, i === sweep.selected ? '← selected' : '']));
  printTable(rows);
}

export const kdCommand: Command = {
  name: 'kd',
  summary: '<config.json> | --preset <name>   knowledge distillation: KD vs no KD vs pseudo-labels',
  help: HELP,
  async run(argv) {
    const { values, positionals, help } = parseCommandArgs('kd', argv, {
      preset: { type: 'string' }, epochs: { type: 'string' }, seeds: { type: 'string' }, arms: { type: 'string' },
      protocol: { type: 'string' }, set: { type: 'string', multiple: true }, out: { type: 'string' }, 'checkpoint-dir': { type: 'string' },
      resume: { type: 'boolean' }, jobs: { type: 'string' }, workers: { type: 'string' },
    }, 1);
    if (help) {
      console.log(HELP);
      return 0;
    }
    const config = await loadConfig(positionals, values.preset as string | undefined);
    if (typeof values.epochs === 'string') config.train.epochs = parsePositiveInt('epochs', values.epochs);
    if (typeof values.seeds === 'string') config.train.seeds = parseIntList('seeds', values.seeds, { min: 0 });
    if (typeof values.arms === 'string') {
      const arms = values.arms.split(',');
      if (arms.some((a) => !a)) throw new QDistillError('E_USAGE', `--arms: expected a comma-separated list, got ${JSON.stringify(values.arms)}`);
      config.arms = arms as ArmName[];
    }
    if (typeof values.protocol === 'string') config.protocol = { name: values.protocol as 'paper-003-exact' };
    validateKDConfig(config);
    const axes = ((values.set as string[] | undefined) ?? []).map(parseSetFlag);
    const jobs = typeof values.jobs === 'string' ? parsePositiveInt('jobs', values.jobs) : 1;
    const workers = await workersFlag(values.workers);

    const progress = new ProgressReporter();
    const checkpointDir = values['checkpoint-dir'] as string | undefined;
    const resume = values.resume === true;
    if (resume && checkpointDir === undefined) throw new QDistillError('E_USAGE', 'qdistill kd --resume: needs --checkpoint-dir DIR (where the interrupted run saved its state)');
    if (checkpointDir !== undefined && !resume) {
      const saved = (await readdir(resolve(checkpointDir)).catch(() => [] as string[])).filter((f) => f.endsWith('.qdstate'));
      if (saved.length) progress.message(`${checkpointDir} holds ${saved.length} saved run state(s): starting afresh and overwriting them (pass --resume to continue them)`);
    }
    const interrupts = catchInterrupts((signal) =>
      progress.message(`${signal}: stopping after the current step${checkpointDir !== undefined ? `, saving the state in ${checkpointDir}` : ''} (press Ctrl-C again to quit at once)`),
    );
    const hooks: ExperimentHooks = {
      signal: interrupts.signal,
      ...(checkpointDir !== undefined
        ? { checkpoint: { store: fileCheckpointStore(checkpointDir), resume }, onEpoch: bestStudentWriter(checkpointDir, config.name ?? 'experiment') }
        : {}),
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
    };
    const env = nodeExperimentEnvironment();
    let result: KDExperimentResult;
    let sweep: SweepResult | null = null;
    let jobRunner: KDJobRunner | null = null;
    try {
      if (jobs > 1) {
        jobRunner = await kdJobRunner(jobs, { ...(checkpointDir !== undefined ? { checkpointDir } : {}), resume, name: config.name ?? 'experiment' }, hooks);
        hooks.runs = jobRunner.runs;
      }
      [result, sweep] = await withWorkerPool(workers, async (): Promise<[KDExperimentResult, SweepResult | null]> => {
        if (!axes.length) return [await runKDExperiment(config, env, hooks), null];
        const swept = await runKDSweep(config, axes, env, hooks);
        return [swept.result, swept];
      });
    } catch (error) {
      return reportInterruption(error, interrupts, 'kd', argv, checkpointDir, () => progress.stop());
    } finally {
      interrupts.dispose();
      await jobRunner?.dispose();
    }
    progress.stop();
    if (sweep) printSweep(sweep);
    printKDResult(result);
    const extra = sweep ? { sweep: sweep.points.map((p) => ({ ...p.assignment, validation: p.validation.mean })), selectedPoint: sweep.points[sweep.selected]!.assignment } : {};
    if (typeof values.out === 'string') {
      const versions = { qdistill: JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version as string, node: process.version };
      await mkdir(dirname(resolve(values.out)), { recursive: true });
      await writeFile(values.out, `${JSON.stringify({ command: `qdistill kd ${argv.join(' ')}`, versions, summary: summaryLine(result, extra), result, sweep: sweep?.points ?? null }, null, 1)}\n`);
    }
    console.log(JSON.stringify(summaryLine(result, extra)));
    return 0;
  },
};
