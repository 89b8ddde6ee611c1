import { createSealingPorts } from '../../signing/seal-key-provider';
import { sealTransactionLogDay } from '../../records/transaction-log/seal-log-day.service';
import { isIsoDay } from '../../records/transaction-log/prague-day';
import { UsageError, type CliCommand } from '../cli-command';

export const logSealDayCommand: CliCommand = {
  name: 'log seal-day',
  usage: '<YYYY-MM-DD>',
  summary: 'render one finished day of the transaction log (PDF/A + nsesss-TrP.xsd XML), store it as a record and seal it; once per day',
  async run(args, ctx) {
    const [day, ...rest] = args;
    if (!day || rest.length || !isIsoDay(day)) throw new UsageError('log seal-day <YYYY-MM-DD>');
    const sealing = createSealingPorts(ctx.config);
    try {
      const r = await sealTransactionLogDay({ db: ctx.db, clock: ctx.clock, config: ctx.config, sealing }, ctx.actor, { day });
      const record = await ctx.db('documents').where({ id: r.documentId }).first('reference_number', 'jid');
      ctx.out(`${r.day}\t${r.created ? 'sealed' : r.sealed ? 'rendered before, sealed now' : 'sealed before'}\t${r.events} events\t${record.reference_number}\t${record.jid}\tchain ${r.lastHash}`);
      return 0;
    } finally {
      await sealing.close();
    }
  },
};
