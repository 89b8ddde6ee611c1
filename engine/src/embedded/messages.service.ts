import { EngineError, type PublishMessageRequest } from '../port';
import type { EngineContext } from './engine-context';
import { runCommand, RunFailure } from './instance-runner';
import { startByMessage } from './start-events';

interface SubscriptionRow { key: string | number; instance_key: string | number; element_id: string; execution_id: string; message_ref: string }

/** Message correlation by name + correlation key, with a TTL buffer and messageId deduplication. */
export class MessagesService {
  constructor(private readonly ctx: EngineContext) {}

  async publishMessage(req: PublishMessageRequest): Promise<{ messageKey: string; correlated: boolean }> {
    if (!req.name) throw new EngineError('INVALID_ARGUMENT', 'message name is required');
    const failures: { instanceKey: string; elementId: string; failure: RunFailure }[] = [];
    const result = await this.ctx.track(this.ctx.db.transaction(async (trx) => {
      const now = this.ctx.clock();
      // one publisher per (name, key) at a time, so dedup and correlation see each other's rows
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`engine-message:${req.name}:${req.correlationKey}`]);
      if (req.messageId) {
        const duplicate = await trx('engine_messages')
          .where({ name: req.name, correlation_key: req.correlationKey, message_id: req.messageId })
          .where('expires_at', '>', now).first();
        if (duplicate) throw new EngineError('DUPLICATE_MESSAGE', `message ${req.name} with id ${req.messageId} was already published`);
      }
      const [inserted] = await trx('engine_messages').insert({
        name: req.name, correlation_key: req.correlationKey, message_id: req.messageId ?? null,
        variables: JSON.stringify(req.variables ?? {}), expires_at: new Date(now.getTime() + Math.max(0, req.timeToLive ?? 0)),
      }).returning('key');
      const messageKey = String(typeof inserted === 'object' ? inserted.key : inserted);

      const subs = (await trx('engine_message_subscriptions')
        .where({ message_name: req.name, correlation_key: req.correlationKey })
        .orderBy('instance_key').orderBy('key')) as SubscriptionRow[];
      // at most one subscription per instance receives the message (as in Zeebe); instances in key order avoids lock cycles
      const perInstance = new Map<string, SubscriptionRow>();
      for (const s of subs) if (!perInstance.has(String(s.instance_key))) perInstance.set(String(s.instance_key), s);

      let correlated = false;
      for (const [instanceKey, sub] of perInstance) {
        try {
          // a savepoint per instance: one instance whose model breaks does not undo the others
          correlated = (await trx.transaction(async (sp) => {
            const scope = await this.ctx.lockInstance(sp, instanceKey);
            if (!scope || scope.instance.state !== 'ACTIVE') return false;
            if (!(await sp('engine_message_subscriptions').where({ key: sub.key }).first())) return false;
            await runCommand(sp, { ...scope, now, command: { kind: 'signal', executionId: sub.execution_id, payload: { id: sub.message_ref }, variables: req.variables ?? {} } });
            await sp('engine_events').insert({
              instance_key: instanceKey, element_id: sub.element_id, element_type: scope.def.parsed.elements.get(sub.element_id)?.type ?? null,
              event: 'MESSAGE_CORRELATED', details: JSON.stringify({ messageKey, name: req.name }), occurred_at: now,
            });
            return true;
          })) || correlated;
        } catch (err) {
          if (!(err instanceof RunFailure)) throw err;
          failures.push({ instanceKey, elementId: sub.element_id, failure: err });
        }
      }
      // message start events of the latest versions start an instance each
      if ((await startByMessage(trx, this.ctx.defs, { key: messageKey, name: req.name, correlationKey: req.correlationKey ?? '', variables: req.variables ?? {} }, now, this.ctx.node)) > 0) correlated = true;
      if (correlated) await trx('engine_messages').where({ key: messageKey }).update({ correlated_at: now });
      return { messageKey, correlated };
    }));
    // after the commit: recording takes its own transaction (PGlite has a single connection)
    for (const f of failures) await this.ctx.recordRunFailure(f.instanceKey, f.failure, { elementId: f.elementId });
    return result;
  }
}
