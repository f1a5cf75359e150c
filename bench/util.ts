// Shared helpers of the benchmark sections: timing (cold + warm median),
// runtime description, plain-text tables. Node only; not part of the SDK.
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** One measurement: the first run, and the median of the timed runs after warm-up. */
export interface Timing {
  /** Milliseconds of the very first run (nothing warmed up at this size). */
  readonly coldMs: number;
  /** Median milliseconds of the timed runs. */
  readonly warmMs: number;
  /** Fastest and slowest timed run. */
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
  /**
   * Share of the machine's CPU time used by OTHER processes during the timed
   * runs (0..1; NaN where /proc/stat is unavailable). Above ~0.1 the numbers
   * are contaminated: other processes compete for cores and L3/DRAM bandwidth.
   */
  readonly otherLoad: number;
}

export interface TimeOptions {
  /** Untimed runs after the cold run (default 2). */
  warmup?: number;
  /** Timed runs (default 7). */
  runs?: number;
  /** Called before each run, untimed (e.g. reset a state). */
  before?: () => void;
}

/** Times `fn`: a cold run, `warmup` untimed runs, then `runs` timed runs. */
export function time(fn: () => void, options: TimeOptions = {}): Timing {
  const warmup = options.warmup ?? 2;
  const runs = Math.max(1, options.runs ?? 7);
  const once = (): number => {
    options.before?.();
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  const coldMs = once();
  for (let i = 0; i < warmup; i++) once();
  const samples: number[] = [];
  const probe = startLoadProbe();
  for (let i = 0; i < runs; i++) samples.push(once());
  return { coldMs, warmMs: median(samples), minMs: Math.min(...samples), maxMs: Math.max(...samples), runs, otherLoad: probe() };
}

function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring the CPU time other processes use; the returned function
 * stops and gives their share of the machine (machine busy time minus this
 * process's own CPU time, over wall time × cores).
 */
export function startLoadProbe(): () => number {
  const before = cpuTimes();
  const ownBefore = process.cpuUsage();
  const wallBefore = performance.now();
  return () => {
    const after = cpuTimes();
    if (!before || !after || after.total === before.total) return Number.NaN;
    const own = process.cpuUsage(ownBefore);
    const ownMs = (own.user + own.system) / 1000;
    const wallMs = performance.now() - wallBefore;
    const machineMs = wallMs * os.cpus().length;
    const busyShare = (after.busy - before.busy) / (after.total - before.total);
    return Math.min(1, Math.max(0, busyShare - ownMs / machineMs));
  };
}

/** otherLoad as a percentage for tables. */
export function loadText(timing: Timing): string {
  return Number.isNaN(timing.otherLoad) ? 'n/a' : `${Math.round(timing.otherLoad * 100)}%`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs the garbage collector if node was started with --expose-gc. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Node, V8, CPU, memory, flags: printed at the top of every run. */
export function runtimeInfo(): string[] {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || 'unknown';
  const speeds = cpus.map((c) => c.speed).filter((s) => s > 0);
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ? [`NODE_OPTIONS=${process.env.NODE_OPTIONS}`] : [])];
  return [
    `node ${process.version} (V8 ${process.versions.v8}) on ${process.platform}/${process.arch}`,
    `cpu: ${model} × ${cpus.length}${speeds.length ? ` @ ${Math.max(...speeds)} MHz` : ''}; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node flags: ${flags.length ? flags.join(' ') : '(none)'}`,
    `load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (other processes on the machine skew timings)`,
  ];
}

/** The machine fields of a bench's final JSON line: runtime, CPU model, core count, 1-minute load average. */
export function runtimeFields(): { runtime: string; cpu: string; cores: number; load_average: number } {
  const cpus = os.cpus();
  return {
    runtime: `node ${process.version}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    load_average: +os.loadavg()[0]!.toFixed(2),
  };
}

/** Formats µs/ms compactly: 3 significant digits. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  if (abs >= 1) return value.toFixed(3);
  return value.toPrecision(3);
}

/** A plain-text table: header row, a rule, right-aligned cells (first column left). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Rounds a number for the JSON summary (4 significant digits). */
export function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : value;
}
