import {
  EngineError,
  type ActivatedJob,
  type EnginePort,
  type Incident,
  type ProcessInstance,
  type ProcessInstanceEvent,
  type UserTask,
  type Variables,
} from '../port';
import { RestClient, type ZeebeConfig } from './rest-client';

/**
 * The Zeebe adapter: the engine port over the Camunda 8.8 Orchestration Cluster REST API v2
 * (`/v2/...`). Keys stay strings, as the API sends them. Differences from the embedded engine are
 * listed in docs/engines.md (e.g. publishMessage with a time-to-live cannot tell whether it was
 * correlated at once: it reports `correlated: false`).
 */
export function createZeebeEngine(config: ZeebeConfig, opts: { fetch?: typeof fetch } = {}): EnginePort {
  const rest = new RestClient(config, opts.fetch ?? fetch);

  const toInstance = (r: Record<string, unknown>): ProcessInstance => ({
    processInstanceKey: String(r.processInstanceKey),
    processDefinitionKey: String(r.processDefinitionKey),
    bpmnProcessId: String(r.processDefinitionId),
    version: Number(r.processDefinitionVersion),
    state: r.state === 'COMPLETED' ? 'COMPLETED' : r.state === 'ACTIVE' ? 'ACTIVE' : 'TERMINATED',
    startDate: String(r.startDate),
    endDate: (r.endDate as string | undefined) ?? null,
  });

  const toUserTask = (t: Record<string, unknown>): UserTask => ({
    userTaskKey: String(t.userTaskKey),
    name: String(t.name ?? t.elementId ?? ''),
    elementId: String(t.elementId ?? ''),
    processInstanceKey: String(t.processInstanceKey ?? ''),
    processDefinitionKey: String(t.processDefinitionKey ?? ''),
    bpmnProcessId: String(t.processDefinitionId ?? ''),
    state: t.state === 'COMPLETED' ? 'COMPLETED' : t.state === 'CANCELED' ? 'CANCELED' : 'CREATED',
    assignee: (t.assignee as string | undefined) ?? null,
    candidateGroups: (t.candidateGroups as string[] | undefined) ?? [],
    candidateUsers: (t.candidateUsers as string[] | undefined) ?? [],
    formId: (t.externalFormReference as string | undefined) ?? (t.formKey !== undefined ? String(t.formKey) : null),
    dueDate: (t.dueDate as string | undefined) ?? null,
    followUpDate: (t.followUpDate as string | undefined) ?? null,
    priority: Number(t.priority ?? 50),
    creationDate: String(t.creationDate ?? ''),
    completionDate: (t.completionDate as string | undefined) ?? null,
  });

  const INCIDENT_TYPES: Incident['errorType'][] = ['JOB_NO_RETRIES', 'CONDITION_ERROR', 'EXTRACT_VALUE_ERROR', 'UNHANDLED_ERROR_EVENT'];
  const toIncident = (i: Record<string, unknown>): Incident => ({
    incidentKey: String(i.incidentKey),
    processInstanceKey: String(i.processInstanceKey ?? ''),
    elementId: String(i.elementId ?? ''),
    jobKey: i.jobKey !== undefined ? String(i.jobKey) : null,
    errorType: INCIDENT_TYPES.includes(i.errorType as Incident['errorType']) ? (i.errorType as Incident['errorType']) : 'UNKNOWN',
    errorMessage: String(i.errorMessage ?? ''),
    state: i.state === 'ACTIVE' || i.state === 'PENDING' ? 'ACTIVE' : 'RESOLVED',
    creationTime: String(i.creationTime ?? ''),
  });

  const key = (k: string) => encodeURIComponent(k);

  return {
    async deploy(resources) {
      const form = new FormData();
      for (const r of resources) form.append('resources', new File([r.content], r.name, { type: 'application/xml' }));
      const res = await rest.call<{ deployments: { processDefinition?: Record<string, unknown> }[] }>('POST', '/deployments', { form });
      return res.deployments.flatMap((d) => (d.processDefinition ? [d.processDefinition] : [])).map((p) => ({
        bpmnProcessId: String(p.processDefinitionId),
        version: Number(p.processDefinitionVersion),
        processDefinitionKey: String(p.processDefinitionKey),
        resourceName: String(p.resourceName),
      }));
    },

    async createProcessInstance(req) {
      const res = await rest.call<Record<string, unknown>>('POST', '/process-instances', {
        body: {
          processDefinitionId: req.bpmnProcessId,
          ...(req.version !== undefined ? { processDefinitionVersion: req.version } : {}),
          variables: req.variables ?? {},
          ...(req.awaitCompletion ? { awaitCompletion: true, requestTimeout: req.requestTimeoutMs ?? 10_000 } : {}),
        },
      });
      const now = new Date().toISOString();
      return {
        processInstanceKey: String(res.processInstanceKey),
        processDefinitionKey: String(res.processDefinitionKey),
        bpmnProcessId: String(res.processDefinitionId),
        version: Number(res.processDefinitionVersion),
        // the creation result carries no state: awaiting completion means it completed
        state: req.awaitCompletion ? 'COMPLETED' : 'ACTIVE',
        startDate: now,
        endDate: req.awaitCompletion ? now : null,
        ...(req.awaitCompletion ? { variables: (res.variables as Variables | undefined) ?? {} } : {}),
      };
    },

    async getProcessInstance(processInstanceKey) {
      const res = await rest.call<Record<string, unknown>>('GET', `/process-instances/${key(processInstanceKey)}`, { notFoundAsNull: true });
      if (!res) return null;
      const vars = await rest.call<{ items: { name: string; value: string }[] }>('POST', '/variables/search', {
        body: { filter: { processInstanceKey, scopeKey: processInstanceKey } },
      });
      return { ...toInstance(res), variables: Object.fromEntries(vars.items.map((v) => [v.name, JSON.parse(v.value)])) };
    },

    async cancelProcessInstance(processInstanceKey) {
      await rest.call('POST', `/process-instances/${key(processInstanceKey)}/cancellation`, { body: {} });
    },

    async publishMessage(req) {
      if (!req.timeToLive) {
        // no buffering asked for: correlate, which says whether something waited
        const res = await rest.call<Record<string, unknown>>('POST', '/messages/correlation', {
          body: { name: req.name, correlationKey: req.correlationKey, variables: req.variables ?? {} },
        });
        return { messageKey: String(res.messageKey), correlated: true };
      }
      const res = await rest.call<Record<string, unknown>>('POST', '/messages/publication', {
        body: {
          name: req.name, correlationKey: req.correlationKey, timeToLive: req.timeToLive, variables: req.variables ?? {},
          ...(req.messageId ? { messageId: req.messageId } : {}),
        },
      });
      return { messageKey: String(res.messageKey), correlated: false };
    },

    async activateJobs(req) {
      const res = await rest.call<{ jobs: Record<string, unknown>[] }>('POST', '/jobs/activation', {
        body: { type: req.type, worker: req.worker, timeout: req.timeout, maxJobsToActivate: req.maxJobsToActivate },
      });
      return res.jobs.map((j): ActivatedJob => ({
        jobKey: String(j.jobKey), type: String(j.type), processInstanceKey: String(j.processInstanceKey),
        processDefinitionKey: String(j.processDefinitionKey), bpmnProcessId: String(j.processDefinitionId), elementId: String(j.elementId),
        elementInstanceKey: String(j.elementInstanceKey), retries: Number(j.retries),
        deadline: new Date(Number(j.deadline)).toISOString(),
        customHeaders: Object.fromEntries(Object.entries((j.customHeaders as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)])),
        variables: (j.variables as Variables) ?? {},
      }));
    },

    async completeJob(jobKey, variables) {
      await rest.call('POST', `/jobs/${key(jobKey)}/completion`, { body: { variables: variables ?? {} } });
    },

    async failJob(jobKey, req) {
      await rest.call('POST', `/jobs/${key(jobKey)}/failure`, {
        body: {
          retries: req.retries, ...(req.errorMessage ? { errorMessage: req.errorMessage } : {}),
          retryBackOff: req.retryBackOff ?? 0, ...(req.variables ? { variables: req.variables } : {}),
        },
      });
    },

    async throwJobError(jobKey, req) {
      await rest.call('POST', `/jobs/${key(jobKey)}/error`, {
        body: { errorCode: req.errorCode, ...(req.errorMessage ? { errorMessage: req.errorMessage } : {}), ...(req.variables ? { variables: req.variables } : {}) },
      });
    },

    async updateJobRetries(jobKey, retries) {
      if (!Number.isInteger(retries) || retries < 0) throw new EngineError('INVALID_ARGUMENT', 'retries must be a non-negative integer');
      await rest.call('PATCH', `/jobs/${key(jobKey)}`, { body: { changeset: { retries } } });
    },

    async updateJobTimeout(jobKey, timeout) {
      if (!Number.isInteger(timeout) || timeout < 1) throw new EngineError('INVALID_ARGUMENT', 'timeout must be a positive whole number of milliseconds');
      await rest.call('PATCH', `/jobs/${key(jobKey)}`, { body: { changeset: { timeout } } });
    },

    async searchUserTasks(filter = {}) {
      const f: Record<string, unknown> = {};
      if (filter.state) f.state = filter.state;
      if (filter.assignee) f.assignee = filter.assignee;
      if (filter.processInstanceKey) f.processInstanceKey = filter.processInstanceKey;
      if (filter.candidateUser) f.candidateUser = filter.candidateUser;
      if (filter.candidateGroups?.length) f.candidateGroup = filter.candidateGroups.length === 1 ? filter.candidateGroups[0] : { $in: filter.candidateGroups };
      const res = await rest.call<{ items: Record<string, unknown>[] }>('POST', '/user-tasks/search', { body: { filter: f, page: { limit: 1000 } } });
      return res.items.map(toUserTask);
    },

    async getUserTask(userTaskKey) {
      const res = await rest.call<Record<string, unknown>>('GET', `/user-tasks/${key(userTaskKey)}`, { notFoundAsNull: true });
      return res ? toUserTask(res) : null;
    },

    async getUserTaskVariables(userTaskKey) {
      const res = await rest.call<{ items: { name: string; value: string }[] }>('POST', `/user-tasks/${key(userTaskKey)}/variables/search`, { body: {} });
      return Object.fromEntries(res.items.map((v) => [v.name, JSON.parse(v.value)]));
    },

    async assignUserTask(userTaskKey, assignee, o) {
      await rest.call('POST', `/user-tasks/${key(userTaskKey)}/assignment`, { body: { assignee, allowOverride: o?.allowOverride ?? false } });
    },

    async unassignUserTask(userTaskKey) {
      await rest.call('DELETE', `/user-tasks/${key(userTaskKey)}/assignee`, {});
    },

    async completeUserTask(userTaskKey, variables) {
      await rest.call('POST', `/user-tasks/${key(userTaskKey)}/completion`, { body: { variables: variables ?? {} } });
    },

    async searchIncidents(filter = {}) {
      const f: Record<string, unknown> = {};
      if (filter.processInstanceKey) f.processInstanceKey = filter.processInstanceKey;
      if (filter.state) f.state = filter.state;
      const res = await rest.call<{ items: Record<string, unknown>[] }>('POST', '/incidents/search', { body: { filter: f, page: { limit: 1000 } } });
      return res.items.map(toIncident);
    },

    async resolveIncident(incidentKey) {
      await rest.call('POST', `/incidents/${key(incidentKey)}/resolution`, {});
    },

    async getProcessInstanceHistory(processInstanceKey) {
      // Zeebe keeps element instances (start and end), not an event log: rebuild entered/left from them
      const res = await rest.call<{ items?: Record<string, unknown>[] }>('POST', '/element-instances/search', {
        body: { filter: { processInstanceKey }, sort: [{ field: 'startDate', order: 'ASC' }], page: { limit: 1000 } },
      });
      const events: ProcessInstanceEvent[] = [];
      for (const e of res.items ?? []) {
        const base = { processInstanceKey, elementId: String(e.elementId), elementType: bpmnType(String(e.type)), details: null };
        events.push({ ...base, eventKey: `${e.elementInstanceKey}:entered`, event: 'ELEMENT_ENTERED', occurredAt: String(e.startDate) });
        if (e.endDate && e.state === 'COMPLETED') events.push({ ...base, eventKey: `${e.elementInstanceKey}:left`, event: 'ELEMENT_LEFT', occurredAt: String(e.endDate) });
      }
      return events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    },
  };
}

/** `SERVICE_TASK` → `bpmn:ServiceTask`, as the embedded engine names element types */
function bpmnType(zeebeType: string): string {
  return `bpmn:${zeebeType.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`;
}
