// Writes test/fixtures/nn/f64-kernels.json: the sha256 of the output bits of
// every workload in test/nn/f64-cases.ts, computed on the TypeScript
// reference loops (nn.init() is never called here, so float64 runs there).
// Run: npx tsx scripts/nn-f64-fixture.ts
import { writeFileSync } from 'node:fs';
import { backendName } from '../sdk/nn/index.js';
import { bitsHash, F64_CASES } from '../test/nn/f64-cases.js';

if (backendName() !== undefined) throw new Error('nn-f64-fixture: the reference loops must compute the fixture (nn.init() was called)');
const cases = Object.fromEntries(Object.entries(F64_CASES).map(([name, run]) => [name, bitsHash(run())]));
const out = {
  about: 'sha256 of the float64 output and input-gradient bits of each workload in test/nn/f64-cases.ts, from the TypeScript reference loops (sdk/nn/reference.ts); written by scripts/nn-f64-fixture.ts',
  cases,
};
writeFileSync(new URL('../test/fixtures/nn/f64-kernels.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${Object.keys(cases).length} cases`);
