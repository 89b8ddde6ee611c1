import { FILE_STATES } from '../../records/records.model';
import { DomainError } from '../../shared/domain-error';
import { UsageError, type CliCommand } from '../cli-command';

const USAGE = `files list [--state ${FILE_STATES.join('|')}] [--shared-with <unit>]`;

export const filesListCommand: CliCommand = {
  name: 'files list',
  usage: `[--state ${FILE_STATES.join('|')}] [--shared-with <unit>]`,
  summary: 'print one file reference per line, optionally only files in one state and only files shared with one unit',
  async run(args, ctx) {
    const options = new Map<string, string>();
    for (let i = 0; i < args.length; i += 2) {
      const [name, value] = [args[i], args[i + 1]];
      if (!['--state', '--shared-with'].includes(name) || !value || value.startsWith('--') || options.has(name)) throw new UsageError(USAGE);
      options.set(name, value);
    }
    const state = options.get('--state');
    if (state && !(FILE_STATES as readonly string[]).includes(state)) throw new UsageError(USAGE);
    const sharedWith = options.get('--shared-with');
    if (sharedWith && !(await ctx.db('org_units').where({ code: sharedWith }).first())) throw new DomainError('SHARE_UNIT_INVALID', `no such organisational unit: ${sharedWith}`);
    for (let offset = 0; ; offset += 1000) {
      const q = ctx.db('files').orderBy([{ column: 'created_at' }, { column: 'file_reference' }]).offset(offset).limit(1000).select('file_reference');
      if (state) q.where({ state });
      if (sharedWith) q.whereIn('id', ctx.db('file_shares').where({ org_unit: sharedWith }).select('file_id'));
      const rows = await q;
      for (const r of rows) ctx.out(r.file_reference);
      if (rows.length < 1000) break;
    }
    return 0;
  },
};
