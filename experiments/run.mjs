#!/usr/bin/env node
// Runs experiment configs through the CLI (`node bin/qdistill.js kd <config>`,
// which needs `npm run build` first) and stores, per config, in
// experiments/results/<name>.json: the command, versions, wall time, the final
// JSON line, and per arm and seed the validation-selected epoch, its
// validation and test accuracy and the last epoch's test accuracy, plus the
// paired comparisons. Then `node experiments/results.mjs` writes RESULTS.md.
//
//   node experiments/run.mjs                       every config under paper-003, paper-002, kd-labels
//   node experiments/run.mjs paper-003/003-paper-mnist-c6-q3-lenet.json …
//   node experiments/run.mjs --match fashion       configs whose path contains "fashion"
//   node experiments/run.mjs --skip-done           skip configs that already have a result
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliJson } from './cli-run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const match = args.includes('--match') ? args[args.indexOf('--match') + 1] : null;
const skipDone = args.includes('--skip-done');
let configs = args.filter((a, i) => a.endsWith('.json') && args[i - 1] !== '--match').map((a) => join(here, a));
if (configs.length === 0) {
  configs = ['kd-labels', 'paper-003', 'paper-002'].flatMap((d) =>
    existsSync(join(here, d)) ? readdirSync(join(here, d)).filter((f) => f.endsWith('.json')).sort().map((f) => join(here, d, f)) : [],
  );
}
if (match) configs = configs.filter((c) => c.includes(match));
mkdirSync(join(here, 'results'), { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'qdistill-results-'));
for (const config of configs) {
  const name = basename(config, '.json');
  const out = join(here, 'results', `${name}.json`);
  if (skipDone && existsSync(out)) continue;
  const command = `npx qdistill kd ${relative(root, config)}`;
  process.stderr.write(`\n== ${command}\n`);
  const full = join(scratch, `${name}.json`);
  const { summary, wallSeconds } = runCliJson(join(root, 'bin', 'qdistill.js'), ['kd', config, '--out', full], root);
  let arms = null;
  let comparisons = null;
  let versions = null;
  if (existsSync(full)) {
    const record = JSON.parse(readFileSync(full, 'utf8'));
    versions = record.versions;
    arms = Object.fromEntries(Object.entries(record.result.arms).map(([arm, a]) => [arm, {
      epochs: a.epochs, validation: a.validation, test: a.test, lastTest: a.lastTest,
      runs: a.runs.map((r) => ({ seed: r.seed, selectedEpoch: r.selectedEpoch, validationAccuracy: r.validationAccuracy, testAccuracy: r.testAccuracy, lastTestAccuracy: r.lastTestAccuracy, seconds: Number(r.seconds.toFixed(2)) })),
    }]));
    comparisons = record.result.comparisons.map((c) => ({ a: c.a, b: c.b, meanDifference: c.comparison.meanDifference, interval: c.comparison.interval, pValue: c.comparison.pValue, verdict: c.comparison.verdict }));
  }
  writeFileSync(out, `${JSON.stringify({ config: relative(here, config), command, wallSeconds, versions, date: new Date().toISOString(), summary, arms, comparisons }, null, 1)}\n`);
}
rmSync(scratch, { recursive: true, force: true });
