import { appendAuditLog } from '@openspis/db';
import { storeFilePlan } from '../file-plan/file-plan.service';
import { registerRecord } from '../files/register-record.service';
import type { PartyInput } from '../parties/parties.service';
import { auditActor, type Actor, type Channel } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { disposalYear } from '../retention.service';
import { demoFilePlan } from './demo-file-plan';

export const DEMO_ORG_UNITS = [
  { code: 'POD', name: 'Podatelna' },
  { code: 'OSU', name: 'Odbor stavební úřad' },
  { code: 'ODP', name: 'Odbor dopravy' },
  { code: 'OZP', name: 'Odbor životního prostředí' },
  { code: 'OSV', name: 'Odbor sociálních věcí' },
  { code: 'KT', name: 'Kancelář tajemníka' },
];

const GIVEN = ['Jana', 'Petr', 'Marie', 'Jan', 'Eva', 'Tomáš', 'Lucie', 'Martin', 'Věra', 'Jiří', 'Olena', 'Andrij'];
const FAMILY = ['Nováková', 'Dvořák', 'Svobodová', 'Černý', 'Procházková', 'Kučera', 'Veselá', 'Horák', 'Marková', 'Pokorný', 'Ševčenko', 'Kovalenko'];
const ORGS: PartyInput[] = [
  { kind: 'organisation', organisationName: 'Karlovarské minerální vody, a.s.', companyId: '14706725', dataBoxId: 'kmv8a2x', city: 'Karlovy Vary' },
  { kind: 'organisation', organisationName: 'Stavby Ohře s.r.o.', companyId: '28012345', city: 'Sokolov' },
  { kind: 'authority', organisationName: 'Krajský úřad Karlovarského kraje', companyId: '70891168', dataBoxId: 'siqbxt2', city: 'Karlovy Vary' },
  { kind: 'authority', organisationName: 'Policie ČR, Krajské ředitelství Karlovarského kraje', companyId: '72050501', dataBoxId: 'bp2ab7u', city: 'Karlovy Vary' },
  { kind: 'organisation', organisationName: 'Lázně Thermal, s.r.o.', companyId: '26345678', email: 'info@thermal.example', city: 'Karlovy Vary' },
];
const SUBJECTS: [string, string, string][] = [
  ['1.3', 'Stížnost na hluk z provozovny v ulici', 'KT'],
  ['1.4', 'Žádost o informace o rozpočtu na opravy', 'KT'],
  ['1.5', 'Dotaz k otevírací době podatelny', 'POD'],
  ['4.3', 'Žádost o zábor veřejného prostranství – předzahrádka', 'OSU'],
  ['5.2', 'Územní řízení – rodinný dům na pozemku', 'OSU'],
  ['5.3', 'Žádost o stavební povolení – přístavba', 'OSU'],
  ['6.3', 'Vydání rybářského lístku', 'OZP'],
  ['6.4', 'Povolení kácení dřevin – lípa u cesty', 'OZP'],
  ['7.3', 'Oznámení přestupku – parkování na chodníku', 'ODP'],
  ['7.4', 'Hlášení závady – výtluk na silnici', 'ODP'],
  ['8.2', 'Žádost o poskytnutí sociální služby', 'OSV'],
  ['3.3', 'Poplatek za komunální odpad – splátkový kalendář', 'KT'],
];
const CHANNELS: Channel[] = ['portal', 'data-box', 'email', 'post', 'personal'];
const STREETS = ['Zahradní', 'Moskevská', 'Sokolovská', 'Jaltská', 'Krále Jiřího', 'Západní', 'Kpt. Jaroše'];

/** Deterministic pseudo-random numbers so every demo database looks the same. */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/**
 * Seeds the records demo when there is no file plan yet: organisational units, last year's and this
 * year's file plan (a versioned plan), parties and `files` files with one to four documents each,
 * spread over the states open, closed and in the records centre. Returns false when it did nothing.
 */
