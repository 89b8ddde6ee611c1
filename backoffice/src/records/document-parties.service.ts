import { appendAuditLog } from '@openspis/db';
import { assertRole, auditActor, canAccessFile, DomainError, ensureDispatches, findOrCreateParty, normalizeSearchText, summariseDispatches, type Actor, type PartyInput, type PartyRow } from '@openspis/workers';
import type { Knex } from 'knex';

export type PartyRole = 'sender' | 'addressee';

/** Who keeps the parties of documents: the registry office and the handlers. */
export const PARTY_EDITORS = ['podatelna', 'referent', 'vedouci', 'admin'] as const;

/**
 * On what ground the actor may change the parties of a document:
 * - `unit`: they see its file (their unit's, shared with it, or a records role);
 * - `registry-office`: a registry-office clerk (podatelna) correcting an incoming document the
 *   registry office registered (the clerk, a colleague of the same unit, or its electronic intake,
 *   `system:*`) for any unit, as long as it is not settled or cancelled.
 * Anything else is refused (FILE_ACCESS_DENIED; a settled document of another unit: PARTY_DOCUMENT_SETTLED).
 */
export async function partyEditAccess(
  db: Knex,
  actor: Actor,
  doc: { direction: string; state: string; created_by: string | null },
  file: { id: string; org_unit: string | null },
): Promise<'unit' | 'registry-office'> {
  assertRole(actor, PARTY_EDITORS);
  const shares: string[] = await db('file_shares').where({ file_id: file.id }).pluck('org_unit');
  if (canAccessFile(actor, file, shares)) return 'unit';
  if (!actor.roles.includes('podatelna') || doc.direction !== 'incoming' || !(await registeredByRegistryOffice(db, actor, doc.created_by))) {
    throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not change the parties of a document of file ${file.id}`);
  }
  if (doc.state !== 'registered') throw new DomainError('PARTY_DOCUMENT_SETTLED', `the document is ${doc.state}; the registry office corrects only unsettled documents of other units`, 'business');
  return 'registry-office';
}

async function registeredByRegistryOffice(db: Knex, actor: Actor, createdBy: string | null): Promise<boolean> {
  if (!createdBy) return false;
  if (createdBy.startsWith('system:')) return true; // electronic intake (portal, e-mail, data box) registers in the registry office's name
  const username = createdBy.startsWith('user:') ? createdBy.slice(5) : createdBy;
  if (username === actor.username) return true;
  if (!actor.orgUnit) return false;
  const creator = await db('users').where({ username }).first('org_unit');
  return creator?.org_unit === actor.orgUnit;
}

/**
 * Sets the sender or the addressee of a document to a party of the register (by id) or to a party
 * described in the form (reused when the register already has it, recorded otherwise). The document
 * and its journal row change together, logged as Uprava of the document with the party ids only (no
 * personal data in the log) and, for the registry office's correction, its ground. Only while the
 * document's file is open and the document not cancelled; the actor must pass `partyEditAccess`.
 */
export async function changeDocumentParty(
  ports: { db: Knex; clock: () => Date },
  actor: Actor,
  input: { documentId: string; role: PartyRole; partyId?: string | null; party?: PartyInput | null },
): Promise<{ changed: boolean; partyId: string; access: 'unit' | 'registry-office' }> {
  assertRole(actor, PARTY_EDITORS);
  if (!input.partyId && !input.party) throw new DomainError('PARTY_REQUIRED', 'choose a party of the register or describe a new one');
  return ports.db.transaction(async (trx) => {
    const doc = await trx('documents').where({ id: input.documentId }).forUpdate().first();
    if (!doc) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} does not exist`);
    const file = await trx('files').where({ id: doc.file_id }).first();
    if (!file) throw new DomainError('FILE_NOT_FOUND', `the file of document ${doc.jid} does not exist`);
    const access = await partyEditAccess(trx, actor, doc, file);
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
    if (previous === party!.id) return { changed: false, partyId: party!.id, access };
    if (input.role === 'sender') {
      await trx('documents').where({ id: doc.id }).update({ sender_party_id: party!.id, sender_name: party!.display_name, sender_email: party!.email });
      await trx('journal').where({ document_id: doc.id }).update({ sender_party_id: party!.id, sender: party!.display_name, sender_norm: normalizeSearchText(party!.display_name) });
    } else {
      await trx('documents').where({ id: doc.id }).update({ addressee_party_id: party!.id });
      await trx('journal').where({ document_id: doc.id }).update({ addressee_party_id: party!.id, addressee: party!.display_name });
      if (doc.direction === 'outgoing') {
        // the addressee of the document is its first dispatch's; one already made keeps whom it went to
        const [first] = await ensureDispatches(trx, doc);
        if (first?.state === 'created') await trx('document_dispatches').where({ id: first.id }).update({ party_id: party!.id, addressee: party!.display_name });
        await summariseDispatches(trx, doc.id);
      }
    }
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Uprava', objectType: 'Dokument', objectId: doc.id, occurredAt: now,
      details: { field: input.role, fromParty: previous, toParty: party!.id, ...(access === 'registry-office' ? { access, fileUnit: file.org_unit } : {}) },
    });
    return { changed: true, partyId: party!.id, access };
  });
}
