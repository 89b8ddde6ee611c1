import type { Knex } from 'knex';
import type pino from 'pino';
import { appendAuditLog } from '@openspis/db';
import type { DeliveryInfo, IsdsClient } from '../../clients/isds/isds-client';
import { DomainError } from '../../shared/domain-error';
import { runPeriodically } from '../../shared/periodic';
import { DELIVERED_STATUSES as DELIVERED, FICTION_STATUS as FICTION, ISDS_ACTOR, UNDELIVERABLE_STATUS } from './data-box-statuses';
import { queueUndeliverableNotice, sendUndeliverableNotices, type UndeliverableNotifyPorts } from './data-box-undeliverable';
import { summariseDispatches } from './document-dispatches.repository';
import { keepDeliveryReceipts } from './keep-delivery-receipts';

export { ISDS_ACTOR };

export interface DataBoxDeliveryPorts {
  db: Knex;
  clock: () => Date;
  isds: IsdsClient;
  /** with it, the handling clerk is told by e-mail once when a message turns undeliverable (state 8) */
  notify?: UndeliverableNotifyPorts;
  /** the trust anchors the signature of a delivery receipt is checked against (TRUST_ANCHORS_DIR); without them only its integrity */
  trustAnchorsDir?: string;
}

export interface DataBoxRunResult {
  asked: number;
  delivered: string[];
  failed: number;
  /** documents whose signed delivery receipt was kept in this run (keepDeliveryReceipts) */
  receipts: string[];
}

/** Records what ISDS said about one addressee's message; the delivery only once, whoever else runs at the same time. */
async function applyDeliveryInfo(trx: Knex.Transaction, dispatchId: string, info: DeliveryInfo, now: Date, notify: UndeliverableNotifyPorts | undefined): Promise<boolean> {
  const first = await trx('document_dispatches').where({ id: dispatchId }).first('document_id');
  const doc = first ? await trx('documents').where({ id: first.document_id }).forUpdate().first() : undefined;
  const dispatch = doc ? await trx('document_dispatches').where({ id: dispatchId }).first() : undefined;
  // recorded meanwhile by a person or another node, or no longer the same message: nothing to do
  if (!doc || !dispatch || doc.state === 'cancelled' || dispatch.state !== 'dispatched' || dispatch.data_box_message_id !== info.dmId) return false;
  const at = DELIVERED.has(info.messageStatus) ? info.acceptanceTime : null;
  if (!at) {
    if (info.messageStatus === UNDELIVERABLE_STATUS && notify) await queueUndeliverableNotice(trx, notify.config, doc, info.dmId);
    await trx('document_dispatches').where({ id: dispatch.id }).update({ data_box_status: info.messageStatus, data_box_checked_at: now });
    await summariseDispatches(trx, doc.id);
    return false;
  }
  const deemed = info.messageStatus === FICTION;
  await trx('document_dispatches').where({ id: dispatch.id }).update({ state: 'delivered', delivered_at: at, deemed, data_box_status: info.messageStatus, data_box_checked_at: now });
  await summariseDispatches(trx, doc.id);
  await appendAuditLog(trx, {
    actor: ISDS_ACTOR, eventType: 'Doruceno', objectType: 'Dokument', objectId: doc.id, occurredAt: now,
    details: { jid: doc.jid, dispatchId: dispatch.id, addresseeParty: dispatch.party_id, deliveredAt: at.toISOString(), deemed, dataBoxMessageId: info.dmId, messageStatus: info.messageStatus },
  });
  return true;
}

/**
 * Takes over the delivery of outgoing documents sent through the data box (dodejka / doručenka):
 * asks ISDS (GetDeliveryInfo) about at most `batch` addressees' dispatches that keep the ID of their
 * data message and are not delivered, those asked longest ago first, and records the delivery at
 * dmAcceptanceTime — deemed (fikce doručení) when ISDS says delivered by fiction — as the dispatch's
 * date (the document's and the journal's once every addressee has it) and a Doruceno of the document
 * by `system:isds`. A message not yet delivered keeps its state
 * for the next run; a message ISDS refuses to tell about is left for the next run and logged.
 * Idempotent: the document is locked and the dispatch must still be dispatched, so nothing is recorded twice.
 * Then keeps the signed delivery receipts of the delivered ones (keepDeliveryReceipts).
 */
export async function takeOverDataBoxDeliveries(ports: DataBoxDeliveryPorts, log: pino.Logger, opts: { batch?: number } = {}): Promise<DataBoxRunResult> {
  const pending: { id: string; document_id: string; data_box_message_id: string }[] = await ports.db('document_dispatches as x').join('documents as d', 'd.id', 'x.document_id')
    .where({ 'x.state': 'dispatched', 'x.channel': 'data-box' }).whereNotNull('x.data_box_message_id')
    .orderByRaw('x.data_box_checked_at asc nulls first, x.dispatched_at asc, d.jid asc, x.position asc').limit(opts.batch ?? 100).select('x.id', 'x.document_id', 'x.data_box_message_id');
  const result: DataBoxRunResult = { asked: 0, delivered: [], failed: 0, receipts: [] };
  let reachable = true;
  for (const dispatch of pending) {
    let info: DeliveryInfo;
    try {
      info = await ports.isds.getDeliveryInfo(dispatch.data_box_message_id);
      result.asked += 1;
    } catch (err) {
      const code = err instanceof DomainError ? err.code : undefined;
      log.warn({ err, code, documentId: dispatch.document_id, dispatchId: dispatch.id, dmId: dispatch.data_box_message_id }, 'data-box delivery info not available');
      result.failed += 1;
      // without a login or a connection the other messages fail the same way: the next run tries again
      if (code === 'ISDS_UNAUTHORIZED' || code === 'ISDS_UNREACHABLE') {
        reachable = false;
        break;
      }
      const checkedAt = ports.clock();
      await ports.db.transaction(async (trx) => {
        await trx('documents').where({ id: dispatch.document_id }).forUpdate().first('id');
        await trx('document_dispatches').where({ id: dispatch.id }).update({ data_box_checked_at: checkedAt });
        await summariseDispatches(trx, dispatch.document_id);
      });
      continue;
    }
    const now = ports.clock();
    if (await ports.db.transaction((trx) => applyDeliveryInfo(trx, dispatch.id, info, now, ports.notify))) {
      result.delivered.push(dispatch.document_id);
      log.info({ documentId: dispatch.document_id, dispatchId: dispatch.id, dmId: info.dmId, messageStatus: info.messageStatus }, 'data-box delivery taken over');
    }
  }
  if (ports.notify) await sendUndeliverableNotices(ports.db, { ...ports.notify, clock: ports.clock }, log);
  if (reachable) {
    const receipts = await keepDeliveryReceipts(ports, log, opts);
    result.receipts = receipts.kept;
    result.failed += receipts.failed;
  }
  return result;
}

/** Runs the take-over at start-up and then every `intervalMs`; runs never overlap in one process. Returns a stop function. */
export function scheduleDataBoxDeliveries(ports: DataBoxDeliveryPorts, log: pino.Logger, intervalMs: number): () => Promise<void> {
  return runPeriodically(() => takeOverDataBoxDeliveries(ports, log), (err) => log.error({ err }, 'data-box delivery take-over failed'), intervalMs);
}
