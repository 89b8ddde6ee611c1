import fs from 'node:fs';
import { exportFilePlan } from '../../records/file-plan/file-plan.service';
import { UsageError, type CliCommand } from '../cli-command';

export const fileplanExportCommand: CliCommand = {
  name: 'fileplan export',
  usage: '<out.xml> [--plan <identifier>]',
  summary: 'write the file plan valid today (or the one named) as NSESSS XML (nsesss-plan.xsd)',
  async run(args, ctx) {
    const [out, flag, identifier] = args;
    if (!out || (flag && (flag !== '--plan' || !identifier))) throw new UsageError('fileplan export <out.xml> [--plan <identifier>]');
    const xml = await exportFilePlan(ctx, ctx.actor, { identifier });
    fs.writeFileSync(out, xml);
    ctx.out(`file plan written to ${out}`);
    return 0;
  },
};
