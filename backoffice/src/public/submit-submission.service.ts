import { randomUUID } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Knex } from 'knex';
import type pino from 'pino';
import type { EnginePort } from '../engine-port';
import { AppError, type FieldErrors } from '../app-error';
import type { Catalogue } from '../catalogue';
import { fileComponents, validateFormData } from '../forms/form-validator';
import type { Language } from '../i18n';
import { deleteSubmission, findSubmissionByIdempotencyKey, getSubmission, insertSubmission, setProcessInstanceKey, type NewAttachment, type SubmissionRow } from './submission.repository';

/** What the office accepts, decided by the bytes (never by the name the browser sent). */
export const ALLOWED_MEDIA_TYPES = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.oasis.opendocument.text',
]);

/** `Idempotency-Key` header: the portal sends a random UUID per form; other clients anything of this shape. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,100}$/;

/** How long a citizen can follow a submission by its link. */
export const TRACKING_VALID_DAYS = 365;

export interface UploadedFile {
  fieldname: string;
  originalname: string;
  size: number;
  buffer: Buffer;
}

export interface SubmitDeps {
  db: Knex;
  engine: EnginePort;
  catalogue: Catalogue;
  clock: () => Date;
  log: pino.Logger;
  uploadMaxBytes: number;
  /** how long to wait for the reference number after starting the instance */
  registrationWaitMs: number;
  mintToken: (submissionId: string, expiresAt: Date) => Promise<string>;
}

export interface SubmitResult {
  submissionId: string;
  trackingToken: string;
  referenceNumber: string | null;
  status: string;
  /** true when the idempotency key matched a submission received before: nothing new was stored */
  replayed: boolean;
}

/**
 * Starts the procedure of a stored submission with the contract variables and records the instance
 * on the row. Used right after the submission is stored, and by the start-up sweep for a submission
 * whose process died between the two steps.
 */
export async function startSubmissionInstance(
  deps: Pick<SubmitDeps, 'db' | 'engine'>,
  s: { submissionId: string; bpmnProcessId: string; serviceCode: string; locale: string; formData: Record<string, unknown> },
): Promise<string> {
  const str = (k: string) => (typeof s.formData[k] === 'string' ? (s.formData[k] as string) : '');
  const instance = await deps.engine.createProcessInstance({
    bpmnProcessId: s.bpmnProcessId,
    variables: {
      submissionId: s.submissionId,
      serviceCode: s.serviceCode,
      subject: str('subject'),
      applicantName: str('applicantName'),
      applicantEmail: str('applicantEmail'),
      locale: s.locale,
    },
  });
  await setProcessInstanceKey(deps.db, s.submissionId, instance.processInstanceKey);
  return instance.processInstanceKey;
}

