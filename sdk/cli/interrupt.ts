import { isQDistillError } from '../index.js';

/**
 * Ctrl-C and `kill` for long CLI commands: the first SIGINT or SIGTERM fires
 * an AbortSignal (trainers stop after the current step, saving their state
 * when checkpointing); a second one exits at once with code 130.
 */

/** What {@link catchInterrupts} returns. */
export interface Interrupts {
  /** Fires on the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** The signal received (`SIGINT`, `SIGTERM`), or null. */
  received(): NodeJS.Signals | null;
  /** Removes the handlers (call when the command ends). */
  dispose(): void;
}

/** Exit code of a command stopped by a signal (128 + SIGINT's 2, as shells report Ctrl-C). */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Installs SIGINT/SIGTERM handlers for the duration of a command.
 *
 * @param onFirst called on the first signal (e.g. to print "stopping after the current step")
 */
export function catchInterrupts(onFirst: (signal: NodeJS.Signals) => void): Interrupts {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals): void => {
    if (received) process.exit(INTERRUPTED_EXIT_CODE);
    received = signal;
    onFirst(signal);
    controller.abort(new Error(`${signal} received`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * The end of a command stopped by Ctrl-C or `kill`: when `error` is the
 * `E_ABORTED` that the first signal caused, prints what happened (and, with a
 * checkpoint directory, the command that continues the run: the same
 * arguments plus `--resume`) on stderr and as the last JSON line, and returns
 * {@link INTERRUPTED_EXIT_CODE}; any other error is thrown again.
 *
 * @param command the subcommand (`kd`, `dd`) for the continue-with line
 * @param argv the subcommand's arguments as given
 * @param stopProgress stops the progress display before printing
 */
export function reportInterruption(
  error: unknown, interrupts: Interrupts, command: string, argv: readonly string[], checkpointDir: string | undefined, stopProgress: () => void,
): number {
  const signal = interrupts.received();
  if (!signal || !isQDistillError(error) || error.code !== 'E_ABORTED') throw error;
  stopProgress();
  const again = checkpointDir !== undefined ? `; continue with: qdistill ${command} ${[...argv.filter((a) => a !== '--resume'), '--resume'].join(' ')}` : '';
  const message = `interrupted by ${signal}: ${error.message}${checkpointDir !== undefined ? `; the state is saved in ${checkpointDir}` : ''}${again}`;
  console.error(`qdistill: ${message}`);
  console.log(JSON.stringify({ error: { code: error.code, message } }));
  return INTERRUPTED_EXIT_CODE;
}
