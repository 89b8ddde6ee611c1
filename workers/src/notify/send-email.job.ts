import type { JobHandler } from '../shared/engine-port';
import { defineJob, optionalString, requireHeader, requireUuid } from '../shared/job-edge';
import type { WorkerPorts } from '../shared/ports';
import { createMailTransport, type MailTransport } from './mail-transport';
import { EMAIL_TEMPLATES, RECIPIENTS, sendEmail } from './send-email.service';

/**
 * `notify.send-email`: headers `template`, `recipient`; in `submissionId` (and `answerDueDate` for
 * the reminder). Idempotent per `<processInstanceKey>:<elementInstanceKey>`. Completes with no variables.
 */
export function sendEmailJob(ports: WorkerPorts, transport: MailTransport = createMailTransport(ports.config)): JobHandler {
  return defineJob('notify.send-email', ports.log, async (job, log) => {
    const template = requireHeader(job, 'template', EMAIL_TEMPLATES);
    const recipient = requireHeader(job, 'recipient', RECIPIENTS);
    const submissionId = requireUuid(job.variables, 'submissionId');
    const result = await sendEmail(
      { ...ports, transport },
      { idempotencyKey: `${job.processInstanceKey}:${job.elementInstanceKey}`, template, recipient, submissionId, answerDueDate: optionalString(job.variables, 'answerDueDate') },
    );
    // addresses and names are personal data: log only what was sent, never to whom
    log.info({ submissionId, template, recipient, ...result }, 'e-mail notification');
    return {};
  });
}
