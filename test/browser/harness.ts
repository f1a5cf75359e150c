/**
 * Real-browser test harness: the built bundle (`dist/browser/qdistill.mjs`)
 * in headless Debian Chromium, driven by playwright-core.
 *
 * A *snippet* is the source of an ES module whose default export receives the
 * SDK namespace and returns a result:
 *
 * ```ts
 * const src = `export default async function (q, args, env) {
 *   const kernel = await q.createKernel({ build: 'release' });
 *   return { runtime: env.runtime, codes: q.ERROR_CODES.length, seed: args.seed };
 * }`;
 * ```
 *
 * - `q` is `import * as q from '/qdistill.mjs'` (the snippet may also import
 *   it, or any other file of `dist/browser/`, itself);
 * - `args` is whatever the test passed (structured-cloneable);
 * - `env.runtime` is `'page'`, `'worker'` or `'node'`.
 *
 * The result crosses back as data: what both structured clone (worker →
 * page) and Playwright's serialiser (page → Node) carry: JSON values plus
 * NaN, ±Infinity, -0, undefined, BigInt, Date and typed arrays. (Class
 * instances arrive as plain objects.) A snippet that throws rejects the run with a
 * {@link BrowserRunError} that keeps the error's `name`, `code`, message and
 * browser stack, followed by the console output of that run.
 *
 * Usage, one browser per test file:
 *
 * ```ts
 * describeInBrowser('bundle in Chromium', (browser) => {
 *   it('creates a kernel', async () => {
 *     expect(await browser.run<number>(src)).toBe(...);
 *     expect(await browser.runInWorker<number>(src)).toBe(...);
 *   });
 * });
 * ```
 *
 * or by hand: `const browser = await openBrowser(); await browser.run(src,
 * args); await browser.close();`. `runInBrowser(src)` / `runInWorker(src)`
 * use the browser of the file's {@link describeInBrowser} / {@link useBrowser}.
 * {@link runInNode} runs the same snippet in Node for parity checks (name the
 * kernel build: vitest makes Node default to `debug`, browsers to `release`).
 *
 * A run fails if the snippet throws, times out (60 s by default), or — unless
 * `failOnConsoleError: false` — the browser logged `console.error`, an
 * uncaught error or a 404 while it ran. `mounts` serves extra folders (e.g.
 * golden fixtures) next to the bundle.
 *
 * Chromium is `/usr/bin/chromium` (override: `QDISTILL_CHROMIUM`). If it is
 * missing, {@link describeInBrowser} skips its tests with the reason in their
 * title and on stderr, unless `CI` is set: then every test fails with the
 * reason. A missing bundle always fails, saying to run `npm run build:browser`.
 */
import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

/** Repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Folder served at `/` (the rollup output). */
export const BUNDLE_DIR = join(REPO_ROOT, 'dist', 'browser');
/** The browser bundle, served at `/qdistill.mjs`. */
export const BUNDLE_PATH = join(BUNDLE_DIR, 'qdistill.mjs');
/** Chromium binary used by the tests. */
export const CHROMIUM_PATH = process.env.QDISTILL_CHROMIUM || '/usr/bin/chromium';
/** Launch flags (see TOOLCHAIN.md). `--headless` is added by `headless: true`. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where a snippet runs. */
export type Runtime = 'page' | 'worker' | 'node';

/** One console message, page error or failed request seen in the browser. */
export interface BrowserLogEntry {
  /** Console type (`error`, `warning`, `log`, …), or `pageerror` / `crash` / `http`. */
  type: string;
  text: string;
  /** `page` or the URL of the worker that logged it. */
  source: string;
}

/** Options for {@link openBrowser}. */
export interface OpenBrowserOptions {
  /**
   * Extra folders to serve, by URL prefix, e.g. `{ '/golden/': '/work/shared/golden' }`.
   * Prefixes start and end with `/`.
   */
  mounts?: Record<string, string>;
  /** Default time limit of one run, in ms (60 000). */
  timeoutMs?: number;
  /**
   * Fail a run whose snippet succeeded but which logged `console.error`
   * (or had an uncaught page error). Default true: the SDK must not log
   * errors on its own.
   */
  failOnConsoleError?: boolean;
}

/** Per-run options. */
export interface RunOptions {
  timeoutMs?: number;
  failOnConsoleError?: boolean;
}

