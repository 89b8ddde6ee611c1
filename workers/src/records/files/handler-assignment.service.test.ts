import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../testing/fixtures';
import { demoFilePlan } from '../demo/demo-file-plan';
import { closeFile } from '../disposal/close-file';
import { settleRecordDocument } from '../disposal/settle-record-document';
import { storeFilePlan } from '../file-plan/file-plan.service';
import type { Actor } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { searchFiles } from '../search/records-search.service';
import { eligibleHandlers } from './handler-assignment.repository';
import { assignHandler, mayAssignHandler } from './handler-assignment.service';
import { registerRecord } from './register-record.service';
import { createTypedFile, openVolume } from './typed-file.service';
import { openVolumeFile } from './volume-file.service';

const admin: Actor = { username: 'admin', roles: ['admin'], orgUnit: null };
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
const kolega: Actor = { username: 'kolega', roles: ['referent'], orgUnit: 'OSU' };
const vedouci: Actor = { username: 'vedouci', roles: ['vedouci', 'referent'], orgUnit: 'OSU' };
const doprava: Actor = { username: 'doprava', roles: ['referent'], orgUnit: 'ODP' };
const vedouciOdp: Actor = { username: 'sefdopravy', roles: ['vedouci'], orgUnit: 'ODP' };
const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'KT' };

const USERS: { username: string; name: string; unit: string | null; roles: string[]; active?: boolean }[] = [
  { username: 'referent', name: 'Radek Referent', unit: 'OSU', roles: ['referent'] },
  { username: 'kolega', name: 'Karel Kolega', unit: 'OSU', roles: ['referent'] },
  { username: 'vedouci', name: 'Věra Vedoucí', unit: 'OSU', roles: ['vedouci', 'referent'] },
  { username: 'odesly', name: 'Ota Odešlý', unit: 'OSU', roles: ['referent'], active: false },
  { username: 'pisarka', name: 'Pavla Písařka', unit: 'OSU', roles: ['podatelna'] },
  { username: 'doprava', name: 'Dana Dopravní', unit: 'ODP', roles: ['referent'] },
  { username: 'sefdopravy', name: 'Šimon Šéf', unit: 'ODP', roles: ['vedouci'] },
  { username: 'admin', name: 'Adam Správce', unit: null, roles: ['admin'] },
];