export async function seedRecordsDemo(ports: RecordsPorts, opts: { files?: number } = {}): Promise<boolean> {
  const { db, clock } = ports;
  const [{ n }] = await db('file_plans').count({ n: '*' });
  if (Number(n) > 0) return false;
  const now = clock();
  const year = now.getUTCFullYear();
  const admin: Actor = { username: 'system:demo', roles: ['admin'], orgUnit: null };
  await db.transaction(async (trx) => {
    for (const u of DEMO_ORG_UNITS) await trx('org_units').insert(u).onConflict('code').ignore();
    const previous = demoFilePlan(year - 1, ports.config.officeCode);
    await storeFilePlan(trx, admin, previous, { at: now });
    await storeFilePlan(trx, admin, demoFilePlan(year, ports.config.officeCode), { at: now });
  });

  const random = rng(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const person = (): PartyInput => {
    const given = pick(GIVEN);
    const family = pick(FAMILY);
    return { kind: 'person', givenName: given, familyName: family, email: `${given}.${family}@example.cz`.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase(), street: `${pick(STREETS)} ${1 + Math.floor(random() * 90)}`, city: 'Karlovy Vary', postcode: '36001' };
  };
  const files = opts.files ?? 120;
  for (let i = 0; i < files; i++) {
    const [classCode, subject, unit] = pick(SUBJECTS);
    const actor: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: unit };
    const channel = pick(CHANNELS);
    const sender = random() < 0.25 ? pick(ORGS) : person();
    const receivedAt = new Date(now.getTime() - Math.floor(random() * 300) * 86_400_000);
    const first = await registerRecord(ports, actor, {
      direction: 'incoming', subject: `${subject} (${i + 1})`, channel, form: channel === 'post' || channel === 'personal' ? 'analog' : 'electronic',
      sender, classCode, orgUnit: unit, handler: 'referent', receivedAt, attachmentsCount: Math.floor(random() * 3),
      senderReference: sender.kind === 'person' ? null : `${1000 + i}/${year}`,
      components: channel === 'post' ? [] : [{ fileName: 'podani.txt', mediaType: 'text/plain', content: Buffer.from(`${subject}\n`, 'utf8') }],
    });
    const more = Math.floor(random() * 4);
    for (let k = 0; k < more; k++) {
      await registerRecord(ports, { ...actor, roles: ['referent'] }, {
        direction: k % 2 ? 'incoming' : 'outgoing', subject: k % 2 ? `Doplnění podání (${i + 1})` : `Výzva k doplnění (${i + 1})`, channel: k % 2 ? channel : 'data-box',
        sender: k % 2 ? sender : null, addressee: k % 2 ? null : sender, fileId: first.fileId, handler: 'referent', receivedAt: new Date(receivedAt.getTime() + (k + 1) * 86_400_000),
      });
    }
    const roll = random();
    if (roll < 0.45) continue; // stays open
    await db.transaction(async (trx) => {
      const settledAt = new Date(receivedAt.getTime() + 20 * 86_400_000);
      const a = auditActor({ username: 'referent', roles: ['referent'], orgUnit: unit });
      const docs = await trx('documents').where({ file_id: first.fileId }).select('id');
      await trx('documents').where({ file_id: first.fileId }).whereIn('state', ['registered']).update({ state: 'settled', settled_at: settledAt, settled_by: a, settlement_method: 'vyřízení dokumentem' });
      const outgoing = await trx('documents').where({ file_id: first.fileId }).where({ state: 'created' }).pluck('id');
      await trx('documents').whereIn('id', outgoing).update({ state: 'dispatched', dispatched_at: settledAt });
      // the journal keeps the dispatch date too, and the log its Vypraveno
      await trx('journal').whereIn('document_id', outgoing).update({ dispatched_at: settledAt });
      for (const id of outgoing) await appendAuditLog(trx, { actor: a, eventType: 'Vypraveno', objectType: 'Dokument', objectId: id, details: { demo: true }, occurredAt: settledAt });
      await trx('journal').where({ file_id: first.fileId }).update({ state: 'settled', settled_at: settledAt, settled_by: a, settlement_method: 'vyřízení dokumentem' });
      for (const d of docs) await appendAuditLog(trx, { actor: a, eventType: 'Vyrizeni', objectType: 'Dokument', objectId: d.id, details: { demo: true }, occurredAt: settledAt });
      const file = await trx('files').where({ id: first.fileId }).first();
      const inCentre = roll > 0.8;
      await trx('files').where({ id: first.fileId }).update({
        state: inCentre ? 'in-records-centre' : 'closed', settled_at: settledAt, closed_at: settledAt, closed_by: a, trigger_date: settledAt,
        disposal_year: file.retention_years === null ? null : disposalYear(settledAt, file.retention_years),
        ...(inCentre ? { records_centre_at: settledAt, records_centre_by: 'user:spisovna', storage_unit: `KR-${year}-${1 + (i % 7)}` } : {}),
      });
      await appendAuditLog(trx, { actor: a, eventType: 'Uzavreni', objectType: 'Spis', objectId: first.fileId, details: { demo: true }, occurredAt: settledAt });
      if (inCentre) {
        await appendAuditLog(trx, { actor: a, eventType: 'PredaniNaSpisovnu', objectType: 'Spis', objectId: first.fileId, details: {}, occurredAt: settledAt });
        await appendAuditLog(trx, { actor: 'user:spisovna', eventType: 'PrevzetiNaSpisovnu', objectType: 'Spis', objectId: first.fileId, details: {}, occurredAt: settledAt });
      }
    });
  }
  return true;
}
