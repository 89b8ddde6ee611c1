import fs from 'node:fs';
import { exportTransactionLog } from '../../records/transaction-log/transaction-log-export.service';
import { UsageError, type CliCommand } from '../cli-command';

/** `2026-11-30` is the whole day from Prague midnight; a full ISO date-time is taken as given. */
export function parsePeriodBound(value: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(day.getTime())) throw new UsageError(`not a date: ${value}`);
    if (end) day.setUTCDate(day.getUTCDate() + 1);
    // Prague midnight: an hour before UTC midnight in winter, two in summer
    const offset = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Prague', timeZoneName: 'shortOffset' }).format(day).match(/GMT([+-]\d+)/)?.[1] ?? '+1';
    return new Date(day.getTime() - Number(offset) * 3_600_000);
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
    const { xml, events } = await exportTransactionLog(ctx, ctx.actor, { from: parsePeriodBound(from, false), to: parsePeriodBound(to, true) });
    fs.writeFileSync(out, xml);
    ctx.out(`${events} events written to ${out}`);
    return 0;
  },
};
