import type { Knex } from 'knex';
import { EngineError, type UserTask, type UserTaskFilter, type Variables } from '../port';
import type { EngineContext } from './engine-context';
import { inputVariables, parseVariables, runCommand, RunFailure } from './instance-runner';

interface TaskRow {
  key: string | number;
  instance_key: string | number;
  element_id: string;
  execution_id: string;
  name: string;
  state: UserTask['state'];
  assignee: string | null;
  candidate_groups: string[] | string;
  candidate_users: string[] | string;
  form_id: string | null;
  due_date: string | null;
  follow_up_date: string | null;
  priority: number;
  creation_date: Date | string;
  completion_date: Date | string | null;
  definition_key: string | number;
  bpmn_process_id: string;
  local_variables: Variables | string | null;
}

const list = (v: string[] | string) => (typeof v === 'string' ? (JSON.parse(v) as string[]) : v);

function toUserTask(r: TaskRow): UserTask {
  return {
    userTaskKey: String(r.key), name: r.name, elementId: r.element_id, processInstanceKey: String(r.instance_key),
    processDefinitionKey: String(r.definition_key), bpmnProcessId: r.bpmn_process_id, state: r.state, assignee: r.assignee,
    candidateGroups: list(r.candidate_groups), candidateUsers: list(r.candidate_users), formId: r.form_id,
    dueDate: r.due_date, followUpDate: r.follow_up_date, priority: r.priority,
    creationDate: new Date(r.creation_date).toISOString(),
    completionDate: r.completion_date ? new Date(r.completion_date).toISOString() : null,
  };
}

/** zeebe:userTask tasks: the inbox query, claim / unclaim and completion. */
export class UserTasksService {
  constructor(private readonly ctx: EngineContext) {}

  private query(db: Knex | Knex.Transaction) {
    return db('engine_user_tasks as t')
      .join('engine_process_instances as i', 'i.key', 't.instance_key')
      .select('t.*', 'i.definition_key', 'i.bpmn_process_id');
  }

  async searchUserTasks(filter: UserTaskFilter = {}): Promise<UserTask[]> {
    const q = this.query(this.ctx.db);
    if (filter.state) q.where('t.state', filter.state);
    if (filter.assignee) q.where('t.assignee', filter.assignee);
    if (filter.processInstanceKey) q.where('t.instance_key', filter.processInstanceKey);
    if (filter.candidateGroups) {
      if (!filter.candidateGroups.length) return [];
      q.whereRaw('jsonb_exists_any(t.candidate_groups, ?::text[])', [filter.candidateGroups]);
    }
    if (filter.candidateUser) q.whereRaw('jsonb_exists(t.candidate_users, ?)', [filter.candidateUser]);
    const rows = (await q.orderBy('t.key')) as TaskRow[];
    return rows.map(toUserTask);
  }

  async getUserTask(userTaskKey: string): Promise<UserTask | null> {
    if (!/^\d+$/.test(userTaskKey)) return null;
    const row = (await this.query(this.ctx.db).where('t.key', userTaskKey).first()) as TaskRow | undefined;
    return row ? toUserTask(row) : null;
  }

  private async row(userTaskKey: string): Promise<TaskRow> {
    const row = /^\d+$/.test(userTaskKey) ? ((await this.ctx.db('engine_user_tasks').where({ key: userTaskKey }).first()) as TaskRow | undefined) : undefined;
    if (!row) throw new EngineError('NOT_FOUND', `user task ${userTaskKey} not found`);
    return row;
  }

  async getUserTaskVariables(userTaskKey: string): Promise<Variables> {
    const task = await this.row(userTaskKey);
    const instance = await this.ctx.db('engine_process_instances').where({ key: task.instance_key }).first();
    const def = await this.ctx.defs.load(this.ctx.db, String(instance.definition_key));
    return inputVariables(parseVariables(instance.variables), def.parsed.elements.get(task.element_id)?.inputs ?? [], task.local_variables);
  }

  async assignUserTask(userTaskKey: string, assignee: string, opts: { allowOverride?: boolean } = {}): Promise<void> {
    if (!assignee) throw new EngineError('INVALID_ARGUMENT', 'assignee must not be empty');
    await this.setAssignee(userTaskKey, assignee, opts.allowOverride ?? false);
  }

  async unassignUserTask(userTaskKey: string): Promise<void> {
    await this.setAssignee(userTaskKey, null, true);
  }

  private async setAssignee(userTaskKey: string, assignee: string | null, allowOverride: boolean): Promise<void> {
    await this.row(userTaskKey);
    await this.ctx.track(this.ctx.db.transaction(async (trx) => {
      // the row lock makes two simultaneous claims see each other: the second gets TASK_ALREADY_ASSIGNED
      const task = (await trx('engine_user_tasks').where({ key: userTaskKey }).forUpdate().first()) as TaskRow;
      if (task.state !== 'CREATED') throw new EngineError('INVALID_STATE', `user task ${userTaskKey} is ${task.state}`);
      if (!allowOverride && task.assignee && task.assignee !== assignee) {
        throw new EngineError('TASK_ALREADY_ASSIGNED', `user task ${userTaskKey} is assigned to someone else`);
      }
      await trx('engine_user_tasks').where({ key: userTaskKey }).update({ assignee });
    }));
  }

  async completeUserTask(userTaskKey: string, variables?: Variables): Promise<void> {
    const found = await this.row(userTaskKey);
    try {
      await this.ctx.command(String(found.instance_key), async (scope) => {
        const task = (await scope.trx('engine_user_tasks').where({ key: userTaskKey }).forUpdate().first()) as TaskRow;
        if (task.state !== 'CREATED' || scope.instance.state !== 'ACTIVE') {
          throw new EngineError('INVALID_STATE', `user task ${userTaskKey} is ${task.state}`);
        }
        await scope.trx('engine_user_tasks').where({ key: userTaskKey }).update({ state: 'COMPLETED', completion_date: scope.now });
        await runCommand(scope.trx, { ...scope, command: { kind: 'signal', executionId: task.execution_id, variables } });
      });
    } catch (err) {
      if (!(err instanceof RunFailure)) throw err;
      // the completion was rolled back, the task stays open; the incident tells an operator why
      await this.ctx.recordRunFailure(String(found.instance_key), err, { elementId: found.element_id });
      throw new EngineError('INVALID_STATE', `completing user task ${userTaskKey} failed in the process: ${err.message}`, { cause: err });
    }
  }
}
