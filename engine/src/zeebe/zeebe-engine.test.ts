import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type EnginePort } from '../port';
import { readZeebeConfig } from './rest-client';
import { startSchemaCheckedServer } from './testing/schema-checked-server';
import { createZeebeEngine } from './zeebe-engine';

const T = '<default>';
const NOW = '2026-12-01T08:00:00.000Z';
const page = (n: number) => ({ totalItems: n, hasMoreTotalItems: false });

describe('Zeebe adapter against a server checking the official 8.8 REST API schemas', () => {
  let server: Awaited<ReturnType<typeof startSchemaCheckedServer>>;
  let engine: EnginePort;

  beforeAll(async () => {
    server = await startSchemaCheckedServer({
      createDeployment: () => ({ status: 200, body: { tenantId: T, deploymentKey: '2251799813685249', deployments: [{ processDefinition: { processDefinitionId: 'general-submission', processDefinitionVersion: 3, resourceName: 'general-submission.bpmn', tenantId: T, processDefinitionKey: '2251799813685250' } }] } }),
      createProcessInstance: ({ body }) => ({ status: 200, body: { processDefinitionId: (body as { processDefinitionId: string }).processDefinitionId, processDefinitionVersion: 3, tenantId: T, variables: { done: true }, processDefinitionKey: '2251799813685250', processInstanceKey: '2251799813685300' } }),
      getProcessInstance: ({ path }) => (path.processInstanceKey === '404'
        ? { status: 404, body: { type: 'about:blank', title: 'NOT_FOUND', status: 404, detail: 'not found', instance: '/v2/process-instances/404' } }
        : { status: 200, body: { processDefinitionId: 'general-submission', processDefinitionName: 'Obecné podání', processDefinitionVersion: 3, startDate: NOW, state: 'ACTIVE', hasIncident: false, tenantId: T, processInstanceKey: path.processInstanceKey, processDefinitionKey: '2251799813685250' } }),
      searchVariables: () => ({ status: 200, body: { items: [{ name: 'subject', value: '"Žádost"', isTruncated: false, tenantId: T, variableKey: '2251799813685400', scopeKey: '2251799813685300', processInstanceKey: '2251799813685300' }], page: page(1) } }),
      cancelProcessInstance: () => ({ status: 204 }),
      publishMessage: () => ({ status: 200, body: { tenantId: T, messageKey: '2251799813685500' } }),
      correlateMessage: () => ({ status: 200, body: { tenantId: T, messageKey: '2251799813685501', processInstanceKey: '2251799813685300' } }),
      activateJobs: () => ({ status: 200, body: { jobs: [{ type: 'registry.register-document', processDefinitionId: 'general-submission', processDefinitionVersion: 3, elementId: 'register', customHeaders: { unit: 'CZK' }, worker: 'w1', retries: 3, deadline: 1796198400000, variables: { subject: 'Žádost' }, tenantId: T, jobKey: '2251799813685600', processInstanceKey: '2251799813685300', processDefinitionKey: '2251799813685250', elementInstanceKey: '2251799813685601', kind: 'BPMN_ELEMENT', listenerEventType: 'UNSPECIFIED' }] } }),
      completeJob: () => ({ status: 204 }),
      failJob: () => ({ status: 204 }),
      throwJobError: () => ({ status: 204 }),
      updateJob: () => ({ status: 204 }),
      searchUserTasks: () => ({ status: 200, body: { items: [{ name: 'Vyřídit', state: 'CREATED', assignee: 'novak', elementId: 'handle', candidateGroups: ['referent'], candidateUsers: [], processDefinitionId: 'general-submission', creationDate: NOW, dueDate: '2026-12-16T08:00:00.000Z', tenantId: T, externalFormReference: 'handle-form', priority: 50, userTaskKey: '2251799813685700', processInstanceKey: '2251799813685300', processDefinitionKey: '2251799813685250', elementInstanceKey: '2251799813685701', processDefinitionVersion: 3, formKey: '2251799813685702', customHeaders: {} }], page: page(1) } }),
      getUserTask: ({ path }) => (path.userTaskKey === '404'
        ? { status: 404, body: { type: 'about:blank', title: 'NOT_FOUND', status: 404, detail: 'not found', instance: '/v2/user-tasks/404' } }
        : { status: 200, body: { name: 'Vyřídit', state: 'CREATED', elementId: 'handle', userTaskKey: path.userTaskKey, processInstanceKey: '2251799813685300', processDefinitionKey: '2251799813685250', processDefinitionId: 'general-submission', creationDate: NOW, priority: 50 } }),
      searchUserTaskVariables: () => ({ status: 200, body: { items: [{ name: 'amount', value: '120', isTruncated: false, tenantId: T, variableKey: '2251799813685800', scopeKey: '2251799813685701', processInstanceKey: '2251799813685300' }], page: page(1) } }),
      assignUserTask: ({ body }) => ((body as { assignee: string }).assignee === 'taken'
        ? { status: 409, body: { type: 'about:blank', title: 'INVALID_STATE', status: 409, detail: 'already assigned', instance: '/v2/user-tasks/1/assignment' } }
        : { status: 204 }),
      unassignUserTask: () => ({ status: 204 }),
      completeUserTask: () => ({ status: 204 }),
      searchIncidents: () => ({ status: 200, body: { items: [{ processDefinitionId: 'general-submission', errorType: 'JOB_NO_RETRIES', errorMessage: 'boom', elementId: 'register', creationTime: NOW, state: 'ACTIVE', tenantId: T, incidentKey: '2251799813685900', processDefinitionKey: '2251799813685250', processInstanceKey: '2251799813685300', elementInstanceKey: '2251799813685601', jobKey: '2251799813685600' }], page: page(1) } }),
      resolveIncident: () => ({ status: 204 }),
      searchElementInstances: () => ({ status: 200, body: { items: [
        { processDefinitionId: 'general-submission', startDate: NOW, endDate: '2026-12-01T08:00:01.000Z', elementId: 'register', elementName: 'Zaevidovat', type: 'SERVICE_TASK', state: 'COMPLETED', hasIncident: false, tenantId: T, elementInstanceKey: '2251799813685601', processInstanceKey: '2251799813685300', processDefinitionKey: '2251799813685250' },
        { processDefinitionId: 'general-submission', startDate: '2026-12-01T08:00:02.000Z', elementId: 'handle', elementName: 'Vyřídit', type: 'USER_TASK', state: 'ACTIVE', hasIncident: false, tenantId: T, elementInstanceKey: '2251799813685701', processInstanceKey: '2251799813685300', processDefinitionKey: '2251799813685250' },
      ], page: page(2) } }),
    });
    engine = createZeebeEngine(readZeebeConfig({ CAMUNDA_REST_ADDRESS: server.address }));
  });
  afterAll(() => server.close());

  it('sends only schema-valid requests for every port operation and maps the answers', async () => {
    // deploy, start, read, cancel
    expect(await engine.deploy([{ name: 'general-submission.bpmn', content: '<definitions/>' }]))
      .toEqual([{ bpmnProcessId: 'general-submission', version: 3, processDefinitionKey: '2251799813685250', resourceName: 'general-submission.bpmn' }]);
    const started = await engine.createProcessInstance({ bpmnProcessId: 'general-submission', variables: { subject: 'Žádost' } });
    expect(started).toMatchObject({ processInstanceKey: '2251799813685300', state: 'ACTIVE', version: 3 });
    const finished = await engine.createProcessInstance({ bpmnProcessId: 'general-submission', version: 3, awaitCompletion: true, requestTimeoutMs: 5000 });
    expect(finished).toMatchObject({ state: 'COMPLETED', variables: { done: true } });
    expect(await engine.getProcessInstance('2251799813685300')).toMatchObject({ state: 'ACTIVE', bpmnProcessId: 'general-submission', variables: { subject: 'Žádost' } });
    expect(await engine.getProcessInstance('404')).toBeNull();
    await engine.cancelProcessInstance('2251799813685300');

    // messages: buffered publish, immediate correlation
    expect(await engine.publishMessage({ name: 'supplement-received', correlationKey: 'C-1', timeToLive: 60_000, messageId: 'm-1', variables: { a: 1 } }))
      .toEqual({ messageKey: '2251799813685500', correlated: false });
    expect(await engine.publishMessage({ name: 'supplement-received', correlationKey: 'C-1' })).toEqual({ messageKey: '2251799813685501', correlated: true });

    // jobs
    const [job] = await engine.activateJobs({ type: 'registry.register-document', worker: 'w1', maxJobsToActivate: 5, timeout: 30_000 });
    expect(job).toMatchObject({ jobKey: '2251799813685600', bpmnProcessId: 'general-submission', elementInstanceKey: '2251799813685601', customHeaders: { unit: 'CZK' }, deadline: new Date(1796198400000).toISOString() });
    await engine.completeJob(job.jobKey, { registered: true });
    await engine.failJob(job.jobKey, { retries: 2, errorMessage: 'timeout', retryBackOff: 1000 });
    await engine.throwJobError(job.jobKey, { errorCode: 'REJECTED', errorMessage: 'no', variables: { reason: 'x' } });
    await engine.updateJobRetries(job.jobKey, 3);
    await engine.updateJobTimeout(job.jobKey, 30_000);

    // user tasks
    const [task] = await engine.searchUserTasks({ state: 'CREATED', candidateGroups: ['referent', 'vedouci'], processInstanceKey: '2251799813685300' });
    expect(task).toMatchObject({ userTaskKey: '2251799813685700', assignee: 'novak', candidateGroups: ['referent'], formId: 'handle-form', dueDate: '2026-12-16T08:00:00.000Z' });
    expect(await engine.getUserTask('2251799813685700')).toMatchObject({ name: 'Vyřídit', state: 'CREATED' });
    expect(await engine.getUserTask('404')).toBeNull();
    expect(await engine.getUserTaskVariables('2251799813685700')).toEqual({ amount: 120 });
    await engine.assignUserTask('2251799813685700', 'novak', { allowOverride: true });
    await expect(engine.assignUserTask('2251799813685700', 'taken')).rejects.toMatchObject({ code: 'TASK_ALREADY_ASSIGNED' });
    await engine.unassignUserTask('2251799813685700');
    await engine.completeUserTask('2251799813685700', { approved: true });

    // incidents
    expect(await engine.searchIncidents({ processInstanceKey: '2251799813685300', state: 'ACTIVE' }))
      .toEqual([expect.objectContaining({ incidentKey: '2251799813685900', errorType: 'JOB_NO_RETRIES', jobKey: '2251799813685600', state: 'ACTIVE' })]);
    await engine.resolveIncident('2251799813685900');

    // history, rebuilt from element instances
    expect((await engine.getProcessInstanceHistory('2251799813685300')).map((e) => [e.elementId, e.elementType, e.event])).toEqual([
      ['register', 'bpmn:ServiceTask', 'ELEMENT_ENTERED'], ['register', 'bpmn:ServiceTask', 'ELEMENT_LEFT'], ['handle', 'bpmn:UserTask', 'ELEMENT_ENTERED'],
    ]);

    // then every request and every scripted answer matched the official schemas
    expect(server.violations).toEqual([]);
    expect(new Set(server.exchanges.map((x) => x.operation))).toEqual(new Set([
      'createDeployment', 'createProcessInstance', 'getProcessInstance', 'searchVariables', 'cancelProcessInstance', 'publishMessage',
      'correlateMessage', 'activateJobs', 'completeJob', 'failJob', 'throwJobError', 'updateJob', 'searchUserTasks', 'getUserTask',
      'searchUserTaskVariables', 'assignUserTask', 'unassignUserTask', 'completeUserTask', 'searchIncidents', 'resolveIncident', 'searchElementInstances',
    ]));
    const completion = server.exchanges.find((x) => x.operation === 'completeJob');
    expect(completion).toMatchObject({ path: { jobKey: '2251799813685600' }, body: { variables: { registered: true } } });
    expect(server.exchanges.filter((x) => x.operation === 'updateJob').map((x) => x.body)).toEqual([{ changeset: { retries: 3 } }, { changeset: { timeout: 30_000 } }]);
  });

  it('rejects bad input before sending anything and reports configuration errors by name', async () => {
    const before = server.exchanges.length;
    await expect(engine.updateJobRetries('1', -1)).rejects.toBeInstanceOf(EngineError);
    await expect(engine.updateJobTimeout('1', 0)).rejects.toBeInstanceOf(EngineError);
    expect(server.exchanges.length).toBe(before);
    expect(() => readZeebeConfig({ CAMUNDA_REST_ADDRESS: 'nope', CAMUNDA_AUTH_STRATEGY: 'OAUTH' }))
      .toThrow(/CAMUNDA_REST_ADDRESS.*CAMUNDA_OAUTH_URL.*CAMUNDA_CLIENT_ID/);
  });

  it('a request the schema refuses is seen by the checking server (the check can fail)', async () => {
    const res = await fetch(`${server.address}/v2/jobs/activation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'x' }) });
    expect(res.status).toBe(400);
    expect(server.violations.splice(0)).toEqual([expect.stringMatching(/^activateJobs request/)]);
  });
});
