import type { Knex } from 'knex';
import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { assertRole } from '../files/file-access';
import { auditActor, CHANNELS, type Actor, type Channel } from '../records.model';
import { pragueDay } from '../records.ports';
import { DISPATCH_ROLES, lockOutgoing, momentOfDay } from './dispatch-access';

/**
 * Vypravení: an outgoing document leaves the office on a day, by a channel (data box, e-mail, post,
 * in person, portal). Document and journal row get the date (and the channel), the document becomes
 * `dispatched`; logged as Vypraveno of the document. Only a created (not cancelled) outgoing document
 * of an open file; the day not before the document was made and not in the future. Sent through the
 * data box, it may keep the ID of the data message (dmID, digits), from which its delivery is then
 * taken over from ISDS (takeOverDataBoxDeliveries).
 */
export async function recordDispatch(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { documentId: string; day?: string; channel?: Channel; dataBoxMessageId?: string | null },
): Promise<{ dispatchedAt: Date }> {
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
    if (pragueDay(at) < pragueDay(new Date(doc.created_at))) throw new DomainError('DISPATCH_DATE_INVALID', `document ${doc.jid} was made after ${at.toISOString()}`);
    const channel = input.channel ?? doc.channel;
    if (dmId && channel !== 'data-box') throw new DomainError('DISPATCH_DM_ID_INVALID', `a data message ID with channel ${channel}`);
    // the data-box sender may be about to send it: recording it by hand now would dispatch it twice
    const send = await trx('data_box_sends').where({ document_id: doc.id }).whereIn('state', ['pending', 'sending']).first('state');
    if (send) throw new DomainError('DISPATCH_DATA_BOX_PENDING', `document ${doc.jid} is being sent through the data box`, 'business');
    await applyDispatch(trx, { id: doc.id, jid: doc.jid }, { at, channel, dmId, actor: auditActor(actor), now });
    return { dispatchedAt: at };
  });
}

/**
 * The dispatch itself, in the caller's transaction with the document locked: the document becomes
 * `dispatched` on `at` by `channel` (with the data message's ID), the journal row gets the day, and
 * a Vypraveno of the document is logged by `actor` (`user:<name>` or `system:<component>`).
 */
export async function applyDispatch(
  trx: Knex.Transaction,
  doc: { id: string; jid: string },
  d: { at: Date; channel: Channel | null; dmId: string | null; actor: string; now: Date },
): Promise<void> {
  await trx('documents').where({ id: doc.id }).update({ state: 'dispatched', dispatched_at: d.at, channel: d.channel, data_box_message_id: d.dmId });
  await trx('journal').where({ document_id: doc.id }).update({ dispatched_at: d.at, channel: d.channel });
  await appendAuditLog(trx, {
    actor: d.actor, eventType: 'Vypraveno', objectType: 'Dokument', objectId: doc.id, occurredAt: d.now,
    details: { jid: doc.jid, dispatchedAt: d.at.toISOString(), channel: d.channel, ...(d.dmId ? { dataBoxMessageId: d.dmId } : {}) },
  });
}
