import type { Knex } from 'knex';
import type { Variables } from '../port';
import type { LoadedDefinition } from './definition.repository';
import { FeelError, resolveList, resolveString, timerDueAt } from './feel';
import type { InstanceRow } from './instance-runner';

/**
 * Keeps our rows in step with what bpmn-engine waits for after a command. Inserts are keyed by
 * (instance, execution id) and ignore conflicts: a recovered engine re-executes waiting tasks, and
 * that must not create a second job, task, timer or subscription.
 */
export interface TimerRequest { elementId: string; timeDuration: string | null; timeDate: string | null }
export interface Postponed { id: string; executionId: string; type: string; signal(payload: unknown): void }
export interface BufferedMatch { executionId: string; ref: string; messageKey: string; variables: Variables }

const OPEN_JOB_STATES = ['ACTIVATABLE', 'ACTIVATED', 'FAILED', 'ERROR_THROWN'];

export async function reconcileWaits(
  trx: Knex.Transaction,
  ctx: { def: LoadedDefinition; instance: InstanceRow; vars: Variables; now: Date; timerRequests: Map<string, TimerRequest>; execution: { getPostponed(): Postponed[] } },
): Promise<BufferedMatch | null> {
  const { def, vars, now } = ctx;
  const instanceKey = String(ctx.instance.key);
  // gateways waiting for a join have no execution id of their own; nothing of ours hangs on them
  const postponed = ctx.execution.getPostponed().filter((p) => typeof p.executionId === 'string');
  const waiting = postponed.map((p) => p.executionId);

  // closed: whatever bpmn-engine no longer waits for (completed, interrupted by a boundary, process ended)
  await trx('engine_jobs').where({ instance_key: instanceKey }).whereIn('state', OPEN_JOB_STATES).whereNotIn('execution_id', waiting).update({ state: 'CANCELED' });
  await trx('engine_user_tasks').where({ instance_key: instanceKey, state: 'CREATED' }).whereNotIn('execution_id', waiting).update({ state: 'CANCELED', completion_date: now });
  await trx('engine_timers').where({ instance_key: instanceKey }).whereNotIn('execution_id', waiting).delete();
  await trx('engine_message_subscriptions').where({ instance_key: instanceKey }).whereNotIn('execution_id', waiting).delete();
  if (!postponed.length) {
    await trx('engine_incidents').where({ instance_key: instanceKey, state: 'ACTIVE' }).update({ state: 'RESOLVED', resolved_at: now });
    return null;
  }

  const known = async (table: string) =>
    new Set((await trx(table).where({ instance_key: instanceKey }).whereIn('execution_id', waiting).select('execution_id')).map((r: { execution_id: string }) => r.execution_id));
  // sequential on purpose: PGlite has one connection, and the transaction owns it
  const jobs = await known('engine_jobs');
  const tasks = await known('engine_user_tasks');
  const subs = await known('engine_message_subscriptions');
  const timers = await known('engine_timers');

  const newSubs: { executionId: string; ref: string; name: string; correlationKey: string }[] = [];
  for (const p of postponed) {
    const model = def.parsed.elements.get(p.id);
    if (!model) continue;
    try {
      if (model.job && model.type !== 'bpmn:UserTask' && !jobs.has(p.executionId)) {
        // Zeebe evaluates a FEEL type and retries when the job is created
        const type = resolveString(model.job.type, vars);
        if (!type) throw new FeelError(model.job.type, `job type of "${p.id}" evaluated to nothing: ${model.job.type}`);
        const retries = Number(resolveString(model.job.retries, vars) ?? 3);
        if (!Number.isInteger(retries) || retries < 0) throw new FeelError(model.job.retries, `job retries of "${p.id}" are not a whole number: ${model.job.retries}`);
        await trx('engine_jobs').insert({
          instance_key: instanceKey, element_id: p.id, execution_id: p.executionId, type, retries,
          state: 'ACTIVATABLE', custom_headers: JSON.stringify(model.job.headers),
        }).onConflict(['instance_key', 'execution_id']).ignore();
      }
      if (model.userTask && !tasks.has(p.executionId)) {
        const u = model.userTask;
        const priority = Number(resolveString(u.priority, vars) ?? 50);
        await trx('engine_user_tasks').insert({
          instance_key: instanceKey, element_id: p.id, execution_id: p.executionId, name: model.name, state: 'CREATED',
          assignee: resolveString(u.assignee, vars),
          candidate_groups: JSON.stringify(resolveList(u.candidateGroups, vars)),
          candidate_users: JSON.stringify(resolveList(u.candidateUsers, vars)),
          form_id: u.formId, due_date: resolveString(u.dueDate, vars), follow_up_date: resolveString(u.followUpDate, vars),
          priority: Number.isFinite(priority) ? priority : 50, creation_date: now,
        }).onConflict(['instance_key', 'execution_id']).ignore();
      }
      if (model.message && !subs.has(p.executionId)) {
        const correlationKey = resolveString(model.message.correlationKey, vars) ?? '';
        await trx('engine_message_subscriptions').insert({
          instance_key: instanceKey, element_id: p.id, execution_id: p.executionId, message_ref: model.message.ref,
          message_name: model.message.name, correlation_key: correlationKey,
        }).onConflict(['instance_key', 'execution_id']).ignore();
        newSubs.push({ executionId: p.executionId, ref: model.message.ref, name: model.message.name, correlationKey });
      }
      const timer = ctx.timerRequests.get(p.executionId);
      if (timer && !timers.has(p.executionId)) {
        await trx('engine_timers').insert({
          instance_key: instanceKey, element_id: timer.elementId, execution_id: p.executionId, due_at: timerDueAt(now, timer),
        }).onConflict(['instance_key', 'execution_id']).ignore();
      }
    } catch (err) {
      if (err instanceof FeelError) err.elementId ??= p.id;
      throw err;
    }
  }

  // a message published before the instance reached its catch event waits in the buffer
  for (const sub of newSubs) {
    const message = await trx('engine_messages')
      .where({ name: sub.name, correlation_key: sub.correlationKey })
      .whereNull('correlated_at').where('expires_at', '>', now)
      .orderBy('key').forUpdate().skipLocked().first();
    if (!message) continue;
    await trx('engine_messages').where({ key: message.key }).update({ correlated_at: now });
    const variables = typeof message.variables === 'string' ? JSON.parse(message.variables) : message.variables;
    return { executionId: sub.executionId, ref: sub.ref, messageKey: String(message.key), variables: variables ?? {} };
  }
  return null;
}
