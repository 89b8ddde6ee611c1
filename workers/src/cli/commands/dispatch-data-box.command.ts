import pino from 'pino';
import { createIsdsClient } from '../../clients/isds/isds-client';
import { createMailTransport } from '../../notify/mail-transport';
import { takeOverDataBoxDeliveries } from '../../records/dispatch/data-box-deliveries';
import { DomainError } from '../../shared/domain-error';
import { UsageError, type CliCommand } from '../cli-command';

export const dispatchDataBoxCommand: CliCommand = {
  name: 'dispatch data-box',
  usage: '',
  summary: 'ask ISDS now about documents dispatched through the data box and record their delivery (as the periodic step does; needs ISDS_URL)',
  async run(args, ctx) {
    if (args.length) throw new UsageError('dispatch data-box');
    if (!ctx.config.isds) throw new DomainError('ISDS_NOT_CONFIGURED', 'set ISDS_URL, ISDS_USERNAME and ISDS_PASSWORD');
    // what failed goes to the error output as ids and codes, like the periodic step's log
    const log = pino({ level: 'warn' }, { write: (line: string) => ctx.err(line.trimEnd()) });
    const notify = { config: ctx.config, transport: createMailTransport(ctx.config) };
    const r = await takeOverDataBoxDeliveries({ db: ctx.db, clock: ctx.clock, isds: createIsdsClient(ctx.config.isds), notify, trustAnchorsDir: ctx.config.trustAnchorsDir }, log);
    ctx.out(`asked ${r.asked}\tdelivered ${r.delivered.length}\treceipts ${r.receipts.length}\tfailed ${r.failed}`);
    return r.failed ? 1 : 0;
  },
};
