/**
 * Strict argument parsing for every `qdistill` command: `node:util`
 * `parseArgs` with `strict: true`, so an unknown flag, a missing value or a
 * stray positional is an `E_USAGE` error that names it, and list values
 * (`--seeds 0,1,2`) are parsed strictly (no empty items, no `1,,2`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { QDistillError } from '../index.js';

/** One command of the CLI. */
export interface Command {
  /** `kd`, `dd`, `teacher`, … */
  readonly name: string;
  /** One line for `qdistill --help`. */
  readonly summary: string;
  /** The full `qdistill <name> --help` text. */
  readonly help: string;
  /** Runs the command with the arguments after its name; returns the exit code. */
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` against `options` (strict). `--help`/`-h` is always allowed
 * and reported as `help: true`.
 *
 * @throws E_USAGE naming the unknown flag, the flag missing its value, or the unexpected argument
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals = 0,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[]; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: allowPositionals > 0 });
  } catch (cause) {
    const message = (cause as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
    throw new QDistillError('E_USAGE', `qdistill ${command}: ${message} (see: qdistill ${command} --help)`, { cause });
  }
  if (parsed.positionals.length > allowPositionals) {
    throw new QDistillError(
      'E_USAGE',
      `qdistill ${command}: unexpected argument ${JSON.stringify(parsed.positionals[allowPositionals])} (see: qdistill ${command} --help)`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  return { values, positionals: parsed.positionals, help: values.help === true };
}

/**
 * A comma-separated list of integers (`0,1,2`); ranges `a-b` allowed when `ranges` is set.
 *
 * @throws E_USAGE on an empty item, a non-integer or a bad range, naming the flag
 */
export function parseIntList(flag: string, text: string, options: { ranges?: boolean; min?: number; max?: number } = {}): number[] {
  const out: number[] = [];
  const items = text.split(',');
  for (const item of items) {
    const range = options.ranges ? /^(-?\d+)-(-?\d+)$/.exec(item.trim()) : null;
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (a > b) throw new QDistillError('E_USAGE', `--${flag}: range ${item} runs backwards (expected low-high)`);
      for (let v = a; v <= b; v++) out.push(v);
      continue;
    }
    if (!/^-?\d+$/.test(item.trim())) {
      throw new QDistillError('E_USAGE', `--${flag}: expected a comma-separated list of integers${options.ranges ? ' or ranges like 0-5' : ''}, got ${JSON.stringify(text)} (bad item ${JSON.stringify(item)})`);
    }
    out.push(Number(item.trim()));
  }
  for (const v of out) {
    if ((options.min !== undefined && v < options.min) || (options.max !== undefined && v > options.max)) {
      throw new QDistillError('E_USAGE', `--${flag}: ${v} is outside ${options.min ?? '-∞'}..${options.max ?? '∞'}`);
    }
  }
  return out;
}

/**
 * A positive integer flag value.
 *
 * @throws E_USAGE naming the flag and the bad value
 */
export function parsePositiveInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new QDistillError('E_USAGE', `--${flag}: expected a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}
