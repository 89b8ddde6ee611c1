import { randomUUID } from 'node:crypto';
import type pino from 'pino';
import { appendAuditLog } from '@openspis/db';
import type { DataBoxDeliveryPorts } from './data-box-deliveries';
import { DomainError } from '../../shared/domain-error';
import { putBlob } from '../../intake/component.repository';
import { loadTrustAnchors } from '../../verification/certificates';
import { verifyCms } from '../../verification/cms-verifier';
import { overallVerdict } from '../../verification/verification-report';
import { listMessageComponents } from './data-box-send.repository';
import { DELIVERED_STATUSES, ISDS_ACTOR } from './data-box-statuses';

/** ISDS deletes a delivered message (and its delivery information) 90 days after its delivery. */
const KEPT_BY_ISDS_MS = 90 * 86_400_000;
export const DELIVERY_RECEIPT_MEDIA_TYPE = 'application/vnd.software602.filler.form-xml-zip';

/**
 * Keeps the signed delivery receipt (doručenka: GetSignedDeliveryInfo, a CMS SignedData as ISDS
 * signed it — a `.zfo`) of each addressee's dispatch whose delivery was taken over from ISDS, as a component of
 * the document derived from the main file it carried (`derivation = 'delivery-receipt'`, so closure
 * and the SIP treat it like a verification report), logged as Zalozeni of the component by
 * `system:isds`, and named by the dispatch. Once per dispatch: the document is locked and the
 * dispatch's receipt looked for again before it is stored. Its signature is verified first: a receipt whose signature fails (altered content, a
 * broken or revoked signature) is not kept as proof of delivery; one that verifies, or whose
 * certificate cannot be chained to the trust anchors (indeterminate), is kept with that verdict in
 * its derivation details. A receipt ISDS does not give now, or gives with a failed signature, is
 * asked for again next run, for as long as ISDS keeps the message (90 days after delivery); a
 * refused login or an unreachable ISDS ends the run.
 */
export async function keepDeliveryReceipts(ports: DataBoxDeliveryPorts, log: pino.Logger, opts: { batch?: number } = {}): Promise<{ kept: string[]; failed: number }> {
  const now = ports.clock();
  const waiting: { id: string; dispatch_id: string; jid: string; data_box_message_id: string; data_box_status: number }[] = await ports.db('document_dispatches as x')
    .join('documents as d', 'd.id', 'x.document_id')
    .where({ 'x.state': 'delivered', 'x.channel': 'data-box' }).whereNotNull('x.data_box_message_id').whereNull('x.delivery_receipt_component_id')
    .whereIn('x.data_box_status', [...DELIVERED_STATUSES]).andWhere('x.delivered_at', '>', new Date(now.getTime() - KEPT_BY_ISDS_MS))
    .orderBy([{ column: 'x.delivered_at' }, { column: 'x.id' }]).limit(opts.batch ?? 100)
    .select('d.id', 'x.id as dispatch_id', 'd.jid', 'x.data_box_message_id', 'x.data_box_status');
  const result = { kept: [] as string[], failed: 0 };
  const anchors = waiting.length && ports.trustAnchorsDir ? loadTrustAnchors(ports.trustAnchorsDir) : [];
  for (const doc of waiting) {
    let signed: Buffer;
    try {
      signed = await ports.isds.getSignedDeliveryInfo(doc.data_box_message_id);
    } catch (err) {
      const code = err instanceof DomainError ? err.code : undefined;
      log.warn({ err, code, documentId: doc.id, dmId: doc.data_box_message_id }, 'signed delivery receipt not available');
      result.failed += 1;
      if (code === 'ISDS_UNAUTHORIZED' || code === 'ISDS_UNREACHABLE') break;
      continue;
    }
    const checks = await verifyCms(signed, null, { anchors, now: ports.clock() }, { format: 'cades', location: `dorucenka-${doc.data_box_message_id}.zfo` });
    const signature = overallVerdict(checks);
    if (signature === 'invalid' || signature === 'unsigned') {
      log.warn({ documentId: doc.id, dmId: doc.data_box_message_id, signature, problems: checks.map((c) => c.subIndication) }, 'signed delivery receipt refused: its signature does not verify');
      result.failed += 1;
      continue;
    }
    const at = ports.clock();
    const kept = await ports.db.transaction(async (trx) => {
      await trx('documents').where({ id: doc.id }).forUpdate().first('id');
      const dispatch = await trx('document_dispatches').where({ id: doc.dispatch_id }).first('delivery_receipt_component_id');
      if (!dispatch || dispatch.delivery_receipt_component_id) return false;
      const [main] = await listMessageComponents(trx, doc.id);
      const blob = await putBlob(trx, signed);
      const id = randomUUID();
      await trx('components').insert({
        id, document_id: doc.id, blob_sha256: blob.sha256, file_name: `dorucenka-${doc.data_box_message_id}.zfo`, media_type: DELIVERY_RECEIPT_MEDIA_TYPE,
        size: blob.size, version: 1, format: 'zfo', source_component_id: main?.id ?? null, derivation: 'delivery-receipt',
        derivation_details: JSON.stringify({ dataBoxMessageId: doc.data_box_message_id, messageStatus: doc.data_box_status, signature, signer: checks[0]?.signer?.subject ?? null, verifiedAt: at.toISOString() }), created_at: at,
      });
      await trx('document_dispatches').where({ id: doc.dispatch_id }).update({ delivery_receipt_component_id: id });
      await appendAuditLog(trx, {
        actor: ISDS_ACTOR, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: id, occurredAt: at,
        details: { documentId: doc.id, dispatchId: doc.dispatch_id, jid: doc.jid, deliveryReceiptOf: doc.data_box_message_id, sha256: blob.sha256, signature },
      });
      return true;
    });
    if (kept) result.kept.push(doc.id);
  }
  return result;
}
