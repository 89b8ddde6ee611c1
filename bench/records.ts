// `npm run bench:records`: registration throughput at 8 clients against PostgreSQL's one-row
// transaction rate at 1 and 8 clients measured in the same run, and journal search p95 over
// 1,000,000 rows. Needs PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
// Works in a throw-away schema that is dropped at the end.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { migrate, PG_SESSION_OPTIONS, verifyAuditLog } from '@openspis/db';
import { readWorkersConfig, registerRecord, searchJournal, storeFilePlan, type Actor, type JournalSearch } from '@openspis/workers';
import { demoFilePlan } from '../workers/src/records/demo/demo-file-plan';

const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const CLIENTS = 8;
const SEARCH_ROWS = Number(process.env.BENCH_SEARCH_ROWS || 1_000_000);
const schema = `bench_${randomBytes(4).toString('hex')}`;
/** names the bench's own connections, so that their server processes can be found */
const APP_NAME = `openspis-bench-${process.pid}`;
/** clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`, 100 on Linux) */
const TICKS = 100;

async function forSeconds(clients: number, seconds: number, work: (client: number) => Promise<void>): Promise<{ rate: number; done: number }> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    while (Date.now() < until) {
      await work(c);
      done += 1;
    }
  }));
  return { rate: done / ((Date.now() - started) / 1000), done };
}

