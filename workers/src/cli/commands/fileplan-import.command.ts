import fs from 'node:fs';
import { importFilePlan } from '../../records/file-plan/file-plan.service';
import { UsageError, type CliCommand } from '../cli-command';

export const fileplanImportCommand: CliCommand = {
  name: 'fileplan import',
  usage: '<in.xml> [--legacy]',
  summary: 'import a file plan (nsesss-plan.xsd) as a new version; --legacy admits disposal code V',
  async run(args, ctx) {
    const [file, flag] = args;
    if (!file || (flag && flag !== '--legacy')) throw new UsageError('fileplan import <in.xml> [--legacy]');
    const result = await importFilePlan(ctx, ctx.actor, fs.readFileSync(file, 'utf8'), { legacy: flag === '--legacy' });
    ctx.out(`file plan ${result.identifier} imported: ${result.classes} classes`);
    return 0;
  },
};
