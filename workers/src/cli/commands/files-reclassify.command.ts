import { findFileByReference } from '../../records/disposal/lifecycle.repository';
import { reclassifyFile } from '../../records/files/reclassify-file.service';
import { DomainError } from '../../shared/domain-error';
import { UsageError, type CliCommand } from '../cli-command';

const USAGE = 'files reclassify <fileReference> <classCode> --reason <text…>';

export const filesReclassifyCommand: CliCommand = {
  name: 'files reclassify',
  usage: '<fileReference> <classCode> --reason <text…>',
  summary: 'change the class (spisový znak) of an open or closed file not yet in the records centre; its documents and journal rows follow',
  async run(args, ctx) {
    const at = args.indexOf('--reason');
    const positional = at < 0 ? args : args.slice(0, at);
    const reason = at < 0 ? '' : args.slice(at + 1).join(' ').trim();
    if (positional.length !== 2 || positional.some((a) => a.startsWith('--')) || !reason) throw new UsageError(USAGE);
    const [fileReference, classCode] = positional;
    const file = await findFileByReference(ctx.db, fileReference);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${fileReference} does not exist`);
    const r = await reclassifyFile({ db: ctx.db, clock: ctx.clock }, ctx.actor, { fileId: file.id, classCode, reason });
    ctx.out(`${r.fileReference}\t${r.from ?? '-'} -> ${r.to}\t${r.retention}${r.disposalYear ? `\tdisposal year ${r.disposalYear}` : ''}${r.changed ? '' : '\t(no change)'}`);
    return 0;
  },
};
