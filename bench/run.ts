// `npm run bench` (not in CI): runs every benchmark section and prints, last,
// one JSON line with all their summary numbers.
//
// A section is a module in bench/ exporting
//   export async function run(): Promise<Record<string, number>>
// that prints its own tables and returns its summary keys. Sections other
// than `engine` are optional: each is loaded by dynamic import only if its
// file exists, so a section that is not written yet is skipped, not fatal.
// A section that throws is reported and the others still run; the process
// then exits with status 1 (after the JSON line).
import { existsSync } from 'node:fs';
import { runtimeInfo } from './util.js';

type Section = { run: () => Promise<Record<string, number>> };

/** Section name → module, in run order. */
const SECTIONS = ['engine', 'qnn', 'nn', 'kd', 'dd', 'workers'] as const;
const REQUIRED: ReadonlySet<string> = new Set(['engine']);

async function loadSection(name: string): Promise<Section | undefined> {
  const file = new URL(`./${name}.ts`, import.meta.url);
  if (!existsSync(file) && !REQUIRED.has(name)) return undefined;
  const specifier = `./${name}.js`; // a variable: the compiler must not require optional sections to exist
  const module = (await import(specifier)) as Partial<Section>;
  if (typeof module.run !== 'function') {
    throw new Error(
      `bench/${name}.ts does not export "async function run(): Promise<Record<string, number>>" ` +
        '(a section must do its work inside run(), not when imported, and return its summary keys)',
    );
  }
  return module as Section;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log('# qdistill benchmarks');
  for (const line of runtimeInfo()) console.log(line);
  const summary: Record<string, number> = {};
  const failures: string[] = [];
  for (const name of SECTIONS) {
    let section: Section | undefined;
    try {
      section = await loadSection(name);
    } catch (error) {
      failures.push(name);
      console.error(`\n[bench] section "${name}" failed to load: ${(error as Error)?.message ?? String(error)}`);
      continue;
    }
    if (!section) {
      console.log(`\n[bench] section "${name}": bench/${name}.ts not present, skipped`);
      continue;
    }
    const t0 = performance.now();
    try {
      const keys = await section.run();
      for (const [key, value] of Object.entries(keys)) {
        if (key in summary) console.error(`[bench] section "${name}" overwrites summary key "${key}"`);
        if (typeof value !== 'number') console.error(`[bench] section "${name}": summary key "${key}" is not a number`);
        summary[key] = value;
      }
      console.log(`\n[bench] section "${name}" took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      failures.push(name);
      console.error(`\n[bench] section "${name}" failed: ${(error as Error)?.stack ?? String(error)}`);
    }
  }
  console.log(`\n[bench] total ${((performance.now() - started) / 1000).toFixed(1)} s${failures.length ? `; failed sections: ${failures.join(', ')}` : ''}`);
  console.log(JSON.stringify(summary));
  if (failures.length) process.exitCode = 1;
}

await main();
