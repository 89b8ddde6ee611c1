import type { Knex } from 'knex';
import type { WorkersConfig } from '../config';
import type { Actor } from '../records/records.model';

/** What a command gets: the configured database, settings, time, output and the acting identity. */
export interface CliContext {
  db: Knex;
  config: WorkersConfig;
  clock: () => Date;
  actor: Actor;
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * One command of `npm run cli`. `name` is one or more words (`log verify`); the rest of the
 * arguments go to `run`, which returns the exit code. Add a command by writing one module and
 * listing it in `commands/index.ts`.
 */
export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

export class UsageError extends Error {}
