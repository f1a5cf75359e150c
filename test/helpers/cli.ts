/**
 * Runs the `qdistill` CLI in-process (its `main`), capturing stdout lines,
 * stderr text (console.error and progress writes) and the exit code.
 */
import { vi } from 'vitest';
import { main } from '../../sdk/cli/main.js';

/** `qdistill <args>` in-process. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string }> {
  const stdout: string[] = [];
  let stderr = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void stdout.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (stderr += `${a.join(' ')}\n`));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    log.mockRestore();
    err.mockRestore();
    write.mockRestore();
  }
}
