// The error catalogue (docs/errors.md) against the code: it documents every
// code of ERROR_CODES, in order, with a cause and a fix; one real call per
// code throws it, with the message the catalogue shows.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backendName } from '../../sdk/nn/backend.js';
import { ERROR_CODES, type ErrorCode } from '../../sdk/errors.js';
import { expectQDistillErrorValue, rejectionOf } from '../helpers/errors.js';
import { TRIGGERS, WORKER_MODULE, workerTrigger } from './error-triggers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
const sections = new Map(
  [...doc.matchAll(/^## `(E_[A-Z_]+)`\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => [m[1]!, m[2]!] as const),
);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('docs/errors.md', () => {
  it('lists every code of ERROR_CODES, in order, in its table and its sections, each with a cause and a fix', () => {
    const table = [...doc.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(table).toEqual([...ERROR_CODES]);
    expect([...sections.keys()]).toEqual([...ERROR_CODES]);
    for (const [code, text] of sections) {
      expect(text, code).toMatch(/\*\*Cause\.\*\* \S/);
      expect(text, code).toMatch(/\*\*Fix\.\*\* \S/);
      expect(text, code).toMatch(/\*\*Example\.\*\* .+\n\n> .+/);
    }
  });

  it('has a real trigger for every code (E_WORKER: where the worker pool exists, and only there is it thrown)', () => {
    expect(Object.keys(TRIGGERS).sort()).toEqual(ERROR_CODES.filter((c) => c !== 'E_WORKER').sort());
    if (!existsSync(join(root, WORKER_MODULE))) {
      const files = sources(join(root, 'sdk')).filter((f) => !f.endsWith(join('sdk', 'errors.ts')));
      expect(files.filter((f) => readFileSync(f, 'utf8').includes("'E_WORKER'"))).toEqual([]);
    }
  });
});

describe('one real call per error code', () => {
  // E_NOT_INITIALIZED needs a process where nn.init() has not run: first.
  const order = ['E_NOT_INITIALIZED', ...Object.keys(TRIGGERS).filter((c) => c !== 'E_NOT_INITIALIZED')] as Array<keyof typeof TRIGGERS>;
  it.each(order)('%s', async (code) => {
    if (code === 'E_NOT_INITIALIZED') expect(backendName(), 'nn.init() ran before this test').toBeUndefined();
    const error = await rejectionOf(async () => TRIGGERS[code]());
    const example = /^> (.+)$/m.exec(sections.get(code as ErrorCode)!)![1]!;
    expectQDistillErrorValue(error, code, example);
  });

  it.skipIf(!existsSync(join(root, WORKER_MODULE)))('E_WORKER', async () => {
    const example = /^> (.+)$/m.exec(sections.get('E_WORKER')!)![1]!;
    expectQDistillErrorValue(await rejectionOf(workerTrigger), 'E_WORKER', example);
  });
});
