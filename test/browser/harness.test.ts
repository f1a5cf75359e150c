// The harness itself: failures in the browser surface in the test failure
// with their error code, stack and the browser's console output.
import { expect, it } from 'vitest';
import { ERROR_CODES } from '../../sdk/errors.js';
import { assertBundleBuilt, BrowserRunError, describeInBrowser, runInBrowser, runInNode, runInWorker } from './harness.js';

it('refuses to start without the bundle and says how to build it', () => {
  expect(() => assertBundleBuilt('/nonexistent/qdistill.mjs')).toThrow(/npm run build:browser/);
});

it('runs a snippet in Node with the SDK source and reports the runtime', async () => {
  const result = await runInNode<{ runtime: string; codes: number }>(
    'export default (q, args, env) => ({ runtime: env.runtime, codes: q.ERROR_CODES.length })',
  );
  expect(result).toEqual({ runtime: 'node', codes: ERROR_CODES.length });
});

describeInBrowser('the Chromium harness', (browser) => {
  it('passes arguments in and returns NaN, -0, BigInt and typed arrays out of the page and a worker', async () => {
    const src = `export default (q, args, env) => ({ runtime: env.runtime, args, nan: NaN, negativeZero: -0,
      big: 2n ** 70n, floats: new Float64Array([1.5, -2]) })`;
    const expected = { args: { seed: 7, list: [1, 2] }, nan: NaN, negativeZero: -0, big: 2n ** 70n, floats: new Float64Array([1.5, -2]) };
    expect(await browser.run(src, { seed: 7, list: [1, 2] })).toEqual({ runtime: 'page', ...expected });
    expect(await runInWorker(src, { seed: 7, list: [1, 2] })).toEqual({ runtime: 'worker', ...expected });
  });

  it('rejects with the typed error code, message and browser stack when the snippet throws', async () => {
    const src = `export default async (q) => { const k = await q.createKernel(); k.free(12345); }`;
    for (const run of [browser.run, browser.runInWorker]) {
      const error = await run(src).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BrowserRunError);
      expect((error as BrowserRunError).code).toBe('E_INVALID_ARGUMENT');
      expect((error as Error).message).toMatch(/QDistillError \[E_INVALID_ARGUMENT\]: free: pointer 12345 was not allocated/);
      expect((error as Error).message).toMatch(/\n  in Kernel\.free \(\/[^)]*\.mjs:\d+:\d+\)/);
    }
  });

  it('fails a run that logged console.error, quoting the console in the failure message', async () => {
    const src = `export default () => { console.error('something went wrong quietly'); return 1; }`;
    await expect(runInBrowser(src)).rejects.toThrow(/browser reported errors[\s\S]*\[error\] something went wrong quietly/);
    await expect(browser.runInWorker(src)).rejects.toThrow(/\[error worker [^\]]+\] something went wrong quietly/);
    expect(await browser.run(src, undefined, { failOnConsoleError: false })).toBe(1);
  });

  it('forwards the console output of a failed run and uncaught page errors', async () => {
    const failing = `export default () => { console.warn('context before the failure'); throw new RangeError('bad range'); }`;
    await expect(browser.run(failing)).rejects.toThrow(/RangeError: bad range[\s\S]*\[warning\] context before the failure/);
    const uncaught = `export default async () => { setTimeout(() => { throw new Error('uncaught later'); }); await new Promise((r) => setTimeout(r, 50)); return 1; }`;
    await expect(browser.run(uncaught)).rejects.toThrow(/\[pageerror\] Error: uncaught later/);
  });

  it('reports a snippet with a syntax error or without a default export', async () => {
    await expect(browser.run('export default () => { nope nope }')).rejects.toThrow(/SyntaxError/);
    await expect(browser.runInWorker('export const x = 1;')).rejects.toThrow(/must `export default` a function/);
  });

  it('times out a hanging snippet and stays usable afterwards', async () => {
    const hang = 'export default () => new Promise(() => {})';
    await expect(browser.run(hang, undefined, { timeoutMs: 300 })).rejects.toThrow(/TimeoutError: no result within 300 ms/);
    await expect(browser.runInWorker(hang, undefined, { timeoutMs: 300 })).rejects.toThrow(/did not answer within 300 ms/);
    expect(await browser.run('export default () => 42')).toBe(42);
  });

  it('serves only the bundle folder, with COOP/COEP on every response', async () => {
    const src = `export default async () => {
      const ok = await fetch('/qdistill.mjs');
      const escape = await fetch('/..%2f..%2fpackage.json');
      return { status: ok.status, coop: ok.headers.get('cross-origin-opener-policy'),
        coep: ok.headers.get('cross-origin-embedder-policy'), escape: escape.status };
    }`;
    expect(await browser.run(src, undefined, { failOnConsoleError: false })).toEqual({
      status: 200,
      coop: 'same-origin',
      coep: 'require-corp',
      escape: 404,
    });
  });
});
