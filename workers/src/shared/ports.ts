import type { Knex } from 'knex';
import type pino from 'pino';
import type { WorkersConfig } from '../config';

/** What every use case gets: the database, the time, a logger and the configuration. */
export interface WorkerPorts {
  db: Knex;
  clock: () => Date;
  log: pino.Logger;
  config: WorkersConfig;
}

/** Actor recorded in the transaction log for changes made by the workers. */
export const SYSTEM_ACTOR = 'system:workers';
