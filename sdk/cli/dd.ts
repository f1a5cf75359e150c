/** `qdistill dd`: dataset distillation (paper 000) from a JSON config or a preset, and `--evaluate` of a distilled file. */
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  QDistillError, evaluateDistilled, runDDExperiment, validateDDConfig,
  type DDDatasetSpec, type DDExperimentConfig, type DDExperimentResult, type DistillProgress,
} from '../index.js';
import { fileCheckpointStore, loadDistilledFile, nodeDDEnvironment, saveDistilledFile, writeDistilledPng } from '../node.js';
import { parseCommandArgs, parseIntList, parsePositiveInt, type Command } from './args.js';
import { readJsonConfig } from './config-file.js';
import { DD_PRESETS } from './dd-presets.js';
import { catchInterrupts, reportInterruption } from './interrupt.js';
import { pct, printTable, ProgressReporter } from './progress.js';
import { withWorkerPool, workersFlag, WORKERS_HELP } from './workers.js';

const HELP = `qdistill dd — dataset distillation (performance matching, paper 000)

Usage:
  qdistill dd <config.json> [flags]
  qdistill dd --preset <name> [flags]        (qdistill presets lists them)
  qdistill dd --evaluate <file.qdd.json>     replay a distilled file on its test split

Flags:
  --seeds a,b,c          override seeds
  --outer-epochs N       override distill.outerEpochs
  --max-iterations N     stop after N outer iterations
  --out DIR              where the distilled files (.qdd.json) and image grids (.png) go (default: dd-out)
  --no-baselines         skip the random-real / class-mean / k-means baselines
  --checkpoint-dir DIR   keep each seed's distillation state there
                         (<name>-seed<k>.qdstate: images, learning rates,
                         Adam and StepLR state, generators, position,
                         history) at every outer epoch end, on Ctrl-C and
                         when it finishes
  --resume               continue the seeds saved in --checkpoint-dir (after
                         Ctrl-C, SIGTERM or kill -9): the history and images
                         are bit-identical to an uninterrupted run
${WORKERS_HELP}

Ctrl-C (or SIGTERM) stops after the current outer iteration, saving the
position when --checkpoint-dir is given; a second Ctrl-C exits at once.
Exit code 130.

Writes <name>-seed<k>.qdd.json (replayable: qdistill dd --evaluate) and
<name>-seed<k>.png per seed. The last line of stdout is one JSON object
(testAccuracy, randomRealAccuracy, classMeanAccuracy, kmeansAccuracy, model,
images, seconds, …). Progress with ETA is drawn on stderr.`;

function resolveDataPaths(spec: DDDatasetSpec, base: string): void {
  if (spec.name !== 'cifar10') return;
  const fix = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  spec.trainFiles = spec.trainFiles.map(fix);
  spec.testFiles = spec.testFiles.map(fix);
}

async function loadConfig(positionals: string[], preset: string | undefined): Promise<DDExperimentConfig> {
  if (preset !== undefined && positionals[0]) throw new QDistillError('E_USAGE', 'qdistill dd: give a config file or --preset, not both');
  if (preset !== undefined) {
    const found = DD_PRESETS[preset];
    if (!found) throw new QDistillError('E_USAGE', `qdistill dd --preset ${preset}: unknown preset (available: ${Object.keys(DD_PRESETS).join(', ')})`);
    return validateDDConfig(structuredClone(found.config));
  }
  const file = positionals[0];
  if (!file) throw new QDistillError('E_USAGE', 'qdistill dd: give a config file, --preset <name> or --evaluate <file> (see: qdistill dd --help)');
  const raw = await readJsonConfig('dd', file);
  const config = validateDDConfig(raw);
  resolveDataPaths(config.dataset, dirname(resolve(file)));
  return config;
}

const clock = (s: number): string => {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
};

function progressDetail(p: DistillProgress): string {
  const val = p.validationAccuracy === null ? '' : ` val ${pct(p.validationAccuracy, 1)}`;
  return `epoch ${p.epoch}/${p.epochs} loss ${p.outerLoss.toFixed(3)}${val} lr ${p.learningRates.map((v) => v.toFixed(3)).join('/')} elapsed ${clock(p.seconds)} eta ${clock(p.etaSeconds)}`;
}

