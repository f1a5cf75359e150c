// Interrupting a CLI run at a chosen point, for the resume tests of kd and dd.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** How a child CLI process ended. */
export interface ChildExit {
  code: number | null;
  signal: string | null;
  stdout: string;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `qdistill <args>` as a child process and sends it `signal` once its
 * stderr has shown `count` lines matching `marker` (progress milestones are
 * plain lines when stderr is not a terminal), a run state (`*.qdstate`)
 * exists in `stateDir`, and `delayMs` more have passed. The milestone line is
 * printed before its state is written: without the wait for a state, a kill
 * under load could land before anything was saved. Resolves when it exits.
 */
export async function interruptCliAfter(args: readonly string[], options: { marker: RegExp; count: number; stateDir: string; delayMs: number; signal: NodeJS.Signals }): Promise<ChildExit> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-process.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exit = new Promise<ChildExit>((done) => child.on('exit', (code, signal) => done({ code, signal, stdout })));
  let exited = false;
  void exit.then(() => (exited = true));
  const saved = (): boolean => {
    try {
      return readdirSync(options.stateDir).some((f) => f.endsWith('.qdstate'));
    } catch {
      return false;
    }
  };
  while (!exited && (stderr.match(options.marker) ?? []).length < options.count) await pause(5);
  while (!exited && !saved()) await pause(5);
  await pause(options.delayMs);
  if (!exited) child.kill(options.signal);
  return exit;
}
