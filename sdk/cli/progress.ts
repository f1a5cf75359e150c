/**
 * Progress on stderr for long CLI jobs: a redrawn bar with ETA on a terminal,
 * one plain line per milestone otherwise (CI logs, pipes).
 */
import cliProgress from 'cli-progress';

/** One progress update. */
export interface ProgressUpdate {
  /** Identifies the bar: a new key starts a new bar (e.g. `kd/seed 3`). */
  key: string;
  /** Work done and total, in the same unit (steps). */
  value: number;
  total: number;
  /** Short text after the bar (`epoch 3/15 loss 0.41 acc 0.88`). */
  detail: string;
  /** Write a plain line when not on a terminal (e.g. at an epoch end). */
  milestone: boolean;
}

/** Draws progress bars (terminal) or milestone lines (otherwise) on stderr. */
export class ProgressReporter {
  private readonly interactive: boolean;
  private readonly bar: cliProgress.SingleBar;
  private key = '';
  private readonly started = performance.now();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.interactive = stream.isTTY === true;
    this.bar = new cliProgress.SingleBar(
      { stream, format: '{key} |{bar}| {percentage}% {detail} eta {eta_formatted}', hideCursor: this.interactive, etaBuffer: 50, noTTYOutput: false },
      cliProgress.Presets.shades_classic,
    );
  }

  /** Redraws the bar, or writes a line at a milestone when not on a terminal. */
  update(u: ProgressUpdate): void {
    if (!this.interactive) {
      if (u.milestone) {
        const elapsed = ((performance.now() - this.started) / 1000).toFixed(0);
        this.stream.write(`${u.key} ${u.detail} [${elapsed} s]\n`);
      }
      return;
    }
    if (u.key !== this.key) {
      if (this.key) this.bar.stop();
      this.bar.start(u.total, u.value, { key: u.key, detail: u.detail });
      this.key = u.key;
    } else this.bar.update(u.value, { detail: u.detail });
  }

  /** A message on its own line (the bar is stopped first). */
  message(text: string): void {
    this.stop();
    this.stream.write(`${text}\n`);
  }

  /** Stops the current bar. */
  stop(): void {
    if (this.key && this.interactive) this.bar.stop();
    this.key = '';
  }
}

/** `0.9712` → `97.12%`; null → `—`. */
export function pct(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : `${(100 * x).toFixed(digits)}%`;
}

/** Prints rows as an aligned plain-text table on stdout. */
export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => r.map((cell, c) => (cell ?? '').padEnd(widths[c]!)).join('  ').trimEnd();
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}