export async function submitSubmission(
  deps: SubmitDeps,
  input: { serviceCode: string; locale: Language; fields: Record<string, unknown>; files: UploadedFile[]; idempotencyKey?: string | null },
): Promise<SubmitResult> {
  const service = deps.catalogue.service(input.serviceCode);
  if (!service) throw new AppError('SERVICE_NOT_FOUND');
  const idempotencyKey = input.idempotencyKey ?? null;
  if (idempotencyKey !== null) {
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) throw new AppError('IDEMPOTENCY_KEY_INVALID');
    // the same form sent again (a retry after a timeout, a second click): answer with what we have
    const earlier = await findSubmissionByIdempotencyKey(deps.db, idempotencyKey);
    if (earlier) return replay(deps, service.code, earlier);
  }
  const form = deps.catalogue.form(service.submissionFormId);
  if (!form) throw new Error(`form ${service.submissionFormId} of service ${service.code} is missing`);

  const attachments = await checkAttachments(deps, fileComponents(form).map((c) => c.key as string), input.files);
  const { data, errors } = validateFormData(form, input.fields, new Set(attachments.map((a) => a.fieldKey)));
  if (Object.keys(errors).length) throw new AppError('VALIDATION_FAILED', 'form data invalid', errors);

  const now = deps.clock();
  const submissionId = randomUUID();
  const trackingExpiresAt = new Date(now.getTime() + TRACKING_VALID_DAYS * 86_400_000);
  const str = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : null);
  try {
    await deps.db.transaction((trx) =>
      insertSubmission(
        trx,
        {
          id: submissionId,
          serviceCode: service.code,
          locale: input.locale,
          formData: data,
          applicantName: str('applicantName'),
          applicantEmail: str('applicantEmail'),
          trackingExpiresAt,
          at: now,
          idempotencyKey,
        },
        attachments,
      ),
    );
  } catch (err) {
    // the same key arrived twice at once and the other request stored it first
    const earlier = idempotencyKey !== null && isUniqueViolation(err) ? await findSubmissionByIdempotencyKey(deps.db, idempotencyKey) : undefined;
    if (earlier) return replay(deps, service.code, earlier);
    throw err;
  }

  try {
    await startSubmissionInstance(deps, { submissionId, bpmnProcessId: service.bpmnProcessId, serviceCode: service.code, locale: input.locale, formData: data });
  } catch (cause) {
    // without an instance nobody would ever handle the submission: take it back and let the citizen retry
    await deleteSubmission(deps.db, submissionId);
    throw new AppError('ENGINE_UNAVAILABLE', 'could not start the process instance', undefined, { cause });
  }
  deps.log.info({ submissionId, serviceCode: service.code, attachments: attachments.length }, 'submission received');

  const row = await waitForRegistration(deps, submissionId);
  return {
    submissionId,
    trackingToken: await deps.mintToken(submissionId, trackingExpiresAt),
    referenceNumber: row?.reference_number ?? null,
    status: row?.status ?? 'received',
    replayed: false,
  };
}

async function replay(deps: SubmitDeps, serviceCode: string, row: SubmissionRow): Promise<SubmitResult> {
  // a key is one form of one service; reusing it for another service is a client error
  if (row.service_code !== serviceCode) throw new AppError('IDEMPOTENCY_KEY_INVALID');
  deps.log.info({ submissionId: row.id }, 'submission received again with the same idempotency key');
  return {
    submissionId: row.id,
    trackingToken: await deps.mintToken(row.id, new Date(row.tracking_expires_at)),
    referenceNumber: row.reference_number,
    status: row.status,
    replayed: true,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

async function checkAttachments(deps: SubmitDeps, fileKeys: string[], files: UploadedFile[]): Promise<NewAttachment[]> {
  const out: NewAttachment[] = [];
  for (const f of files) {
    if (!fileKeys.includes(f.fieldname)) {
      throw new AppError('VALIDATION_FAILED', `unexpected file field ${f.fieldname}`, { [f.fieldname]: { key: 'field.invalid' } });
    }
    if (f.size === 0) continue; // an empty file input in a browser form
    const fields: FieldErrors = {};
    if (f.size > deps.uploadMaxBytes) {
      fields[f.fieldname] = { key: 'field.attachmentTooLarge', values: { max: formatBytes(deps.uploadMaxBytes) } };
      throw new AppError('ATTACHMENT_TOO_LARGE', 'attachment too large', fields);
    }
    const detected = await fileTypeFromBuffer(f.buffer);
    if (!detected || !ALLOWED_MEDIA_TYPES.has(detected.mime)) {
      fields[f.fieldname] = { key: 'field.attachmentTypeNotAllowed' };
      throw new AppError('ATTACHMENT_TYPE_NOT_ALLOWED', `attachment type ${detected?.mime ?? 'unknown'} not allowed`, fields);
    }
    out.push({ fieldKey: f.fieldname, fileName: safeFileName(f.originalname, detected.ext), mediaType: detected.mime, content: f.buffer });
  }
  return out;
}

/** keeps the citizen's name for the file but makes sure the extension matches the content */
function safeFileName(name: string, ext: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const printable = last.replace(/[\u0000-\u001f"]/g, '');
  const base = printable.replace(/\.[^.]*$/, '').slice(0, 150) || 'priloha';
  return `${base}.${ext}`;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : `${Math.ceil(n / 1024)} kB`;
}

async function waitForRegistration(deps: SubmitDeps, id: string) {
  const until = Date.now() + deps.registrationWaitMs;
  for (;;) {
    const row = await getSubmission(deps.db, id);
    if (!row || row.reference_number || Date.now() >= until) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
}
