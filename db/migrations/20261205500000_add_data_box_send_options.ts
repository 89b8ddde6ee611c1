import type { Knex } from 'knex';

/**
 * What the registry office sets on a data message besides the document (gMessageEnvelopeSub): "to
 * the hands of" (dmToHands), delivery into the addressee's own hands (dmPersonalDelivery) and the
 * legal title the office delivers under (dmLegalTitle*: law number and year, section, paragraph,
 * letter). Kept with the durable request, so the sender sends what was asked for.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('data_box_sends', (t) => {
    t.text('to_hands');
    t.boolean('personal_delivery').notNullable().defaultTo(false);
    t.integer('legal_title_law');
    t.integer('legal_title_year');
    t.text('legal_title_sect');
    t.text('legal_title_par');
    t.text('legal_title_point');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('data_box_sends', (t) => {
    for (const c of ['to_hands', 'personal_delivery', 'legal_title_law', 'legal_title_year', 'legal_title_sect', 'legal_title_par', 'legal_title_point']) t.dropColumn(c);
  });
}
