import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * What the lifecycle tests stand on: two organisational units, the people (referent, vedoucí,
 * spisovna), and a small file plan — class 3 Doprava with 3.2 (A/10) and 3.3 (S/5).
 */
export async function seedRecordsBasics(db: Knex): Promise<{ planId: string; classIds: Record<string, string> }> {
  await db('org_units').insert([{ code: 'OD', name: 'Odbor dopravy' }, { code: 'SP', name: 'Spisovna' }]).onConflict('code').ignore();
  for (const [username, name, unit, role] of [
    ['referent', 'Petra Referentová', 'OD', 'referent'],
    ['referent2', 'Jan Druhý', 'OD', 'referent'],
    ['vedouci', 'Marie Vedoucí', 'OD', 'vedouci'],
    ['spisovna', 'Karel Spisový', 'SP', 'spisovna'],
  ]) {
    const [user] = await db('users').insert({ username, display_name: name, org_unit: unit, password_hash: 'not-a-login' }).returning('id');
    await db('user_roles').insert({ user_id: user.id ?? user, role });
  }
  const planId = randomUUID();
  await db('file_plans').insert({ id: planId, identifier: 'SP-2015', title: 'Spisový a skartační plán 2015', issuer: 'Magistrát města Karlovy Vary', valid_from: '2015-01-01' });
  const classIds: Record<string, string> = {};
  const add = async (code: string, simple: string, title: string, parent: string | null, retention: [string, number] | null) => {
    const id = randomUUID();
    classIds[code] = id;
    await db('file_classes').insert({
      id, plan_id: planId, parent_id: parent ? classIds[parent] : null, simple_code: simple, class_code: code, title, valid_from: '2015-01-01',
      ...(retention ? { retention_id: `${retention[0]}/${retention[1]}`, disposal_code: retention[0], retention_years: retention[1], trigger_event: 'uzavření spisu', retention_reason: 'spisový plán' } : {}),
    });
  };
  await add('3', '3', 'Doprava', null, null);
  await add('3.2', '2', 'Zvláštní užívání komunikací', '3', ['A', 10]);
  await add('3.3', '3', 'Stížnosti na stav komunikací', '3', ['S', 5]);
  return { planId, classIds };
}

let counter = 0;

/** An open file of unit OD with one incoming document (registered) and its components, written directly. */
export async function insertOpenFile(
  db: Knex,
  opts: { classId: string; createdBy?: string; at?: Date; components: { name: string; type: string; content: Buffer }[] },
): Promise<{ fileId: string; documentId: string; fileReference: string; componentIds: string[] }> {
  counter += 1;
  const at = opts.at ?? new Date('2015-03-02T09:00:00Z');
  const fileId = randomUUID();
  const documentId = randomUUID();
  const fileReference = `MMKV/${900 + counter}/2015`;
  const { createHash } = await import('node:crypto');
  const componentIds: string[] = [];
  await db.transaction(async (trx) => {
    await trx('files').insert({ id: fileId, file_reference: fileReference, subject: `Spis ${counter}`, state: 'open', kind: 'file', class_id: opts.classId, org_unit: 'OD', owner: 'referent', office: 'MMKV', year: 2015, seq: 900 + counter, created_by: opts.createdBy ?? 'user:referent', created_at: at });
    await trx('documents').insert({ id: documentId, jid: `MMKV${String(900000 + counter)}`, file_id: fileId, direction: 'incoming', subject: `Podání ${counter}`, sender_name: 'Jana Nováková', reference_number: fileReference, state: 'registered', created_by: opts.createdBy ?? 'user:referent', created_at: at, order_in_file: 1, org_unit: 'OD' });
    await trx('journal').insert({ office: 'MMKV', year: 2015, seq: 900 + counter, reference_number: fileReference, jid: `MMKV${String(900000 + counter)}`, document_id: documentId, file_id: fileId, received_at: at, subject: `Podání ${counter}`, sender: 'Jana Nováková' });
    for (const c of opts.components) {
      const sha256 = createHash('sha256').update(c.content).digest('hex');
      await trx('blobs').insert({ sha256, size: c.content.length, content: c.content }).onConflict('sha256').ignore();
      const id = randomUUID();
      componentIds.push(id);
      await trx('components').insert({ id, document_id: documentId, blob_sha256: sha256, file_name: c.name, media_type: c.type, size: c.content.length, created_at: at });
    }
  });
  return { fileId, documentId, fileReference, componentIds };
}

/** A PDF that declares PDF/A-2b in its XMP packet. */
export const PDFA = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Metadata /Subtype /XML >>\nstream\n<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description pdfaid:part="2" pdfaid:conformance="B"/></x:xmpmeta>\nendstream\nendobj\n%%EOF\n', 'latin1');
/** An office document (a ZIP container), not an output format. */
export const DOCX = Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000word/document.xml', 'latin1');
