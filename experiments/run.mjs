#!/usr/bin/env node
// Runs experiment configs through the CLI (`node bin/qdistill.js kd <config>`)
// and stores each run's final JSON line (plus the command and wall time) in
// experiments/results/<name>.json. Then `node experiments/results.mjs` writes
// RESULTS.md from them.
//
//   node experiments/run.mjs                       every config under experiments/
//   node experiments/run.mjs paper-003/003-paper-mnist-c6-q3-lenet.json …
//   node experiments/run.mjs --match fashion       configs whose path contains "fashion"
//   node experiments/run.mjs --skip-done           skip configs that already have a result
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  configs = ['paper-003', 'paper-002'].flatMap((d) =>
    existsSync(join(here, d)) ? readdirSync(join(here, d)).filter((f) => f.endsWith('.json')).map((f) => join(here, d, f)) : [],
  );
}
if (match) configs = configs.filter((c) => c.includes(match));
mkdirSync(join(here, 'results'), { recursive: true });
for (const config of configs) {
  const name = basename(config, '.json');
  const out = join(here, 'results', `${name}.json`);
  if (skipDone && existsSync(out)) continue;
  const command = `npx qdistill kd ${relative(root, config)}`;
  process.stderr.write(`\n== ${command}\n`);
  const { summary, wallSeconds } = runCliJson(join(root, 'bin', 'qdistill.js'), ['kd', config], root);
  writeFileSync(out, `${JSON.stringify({ config: relative(here, config), command, wallSeconds, node: process.version, date: new Date().toISOString(), summary }, null, 2)}\n`);
}
