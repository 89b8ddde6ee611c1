import type { Knex } from 'knex';
import type { EnginePort } from '../port';
import { DefinitionRepository } from './definition.repository';
import { EngineContext, type EngineLogger } from './engine-context';
import { HistoryService } from './history.service';
import { IncidentsService } from './incidents.service';
import { InstancesService } from './instances.service';
import { JobsService } from './jobs.service';
import { MessagesService } from './messages.service';
import { dropExpiredMessages, fireDueTimers } from './timers.poller';
import { fireStartTimers } from './start-events';
import { UserTasksService } from './user-tasks.service';
import { NodeRuntime } from './node-runtime';

export interface EmbeddedEngineOptions {
  db: Knex;
  /** pino-like; gets incidents and poll errors, never variables */
  log?: EngineLogger;
  /** every time decision (timers, TTLs, lock deadlines, backoff) uses this, so tests can move time */
  clock?: () => Date;
  /** names this node in logs */
  nodeId?: string;
  /** how often due timers and expired messages are looked for (default 1000 ms) */
  timerPollIntervalMs?: number;
  /**
   * how many instances' bpmn-engine objects this node keeps live between commands (default 100,
   * 0 = recover every command from the stored state). A command on a live instance skips the
   * recovery; a stale one (another node moved the instance on) is noticed and recovered. Each
   * takes about 0.5–1.5 MB of memory.
   */
  liveEngines?: number;
  /** a live object unused for this long is dropped (default 30 000 ms) */
  liveEngineIdleMs?: number;
}

export interface EmbeddedEngine extends EnginePort {
  /** begins polling due timers and expired message TTLs */
  start(): void;
  /** stops the poll loop and waits for commands in flight */
  stop(): Promise<void>;
  /** one poll round now (fires due timers); for tests and tools. Resolves with the number fired. */
  runDueTimers(): Promise<number>;
}

/**
 * The embedded engine: bpmn-engine + feelin, durable in PostgreSQL/PGlite. All state lives in the
 * database and every command commits atomically, so a new engine object on the same database
 * (after a crash, or on another node) carries on where the last one stopped.
 */
export function createEmbeddedEngine(opts: EmbeddedEngineOptions): EmbeddedEngine {
  const node = new NodeRuntime({ liveEngines: opts.liveEngines, liveEngineIdleMs: opts.liveEngineIdleMs });
  const ctx = new EngineContext(opts.db, new DefinitionRepository(), opts.clock ?? (() => new Date()), opts.log, node);
  const instances = new InstancesService(ctx);
  const jobs = new JobsService(ctx);
  const tasks = new UserTasksService(ctx);
  const messages = new MessagesService(ctx);
  const incidents = new IncidentsService(ctx);
  const history = new HistoryService(ctx);
  const interval = opts.timerPollIntervalMs ?? 1000;
  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> | null = null;

  const poll = async () => {
    try {
      await fireDueTimers(ctx);
      await fireStartTimers(ctx);
      await dropExpiredMessages(ctx);
      node.live.sweep();
    } catch (err) {
      opts.log?.error({ err, nodeId: opts.nodeId }, 'engine timer poll failed');
    }
  };

  return {
    deploy: (resources) => ctx.defs.deploy(opts.db, resources, ctx.clock()),
    createProcessInstance: (req) => instances.createProcessInstance(req),
    getProcessInstance: (key) => instances.getProcessInstance(key),
    cancelProcessInstance: (key) => instances.cancelProcessInstance(key),
    publishMessage: (req) => messages.publishMessage(req),
    activateJobs: (req) => jobs.activateJobs(req),
    completeJob: (key, variables) => jobs.completeJob(key, variables),
    failJob: (key, req) => jobs.failJob(key, req),
    throwJobError: (key, req) => jobs.throwJobError(key, req),
    updateJobRetries: (key, retries) => jobs.updateJobRetries(key, retries),
    updateJobTimeout: (key, timeout) => jobs.updateJobTimeout(key, timeout),
    streamJobs: (stream) => node.openStream(stream),
    onJobsAvailable(listener) {
      node.jobEvents.on('jobs', listener);
      return () => { node.jobEvents.off('jobs', listener); };
    },
    searchUserTasks: (filter) => tasks.searchUserTasks(filter),
    getUserTask: (key) => tasks.getUserTask(key),
    getUserTaskVariables: (key) => tasks.getUserTaskVariables(key),
    assignUserTask: (key, assignee, o) => tasks.assignUserTask(key, assignee, o),
    unassignUserTask: (key) => tasks.unassignUserTask(key),
    completeUserTask: (key, variables) => tasks.completeUserTask(key, variables),
    searchIncidents: (filter) => incidents.searchIncidents(filter),
    resolveIncident: (key) => incidents.resolveIncident(key),
    getProcessInstanceHistory: (key) => history.getProcessInstanceHistory(key),
    runDueTimers: async () => (await fireDueTimers(ctx)) + (await fireStartTimers(ctx)),
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (polling) return; // never two rounds at once
        polling = poll().finally(() => { polling = null; });
      }, interval);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (polling) await polling;
      await ctx.drain();
      node.live.clear();
    },
  };
}
