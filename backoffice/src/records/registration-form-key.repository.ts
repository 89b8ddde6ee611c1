import type { Knex } from 'knex';

/** How long a filled-in form's key is kept: a second post of the same form comes within seconds, a day is plenty. */
const KEEP_MS = 24 * 60 * 60 * 1000;

export type FormKeyClaim = { state: 'claimed' } | { state: 'done'; documentId: string } | { state: 'pending' };

/**
 * Claims the key of a filled-in registration form for this user (table `registration_form_keys`): `claimed` the
 * first time; `done` with the document when the form was registered already; `pending` while another post of it
 * is being registered, or when the key is someone else's.
 */
export async function claimFormKey(db: Knex, key: string, username: string, at: Date): Promise<FormKeyClaim> {
  await db('registration_form_keys').where('created_at', '<', new Date(at.getTime() - KEEP_MS)).delete();
  const inserted = await db('registration_form_keys').insert({ key, username, document_id: null, created_at: at }).onConflict('key').ignore().returning('key');
  if (inserted.length) return { state: 'claimed' };
  const row = await db('registration_form_keys').where({ key }).first('username', 'document_id');
  if (row?.username === username && row.document_id) return { state: 'done', documentId: row.document_id };
  return { state: 'pending' };
}

/** The form's registration is done: later posts of it lead to this document. */
export async function completeFormKey(db: Knex, key: string, documentId: string): Promise<void> {
  await db('registration_form_keys').where({ key }).update({ document_id: documentId });
}

/** The registration was refused: the corrected form may be sent again with its key. */
export async function releaseFormKey(db: Knex, key: string): Promise<void> {
  await db('registration_form_keys').where({ key }).whereNull('document_id').delete();
}
