import type { Knex } from 'knex';
import type { Variables } from '../port';
import type { EngineContext } from './engine-context';
import type { DefinitionRepository, LoadedDefinition } from './definition.repository';
import { parseCycle, timerDueAt } from './feel';
import { runCommand, RunFailure, type InstanceRow } from './instance-runner';
import type { NodeRuntime } from './node-runtime';

/**
 * Message and timer start events. Only the latest version of a process listens (as in Zeebe): a
 * deploy replaces the rows of older versions. A start timer keeps its next due time and how many
 * repetitions of its cycle are left.
 */
interface StartRow {
  key: string | number; definition_key: string | number; bpmn_process_id: string; element_id: string; message_name: string | null;
  timer: string | null; due_at: Date | string | null; remaining: number | null;
}

/** Inserts a new instance and runs it from the start event (or the none start event when elementId is null). */
export async function startInstance(
  trx: Knex.Transaction,
  opts: {
    defs: DefinitionRepository; definitionKey: string; variables: Variables; now: Date; startEventId?: string; node?: NodeRuntime;
    /** the correlation key of the message that starts it */
    startCorrelationKey?: string | null;
  },
): Promise<InstanceRow> {
  const def = await opts.defs.load(trx, opts.definitionKey);
  const vars = { ...opts.variables };
  const [inserted] = (await trx('engine_process_instances').insert({
    definition_key: def.key, bpmn_process_id: def.bpmnProcessId, version: def.version, state: 'ACTIVE',
    variables: JSON.stringify(vars), engine_state: null, start_date: opts.now,
    ...(opts.startCorrelationKey ? { start_correlation_key: opts.startCorrelationKey } : {}),
  }).returning('*')) as InstanceRow[];
  const { row } = await runCommand(trx, { def, defs: opts.defs, instance: inserted, vars, now: opts.now, command: { kind: 'start', startEventId: opts.startEventId }, node: opts.node });
  return row;
}

/** At deploy of a new version: its message and timer start events replace those of older versions. */
export async function registerStartEvents(trx: Knex.Transaction, def: LoadedDefinition, now: Date): Promise<void> {
  await trx('engine_start_events').where({ bpmn_process_id: def.bpmnProcessId }).delete();
  for (const model of def.parsed.elements.values()) {
    const start = model.start;
    if (!start || start.kind === 'NONE') continue;
    const base = { definition_key: def.key, bpmn_process_id: def.bpmnProcessId, element_id: model.id, kind: start.kind };
    if (start.kind === 'MESSAGE') {
      await trx('engine_start_events').insert({ ...base, message_name: start.messageName });
      continue;
    }
    const t = start.timer!;
    const timer = t.timeCycle ?? t.timeDate ?? t.timeDuration;
    const remaining = t.timeCycle ? parseCycle(t.timeCycle).repetitions : 1;
    await trx('engine_start_events').insert({ ...base, timer, due_at: timerDueAt(now, t), remaining });
  }
}

/**
 * Starts one instance per message start event listening for this message name; returns how many.
 * As in Zeebe, a message with a correlation key starts no instance of a process that has an
 * active instance started by a message with the same key (of any version): the message stays
 * buffered for when that instance ends (startBufferedAfterEnd).
 */
export async function startByMessage(
  trx: Knex.Transaction, defs: DefinitionRepository, message: { key: string; name: string; correlationKey: string; variables: Variables }, now: Date, node?: NodeRuntime,
): Promise<number> {
  const rows = (await trx('engine_start_events').where({ kind: 'MESSAGE', message_name: message.name }).orderBy('key')) as StartRow[];
  let started = 0;
  for (const r of rows) {
    if (message.correlationKey && (await activeStartedWithKey(trx, r.bpmn_process_id, message.correlationKey))) continue;
    // correlated before the start: an instance that ends at once must not take it again from the buffer
    if (!started) await trx('engine_messages').where({ key: message.key }).update({ correlated_at: now });
    await startInstance(trx, {
      defs, definitionKey: String(r.definition_key), variables: message.variables, now, startEventId: r.element_id, node, startCorrelationKey: message.correlationKey,
    });
    started++;
  }
  return started;
}

