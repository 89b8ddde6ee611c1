import type { EnginePort, ProcessInstance, UserTask, UserTaskFilter, Variables } from '../engine-port';

class FakeEngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** An in-memory EnginePort for unit tests: records calls, holds instances and user tasks. */
export class FakeEngine implements EnginePort {
  instances = new Map<string, ProcessInstance & { variables: Variables }>();
  tasks = new Map<string, UserTask>();
  taskVariables = new Map<string, Variables>();
  created: { bpmnProcessId: string; variables?: Variables }[] = [];
  messages: { name: string; correlationKey: string }[] = [];
  completed: { userTaskKey: string; variables?: Variables }[] = [];
  failNextCreate = false;
  /** runs after an instance is created, e.g. to simulate the registration worker */
  afterCreate?: (instance: ProcessInstance & { variables: Variables }) => Promise<void>;
  private seq = 1000;

  addTask(task: Partial<UserTask> & { processInstanceKey: string }, variables: Variables = {}): UserTask {
    const key = String(this.seq++);
    const t: UserTask = {
      userTaskKey: key,
      name: 'Odpovědět na podání',
      elementId: 'answer',
      processDefinitionKey: '1',
      bpmnProcessId: 'general-submission',
      state: 'CREATED',
      assignee: null,
      candidateGroups: ['referent'],
      candidateUsers: [],
      formId: 'general-submission-answer',
      dueDate: null,
      followUpDate: null,
      priority: 50,
      creationDate: new Date().toISOString(),
      completionDate: null,
      ...task,
    };
    this.tasks.set(key, t);
    this.taskVariables.set(key, variables);
    return t;
  }

  async deploy() {
    return [];
  }
  async createProcessInstance(req: { bpmnProcessId: string; variables?: Variables }) {
    if (this.failNextCreate) {
      this.failNextCreate = false;
      throw new Error('engine down');
    }
    this.created.push(req);
    const key = String(this.seq++);
    const instance = {
      processInstanceKey: key,
      processDefinitionKey: '1',
      bpmnProcessId: req.bpmnProcessId,
      version: 1,
      state: 'ACTIVE' as const,
      variables: { ...(req.variables ?? {}) },
      startDate: new Date().toISOString(),
    };
    this.instances.set(key, instance);
    await this.afterCreate?.(instance);
    return instance;
  }
  async getProcessInstance(key: string) {
    return this.instances.get(key) ?? null;
  }
  async cancelProcessInstance() {}
  async publishMessage(req: { name: string; correlationKey: string }) {
    this.messages.push({ name: req.name, correlationKey: req.correlationKey });
    return { messageKey: String(this.seq++), correlated: true };
  }
  async activateJobs() {
    return [];
  }
  async completeJob() {}
  async failJob() {}
  async throwJobError() {}
  async updateJobRetries() {}
  async updateJobTimeout() {}
  async searchUserTasks(filter: UserTaskFilter = {}) {
    return [...this.tasks.values()].filter(
      (t) =>
        (!filter.state || t.state === filter.state) &&
        (!filter.assignee || t.assignee === filter.assignee) &&
        (!filter.processInstanceKey || t.processInstanceKey === filter.processInstanceKey) &&
        (!filter.candidateGroups || t.candidateGroups.some((g) => filter.candidateGroups!.includes(g))),
    );
  }
  async getUserTask(key: string) {
    return this.tasks.get(key) ?? null;
  }
  async getUserTaskVariables(key: string) {
    return this.taskVariables.get(key) ?? {};
  }
  async assignUserTask(key: string, assignee: string, opts?: { allowOverride?: boolean }) {
    const t = this.tasks.get(key);
    if (!t) throw new FakeEngineError('NOT_FOUND', 'no task');
    if (t.assignee && t.assignee !== assignee && !opts?.allowOverride) throw new FakeEngineError('TASK_ALREADY_ASSIGNED', 'assigned');
    t.assignee = assignee;
  }
  async unassignUserTask(key: string) {
    const t = this.tasks.get(key);
    if (t) t.assignee = null;
  }
  async completeUserTask(key: string, variables?: Variables) {
    const t = this.tasks.get(key);
    if (!t || t.state !== 'CREATED') throw new FakeEngineError('NOT_FOUND', 'no task');
    t.state = 'COMPLETED';
    this.completed.push({ userTaskKey: key, variables });
  }
  async searchIncidents() {
    return [];
  }
  async resolveIncident() {}
  async getProcessInstanceHistory() {
    return [];
  }
}
