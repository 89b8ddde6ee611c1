import type { Knex } from 'knex';

const OPEN_JOB_STATES = ['ACTIVATABLE', 'ACTIVATED', 'FAILED', 'ERROR_THROWN'];

/**
 * Ends an instance and everything it waits for, with its called child instances. No bpmn-engine
 * run is needed: the instance is over, so its stored state is only history.
 */
export async function terminateInstanceTree(trx: Knex.Transaction, key: string, now: Date, event: 'PROCESS_TERMINATED'): Promise<void> {
  const instance = await trx('engine_process_instances').where({ key }).forUpdate().first();
  if (!instance || instance.state !== 'ACTIVE') return;
  await trx('engine_process_instances').where({ key }).update({ state: 'TERMINATED', end_date: now });
  await trx('engine_jobs').where({ instance_key: key }).whereIn('state', OPEN_JOB_STATES).update({ state: 'CANCELED' });
  await trx('engine_user_tasks').where({ instance_key: key, state: 'CREATED' }).update({ state: 'CANCELED', completion_date: now });
  await trx('engine_timers').where({ instance_key: key }).delete();
  await trx('engine_message_subscriptions').where({ instance_key: key }).delete();
  await trx('engine_incidents').where({ instance_key: key, state: 'ACTIVE' }).update({ state: 'RESOLVED', resolved_at: now });
  await trx('engine_events').insert({ instance_key: key, element_id: instance.bpmn_process_id, element_type: 'bpmn:Process', event, occurred_at: now });
  const children = await trx('engine_process_instances').where({ parent_instance_key: key, state: 'ACTIVE' }).pluck('key');
  for (const child of children) await terminateInstanceTree(trx, String(child), now, event);
}

/** Called children whose call activity no longer waits (interrupted by a boundary event, process ended) end too. */
export async function terminateOrphanChildren(trx: Knex.Transaction, key: string, waiting: string[], now: Date): Promise<void> {
  const q = trx('engine_process_instances').where({ parent_instance_key: key, state: 'ACTIVE' });
  if (waiting.length) q.whereNotIn('parent_execution_id', waiting);
  for (const child of await q.pluck('key')) await terminateInstanceTree(trx, String(child), now, 'PROCESS_TERMINATED');
}
