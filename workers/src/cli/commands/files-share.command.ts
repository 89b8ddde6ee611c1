import { findFileByReference } from '../../records/disposal/lifecycle.repository';
import { shareFile, unshareFile } from '../../records/files/file-share.service';
import { DomainError } from '../../shared/domain-error';
import { UsageError, type CliCommand, type CliContext } from '../cli-command';

/** Shares the file with the unit or withdraws the share, through the use case the back-office calls (same checks, same log entry). */
async function run(ctx: CliContext, args: string[], share: boolean): Promise<number> {
  const verb = share ? 'share' : 'unshare';
  if (args.length !== 2 || args.some((a) => a.startsWith('--') || !a.trim())) throw new UsageError(`files ${verb} <fileReference> <unit>`);
  const [fileReference, unit] = args.map((a) => a.trim());
  const file = await findFileByReference(ctx.db, fileReference);
  if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${fileReference} does not exist`);
  const ports = { db: ctx.db, clock: ctx.clock };
  const changed = share ? await shareFile(ports, ctx.actor, { fileId: file.id, orgUnit: unit }) : await unshareFile(ports, ctx.actor, { fileId: file.id, orgUnit: unit });
  ctx.out(`${file.file_reference}\t${share ? 'shared with' : 'not shared with'} ${unit}${changed ? '' : ' (no change)'}`);
  return 0;
}

export const filesShareCommand: CliCommand = {
  name: 'files share',
  usage: '<fileReference> <unit>',
  summary: 'share a file with another organisational unit (its referents and heads then see it); logged as Uprava of the Spis',
  run: (args, ctx) => run(ctx, args, true),
};

export const filesUnshareCommand: CliCommand = {
  name: 'files unshare',
  usage: '<fileReference> <unit>',
  summary: 'withdraw a file\'s share with an organisational unit; logged as Uprava of the Spis',
  run: (args, ctx) => run(ctx, args, false),
};