describe('assigning and changing the handler of a file (ZmenaZpracovatele)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let ports: RecordsPorts;
  const now = new Date('2026-11-30T09:00:00Z');

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    ports = { db, clock: () => now, config: testConfig() };
    await db('org_units').insert([{ code: 'OSU', name: 'Odbor stavební úřad' }, { code: 'ODP', name: 'Odbor dopravy' }, { code: 'POD', name: 'Podatelna' }]).onConflict('code').ignore();
    for (const u of USERS) {
      const [{ id }] = await db('users').insert({ username: u.username, display_name: u.name, password_hash: 'x', org_unit: u.unit, active: u.active ?? true }).returning('id');
      await db('user_roles').insert(u.roles.map((role) => ({ user_id: id, role })));
    }
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(2026), { at: now }));
  }, 120_000);
  afterAll(() => close());

  let n = 0;
  /** An OSU file handled by `handler`: a settled letter, an unsettled one and an answer not yet dispatched. */
  async function fileOf(handler: string | null, unit = 'OSU') {
    n += 1;
    const first = await registerRecord(ports, podatelna, {
      direction: 'incoming', subject: `Žádost o stavební povolení ${n}`, channel: 'post', form: 'analog', classCode: '1.5', orgUnit: unit, handler, receivedAt: now,
    });
    const worker: Actor = { username: handler ?? 'vedouci', roles: ['referent'], orgUnit: unit };
    await settleRecordDocument(ports, worker, { documentId: first.documentId, method: 'noted' });
    const second = await registerRecord(ports, podatelna, { direction: 'incoming', subject: `Doplnění žádosti ${n}`, channel: 'post', form: 'analog', fileId: first.fileId, handler, receivedAt: now });
    const answer = await registerRecord(ports, worker, { direction: 'outgoing', subject: `Výzva k doplnění ${n}`, channel: 'post', form: 'analog', fileId: first.fileId, handler, receivedAt: now });
    return { fileId: first.fileId, settled: first.documentId, unsettled: [second.documentId, answer.documentId] };
  }
  const state = async (fileId: string) => ({
    file: (await db('files').where({ id: fileId }).first()).owner as string | null,
    documents: Object.fromEntries((await db('documents').where({ file_id: fileId }).select('id', 'handler')).map((d) => [d.id, d.handler])),
    journal: Object.fromEntries((await db('journal').where({ file_id: fileId }).select('document_id', 'handled_by')).map((j) => [j.document_id, j.handled_by])),
  });
  const changes = async () =>
    (await db('audit_log').where({ event_type: 'ZmenaZpracovatele' }).orderBy('id')).map((r) => ({
      actor: r.actor, objectType: r.object_type, objectId: r.object_id, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
    }));

  it('lists the active referents and heads of the unit as eligible, nobody else', async () => {
    expect((await eligibleHandlers(db, 'OSU')).map((p) => p.username)).toEqual(['kolega', 'referent', 'vedouci']);
    expect((await eligibleHandlers(db, 'ODP')).map((p) => p.username)).toEqual(['doprava', 'sefdopravy']);
    expect(await eligibleHandlers(db, null)).toEqual([]);
  });

  it('lets the head of the unit reassign a file: the file, its unsettled documents and their journal rows, one event per object', async () => {
    const f = await fileOf('referent');
    const logBefore = (await changes()).length;
    const result = await assignHandler(ports, vedouci, { fileId: f.fileId, handler: 'kolega', reason: 'Dovolená' });
    expect(result).toEqual({ fileChanged: true, documentsChanged: 2, followers: 0 });
    expect(await state(f.fileId)).toEqual({
      file: 'kolega',
      documents: { [f.settled]: 'referent', [f.unsettled[0]]: 'kolega', [f.unsettled[1]]: 'kolega' },
      journal: { [f.settled]: 'referent', [f.unsettled[0]]: 'kolega', [f.unsettled[1]]: 'kolega' },
    });
    const logged = (await changes()).slice(logBefore);
    expect(logged).toEqual([
      { actor: 'user:vedouci', objectType: 'Spis', objectId: f.fileId, details: expect.objectContaining({ from: 'referent', to: 'kolega', reason: 'Dovolená' }) },
      { actor: 'user:vedouci', objectType: 'Dokument', objectId: f.unsettled[0], details: expect.objectContaining({ from: 'referent', to: 'kolega', fileId: f.fileId }) },
      { actor: 'user:vedouci', objectType: 'Dokument', objectId: f.unsettled[1], details: expect.objectContaining({ from: 'referent', to: 'kolega', fileId: f.fileId }) },
    ]);

    // the same person again: nothing changes, nothing is logged
    expect(await assignHandler(ports, vedouci, { fileId: f.fileId, handler: ' kolega ' })).toEqual({ fileChanged: false, documentsChanged: 0, followers: 0 });
    expect((await changes()).length).toBe(logBefore + 3);
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });

  it('gives the unit\'s handler a file that nobody handled, and then only its documents that lacked one', async () => {
    const f = await fileOf(null);
    await db('documents').where({ id: f.unsettled[1] }).update({ handler: 'vedouci' }); // the answer's author handles it
    await db('journal').where({ document_id: f.unsettled[1] }).update({ handled_by: 'vedouci' });
    expect(await assignHandler(ports, admin, { fileId: f.fileId, handler: 'vedouci' })).toEqual({ fileChanged: true, documentsChanged: 1, followers: 0 });
    expect((await state(f.fileId)).documents).toEqual({ [f.settled]: null, [f.unsettled[0]]: 'vedouci', [f.unsettled[1]]: 'vedouci' });
    const [spis, dokument] = (await changes()).slice(-2);
    expect(spis).toMatchObject({ actor: 'user:admin', objectType: 'Spis', details: { from: null, to: 'vedouci' } });
    expect(spis.details).not.toHaveProperty('reason');
    expect(dokument).toMatchObject({ objectType: 'Dokument', objectId: f.unsettled[0], details: { from: null, to: 'vedouci' } });
  });

  it('lets a referent hand over a file they handle to a colleague, and take over one nobody handles — nothing more', async () => {
    const mine = await fileOf('referent');
    await assignHandler(ports, referent, { fileId: mine.fileId, handler: 'kolega' });
    expect((await state(mine.fileId)).file).toBe('kolega');
    // no longer theirs: they may not take it back
    await expect(assignHandler(ports, referent, { fileId: mine.fileId, handler: 'referent' })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const nobodys = await fileOf(null);
    await expect(assignHandler(ports, referent, { fileId: nobodys.fileId, handler: 'kolega' })).rejects.toMatchObject({ code: 'HANDLER_SELF_ONLY' });
    expect((await state(nobodys.fileId)).file).toBeNull();
    await assignHandler(ports, referent, { fileId: nobodys.fileId, handler: 'referent' });
    expect((await state(nobodys.fileId)).file).toBe('referent');

    const file = { org_unit: 'OSU', owner: 'kolega' };
    expect(mayAssignHandler(kolega, file)).toBe(true);
    expect(mayAssignHandler(referent, file)).toBe(false);
    expect(mayAssignHandler(vedouci, file)).toBe(true);
    expect(mayAssignHandler(vedouciOdp, file)).toBe(false);
    expect(mayAssignHandler(admin, file)).toBe(true);
    expect(mayAssignHandler(spisovna, file)).toBe(false);
    expect(mayAssignHandler(referent, { org_unit: 'OSU', owner: null })).toBe(true);
    expect(mayAssignHandler(referent, { org_unit: 'OSU', owner: null }, 'kolega')).toBe(false);
  });

  it('refuses bad input, other roles and units and a closed file, and changes nothing', async () => {
    const f = await fileOf('referent');
    const other = await fileOf('doprava', 'ODP');
    const done = await fileOf('referent');
    for (const id of done.unsettled) await settleRecordDocument(ports, referent, { documentId: id, method: 'noted' });
    await closeFile(ports, referent, { fileId: done.fileId });
    const before = { f: await state(f.fileId), other: await state(other.fileId), done: await state(done.fileId), log: await changes() };

    const refusals: [Actor, string, string, string][] = [
      [vedouci, f.fileId, '', 'HANDLER_REQUIRED'],
      [vedouci, f.fileId, 'nikdo', 'HANDLER_NOT_ELIGIBLE'],
      [vedouci, f.fileId, 'odesly', 'HANDLER_NOT_ELIGIBLE'], // no longer active
      [vedouci, f.fileId, 'pisarka', 'HANDLER_NOT_ELIGIBLE'], // of the unit, but does not handle files
      [vedouci, f.fileId, 'doprava', 'HANDLER_NOT_ELIGIBLE'], // another unit's referent
      [admin, f.fileId, 'admin', 'HANDLER_NOT_ELIGIBLE'],
      [kolega, f.fileId, 'kolega', 'FORBIDDEN'], // not their file
      [podatelna, f.fileId, 'kolega', 'FORBIDDEN'],
      [spisovna, f.fileId, 'kolega', 'FORBIDDEN'],
      [vedouciOdp, f.fileId, 'doprava', 'FORBIDDEN'],
      [doprava, f.fileId, 'doprava', 'FORBIDDEN'],
      [vedouci, other.fileId, 'kolega', 'FORBIDDEN'],
      [vedouci, done.fileId, 'kolega', 'FILE_NOT_OPEN'],
      [admin, '00000000-0000-4000-8000-000000000000', 'kolega', 'FILE_NOT_FOUND'],
    ];
    for (const [actor, fileId, handler, code] of refusals) {
      await expect(assignHandler(ports, actor, { fileId, handler }), `${actor.username} → ${handler}`).rejects.toMatchObject({ name: 'DomainError', code });
    }
    await expect(assignHandler(ports, vedouci, { fileId: f.fileId, handler: 'kolega', reason: 'x'.repeat(501) })).rejects.toMatchObject({ code: 'HANDLER_REASON_TOO_LONG' });
    expect({ f: await state(f.fileId), other: await state(other.fileId), done: await state(done.fileId), log: await changes() }).toEqual(before);
  });

  it('finds the files a user handles and those of their unit nobody handles yet in the file list', async () => {
    const handled = await fileOf('kolega');
    const nobodys = await fileOf(null);
    const mine = (await searchFiles(db, kolega, { handler: 'mine' }, { pageSize: 200 })).rows;
    expect(mine.map((r) => r.id)).toContain(handled.fileId);
    expect(mine.every((r) => r.owner === 'kolega')).toBe(true);
    expect(mine.find((r) => r.id === handled.fileId)?.owner_name).toBe('Karel Kolega');
    const none = (await searchFiles(db, vedouci, { handler: 'none' }, { pageSize: 200 })).rows;
    expect(none.map((r) => r.id)).toContain(nobodys.fileId);
    expect(none.every((r) => r.owner === null && r.org_unit === 'OSU')).toBe(true);
    // another unit's head sees none of them
    expect((await searchFiles(db, vedouciOdp, { handler: 'none' }, { pageSize: 200 })).rows.map((r) => r.id)).not.toContain(nobodys.fileId);
    await assignHandler(ports, vedouci, { fileId: nobodys.fileId, handler: 'kolega' });
    expect((await searchFiles(db, kolega, { handler: 'mine' }, { pageSize: 200 })).rows.map((r) => r.id)).toContain(nobodys.fileId);
    expect((await searchFiles(db, vedouci, { handler: 'none' }, { pageSize: 200 })).rows.map((r) => r.id)).not.toContain(nobodys.fileId);
  });

  it('serialises concurrent reassignments of one file: each object logged once per real change', async () => {
    const f = await fileOf('referent');
    const logBefore = (await changes()).length;
    const results = await Promise.all([
      assignHandler(ports, vedouci, { fileId: f.fileId, handler: 'kolega' }),
      assignHandler(ports, admin, { fileId: f.fileId, handler: 'kolega' }),
    ]);
    expect(results.filter((r) => r.fileChanged)).toHaveLength(1);
    expect((await changes()).length).toBe(logBefore + 3);
    expect((await state(f.fileId)).file).toBe('kolega');
  });
  it('carries a typed file\'s new handler to its open volumes and their open files the old handler had, not to others\' ones', async () => {
    const typed = await createTypedFile(ports, referent, { classCode: '5.3', subject: 'Stavba: Polní 3', reference: 'SZ-HANDLER-1', orgUnit: 'OSU', parts: [{ code: 'A', title: 'Povolení' }] });
    await assignHandler(ports, vedouci, { fileId: typed.fileId, handler: 'referent' });
    const first = await openVolume(ports, referent, { partId: typed.partIds.A, subject: 'Povolení' });
    const mine = await openVolumeFile(ports, referent, { volumeId: first.fileId, subject: 'Řízení' });
    const doc = await registerRecord(ports, referent, { direction: 'internal', subject: 'Záznam', channel: 'internal', fileId: mine.fileId, handler: 'referent' });
    const theirs = await openVolumeFile(ports, referent, { volumeId: first.fileId, subject: 'Řízení kolegy' });
    await assignHandler(ports, vedouci, { fileId: theirs.fileId, handler: 'kolega' });
    expect((await state(mine.fileId)).file).toBe('referent');
    // a stranger cannot, and bad input changes nothing
    const logBefore = (await changes()).length;
    await expect(assignHandler(ports, doprava, { fileId: typed.fileId, handler: 'doprava' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(assignHandler(ports, vedouci, { fileId: typed.fileId, handler: 'odesly' })).rejects.toMatchObject({ code: 'HANDLER_NOT_ELIGIBLE' });
    expect((await changes()).length).toBe(logBefore);
    expect((await state(first.fileId)).file).toBe('referent');

    const result = await assignHandler(ports, vedouci, { fileId: typed.fileId, handler: 'vedouci', reason: 'referent odchází' });

    expect(result).toEqual({ fileChanged: true, documentsChanged: 1, followers: 2 });
    expect(await db('files').whereIn('id', [typed.fileId, first.fileId, mine.fileId, theirs.fileId]).orderBy('file_reference').select('file_reference', 'owner')).toEqual([
      { file_reference: 'SZ-HANDLER-1', owner: 'vedouci' },
      { file_reference: 'SZ-HANDLER-1/A/1', owner: 'vedouci' },
      { file_reference: 'SZ-HANDLER-1/A/1/1', owner: 'vedouci' },
      { file_reference: 'SZ-HANDLER-1/A/1/2', owner: 'kolega' },
    ]);
    expect((await state(mine.fileId)).documents[doc.documentId]).toBe('vedouci');
    const logged = (await changes()).slice(logBefore);
    expect(logged.map((c) => [c.objectType, c.objectId])).toEqual([['TypovySpis', typed.fileId], ['Dil', first.fileId], ['Spis', mine.fileId], ['Dokument', doc.documentId]]);
    expect(logged.every((c) => c.details.from === 'referent' && c.details.to === 'vedouci' && c.details.reason === 'referent odchází')).toBe(true);
    // a volume opened later takes the typed file's handler, and its files the volume's
    const second = await openVolume(ports, vedouci, { partId: typed.partIds.A, subject: 'Změna' });
    expect((await state(second.fileId)).file).toBe('vedouci');
  });
});
