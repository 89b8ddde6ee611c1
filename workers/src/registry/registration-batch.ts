import type { Knex } from 'knex';
import { isDomainError } from '../shared/domain-error';
import { formatJid } from './reference-number.service';
import { numberAndLogAll, prepared, type Numbered, type NumberingRequest } from './registration-commit';

/** What a registration sees inside the transaction it shares with the others of its batch. */
export interface BatchContext {
  /** the batch's transaction, or the database when the batch needs none before its one writing statement */
  trx: Knex;
  /**
   * The rows of `files` the batch's registrations asked for (`lockFiles`), locked, by id. A
   * registration that changes one (its last order) changes it here too, for those after it.
   */
  files: Map<string, Record<string, unknown>>;
  /** the registration's JID */
  jid: string;
  /** shared by the registrations of the batch, e.g. a party recorded by an earlier one of them */
  memo: Map<string, unknown>;
  /** the answers to the batch's look-ups (`load`), by name, parsed from JSON */
  loaded: Record<string, unknown>;
}

export interface PlannedRegistration<T> {
  newNumber: boolean;
  build: NumberingRequest['build'];
  /** the caller's result once the numbers are known */
  result: (numbered: Numbered) => T;
}

export interface RegistrationJob<T, I = unknown> {
  office: string;
  year: number;
  mask: string;
  /** ids of existing files the registration writes to: locked (in id order, so batches cannot deadlock) before anything is numbered */
  lockFiles?: string[];
  /** components' content, stored content-addressed in the same transaction before the locks are taken */
  blobs?: { sha256: string; content: Buffer }[];
  /**
   * The look-ups of a whole batch, answered in its first statement (with the file locks and the
   * JIDs): SQL expressions (scalar subqueries, JSON) by name, for all the batch's registrations
   * (those sharing this function). `plan` finds the answers in `ctx.loaded`.
   */
  load?: (db: Knex, jobs: RegistrationJob<T, I>[]) => Record<string, Knex.Raw>;
  /** what the caller asked for, for `load` */
  input?: I;
  /**
   * Runs in the shared transaction, in arrival order, once the files are locked: checks what may
   * have changed since the caller's own checks (a `DomainError` fails this registration alone) and
   * says what to write. Must not write itself.
   */
  plan: (ctx: BatchContext) => Promise<PlannedRegistration<T>> | PlannedRegistration<T>;
  /**
   * Whether an error says that another process wrote, after this batch's look-ups, a row they would
   * have found (a unique index refused this batch's copy of it, once the other had committed): the
   * batch is then planned again with fresh look-ups, which find that row, instead of failing.
   */
  lookUpRaced?: (err: unknown) => boolean;
}

/** Registrations in one statement at most; more wait for the next batch. */
const MAX_BATCH = 32;
/**
 * Batches of one database handle running at once. One: a second batch would only wait for the
 * first's locks — and then PostgreSQL re-plans the locking part of its numbering statement
 * (EvalPlanQual sets up every sub-plan of the statement again). The registrations that arrive
 * meanwhile make the next batch bigger instead, so its fixed costs (two statements, a commit) are
 * shared by more of them: at 8 clients this cut the database's CPU per registration by a third. And a
 * batch reads the parties its predecessor recorded, so one process never records the same new
 * sender twice (across processes the database's unique indexes see to it: `lookUpRaced`).
 */
const MAX_IN_FLIGHT = 1;
/** Times a batch is planned again after its look-ups raced another process's writes (`lookUpRaced`). */
const MAX_REPLANS = 3;

interface Entry {
  job: RegistrationJob<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  settled: boolean;
}

interface Queue {
  pending: Entry[];
  inFlight: number;
  /** a start of batches is scheduled for the end of this turn of the event loop */
  scheduled: boolean;
}

const queues = new WeakMap<object, Queue>();

