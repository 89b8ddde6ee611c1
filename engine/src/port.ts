/**
 * The engine port. Shaped after the Camunda 8.8 Orchestration Cluster REST API v2 so that the
 * embedded adapter (bpmn-engine, durable in PostgreSQL) and a future Zeebe adapter are
 * interchangeable. Keys are strings (Zeebe keys are int64, which JSON cannot carry safely).
 * Workers, the back-office and tests code only against this file.
 */

export type Variables = Record<string, unknown>;

export interface DeployResource {
  /** file name, e.g. `general-submission.bpmn` */
  name: string;
  content: string;
}

export interface DeployedProcess {
  bpmnProcessId: string;
  version: number;
  processDefinitionKey: string;
  resourceName: string;
}

export interface CreateProcessInstanceRequest {
  bpmnProcessId: string;
  /** latest version when omitted */
  version?: number;
  variables?: Variables;
  /** wait until the instance completes and return its variables */
  awaitCompletion?: boolean;
  requestTimeoutMs?: number;
}

export interface ProcessInstance {
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  version: number;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  /** only when awaitCompletion was requested, or from getProcessInstance */
  variables?: Variables;
  startDate: string;
  endDate?: string | null;
}

export interface PublishMessageRequest {
  name: string;
  correlationKey: string;
  variables?: Variables;
  /** ms the message stays buffered when nothing waits for it; 0 = not buffered */
  timeToLive?: number;
  /** a second message with the same id within the TTL is rejected as a duplicate */
  messageId?: string;
}

export interface ActivateJobsRequest {
  type: string;
  worker: string;
  maxJobsToActivate: number;
  /** lock timeout in ms: an uncompleted job becomes activatable again after it */
  timeout: number;
}

/**
 * A job worker's offer to take jobs of one type as they are made (Zeebe's job push): the engine
 * creates such a job already activated for this worker, with its lock timeout, and hands it over
 * once that is committed.
 */
export interface JobStream {
  type: string;
  worker: string;
  /** lock timeout in ms, as for activateJobs */
  timeout: number;
  /** takes room for one job; false when the worker is full (the job then waits to be activated) */
  reserve(): boolean;
  /** gives back room taken by reserve() for a job that was not made after all */
  release(): void;
  /** the job, activated for this worker; uses the room reserve() took */
  deliver(job: ActivatedJob): void;
}

export interface ActivatedJob {
  jobKey: string;
  type: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  elementId: string;
  /** stable per element execution: the same on every re-delivery of this job */
  elementInstanceKey: string;
  retries: number;
  deadline: string;
  customHeaders: Record<string, string>;
  variables: Variables;
}

export interface FailJobRequest {
  retries: number;
  errorMessage?: string;
  /** ms before the job can be activated again */
  retryBackOff?: number;
  variables?: Variables;
}

export interface ThrowJobErrorRequest {
  errorCode: string;
  errorMessage?: string;
  variables?: Variables;
}

export type UserTaskState = 'CREATED' | 'COMPLETED' | 'CANCELED';

export interface UserTask {
  userTaskKey: string;
  name: string;
  elementId: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  state: UserTaskState;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  /** `zeebe:formDefinition formId` */
  formId: string | null;
  dueDate: string | null;
  followUpDate: string | null;
  priority: number;
  creationDate: string;
  completionDate: string | null;
}

export interface UserTaskFilter {
  state?: UserTaskState;
  assignee?: string;
  /** tasks whose candidate groups intersect these */
  candidateGroups?: string[];
  candidateUser?: string;
  processInstanceKey?: string;
}

export interface Incident {
  incidentKey: string;
  processInstanceKey: string;
  elementId: string;
  jobKey: string | null;
  errorType: 'JOB_NO_RETRIES' | 'CONDITION_ERROR' | 'EXTRACT_VALUE_ERROR' | 'UNHANDLED_ERROR_EVENT' | 'CALLED_ELEMENT_ERROR' | 'UNKNOWN';
  errorMessage: string;
  state: 'ACTIVE' | 'RESOLVED';
  creationTime: string;
}

