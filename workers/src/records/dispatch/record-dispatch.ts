import type { Knex } from 'knex';
import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { assertRole } from '../files/file-access';
import { auditActor, CHANNELS, type Actor, type Channel } from '../records.model';
import { pragueDay } from '../records.ports';
import { DISPATCH_ROLES, lockOutgoing, momentOfDay } from './dispatch-access';
import { ensureDispatches, pickDispatch, summariseDispatches, type DocumentDispatchRow } from './document-dispatches.repository';

/**
 * Vypravení: an outgoing document leaves the office for one of its addressees on a day, by a channel
 * (data box, e-mail, post, in person, portal). The dispatch gets the date and the channel; once every
 * addressee's dispatch is made the document and its journal row become `dispatched` (on the last
 * day); logged as Vypraveno of the document naming the dispatch and the addressee's party (its id,
 * no personal data). `dispatchId` names the addressee's dispatch; without it the only one waiting.
 * Only a created (not cancelled) outgoing document of an open file; the day not before the document
 * was made and not in the future. Sent through the data box, it may keep the ID of the data message
 * (dmID, digits), from which its delivery is then taken over from ISDS (takeOverDataBoxDeliveries).
 */
export async function recordDispatch(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { documentId: string; dispatchId?: string | null; day?: string; channel?: Channel; dataBoxMessageId?: string | null },
): Promise<{ dispatchedAt: Date; dispatchId: string }> {
  assertRole(actor, DISPATCH_ROLES);
  if (input.channel && (!CHANNELS.includes(input.channel) || input.channel === 'internal')) throw new DomainError('DISPATCH_CHANNEL_INVALID', `no such channel: ${input.channel}`);
  const dmId = input.dataBoxMessageId?.trim() || null;
  if (dmId && !/^\d{1,20}$/.test(dmId)) throw new DomainError('DISPATCH_DM_ID_INVALID', 'a data message ID is 1–20 digits');
  const now = ports.clock();
  const at = momentOfDay(input.day, now, 'DISPATCH_DATE_INVALID');
  return ports.db.transaction(async (trx) => {
    const { doc, file } = await lockOutgoing(trx, actor, input.documentId);
    if (doc.state !== 'created') throw new DomainError('DISPATCH_STATE', `document ${doc.jid} is ${doc.state}`, 'business');
    if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`, 'business');
    const dispatch = pickDispatch(await ensureDispatches(trx, doc), input.dispatchId, 'created', doc.jid);
    if (dispatch.state !== 'created') throw new DomainError('DISPATCH_STATE', `the dispatch ${dispatch.id} of ${doc.jid} is ${dispatch.state}`, 'business');
    if (pragueDay(at) < pragueDay(new Date(doc.created_at))) throw new DomainError('DISPATCH_DATE_INVALID', `document ${doc.jid} was made after ${at.toISOString()}`);
    const channel = input.channel ?? dispatch.channel ?? doc.channel;
    if (dmId && channel !== 'data-box') throw new DomainError('DISPATCH_DM_ID_INVALID', `a data message ID with channel ${channel}`);
    // the data-box sender may be about to send it: recording it by hand now would dispatch it twice
    const send = await trx('data_box_sends').where({ dispatch_id: dispatch.id }).whereIn('state', ['pending', 'sending']).first('state');
    if (send) throw new DomainError('DISPATCH_DATA_BOX_PENDING', `document ${doc.jid} is being sent through the data box`, 'business');
    await applyDispatch(trx, { id: doc.id, jid: doc.jid }, dispatch, { at, channel, dmId, actor: auditActor(actor), now });
    return { dispatchedAt: at, dispatchId: dispatch.id };
  });
}

/**
 * The dispatch itself, in the caller's transaction with the document locked: the addressee's dispatch
 * becomes `dispatched` on `at` by `channel` (with the data message's ID), the document and journal
 * row are summarised again, and a Vypraveno of the document is logged by `actor` (`user:<name>` or
 * `system:<component>`) with the dispatch and the addressee's party id.
 */
export async function applyDispatch(
  trx: Knex.Transaction,
  doc: { id: string; jid: string },
  dispatch: Pick<DocumentDispatchRow, 'id' | 'party_id'>,
  d: { at: Date; channel: Channel | null; dmId: string | null; actor: string; now: Date },
): Promise<void> {
  await trx('document_dispatches').where({ id: dispatch.id }).update({ state: 'dispatched', dispatched_at: d.at, channel: d.channel, data_box_message_id: d.dmId });
  await summariseDispatches(trx, doc.id);
  await appendAuditLog(trx, {
    actor: d.actor, eventType: 'Vypraveno', objectType: 'Dokument', objectId: doc.id, occurredAt: d.now,
    details: { jid: doc.jid, dispatchId: dispatch.id, addresseeParty: dispatch.party_id, dispatchedAt: d.at.toISOString(), channel: d.channel, ...(d.dmId ? { dataBoxMessageId: d.dmId } : {}) },
  });
}
