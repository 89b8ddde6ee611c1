import { verifyAuditLog } from '@openspis/db';
import { verifySealedDays } from '../../records/transaction-log/verify-sealed-days';
import type { CliCommand } from '../cli-command';

export const logVerifyCommand: CliCommand = {
  name: 'log verify',
  usage: '',
  summary: 'check the hash chain of the whole transaction log and the chain values of the sealed days; exit 1 naming the first altered entry or day',
  async run(_args, ctx) {
    const result = await verifyAuditLog(ctx.db);
    if (!result.ok) {
      const b = result.firstBroken!;
      const row = b.row ? ` (${new Date(b.row.occurred_at).toISOString()} ${b.row.event_type} ${b.row.object_type} ${b.row.object_id})` : '';
      ctx.err(`transaction log altered: first altered entry ${b.id}${row}: ${b.reason}; ${result.checked} entries before it are intact`);
      return 1;
    }
    const sealed = await verifySealedDays(ctx.db);
    if (!sealed.ok) {
      const b = sealed.firstBroken!;
      ctx.err(`transaction log rewritten: the sealed rendering of ${b.day} no longer matches the log${b.entryId ? ` at entry ${b.entryId}` : ''}: ${b.reason}; the chain was recomputed after an edit`);
      return 1;
    }
    ctx.out(`transaction log intact: ${result.checked} entries, ${sealed.checked} sealed days match`);
    return 0;
  },
};
