import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pino from 'pino';
import type { ActivatedJob, JobOutcome } from '../shared/engine-port';
import { readWorkersConfig, type WorkersConfig } from '../config';

export const silentLog = pino({ level: 'silent' });

export function testConfig(overrides: NodeJS.ProcessEnv = {}): WorkersConfig {
  return readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-workers-test', ...overrides });
}

/**
 * What registering a general submission stands on, as an office has it before its first
 * submission: the handling unit KT and a file plan (valid from 2000) with class 1.5 (S/5), the
 * `filing` of `processes/general-submission/catalogue.json`. Does nothing when the plan is there.
 */
export async function seedSubmissionFiling(db: Knex): Promise<void> {
  await db('org_units').insert({ code: 'KT', name: 'Kancelář tajemníka' }).onConflict('code').ignore();
  if (await db('file_plans').where({ identifier: 'TEST-PODANI' }).first()) return;
  const planId = randomUUID();
  const groupId = randomUUID();
  await db('file_plans').insert({ id: planId, identifier: 'TEST-PODANI', title: 'Spisový plán pro testy podání', issuer: 'Magistrát města Karlovy Vary', valid_from: '2000-01-01' });
  await db('file_classes').insert({ id: groupId, plan_id: planId, parent_id: null, simple_code: '1', class_code: '1', title: 'Řízení a správa', valid_from: '2000-01-01' });
  await db('file_classes').insert({
    id: randomUUID(), plan_id: planId, parent_id: groupId, simple_code: '5', class_code: '1.5', title: 'Obecná podání a korespondence', valid_from: '2000-01-01',
    retention_id: 'S/5', disposal_code: 'S', retention_years: 5, trigger_event: 'uzavření spisu', retention_reason: 'spisový plán',
  });
}

/**
 * A received submission as the public API stores it, optionally with one attachment; unless
 * `filing: false`, first `seedSubmissionFiling` so that it can be registered.
 */
export async function insertSubmission(
  db: Knex,
  opts: { subject?: string; locale?: string; attachment?: { name: string; type: string; content: Buffer }; createdAt?: Date; serviceCode?: string; filing?: false; formData?: Record<string, unknown> } = {},
): Promise<string> {
  const id = randomUUID();
  const createdAt = opts.createdAt ?? new Date('2026-11-30T09:15:00Z');
  if (opts.filing !== false) await seedSubmissionFiling(db);
  await db.transaction(async (trx) => {
    await trx('submissions').insert({
      id,
      service_code: opts.serviceCode ?? 'general-submission',
      locale: opts.locale ?? 'cs',
      status: 'received',
      form_data: JSON.stringify({ applicantName: 'Jana Nováková', applicantEmail: 'jana@example.cz', subject: opts.subject ?? 'Žádost o opravu chodníku', message: 'Prosím o opravu rozbitého chodníku v ulici Příčná.', ...opts.formData }),
      applicant_name: 'Jana Nováková',
      applicant_email: 'jana@example.cz',
      tracking_expires_at: new Date(createdAt.getTime() + 400 * 86_400_000),
      process_instance_key: '2251799813685249',
      created_at: createdAt,
      updated_at: createdAt,
    });
    await trx('submission_events').insert({ submission_id: id, status: 'received', created_at: createdAt });
    if (opts.attachment) {
      const sha256 = createHash('sha256').update(opts.attachment.content).digest('hex');
      await trx('blobs').insert({ sha256, size: opts.attachment.content.length, content: opts.attachment.content }).onConflict('sha256').ignore();
      await trx('submission_attachments').insert({
        id: randomUUID(),
        submission_id: id,
        field_key: 'attachment',
        blob_sha256: sha256,
        file_name: opts.attachment.name,
        media_type: opts.attachment.type,
        size: opts.attachment.content.length,
        created_at: createdAt,
      });
    }
  });
  return id;
}

let elementCounter = 1000;

/** An activated job as an engine adapter would deliver it. Reuse the result to simulate re-delivery. */
export function makeJob(type: string, variables: Record<string, unknown>, customHeaders: Record<string, string> = {}): ActivatedJob {
  elementCounter += 1;
  return {
    jobKey: String(elementCounter * 7),
    type,
    processInstanceKey: '2251799813685249',
    processDefinitionKey: '2251799813685001',
    bpmnProcessId: 'general-submission',
    elementId: type,
    elementInstanceKey: String(elementCounter),
    retries: 5,
    deadline: new Date(Date.now() + 30_000).toISOString(),
    customHeaders,
    variables,
  };
}

export const jobCtx = { log: { info() {}, warn() {}, error() {} } };

export async function countRows(db: Knex, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await db(t).count({ n: '*' }).first())?.n ?? 0);
  return out;
}

/** The variables of a completed job; throws with the failure otherwise. */
export function completed<T = Record<string, string>>(outcome: JobOutcome): T {
  if (outcome.outcome !== 'complete') throw new Error(`job did not complete: ${JSON.stringify(outcome)}`);
  return (outcome.variables ?? {}) as T;
}
