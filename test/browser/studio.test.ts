// The web studio (demos/studio) in headless Debian Chromium, served by the
// demo server (`npm run demo`'s): it trains the web-mnist-0-5 run in its
// worker to the accuracy bar with the same historyHash as `qdistill kd
// --preset web-mnist-0-5` in Node, never blocks the main thread for more than
// 100 ms while training, takes a PyTorch-exported ONNX teacher dropped on the
// page, names what is wrong with an unfit one, distils a dataset with live
// images; demo 01 runs from the server and says what is wrong from file://.
// Screenshots go to test-results/.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { teachersDir } from '../helpers/fixtures.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissingReason, isCI, REPO_ROOT } from './harness.js';
// @ts-expect-error — plain ES module without types
import { startDemoServer } from '../../scripts/serve-demo.mjs';

const TEACHERS_DIR = teachersDir();
const SHOTS = join(REPO_ROOT, 'test-results');
/** The bar of the studio's default run (web-mnist-0-5, seed 0, 5 epochs): measured 79.2 % KD, 76.0 % no KD, 94.3 % teacher; chance is 16.7 %. */
const KD_BAR = 0.7;

interface StudioResult {
  testAccuracy: number;
  baselineAccuracy: number;
  teacherAccuracy: number;
  seed: number;
  epochs: number;
  historyHash: string;
  teacher: string;
  error?: { code: string | null; message: string };
}

const missing = chromiumMissingReason();
const describeStudio = missing && !isCI() ? describe.skip : describe;

