import fs from 'node:fs';
import { ISO_DAY, isIsoDay, nextDay, pragueMidnight } from '../../records/transaction-log/prague-day';
import { exportTransactionLog } from '../../records/transaction-log/transaction-log-export.service';
import { UsageError, type CliCommand } from '../cli-command';

/** `2026-11-30` is the whole day from Prague midnight; a full ISO date-time is taken as given. */
export function parsePeriodBound(value: string, end: boolean): Date {
  if (ISO_DAY.test(value)) {
    if (!isIsoDay(value)) throw new UsageError(`not a date: ${value}`);
    return pragueMidnight(end ? nextDay(value) : value);
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new UsageError(`not an ISO date or date-time: ${value}`);
  return at;
}

export const logExportCommand: CliCommand = {
  name: 'log export',
  usage: '<from> <to> <out.xml>',
  summary: 'write the transaction log of a period (ISO dates, both days included) as nsesss-TrP.xsd XML',
  async run(args, ctx) {
    const [from, to, out] = args;
    if (!from || !to || !out) throw new UsageError('log export <from> <to> <out.xml>');
    const period = { from: parsePeriodBound(from, false), to: parsePeriodBound(to, true) };
    if (period.from >= period.to) throw new UsageError(`the period ends before it starts: ${from} – ${to}`);
    const { xml, events } = await exportTransactionLog(ctx, ctx.actor, period);
    fs.writeFileSync(out, xml);
    ctx.out(`${events} events written to ${out}`);
    return 0;
  },
};