/** A running Chromium with the test page loaded. */
export interface BrowserSession {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Chromium's version string. */
  readonly version: string;
  /** Everything logged so far (console, page errors, HTTP errors), oldest first. */
  readonly log: readonly BrowserLogEntry[];
  /** Runs a snippet in the page (main thread). */
  run<T = unknown>(moduleSource: string, args?: unknown, options?: RunOptions): Promise<T>;
  /** Runs a snippet in a fresh module Web Worker created by the page; the worker is terminated afterwards. */
  runInWorker<T = unknown>(moduleSource: string, args?: unknown, options?: RunOptions): Promise<T>;
  /** Reloads the page: a fresh module map (a fresh SDK instance) for later runs. */
  reload(): Promise<void>;
  /** Closes Chromium and the server and deletes the profile. Safe to call twice. */
  close(): Promise<void>;
}

/** A snippet failed in the browser (or in Node, through {@link runInNode}). */
export class BrowserRunError extends Error {
  /** The thrown error's `code`, if it had one (e.g. a QDistillError code). */
  readonly code: string | undefined;
  readonly runtime: Runtime;
  /** Console output of the run. */
  readonly browserLog: readonly BrowserLogEntry[];

  constructor(runtime: Runtime, message: string, code: string | undefined, browserLog: readonly BrowserLogEntry[]) {
    super(message);
    this.name = 'BrowserRunError';
    this.code = code;
    this.runtime = runtime;
    this.browserLog = browserLog;
  }
}

/** Why Chromium cannot be launched here, or `undefined` if it can. */
export function chromiumMissingReason(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `Chromium not found at ${CHROMIUM_PATH} (install Debian's: apt-get install -y chromium, or set QDISTILL_CHROMIUM)`;
  }
}

/** True when running in CI (`CI` set and not `false`/`0`). */
export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** Throws a message that says how to build if the browser bundle is missing. */
export function assertBundleBuilt(bundlePath: string = BUNDLE_PATH): void {
  if (!existsSync(bundlePath)) {
    throw new Error(
      `browser bundle missing: ${bundlePath} does not exist. Run \`npm run build:browser\` ` +
        '(after `npm run build:wasm`), or `npm test`, which builds both.',
    );
  }
}

// ---------------------------------------------------------------------------
// Code that runs in the browser. Kept as plain JS strings: it is served, not bundled.

const SERIALIZE_ERROR = `
function serializeError(e, depth = 0) {
  if (e !== null && typeof e === 'object') {
    return {
      name: String(e.name ?? 'Error'),
      message: String(e.message ?? e),
      code: typeof e.code === 'string' ? e.code : undefined,
      stack: typeof e.stack === 'string' ? e.stack : undefined,
      cause: e.cause !== undefined && depth < 4 ? serializeError(e.cause, depth + 1) : undefined,
    };
  }
  return { name: 'NonError', message: 'thrown value: ' + String(e) };
}
async function runSnippet(url, args, runtime) {
  try {
    const [snippet, q] = await Promise.all([import(url), import('/qdistill.mjs')]);
    if (typeof snippet.default !== 'function') {
      throw new TypeError('the snippet must \`export default\` a function (q, args, env) => result');
    }
    return { ok: true, value: await snippet.default(q, args, { runtime }) };
  } catch (e) {
    return { ok: false, error: serializeError(e) };
  }
}
`;

