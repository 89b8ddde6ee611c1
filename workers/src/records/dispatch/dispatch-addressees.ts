import { randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { assertRole } from '../files/file-access';
import { auditActor, CHANNELS, type Actor, type Channel } from '../records.model';
import { DISPATCH_ROLES, lockOutgoing } from './dispatch-access';
import { ensureDispatches, summariseDispatches } from './document-dispatches.repository';

/** The document, locked, while its addressees may still change: created, in an open file. */
async function lockUnsent(trx: Parameters<typeof lockOutgoing>[0], actor: Actor, documentId: string) {
  const { doc, file } = await lockOutgoing(trx, actor, documentId);
  if (doc.state !== 'created') throw new DomainError('DISPATCH_STATE', `document ${doc.jid} is ${doc.state}`, 'business');
  if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`, 'business');
  return { doc, file };
}

/**
 * Adds an addressee of the parties register to an outgoing document not yet dispatched, with its own
 * dispatch and way of dispatch (a decision goes to every party of the proceeding). A merged duplicate
 * stands for the party it was merged into; an addressee already there is refused
 * (DISPATCH_ADDRESSEE_DUPLICATE). A document whose only dispatch has no addressee yet gets it there.
 * Logged as Uprava of the document with the party's id only.
 */
export async function addDispatchAddressee(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { documentId: string; partyId: string; channel?: Channel | null },
): Promise<{ dispatchId: string }> {
  assertRole(actor, DISPATCH_ROLES);
  if (input.channel && (!CHANNELS.includes(input.channel) || input.channel === 'internal')) throw new DomainError('DISPATCH_CHANNEL_INVALID', `no such channel: ${input.channel}`);
  return ports.db.transaction(async (trx) => {
    const { doc } = await lockUnsent(trx, actor, input.documentId);
    let party = /^[0-9a-f-]{36}$/i.test(input.partyId) ? await trx('parties').where({ id: input.partyId }).first() : undefined;
    if (party?.merged_into) party = await trx('parties').where({ id: party.merged_into }).first();
    if (!party) throw new DomainError('PARTY_NOT_FOUND', `party ${input.partyId} does not exist`);
    const rows = await ensureDispatches(trx, doc);
    if (rows.some((r) => r.party_id === party.id)) throw new DomainError('DISPATCH_ADDRESSEE_DUPLICATE', `party ${party.id} is already an addressee of ${doc.jid}`, 'business');
    // a party with a data box is reached through it (zákon 300/2008 Sb., § 17), others by post
    const channel = input.channel ?? (party.data_box_id ? 'data-box' : 'post');
    const empty = rows.length === 1 && !rows[0].party_id && !rows[0].addressee && rows[0].state === 'created' ? rows[0] : null;
    const id = empty?.id ?? randomUUID();
    if (empty) await trx('document_dispatches').where({ id }).update({ party_id: party.id, addressee: party.display_name, channel });
    else await trx('document_dispatches').insert({ id, document_id: doc.id, position: Math.max(0, ...rows.map((r) => r.position)) + 1, party_id: party.id, addressee: party.display_name, channel, state: 'created', created_at: ports.clock() });
    await summariseDispatches(trx, doc.id);
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Uprava', objectType: 'Dokument', objectId: doc.id, occurredAt: ports.clock(),
      details: { field: 'addressees', addedParty: party.id, dispatchId: id, channel },
    });
    return { dispatchId: id };
  });
}

/**
 * Removes an addressee (with its dispatch) from an outgoing document not yet dispatched: only a
 * dispatch not yet made and not being sent through the data box, and never the last one
 * (DISPATCH_LAST_ADDRESSEE: change that addressee instead). Logged as Uprava with the party's id.
 */
export async function removeDispatchAddressee(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { documentId: string; dispatchId: string },
): Promise<void> {
  assertRole(actor, DISPATCH_ROLES);
  await ports.db.transaction(async (trx) => {
    const { doc } = await lockUnsent(trx, actor, input.documentId);
    const rows = await ensureDispatches(trx, doc);
    const row = rows.find((r) => r.id === input.dispatchId);
    if (!row) throw new DomainError('DISPATCH_NOT_FOUND', `document ${doc.jid} has no dispatch ${input.dispatchId}`);
    if (row.state !== 'created') throw new DomainError('DISPATCH_STATE', `the dispatch ${row.id} of ${doc.jid} is ${row.state}`, 'business');
    if (rows.length === 1) throw new DomainError('DISPATCH_LAST_ADDRESSEE', `${doc.jid} keeps at least one addressee`, 'business');
    const send = await trx('data_box_sends').where({ dispatch_id: row.id }).first('state');
    if (send && (send.state === 'pending' || send.state === 'sending')) throw new DomainError('DISPATCH_DATA_BOX_PENDING', `document ${doc.jid} is being sent through the data box`, 'business');
    if (send) await trx('data_box_sends').where({ dispatch_id: row.id }).delete();
    await trx('document_dispatches').where({ id: row.id }).delete();
    // the others keep their order, without a gap
    const rest = rows.filter((r) => r.id !== row.id);
    for (const [i, r] of rest.entries()) if (r.position !== i + 1) await trx('document_dispatches').where({ id: r.id }).update({ position: i + 1 });
    await summariseDispatches(trx, doc.id);
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Uprava', objectType: 'Dokument', objectId: doc.id, occurredAt: ports.clock(),
      details: { field: 'addressees', removedParty: row.party_id, dispatchId: row.id },
    });
  });
}
