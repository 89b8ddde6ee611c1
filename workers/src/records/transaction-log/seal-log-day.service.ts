import { createHash } from 'node:crypto';
import { auditHash, type AuditRow } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { createTranslate } from '../../shared/templating';
import { sealDocument } from '../../signing/seal-document.service';
import type { SealingPorts } from '../../signing/seal-key-provider';
import { requireRole } from '../disposal/access';
import { findClassByCode } from '../file-plan/file-plan.repository';
import { auditActor, type Actor } from '../records.model';
import { renderLogDayPdf } from './log-day-pdf';
import { findLogDay, hashBefore, markSealed, readEntries, storeLogRecord } from './log-day.repository';
import { isIsoDay, pragueDayBounds } from './prague-day';
import { logSource, transactionLogXml } from './transaction-log-export.service';

export type SealLogDayPorts = Pick<WorkerPorts, 'db' | 'clock' | 'config'> & { sealing: SealingPorts };

/** The identity that seals the log on schedule. */
export const TRANSACTION_LOG_ACTOR: Actor = { username: 'system:transaction-log', roles: ['admin'], orgUnit: null };

export interface SealLogDayResult {
  day: string;
  documentId: string;
  sealedComponentId: string;
  events: number;
  lastHash: string;
  /** true when this call rendered and registered the day's record; false when another run (or an earlier one) had */
  created: boolean;
  /** true when this call put the seal on: the run that made the record, or a later one finishing a record a crash left unsealed */
  sealed: boolean;
}

// serialises renderings across processes and nodes: one record per day even when two start at once
const LOCK_KEY = 4_200_301;

function entryContent(row: AuditRow) {
  return {
    occurred_at: new Date(row.occurred_at).toISOString(), actor: row.actor, event_type: row.event_type, object_type: row.object_type,
    object_id: row.object_id, details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details,
  };
}

/**
 * Renders one Prague calendar day of the transaction log and seals it: a PDF/A-2b for people and the
 * nsesss-TrP.xsd XML (whose SHA-256 the PDF prints, so the seal covers both) are registered as one
 * internal document in the year's transaction-log file (classified by `TRANSACTION_LOG_CLASS_CODE`
 * in the file plan valid on the day, so it has retention and disposal like every file), then the PDF gets the office's seal (the
 * seal service: a new sealed component version). Once per day: a day rendered before returns its
 * record (and only puts the seal on when a crash left it without one). Only a finished day, and only
 * a log whose entries of that day still match their hashes.
 */
export async function sealTransactionLogDay(ports: SealLogDayPorts, actor: Actor, input: { day: string }): Promise<SealLogDayResult> {
  const r = await renderTransactionLogDay(ports, actor, input);
  return finish(ports, r.day, r.documentId, r.events, r.lastHash, r.sealedComponentId, r.created);
}

/**
 * The rendering of `sealTransactionLogDay` without the seal: the day's record registered in the
 * log file, once; `created` is false when the day had been rendered before (`sealedComponentId` is
 * then its seal, if it has one). The seal is put on by `sealTransactionLogDay` (at once, or by a
 * later run for a day left unsealed: the demo renders its past days on its own clock, before the
 * seal certificate existed).
 */
export async function renderTransactionLogDay(
  ports: Pick<SealLogDayPorts, 'db' | 'clock' | 'config'>, actor: Actor, input: { day: string },
): Promise<{ day: string; documentId: string; events: number; lastHash: string; sealedComponentId: string | null; created: boolean }> {
  requireRole(actor, ['spisovna']);
  const { db, clock, config } = ports;
  const { day } = input;
  if (!isIsoDay(day)) throw new DomainError('DAY_INVALID', `not a calendar day: ${day}`);
  const bounds = pragueDayBounds(day);
  if (bounds.to > clock()) throw new DomainError('LOG_DAY_NOT_OVER', `the day ${day} is not over yet`, 'business');

  const done = await findLogDay(db, day);
  if (done) return { day: done.day, documentId: done.document_id, events: done.events, lastHash: done.last_hash, sealedComponentId: done.sealed_component_id, created: false };

  // the year's log file is classified like every file: its class (and retention) comes from the file plan
  const fileClass = await findClassByCode(db, config.transactionLogClassCode, day);
  if (!fileClass || fileClass.disposal_code === null) {
    throw new DomainError('LOG_FILE_CLASS_NOT_FOUND', `the file plan valid on ${day} has no class ${config.transactionLogClassCode} with a retention (TRANSACTION_LOG_CLASS_CODE) for the transaction-log file`, 'business');
  }

  const rows = await readEntries(db, bounds);
  const altered = rows.find((r) => auditHash(r.prev_hash, entryContent(r)) !== r.hash);
  if (altered) throw new DomainError('LOG_ENTRY_ALTERED', `transaction log entry ${altered.id} no longer matches its hash; run log verify`);
  const before = await hashBefore(db, rows, bounds.from);
  const lastHash = rows.length ? rows[rows.length - 1].hash : before;
  const now = clock();
  const t = createTranslate(config.localesDir, 'cs');
  const name = `transakcni-protokol-${config.officeCode}-${day}`;
  const xml = Buffer.from(transactionLogXml(rows, { identifier: `${config.officeCode}-TrP-${day}`, source: logSource(config.officeCode), createdAt: now, from: bounds.from, to: bounds.to }), 'utf8');
  const pdf = await renderLogDayPdf(rows, {
    day, officeName: config.officeName, from: bounds.from, to: bounds.to, hashBefore: before, hashAfter: lastHash,
    xml: { fileName: `${name}.xml`, sha256: createHash('sha256').update(xml).digest('hex') },
  }, t);

  const stored = await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [LOCK_KEY]);
    const raced = await findLogDay(trx, day);
    if (raced) return { raced };
    const record = await storeLogRecord(trx, {
      day, year: Number(day.slice(0, 4)), subject: t('transactionLog.title', { day }), fileSubject: t('transactionLog.fileSubject', { year: day.slice(0, 4) }),
      pdf: { fileName: `${name}.pdf`, content: pdf }, xml: { fileName: `${name}.xml`, content: xml },
      events: rows.length, firstEntryId: rows.length ? String(rows[0].id) : null, lastEntryId: rows.length ? String(rows[rows.length - 1].id) : null, lastHash,
    }, { office: config.officeCode, officeName: config.officeName, mask: config.referenceNumberMask, actor: auditActor(actor), now, fileClass });
    return { record };
  });
  if ('raced' in stored && stored.raced) {
    const r = stored.raced;
    // another run made the record meanwhile: it is that run's, even when this one happens to put the seal on first
    return { day: r.day, documentId: r.document_id, events: r.events, lastHash: r.last_hash, sealedComponentId: r.sealed_component_id, created: false };
  }
  return { day, documentId: stored.record!.documentId, events: rows.length, lastHash, sealedComponentId: null, created: true };
}

async function finish(ports: SealLogDayPorts, day: string, documentId: string, events: number, lastHash: string, sealedComponentId: string | null, created: boolean): Promise<SealLogDayResult> {
  if (sealedComponentId) return { day, documentId, sealedComponentId, events, lastHash, created, sealed: false };
  const seal = await sealDocument(ports, { documentId });
  await markSealed(ports.db, day, seal.sealedComponentId, ports.clock());
  return { day, documentId, sealedComponentId: seal.sealedComponentId, events, lastHash, created, sealed: seal.created };
}
