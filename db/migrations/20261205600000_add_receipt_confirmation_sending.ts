import type { Knex } from 'knex';

/**
 * Sending the sealed confirmation of receipt of a document received by e-mail back to its sender:
 * when a run claimed it (`send_claimed_at`, so two runs at once send it once; a claim older than the
 * lease is a crashed run's and is taken again), when and to which address it was sent (`sent_at`,
 * `sent_to`), and why the last attempt failed (`send_error`, the transport's code only).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('receipt_confirmations', (t) => {
    t.timestamp('send_claimed_at', { useTz: true });
    t.timestamp('sent_at', { useTz: true });
    t.text('sent_to');
    t.text('send_error');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('receipt_confirmations', (t) => {
    t.dropColumn('send_error');
    t.dropColumn('sent_to');
    t.dropColumn('sent_at');
    t.dropColumn('send_claimed_at');
  });
}
