/**
 * Where the test fixtures made outside qdistill live: the PennyLane golden
 * values and the PyTorch-exported ONNX teachers. By default the copies inside
 * the repository (`test/fixtures/golden`, `test/fixtures/teachers`), so a
 * clone with nothing beside it runs every suite; `QDISTILL_GOLDEN_DIR` and
 * `QDISTILL_TEACHERS_DIR` (absolute, or relative to the repository root) point
 * the same harnesses at other directories of the same schema — `npm test`
 * does so for `../shared/golden` and `../shared/teachers` (with the AlexNet
 * exports) when they exist (scripts/run-tests.mjs).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function fixtureDir(variable: string, fallback: string, what: string): string {
  const configured = process.env[variable];
  const dir = configured ? (isAbsolute(configured) ? configured : resolve(REPO_ROOT, configured)) : resolve(REPO_ROOT, fallback);
  if (!existsSync(dir)) throw new Error(`${what}: directory ${dir} does not exist (${configured ? `from ${variable}` : `set ${variable}`})`);
  return dir;
}

/** The golden fixture directory: `$QDISTILL_GOLDEN_DIR` or `test/fixtures/golden`. */
export function goldenDir(): string {
  return fixtureDir('QDISTILL_GOLDEN_DIR', 'test/fixtures/golden', 'golden fixtures');
}

/** The ONNX teacher directory (with its manifest.json): `$QDISTILL_TEACHERS_DIR` or `test/fixtures/teachers`. */
export function teachersDir(): string {
  return fixtureDir('QDISTILL_TEACHERS_DIR', 'test/fixtures/teachers', 'teacher models');
}
