import fs from 'node:fs';
import path from 'node:path';
import { loadAppSecret, mintTrackingToken } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import type { WorkerPorts } from '../shared/ports';
import { createTranslate, formatDate, renderTextTemplate, toLocale, type Locale } from '../shared/templating';
import { computeDeadline } from '../registry/deadline.service';
import { answerDaysFor } from '../shared/service-catalogue';
import { findReceiptConfirmation, getSubmission } from '../registry/registry.repository';
import type { MailTransport } from './mail-transport';
import { findOutboxEmail, markEmailFailed, markEmailSent, upsertPendingEmail } from './outbox.repository';

export const EMAIL_TEMPLATES = ['receipt-confirmation', 'answer-ready', 'answer-reminder'] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];
export const RECIPIENTS = ['applicant', 'handlers'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

export type SendEmailResult = { status: 'sent'; via: 'smtp' | 'file' } | { status: 'already-sent' } | { status: 'no-address' };

/** `templates/email/<name>.<locale>.hbs` when a translated file exists, else `<name>.hbs` with i18n strings. */
function templateFile(dir: string, name: string, locale: Locale): string {
  const localised = path.join(dir, 'email', `${name}.${locale}.hbs`);
  if (fs.existsSync(localised)) return localised;
  const generic = path.join(dir, 'email', `${name}.hbs`);
  if (!fs.existsSync(generic)) throw new DomainError('TEMPLATE_NOT_FOUND', `e-mail template ${name}.hbs does not exist`);
  return generic;
}

/** Splits a rendered e-mail template: the first line is the subject, a `---` line, then the body. */
export function splitEmail(rendered: string): { subject: string; text: string } {
  const lines = rendered.replace(/^\s+/, '').split(/\r?\n/);
  const sep = lines.findIndex((l) => l.trim() === '---');
  if (sep < 1) throw new DomainError('TEMPLATE_INVALID', 'an e-mail template must start with the subject line and a --- line');
  const subject = lines.slice(0, sep).join(' ').trim();
  const text = lines.slice(sep + 1).join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
  return { subject, text };
}

/**
 * Sends one notification about a submission, at most once per idempotency key (the job's process
 * and element instance): the message is recorded in `outbox_emails` first and marked sent after
 * the transport accepted it. A crash between the two sends it again (at least once).
 */
export async function sendEmail(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'> & { transport: MailTransport },
  input: { idempotencyKey: string; template: EmailTemplate; recipient: Recipient; submissionId: string; answerDueDate?: string | null },
): Promise<SendEmailResult> {
  const { db, clock, config, transport } = ports;
  const existing = await findOutboxEmail(db, input.idempotencyKey);
  if (existing?.status === 'sent') return { status: 'already-sent' };

  const submission = await getSubmission(db, input.submissionId);
  if (!submission) throw new DomainError('SUBMISSION_NOT_FOUND', `submission ${input.submissionId} does not exist`);
  const to = input.recipient === 'handlers' ? config.officeEmail : submission.applicant_email;
  if (!to) return { status: 'no-address' };
  // the office works in Czech; the applicant gets the language they submitted in
  const locale = input.recipient === 'handlers' ? 'cs' : toLocale(submission.locale);

  const secret = await loadAppSecret(db);
  const token = mintTrackingToken(secret, submission.id, new Date(submission.tracking_expires_at));
  const dueDate = input.answerDueDate ?? computeDeadline(new Date(submission.created_at), answerDaysFor(config.processesDir, submission.service_code));
  const trackingUrl = `${config.portalUrl}/sledovani/${token}`;
  // the confirmation of receipt issued with the registration: its content in the e-mail, and a link to
  // its sealed PDF on the tracking page once made (the procedure seals it before this e-mail)
  const receipt = input.template === 'receipt-confirmation' && submission.document_id ? await findReceiptConfirmation(db, submission.document_id) : undefined;
  const context = {
    officeName: config.officeName,
    receipt: receipt && {
      jid: receipt.jid,
      receivedAt: formatDate(submission.created_at, locale, 'seconds'),
      components: receipt.components.join(', '),
      url: receipt.sealed_component_id ? `${trackingUrl}/potvrzeni-o-prijeti` : null,
    },
    referenceNumber: submission.reference_number ?? '—',
    subject: String(submission.form_data.subject ?? '').replace(/\s+/g, ' ').trim(),
    receivedAt: formatDate(submission.created_at, locale, true),
    trackingUrl,
    trackingValidUntil: formatDate(submission.tracking_expires_at, locale),
    answerDueDate: formatDate(dueDate, locale),
  };
  const t = createTranslate(config.localesDir, locale);
  const { subject, text } = splitEmail(renderTextTemplate(templateFile(config.templatesDir, input.template, locale), context, t));

  await upsertPendingEmail(db, { key: input.idempotencyKey, to, subject, text });
  const stem = input.idempotencyKey.replace(/[^A-Za-z0-9_-]+/g, '_');
  try {
    const { via } = await transport.send({ from: config.mailFrom, to, subject, text, messageId: `<${stem}@openspis>`, fileStem: `${input.template}-${stem}` });
    await markEmailSent(db, input.idempotencyKey, clock());
    return { status: 'sent', via };
  } catch (err) {
    await markEmailFailed(db, input.idempotencyKey, err instanceof Error ? err.message : String(err));
    // the transport's message may quote the address, so only its code reaches logs and incidents
    const code = (err as { code?: unknown; responseCode?: unknown }).code ?? (err as { responseCode?: unknown }).responseCode ?? 'unknown';
    throw new DomainError('EMAIL_NOT_SENT', `the mail transport did not accept the message (${String(code)})`, 'transient', { cause: err });
  }
}