/**
 * Registers through group commit. Registrations waiting while an earlier batch commits are
 * numbered and logged together: one transaction, one statement under the counter and log-head
 * locks (`numberAndLogAll`), one commit — so the rate is no longer bounded by one commit per
 * registration while the locks are held. Numbers stay gap-free (a batch commits or rolls back as a
 * whole) and are taken in arrival order. A registration whose check fails (`DomainError` from
 * `plan`) fails alone; when the batch's transaction fails, each of its registrations is retried in
 * a transaction of its own, so one bad registration cannot fail the others. When the commit's
 * outcome is unknown (the connection broke during it), every registration of the batch gets the
 * error, as a single registration would. Inside a caller's transaction the registration runs
 * alone, in a savepoint.
 */
export function submitRegistration<T, I = unknown>(db: Knex, job: RegistrationJob<T, I>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const entry: Entry = { job: job as unknown as RegistrationJob<unknown>, resolve: resolve as (value: unknown) => void, reject, settled: false };
    if ((db as Knex.Transaction).isTransaction) {
      void runBatch(db, [entry]);
      return;
    }
    let queue = queues.get(db);
    if (!queue) queues.set(db, (queue = { pending: [], inFlight: 0, scheduled: false }));
    queue.pending.push(entry);
    pump(db, queue);
  });
}

const loaderIds = new WeakMap<object, number>();
let nextLoaderId = 1;

/** Registrations share a batch when they share office, year, mask and look-ups. */
function keyOf(job: RegistrationJob<unknown>): string {
  let loader = 0;
  if (job.load) {
    loader = loaderIds.get(job.load) ?? nextLoaderId++;
    loaderIds.set(job.load, loader);
  }
  return `${job.office}\u0000${job.year}\u0000${job.mask}\u0000${loader}`;
}

const parsed = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/**
 * Content at least this big is stored before the locks are taken (in the batch's transaction);
 * smaller content is stored by the numbering statement itself. One content always goes one way, so
 * two batches storing it cannot wait for each other in opposite lock order.
 */
const EARLY_BLOB_BYTES = 64 * 1024;

function blobsOf(entries: Entry[]): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  for (const e of entries) for (const b of e.job.blobs ?? []) blobs.set(b.sha256, b.content);
  return blobs;
}

const blobRows = (blobs: [string, Buffer][]) => blobs.map(([sha256, content]) => ({ sha256, size: content.length, content }));

/**
 * The batch's first statement: stores the big components' content (`early`), locks the files (in
 * id order), takes a JID for each registration and answers the look-ups — one round trip.
 */
async function prepareBatch(db: Knex, entries: Entry[], early: [string, Buffer][]) {
  const bindings: Knex.RawBinding[] = [];
  let sql = '';
  if (early.length) {
    const q = db('blobs').insert(blobRows(early)).onConflict('sha256').ignore().toSQL();
    sql += `with stored as (${q.sql}) `;
    bindings.push(...q.bindings);
  }
  const selects = [`(select json_agg(nextval('jid_seq')) from generate_series(1, ?::int)) as jids`];
  bindings.push(entries.length);
  const ids = [...new Set(entries.flatMap((e) => e.job.lockFiles ?? []))].sort();
  if (ids.length) {
    selects.push(`(select coalesce(json_agg(f), '[]'::json) from (
      select * from files where id in (select value::uuid from json_array_elements_text(?::json)) order by id for update) f) as files`);
    bindings.push(JSON.stringify(ids));
  }
  const load = entries[0].job.load;
  const names = load ? Object.entries(load(db, entries.map((e) => e.job))) : [];
  names.forEach(([, raw], k) => {
    const q = raw.toSQL();
    selects.push(`${q.sql} as l${k}`);
    bindings.push(...q.bindings);
  });
  sql += `select ${selects.join(', ')}`;
  // the text varies only with the look-ups asked for, so it is prepared once per connection (unless it stores content)
  const row = (await (early.length ? db.raw(sql, bindings) : prepared(db.raw(sql, bindings), sql))).rows[0];
  return {
    jids: (parsed(row.jids) as (number | string)[]).map(Number),
    files: new Map(((parsed(row.files) ?? []) as Record<string, unknown>[]).map((f) => [String(f.id), f])),
    loaded: Object.fromEntries(names.map(([name], k) => [name, parsed(row[`l${k}`])])),
  };
}

