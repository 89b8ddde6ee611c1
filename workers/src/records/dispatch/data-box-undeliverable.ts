import path from 'node:path';
import type { Knex } from 'knex';
import type pino from 'pino';
import type { WorkersConfig } from '../../config';
import type { MailTransport } from '../../notify/mail-transport';
import { splitEmail } from '../../notify/send-email.service';
import { createTranslate, renderTextTemplate, toLocale, type Locale } from '../../shared/templating';

/** Outbox key of the notice about one undeliverable data message of one document: it is queued and sent once. */
export const UNDELIVERABLE_KEY_PREFIX = 'data-box-undeliverable:';

export interface UndeliverableNotifyPorts {
  config: WorkersConfig;
  transport: MailTransport;
}

/**
 * The handler's address and the language they use the back-office in; else the author's; else the
 * office's (OFFICE_EMAIL), in Czech, the office's language.
 */
async function recipient(trx: Knex.Transaction, doc: { handler: string | null; created_by: string }, officeEmail: string): Promise<{ to: string; locale: Locale }> {
  for (const username of [doc.handler, doc.created_by?.startsWith('user:') ? doc.created_by.slice('user:'.length) : null]) {
    if (!username) continue;
    const user = await trx('users').where({ username, active: true }).first('email', 'locale');
    if (user?.email) return { to: user.email, locale: toLocale(user.locale) };
  }
  return { to: officeEmail, locale: 'cs' };
}

/**
 * Queues, in the caller's transaction (the one that records ISDS's state 8), the e-mail that tells the
 * document's handling clerk that ISDS will not deliver its data message (nedoručitelná: the box was
 * made inaccessible). One row of `outbox_emails` per document and message, so it is queued once
 * however often ISDS reports the state; sendUndeliverableNotices sends it after the commit. In the
 * recipient clerk's language (remembered from the back-office; Czech when none or to the office).
 */
export async function queueUndeliverableNotice(
  trx: Knex.Transaction,
  config: WorkersConfig,
  doc: { id: string; jid: string; subject: string; reference_number: string | null; handler: string | null; created_by: string },
  dmId: string,
): Promise<void> {
  const { to, locale } = await recipient(trx, doc, config.officeEmail);
  const t = createTranslate(config.localesDir, locale);
  const rendered = renderTextTemplate(path.join(config.templatesDir, 'email', 'data-box-undeliverable.hbs'), {
    officeName: config.officeName, referenceNumber: doc.reference_number ?? doc.jid, subject: String(doc.subject).replace(/\s+/g, ' ').trim(), dmId,
  }, t);
  const { subject, text } = splitEmail(rendered);
  await trx('outbox_emails').insert({ idempotency_key: `${UNDELIVERABLE_KEY_PREFIX}${doc.id}:${dmId}`, to_address: to, subject, text_body: text, status: 'pending' })
    .onConflict('idempotency_key').ignore();
}

/**
 * Sends the queued notices not yet sent (a failed one again), each marked sent once the transport
 * took it. A crash between the two sends it again (at least once, with the same Message-ID).
 * Addresses stay out of the log.
 */
export async function sendUndeliverableNotices(db: Knex, ports: UndeliverableNotifyPorts & { clock: () => Date }, log: pino.Logger): Promise<number> {
  const rows: { idempotency_key: string; to_address: string; subject: string; text_body: string }[] = await db('outbox_emails')
    .where('idempotency_key', 'like', `${UNDELIVERABLE_KEY_PREFIX}%`).whereIn('status', ['pending', 'failed']).orderBy('id').limit(100);
  let sent = 0;
  for (const row of rows) {
    const stem = row.idempotency_key.replace(/[^A-Za-z0-9_-]+/g, '_');
    try {
      await ports.transport.send({ from: ports.config.mailFrom, to: row.to_address, subject: row.subject, text: row.text_body, messageId: `<${stem}@openspis>`, fileStem: stem });
      await db('outbox_emails').where({ idempotency_key: row.idempotency_key }).update({ status: 'sent', sent_at: ports.clock(), error: null });
      sent += 1;
    } catch (err) {
      const code = (err as { code?: unknown }).code ?? 'unknown';
      await db('outbox_emails').where({ idempotency_key: row.idempotency_key }).update({ status: 'failed', error: `the mail transport did not accept the message (${String(code)})` });
      log.warn({ key: row.idempotency_key, code }, 'undeliverable data-box notice not sent');
    }
  }
  return sent;
}
