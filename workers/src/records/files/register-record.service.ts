import { createHash, randomUUID } from 'node:crypto';
import type { AuditEntry } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import { pragueYear } from '../../registry/reference-number.service';
import { submitRegistration, type BatchContext } from '../../registry/registration-batch';
import type { RegistrationWrite } from '../../registry/registration-commit';
import { classesByCodeSql } from '../file-plan/file-plan.repository';
import { isPartyIdentityConflict, newParty, partyIdentity, pickSameParty, samePartiesSql, type PartyInput } from '../parties/parties.service';
import { auditActor, ELECTRONIC_CHANNELS, type Actor, type CaseFileRow, type Channel, type FileClassRow, type PartyRow } from '../records.model';
import { pragueDay, type RecordsPorts } from '../records.ports';
import { normalizeSearchText } from '../search-text';
import { assertFileAccess, assertRole, canAccessFile, hasRole } from './file-access';
import { receiptConfirmationWrite } from './receipt-confirmation';
import { checkDocumentTarget } from './volume-file.service';

export interface RegisterRecordInput {
  direction: 'incoming' | 'outgoing' | 'internal';
  subject: string;
  channel: Channel;
  form?: 'electronic' | 'analog';
  sender?: PartyInput | null;
  addressee?: PartyInput | null;
  senderReference?: string | null;
  senderReferenceDate?: string | null;
  attachmentsCount?: number;
  attachmentsKind?: string | null;
  /** `format`: the format detected by content (intake's detectFormat), when the caller has detected it */
  components?: { fileName: string; mediaType: string; content: Buffer; format?: string | null }[];
  /** put the document into this open file; otherwise a new file is opened in `classCode` */
  fileId?: string | null;
  classCode?: string | null;
  orgUnit?: string | null;
  handler?: string | null;
  /** time of receipt (incoming) or creation; defaults to now */
  receivedAt?: Date;
}

export interface RegisterRecordResult {
  documentId: string;
  jid: string;
  referenceNumber: string;
  fileId: string;
  fileReference: string;
  year: number;
  seq: number;
  orderInFile: number;
  receiptConfirmationId: string | null;
}

/** The row of a new file opened by its first document, which gives it its number; its retention is its class's. */
export function newFileRow(
  actor: Actor,
  input: Pick<RegisterRecordInput, 'subject' | 'orgUnit' | 'handler'>,
  fileClass: FileClassRow | undefined,
  numbering: { id: string; office: string; year: number; seq: number | string; referenceNumber: string; initiatingDocumentId: string },
  at: Date,
) {
  return {
    id: numbering.id,
    file_reference: numbering.referenceNumber,
    subject: input.subject,
    subject_norm: normalizeSearchText(input.subject),
    state: 'open',
    kind: 'file',
    class_id: fileClass?.id ?? null,
    class_code: fileClass?.class_code ?? null,
    numbering_method: fileClass?.numbering_method ?? 'collection-sheet',
    office: numbering.office,
    year: numbering.year,
    seq: numbering.seq,
    last_order: 1,
    initiating_document_id: numbering.initiatingDocumentId,
    org_unit: input.orgUnit ?? actor.orgUnit,
    owner: input.handler ?? null,
    disposal_code: fileClass?.disposal_code ?? null,
    retention_years: fileClass?.retention_years ?? null,
    trigger_event: fileClass?.trigger_event ?? null,
    created_by: auditActor(actor),
    created_at: at,
  };
}

/** A new file's class as looked up for the day of receipt: it must exist in the plan valid then and carry a retention (a leaf). */
export function checkFileClass(fileClass: FileClassRow | undefined, classCode: string, day: string): asserts fileClass is FileClassRow {
  if (!fileClass) throw new DomainError('FILE_CLASS_NOT_FOUND', `no class ${classCode} in the file plan valid on ${day}`);
  if (fileClass.disposal_code === null) throw new DomainError('FILE_CLASS_NOT_LEAF', `class ${classCode} groups other classes; choose one of them`);
}

