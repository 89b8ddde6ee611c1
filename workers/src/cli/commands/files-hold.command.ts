import { setDisposalHold } from '../../records/disposal/disposal-hold';
import { findFileByReference } from '../../records/disposal/lifecycle.repository';
import { DomainError } from '../../shared/domain-error';
import { UsageError, type CliCommand, type CliContext } from '../cli-command';

async function run(ctx: CliContext, fileReference: string, hold: boolean, reason: string | null): Promise<number> {
  const file = await findFileByReference(ctx.db, fileReference);
  if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${fileReference} does not exist`);
  const r = await setDisposalHold({ db: ctx.db, clock: ctx.clock }, ctx.actor, { fileId: file.id, hold, reason });
  ctx.out(`${r.fileReference}\t${hold ? 'held' : 'released'}${r.changed ? '' : ' (no change)'}`);
  return 0;
}

export const filesHoldCommand: CliCommand = {
  name: 'files hold',
  usage: '<fileReference> <reason…>',
  summary: 'put a disposal hold (pozastavení skartační operace) on a file: it stays out of disposal proposals',
  async run(args, ctx) {
    const [fileReference, ...reason] = args;
    if (!fileReference || !reason.length) throw new UsageError('files hold <fileReference> <reason…>');
    return run(ctx, fileReference, true, reason.join(' '));
  },
};

export const filesReleaseCommand: CliCommand = {
  name: 'files release',
  usage: '<fileReference> [reason…]',
  summary: 'lift the disposal hold of a file',
  async run(args, ctx) {
    const [fileReference, ...reason] = args;
    if (!fileReference) throw new UsageError('files release <fileReference> [reason…]');
    return run(ctx, fileReference, false, reason.join(' ') || null);
  },
};
