import type { Knex } from 'knex';
import type pino from 'pino';
import { canAccessFile } from '@openspis/workers';
import { AppError } from '../app-error';
import type { Catalogue } from '../catalogue';
import type { EnginePort, UserTask } from '../engine-port';
import { isEngineError } from '../engine-port';
import { validateFormData } from '../forms/form-validator';
import type { SessionUser } from '../http';
import { casesByInstance, filingsByInstance, type CaseSummary } from './case.repository';

export interface TaskDeps {
  db: Knex;
  engine: EnginePort;
  catalogue: Catalogue;
  clock: () => Date;
  log: pino.Logger;
}

export const inMyGroups = (task: UserTask, user: SessionUser) =>
  task.candidateGroups.some((g) => user.roles.includes(g)) || task.candidateUsers.includes(user.username);

/**
 * Which of these instances' cases are the user's unit's: a case filed in a unit is for that unit and
 * the units its file is shared with (the records' unit scope, so a referent sees no other unit's
 * citizens); a case not filed yet is only its candidate groups' question.
 */
async function inMyUnit(deps: TaskDeps, user: SessionUser, processInstanceKeys: string[]): Promise<(key: string) => boolean> {
  const filings = await filingsByInstance(deps.db, [...new Set(processInstanceKeys)]);
  const actor = { username: user.username, roles: user.roles, orgUnit: user.orgUnit };
  return (key) => {
    const filing = filings.get(key);
    return !filing || canAccessFile(actor, { org_unit: filing.orgUnit }, filing.sharedWith);
  };
}

export interface InboxRow {
  task: UserTask;
  case: CaseSummary | null;
  overdue: boolean;
}

async function withCases(deps: TaskDeps, tasks: UserTask[]): Promise<InboxRow[]> {
  const cases = await casesByInstance(deps.db, [...new Set(tasks.map((t) => t.processInstanceKey))]);
  const now = deps.clock().getTime();
  return tasks
    .sort((a, b) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.creationDate.localeCompare(b.creationDate))
    .map((task) => ({ task, case: cases.get(task.processInstanceKey) ?? null, overdue: !!task.dueDate && new Date(task.dueDate).getTime() < now }));
}

export async function myTasks(deps: TaskDeps, user: SessionUser): Promise<InboxRow[]> {
  return withCases(deps, await deps.engine.searchUserTasks({ state: 'CREATED', assignee: user.username }));
}

/** unassigned tasks whose candidate groups intersect my roles, on my unit's cases */
export async function groupTasks(deps: TaskDeps, user: SessionUser): Promise<InboxRow[]> {
  if (!user.roles.length) return [];
  const tasks = (await deps.engine.searchUserTasks({ state: 'CREATED', candidateGroups: user.roles })).filter((t) => !t.assignee && inMyGroups(t, user));
  const mine = await inMyUnit(deps, user, tasks.map((t) => t.processInstanceKey));
  return withCases(deps, tasks.filter((t) => mine(t.processInstanceKey)));
}

/** The task if this user may see it: assigned to them, or one of their groups is a candidate on a case of their unit. */
export async function visibleTask(deps: TaskDeps, user: SessionUser, key: string): Promise<UserTask> {
  const task = await deps.engine.getUserTask(key);
  if (!task || task.state !== 'CREATED') throw new AppError('TASK_NOT_FOUND');
  if (task.assignee === user.username) return task;
  if (!inMyGroups(task, user) || !(await inMyUnit(deps, user, [task.processInstanceKey]))(task.processInstanceKey)) {
    throw new AppError('FORBIDDEN', `task ${key} is not for ${user.username}`);
  }
  return task;
}

export async function claimTask(deps: TaskDeps, user: SessionUser, key: string): Promise<void> {
  const task = await visibleTask(deps, user, key);
  if (task.assignee === user.username) return;
  if (task.assignee) throw new AppError('TASK_ALREADY_ASSIGNED');
  if (!inMyGroups(task, user)) throw new AppError('FORBIDDEN');
  try {
    await deps.engine.assignUserTask(key, user.username, { allowOverride: false });
  } catch (cause) {
    if (isEngineError(cause, 'TASK_ALREADY_ASSIGNED')) throw new AppError('TASK_ALREADY_ASSIGNED', undefined, undefined, { cause });
    if (isEngineError(cause, 'NOT_FOUND') || isEngineError(cause, 'INVALID_STATE')) throw new AppError('TASK_NOT_FOUND', undefined, undefined, { cause });
    throw cause;
  }
  deps.log.info({ userTaskKey: key, user: user.username }, 'task claimed');
}

/** Validates the data against the task's form again (the browser is not trusted), then completes. */
export async function completeTask(deps: TaskDeps, user: SessionUser, key: string, input: Record<string, unknown>): Promise<void> {
  const task = await visibleTask(deps, user, key);
  if (task.assignee !== user.username) throw new AppError('TASK_NOT_ASSIGNED_TO_YOU');
  const form = task.formId ? deps.catalogue.form(task.formId) : undefined;
  if (task.formId && !form) throw new Error(`form ${task.formId} of task ${key} is missing`);
  const { data, errors } = form ? validateFormData(form, input) : { data: {}, errors: {} };
  if (Object.keys(errors).length) throw new AppError('VALIDATION_FAILED', 'task form invalid', errors);
  try {
    await deps.engine.completeUserTask(key, { ...data, answeredBy: user.username });
  } catch (cause) {
    if (isEngineError(cause, 'NOT_FOUND') || isEngineError(cause, 'INVALID_STATE')) throw new AppError('TASK_NOT_FOUND', undefined, undefined, { cause });
    throw cause;
  }
  deps.log.info({ userTaskKey: key, user: user.username }, 'task completed');
}

/**
 * May this user read the case behind a submission? The registry office, a head of the case's unit,
 * the person a task on it is assigned to, or a candidate of an open task on it in the case's unit.
 */
export async function mayReadCase(deps: TaskDeps, user: SessionUser, processInstanceKey: string | null): Promise<boolean> {
  if (user.roles.includes('podatelna')) return true;
  if (!processInstanceKey) return false;
  const mine = (await inMyUnit(deps, user, [processInstanceKey]))(processInstanceKey);
  if (mine && user.roles.includes('vedouci')) return true;
  const tasks = await deps.engine.searchUserTasks({ processInstanceKey });
  return tasks.some((t) => t.assignee === user.username || (mine && t.state === 'CREATED' && inMyGroups(t, user)));
}
