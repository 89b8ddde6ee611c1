import { exportFileSips } from '../../records/sip/export-file-sips';
import { UsageError, type CliCommand } from '../cli-command';

export const sipExportCommand: CliCommand = {
  name: 'sip export',
  usage: '<fileReference> <outDir> [--folder]',
  summary: 'the SIP of one closed file (NSESSS příloha 2) as <outDir>/<name>.zip, or an unpacked folder with --folder; a typed file: one SIP per closed volume',
  async run(args, ctx) {
    const [fileReference, outDir, flag, ...rest] = args;
    if (!fileReference || !outDir || rest.length || (flag && flag !== '--folder')) throw new UsageError('sip export <fileReference> <outDir> [--folder]');
    const result = await exportFileSips({ db: ctx.db, clock: ctx.clock, config: ctx.config }, ctx.actor, { fileReference, outDir, format: flag ? 'folder' : 'zip' });
    for (const p of result.packages) {
      ctx.out(`${p.kind === 'transfer' ? 'transfer' : 'disposal'} package written: ${p.path}${p.fileReference === fileReference ? '' : ` (${p.fileReference})`}`);
    }
    return 0;
  },
};
