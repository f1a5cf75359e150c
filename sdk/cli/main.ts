/**
 * The `qdistill` command line (Node only). Each command lives in its own
 * module and parses its own flags strictly; this file dispatches.
 *
 * Progress goes to stderr; a readable table, then ONE JSON object as the
 * last line of stdout. Errors print a message on stderr and, as the last
 * stdout line, `{"error":{"code","message"}}`; the exit code is 1 (2 for
 * usage errors).
 */
import { readFile } from 'node:fs/promises';
import { isQDistillError } from '../index.js';
import type { Command } from './args.js';
import { ddCommand } from './dd.js';
import { kdCommand } from './kd.js';
import { presetsCommand } from './presets-command.js';
import { schemaCommand } from './schema-command.js';
import { teacherCommand } from './teacher.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [kdCommand, ddCommand, teacherCommand, presetsCommand, schemaCommand];

function mainHelp(): string {
  return `qdistill — knowledge and dataset distillation into quantum neural networks

Usage:
${COMMANDS.map((c) => `  qdistill ${c.name.padEnd(8)} ${c.summary}`).join('\n')}
  qdistill --help | --version

Run qdistill <command> --help for a command's flags. The last line of stdout
is one JSON object; progress is drawn on stderr.`;
}

/** Entry point; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      console.log(mainHelp());
      return 0;
    }
    if (name === '--version' || name === '-v') {
      const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      console.log(pkg.version);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      console.error(`qdistill: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})\n\n${mainHelp()}`);
      console.log(JSON.stringify({ error: { code: 'E_USAGE', message: `unknown command ${JSON.stringify(name)}` } }));
      return 2;
    }
    return await command.run(rest);
  } catch (error) {
    if (isQDistillError(error)) {
      console.error(`qdistill: ${error.message} [${error.code}]`);
      console.log(JSON.stringify({ error: { code: error.code, message: error.message } }));
      return error.code === 'E_USAGE' ? 2 : 1;
    }
    throw error;
  }
}
