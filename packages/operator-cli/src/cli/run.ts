import { BadInputError, NotFoundError } from '@evcharge/domain';
import { UsageError } from './args.js';

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** `--help` or `-h` before any `--`: the caller prints its usage on stdout and exits 0. */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Runs a command and maps its failure to an exit code: 2 for bad arguments (with usage), 1 for
 * everything else. Returns the code instead of exiting, so tests can call it.
 */
export async function runCommand(
  command: () => Promise<void>,
  usage: string,
  io: CommandIo,
  hint: (error: unknown) => string | undefined = () => undefined,
): Promise<number> {
  try {
    await command();
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      io.err(usage);
      return 2;
    }
    if (error instanceof BadInputError) {
      io.err(`error: ${error.field} ${error.reason}`);
      return 2;
    }
    if (error instanceof NotFoundError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    io.err(`error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    const advice = hint(error);
    if (advice) io.err(advice);
    return 1;
  }
}