/** One entry of an instance's history, oldest first: what the back-office draws on the diagram. */
export interface ProcessInstanceEvent {
  eventKey: string;
  processInstanceKey: string;
  /** null for events of the instance as a whole (variables, messages) */
  elementId: string | null;
  /** BPMN type, e.g. `bpmn:ServiceTask` */
  elementType: string | null;
  event:
    | 'ELEMENT_ENTERED' | 'ELEMENT_LEFT' | 'VARIABLES_CHANGED' | 'MESSAGE_CORRELATED'
    | 'INCIDENT_CREATED' | 'INCIDENT_RESOLVED' | 'PROCESS_COMPLETED' | 'PROCESS_TERMINATED';
  /** VARIABLES_CHANGED: `{ variables: { name: newValue } }`; incidents: `{ incidentKey, errorType, errorMessage }`; MESSAGE_CORRELATED: `{ messageKey, name }` */
  details: Record<string, unknown> | null;
  occurredAt: string;
}

export interface EnginePort {
  deploy(resources: DeployResource[]): Promise<DeployedProcess[]>;
  createProcessInstance(req: CreateProcessInstanceRequest): Promise<ProcessInstance>;
  getProcessInstance(processInstanceKey: string): Promise<ProcessInstance | null>;
  cancelProcessInstance(processInstanceKey: string): Promise<void>;
  /** resolves with the key of the subscription it was correlated to, or null when only buffered */
  publishMessage(req: PublishMessageRequest): Promise<{ messageKey: string; correlated: boolean }>;

  activateJobs(req: ActivateJobsRequest): Promise<ActivatedJob[]>;
  completeJob(jobKey: string, variables?: Variables): Promise<void>;
  failJob(jobKey: string, req: FailJobRequest): Promise<void>;
  throwJobError(jobKey: string, req: ThrowJobErrorRequest): Promise<void>;
  updateJobRetries(jobKey: string, retries: number): Promise<void>;
  /**
   * Locks the activated job for `timeout` ms from now (Zeebe's job update with a `timeout`
   * changeset): a worker still handling a job renews its lock, so that the job is handed out again
   * only when that worker has gone. NOT_FOUND when the job is no longer activated.
   */
  updateJobTimeout(jobKey: string, timeout: number): Promise<void>;
  /**
   * Optional: calls listener with a job type as soon as new jobs of that type can be activated
   * (after the commit that made them). Job workers use it to activate at once instead of waiting
   * for their next poll; they keep polling, which is how they see everything else (jobs made on
   * another node, expired locks, ended backoffs). Returns the function that unsubscribes.
   */
  onJobsAvailable?(listener: (type: string) => void): () => void;
  /**
   * Optional: jobs of the stream's type made on this node (engine) go straight to it while it has
   * room (see JobStream). A worker still polls for everything else. Returns the function that
   * closes the stream.
   */
  streamJobs?(stream: JobStream): () => void;

  searchUserTasks(filter?: UserTaskFilter): Promise<UserTask[]>;
  getUserTask(userTaskKey: string): Promise<UserTask | null>;
  /** variables visible to the task (the instance's, with the task's input mappings applied) */
  getUserTaskVariables(userTaskKey: string): Promise<Variables>;
  /** throws EngineError code TASK_ALREADY_ASSIGNED when assigned to someone else and allowOverride is false */
  assignUserTask(userTaskKey: string, assignee: string, opts?: { allowOverride?: boolean }): Promise<void>;
  unassignUserTask(userTaskKey: string): Promise<void>;
  completeUserTask(userTaskKey: string, variables?: Variables): Promise<void>;

  searchIncidents(filter?: { processInstanceKey?: string; state?: Incident['state'] }): Promise<Incident[]>;
  resolveIncident(incidentKey: string): Promise<void>;

  /** the instance's event log, oldest first (empty for an unknown key) */
  getProcessInstanceHistory(processInstanceKey: string): Promise<ProcessInstanceEvent[]>;
}

export type EngineErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_STATE'
  | 'TASK_ALREADY_ASSIGNED'
  | 'DUPLICATE_MESSAGE'
  | 'DEPLOY_REJECTED'
  | 'INVALID_ARGUMENT';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** What a job handler returns: exactly one of complete / fail / BPMN error (the Zeebe job contract). */
export type JobOutcome =
  | { outcome: 'complete'; variables?: Variables }
  | { outcome: 'fail'; errorMessage: string; retries?: number; retryBackOff?: number }
  | { outcome: 'error'; errorCode: string; errorMessage?: string; variables?: Variables };

export interface JobLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobHandler {
  /** job type, `<area>.<verb-noun>` */
  type: string;
  /** lock timeout, ms (default 30 000) */
  timeout?: number;
  handle(job: ActivatedJob, ctx: { log: JobLogger }): Promise<JobOutcome>;
}
