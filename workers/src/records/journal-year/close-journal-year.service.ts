import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import { createTranslate } from '../../shared/templating';
import { sealDocument } from '../../signing/seal-document.service';
import { requireRole } from '../disposal/access';
import { findClassByCode } from '../file-plan/file-plan.repository';
import { addInternalRecord, closeInternalFile, openInternalFile } from '../files/internal-record.repository';
import { auditActor, type Actor } from '../records.model';
import { pragueDay } from '../records.ports';
import type { SealLogDayPorts } from '../transaction-log/seal-log-day.service';
import { pragueMidnight } from '../transaction-log/prague-day';
import { renderJournalYearPdf } from './journal-year-pdf';
import { findClosure, insertClosure, journalEntries, lockCounter, markClosureSealed } from './journal-year.repository';

export type CloseJournalYearPorts = SealLogDayPorts;

/** The identity that closes the journal on schedule. */
export const JOURNAL_YEAR_ACTOR: Actor = { username: 'system:journal-year', roles: ['admin'], orgUnit: null };

export interface CloseJournalYearResult {
  year: number;
  documentId: string;
  sealedComponentId: string;
  lastSeq: number | null;
  entries: number;
  states: Record<string, number>;
  /** true when this call closed the year; false when another run (or an earlier one) had: nothing was written but a missing seal */
  created: boolean;
  /** true when this call put the seal on: the run that closed the year, or a later one finishing a closure a crash left unsealed */
  sealed: boolean;
}

// serialises closures across processes and nodes: one closing record per year even when two start at once
const LOCK_KEY = 4_200_302;

/**
 * Closes the registry journal (podací deník) of a finished calendar year (Prague time), as vyhláška
 * 259/2012 Sb. asks of an electronic register: the year's journal is rendered in an output format (a
 * landscape PDF/A-2b table of every entry with the closing record at its end), registered as a
 * record in a file of the class `JOURNAL_CLASS_CODE` (opened and closed with it) and sealed; the
 * closing record (last running number, entries by state, when, who, the record) is stored, and from
 * then on the running numbers of the year are final (the database refuses new ones). Logged as
 * Uzavreni of the Denik. Once per year: a closed year returns its record and writes nothing.
 *
 * The rendering runs in the closing transaction with the year's counter locked, reading the rows in
 * batches; the counts come from the same read, so the record says what the rendering shows.
 */
export async function closeJournalYear(ports: CloseJournalYearPorts, actor: Actor, input: { year: number }): Promise<CloseJournalYearResult> {
  const { closure, created } = await recordJournalYearClosure(ports, actor, input);
  return finish(ports, closure, created);
}

type ClosureToSeal = { office: string; year: number; document_id: string; last_seq: number | null; entries: number; states: Record<string, number>; sealed_component_id: string | null };

/**
 * The closure of `closeJournalYear` without the seal: the closing record, the rendering registered
 * and the log entry, in one transaction; `created` is false when the year had been closed before.
 * The seal is put on by `closeJournalYear` (at once, or by a later run for a closure left unsealed:
 * the demo closes its past years on its own clock, before the seal certificate existed).
 */
export async function recordJournalYearClosure(ports: Pick<CloseJournalYearPorts, 'db' | 'clock' | 'config'>, actor: Actor, input: { year: number }): Promise<{ closure: ClosureToSeal; created: boolean }> {
  requireRole(actor, ['spisovna']);
  const { db, clock, config } = ports;
  const { year } = input;
  if (!Number.isInteger(year) || year < 1900 || year > 9999) throw new DomainError('JOURNAL_YEAR_INVALID', `not a year: ${year}`);
  if (pragueMidnight(`${year + 1}-01-01`) > clock()) throw new DomainError('JOURNAL_YEAR_NOT_OVER', `the year ${year} is not over yet`, 'business');
  const office = config.officeCode;

  const done = await findClosure(db, office, year);
  if (done) return { closure: done, created: false };

  const today = pragueDay(clock());
  const fileClass = await findClassByCode(db, config.journalClassCode, today);
  if (!fileClass || fileClass.disposal_code === null) {
    throw new DomainError('JOURNAL_FILE_CLASS_NOT_FOUND', `the file plan valid on ${today} has no class ${config.journalClassCode} with a retention (JOURNAL_CLASS_CODE) for the closed journal`, 'business');
  }
  const t = createTranslate(config.localesDir, 'cs');
  const a = auditActor(actor);

  const closure = await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [LOCK_KEY]);
    const raced = await findClosure(trx, office, year);
    if (raced) return { raced };
    const counter = await lockCounter(trx, office, year);
    const now = clock();
    const { pdf, tally } = renderJournalYearPdf(journalEntries(trx, office, year), { year, office, officeName: config.officeName, closedAt: now, closedBy: a }, t);
    const content = await pdf;
    const lastSeq = counter ?? tally.lastSeq;
    const ctx = { office, officeName: config.officeName, mask: config.referenceNumberMask, actor: a, now };
    const file = await openInternalFile(trx, t('journalYear.fileSubject', { year }), fileClass, { ...ctx, details: { journalYear: year } });
    const record = await addInternalRecord(trx, file, {
      subject: t('journalYear.title', { year }),
      components: [{ fileName: `podaci-denik-${office}-${year}.pdf`, mediaType: 'application/pdf', format: 'pdf', content }],
      details: { journalYear: year },
    }, ctx);
    await closeInternalFile(trx, file.id, today, { actor: a, now, details: { journalYear: year } });
    const row = {
      office, year, last_seq: lastSeq, entries: tally.entries, states: tally.states, file_id: file.id, document_id: record.documentId,
      pdf_component_id: record.componentIds[0], closed_by: a, closed_at: now,
    };
    await insertClosure(trx, row);
    await appendAuditLog(trx, {
      actor: a, eventType: 'Uzavreni', objectType: 'Denik', objectId: `${office}/${year}`, occurredAt: now,
      details: { year, lastSeq, entries: tally.entries, states: tally.states, documentId: record.documentId, referenceNumber: record.referenceNumber },
    });
    return { row: { ...row, sealed_component_id: null, sealed_at: null } };
  });
  // another run closed the year meanwhile: the record is that run's, even when this one happens to put the seal on first
  if ('raced' in closure && closure.raced) return { closure: closure.raced, created: false };
  return { closure: closure.row!, created: true };
}

async function finish(ports: CloseJournalYearPorts, c: ClosureToSeal, created: boolean): Promise<CloseJournalYearResult> {
  const result = { year: c.year, documentId: c.document_id, lastSeq: c.last_seq === null ? null : Number(c.last_seq), entries: Number(c.entries), states: c.states };
  if (c.sealed_component_id) return { ...result, sealedComponentId: c.sealed_component_id, created, sealed: false };
  const seal = await sealDocument(ports, { documentId: c.document_id });
  await markClosureSealed(ports.db, c.office, c.year, seal.sealedComponentId, ports.clock());
  return { ...result, sealedComponentId: seal.sealedComponentId, created, sealed: seal.created };
}
