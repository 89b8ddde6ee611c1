import type { Knex } from 'knex';
import { appendAuditLogBatch, type AuditEntry } from '../src/audit-log';

/**
 * At most one live (not merged) party per strong identifier, enforced by the database, so that two
 * app processes recording the same new sender at the same moment cannot both insert it (within
 * one process the registration batches already see each other's parties). The identifier is the
 * one registration matches senders by (`partyIdentity`, `findSameParty` in
 * workers/src/records/parties): the IČO; else the data box; else the e-mail with the display
 * name — one partial unique index each, on exactly the columns and values the look-ups compare, so
 * that a row the index refuses is a row the look-up finds. Merged parties (`merged_into`) stay out:
 * they are kept for the history and may share an identifier with the party they were merged into.
 *
 * Live duplicates a race left behind would make the indexes fail to build. They are the same party
 * by the register's own rule (a registration reuses whichever of them it finds first), so each is
 * merged here into the earliest recorded one, as `mergeParties` merges: documents and journal rows
 * point at the kept party, the duplicate stays marked `merged_into`, missing contact details are
 * taken over, and both changes are written to the transaction log.
 */
const ACTOR = 'system:migration';

const IDENTITY_INDEXES = [
  'create unique index parties_live_company_id on parties (company_id) where merged_into is null and company_id is not null',
  'create unique index parties_live_data_box_id on parties (data_box_id) where merged_into is null and company_id is null and data_box_id is not null',
  'create unique index parties_live_email_name on parties (email, display_name) where merged_into is null and company_id is null and data_box_id is null and email is not null',
];

export async function up(knex: Knex): Promise<void> {
  const { rows } = await knex.raw<{ rows: { id: string; keep_id: string }[] }>(`
    select id, keep_id from (
      select id, first_value(id) over w as keep_id, row_number() over w as n
      from parties
      where merged_into is null and coalesce(company_id, data_box_id, email) is not null
      window w as (partition by
        case when company_id is not null then 'company' when data_box_id is not null then 'data-box' else 'email' end,
        coalesce(company_id, data_box_id, email),
        case when company_id is null and data_box_id is null then display_name end
        order by created_at, id)
    ) d where n > 1 order by keep_id, n`);
  const at = new Date();
  const audit: AuditEntry[] = [];
  for (const { id, keep_id: keepId } of rows) {
    const documents = await knex('documents').where({ sender_party_id: id }).update({ sender_party_id: keepId });
    await knex('documents').where({ addressee_party_id: id }).update({ addressee_party_id: keepId });
    await knex('journal').where({ sender_party_id: id }).update({ sender_party_id: keepId });
    await knex('journal').where({ addressee_party_id: id }).update({ addressee_party_id: keepId });
    await knex('parties').where({ id }).update({ merged_into: keepId, updated_at: at });
    await knex.raw(`update parties k set email = coalesce(k.email, d.email), phone = coalesce(k.phone, d.phone),
      data_box_id = coalesce(k.data_box_id, d.data_box_id), updated_at = ? from parties d where k.id = ? and d.id = ?`, [at, keepId, id]);
    audit.push(
      { actor: ACTOR, eventType: 'Uprava', objectType: 'Subjekt', objectId: keepId, details: { mergedFrom: id, documents, reason: 'duplicate identifier' }, occurredAt: at },
      { actor: ACTOR, eventType: 'Zruseni', objectType: 'Subjekt', objectId: id, details: { mergedInto: keepId, reason: 'duplicate identifier' }, occurredAt: at },
    );
  }
  await appendAuditLogBatch(knex as Knex.Transaction, audit);
  for (const sql of IDENTITY_INDEXES) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  // the merges stay: they are logged changes of the register, like those made by hand
  for (const name of ['parties_live_email_name', 'parties_live_data_box_id', 'parties_live_company_id']) await knex.raw(`drop index ${name}`);
}