/** Serializes starts by key of one process across nodes, then tells whether an active instance holds the key. */
async function activeStartedWithKey(trx: Knex.Transaction, bpmnProcessId: string, correlationKey: string): Promise<boolean> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`engine-start:${bpmnProcessId}:${correlationKey}`]);
  const active = await trx('engine_process_instances')
    .where({ bpmn_process_id: bpmnProcessId, start_correlation_key: correlationKey, state: 'ACTIVE' }).first('key');
  return !!active;
}

/**
 * An instance started by a message with a correlation key ended (completed or terminated): a
 * message with that key, buffered meanwhile for a message start event of the process's latest
 * version, starts the next instance now (Zeebe).
 */
export async function startBufferedAfterEnd(
  trx: Knex.Transaction, opts: { defs: DefinitionRepository; instance: InstanceRow; now: Date; node?: NodeRuntime },
): Promise<void> {
  const key = opts.instance.start_correlation_key;
  if (!key) return;
  if (await activeStartedWithKey(trx, opts.instance.bpmn_process_id, key)) return;
  const starts = (await trx('engine_start_events').where({ bpmn_process_id: opts.instance.bpmn_process_id, kind: 'MESSAGE' })) as StartRow[];
  if (!starts.length) return;
  const message = await trx('engine_messages')
    .whereIn('name', starts.map((s) => s.message_name!)).where({ correlation_key: key })
    .whereNull('correlated_at').where('expires_at', '>', opts.now)
    .orderBy('key').forUpdate().skipLocked().first();
  if (!message) return;
  const start = starts.find((s) => s.message_name === message.name)!;
  try {
    // a savepoint: a model that breaks at its start must not undo the end of the instance before
    await trx.transaction(async (sp) => {
      await sp('engine_messages').where({ key: message.key }).update({ correlated_at: opts.now });
      const variables = typeof message.variables === 'string' ? JSON.parse(message.variables) : message.variables;
      await startInstance(sp, {
        defs: opts.defs, definitionKey: String(start.definition_key), variables: variables ?? {}, now: opts.now, startEventId: start.element_id, node: opts.node, startCorrelationKey: key,
      });
    });
  } catch (err) {
    // the message stays buffered; publishing it again shows the failure to the publisher
    if (!(err instanceof RunFailure)) throw err;
  }
}

/** Fires due start timers: each creates an instance; a cycle moves on to its next repetition. */
export async function fireStartTimers(ctx: EngineContext, limit = 20): Promise<number> {
  let fired = 0;
  for (let i = 0; i < limit; i++) {
    const now = ctx.clock();
    let failed: { row: StartRow; err: RunFailure } | null = null;
    const done = await ctx.track(ctx.db.transaction(async (trx) => {
      const row = (await trx('engine_start_events').where({ kind: 'TIMER' }).where('due_at', '<=', now)
        .orderBy('due_at').forUpdate().skipLocked().first()) as StartRow | undefined;
      if (!row) return false;
      const remaining = row.remaining === null ? null : row.remaining - 1;
      if (remaining === 0 || !row.timer?.startsWith('R')) await trx('engine_start_events').where({ key: row.key }).delete();
      else {
        const { interval } = parseCycle(row.timer);
        await trx('engine_start_events').where({ key: row.key }).update({ remaining, due_at: timerDueAt(new Date(row.due_at!), { timeDuration: interval }) });
      }
      try {
        // a savepoint: a model that breaks at its start leaves the timer moved on, and is logged
        await trx.transaction((sp) => startInstance(sp, { defs: ctx.defs, definitionKey: String(row.definition_key), variables: {}, now, startEventId: row.element_id, node: ctx.node }));
      } catch (err) {
        if (!(err instanceof RunFailure)) throw err;
        failed = { row, err };
      }
      return true;
    }));
    if (!done) break;
    if (failed) {
      const f = failed as { row: StartRow; err: RunFailure };
      ctx.log?.error({ definitionKey: String(f.row.definition_key), elementId: f.row.element_id }, `start timer could not start an instance: ${f.err.message}`);
    } else fired++;
  }
  return fired;
}
