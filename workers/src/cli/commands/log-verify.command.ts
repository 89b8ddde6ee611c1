import { verifyAuditLog } from '@openspis/db';
import type { CliCommand } from '../cli-command';

export const logVerifyCommand: CliCommand = {
  name: 'log verify',
  usage: '',
  summary: 'check the hash chain of the whole transaction log; exit 1 naming the first altered entry',
  async run(_args, ctx) {
    const result = await verifyAuditLog(ctx.db);
    if (result.ok) {
      ctx.out(`transaction log intact: ${result.checked} entries`);
      return 0;
    }
    const b = result.firstBroken!;
    const row = b.row ? ` (${new Date(b.row.occurred_at).toISOString()} ${b.row.event_type} ${b.row.object_type} ${b.row.object_id})` : '';
    ctx.err(`transaction log altered: first altered entry ${b.id}${row}: ${b.reason}; ${result.checked} entries before it are intact`);
    return 1;
  },
};
