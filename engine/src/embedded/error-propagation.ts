import type { Knex } from 'knex';
import type { LoadedDefinition } from './definition.repository';
import { parseVariables, runCommand, RunFailure, type InstanceRow, type RunOptions } from './instance-runner';
import { terminateInstanceTree } from './instance-termination';

/**
 * BPMN errors across call activities, as in Zeebe: an error that no catch event of its own
 * instance catches travels to the call activity that started the instance, and on up the call
 * chain; the first caller whose call activity (or a subprocess around it) catches the code gets
 * the error thrown at that call activity, and every called instance below it is terminated. When
 * no caller catches it either, the incident stays where the error was thrown.
 */

/** Whether an error boundary event on the element or on a subprocess around it catches the code. */
export function catchesWithin(def: LoadedDefinition, elementId: string | null | undefined, code: string): boolean {
  for (let id = elementId ?? null; id; id = def.parsed.elements.get(id)?.parentId ?? null) {
    if (def.parsed.elements.get(id)?.caughtErrorCodes.some((c) => c === '*' || c === code)) return true;
  }
  return false;
}

export interface ThrownError { code: string; message: string }

/**
 * Finds the nearest caller that catches the error (locking each caller's row, child before
 * parent as completion does), terminates the called instances below it and throws the error at
 * its call activity. False when no caller catches it: nothing was changed.
 */
export async function throwToCaller(
  trx: Knex.Transaction,
  opts: Pick<RunOptions, 'defs' | 'now' | 'node'> & { instance: InstanceRow; error: ThrownError },
): Promise<boolean> {
  let called = opts.instance;
  while (called.parent_instance_key && called.parent_execution_id) {
    const caller = (await trx('engine_process_instances').where({ key: called.parent_instance_key }).forUpdate().first()) as InstanceRow | undefined;
    if (!caller || caller.state !== 'ACTIVE') return false;
    const callerDef = await opts.defs.load(trx, String(caller.definition_key));
    if (catchesWithin(callerDef, called.parent_element_id, opts.error.code)) {
      // the called instance right below the caller, with everything it called (the thrower among them)
      await terminateInstanceTree(trx, String(called.key), opts.now, 'PROCESS_TERMINATED');
      const command = { kind: 'throw-error' as const, executionId: called.parent_execution_id, errorCode: opts.error.code, errorMessage: opts.error.message };
      try {
        await runCommand(trx, { def: callerDef, defs: opts.defs, instance: caller, vars: parseVariables(caller.variables), command, now: opts.now, node: opts.node });
      } catch (err) {
        // the incident belongs to the caller, where the model broke
        if (err instanceof RunFailure) err.instanceKey ??= String(caller.key);
        throw err;
      }
      return true;
    }
    called = caller;
  }
  return false;
}
