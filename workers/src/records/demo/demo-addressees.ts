import { addDispatchAddressee } from '../dispatch/dispatch-addressees';
import { listDocumentDispatches } from '../dispatch/document-dispatches.repository';
import { recordDelivery } from '../dispatch/record-delivery';
import { recordDispatch } from '../dispatch/record-dispatch';
import { findOrCreateParty, type PartyInput } from '../parties/parties.service';
import type { Actor } from '../records.model';
import type { WorkerPorts } from '../../shared/ports';

type Ports = Pick<WorkerPorts, 'db' | 'clock'>;

/** Further parties of the proceeding a decision goes to, each with its own dispatch (by data box when it has one). */
export async function addFurtherAddressees(ports: Ports, actor: Actor, documentId: string, parties: PartyInput[]): Promise<void> {
  for (const p of parties) {
    const { party } = await ports.db.transaction((trx) => findOrCreateParty(trx, actor, p, ports.clock()));
    const known = await listDocumentDispatches(ports.db, documentId);
    if (!known.some((d) => d.party_id === party.id)) await addDispatchAddressee(ports, actor, { documentId, partyId: party.id });
  }
}

/** The dispatch to every addressee still waiting for it. */
export async function dispatchToAll(ports: Ports, actor: Actor, documentId: string): Promise<void> {
  const dispatches = await listDocumentDispatches(ports.db, documentId);
  // a single addressee never dispatched has no dispatch row yet: the dispatch makes it
  if (!dispatches.length) await recordDispatch(ports, actor, { documentId });
  for (const d of dispatches) {
    if (d.state === 'created') await recordDispatch(ports, actor, { documentId, dispatchId: d.id });
  }
}

/** The delivery to every addressee it was dispatched to; `deemed` for the first (the applicant's). */
export async function deliverToAll(ports: Ports, actor: Actor, documentId: string, deemed = false): Promise<void> {
  for (const d of await listDocumentDispatches(ports.db, documentId)) {
    if (d.state === 'dispatched') await recordDelivery(ports, actor, { documentId, dispatchId: d.id, deemed: deemed && d.position === 1 });
  }
}
