import type Router from '@koa/router';
import { appendAuditLog } from '@openspis/db';
import { canAccessFile, type Actor } from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import type { PageFn } from './records-centre.route';
import { DISPATCH_DESK } from './records-dispatch.route';

export interface DocumentPageDeps {
  db: Knex;
  clock: () => Date;
  page: PageFn;
  actorOf: (ctx: Ctx) => Actor;
}

/** How a component version came about (`components.derivation`; `original` for none), each with its label in `records:document.derivations`. */
export const COMPONENT_DERIVATIONS = ['original', 'converted', 'sealed', 'unpacked', 'delivery-receipt', 'receipt-confirmation', 'verification-report'] as const;

/** How many of a document's transaction-log entries its page lists (the newest; the whole log is in `log export`). */
export const HISTORY_LIMIT = 200;

/**
 * Whether the user may read a document of the records service and its components: whoever sees its
 * file (its unit, a unit it is shared with, the records roles), whoever registered or created it,
 * and the dispatch desk for outgoing documents (the registry office prints and sends them).
 */
export async function mayReadDocument(db: Knex, actor: Actor, doc: { file_id: string | null; created_by: string; direction: string }): Promise<boolean> {
  return (await documentAccess(db, actor, doc)).may;
}

/** `mayReadDocument` with what it read: the document's file and whether the user sees that file (the page links to it only then). */
async function documentAccess(db: Knex, actor: Actor, doc: { file_id: string | null; created_by: string; direction: string }) {
  const file = doc.file_id ? await db('files').where({ id: doc.file_id }).first('id', 'file_reference', 'subject', 'org_unit', 'state') : null;
  const shares: string[] = file ? await db('file_shares').where({ file_id: file.id }).pluck('org_unit') : [];
  const fileVisible = canAccessFile(actor, file ?? { org_unit: null }, shares);
  const may = doc.created_by === `user:${actor.username}` || (doc.direction === 'outgoing' && actor.roles.some((r) => DISPATCH_DESK.includes(r))) || fileVisible;
  return { may, file, fileVisible: !!file && fileVisible };
}

/** Users' display names for the log's actors (`user:<name>`); machine actors keep their names. */
async function actorNames(db: Knex, actors: string[]): Promise<Map<string, string>> {
  const usernames = [...new Set(actors.filter((a) => a.startsWith('user:')).map((a) => a.slice(5)))];
  const rows: { username: string; display_name: string }[] = usernames.length ? await db('users').whereIn('username', usernames).select('username', 'display_name') : [];
  const names = new Map(rows.map((r) => [`user:${r.username}`, r.display_name]));
  return new Map(actors.map((a) => [a, names.get(a) ?? a]));
}

/**
 * The document page: the registry journal's entry of one document (every field the law asks for),
 * its components with every version (original, converted, sealed; a destroyed one without its
 * content) to download, its moves between files and its history from the transaction log.
 * Displaying it is an event of the transaction log (NSESSS: Zobrazeni of the Dokument), as
 * downloading a component is (Zobrazeni of the Komponenta, on /components/:id).
 */
export function addDocumentPageRoutes(router: Router<AppState>, deps: DocumentPageDeps): void {
  router.get('/documents/:id', async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    const id = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const doc = await deps.db('documents').where({ id }).first();
    if (!doc) throw new AppError('NOT_FOUND');
    const { may, file, fileVisible } = await documentAccess(deps.db, actor, doc);
    if (!may) throw new AppError('FORBIDDEN');
    const [entry, components, seals, moves, parties] = await Promise.all([
      deps.db('journal').where({ document_id: id }).first(),
      deps.db('components').where({ document_id: id }).orderBy([{ column: 'created_at' }, { column: 'version' }])
        .select('id', 'file_name', 'media_type', 'size', 'version', 'format', 'derivation', 'source_component_id', 'created_at', 'destroyed_at'),
      deps.db('component_seals').where({ document_id: id }).select('sealed_component_id', 'level', 'signer_subject', 'qualified', 'signing_time', 'timestamp_time'),
      deps.db('document_file_moves as m').leftJoin('files as f', 'f.id', 'm.from_file_id').leftJoin('files as t', 't.id', 'm.to_file_id').where('m.document_id', id)
        .orderBy('m.id').select('m.moved_at', 'm.moved_by', 'm.reason', 'f.file_reference as from_reference', 't.file_reference as to_reference'),
      deps.db('parties').whereIn('id', [doc.sender_party_id, doc.addressee_party_id].filter(Boolean)).select('id', 'display_name'),
    ]);
    const componentIds = components.map((c: { id: string }) => c.id);
    const history = await deps.db('audit_log')
      .where((w) => {
        w.where({ object_type: 'Dokument', object_id: id });
        if (componentIds.length) w.orWhere((c) => c.where('object_type', 'Komponenta').whereIn('object_id', componentIds));
      })
      .orderBy('id', 'desc').limit(HISTORY_LIMIT).select('id', 'occurred_at', 'actor', 'event_type', 'object_type', 'object_id');
    // the journal and the documents keep usernames (`referent`) or log actors (`user:referent`): people are shown by name
    const people = [doc.created_by, doc.settled_by, doc.cancelled_by, entry?.handled_by].filter(Boolean).map((u: string) => (u.includes(':') ? u : `user:${u}`));
    const names = await actorNames(deps.db, [...history.map((h: { actor: string }) => h.actor), ...moves.map((m: { moved_by: string }) => m.moved_by), ...people]);
    const person = (u: string | null | undefined) => (u ? names.get(u.includes(':') ? u : `user:${u}`) ?? u : null);
    const sealOf = new Map(seals.map((s: { sealed_component_id: string }) => [s.sealed_component_id, s]));
    const nameOf = new Map(components.map((c: { id: string; file_name: string; version: number }) => [c.id, `${c.file_name} (v${c.version})`]));
    await deps.db.transaction((trx) => appendAuditLog(trx, { actor: `user:${actor.username}`, eventType: 'Zobrazeni', objectType: 'Dokument', objectId: id, occurredAt: deps.clock() }));
    deps.page(ctx, 'records-document', {
      title: ctx.state.t('records:document.title', { reference: entry?.reference_number ?? doc.jid }),
      doc, entry, file, fileVisible,
      people: { createdBy: person(doc.created_by), settledBy: person(doc.settled_by), cancelledBy: person(doc.cancelled_by), handler: person(entry?.handled_by) },
      sender: parties.find((p: { id: string }) => p.id === doc.sender_party_id)?.display_name ?? entry?.sender ?? doc.sender_name,
      // an outgoing document's journal row names every addressee; the first one's party otherwise
      addressee: (doc.direction === 'outgoing' ? entry?.addressee : null) ?? parties.find((p: { id: string }) => p.id === doc.addressee_party_id)?.display_name ?? entry?.addressee ?? null,
      components: components.map((c: { id: string; derivation: string | null; source_component_id: string | null; destroyed_at: Date | null }) => ({
        ...c, derivation: c.derivation ?? 'original', seal: sealOf.get(c.id) ?? null, source: c.source_component_id ? nameOf.get(c.source_component_id) ?? null : null, available: !c.destroyed_at,
      })),
      moves: moves.map((m: { moved_by: string }) => ({ ...m, by: names.get(m.moved_by) ?? m.moved_by })),
      history: history.map((h: { actor: string; object_type: string; object_id: string }) => ({
        ...h, by: names.get(h.actor) ?? h.actor, component: h.object_type === 'Komponenta' ? nameOf.get(h.object_id) ?? null : null,
      })),
      historyCut: history.length === HISTORY_LIMIT,
    });
  });
}
