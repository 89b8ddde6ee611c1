import { DomainError } from '../shared/domain-error';
import { UsageError, type CliCommand, type CliContext } from './cli-command';

/** The command whose name matches the longest run of leading words. */
export function findCommand(commands: readonly CliCommand[], argv: readonly string[]): { command: CliCommand; args: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, args: argv.slice(words.length) };
  }
  return undefined;
}

export function helpText(commands: readonly CliCommand[]): string {
  return ['usage: npm run cli -- <command>', '', ...commands.map((c) => `  ${`${c.name} ${c.usage}`.trim().padEnd(52)} ${c.summary}`)].join('\n');
}

/** Runs one command; usage and domain errors become a message and exit code 2 or 1, nothing else is caught. */
export async function runCli(commands: readonly CliCommand[], argv: readonly string[], ctx: CliContext): Promise<number> {
  const found = findCommand(commands, argv);
  if (!found) {
    ctx.err(helpText(commands));
    return 2;
  }
  try {
    return await found.command.run(found.args, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.err(`usage: npm run cli -- ${err.message}`);
      return 2;
    }
    if (err instanceof DomainError) {
      ctx.err(`${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/**
 * `npm run cli -- files list | head`: when the reader stops early, writing to the closed pipe fails
 * with EPIPE. That is how pipes end, not an error: the command stops with exit code 0 and no trace.
 */
export function endQuietlyOnClosedPipe(out: NodeJS.WriteStream, exit: (code: number) => never = process.exit): void {
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    throw err;
  });
}