const WORKER_SOURCE = `${SERIALIZE_ERROR}
self.onmessage = async (event) => {
  const { url, args } = event.data;
  const reply = await runSnippet(url, args, 'worker');
  try {
    self.postMessage(reply);
  } catch (e) {
    self.postMessage({ ok: false, error: {
      name: 'DataCloneError',
      message: 'the snippet ran in the worker but its result cannot be posted back (structured clone): ' + (e && e.message),
    } });
  }
};
`;

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>qdistill browser tests</title></head>
<body>
<script type="module">
${SERIALIZE_ERROR}
window.__qdistill = {
  run: (url, args) => runSnippet(url, args, 'page'),
  runInWorker(url, args, timeoutMs) {
    return new Promise((resolve) => {
      const worker = new Worker('/__qdistill/worker.mjs', { type: 'module', name: 'qdistill-test-worker' });
      const timer = setTimeout(() => done({ ok: false, error: {
        name: 'TimeoutError', message: 'the worker did not answer within ' + timeoutMs + ' ms (terminated)' } }), timeoutMs);
      function done(reply) { clearTimeout(timer); worker.terminate(); resolve(reply); }
      worker.onmessage = (event) => done(event.data);
      worker.onmessageerror = () => done({ ok: false, error: {
        name: 'DataCloneError', message: 'the worker result could not be deserialised in the page' } });
      worker.onerror = (event) => {
        event.preventDefault();
        done({ ok: false, error: { name: 'WorkerError', message: 'the worker failed: ' +
          (event.message || 'its script did not load or threw at top level') +
          (event.filename ? ' (' + event.filename + ':' + event.lineno + ')' : '') } });
      };
      worker.postMessage({ url, args });
    });
  },
};
window.__qdistillReady = true;
</script>
</body></html>
`;

interface SnippetReply {
  ok: boolean;
  value?: unknown;
  error?: SerializedError;
}

interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SerializedError;
}

declare global {
  interface Window {
    __qdistill: {
      run(url: string, args: unknown): Promise<SnippetReply>;
      runInWorker(url: string, args: unknown, timeoutMs: number): Promise<SnippetReply>;
    };
    __qdistillReady?: boolean;
  }
}

// ---------------------------------------------------------------------------
// Static server

const CONTENT_TYPES: Record<string, string> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function startServer(
  snippets: Map<string, string>,
  mounts: Record<string, string>,
  onHttpError: (entry: BrowserLogEntry) => void,
): Promise<Server> {
  const roots: Array<[string, string]> = Object.entries(mounts).map(([prefix, dir]) => {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) {
      throw new Error(`openBrowser: mount prefix ${JSON.stringify(prefix)} must start and end with "/"`);
    }
    return [prefix, resolve(dir)];
  });
  roots.push(['/', BUNDLE_DIR]);

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer): void => {
    res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only');
    if (path === '/' || path === '/index.html') return send(res, 200, CONTENT_TYPES['.html']!, PAGE_HTML);
    if (path === '/favicon.ico') {
      res.writeHead(204, ISOLATION_HEADERS);
      return void res.end();
    }
    if (path === '/__qdistill/worker.mjs') return send(res, 200, CONTENT_TYPES['.mjs']!, WORKER_SOURCE);
    const snippet = /^\/__qdistill\/snippet\/([\w-]+)\.mjs$/.exec(path);
    if (snippet) {
      const source = snippets.get(snippet[1]!);
      if (source !== undefined) return send(res, 200, CONTENT_TYPES['.mjs']!, source);
    } else {
      for (const [prefix, dir] of roots) {
        if (!path.startsWith(prefix)) continue;
        const file = resolve(dir, '.' + path.slice(prefix.length - 1));
        if (file !== dir && !file.startsWith(dir + sep)) break;
        try {
          if (statSync(file).isFile()) {
            return send(res, 200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
          }
        } catch {
          // not found: fall through to 404
        }
        break;
      }
    }
    onHttpError({ type: 'http', text: `404 ${path}`, source: 'server' });
    send(res, 404, 'text/plain; charset=utf-8', `not found: ${path}`);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      send(res, 500, 'text/plain; charset=utf-8', String(error));
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise(server));
  });
}

// ---------------------------------------------------------------------------
// Browser session

function formatError(error: SerializedError, indent = ''): string {
  let text = `${indent}${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}`;
  if (error.stack) {
    const frames = error.stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      // Not "at …" lines: vitest would parse them as Node stack frames of this error.
      .map((line) => `${indent}  in ${line.trim().slice(3).replace(/https?:\/\/127\.0\.0\.1:\d+/g, '')}`);
    if (frames.length) text += '\n' + frames.join('\n');
  }
  if (error.cause) text += `\n${indent}caused by ${formatError(error.cause, indent + '  ').trimStart()}`;
  return text;
}

function formatLog(entries: readonly BrowserLogEntry[]): string {
  if (!entries.length) return '';
  return (
    '\nbrowser console during this run:\n' +
    entries.map((e) => `  [${e.type}${e.source === 'page' ? '' : ` ${e.source}`}] ${e.text}`).join('\n')
  );
}

const isBad = (entry: BrowserLogEntry): boolean =>
  entry.type === 'error' || entry.type === 'pageerror' || entry.type === 'crash' || entry.type === 'http';

/**
 * Starts a static server and Chromium with the test page loaded.
 *
 * @throws if the bundle is missing (run `npm run build:browser`), if Chromium
 *   is missing, or if the page is not cross-origin isolated.
 */
export async function openBrowser(options: OpenBrowserOptions = {}): Promise<BrowserSession> {
  assertBundleBuilt();
  const missing = chromiumMissingReason();
  if (missing) {
    throw new Error(
      `${missing}.${isCI() ? ' CI is set, so the browser tests fail instead of skipping.' : ''}`,
    );
  }
  const defaultTimeout = options.timeoutMs ?? 60_000;
  const defaultFailOnConsoleError = options.failOnConsoleError ?? true;
  const snippets = new Map<string, string>();
  const log: BrowserLogEntry[] = [];

  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const problems: string[] = [];
    if (context) await context.close().catch((e: unknown) => problems.push(`closing Chromium: ${String(e)}`));
    if (server) {
      const s = server;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    if (problems.length) throw new Error(problems.join('; '));
  };

  try {
    server = await startServer(snippets, options.mounts ?? {}, (entry) => log.push(entry));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'qdistill-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
    const version = context.browser()?.version() ?? 'unknown';
    const page: Page = context.pages()[0] ?? (await context.newPage());
    const push = (type: string, text: string, source: string): void => void log.push({ type, text, source });
    page.on('console', (message) => {
      const loc = message.location();
      const where = loc.url ? ` (${loc.url.replace(origin, '')}:${loc.lineNumber})` : '';
      const worker = message.worker();
      push(message.type(), message.text() + where, worker ? `worker ${worker.url().replace(origin, '')}` : 'page');
    });
    page.on('pageerror', (error) => push('pageerror', error.stack ?? error.message, 'page'));
    page.on('crash', () => push('crash', 'the page crashed (out of memory or a renderer bug)', 'page'));

    const load = async (): Promise<void> => {
      await page.goto(`${origin}/`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.__qdistillReady === true, undefined, { timeout: 30_000 });
      const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
      if (!isolated) {
        throw new Error('the test page is not cross-origin isolated (COOP/COEP headers missing?): SharedArrayBuffer would be unavailable');
      }
    };
    await load();

    const execute = async <T>(runtime: 'page' | 'worker', source: string, args: unknown, runOptions: RunOptions): Promise<T> => {
      if (closed) throw new Error('browser session already closed');
      const timeoutMs = runOptions.timeoutMs ?? defaultTimeout;
      const id = randomUUID();
      const url = `/__qdistill/snippet/${id}.mjs`;
      snippets.set(id, source);
      const mark = log.length;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let reply: SnippetReply;
      try {
        const call =
          runtime === 'page'
            ? page.evaluate(([u, a]) => window.__qdistill.run(u, a), [url, args] as const)
            : page.evaluate(([u, a, t]) => window.__qdistill.runInWorker(u, a, t), [url, args, timeoutMs] as const);
        const timeout = new Promise<SnippetReply>((r) => {
          timer = setTimeout(
            () => r({ ok: false, error: { name: 'TimeoutError', message: `no result within ${timeoutMs} ms` } }),
            // the worker times itself out first, with a clearer message
            runtime === 'worker' ? timeoutMs + 5_000 : timeoutMs,
          );
        });
        reply = await Promise.race([call, timeout]).catch(
          (e: unknown): SnippetReply => ({
            ok: false,
            error: { name: 'PlaywrightError', message: e instanceof Error ? e.message : String(e) },
          }),
        );
        if (!reply.ok && reply.error?.name === 'TimeoutError' && runtime === 'page') {
          await load().catch(() => undefined); // leave a usable page for the next run
        }
      } finally {
        clearTimeout(timer);
        snippets.delete(id);
      }
      // Let console events emitted just before the reply arrive.
      await new Promise((r) => setTimeout(r, 10));
      const entries = log.slice(mark);
      if (!reply.ok) {
        const error = reply.error ?? { name: 'Error', message: 'unknown failure' };
        throw new BrowserRunError(
          runtime,
          `snippet failed in the Chromium ${runtime}: ${formatError(error)}${formatLog(entries)}`,
          error.code,
          entries,
        );
      }
      if ((runOptions.failOnConsoleError ?? defaultFailOnConsoleError) && entries.some(isBad)) {
        throw new BrowserRunError(
          runtime,
          `snippet succeeded in the Chromium ${runtime} but the browser reported errors${formatLog(entries)}`,
          undefined,
          entries,
        );
      }
      return reply.value as T;
    };

    return {
      origin,
      version,
      log,
      run: (source, args, runOptions = {}) => execute('page', source, args, runOptions),
      runInWorker: (source, args, runOptions = {}) => execute('worker', source, args, runOptions),
      reload: load,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------
// vitest helpers

/** The handle of the last `useBrowser()` whose hooks ran: what runInBrowser/runInWorker use. */
let current: BrowserSession | undefined;

/**
 * Registers `beforeAll`/`afterAll` hooks that open one browser for the
 * enclosing file or `describe` and close it afterwards. The returned handle
 * can be used in tests (not at collection time).
 */
export function useBrowser(options: OpenBrowserOptions = {}): BrowserSession {
  let session: BrowserSession | undefined;
  let failure: unknown;
  const need = (): BrowserSession => {
    // A launch failure fails every test of the file (counted in "N failed"), each with the reason.
    if (failure) throw failure;
    if (!session) throw new Error('useBrowser(): the browser is not open (use it inside a test, not at collection time)');
    return session;
  };
  beforeAll(async () => {
    current = handle;
    try {
      session = await openBrowser(options);
    } catch (error) {
      failure = error;
    }
  }, 120_000);
  afterAll(async () => {
    if (current === handle) current = undefined;
    await session?.close();
  }, 60_000);
  const handle: BrowserSession = {
    get origin() {
      return need().origin;
    },
    get version() {
      return need().version;
    },
    get log() {
      return need().log;
    },
    run: (source, args, runOptions) => need().run(source, args, runOptions),
    runInWorker: (source, args, runOptions) => need().runInWorker(source, args, runOptions),
    reload: () => need().reload(),
    close: () => need().close(),
  };
  return handle;
}

/**
 * `describe` with one Chromium for its tests. When Chromium is missing and
 * `CI` is not set, the tests are skipped and the title says why; with `CI`
 * set they fail.
 */
export function describeInBrowser(
  name: string,
  body: (browser: BrowserSession) => void,
  options: OpenBrowserOptions = {},
): void {
  const missing = chromiumMissingReason();
  if (missing && !isCI()) {
    console.warn(`[qdistill] skipping browser tests "${name}": ${missing}. With CI=true they fail instead.`);
    describe.skip(`${name} [skipped: ${missing}; with CI=true these tests fail]`, () => {
      body(useBrowser(options));
    });
    return;
  }
  describe(name, () => {
    body(useBrowser(options));
  });
}

/** Runs a snippet in the page of the browser opened by the current file's {@link useBrowser}. */
export function runInBrowser<T = unknown>(moduleSource: string, args?: unknown, options?: RunOptions): Promise<T> {
  if (!current) throw new Error('runInBrowser: no open browser; call useBrowser() or describeInBrowser() in this file');
  return current.run<T>(moduleSource, args, options);
}

/** Runs a snippet in a Web Worker of the browser opened by the current file's {@link useBrowser}. */
export function runInWorker<T = unknown>(moduleSource: string, args?: unknown, options?: RunOptions): Promise<T> {
  if (!current) throw new Error('runInWorker: no open browser; call useBrowser() or describeInBrowser() in this file');
  return current.runInWorker<T>(moduleSource, args, options);
}

/**
 * Runs the same kind of snippet in Node (this vitest process), for parity
 * checks. `q` defaults to the SDK source (`sdk/index.ts`); pass another
 * namespace (e.g. `await import('../../dist/browser/qdistill.mjs')`) to run
 * the bundle itself. Note that vitest sets `QDISTILL_WASM_BUILD=debug`, so
 * `createKernel()` without options picks the debug build in Node and the
 * release build in the browser: name the build in parity snippets.
 */
export async function runInNode<T = unknown>(moduleSource: string, args?: unknown, q?: unknown): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'qdistill-snippet-'));
  const file = join(dir, 'snippet.mjs');
  writeFileSync(file, moduleSource);
  try {
    const snippet = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default?: unknown };
    if (typeof snippet.default !== 'function') {
      throw new TypeError('the snippet must `export default` a function (q, args, env) => result');
    }
    const namespace = q ?? (await import('../../sdk/index.js'));
    // Round-trip through structured clone, as the browser result does.
    return structuredClone(await (snippet.default as (q: unknown, a: unknown, e: unknown) => unknown)(namespace, args, { runtime: 'node' })) as T;
  } catch (error) {
    const e = error as { name?: string; message?: string; code?: unknown; stack?: string };
    if (error instanceof BrowserRunError) throw error;
    throw new BrowserRunError(
      'node',
      `snippet failed in Node: ${formatError({
        name: e?.name ?? 'Error',
        message: e?.message ?? String(error),
        ...(typeof e?.code === 'string' ? { code: e.code } : {}),
        ...(e?.stack ? { stack: e.stack } : {}),
      })}`,
      typeof e?.code === 'string' ? e.code : undefined,
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
