// Every TSDoc @example of the SDK is compiled (test/docs/tsdoc-examples.ts):
// imports go through package.json's exports map as a user's would, so an
// example importing a path the package does not export (`qdistill/data/node`)
// fails here. Examples that are whole programs type-check with no error;
// fragments that use variables from their context (`train`, `kernel`, …)
// must still parse and import only what is exported.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { collectExamples, compileExamples, exportedEntries } from './tsdoc-examples.js';

const examples = collectExamples(REPO_ROOT);
/** Unresolved names: the example is a fragment of a larger program. */
const FRAGMENT_CODES = new Set([2304, 2552, 2593, 18004]);
/** Module or export not found. */
const IMPORT_CODES = new Set([2305, 2306, 2307, 2459, 2460, 2614, 2724, 2792]);

describe('TSDoc examples', () => {
  const { diagnostics, imports } = compileExamples(REPO_ROOT, examples);
  const fragments = new Set(diagnostics.filter((d) => FRAGMENT_CODES.has(d.code)).map((d) => d.where));
  const show = (list: typeof diagnostics) => list.map((d) => `${d.where}: TS${d.code} ${d.message.split('\n')[0]}`);

  it('finds the examples of the public API', () => {
    expect(examples.length).toBeGreaterThan(400);
    // most are whole programs; the rest are fragments (see the last test)
    expect(examples.length - fragments.size).toBeGreaterThan(150);
  });

  it('import only paths the package exports', () => {
    const exported = new Set(Object.keys(exportedEntries(REPO_ROOT)));
    const bad = [...imports].flatMap(([where, specifiers]) =>
      specifiers.filter((s) => (s === 'qdistill' || s.startsWith('qdistill/')) && !exported.has(s)).map((s) => `${where}: ${s} (exported: ${[...exported].join(', ')})`),
    );
    expect(bad).toEqual([]);
  });

  it('parse, and every name they import exists', () => {
    expect(show(diagnostics.filter((d) => d.code < 2000 || IMPORT_CODES.has(d.code)))).toEqual([]);
  });

  it('type-check with no error when they are whole programs', () => {
    expect(show(diagnostics.filter((d) => !fragments.has(d.where)))).toEqual([]);
  });

  it('name one checkpoint extension, .qdc (the CLI writes and the teacher cache keeps .qdc files)', () => {
    const files = ['sdk', 'docs'].flatMap((d) => (readdirSync(join(REPO_ROOT, d), { recursive: true }) as string[]).filter((f) => /\.(ts|md)$/.test(f)).map((f) => join(REPO_ROOT, d, f)));
    const other = files.filter((f) => /\.(qdckpt|ckpt)\b/.test(readFileSync(f, 'utf8')));
    expect(other).toEqual([]);
  });
});
