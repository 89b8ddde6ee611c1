import type { CreateProcessInstanceRequest, Variables } from '../port';
import { insertSql, isRolledBack, NeedsTransaction, updateSql } from './command-writes';
import type { EngineContext } from './engine-context';
import { parseVariables, runCommand, RunFailure, type InstanceRow, type LiveInstance } from './instance-runner';

/**
 * Commands that commit as one statement, with no transaction and no lock round trip first.
 *
 * A command normally locks the instance row (BEGIN; SELECT … FOR UPDATE), runs, writes and
 * commits: five round trips. When this node holds the instance's bpmn-engine object live and
 * knows the revision of the row it last wrote, it can run the command on that object first and
 * send everything as one statement guarded by that revision: the row is updated only if it is
 * still exactly that write, and the statement aborts (writing nothing) unless the guard and the
 * command's own precondition (e.g. the job is still open) hold. Row locks are taken in the same
 * order as a locked command (the instance row first), and the statement commits before the caller
 * hears of it.
 *
 * Whenever that is not possible (no live object, another node moved the instance on, the
 * command would have to read something, the model fails), the caller runs the command the normal
 * way; the live object is then dropped and the stored state recovered.
 */

const OPEN_JOB = `state in ('ACTIVATED', 'ACTIVATABLE')`;

/** Completes a job this node handed out, in one statement; false when that is not possible (nothing written). */
export async function completeJobInOneStatement(ctx: EngineContext, jobKey: string, variables: Variables | undefined): Promise<boolean> {
  const known = ctx.node.knownJob(jobKey);
  if (!known) return false;
  const live = ctx.node.live.peek(known.instanceKey) as LiveInstance | null;
  const row = live?.row;
  if (!live || !row || row.revision === undefined || row.state !== 'ACTIVE') return false;
  const revision = row.revision;
  const vars = parseVariables(row.variables);
  try {
    await ctx.track(runCommand(ctx.db, {
      def: live.def, defs: ctx.defs, instance: { ...row, engine_state: live.stateJson }, vars, now: ctx.clock(), node: ctx.node,
      // the result goes into the variable scopes in the run (a failing output mapping is a RunFailure: the locked way then)
      command: { kind: 'complete-job', executionId: known.executionId, variables },
      single: {
        saved: (stored) => updateSql('engine_process_instances', stored, { key: known.instanceKey, revision }, 'returning "revision"'),
        // after `saved`: the instance row is locked before the job row, as by a locked command
        ctes: [{ name: 'job', sql: `update engine_jobs set state = 'COMPLETED', deadline = null where key = ? and ${OPEN_JOB} and exists (select 1 from saved) returning key`, bindings: [jobKey] }],
        check: { sql: 'exists (select 1 from saved) and exists (select 1 from job)', bindings: [] },
      },
    }));
  } catch (err) {
    if (err instanceof NeedsTransaction || err instanceof RunFailure || isRolledBack(err)) return false;
    throw err;
  }
  ctx.node.forgetJob(jobKey);
  return true;
}

/**
 * Starts an instance at its none start event in one statement, on the latest version this node
 * knows of (the statement checks that it still is); null when that is not possible (nothing written).
 */
export async function createInstanceInOneStatement(ctx: EngineContext, req: CreateProcessInstanceRequest): Promise<InstanceRow | null> {
  const definitionKey = req.version === undefined ? ctx.node.latestDefinition(req.bpmnProcessId) : undefined;
  if (!definitionKey) return null;
  const def = await ctx.defs.load(ctx.db, definitionKey);
  const key = await ctx.node.nextInstanceKey(ctx.db);
  const now = ctx.clock();
  const vars = { ...(req.variables ?? {}) };
  const fields = { key, definition_key: def.key, bpmn_process_id: def.bpmnProcessId, version: def.version, state: 'ACTIVE' as const, start_date: now };
  try {
    const { row } = await ctx.track(runCommand(ctx.db, {
      def, defs: ctx.defs, instance: { ...fields, variables: vars, engine_state: null, end_date: null }, vars, now, node: ctx.node,
      command: { kind: 'start' },
      single: {
        saved: (stored) => insertSql('engine_process_instances', [{ ...fields, ...stored }], 'returning "revision"'),
        ctes: [],
        // a deploy (on any node) may have made a newer version since this node looked
        check: { sql: '(select key from engine_process_definitions where bpmn_process_id = ? order by version desc limit 1) = ?', bindings: [def.bpmnProcessId, def.key] },
      },
    }));
    return row;
  } catch (err) {
    if (isRolledBack(err)) ctx.node.sawLatestDefinition(req.bpmnProcessId, null);
    if (err instanceof NeedsTransaction || err instanceof RunFailure || isRolledBack(err)) return null;
    throw err;
  }
}
