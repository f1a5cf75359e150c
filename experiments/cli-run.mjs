// Shared by the experiment runners: run `node <bin> <args…>` and take its
// last stdout line as the JSON summary (or an E_RUN error when there is none).
import { spawnSync } from 'node:child_process';

/** Runs the CLI; returns { summary, wallSeconds } and echoes its stdout. */
export function runCliJson(bin, args, cwd) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = (r.stdout ?? '').trim().split('\n');
  process.stdout.write(r.stdout ?? '');
  let summary;
  try {
    summary = JSON.parse(lines[lines.length - 1]);
  } catch {
    summary = { error: { code: 'E_RUN', message: `exit ${r.status}, no JSON line` } };
  }
  return { summary, wallSeconds: (Date.now() - started) / 1000 };
}
