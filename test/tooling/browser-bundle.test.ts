// The browser bundle imports no Node built-in: the rollup build replaces the
// SDK's Node-only modules by stubs and fails when a chunk still imports
// `node:*` (scripts/rollup-node-only.mjs). Checked on tiny bundles and on the
// built dist/browser (npm test builds it first).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { rollup } from 'rollup';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error — plain ES module without types
import { isNodeBuiltin, noNodeBuiltins, nodeOnlyStubs } from '../../scripts/rollup-node-only.mjs';
import { REPO_ROOT } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'qdistill-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Static and dynamic import specifiers of an ES module's code. */
function importsOf(code: string): string[] {
  const found: string[] = [];
  for (const m of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*${},\s]+?\s*from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push((m[1] ?? m[2])!);
  return found;
}

describe('the browser build keeps Node out (scripts/rollup-node-only.mjs)', () => {
  it('fails the build when a chunk imports a Node built-in, naming the chunk and the import', async () => {
    writeFileSync(join(dir, 'leaky.js'), "export async function read(p) { return (await import('node:fs/promises')).readFile(p); }\nexport { join } from 'path';\n");
    const bundle = await rollup({ input: join(dir, 'leaky.js'), plugins: [noNodeBuiltins()], onwarn: () => {} });
    await expect(bundle.generate({ format: 'es' })).rejects.toThrow(/must not import Node built-ins:\n\s+leaky\.js imports (path, node:fs\/promises|node:fs\/promises, path)/);
  });

  it("replaces the SDK's Node-only modules by stubs that throw E_UNSUPPORTED", async () => {
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'workers'), { recursive: true });
    writeFileSync(join(dist, 'errors.js'), 'export class QDistillError extends Error { constructor(code, message) { super(message); this.code = code; } }\n');
    writeFileSync(join(dist, 'workers', 'node-spawn.js'), "import { Worker } from 'node:worker_threads';\nexport function spawnNodeWorker(url) { return new Worker(url); }\nexport function nodeCores() { return 2; }\n");
    writeFileSync(join(dist, 'workers', 'spawn.js'), "export async function cores() { return (await import('./node-spawn.js')).nodeCores(); }\n");
    const bundle = await rollup({ input: join(dist, 'workers', 'spawn.js'), plugins: [nodeOnlyStubs(dist), noNodeBuiltins()] });
    const { output } = await bundle.generate({ format: 'es', inlineDynamicImports: true });
    const code = output[0].code;
    expect(importsOf(code).filter(isNodeBuiltin)).toEqual([]);
    const file = join(dir, 'bundled.mjs');
    writeFileSync(file, code);
    const { cores } = (await import(file)) as { cores: () => Promise<number> };
    await expect(cores()).rejects.toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringContaining('nodeCores: Node only, not in the browser build of qdistill') });
  });

  it.skipIf(!existsSync(join(REPO_ROOT, 'dist', 'browser', 'qdistill.mjs')))('the built dist/browser imports no Node built-in in any chunk its entries load', () => {
    const root = join(REPO_ROOT, 'dist', 'browser');
    // the entries, then every chunk they import (statically or dynamically); stale files of earlier builds are not shipped code
    const pending = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.mjs') && !f.startsWith('chunks'));
    const seen = new Set<string>();
    const leaks: string[] = [];
    while (pending.length) {
      const f = pending.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const i of importsOf(readFileSync(join(root, f), 'utf8'))) {
        if (isNodeBuiltin(i)) leaks.push(`${f}: ${i}`);
        else if (i.startsWith('.') && i.endsWith('.mjs')) {
          const target = relative(root, resolve(root, dirname(f), i));
          if (existsSync(join(root, target))) pending.push(target); // (a specifier inside a string or comment names no file)
        }
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(leaks).toEqual([]);
  });
});