/** The file a further document goes into, as locked: it must exist, be open and not be a typed file. */
function checkTargetFile(file: CaseFileRow | undefined, fileId: string, at: Date): CaseFileRow {
  if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${fileId} does not exist`);
  if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`, 'business');
  checkDocumentTarget(file, at);
  return file;
}

/**
 * The party found when the registration was prepared, else one an earlier registration of the
 * same batch recorded, else a new one (written with the registration).
 */
function partyFor(ctx: BatchContext, actor: Actor, input: PartyInput, found: PartyRow | undefined, at: Date, news: { row: PartyRow; audit: AuditEntry }[]): PartyRow {
  if (found) return found;
  if (input.id) throw new DomainError('PARTY_NOT_FOUND', `no live party ${input.id} in the register`);
  const identity = partyIdentity(input);
  const key = identity && `party:${identity}`;
  const earlier = key ? (ctx.memo.get(key) as PartyRow | undefined) : undefined;
  if (earlier) return earlier;
  const created = newParty(actor, input, at);
  news.push(created);
  if (key) ctx.memo.set(key, created.row);
  return created.row;
}

/**
 * The look-ups of a batch of registrations, in its first statement: the file classes, the known
 * parties and whether the journal year they are numbered in is closed (the batch shares office and year).
 */
function lookUp(db: Knex, jobs: { input?: RegisterRecordInput; office: string; year: number }[]): Record<string, Knex.Raw> {
  const inputs = jobs.map((j) => j.input as RegisterRecordInput);
  const asks = new Map(inputs.filter((i) => !i.fileId && i.classCode).map((i) => {
    const ask = { code: i.classCode as string, day: pragueDay(i.receivedAt as Date) };
    return [`${ask.code}\u0000${ask.day}`, ask];
  }));
  const parties = inputs.flatMap((i) => [i.sender, i.addressee]).filter((p): p is PartyInput => !!p);
  return {
    classes: classesByCodeSql(db, [...asks.values()]),
    parties: samePartiesSql(db, parties),
    yearClosed: db.raw('(select exists (select 1 from journal_year_closures z where z.office = ? and z.year = ?))', [jobs[0].office, jobs[0].year]),
  };
}

/**
 * Registers a document in the registry journal (podací deník) and puts it into a file: party
 * lookup, yearly running number (gap-free), reference number by the file class's numbering method,
 * JID, components, journal row, confirmation of receipt for electronic submissions and the
 * transaction-log rows, all committed in one transaction.
 *
 * - collection sheet (sběrný arch): a new file takes the next running number; every further
 *   document in it gets the file's number with its order, e.g. `MMKV/42/2026-3`;
 * - priorace: every document takes the next running number of the year; the file keeps the
 *   reference of its first document and the order within the file is recorded.
 *
 * The registration joins the others waiting for the database (`submitRegistration`, group
 * commit). Their shared transaction has three statements: the first stores the components' content,
 * locks the target files, takes the JIDs and looks up file classes and known senders for all of
 * them (`lookUp`); then each registration is checked against what was read (a failed check fails it
 * alone); the second takes the numbers, writes the rows and appends the log (`numberAndLogAll`);
 * the third is the commit.
 */
