/**
 * Data-layer timings: `npx tsx bench/data-timings.ts`.
 *
 * Prints, on this machine: loading the canonical MNIST splits, loading the
 * canonical Fashion-MNIST splits (cold, then warm from the in-memory cache),
 * and generating 40 ZXZ ground states at n = 15 (random h1 in [0, 2], h2 = 0,
 * the dataset default of one energy per sector), plus one 20-qubit ground
 * state for scale. Each load runs in a fresh cache; run it on an idle machine.
 */
import { cpus } from 'node:os';
import { zxzDataset, zxzGroundState } from '../sdk/data/zxz.js';
import { clearCanonicalCache, loadFashionMnist, loadMnist } from '../sdk/data/node/index.js';
import { createKernel } from '../sdk/kernel/kernel.js';

let cpuStart = process.cpuUsage();

/** Wall time since `start`, and the process CPU time since the last call (meaningful on a shared machine). */
function ms(start: number): string {
  const cpu = process.cpuUsage(cpuStart);
  cpuStart = process.cpuUsage();
  return `${(performance.now() - start).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU`;
}

function begin(): number {
  cpuStart = process.cpuUsage();
  return performance.now();
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, wasm build ${process.env.QDISTILL_WASM_BUILD ?? 'release'}`);

  clearCanonicalCache();
  let t = begin();
  const mnist = await loadMnist();
  console.log(`load MNIST (10 files, ${mnist.train.y.length} train + ${mnist.test.y.length} test): ${ms(t)} cold`);
  t = begin();
  await loadMnist();
  console.log(`load MNIST again: ${ms(t)} warm (cached class files; copies into new datasets)`);

  t = begin();
  const fashion = await loadFashionMnist();
  console.log(`load Fashion-MNIST (10 files, 155 MB JSON, ${fashion.train.y.length} train + ${fashion.test.y.length} test): ${ms(t)} cold`);
  t = begin();
  await loadFashionMnist();
  console.log(`load Fashion-MNIST again: ${ms(t)} warm`);

  const kernel = await createKernel();
  await zxzDataset({ numQubits: 15, sampling: { kind: 'points', points: [{ h1: 0.3 }] }, kernel }); // warm-up (JIT)
  t = begin();
  const ds = await zxzDataset({ numQubits: 15, sampling: { kind: 'random', count: 40, seed: 1, h1: [0, 2] }, kernel });
    console.log(`40 ZXZ ground states at n = 15 (4 symmetry sectors each, tolerance 1e-10): ${ms(t)} (labels ${Array.from(ds.y).filter((y) => y === 1).length} SPT / ${Array.from(ds.y).filter((y) => y === 0).length} paramagnetic)`);

  t = begin();
  await zxzDataset({ numQubits: 15, sampling: { kind: 'random', count: 10, seed: 1, h1: [0, 2] }, kernel, numEnergies: 2 });
  console.log(`10 ZXZ ground states at n = 15 with first gaps (2 energies per sector): ${ms(t)}`);

  t = begin();
  const big = await zxzGroundState(20, { h1: 0.5 }, { kernel, numEnergies: 1 });
  console.log(`1 ZXZ ground state at n = 20 (E0 = ${big.energies[0]!.toFixed(10)}, ${big.iterations} matrix-vector products): ${ms(t)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
