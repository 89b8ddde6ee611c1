import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { WorkersConfig } from '../config';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** the same on every attempt, so a receiving server or client can drop a duplicate */
  messageId: string;
  /** outbox file name stem (no extension) */
  fileStem: string;
  /** files sent with the message (the sealed confirmation of receipt) */
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<{ via: 'smtp' | 'file'; location: string }>;
}

/**
 * With `SMTP_URL` messages go to the SMTP server; without it they are written as `.eml` files to
 * `<OPENSPIS_DATA_DIR>/outbox/`, which a person (or a later relay) can pick up.
 */
export function createMailTransport(config: Pick<WorkersConfig, 'smtpUrl' | 'outboxDir'>): MailTransport {
  if (config.smtpUrl) {
    const smtp = nodemailer.createTransport(config.smtpUrl);
    return {
      async send(mail) {
        const info = await smtp.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId, attachments: mail.attachments });
        return { via: 'smtp', location: String(info.messageId) };
      },
    };
  }
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(mail) {
      const info = await stream.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId, attachments: mail.attachments });
      await fs.mkdir(config.outboxDir, { recursive: true });
      const file = path.join(config.outboxDir, `${mail.fileStem}.eml`);
      // write to a temporary name and rename, so a reader never sees half a message
      await fs.writeFile(`${file}.tmp`, info.message as Buffer);
      await fs.rename(`${file}.tmp`, file);
      return { via: 'file', location: file };
    },
  };
}
