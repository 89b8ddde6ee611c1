import type { Knex } from 'knex';

export interface OutboxRow {
  id: string;
  idempotency_key: string;
  status: 'pending' | 'sent' | 'failed';
}

export async function findOutboxEmail(db: Knex, key: string): Promise<OutboxRow | undefined> {
  return db('outbox_emails').where({ idempotency_key: key }).first();
}

/** Records the message before it is sent; a retried job overwrites its own earlier attempt. */
export async function upsertPendingEmail(db: Knex, row: { key: string; to: string; subject: string; text: string }): Promise<void> {
  await db('outbox_emails')
    .insert({ idempotency_key: row.key, to_address: row.to, subject: row.subject, text_body: row.text, status: 'pending' })
    .onConflict('idempotency_key')
    .merge({ to_address: row.to, subject: row.subject, text_body: row.text, status: 'pending', error: null });
}

export async function markEmailSent(db: Knex, key: string, at: Date): Promise<void> {
  await db('outbox_emails').where({ idempotency_key: key }).update({ status: 'sent', sent_at: at, error: null });
}

export async function markEmailFailed(db: Knex, key: string, error: string): Promise<void> {
  await db('outbox_emails').where({ idempotency_key: key }).update({ status: 'failed', error });
}
