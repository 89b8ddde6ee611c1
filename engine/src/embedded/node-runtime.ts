import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import type { JobStream } from '../port';

/**
 * What one engine node keeps in memory between commands. None of it is needed for correctness:
 * the database stays the only truth, and a node that lost all of this (a restart) or whose copy is
 * stale (another node moved the instance on) simply recovers from the stored state.
 */

/** A live bpmn-engine object of one instance, as left by its last command. */
export interface CachedEngine {
  /** the engine_state text this object is in; only a stored state equal to it may reuse the object */
  stateJson: string;
}

/**
 * Live bpmn-engine objects by instance key, least recently used evicted first, and dropped after
 * idleMs without a command (a live object takes about 0.5–1.5 MB: it pays off for instances that
 * move through service tasks, not for the many that wait days for a person). A command takes its
 * instance's object out (nothing else can use it meanwhile: the command holds the instance row
 * lock) and puts it back when it succeeded. The object is used again only when the stored
 * engine_state is exactly the text it was saved as, so a command of another node, a rolled-back
 * transaction or a restore from backup all make it be dropped and the state recovered instead.
 */
export class LiveEngineCache<T extends CachedEngine> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number, readonly idleMs: number) {}

  take(instanceKey: string, storedState: string | null): T | null {
    this.sweep();
    const entry = this.entries.get(instanceKey)?.value;
    if (entry) this.entries.delete(instanceKey);
    if (entry && storedState !== null && entry.stateJson === storedState) {
      this.hits++;
      return entry;
    }
    this.misses++;
    return null;
  }

  /** the object kept for this instance, left in place (the caller hands it to a command, which takes it) */
  peek(instanceKey: string): T | null {
    this.sweep();
    return this.entries.get(instanceKey)?.value ?? null;
  }

  put(instanceKey: string, entry: T): void {
    if (this.capacity <= 0) return;
    this.entries.delete(instanceKey);
    this.entries.set(instanceKey, { value: entry, at: Date.now() });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** drops what was not used for idleMs (the oldest come first) */
  sweep(): void {
    const limit = Date.now() - this.idleMs;
    for (const [key, { at }] of this.entries) {
      if (at > limit) break;
      this.entries.delete(key);
    }
  }

  drop(instanceKey: string): void {
    this.entries.delete(instanceKey);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Runs fn once the outermost transaction that trx belongs to has committed, or onRollback when it
 * did not. (A savepoint rolled back inside a committed transaction still counts as committed: the
 * callers only announce or hand over jobs, and a worker copes with a job that is not there.)
 */
export function afterCommit(trx: Knex.Transaction, fn: () => void, onRollback: () => void = () => undefined): void {
  let root = trx as Knex.Transaction & { parentTransaction?: Knex.Transaction; executionPromise?: Promise<unknown> };
  while (root.parentTransaction) root = root.parentTransaction as typeof root;
  if (!root.executionPromise) return onRollback();
  root.executionPromise.then(() => fn(), () => onRollback());
}

/** a job this node handed out: its instance and the wait it belongs to */
export interface KnownJob { instanceKey: string; executionId: string; elementId: string }

export class NodeRuntime<T extends CachedEngine = CachedEngine> {
  readonly live: LiveEngineCache<T>;
  /** emits 'jobs' with a job type once a transaction that created jobs of that type has committed */
  readonly jobEvents = new EventEmitter();

  constructor(opts: { liveEngines?: number; liveEngineIdleMs?: number } = {}) {
    this.live = new LiveEngineCache<T>(opts.liveEngines ?? 100, opts.liveEngineIdleMs ?? 30_000);
    this.jobEvents.setMaxListeners(0);
  }

  private readonly streams = new Map<string, JobStream[]>();
  /** bpmnProcessId → key of the latest version this node saw; a statement that relies on it checks it still is */
  private readonly latest = new Map<string, string>();
  /** instance keys drawn from the sequence ahead, in order */
  private keys: string[] = [];

  latestDefinition(bpmnProcessId: string): string | undefined {
    return this.latest.get(bpmnProcessId);
  }

  sawLatestDefinition(bpmnProcessId: string, definitionKey: string | null): void {
    if (definitionKey === null) this.latest.delete(bpmnProcessId);
    else this.latest.set(bpmnProcessId, definitionKey);
  }

  /**
   * The key of a new instance, known before the instance is written (its rows refer to it). Drawn
   * from the instances' own sequence ten at a time: keys stay unique across nodes and increase
   * on each node; unused ones of a node that stops are gaps.
   */
  async nextInstanceKey(db: Knex): Promise<string> {
    if (!this.keys.length) {
      const result = (await db.raw(`select nextval(pg_get_serial_sequence('engine_process_instances', 'key'))::text as key from generate_series(1, 10)`)) as { rows?: { key: string }[] } | { key: string }[];
      const rows = Array.isArray(result) ? result : result.rows ?? [];
      // another caller may have filled the block meanwhile: keep the keys in order
      this.keys = [...this.keys, ...rows.map((r) => r.key)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    }
    return this.keys.shift()!;
  }
  /** where each job this node handed out waits (that never changes): saves a look-up per command */
  private readonly jobInstances = new Map<string, KnownJob>();

  rememberJob(jobKey: string, job: KnownJob): void {
    this.jobInstances.set(jobKey, job);
    if (this.jobInstances.size > 10_000) this.jobInstances.delete(this.jobInstances.keys().next().value!);
  }

  instanceOfJob(jobKey: string): string | undefined {
    return this.jobInstances.get(jobKey)?.instanceKey;
  }

  knownJob(jobKey: string): KnownJob | undefined {
    return this.jobInstances.get(jobKey);
  }

  forgetJob(jobKey: string): void {
    this.jobInstances.delete(jobKey);
  }

  openStream(stream: JobStream): () => void {
    const list = this.streams.get(stream.type) ?? [];
    this.streams.set(stream.type, [...list, stream]);
    return () => {
      const rest = (this.streams.get(stream.type) ?? []).filter((s) => s !== stream);
      if (rest.length) this.streams.set(stream.type, rest);
      else this.streams.delete(stream.type);
    };
  }

  /** a local worker with room for one more job of this type, its room taken; null when none */
  reserveStream(type: string): JobStream | null {
    for (const stream of this.streams.get(type) ?? []) if (stream.reserve()) return stream;
    return null;
  }

  /** Tells this node's job workers about new jobs, after the commit that makes them visible (now when trx is null: committed already). */
  jobsCreated(trx: Knex.Transaction | null, types: Iterable<string>): void {
    const list = [...new Set(types)];
    if (!list.length || !this.jobEvents.listenerCount('jobs')) return;
    const announce = () => { for (const type of list) this.jobEvents.emit('jobs', type); };
    if (trx) afterCommit(trx, announce);
    else announce();
  }
}
