/**
 * `npm run fuzz`: every reader of outside bytes under fast-check, 10⁵ cases
 * each by default (not in CI; test/fuzz/readers.test.ts runs a short
 * version). The property: a reader returns or throws a QDistillError with a
 * stable code — never another exception, a crash or a hang. Prints, per
 * reader, the cases run, the outcomes (ok / error codes), the slowest case
 * and any counterexample (shrunk) to turn into a regression test.
 *
 *   npm run fuzz                      every reader, 100000 cases
 *   npm run fuzz -- --runs 2000       fewer cases
 *   npm run fuzz -- --only qasm,idx   some readers
 *   npm run fuzz -- --seed 42         another seed (default: fixed)
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { FUZZ_TARGETS, runCase } from '../test/fuzz/targets.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, only: { type: 'string' }, seed: { type: 'string' } } });
const runs = Number(values.runs ?? 100_000);
const seed = Number(values.seed ?? 20_260_114);
const only = values.only?.split(',');
const targets = FUZZ_TARGETS.filter((t) => !only || only.includes(t.name));
if (targets.length === 0) throw new Error(`--only ${values.only}: no such reader (readers: ${FUZZ_TARGETS.map((t) => t.name).join(', ')})`);

const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? { base64: Buffer.from(x).toString('base64') } : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x))?.slice(0, 4000) ?? String(v);

let failed = 0;
console.log(`fuzzing ${targets.length} readers, ${runs} cases each, seed ${seed}`);
for (const target of targets) {
  const { arbitrary, call } = await target.setup();
  const outcomes = new Map<string, number>();
  let slowest = 0;
  const started = performance.now();
  const result = await fc.check(
    fc.asyncProperty(arbitrary, async (input) => {
      const t0 = performance.now();
      const outcome = await runCase(() => call(input));
      slowest = Math.max(slowest, performance.now() - t0);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }),
    { numRuns: Math.min(runs, target.maxRuns ?? runs), seed, timeout: 10_000 },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const summary = [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`${target.name.padEnd(18)} ${String(result.numRuns).padStart(7)} cases  ${seconds.padStart(6)} s  slowest ${slowest.toFixed(1)} ms  ${result.failed ? 'FAILED' : 'ok'}  [${summary}]`);
  if (result.failed) {
    failed++;
    console.log(`  counterexample (seed ${result.seed}, path ${result.counterexamplePath}): ${show(result.counterexample?.[0])}`);
    console.log(`  ${String((result.errorInstance as Error)?.message ?? result.errorInstance).split('\n').slice(0, 8).join('\n  ')}`);
  }
}
console.log(failed ? `${failed} reader(s) failed` : 'every reader held');
process.exitCode = failed ? 1 : 0;
