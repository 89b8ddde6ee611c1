import type { EngineContext } from './engine-context';
import { runCommand, RunFailure } from './instance-runner';

interface TimerRow { key: string | number; instance_key: string | number; element_id: string; execution_id: string }

/**
 * Fires due timers and drops expired buffered messages. Every node may run it: an instance that
 * another node is working on is skipped (SKIP LOCKED) and picked up on the next round.
 */
export async function fireDueTimers(ctx: EngineContext, limit = 50): Promise<number> {
  const now = ctx.clock();
  const due = (await ctx.db('engine_timers').where('due_at', '<=', now).orderBy('due_at').limit(limit)) as TimerRow[];
  let fired = 0;
  for (const t of due) {
    const instanceKey = String(t.instance_key);
    try {
      const done = await ctx.track(ctx.db.transaction(async (trx) => {
        const scope = await ctx.lockInstance(trx, instanceKey, { skipLocked: true });
        if (!scope) return false;
        // re-read under the lock: the wait may have ended since the poll
        if (!(await trx('engine_timers').where({ key: t.key }).first())) return false;
        // deleted first: a timer cycle re-arms under the same execution id during the run
        await trx('engine_timers').where({ key: t.key }).delete();
        await runCommand(trx, { ...scope, command: { kind: 'fire-timer', executionId: t.execution_id } });
        return true;
      }));
      if (done) fired++;
    } catch (err) {
      if (!(err instanceof RunFailure)) throw err;
      // the timer cannot fire (e.g. its path breaks): drop it and leave an incident rather than retry forever
      await ctx.db('engine_timers').where({ key: t.key }).delete();
      await ctx.recordRunFailure(instanceKey, err, { elementId: t.element_id });
    }
  }
  return fired;
}

export async function dropExpiredMessages(ctx: EngineContext): Promise<void> {
  await ctx.db('engine_messages').where('expires_at', '<=', ctx.clock()).delete();
}
