// Budget tuning of the mnist-10 preset on VALIDATION only (the test split is never loaded here):
// `npx tsx experiments/paper-000/scripts/budget-grid.ts '<json settings>' <label> [workers]`
// runs distillDataset for the R-H quantum LeNet (10 images) on the canonical MNIST training split minus the
// experiment's 1,000 validation images (same split seed as runDDExperiment), records the validation accuracy curve
// (every outer epoch) against iterations and seconds, and appends one JSON line to experiments/paper-000/budget/grid.jsonl.
import { appendFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadMnist } from '../../../sdk/data/node/mnist.js';
import { trainValidationSplit } from '../../../sdk/data/select.js';
import { distillDataset, type DistillDatasetOptions } from '../../../sdk/distill/dataset.js';
import { createWorkerPool, useWorkerPool } from '../../../sdk/workers/index.js';

const settings = JSON.parse(process.argv[2] ?? '{}') as Partial<DistillDatasetOptions> & { model?: DistillDatasetOptions['model'] };
const label = process.argv[3] ?? 'run';
const workers = Number(process.argv[4] ?? 1);
const pool = workers > 1 ? await createWorkerPool({ workers }) : null;
if (pool) useWorkerPool(pool);
const { train: full } = await loadMnist();
const { train, validation } = trainValidationSplit(full, { validation: 1000, seed: 12345 });
const curve: Array<{ iteration: number; seconds: number; validation: number }> = [];
const load0 = loadavg()[0]!;
const started = performance.now();
const result = await distillDataset({
  model: { arch: 'quantum-lenet-000', numClasses: 10, seed: settings.seed ?? 0 },
  imagesPerClass: 1, steps: 1, epochs: 3, init: 'fixed', evalEvery: 1,
  ...settings,
  realData: train, validation,
  onProgress: (p) => {
    if (p.validationAccuracy !== null) {
      curve.push({ iteration: p.iteration, seconds: +p.seconds.toFixed(1), validation: p.validationAccuracy });
      console.error(`${label}: it ${p.iteration} ${p.seconds.toFixed(0)} s val ${(100 * p.validationAccuracy).toFixed(1)} lr ${p.learningRates.map((v) => v.toFixed(3)).join('/')}`);
    }
  },
});
const line = {
  label, settings, workers, iterations: result.iterations, seconds: +((performance.now() - started) / 1000).toFixed(1),
  secondsPerIteration: +result.secondsPerIteration.toFixed(3), loadStart: load0, loadEnd: loadavg()[0]!,
  finalValidation: result.validationAccuracy, bestValidation: Math.max(...curve.map((c) => c.validation)), learningRates: result.distilled.learningRates, curve,
};
mkdirSync(new URL('../budget/', import.meta.url), { recursive: true });
appendFileSync(new URL('../budget/grid.jsonl', import.meta.url), `${JSON.stringify(line)}\n`);
console.log(JSON.stringify(line));
await pool?.dispose();