/** user + system CPU of a process in ms, from /proc (null where there is none, e.g. another host or OS) */
function procCpuMs(pid: number): number | null {
  try {
    // the fields after the command name, which may itself hold spaces and brackets
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU spent by the application (this process) and by PostgreSQL during `work`: the server's share is
 * the bench's own backends plus the server's background processes (WAL writer, checkpointer,
 * background writer, autovacuum of this database), read from /proc — so other databases' work on a
 * shared server is not counted. Robust where throughput is not: on a loaded machine the rate falls,
 * the CPU per operation barely moves. `pg` is null where /proc of the server is not readable.
 */
async function cpuOf<T>(db: Knex, work: () => Promise<T>): Promise<{ result: T; appMs: number; pgMs: number | null }> {
  const serverPids = async () => (await db.raw(
    `select pid from pg_stat_activity
     where application_name = ? or backend_type in ('walwriter', 'checkpointer', 'background writer')
        or (backend_type = 'autovacuum worker' and datname = current_database())`,
    [APP_NAME],
  )).rows.map((r: { pid: number }) => Number(r.pid)) as number[];
  const before = new Map((await serverPids()).map((pid) => [pid, procCpuMs(pid)]));
  const app0 = process.cpuUsage();
  const result = await work();
  const app = process.cpuUsage(app0);
  let pgMs: number | null = 0;
  for (const pid of new Set([...before.keys(), ...(await serverPids())])) {
    const now = procCpuMs(pid);
    if (now === null) {
      if (!before.has(pid) || before.get(pid) === null) pgMs = null; // unreadable, not merely ended
      continue;
    }
    if (pgMs !== null) pgMs += now - (before.get(pid) ?? 0);
  }
  return { result, appMs: (app.user + app.system) / 1000, pgMs };
}

const perOp = (cpu: { appMs: number; pgMs: number | null }, ops: number) =>
  `CPU per operation: application ${(cpu.appMs / ops).toFixed(2)} ms, PostgreSQL ${cpu.pgMs === null ? 'n/a' : `${(cpu.pgMs / ops).toFixed(2)} ms`}`;

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

async function main(): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  const db: Knex = knexFactory({ client: 'pg', connection: { connectionString: url, application_name: APP_NAME, options: PG_SESSION_OPTIONS }, searchPath: [schema, 'public'], pool: { min: 0, max: CLIENTS + 2 } });
  try {
    await migrate(db);
    const config = readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-bench' });
    const ports = { db, clock: () => new Date(), config };
    const system: Actor = { username: 'system:bench', roles: ['admin'], orgUnit: null };
    await db.transaction((trx) => storeFilePlan(trx, system, demoFilePlan(new Date().getFullYear()), { at: new Date() }));

    // 1. PostgreSQL's own ceiling: one-row insert transactions
    await db.raw('create table bench_one_row (id bigserial primary key, v int not null)');
    const oneRow = () => db.transaction((trx) => trx('bench_one_row').insert({ v: 1 })).then(() => undefined);
    const pgSerial = (await forSeconds(1, SECONDS, oneRow)).rate;
    const oneRow8 = await cpuOf(db, () => forSeconds(CLIENTS, SECONDS, oneRow));
    const pg8 = oneRow8.result.rate;
    console.log(`postgresql one-row transactions: ${pgSerial.toFixed(0)}/s at 1 client, ${pg8.toFixed(0)}/s at ${CLIENTS} clients (at ${CLIENTS}: ${perOp(oneRow8, oneRow8.result.done)})`);

    // 2. registrations: document, file, journal, components and log rows per transaction
    const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
    const classes = ['1.5', '6.3', '7.4', '5.2'];
    const content = Buffer.from('%PDF-1.7 bench\n');
    let n = 0;
    const registering = await cpuOf(db, () => forSeconds(CLIENTS, SECONDS, async () => {
      const i = n++;
      await registerRecord(ports, podatelna, {
        direction: 'incoming', subject: `Podání ${i}`, channel: 'portal', classCode: classes[i % classes.length], orgUnit: 'OSU',
        sender: { kind: 'person', givenName: 'Jana', familyName: `Nováková ${i % 500}`, email: `jana${i % 500}@example.cz` },
        components: [{ fileName: 'podani.pdf', mediaType: 'application/pdf', content }],
      });
    }));
    const regs = registering.result.rate;
    const seqs: number[] = (await db('journal').orderBy('seq').pluck('seq')).map(Number);
    const gapFree = seqs.every((s, i) => s === i + 1);
    const chain = await verifyAuditLog(db);
    console.log(`registrations: ${regs.toFixed(0)}/s at ${CLIENTS} clients (${seqs.length} registered, numbers ${gapFree ? 'gap-free' : 'WITH GAPS'}, log chain of ${chain.checked} rows ${chain.ok ? 'verified' : `BROKEN at ${chain.firstBroken?.id}`})`);
    console.log(`registrations: ${perOp(registering, registering.result.done)}`);
    if (!gapFree || !chain.ok) process.exitCode = 1;

    // 3. search over 1,000,000 journal rows
    const started = Date.now();
    // synthetic rows all point at one real document, so that constraint has to go in this throw-away schema
    await db.raw('alter table journal drop constraint journal_document_id_unique');
    await db.raw(
      `insert into journal (office, year, seq, order_in_file, reference_number, file_reference, jid, document_id, file_id, direction, received_at, channel, subject, subject_norm, sender, sender_norm, class_code, state, org_unit)
       select 'BENCH', 2020 + (g % 6), g, 1, 'BENCH/' || g || '/' || (2020 + (g % 6)), 'BENCH/' || g, 'BENCH' || lpad(g::text, 10, '0'),
              d.id, d.file_id, 'incoming', now() - (g % 2000) * interval '1 hour', 'portal',
              'Žádost ' || (array['o informace','o stavební povolení','o kácení dřevin','o zábor prostranství','o rybářský lístek','stížnost na hluk'])[1 + g % 6] || ' č. ' || g,
              'zadost ' || (array['o informace','o stavebni povoleni','o kaceni drevin','o zabor prostranstvi','o rybarsky listek','stiznost na hluk'])[1 + g % 6] || ' c. ' || g,
              'Odesílatel ' || (g % 50000), 'odesilatel ' || (g % 50000), (array['1.5','6.3','7.4','5.2'])[1 + g % 4], (array['registered','settled'])[1 + g % 2], 'OSU'
       from generate_series(1, ?) g cross join (select id, file_id from documents limit 1) d`,
      [SEARCH_ROWS],
    );
    await db.raw('analyze journal');
    console.log(`search data: ${SEARCH_ROWS} journal rows loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
    const queries: JournalSearch[] = [];
    for (let i = 0; i < 200; i++) {
      const g = 1 + Math.floor(Math.random() * SEARCH_ROWS);
      queries.push(
        [
          { referenceNumber: `BENCH/${g}/` },
          { jid: `BENCH${String(g).padStart(10, '0')}` },
          { subject: `c. ${g}` },
          { sender: `Odesílatel ${g % 50000}`, from: '2025-01-01' },
          { subject: 'kácení', classCode: '6.3', state: 'settled' as const },
          { from: '2026-06-01', to: '2026-06-30', classCode: '1.5' },
        ][i % 6],
      );
    }
    const times: number[] = [];
    for (const q of queries) {
      const t0 = performance.now();
      await searchJournal(db, referent, q, { page: 1, pageSize: 25 });
      times.push(performance.now() - t0);
    }
    const searchP95 = p95(times);
    console.log(`search: ${queries.length} queries (reference prefix, JID, subject and sender substrings, dates, class, state), p95 ${searchP95.toFixed(1)} ms`);
    console.log(`records: ${regs.toFixed(0)} registrations/s, ratio-to-pg-serial ${(regs / pgSerial).toFixed(2)}, search p95 ${searchP95.toFixed(1)} ms`);
  } finally {
    await db.destroy();
    await admin.raw(`drop schema ${schema} cascade`);
    await admin.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