/**
 * Starts the next batch at the end of this turn of the event loop rather than at once, so that it
 * takes every registration submitted in this turn — above all those of the callers whose
 * registrations the previous batch has just finished and who go on with the next. Started at once,
 * the first of them would make a batch alone and the others wait for it (at 8 clients, batches of
 * 4 on average instead of 8).
 */
function pump(db: Knex, queue: Queue): void {
  if (queue.scheduled) return;
  queue.scheduled = true;
  setImmediate(() => {
    queue.scheduled = false;
    while (queue.inFlight < MAX_IN_FLIGHT && queue.pending.length) {
      const key = keyOf(queue.pending[0].job);
      const batch: Entry[] = [];
      queue.pending = queue.pending.filter((e) => (batch.length < MAX_BATCH && keyOf(e.job) === key ? (batch.push(e), false) : true));
      queue.inFlight += 1;
      void runBatch(db, batch).finally(() => {
        queue.inFlight -= 1;
        pump(db, queue);
      });
    }
  });
}

function settle(entry: Entry, outcome: { value: unknown } | { error: unknown }): void {
  if (entry.settled) return;
  entry.settled = true;
  if ('error' in outcome) entry.reject(outcome.error);
  else entry.resolve(outcome.value);
}

/** An error the database answered with (SQLSTATE): the transaction did not commit. */
const answeredByDatabase = (err: unknown) => /^[0-9A-Z]{5}$/.test(String((err as { code?: unknown } | null)?.code ?? ''));

/**
 * Everything of a batch but the commit, on `db`: a transaction, or the database itself when the
 * batch needs no lock before numbering (then the numbering statement commits on its own, and no
 * round trip to the application happens while the counter and the log head are locked).
 */
async function numberTogether(db: Knex, entries: Entry[], progress: { committing: boolean }) {
  const blobs = [...blobsOf(entries)];
  const { jids, files, loaded } = await prepareBatch(db, entries, blobs.filter(([, c]) => c.length >= EARLY_BLOB_BYTES));
  const memo = new Map<string, unknown>();
  const planned: { entry: Entry; plan: PlannedRegistration<unknown> }[] = [];
  for (const [k, entry] of entries.entries()) {
    try {
      planned.push({ entry, plan: await entry.job.plan({ trx: db, files, jid: formatJid(entry.job.office, jids[k]), memo, loaded }) });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      settle(entry, { error: err });
    }
  }
  const small = blobs.filter(([, c]) => c.length < EARLY_BLOB_BYTES);
  const requests = planned.map(({ entry: { job }, plan }) => ({ office: job.office, year: job.year, mask: job.mask, newNumber: plan.newNumber, build: plan.build }));
  progress.committing = !(db as Knex.Transaction).isTransaction;
  const numbered = await numberAndLogAll(db, requests, small.map(([sha256, content]) => ({ sha256, content })));
  progress.committing = true;
  return planned.map(({ entry, plan }, k) => ({ entry, value: plan.result(numbered[k]) }));
}

async function runBatch(db: Knex, entries: Entry[], replans = 0): Promise<void> {
  const progress = { committing: false };
  try {
    const needsTransaction = (db as Knex.Transaction).isTransaction
      || entries.some((e) => e.job.lockFiles?.length || e.job.blobs?.some((b) => b.content.length >= EARLY_BLOB_BYTES));
    const done = needsTransaction
      ? await db.transaction((trx) => numberTogether(trx, entries, progress))
      : await numberTogether(db, entries, progress);
    for (const { entry, value } of done) settle(entry, { value });
  } catch (err) {
    const open = entries.filter((e) => !e.settled);
    // nothing of the batch committed (the database refused its statement): plan it again
    if (open.length && replans < MAX_REPLANS && open.some((e) => e.job.lookUpRaced?.(err))) {
      await runBatch(db, open, replans + 1);
      return;
    }
    if (open.length > 1 && (!progress.committing || answeredByDatabase(err))) {
      for (const entry of open) await runBatch(db, [entry]);
    } else {
      for (const entry of open) settle(entry, { error: err });
    }
  }
}
