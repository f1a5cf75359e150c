/**
 * `npm run soak`: 10⁴ KD training batches of a QNN student and of a hybrid
 * (convolutional + quantum) student in one process, printing WebAssembly
 * memory (linear memory and allocator bytes) and the JS heap (after a full
 * GC) after a warm-up and every 1000 batches, and whether they stayed within
 * the bounds: WebAssembly memory not growing at all after the warm-up, the
 * heap growing less than 4 MiB. Not in CI (test/soak/soak.test.ts runs a
 * short version).
 *
 *   npm run soak                  10000 batches each
 *   npm run soak -- --batches 2000
 */
import { parseArgs } from 'node:util';
import { soak, type SoakModel, type SoakSample } from '../test/soak/soak.js';

const { values } = parseArgs({ options: { batches: { type: 'string' } } });
const batches = Number(values.batches ?? 10_000);
const HEAP_BOUND = 4 * 2 ** 20;
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(2)} MiB`;

let failed = false;
for (const model of ['qnn', 'hybrid'] as SoakModel[]) {
  const started = performance.now();
  console.log(`\n${model}: ${batches} batches of 8`);
  console.log('batches   wasm memory   wasm in use   JS heap');
  const samples: SoakSample[] = await soak(model, {
    batches,
    warmup: Math.min(500, batches / 10),
    every: Math.max(1, Math.floor(batches / 10)),
    onSample: (s) => console.log(`${String(s.batches).padStart(7)}   ${mib(s.wasmBytes).padStart(11)}   ${mib(s.wasmInUse).padStart(11)}   ${mib(s.heapUsed).padStart(9)}`),
  });
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const wasmGrowth = Math.max(...samples.map((s) => s.wasmBytes)) - first.wasmBytes;
  const inUseGrowth = Math.max(...samples.map((s) => s.wasmInUse)) - first.wasmInUse;
  const heapGrowth = Math.max(...samples.map((s) => s.heapUsed)) - first.heapUsed;
  const ok = wasmGrowth === 0 && inUseGrowth === 0 && heapGrowth < HEAP_BOUND;
  failed ||= !ok;
  console.log(
    `${model}: ${last.batches} batches in ${((performance.now() - started) / 1000).toFixed(0)} s; after the warm-up (${first.batches} batches): ` +
      `wasm memory +${wasmGrowth} B, wasm in use +${inUseGrowth} B, heap max +${mib(heapGrowth)} (at the end +${mib(last.heapUsed - first.heapUsed)}) — ${ok ? 'flat' : 'NOT FLAT'} ` +
      `(bounds: wasm +0 B, heap < ${mib(HEAP_BOUND)})`,
  );
}
process.exitCode = failed ? 1 : 0;
