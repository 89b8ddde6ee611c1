import { findFileByReference } from '../../records/disposal/lifecycle.repository';
import { recordTriggerEvent } from '../../records/disposal/record-trigger-event';
import { DomainError } from '../../shared/domain-error';
import { UsageError, type CliCommand } from '../cli-command';

export const filesTriggerCommand: CliCommand = {
  name: 'files trigger',
  usage: '<fileReference> <YYYY-MM-DD>',
  summary: 'record the day the file\'s trigger event (spouštěcí událost, other than closure) happened: it sets the disposal year',
  async run(args, ctx) {
    const [fileReference, date] = args;
    if (!fileReference || !date || args.length > 2) throw new UsageError('files trigger <fileReference> <YYYY-MM-DD>');
    const file = await findFileByReference(ctx.db, fileReference);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${fileReference} does not exist`);
    const r = await recordTriggerEvent({ db: ctx.db, clock: ctx.clock }, ctx.actor, { fileId: file.id, date });
    ctx.out(`${r.fileReference}\tdisposal year ${r.disposalYear}${r.changed ? '' : ' (no change)'}`);
    return 0;
  },
};
