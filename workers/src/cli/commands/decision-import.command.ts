import fs from 'node:fs';
import path from 'node:path';
import { importArchiveDecision } from '../../records/disposal/import-archive-decision';
import { UsageError, type CliCommand } from '../cli-command';

export const decisionImportCommand: CliCommand = {
  name: 'decision import',
  usage: '<in.xml> [--out <dir>] [--folder]',
  summary: 'carry out the archive\'s decision (nsesss-DA.xsd): transfer packages for A go to --out (default <data>/sip), S is destroyed',
  async run(args, ctx) {
    const [file, ...rest] = args;
    let outDir = path.join(ctx.config.dataDir, 'sip');
    let folder = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--out' && rest[i + 1]) outDir = rest[++i];
      else if (rest[i] === '--folder') folder = true;
      else throw new UsageError('decision import <in.xml> [--out <dir>] [--folder]');
    }
    if (!file) throw new UsageError('decision import <in.xml> [--out <dir>] [--folder]');
    const result = await importArchiveDecision({ db: ctx.db, clock: ctx.clock, config: ctx.config }, ctx.actor, {
      xml: fs.readFileSync(file), outDir, format: folder ? 'folder' : 'zip',
    });
    if (result.alreadyImported) {
      ctx.out('this list was imported before; nothing changed');
      return 0;
    }
    for (const o of result.outcomes) ctx.out(`${o.fileReference}\t${o.action}${o.package ? `\t${o.package}` : ''}`);
    return 0;
  },
};
