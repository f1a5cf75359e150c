// Docs that cannot rot: every ```ts block of README.md runs against the SDK
// sources, and must not throw.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const blocks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const tmp = join(root, 'test', 'docs', '.readme-blocks');

describe('README code blocks', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('has at least one TypeScript example', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  blocks.forEach((code, i) => {
    it(`block ${i + 1} runs`, async () => {
      mkdirSync(tmp, { recursive: true });
      const file = join(tmp, `block-${i + 1}.ts`);
      const entry = (name: string) => pathToFileURL(join(root, 'sdk', `${name}.ts`)).href;
      writeFileSync(file, code.replaceAll("from 'qdistill'", `from '${entry('index')}'`).replaceAll("from 'qdistill/node'", `from '${entry('node')}'`));
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await import(pathToFileURL(file).href);
        expect(log).toHaveBeenCalled();
      } finally {
        log.mockRestore();
      }
    });
  });
});
