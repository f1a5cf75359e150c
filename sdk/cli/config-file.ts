/** Reading a command's JSON config file with errors that name the command and the file. */
import { readFile } from 'node:fs/promises';
import { QDistillError } from '../index.js';

/**
 * The parsed JSON of a config file.
 *
 * @throws E_CONFIG if the file cannot be read or is not valid JSON (naming the command and the file)
 */
export async function readJsonConfig(command: string, file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new QDistillError('E_CONFIG', `${command}: cannot read config file ${file}`, { cause });
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new QDistillError('E_CONFIG', `${command}: ${file} is not valid JSON (${(cause as Error).message})`, { cause });
  }
}
