import type { Knex } from 'knex';

/**
 * Records management (spisová služba, NSESSS 2023): organisational units, the versioned file plan,
 * the parties register, typed files with parts, the full registry journal, receipts, document
 * moves between files and file sharing. Lifecycle columns (closure, records centre, disposal) are
 * here too so the disposal area builds on the same tables.
 */
export async function up(knex: Knex): Promise<void> {
  // organisational units (útvary); users.org_unit holds the code
  await knex.schema.createTable('org_units', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('parent_code').references('org_units.code');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // file plan (spisový a skartační plán), versioned by validity period
  await knex.schema.createTable('file_plans', (t) => {
    t.uuid('id').primary();
    t.text('identifier').notNullable().unique();
    t.text('title').notNullable();
    t.text('issuer').notNullable(); // the office that issued it (Vydavatel)
    t.text('comment');
    t.date('valid_from').notNullable();
    t.date('valid_to'); // null: still valid
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('file_classes', (t) => {
    t.uuid('id').primary();
    t.uuid('plan_id').notNullable().references('file_plans.id').onDelete('CASCADE');
    t.uuid('parent_id').references('file_classes.id');
    t.text('simple_code').notNullable(); // jednoduchý spisový znak, e.g. "3"
    t.text('class_code').notNullable(); // plně určený spisový znak, e.g. "1.2.3"
    t.text('title').notNullable();
    t.text('comment');
    // retention (skartační režim); null on grouping classes that have children
    t.text('retention_id'); // identifier of the skartační režim, e.g. "A/10"
    t.text('disposal_code'); // A | S | V (V only for legacy data)
    t.integer('retention_years');
    t.text('trigger_event'); // spouštěcí událost, e.g. "uzavření spisu"
    t.text('retention_reason'); // odůvodnění
    t.text('numbering_method').notNullable().defaultTo('collection-sheet'); // collection-sheet (sběrný arch) | priorace
    t.boolean('for_typed_files').notNullable().defaultTo(false);
    t.boolean('permanent_disposal_consent').notNullable().defaultTo(false); // trvalý skartační souhlas
    t.date('valid_from').notNullable();
    t.date('valid_to');
    t.integer('sort_order').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['plan_id', 'class_code']);
    t.index(['parent_id']);
  });
  await knex.raw(`alter table file_classes add constraint file_classes_disposal_code check (disposal_code in ('A','S','V'))`);
  await knex.raw(`alter table file_classes add constraint file_classes_numbering check (numbering_method in ('collection-sheet','priorace'))`);

  // parties register (jmenný rejstřík)
  await knex.schema.createTable('parties', (t) => {
    t.uuid('id').primary();
    t.text('kind').notNullable(); // person | organisation | authority
    t.text('display_name').notNullable();
    t.text('given_name');
    t.text('family_name');
    t.text('organisation_name');
    t.text('company_id'); // IČO
    t.date('birth_date');
    t.text('email');
    t.text('phone');
    t.text('data_box_id'); // ID datové schránky
    t.text('street');
    t.text('city');
    t.text('postcode');
    t.text('country').notNullable().defaultTo('CZ');
    t.text('search_text').notNullable(); // lower-case, accents removed: name, IČO, e-mail, data box, city
    t.uuid('merged_into').references('parties.id'); // set when merged as a duplicate
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['company_id']);
    t.index(['data_box_id']);
    t.index(['email']);
  });
  await knex.raw(`alter table parties add constraint parties_kind check (kind in ('person','organisation','authority'))`);
  await knex.raw(`create index parties_search_text on parties (search_text text_pattern_ops)`);

  // typed files (typový spis) consist of parts (součásti); a volume (díl) of a typed file is a file row with part_id
  await knex.schema.createTable('file_parts', (t) => {
    t.uuid('id').primary();
    t.uuid('typed_file_id').notNullable().references('files.id');
    t.text('code').notNullable();
    t.text('title').notNullable();
    t.text('disposal_code');
    t.integer('retention_years');
    t.text('trigger_event');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['typed_file_id', 'code']);
  });

  await knex.schema.alterTable('files', (t) => {
    t.text('kind').notNullable().defaultTo('file'); // file | typed | volume
    t.uuid('part_id').references('file_parts.id'); // volume (díl): the part of a typed file it belongs to
    t.uuid('class_id').references('file_classes.id');
    t.text('numbering_method').notNullable().defaultTo('collection-sheet');
    t.text('office');
    t.integer('year'); // year and running number of the initiating document (for collection-sheet numbering)
    t.integer('seq');
    t.integer('last_order').notNullable().defaultTo(0); // order of the last document inside the file
    t.uuid('initiating_document_id');
    t.text('org_unit');
    t.text('owner'); // responsible user (username)
    // retention, inherited from the class; documents may push it to something more severe
    t.text('disposal_code');
    t.integer('retention_years');
    t.text('trigger_event');
    t.date('trigger_date'); // when the trigger event happened (closure by default)
    t.integer('disposal_year'); // first year the file may be proposed for disposal
    t.text('subject_norm').notNullable().defaultTo('');
    t.timestamp('settled_at', { useTz: true });
    t.text('closed_by');
    t.text('closure_reason');
    t.timestamp('reopened_at', { useTz: true });
    t.timestamp('records_centre_at', { useTz: true }); // handed over to the records centre (spisovna)
    t.text('records_centre_by');
    t.text('storage_unit'); // ukládací jednotka in the records centre
    t.text('archive_id'); // the archive's identifier after transfer
    t.timestamp('disposed_at', { useTz: true }); // transferred (A) or destroyed (S)
    t.boolean('disposal_hold').notNullable().defaultTo(false); // pozastavení skartační operace
    t.timestamp('cancelled_at', { useTz: true }); // storno
    t.text('cancelled_by');
    t.text('created_by');
    t.index(['state']);
    t.index(['class_id']);
    t.index(['org_unit']);
    t.index(['created_at']);
  });
  // open | closed | in-records-centre | in-disposal | transferred | destroyed | cancelled
  await knex.raw(`alter table files add constraint files_kind check (kind in ('file','typed','volume'))`);
  await knex.raw(`alter table files add constraint files_numbering check (numbering_method in ('collection-sheet','priorace'))`);
  await knex.raw(`alter table files add constraint files_disposal_code check (disposal_code in ('A','S','V'))`);
  await knex.raw(`create index files_subject_norm on files (subject_norm text_pattern_ops)`);

  await knex.schema.createTable('file_shares', (t) => {
    t.uuid('file_id').notNullable().references('files.id').onDelete('CASCADE');
    t.text('org_unit').notNullable();
    t.text('shared_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['file_id', 'org_unit']);
  });

  await knex.schema.alterTable('documents', (t) => {
    t.uuid('sender_party_id').references('parties.id');
    t.uuid('addressee_party_id').references('parties.id');
    t.text('sender_reference'); // the sender's reference number (č.j. odesílatele)
    t.date('sender_reference_date');
    t.text('channel'); // portal | email | data-box | post | personal | internal
    t.text('form').notNullable().defaultTo('electronic'); // electronic | analog
    t.integer('attachments_count').notNullable().defaultTo(0);
    t.text('attachments_kind');
    t.integer('order_in_file');
    t.text('org_unit');
    t.text('handler'); // username of the handling person
    t.text('disposal_code');
    t.integer('retention_years');
    t.text('trigger_event');
    t.text('settlement_note');
    t.timestamp('dispatched_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('cancelled_at', { useTz: true });
    t.text('cancelled_by');
    t.index(['sender_party_id']);
  });

  await knex.schema.alterTable('journal', (t) => {
    t.integer('order_in_file').notNullable().defaultTo(1);
    t.text('file_reference');
    t.text('direction').notNullable().defaultTo('incoming');
    t.text('channel');
    t.text('form').notNullable().defaultTo('electronic');
    t.uuid('sender_party_id').references('parties.id');
    t.text('sender_reference');
    t.date('sender_reference_date');
    t.text('addressee');
    t.uuid('addressee_party_id').references('parties.id');
    t.integer('attachments_count').notNullable().defaultTo(0);
    t.text('attachments_kind');
    t.integer('components_count').notNullable().defaultTo(0);
    t.text('org_unit');
    t.text('class_code');
    t.text('disposal_code');
    t.integer('retention_years');
    t.text('settled_by');
    t.text('settlement_note');
    t.timestamp('dispatched_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('cancelled_at', { useTz: true });
    t.text('state').notNullable().defaultTo('registered'); // registered | settled | cancelled
    t.text('subject_norm').notNullable().defaultTo('');
    t.text('sender_norm').notNullable().defaultTo('');
  });
  // a collection-sheet file keeps the running number of its first document; its documents differ by order
  await knex.raw('alter table journal drop constraint journal_office_year_seq_unique');
  await knex.raw('alter table journal add constraint journal_office_year_seq_order_unique unique (office, year, seq, order_in_file)');
  await knex.raw('create index journal_received_at on journal (received_at)');
  await knex.raw('create index journal_file_id on journal (file_id)');
  await knex.raw('create index journal_jid on journal (jid)');
  await knex.raw('create index journal_class_code on journal (class_code)');
  await knex.raw('create index journal_state on journal (state)');
  await knex.raw('create index journal_subject_norm on journal (subject_norm text_pattern_ops)');
  await knex.raw('create index journal_sender_norm on journal (sender_norm text_pattern_ops)');
  await knex.raw('create index journal_reference_pattern on journal (reference_number text_pattern_ops)');

  // confirmation of receipt (potvrzení o přijetí) of an electronic submission
  await knex.schema.createTable('receipt_confirmations', (t) => {
    t.uuid('id').primary();
    t.uuid('document_id').notNullable().unique().references('documents.id');
    t.text('channel').notNullable();
    t.text('recipient').notNullable();
    t.text('text').notNullable();
    t.timestamp('issued_at', { useTz: true }).notNullable();
  });

  // history of moving documents between files (vyjmutí ze spisu / vložení do spisu)
  await knex.schema.createTable('document_file_moves', (t) => {
    t.bigIncrements('id');
    t.uuid('document_id').notNullable().references('documents.id');
    t.uuid('from_file_id').references('files.id');
    t.uuid('to_file_id').notNullable().references('files.id');
    t.integer('from_order');
    t.integer('to_order').notNullable();
    t.text('reason');
    t.text('moved_by').notNullable();
    t.timestamp('moved_at', { useTz: true }).notNullable();
    t.index(['document_id']);
  });

  await knex.raw('create index audit_log_occurred_at on audit_log (occurred_at)');
  await knex.raw('create index audit_log_object on audit_log (object_type, object_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists audit_log_object');
  await knex.raw('drop index if exists audit_log_occurred_at');
  await knex.schema.dropTableIfExists('document_file_moves');
  await knex.schema.dropTableIfExists('receipt_confirmations');
  await knex.raw('alter table journal drop constraint journal_office_year_seq_order_unique');
  await knex.schema.alterTable('journal', (t) => {
    t.dropColumns('order_in_file', 'file_reference', 'direction', 'channel', 'form', 'sender_party_id', 'sender_reference', 'sender_reference_date',
      'addressee', 'addressee_party_id', 'attachments_count', 'attachments_kind', 'components_count', 'org_unit', 'class_code', 'disposal_code',
      'retention_years', 'settled_by', 'settlement_note', 'dispatched_at', 'delivered_at', 'cancelled_at', 'state', 'subject_norm', 'sender_norm');
  });
  await knex.raw('drop index if exists journal_received_at, journal_file_id, journal_jid, journal_class_code, journal_state, journal_reference_pattern');
  await knex.raw('alter table journal add constraint journal_office_year_seq_unique unique (office, year, seq)');
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumns('sender_party_id', 'addressee_party_id', 'sender_reference', 'sender_reference_date', 'channel', 'form', 'attachments_count',
      'attachments_kind', 'order_in_file', 'org_unit', 'handler', 'disposal_code', 'retention_years', 'trigger_event', 'settlement_note',
      'dispatched_at', 'delivered_at', 'cancelled_at', 'cancelled_by');
  });
  await knex.schema.dropTableIfExists('file_shares');
  await knex.raw('alter table files drop constraint if exists files_kind, drop constraint if exists files_numbering, drop constraint if exists files_disposal_code');
  await knex.schema.alterTable('files', (t) => {
    t.dropColumns('kind', 'part_id', 'class_id', 'numbering_method', 'office', 'year', 'seq', 'last_order', 'initiating_document_id', 'org_unit', 'owner',
      'disposal_code', 'retention_years', 'trigger_event', 'trigger_date', 'disposal_year', 'subject_norm', 'settled_at', 'closed_by', 'closure_reason',
      'reopened_at', 'records_centre_at', 'records_centre_by', 'storage_unit', 'archive_id', 'disposed_at', 'disposal_hold', 'cancelled_at',
      'cancelled_by', 'created_by');
  });
  await knex.schema.dropTableIfExists('file_parts');
  await knex.schema.dropTableIfExists('parties');
  await knex.schema.dropTableIfExists('file_classes');
  await knex.schema.dropTableIfExists('file_plans');
  await knex.schema.dropTableIfExists('org_units');
}
