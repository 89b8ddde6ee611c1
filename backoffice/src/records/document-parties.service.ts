import { appendAuditLog } from '@openspis/db';
import { assertFileAccess, assertRole, auditActor, DomainError, findOrCreateParty, normalizeSearchText, type Actor, type PartyInput, type PartyRow } from '@openspis/workers';
import type { Knex } from 'knex';

export type PartyRole = 'sender' | 'addressee';

/**
 * Sets the sender or the addressee of a document to a party of the register (by id) or to a party
 * described in the form (reused when the register already has it, recorded otherwise). The document
 * and its journal row change together, logged as Uprava of the document with the party ids only (no
 * personal data in the log). Only while the document's file is open and the document not cancelled;
 * the actor must see the file.
 */
export async function changeDocumentParty(
  ports: { db: Knex; clock: () => Date },
  actor: Actor,
  input: { documentId: string; role: PartyRole; partyId?: string | null; party?: PartyInput | null },
): Promise<{ changed: boolean; partyId: string }> {
  assertRole(actor, ['podatelna', 'referent', 'vedouci', 'admin']);
  if (!input.partyId && !input.party) throw new DomainError('PARTY_REQUIRED', 'choose a party of the register or describe a new one');
  return ports.db.transaction(async (trx) => {
    const doc = await trx('documents').where({ id: input.documentId }).forUpdate().first();
    if (!doc) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} does not exist`);
    const file = await trx('files').where({ id: doc.file_id }).first();
    if (!file) throw new DomainError('FILE_NOT_FOUND', `the file of document ${doc.jid} does not exist`);
    await assertFileAccess(trx, actor, file);
    if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`, 'business');
    if (doc.state === 'cancelled') throw new DomainError('DOCUMENT_CANCELLED', `document ${doc.jid} is cancelled`, 'business');
    const now = ports.clock();
    let party: PartyRow | undefined;
    if (input.partyId) {
      party = await trx('parties').where({ id: input.partyId }).first();
      if (!party) throw new DomainError('PARTY_NOT_FOUND', `party ${input.partyId} does not exist`);
      // a merged duplicate stands for the party it was merged into
      if (party.merged_into) party = await trx('parties').where({ id: party.merged_into }).first();
    } else {
      party = (await findOrCreateParty(trx, actor, input.party!, now)).party;
    }
    const column = input.role === 'sender' ? 'sender_party_id' : 'addressee_party_id';
    const previous: string | null = doc[column];
    if (previous === party!.id) return { changed: false, partyId: party!.id };
    if (input.role === 'sender') {
      await trx('documents').where({ id: doc.id }).update({ sender_party_id: party!.id, sender_name: party!.display_name, sender_email: party!.email });
      await trx('journal').where({ document_id: doc.id }).update({ sender_party_id: party!.id, sender: party!.display_name, sender_norm: normalizeSearchText(party!.display_name) });
    } else {
      await trx('documents').where({ id: doc.id }).update({ addressee_party_id: party!.id });
      await trx('journal').where({ document_id: doc.id }).update({ addressee_party_id: party!.id, addressee: party!.display_name });
    }
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Uprava', objectType: 'Dokument', objectId: doc.id, occurredAt: now,
      details: { field: input.role, fromParty: previous, toParty: party!.id },
    });
    return { changed: true, partyId: party!.id };
  });
}
