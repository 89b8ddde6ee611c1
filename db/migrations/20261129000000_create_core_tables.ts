import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // installation-wide settings, e.g. the secret that signs tracking links
  await knex.schema.createTable('settings', (t) => {
    t.text('key').primary();
    t.text('value').notNullable();
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('username').notNullable().unique();
    t.text('display_name').notNullable();
    t.text('email');
    t.text('password_hash').notNullable();
    t.text('org_unit');
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('user_roles', (t) => {
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('role').notNullable();
    t.primary(['user_id', 'role']);
  });
  await knex.schema.createTable('sessions', (t) => {
    t.text('id').primary(); // sha256 of the cookie token
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });

  // content-addressed store of component bytes
  await knex.schema.createTable('blobs', (t) => {
    t.text('sha256').primary();
    t.integer('size').notNullable();
    t.binary('content').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('files', (t) => {
    t.uuid('id').primary();
    t.text('file_reference').notNullable().unique();
    t.text('subject').notNullable();
    t.text('state').notNullable().defaultTo('open'); // open | closed
    t.text('class_code');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('closed_at', { useTz: true });
  });

  await knex.schema.createTable('submissions', (t) => {
    t.uuid('id').primary();
    t.text('service_code').notNullable();
    t.text('locale').notNullable().defaultTo('cs');
    t.text('status').notNullable(); // received | registered | in-progress | answered | withdrawn
    t.jsonb('form_data').notNullable();
    t.text('applicant_name');
    t.text('applicant_email');
    t.timestamp('tracking_expires_at', { useTz: true }).notNullable();
    t.text('process_instance_key');
    t.text('reference_number');
    t.uuid('document_id');
    t.uuid('answer_document_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // files attached to a submission, kept until registration turns them into components
  await knex.schema.createTable('submission_attachments', (t) => {
    t.uuid('id').primary();
    t.uuid('submission_id').notNullable().references('submissions.id').onDelete('CASCADE');
    t.text('field_key').notNullable();
    t.text('blob_sha256').notNullable().references('blobs.sha256');
    t.text('file_name').notNullable();
    t.text('media_type').notNullable();
    t.integer('size').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['submission_id']);
  });
  await knex.schema.createTable('submission_events', (t) => {
    t.bigIncrements('id');
    t.uuid('submission_id').notNullable().references('submissions.id').onDelete('CASCADE');
    t.text('status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['submission_id']);
  });

  await knex.raw('create sequence jid_seq');
  await knex.schema.createTable('documents', (t) => {
    t.uuid('id').primary();
    t.text('jid').notNullable().unique();
    t.uuid('file_id').references('files.id');
    t.text('direction').notNullable(); // incoming | outgoing
    t.text('subject').notNullable();
    t.text('sender_name');
    t.text('sender_email');
    t.text('reference_number');
    t.uuid('submission_id').references('submissions.id');
    t.uuid('in_reply_to').references('documents.id');
    t.text('state').notNullable(); // registered | settled (incoming); created | dispatched (outgoing)
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('settled_at', { useTz: true });
    t.text('settled_by');
    t.text('settlement_method');
    t.index(['file_id']);
    t.index(['submission_id']);
  });
  await knex.schema.createTable('components', (t) => {
    t.uuid('id').primary();
    t.uuid('document_id').notNullable().references('documents.id');
    t.text('blob_sha256').notNullable().references('blobs.sha256');
    t.text('file_name').notNullable();
    t.text('media_type').notNullable();
    t.integer('size').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['document_id']);
  });

  // registry journal (podací deník): one row per registered document, gap-free per office and year
  await knex.schema.createTable('journal_counters', (t) => {
    t.text('office').notNullable();
    t.integer('year').notNullable();
    t.integer('last_seq').notNullable();
    t.primary(['office', 'year']);
  });
  await knex.schema.createTable('journal', (t) => {
    t.bigIncrements('id');
    t.text('office').notNullable();
    t.integer('year').notNullable();
    t.integer('seq').notNullable();
    t.text('reference_number').notNullable().unique();
    t.text('jid').notNullable();
    t.uuid('document_id').notNullable().unique().references('documents.id');
    t.uuid('file_id').notNullable().references('files.id');
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.text('subject').notNullable();
    t.text('sender').notNullable();
    t.text('handled_by');
    t.timestamp('settled_at', { useTz: true });
    t.text('settlement_method');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['office', 'year', 'seq']);
  });

  // transaction log (transakční protokol), append-only and hash-chained
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.text('actor').notNullable(); // user:<username> | system:<component>
    t.text('event_type').notNullable(); // NSESSS: Zalozeni, Uprava, Zobrazeni, Vyrizeni, ...
    t.text('object_type').notNullable(); // NSESSS: Dokument, Spis, Komponenta, ...
    t.text('object_id').notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable();
  });
  await knex.schema.createTable('audit_log_head', (t) => {
    t.integer('id').primary();
    t.text('last_hash').notNullable();
  });
  await knex('audit_log_head').insert({ id: 1, last_hash: '0'.repeat(64) });

  await knex.schema.createTable('outbox_emails', (t) => {
    t.bigIncrements('id');
    t.text('idempotency_key').notNullable().unique();
    t.text('to_address').notNullable();
    t.text('subject').notNullable();
    t.text('text_body').notNullable();
    t.text('html_body');
    t.text('status').notNullable().defaultTo('pending'); // pending | sent | failed
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'outbox_emails', 'audit_log_head', 'audit_log', 'journal', 'journal_counters', 'components',
    'documents', 'submission_events', 'submission_attachments', 'submissions', 'files', 'blobs', 'sessions', 'user_roles', 'users', 'settings',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('drop sequence if exists jid_seq');
}
