import { DomainError } from '../../shared/domain-error';
import { SYSTEM_ACTOR, type WorkerPorts } from '../../shared/ports';
import { createTranslate, toLocale } from '../../shared/templating';
import { sealDocument } from '../../signing/seal-document.service';
import type { SealingPorts } from '../../signing/seal-key-provider';
import { renderReceiptConfirmationPdf } from './receipt-confirmation-pdf';
import { findReceiptConfirmationRow, findReceivedDocument, markReceiptConfirmationSealed, storeReceiptConfirmationPdf } from './receipt-confirmation.repository';

export type SealReceiptConfirmationPorts = Pick<WorkerPorts, 'db' | 'clock' | 'config'> & { sealing: SealingPorts };

export interface SealReceiptConfirmationResult {
  receiptConfirmationId: string;
  /** the PDF/A rendering and its sealed version, both components of the received document */
  componentId: string;
  sealedComponentId: string;
  locale: string;
  /** false when an earlier run had rendered and sealed it: nothing was written */
  created: boolean;
}

/**
 * The confirmation of receipt of an electronic submission as a document (vyhláška 259/2012 Sb. § 2):
 * rendered as PDF/A-2b in the submission's language (cs, en, uk; Czech when it records none) with
 * the office, the time of receipt, the JID, the reference number and the components received, kept
 * as a component of the received document (`derivation = 'receipt-confirmation'`) and sealed with
 * the office's seal by the seal service (its next version). It belongs to the document it confirms
 * — like the data box's delivery receipt of a dispatched one — so it travels with it into the file,
 * the SIP and disposal, and needs no reference number or journal row of its own.
 *
 * Once per confirmation (the engine delivers jobs at least once): a confirmation rendered and
 * sealed before is returned as it is; one rendered but not sealed (a crash in between) is only
 * sealed. Rendering and the time-stamp request happen outside the database transaction.
 */
export async function sealReceiptConfirmation(ports: SealReceiptConfirmationPorts, input: { documentId: string }): Promise<SealReceiptConfirmationResult> {
  const { db, clock, config } = ports;
  const receipt = await findReceiptConfirmationRow(db, input.documentId);
  if (!receipt) throw new DomainError('RECEIPT_CONFIRMATION_NOT_FOUND', `document ${input.documentId} has no confirmation of receipt`);
  const result = (componentId: string, sealedComponentId: string, locale: string, created: boolean) =>
    ({ receiptConfirmationId: receipt.id, componentId, sealedComponentId, locale, created });
  if (receipt.component_id && receipt.sealed_component_id) return result(receipt.component_id, receipt.sealed_component_id, receipt.locale ?? 'cs', false);

  let componentId = receipt.component_id;
  let locale = receipt.locale ?? 'cs';
  let raced = false;
  if (!componentId) {
    const doc = await findReceivedDocument(db, input.documentId);
    if (!doc) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} is not in the registry journal`);
    const lng = toLocale(doc.locale);
    const t = createTranslate(config.localesDir, lng);
    const pdf = await renderReceiptConfirmationPdf({
      officeName: config.officeName, receivedAt: new Date(doc.received_at), issuedAt: new Date(receipt.issued_at), jid: doc.jid,
      referenceNumber: doc.reference_number, channel: receipt.channel, sender: doc.sender_name, subject: doc.subject, components: doc.components,
    }, lng, t);
    const stem = (doc.reference_number ?? doc.jid).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const stored = await db.transaction((trx) => storeReceiptConfirmationPdf(trx, {
      receiptId: receipt.id, documentId: input.documentId, fileName: `${t('receiptConfirmation.fileName')}-${stem}.pdf`, content: pdf, locale: lng, actor: SYSTEM_ACTOR, at: clock(),
    }));
    componentId = stored.componentId;
    raced = !stored.created;
    locale = raced ? (await findReceiptConfirmationRow(db, input.documentId))?.locale ?? lng : lng;
  }
  const seal = await sealDocument(ports, { documentId: input.documentId, componentId });
  await markReceiptConfirmationSealed(db, receipt.id, seal.sealedComponentId, clock());
  // another run stored the rendering meanwhile: the confirmation is that run's, even when this one happens to seal it first
  return result(componentId, seal.sealedComponentId, locale, !raced && (seal.created || !receipt.component_id));
}