export async function registerRecord(ports: RecordsPorts, actor: Actor, input: RegisterRecordInput): Promise<RegisterRecordResult> {
  assertRole(actor, ['podatelna', 'referent', 'vedouci', 'admin']);
  const subject = input.subject.trim();
  if (!subject) throw new DomainError('SUBJECT_REQUIRED', 'a document needs a subject');
  const { db, clock, config } = ports;
  const now = clock();
  const receivedAt = input.receivedAt ?? now;
  const a = auditActor(actor);
  const components = (input.components ?? []).map((c) => ({ ...c, sha256: createHash('sha256').update(c.content).digest('hex') }));
  const office = config.officeCode;
  const year = pragueYear(now);
  const day = pragueDay(receivedAt);

  return submitRegistration<RegisterRecordResult, RegisterRecordInput>(db, {
    office, year, mask: config.referenceNumberMask,
    input: { ...input, receivedAt },
    lockFiles: input.fileId ? [input.fileId] : [],
    blobs: components.map((c) => ({ sha256: c.sha256, content: c.content })),
    load: lookUp,
    // a new sender another process recorded after the look-up: the next look-up finds it
    lookUpRaced: isPartyIdentityConflict,
    plan: async (ctx) => {
      const { jid } = ctx;
      let existing: CaseFileRow | undefined;
      let fileClass: FileClassRow | undefined;
      if (input.fileId) {
        existing = checkTargetFile(ctx.files.get(input.fileId) as CaseFileRow | undefined, input.fileId, now);
        // the registry office files incoming mail for every unit; others only into files they may see
        if (!hasRole(actor, ['podatelna']) && !canAccessFile(actor, existing)) await assertFileAccess(ctx.trx, actor, existing);
      } else if (input.classCode) {
        fileClass = (ctx.loaded.classes as (FileClassRow & { asked_code: string; asked_day: string })[]).find((c) => c.asked_code === input.classCode && c.asked_day === day);
        checkFileClass(fileClass, input.classCode, day);
      }
      const parties = ctx.loaded.parties as PartyRow[];
      const order = existing ? existing.last_order + 1 : 1;
      // a further document of a collection sheet keeps the file's number; anything else takes the next one
      const keepsFileNumber = !!existing && existing.numbering_method === 'collection-sheet' && existing.seq !== null && existing.year !== null;
      // the journal of a closed year has its final running numbers (a clock behind the closing node's)
      if (!keepsFileNumber && ctx.loaded.yearClosed === true) throw new DomainError('JOURNAL_YEAR_CLOSED', `the registry journal of ${year} is closed`, 'business');
      const newParties: { row: PartyRow; audit: AuditEntry }[] = [];
      const sender = input.sender ? partyFor(ctx, actor, input.sender, pickSameParty(parties, input.sender), now, newParties) : null;
      const addressee = input.addressee ? partyFor(ctx, actor, input.addressee, pickSameParty(parties, input.addressee), now, newParties) : null;
      if (existing) existing.last_order = order; // the next registration into this file in the batch comes after this one

      const documentId = randomUUID();
      const fileId = existing?.id ?? randomUUID();
      const componentRows = components.map((c) => ({ id: randomUUID(), document_id: documentId, blob_sha256: c.sha256, file_name: c.fileName, media_type: c.mediaType, format: c.format ?? null, size: c.content.length, version: 1, created_at: now }));
      const senderText = sender?.display_name ?? (input.direction === 'incoming' ? '(neuvedeno)' : config.officeName);
      const withReceipt = input.direction === 'incoming' && ELECTRONIC_CHANNELS.includes(input.channel) && !!sender;
      const journalYear = keepsFileNumber ? (existing?.year as number) : year;
      let referenceNumber = '';
      let fileReference = '';
      let receiptConfirmationId: string | null = null;

      const build = (next: { seq: string | null; referenceNumber: string | null }) => {
        const writes: RegistrationWrite[] = newParties.map((p) => ({ insert: 'parties', rows: { ...p.row } }));
        const audit: AuditEntry[] = newParties.map((p) => p.audit);
        let seq: number | string;
        let file: Pick<CaseFileRow, 'id' | 'file_reference' | 'org_unit' | 'class_code' | 'disposal_code' | 'retention_years' | 'trigger_event'>;
        if (existing && keepsFileNumber) {
          seq = existing.seq as number;
          referenceNumber = order === 1 ? existing.file_reference : `${existing.file_reference}-${order}`;
        } else {
          seq = next.seq as string;
          referenceNumber = next.referenceNumber as string;
        }
        if (existing) {
          file = existing;
          writes.push({ update: 'files', where: { id: fileId }, set: { last_order: order, ...(order === 1 ? { initiating_document_id: documentId } : {}) } });
        } else {
          const row = newFileRow(actor, { ...input, subject }, fileClass, { id: fileId, office, year, seq, referenceNumber, initiatingDocumentId: documentId }, now);
          file = row;
          writes.push({ insert: 'files', rows: row });
          audit.push({ actor: a, eventType: 'Zalozeni', objectType: 'Spis', objectId: fileId, details: { fileReference: row.file_reference, classCode: row.class_code }, occurredAt: now });
        }
        fileReference = file.file_reference;
        writes.push({ insert: 'documents', rows: {
          id: documentId,
          jid,
          file_id: fileId,
          direction: input.direction,
          subject,
          sender_name: sender?.display_name ?? null,
          sender_email: sender?.email ?? null,
          sender_party_id: sender?.id ?? null,
          addressee_party_id: addressee?.id ?? null,
          sender_reference: input.senderReference ?? null,
          sender_reference_date: input.senderReferenceDate ?? null,
          reference_number: referenceNumber,
          order_in_file: order,
          channel: input.channel,
          form: input.form ?? 'electronic',
          attachments_count: input.attachmentsCount ?? 0,
          attachments_kind: input.attachmentsKind ?? null,
          org_unit: file.org_unit,
          handler: input.handler ?? null,
          state: input.direction === 'outgoing' ? 'created' : 'registered',
          disposal_code: file.disposal_code,
          retention_years: file.retention_years,
          trigger_event: file.trigger_event,
          created_by: a,
          created_at: receivedAt,
        } });
        audit.push({ actor: a, eventType: 'Zalozeni', objectType: 'Dokument', objectId: documentId, details: { jid, referenceNumber, direction: input.direction }, occurredAt: now });
        if (componentRows.length) writes.push({ insert: 'components', rows: componentRows });
        for (const c of componentRows) audit.push({ actor: a, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: String(c.id), details: { documentId }, occurredAt: now });

        writes.push({ insert: 'journal', rows: {
          office,
          year: journalYear,
          seq,
          order_in_file: order,
          reference_number: referenceNumber,
          file_reference: file.file_reference,
          jid,
          document_id: documentId,
          file_id: fileId,
          direction: input.direction,
          received_at: receivedAt,
          channel: input.channel,
          form: input.form ?? 'electronic',
          subject,
          subject_norm: normalizeSearchText(subject),
          sender: senderText,
          sender_norm: normalizeSearchText(senderText),
          sender_party_id: sender?.id ?? null,
          sender_reference: input.senderReference ?? null,
          sender_reference_date: input.senderReferenceDate ?? null,
          addressee: addressee?.display_name ?? null,
          addressee_party_id: addressee?.id ?? null,
          attachments_count: input.attachmentsCount ?? 0,
          attachments_kind: input.attachmentsKind ?? null,
          components_count: components.length,
          org_unit: file.org_unit,
          handled_by: input.handler ?? null,
          class_code: file.class_code,
          disposal_code: file.disposal_code,
          retention_years: file.retention_years,
          state: 'registered',
          created_at: now,
        } });
        audit.push({ actor: a, eventType: 'VlozeniDoSpisu', objectType: 'Dokument', objectId: documentId, details: { fileId, fileReference: file.file_reference, order }, occurredAt: now });

        if (withReceipt && sender) {
          const receipt = receiptConfirmationWrite(a, {
            documentId, jid, referenceNumber, receivedAt, channel: input.channel, officeName: config.officeName,
            recipient: sender.data_box_id ?? sender.email ?? sender.display_name, components: components.map((c) => c.fileName), at: now,
          });
          receiptConfirmationId = receipt.id;
          writes.push(receipt.write);
          audit.push(receipt.audit);
        }
        return { writes, audit };
      };
      return {
        newNumber: !keepsFileNumber,
        build,
        result: (numbered) => ({
          documentId, jid, referenceNumber: numbered.fill(referenceNumber), fileId, fileReference: numbered.fill(fileReference), year: journalYear,
          seq: numbered.seq ?? (existing?.seq as number), orderInFile: order, receiptConfirmationId,
        }),
      };
    },
  });
}
