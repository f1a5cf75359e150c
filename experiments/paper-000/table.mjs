#!/usr/bin/env node
// Writes the table of experiments/paper-000/RESULTS.md (between the markers)
// from experiments/results/000-*.json (written by run.mjs).
//
//   node experiments/paper-000/table.mjs
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '..', 'results');
const target = join(here, 'RESULTS.md');
const pct = (x) => (x === null || x === undefined ? '—' : (100 * x).toFixed(1));
const pm = (m, s) => (m === null || m === undefined ? '—' : `${pct(m)} ± ${(100 * (s ?? 0)).toFixed(1)}`);

const ORDER = ['lenet', 'qlenet-nr-nh', 'qlenet-nr-h', 'qlenet-r-h', 'qlenet-r-h-frozen'];
const LABEL = {
  lenet: 'classical LeNet',
  'qlenet-nr-nh': 'quantum LeNet NR-NH (no residual, Pauli-Z)',
  'qlenet-nr-h': 'quantum LeNet NR-H (no residual, Hermitian)',
  'qlenet-r-h': 'quantum LeNet R-H (residual, Hermitian)',
  'qlenet-r-h-frozen': 'quantum LeNet R-H, frozen random Hermitian',
};
const files = existsSync(results) ? readdirSync(results).filter((f) => /^000-mnist-10-.*\.json$/.test(f)) : [];
const byKey = new Map(files.map((f) => [f.replace(/^000-mnist-10-|\.json$/g, ''), JSON.parse(readFileSync(join(results, f), 'utf8'))]));
const rows = [
  '| MNIST, 10 images | paper | ours: distilled (mean ± std) | random real, same replay | class means | k-means | distilled − random real (95 % CI) | circuit weights moved | seeds × iterations | command | wall |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const key of ORDER) {
  const r = byKey.get(key);
  if (!r) {
    rows.push(`| ${LABEL[key]} | | (not run) | | | | | | | | |`);
    continue;
  }
  const s = r.summary;
  const paper = r.configContents?.paper?.testAccuracy;
  if (s.error) {
    rows.push(`| ${LABEL[key]} | ${pct(paper)} | error ${s.error.code}: ${s.error.message} | | | | | | | \`${r.command}\` | ${Math.round(r.wallSeconds)} s |`);
    continue;
  }
  const diff = s.differenceVsRandomReal;
  const ci = diff ? `${(100 * diff.mean).toFixed(1)} [${(100 * diff.ci95[0]).toFixed(1)}, ${(100 * diff.ci95[1]).toFixed(1)}]` : '—';
  const moved = s.circuitWeightsMoved === null ? 'n/a' : s.circuitWeightsMoved ? 'yes' : 'no';
  rows.push(
    `| ${LABEL[key]} | ${pct(paper)} | **${pm(s.testAccuracy, s.testAccuracyStd)}** | ${pm(s.randomRealAccuracy, s.randomRealAccuracyStd)} | ${pct(s.classMeanAccuracy)} | ${pct(s.kmeansAccuracy)} | ${ci} | ${moved} | ${s.seeds.length} × ${s.iterations[0]} | \`${r.command}\` | ${Math.round(r.wallSeconds)} s |`,
  );
}
const table = rows.join('\n');
const text = existsSync(target) ? readFileSync(target, 'utf8') : '<!-- table -->\n<!-- /table -->\n';
const out = text.replace(/<!-- table -->[\s\S]*<!-- \/table -->/, `<!-- table -->\n${table}\n<!-- /table -->`);
writeFileSync(target, out);
console.log(table);