function printResult(result: DDExperimentResult): void {
  console.log(`\n${result.name}: ${result.model.arch}, ${result.images} distilled images, ${result.trainSize} training / ${result.validationSize} validation / ${result.testSize} test images, seeds ${result.seeds.join(',')}`);
  const rows: string[][] = [['training set', 'test accuracy (mean ± std)', 'per seed']];
  const line = (label: string, values: Array<number | null>, s: { mean: number; std: number } | null): void => {
    if (!s) return;
    rows.push([label, `${pct(s.mean)} ± ${(100 * s.std).toFixed(2)}`, values.map((v) => (v === null ? '—' : (100 * v).toFixed(1))).join(' ')]);
  };
  line('distilled (learned lrs)', result.runs.map((r) => r.testAccuracy), result.testAccuracy);
  line('random real, same replay', result.runs.map((r) => r.randomRealAccuracy), result.randomRealAccuracy);
  line('class means, same replay', result.runs.map((r) => r.classMeanAccuracy), result.classMeanAccuracy);
  line('k-means, same replay', result.runs.map((r) => r.kmeansAccuracy), result.kmeansAccuracy);
  line('initial network', result.runs.map((r) => r.initialAccuracy), { mean: result.runs.reduce((s, r) => s + r.initialAccuracy, 0) / result.runs.length, std: 0 });
  printTable(rows);
  const moved = result.runs.map((r) => r.circuitWeights).filter((c) => c !== null);
  if (moved.length) {
    console.log(`circuit weights during the replayed steps: ${moved.map((c) => `moved ${c!.moved ? 'yes' : 'NO'}, max |Δ| ${c!.maxAbsChange.toExponential(2)}, relative ${c!.relativeChange.toExponential(2)} (other parameters ${c!.otherRelativeChange.toExponential(2)})`).join('; ')}`);
  }
}

async function evaluateFile(file: string): Promise<number> {
  const { distilled, metrics } = await loadDistilledFile(file);
  const spec = (metrics.dataset as DDDatasetSpec | undefined) ?? { name: 'mnist', ...(distilled.classIds ? { classes: distilled.classIds } : {}) };
  const started = performance.now();
  const { test } = await nodeDDEnvironment().loadDataset(spec);
  const evaluation = await evaluateDistilled(distilled, test);
  console.log(`${file}: ${distilled.model.arch}, ${distilled.labels.length} images, ${distilled.learningRates.length} steps; test accuracy ${pct(evaluation.accuracy)} (initial network ${pct(evaluation.initialAccuracy)})`);
  console.log(JSON.stringify({
    file,
    model: distilled.model.arch,
    images: distilled.labels.length,
    testAccuracy: evaluation.accuracy,
    initialAccuracy: evaluation.initialAccuracy,
    learningRates: distilled.learningRates,
    circuitWeightsMoved: evaluation.circuitWeights?.moved ?? null,
    recordedTestAccuracy: typeof metrics.testAccuracy === 'number' ? metrics.testAccuracy : null,
    testSize: test.y.length,
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  }));
  return 0;
}

