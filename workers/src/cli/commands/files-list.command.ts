import { FILE_STATES } from '../../records/records.model';
import { UsageError, type CliCommand } from '../cli-command';

export const filesListCommand: CliCommand = {
  name: 'files list',
  usage: `[--state ${FILE_STATES.join('|')}]`,
  summary: 'print one file reference per line, optionally only files in one state',
  async run(args, ctx) {
    let state: string | undefined;
    if (args.length) {
      if (args[0] !== '--state' || !args[1] || !(FILE_STATES as readonly string[]).includes(args[1])) throw new UsageError(`files list [--state ${FILE_STATES.join('|')}]`);
      state = args[1];
    }
    for (let offset = 0; ; offset += 1000) {
      const q = ctx.db('files').orderBy([{ column: 'created_at' }, { column: 'file_reference' }]).offset(offset).limit(1000).select('file_reference');
      if (state) q.where({ state });
      const rows = await q;
      for (const r of rows) ctx.out(r.file_reference);
      if (rows.length < 1000) break;
    }
    return 0;
  },
};
