import { closeJournalYear } from '../../records/journal-year/close-journal-year.service';
import { createSealingPorts } from '../../signing/seal-key-provider';
import { UsageError, type CliCommand } from '../cli-command';

export const journalCloseYearCommand: CliCommand = {
  name: 'journal close-year',
  usage: '<YYYY>',
  summary: 'close the registry journal of a finished year: closing record, sealed PDF/A rendering stored as a record; the year\'s running numbers become final; once per year',
  async run(args, ctx) {
    const [year, ...rest] = args;
    if (!year || rest.length || !/^\d{4}$/.test(year)) throw new UsageError('journal close-year <YYYY>');
    const sealing = createSealingPorts(ctx.config);
    try {
      const r = await closeJournalYear({ db: ctx.db, clock: ctx.clock, config: ctx.config, sealing }, ctx.actor, { year: Number(year) });
      const record = await ctx.db('documents').where({ id: r.documentId }).first('reference_number', 'jid');
      const states = Object.entries(r.states).sort().map(([s, n]) => `${s} ${n}`).join(', ');
      ctx.out(`${r.year}\t${r.created ? 'closed' : r.sealed ? 'closed before, sealed now' : 'closed before'}\tlast number ${r.lastSeq ?? '-'}\t${r.entries} entries${states ? ` (${states})` : ''}\t${record.reference_number}\t${record.jid}`);
      return 0;
    } finally {
      await sealing.close();
    }
  },
};
