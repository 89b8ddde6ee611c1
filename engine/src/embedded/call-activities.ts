import type { Knex } from 'knex';
import type { Variables } from '../port';
import type { ElementModel } from './bpmn-model';
import { resolveString } from './feel';
import { inputVariables, parseVariables, runCommand, RunFailure, type InstanceRow, type RunOptions } from './instance-runner';
import type { Postponed } from './wait-states';
import type { ThrownError } from './error-propagation';
import { terminateInstanceTree } from './instance-termination';

/**
 * Call activities: the called process runs as a separate child instance that knows its parent.
 * When it ends, its variables flow back through the call activity's output mappings (or all of
 * them with propagateAllChildVariables) and the call activity completes in the parent.
 */
/** what the call activity takes from its ended child: output mappings see all of it; without them, all or nothing */
function callResult(model: ElementModel | undefined, childVars: Variables): Variables | undefined {
  if (!model) return undefined;
  return model.outputs.length || model.calledElement?.propagateAllChildVariables ? childVars : undefined;
}

/**
 * Starts a child for every call activity that waits without one; returns the first that ended at
 * once, with the BPMN error it threw when it did not catch one (it is terminated then).
 */
export async function startPendingChildren(trx: Knex.Transaction, opts: RunOptions & { postponed: Postponed[] }): Promise<{ executionId: string; thrown?: ThrownError; result?: Variables } | null> {
  const { def, defs, instance, vars, now } = opts;
  const calls = opts.postponed.filter((p) => def.parsed.elements.get(p.id)?.calledElement && !p.isLoopBody);
  if (!calls.length) return null;
  const key = String(instance.key);
  const started = new Set<string>(await trx('engine_process_instances').where({ parent_instance_key: key })
    .whereIn('parent_execution_id', calls.map((c) => c.executionId)).pluck('parent_execution_id'));
  for (const call of calls) {
    if (started.has(call.executionId)) continue;
    const model = def.parsed.elements.get(call.id)!;
    const scope = { ...vars, ...call.locals };
    const processId = resolveString(model.calledElement!.processId, scope);
    const defRow = processId ? await defs.findLatest(trx, processId) : undefined;
    if (!defRow) throw new RunFailure(`call activity "${call.id}": no process "${processId ?? model.calledElement!.processId}" is deployed`, call.id, { errorType: 'CALLED_ELEMENT_ERROR' });
    const childVars = inputVariables(vars, model.inputs, call.locals);
    const [child] = (await trx('engine_process_instances').insert({
      definition_key: defRow.key, bpmn_process_id: defRow.bpmn_process_id, version: defRow.version, state: 'ACTIVE',
      variables: JSON.stringify(childVars), engine_state: null, start_date: now,
      parent_instance_key: key, parent_execution_id: call.executionId, parent_element_id: call.id,
    }).returning('*')) as InstanceRow[];
    const childDef = await defs.load(trx, String(defRow.key));
    const { completed, thrown } = await runCommand(trx, { def: childDef, defs, instance: child, vars: childVars, command: { kind: 'start' }, now, startedByParent: true, node: opts.node });
    if (thrown) {
      await terminateInstanceTree(trx, String(child.key), now, 'PROCESS_TERMINATED');
      return { executionId: call.executionId, thrown };
    }
    if (completed) return { executionId: call.executionId, result: callResult(model, childVars) };
  }
  return null;
}

/** A child ended in its own command: complete the call activity in the parent, in the same transaction. */
export async function completeChildInParent(trx: Knex.Transaction, opts: RunOptions & { childVars: Variables }): Promise<void> {
  const { instance, defs, now } = opts;
  const parent = (await trx('engine_process_instances').where({ key: instance.parent_instance_key }).forUpdate().first()) as InstanceRow | undefined;
  if (!parent || parent.state !== 'ACTIVE' || !instance.parent_execution_id) return;
  const parentDef = await defs.load(trx, String(parent.definition_key));
  const parentVars = parseVariables(parent.variables);
  const variables = callResult(parentDef.parsed.elements.get(instance.parent_element_id ?? ''), opts.childVars);
  try {
    await runCommand(trx, { def: parentDef, defs, instance: parent, vars: parentVars, command: { kind: 'signal', executionId: instance.parent_execution_id, variables }, now, node: opts.node });
  } catch (err) {
    // the incident belongs to the parent, where the model broke
    if (err instanceof RunFailure) err.instanceKey ??= String(parent.key);
    throw err;
  }
}
