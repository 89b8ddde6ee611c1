import { createHash } from 'node:crypto';
import type { SipComponent, SipInput, SipInternalPerson, SipKind, SipOrganisation, SipRetention } from './sip.model';

/** A realistic closed file for builder tests: an application received by the portal and the office's answer. */
export function sampleSipInput(kind: SipKind, overrides: Partial<SipInput> = {}): SipInput {
  const org: SipOrganisation = { identifier: '00254657', name: 'Statutární město Karlovy Vary', address: 'Moskevská 2035/21, 361 20 Karlovy Vary' };
  const clerk: SipInternalPerson = { username: 'referent', name: 'Petra Referentová', orgUnit: 'Odbor dopravy', position: 'referentka' };
  const archivist: SipInternalPerson = { username: 'spisovna', name: 'Karel Spisový', orgUnit: 'Spisovna', position: 'správce spisovny' };
  const retention: SipRetention = { identifier: 'A/10', name: 'A/10', reason: 'dokumentace s trvalou hodnotou', disposalCode: 'A', years: 10, triggerEvent: 'uzavření spisu' };
  const component = (id: string, order: number, name: string, type: string, text: string, at: Date): SipComponent => {
    const content = new TextEncoder().encode(text);
    return {
      id, order, kind: order === 1 ? 'hlavní dokument' : 'příloha', version: 1, preservationForm: 'originál ve výstupním datovém formátu',
      fileName: name, mediaType: type, size: content.length, sha256: createHash('sha256').update(content).digest('hex'), createdAt: at, content,
      log: [{ occurredAt: at, actor: 'system:workers', eventType: 'Zalozeni' }],
    };
  };
  const received = new Date('2015-03-02T09:15:00Z');
  const answered = new Date('2015-03-20T13:00:00Z');
  const closed = new Date('2015-04-01T08:00:00Z');
  return {
    kind,
    packageId: `SIP-MMKV-1-2015-${kind}`,
    createdAt: new Date('2026-11-30T10:00:00Z'),
    identifierSource: 'MMKV',
    journalName: 'Podací deník MMKV',
    software: { name: 'openspis', version: '0.1.0' },
    organisation: org,
    creator: archivist,
    decision: kind === 'transfer' ? { decidedAt: new Date('2026-11-15T10:00:00Z'), assessor: archivist, reason: 'vybráno za archiválii' } : null,
    file: {
      id: '7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1a01',
      fileReference: 'MMKV/1/2015',
      seq: 1,
      year: 2015,
      subject: 'Žádost o zvláštní užívání komunikace – Příčná <ul.> & okolí',
      createdAt: received,
      closedAt: closed,
      closedBy: clerk,
      settlementMethod: 'vyřízení dokumentem',
      retention,
      triggerYear: 2015,
      disposalYear: 2026,
      storageUnit: 'krabice 12',
      plan: { id: 'c3f1f0a2-0000-4000-8000-000000000001', identifier: 'SP-2015', title: 'Spisový a skartační plán 2015', issuer: org, validFrom: '2015-01-01', validTo: null },
      classPath: [
        { id: 'c3f1f0a2-0000-4000-8000-000000000010', simpleCode: '3', classCode: '3', title: 'Doprava', retention: null, validFrom: '2015-01-01', validTo: null, numberingMethod: null },
        { id: 'c3f1f0a2-0000-4000-8000-000000000011', simpleCode: '2', classCode: '3.2', title: 'Zvláštní užívání komunikací', retention, validFrom: '2015-01-01', validTo: null, numberingMethod: 'SbernyArch' },
      ],
      documents: [
        {
          id: '7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1a02', jid: 'MMKV0000001', referenceNumber: 'MMKV/1/2015', seq: 1, year: 2015,
          subject: 'Žádost o zvláštní užívání komunikace',
          origin: { kind: 'received', receivedAt: received, senderReference: null, sender: { kind: 'person', name: 'Jana Nováková', identifier: null, address: 'Příčná 5, 360 01 Karlovy Vary', email: 'jana@example.cz' } },
          settlement: { at: answered, method: 'vyřízení dokumentem', note: null, by: clerk },
          retention, analog: false,
          components: [
            component('7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1a03', 1, 'žádost.pdf', 'application/pdf', '%PDF-1.7 žádost', received),
            component('7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1a04', 2, 'situace.png', 'image/png', 'PNG situace', received),
          ],
          log: [
            { occurredAt: received, actor: 'system:workers', eventType: 'Zalozeni' },
            { occurredAt: answered, actor: 'user:referent', eventType: 'Vyrizeni', description: 'vyřízení dokumentem' },
          ],
        },
        {
          id: '7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1a05', jid: 'MMKV0000002', referenceNumber: 'MMKV/1/2015', seq: 1, year: 2015,
          subject: 'Rozhodnutí o zvláštním užívání komunikace',
          origin: { kind: 'own', createdAt: answered, author: clerk },
          settlement: null, retention, analog: false,
          components: [component('7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1a06', 1, 'rozhodnutí.pdf', 'application/pdf', '%PDF-1.7 rozhodnutí', answered)],
          log: [{ occurredAt: answered, actor: 'user:referent', eventType: 'Zalozeni' }, { occurredAt: answered, actor: 'user:referent', eventType: 'Vypraveno' }],
        },
      ],
      log: [
        { occurredAt: received, actor: 'system:workers', eventType: 'Zalozeni' },
        { occurredAt: closed, actor: 'user:referent', eventType: 'Uzavreni' },
        { occurredAt: new Date('2015-04-02T08:00:00Z'), actor: 'user:spisovna', eventType: 'PrevzetiNaSpisovnu' },
      ],
    },
    ...overrides,
  };
}

/**
 * A closed volume (díl) of a typed file for builder tests: the building permit volume of part SP of
 * a building's typed file, with the same two documents as `sampleSipInput`.
 */
export function sampleVolumeSipInput(kind: SipKind, overrides: Partial<SipInput> = {}): SipInput {
  const base = sampleSipInput(kind, { packageId: `SIP-MMKV-STAV-2015-045-SP-1-${kind}`, ...overrides });
  const opened = new Date('2015-02-10T08:00:00Z');
  const clerk = base.file.closedBy;
  const typedClass = { ...base.file.classPath[1], id: 'c3f1f0a2-0000-4000-8000-000000000012', simpleCode: '3', classCode: '3.3', title: 'Stavby (typové spisy)', forTypedFiles: true, numberingMethod: 'Priorace' as const };
  base.file = {
    ...base.file,
    id: '7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1b01',
    fileReference: 'STAV-2015-045/SP/1',
    subject: 'Stavební povolení – bytový dům',
    seq: null,
    classPath: [base.file.classPath[0], typedClass],
    log: [...base.file.log, { occurredAt: opened, actor: 'user:referent', eventType: 'Zalozeni' }],
    typed: {
      typedFile: {
        id: '7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1b02', fileReference: 'STAV-2015-045', subject: 'Stavba: Bytový dům Sokolovská 45, Karlovy Vary',
        createdAt: opened, closedAt: null, closedBy: null, log: [{ occurredAt: opened, actor: `user:${clerk.username}`, eventType: 'Zalozeni' }],
      },
      part: {
        id: '7b0c7c3e-3b0f-4c53-9d4e-1f1c1c0b1b03', code: 'SP', title: 'Stavební povolení', createdAt: opened, retention: base.file.retention,
        log: [{ occurredAt: opened, actor: `user:${clerk.username}`, eventType: 'Zalozeni' }],
      },
    },
  };
  return base;
}