describeStudio(`web studio in Chromium${missing && !isCI() ? ` [skipped: ${missing}]` : ''}`, () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (missing) throw new Error(`${missing}; CI is set, so the studio tests fail instead of skipping`);
    server = await startDemoServer({ port: 0 });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(() => r(undefined)) : r(undefined)));
  });

  const result = async (): Promise<StudioResult> => {
    await page.waitForFunction(() => document.querySelector('[data-testid=result]')?.textContent, undefined, { timeout: 240_000 });
    return JSON.parse((await page.textContent('[data-testid=result]'))!) as StudioResult;
  };
  const open = async (query: string): Promise<void> => {
    await page.goto(`${origin}/${query}`);
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
  };
  /** Drops a file on the drop zone the way a user's drag-and-drop delivers it. */
  const dropFile = async (name: string, bytes: Uint8Array): Promise<string> => {
    await page.evaluate(({ name, data }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], name));
      document.querySelector('[data-testid=drop]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, { name, data: Array.from(bytes) });
    await page.waitForFunction(() => /^[✓✗]/.test(document.querySelector('[data-testid=teacher-status]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    return (await page.textContent('[data-testid=teacher-status]'))!;
  };

  it('trains web-mnist-0-5 from the URL (auto=1) to the bar, bit-identical to Node, without blocking the main thread for 100 ms', async () => {
    // Main-thread tasks from Chromium's trace: thread time (CPU) per task, robust on a loaded machine; wall time reported too.
    const cdp = await page.context().newCDPSession(page);
    const events: Array<{ name: string; ph: string; ts: number; dur?: number; tdur?: number; tid: number; pid: number; args?: Record<string, unknown> }> = [];
    cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as typeof events)));
    const traced = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', options: 'record-continuously', transferMode: 'ReportEvents' });

    await open('?task=mnist&classes=0-5&seed=0&epochs=5&auto=1');
    const studio = await result();
    await cdp.send('Tracing.end');
    await traced;
    await page.screenshot({ path: join(SHOTS, 'studio-kd.png'), fullPage: true });

    expect(studio.error).toBeUndefined();
    expect(studio).toMatchObject({ seed: 0, epochs: 5, teacher: 'lenet5-mnist-0-5.onnx' });
    expect(studio.testAccuracy).toBeGreaterThanOrEqual(KD_BAR);
    expect(studio.baselineAccuracy).toBeGreaterThan(0.5);
    expect(studio.teacherAccuracy).toBeGreaterThan(0.9);

    // Node, the same preset through the CLI: the same bits in every epoch of both arms.
    const cli = await runCli(['kd', '--preset', 'web-mnist-0-5', '--seeds', '0']);
    expect(cli.code, cli.stderr).toBe(0);
    const node = JSON.parse(cli.stdout.at(-1)!) as StudioResult;
    expect(studio.historyHash).toBe(node.historyHash);
    expect([studio.testAccuracy, studio.baselineAccuracy, studio.teacherAccuracy]).toEqual([node.testAccuracy, node.baselineAccuracy, node.teacherAccuracy]);

    // Main-thread blocking while training (between the page's trace markers).
    const stamp = (m: string) => events.find((e) => e.name === 'TimeStamp' && (e.args?.data as { message?: string } | undefined)?.message === m);
    const start = stamp('qdistill:train-start');
    const end = stamp('qdistill:train-end');
    expect(start && end, 'trace markers of the training').toBeTruthy();
    const mainTid = events.find((e) => e.name === 'thread_name' && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain' && e.pid === start!.pid)?.tid ?? start!.tid;
    const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.tid === mainTid && e.pid === start!.pid && e.ts >= start!.ts && e.ts <= end!.ts);
    expect(tasks.length).toBeGreaterThan(10);
    const maxCpuMs = Math.max(...tasks.map((t) => (t.tdur ?? t.dur ?? 0) / 1000));
    const maxWallMs = Math.max(...tasks.map((t) => (t.dur ?? 0) / 1000));
    // Measured on 2 loaded cores: longest main-thread task ≈ 10–30 ms CPU (chart redraws), training ≈ 3–10 s.
    expect(maxCpuMs, `longest main-thread task: ${maxCpuMs.toFixed(1)} ms CPU, ${maxWallMs.toFixed(1)} ms wall, over ${tasks.length} tasks`).toBeLessThan(100);
    expect(problems).toEqual([]);
  }, 300_000);

  it('takes a PyTorch-exported ONNX teacher dropped on the page and trains with it', async () => {
    await open('?task=mnist&classes=0-5&seed=1&epochs=1&labelled=5&transfer=20');
    const status = await dropFile('lenet-mnist-c6.onnx', readFileSync(join(TEACHERS_DIR, 'lenet-mnist-c6.onnx')));
    expect(status).toMatch(/^✓ lenet-mnist-c6\.onnx: 6 classes/);
    await page.click('[data-testid=train]');
    const studio = await result();
    await page.screenshot({ path: join(SHOTS, 'studio-dropped-teacher.png'), fullPage: true });
    expect(studio.error).toBeUndefined();
    expect(studio.teacher).toBe('lenet-mnist-c6.onnx');
    expect(studio.teacherAccuracy).toBeGreaterThan(0.95); // PyTorch's LeNet on MNIST 0-5 (manifest: ≈ 99 %)
    expect(studio.testAccuracy).toBeGreaterThan(1 / 6);
    expect(problems).toEqual([]);
  }, 240_000);

  it('says what is wrong with an ONNX teacher that does not fit, or a file that is not ONNX', async () => {
    await open('?task=mnist&classes=0-5');
    const tenClasses = await dropFile('lenet-mnist-c10.onnx', readFileSync(join(TEACHERS_DIR, 'lenet-mnist-c10.onnx')));
    expect(tenClasses).toMatch(/^✗ lenet-mnist-c10\.onnx cannot be the teacher: .*10 output classes but the data has 6/);
    const garbage = await dropFile('notes.onnx', new TextEncoder().encode('this is not a model'));
    expect(garbage).toMatch(/^✗ notes\.onnx cannot be the teacher: .*(ONNX|protobuf)/i);
    await page.screenshot({ path: join(SHOTS, 'studio-wrong-teacher.png') });
    // Training with the rejected file is refused with the same kind of message, not attempted.
    await page.click('[data-testid=train]');
    const refused = await result();
    expect(refused.error?.message).toMatch(/no teacher/);
    problems.length = 0; // the rejected files were reported in the page, which is the point
  }, 120_000);

  it('stops a run with the Stop button (the job is aborted in its worker)', async () => {
    await open('?task=mnist&classes=0-5&seed=0&epochs=60&auto=1');
    await page.waitForFunction(() => Number(document.querySelector<HTMLProgressElement>('[data-testid=progress]')?.value) > 0, undefined, { timeout: 120_000 });
    await page.click('#stop');
    const stopped = await result();
    expect(stopped.error?.code).toBe('E_ABORTED');
    expect(await page.isEnabled('[data-testid=train]')).toBe(true);
    expect(problems).toEqual([]);
  }, 180_000);

  it('distils a dataset in the second tab, drawing the images as they learn', async () => {
    await open('?task=mnist&classes=0-5&seed=0');
    await page.click('[data-tab=dd]');
    await page.fill('#dd-settings [name=iterations]', '6');
    await page.fill('#dd-settings [name=batch]', '64');
    await page.click('[data-testid=dd-run]');
    await page.waitForFunction(() => document.querySelector('[data-testid=dd-result]')?.textContent, undefined, { timeout: 180_000 });
    const dd = JSON.parse((await page.textContent('[data-testid=dd-result]'))!) as { testAccuracy: number; images: number };
    expect(dd.images).toBe(6);
    expect(dd.testAccuracy).toBeGreaterThan(0);
    const inked = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid=dd-images]')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 200) dark++;
      return { width: c.width, dark };
    });
    expect(inked.width).toBeGreaterThan(6 * 28);
    expect(inked.dark).toBeGreaterThan(100);
    await page.screenshot({ path: join(SHOTS, 'studio-dataset-distillation.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 240_000);

  it('demo 01 trains from a static server, and from file:// shows why it cannot', async () => {
    await page.goto(`${origin}/demos/01-qnn-classifier/`);
    await page.waitForFunction(() => /final test accuracy/.test(document.querySelector('[data-testid=log]')?.textContent ?? ''), undefined, { timeout: 180_000 });
    const accuracy = Number(/final test accuracy: ([\d.]+)%/.exec((await page.textContent('[data-testid=log]'))!)![1]);
    expect(accuracy).toBeGreaterThan(75);
    expect(problems).toEqual([]);

    await page.goto(pathToFileURL(join(REPO_ROOT, 'demos', '01-qnn-classifier', 'index.html')).href);
    await page.waitForSelector('[data-testid=error]:not([hidden])', { timeout: 15_000 });
    expect(await page.textContent('[data-testid=error]')).toMatch(/must be served over http\(s\).*npm run demo/);
    await page.screenshot({ path: join(SHOTS, 'demo-01-file-url.png') });
    problems.length = 0; // file:// refusals are logged by Chromium itself
  }, 240_000);
});
