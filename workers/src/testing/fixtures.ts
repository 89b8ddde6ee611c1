import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pino from 'pino';
import type { ActivatedJob, JobOutcome } from '../shared/engine-port';
import { readWorkersConfig, type WorkersConfig } from '../config';

export const silentLog = pino({ level: 'silent' });

export function testConfig(overrides: NodeJS.ProcessEnv = {}): WorkersConfig {
  return readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-workers-test', ...overrides });
}

/** A received submission as the public API stores it, optionally with one attachment. */
export async function insertSubmission(
  db: Knex,
  opts: { subject?: string; locale?: string; attachment?: { name: string; type: string; content: Buffer }; createdAt?: Date } = {},
): Promise<string> {
  const id = randomUUID();
  const createdAt = opts.createdAt ?? new Date('2026-11-30T09:15:00Z');
  await db.transaction(async (trx) => {
    await trx('submissions').insert({
      id,
      service_code: 'general-submission',
      locale: opts.locale ?? 'cs',
      status: 'received',
      form_data: JSON.stringify({ applicantName: 'Jana Nováková', applicantEmail: 'jana@example.cz', subject: opts.subject ?? 'Žádost o opravu chodníku', message: 'Prosím o opravu rozbitého chodníku v ulici Příčná.' }),
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
