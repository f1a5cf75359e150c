#!/usr/bin/env node
// Runs paper 000's dataset-distillation configs through the CLI
// (`node bin/qdistill.js dd <config>`) one after another, and stores each
// run's final JSON line with the config, seeds, versions and wall time in
// experiments/results/<name>.json. Then `node experiments/paper-000/table.mjs`
// writes experiments/paper-000/RESULTS.md from them.
//
//   node experiments/paper-000/run.mjs                    every MNIST config here
//   node experiments/paper-000/run.mjs 000-mnist-10-lenet.json …
//   node experiments/paper-000/run.mjs --skip-done        skip configs that already have a result
//   node experiments/paper-000/run.mjs --bin path/to/qdistill.js   another build of the CLI
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliJson } from '../cli-run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const skipDone = args.includes('--skip-done');
const bin = args.includes('--bin') ? resolve(args[args.indexOf('--bin') + 1]) : join(root, 'bin', 'qdistill.js');
let configs = args.filter((a, i) => a.endsWith('.json') && args[i - 1] !== '--bin').map((a) => resolve(here, basename(a)));
if (configs.length === 0) configs = readdirSync(here).filter((f) => f.startsWith('000-mnist') && f.endsWith('.json')).sort().map((f) => join(here, f));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outDir = join(here, 'out');
mkdirSync(join(root, 'experiments', 'results'), { recursive: true });
for (const config of configs) {
  const name = basename(config, '.json');
  const out = join(root, 'experiments', 'results', `${name}.json`);
  if (skipDone && existsSync(out)) continue;
  const command = `npx qdistill dd ${relative(root, config)} --out ${relative(root, outDir)}`;
  process.stderr.write(`\n== ${command}\n`);
  const { summary, wallSeconds } = runCliJson(bin, ['dd', config, '--out', outDir], root);
  writeFileSync(out, `${JSON.stringify({
    config: relative(join(root, 'experiments'), config),
    configContents: JSON.parse(readFileSync(config, 'utf8')),
    command,
    wallSeconds,
    versions: { qdistill: pkg.version, node: process.version, pngjs: pkg.dependencies?.pngjs ?? null },
    date: new Date().toISOString(),
    summary,
  }, null, 2)}\n`);
}
