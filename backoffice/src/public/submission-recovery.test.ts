import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createEmbeddedEngine, deployProcessDirectory, type EmbeddedEngine } from '@openspis/engine';
import { loadCatalogue } from '../catalogue';
import { PROCESSES_DIR } from '../paths';
import { insertSubmission } from './submission.repository';
import { ORPHAN_GRACE_MS, startOrphanSubmissions } from './submission-recovery';

describe('start-up sweep of submissions left without a process instance', () => {
  let db: Db;
  let close: () => Promise<void>;
  let engine: EmbeddedEngine;
  let now = new Date('2026-12-01T08:00:00Z');
  const clock = () => now;
  const catalogue = loadCatalogue(path.resolve(PROCESSES_DIR));
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    engine = createEmbeddedEngine({ db, clock });
    await deployProcessDirectory(engine, PROCESSES_DIR);
  });
  afterAll(async () => {
    await engine.stop();
    await close();
  });

  async function store(id: string, at: Date) {
    await db.transaction((trx) =>
      insertSubmission(
        trx,
        {
          id,
          serviceCode: 'general-submission',
          locale: 'en',
          formData: { applicantName: 'Jana Nováková', applicantEmail: 'jana@example.cz', subject: 'Oprava chodníku', message: 'Prosím o opravu.' },
          applicantName: 'Jana Nováková',
          applicantEmail: 'jana@example.cz',
          trackingExpiresAt: new Date(at.getTime() + 365 * 86_400_000),
          at,
          idempotencyKey: null,
        },
        [],
      ),
    );
  }

  it('starts the procedure of an old orphan once, with the contract variables, and leaves a fresh one to its request', async () => {
    // given a submission stored 10 minutes ago whose process died before starting the instance,
    // and one stored a moment ago whose request may still be starting it
    const orphan = '00000000-0000-4000-8000-0000000000a1';
    const fresh = '00000000-0000-4000-8000-0000000000a2';
    await store(orphan, new Date(now.getTime() - 10 * 60_000));
    await store(fresh, new Date(now.getTime() - 1000));

    // when the sweep runs
    const first = await startOrphanSubmissions({ db, engine, catalogue, clock, log });

    // then the orphan got an instance of its procedure, started with the submission's variables
    expect(first).toEqual({ started: [orphan], failed: [] });
    const row = await db('submissions').where({ id: orphan }).first();
    expect(row.process_instance_key).toBeTruthy();
    const job = (await engine.activateJobs({ type: 'registry.register-document', worker: 'test', maxJobsToActivate: 5, timeout: 10_000 }))[0];
    expect(job.processInstanceKey).toBe(row.process_instance_key);
    expect(job.variables).toMatchObject({ submissionId: orphan, serviceCode: 'general-submission', subject: 'Oprava chodníku', applicantEmail: 'jana@example.cz', locale: 'en' });
    expect((await db('submissions').where({ id: fresh }).first()).process_instance_key).toBeNull();

    // and a second sweep, even after the grace period, starts nothing more for it
    now = new Date(now.getTime() + ORPHAN_GRACE_MS + 1000);
    const second = await startOrphanSubmissions({ db, engine, catalogue, clock, log });
    expect(second.started).toEqual([fresh]);
    const instances = await db('submissions').whereIn('id', [orphan, fresh]).pluck('process_instance_key');
    expect(new Set(instances).size).toBe(2);
  });

  it('keeps a submission whose service left the catalogue and reports it', async () => {
    const id = '00000000-0000-4000-8000-0000000000a3';
    await store(id, new Date(now.getTime() - 10 * 60_000));
    await db('submissions').where({ id }).update({ service_code: 'withdrawn-service' });
    const result = await startOrphanSubmissions({ db, engine, catalogue, clock, log });
    expect(result).toEqual({ started: [], failed: [id] });
    expect(await db('submissions').where({ id }).first()).toMatchObject({ process_instance_key: null });
  });
});