export const ddCommand: Command = {
  name: 'dd',
  summary: '<config.json> | --preset <name>   dataset distillation vs random real images',
  help: HELP,
  async run(argv) {
    const { values, positionals, help } = parseCommandArgs('dd', argv, {
      preset: { type: 'string' }, evaluate: { type: 'string' }, seeds: { type: 'string' }, 'outer-epochs': { type: 'string' },
      'max-iterations': { type: 'string' }, out: { type: 'string' }, 'no-baselines': { type: 'boolean' }, workers: { type: 'string' },
      'checkpoint-dir': { type: 'string' }, resume: { type: 'boolean' },
    }, 1);
    if (help) {
      console.log(HELP);
      return 0;
    }
    if (typeof values.evaluate === 'string') {
      if (positionals.length || values.preset !== undefined) throw new QDistillError('E_USAGE', 'qdistill dd: --evaluate takes a distilled file and no config or preset');
      return evaluateFile(values.evaluate);
    }
    const config = await loadConfig(positionals, values.preset as string | undefined);
    const distill = (config.distill ??= {});
    if (typeof values.seeds === 'string') config.seeds = parseIntList('seeds', values.seeds, { min: 0 });
    if (typeof values['outer-epochs'] === 'string') distill.outerEpochs = parsePositiveInt('outer-epochs', values['outer-epochs']);
    if (typeof values['max-iterations'] === 'string') distill.maxIterations = parsePositiveInt('max-iterations', values['max-iterations']);
    if (values['no-baselines']) config.baselines = false;
    validateDDConfig(config);
    const outDir = resolve((values.out as string | undefined) ?? 'dd-out');

    const progress = new ProgressReporter();
    const checkpointDir = values['checkpoint-dir'] as string | undefined;
    const resume = values.resume === true;
    if (resume && checkpointDir === undefined) throw new QDistillError('E_USAGE', 'qdistill dd --resume: needs --checkpoint-dir DIR (where the interrupted run saved its state)');
    if (checkpointDir !== undefined && !resume) {
      const saved = (await readdir(resolve(checkpointDir)).catch(() => [] as string[])).filter((f) => f.endsWith('.qdstate'));
      if (saved.length) progress.message(`${checkpointDir} holds ${saved.length} saved run state(s): starting afresh and overwriting them (pass --resume to continue them)`);
    }
    const started = performance.now();
    let lastEpoch = 0;
    const interrupts = catchInterrupts((signal) =>
      progress.message(`${signal}: stopping after the current outer iteration${checkpointDir !== undefined ? `, saving the state in ${checkpointDir}` : ''} (press Ctrl-C again to quit at once)`),
    );
    let result: DDExperimentResult;
    try {
      result = await withWorkerPool(await workersFlag(values.workers), () => runDDExperiment(config, nodeDDEnvironment(), {
        signal: interrupts.signal,
        ...(checkpointDir !== undefined ? { checkpoint: { store: fileCheckpointStore(checkpointDir), resume } } : {}),
        onMessage: (m) => progress.message(m),
        onProgress: (seed, p) => {
          const epochEnd = p.epoch !== lastEpoch;
          lastEpoch = p.epoch;
          progress.update({ key: `dd seed ${seed}`, value: p.iteration, total: p.iterations, detail: progressDetail(p), milestone: epochEnd || p.validationAccuracy !== null });
        },
      }));
    } catch (error) {
      return reportInterruption(error, interrupts, 'dd', argv, checkpointDir, () => progress.stop());
    } finally {
      interrupts.dispose();
    }
    progress.stop();
    await mkdir(outDir, { recursive: true });
    const files: string[] = [];
    for (const run of result.runs) {
      const base = join(outDir, `${result.name}-seed${run.seed}`);
      await saveDistilledFile(`${base}.qdd.json`, run.distilled, {
        dataset: config.dataset, testAccuracy: run.testAccuracy, randomRealAccuracy: run.randomRealAccuracy, classMeanAccuracy: run.classMeanAccuracy,
        kmeansAccuracy: run.kmeansAccuracy, validationAccuracy: run.validationAccuracy, iterations: run.iterations,
      });
      await writeDistilledPng(`${base}.png`, run.distilled);
      files.push(`${base}.qdd.json`, `${base}.png`);
    }
    printResult(result);
    const circuit = result.runs.map((r) => r.circuitWeights);
    console.log(JSON.stringify({
      experiment: result.name,
      model: result.model.arch,
      images: result.images,
      testAccuracy: result.testAccuracy.mean,
      testAccuracyStd: result.testAccuracy.std,
      randomRealAccuracy: result.randomRealAccuracy?.mean ?? null,
      randomRealAccuracyStd: result.randomRealAccuracy?.std ?? null,
      classMeanAccuracy: result.classMeanAccuracy?.mean ?? null,
      kmeansAccuracy: result.kmeansAccuracy?.mean ?? null,
      differenceVsRandomReal: result.differenceVsRandomReal ? { mean: result.differenceVsRandomReal.mean, ci95: result.differenceVsRandomReal.ci95 } : null,
      perSeed: result.runs.map((r) => ({
        seed: r.seed, testAccuracy: r.testAccuracy, randomRealAccuracy: r.randomRealAccuracy, classMeanAccuracy: r.classMeanAccuracy, kmeansAccuracy: r.kmeansAccuracy,
        validationAccuracy: r.validationAccuracy, initialAccuracy: r.initialAccuracy, learningRates: r.learningRates, iterations: r.iterations,
        secondsPerIteration: Number(r.secondsPerIteration.toFixed(3)), hvpRetries: r.hvpRetries, hvpUnresolved: r.hvpUnresolved,
      })),
      circuitWeightsMoved: circuit.every((c) => c === null) ? null : circuit.every((c) => c?.moved === true),
      circuitWeightRelativeChange: circuit.every((c) => c === null) ? null : circuit.map((c) => c?.relativeChange ?? null),
      seeds: result.seeds,
      iterations: result.runs.map((r) => r.iterations),
      outerEpochs: config.distill?.outerEpochs ?? 400,
      trainSize: result.trainSize,
      validationSize: result.validationSize,
      testSize: result.testSize,
      files,
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    }));
    return 0;
  },
};
