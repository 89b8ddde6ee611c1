import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { WorkersConfig } from '../../config';
import { NUMBERING_METHOD_NSESSS, SETTLEMENT_KINDS, type CaseFileRow, type FileClassRow, type FilePartRow, type RecordDocumentRow } from '../records.model';
import { listComponents, listFileDocuments, readBlob } from '../disposal/lifecycle.repository';
import { detectOutputFormat } from '../disposal/output-format';
import { pragueYear } from '../../registry/reference-number.service';
import type {
  SipCaseFile, SipComponent, SipDisposalDecision, SipDocument, SipExternalParty, SipFileClass, SipInput, SipInternalPerson, SipKind, SipLogEvent,
  SipOrganisation, SipRetention,
} from './sip.model';

type Db = Knex | Knex.Transaction;

/** A `date` column as YYYY-MM-DD: drivers give a string, or a Date at midnight UTC (PGlite) or local time (pg). */
export function dateOnly(value: unknown): string {
  if (value instanceof Date) {
    if (value.getUTCHours() === 0 && value.getUTCMinutes() === 0) return value.toISOString().slice(0, 10);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
  }
  return String(value).slice(0, 10);
}

/** Settlement methods of the intake procedure, in NSESSS words. */
const LEGACY_SETTLEMENT: Record<string, string> = { answered: 'vyřízení dokumentem', withdrawn: 'jiný způsob' };

function settlementText(method: string | null): string | null {
  if (!method) return null;
  return (SETTLEMENT_KINDS as Record<string, string>)[method] ?? LEGACY_SETTLEMENT[method] ?? null;
}

/** `user:jana` → the user's name, unit and role; machines appear as the office's system. */
async function person(db: Db, actor: string | null, config: WorkersConfig): Promise<SipInternalPerson> {
  const username = (actor ?? 'system:records').replace(/^user:/, '');
  if (username.startsWith('system:')) return { username, name: `${config.officeName} (systém spisové služby)`, orgUnit: '', position: 'automatizovaný proces' };
  const user = await db('users').where({ username }).first();
  const roles: string[] = user ? (await db('user_roles').where({ user_id: user.id }).pluck('role')) : [];
  const unit = user?.org_unit ? await db('org_units').where({ code: user.org_unit }).first() : null;
  return { username, name: user?.display_name ?? username, orgUnit: unit?.name ?? user?.org_unit ?? '', position: roles.filter((r) => r !== 'admin')[0] ?? roles[0] ?? '' };
}

async function log(db: Db, objectType: string | string[], objectId: string): Promise<SipLogEvent[]> {
  const rows = await db('audit_log').whereIn('object_type', [objectType].flat()).andWhere({ object_id: objectId }).orderBy('id');
  return rows.map((r) => ({ occurredAt: new Date(r.occurred_at), actor: r.actor, eventType: r.event_type, description: r.details?.reason ?? null }));
}

function retentionOf(row: { disposal_code: string | null; retention_years: number | null; trigger_event: string | null }, fallback: SipRetention, reason?: string | null): SipRetention {
  if (!row.disposal_code || row.retention_years === null) return fallback;
  const id = `${row.disposal_code}/${row.retention_years}`;
  return { identifier: id, name: id, reason: reason ?? '', disposalCode: row.disposal_code as SipRetention['disposalCode'], years: row.retention_years, triggerEvent: row.trigger_event ?? 'uzavření spisu' };
}

async function sender(db: Db, doc: RecordDocumentRow): Promise<SipExternalParty> {
  const party = doc.sender_party_id ? await db('parties').where({ id: doc.sender_party_id }).first() : null;
  if (party) {
    const address = [party.street, [party.postcode, party.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
    return {
      kind: party.kind === 'person' ? 'person' : 'organisation', name: party.display_name,
      identifier: party.kind === 'person' ? party.id : party.company_id, address, email: party.email,
    };
  }
  return { kind: 'person', name: doc.sender_name ?? '(neuvedeno)', identifier: null, address: '', email: doc.sender_email };
}

async function classPath(db: Db, classId: string): Promise<FileClassRow[]> {
  const path: FileClassRow[] = [];
  let id: string | null = classId;
  while (id && path.length < 20) {
    const row: FileClassRow | undefined = await db('file_classes').where({ id }).first();
    if (!row) break;
    path.unshift(row);
    id = row.parent_id;
  }
  return path;
}

/** The part and typed file of a volume (díl), each with its transaction log. */
async function typedParent(db: Db, volume: CaseFileRow, classRetention: SipRetention, config: WorkersConfig): Promise<SipCaseFile['typed']> {
  const part: FilePartRow | undefined = volume.part_id ? await db('file_parts').where({ id: volume.part_id }).first() : undefined;
  if (!part) throw new DomainError('FILE_PART_NOT_FOUND', `volume ${volume.file_reference} has no part of a typed file`);
  const typed: CaseFileRow = await db('files').where({ id: part.typed_file_id }).first();
  const typedRetention = retentionOf(typed, classRetention);
  return {
    typedFile: {
      id: typed.id, fileReference: typed.file_reference, subject: typed.subject, createdAt: new Date(typed.created_at),
      closedAt: typed.closed_at ? new Date(typed.closed_at) : null, closedBy: typed.closed_at ? await person(db, typed.closed_by, config) : null,
      log: await log(db, ['TypovySpis', 'Spis'], typed.id),
    },
    part: {
      id: part.id, code: part.code, title: part.title, createdAt: new Date(part.created_at),
      retention: retentionOf({ ...part, trigger_event: part.trigger_event ?? typedRetention.triggerEvent }, typedRetention),
      log: await log(db, 'Soucast', part.id),
    },
  };
}

/** The documents of one file (cancelled ones aside) with their components, as its SIP describes them. */
async function loadDocuments(
  db: Db, file: CaseFileRow, fileRetention: SipRetention, kind: SipKind, config: WorkersConfig,
): Promise<{ documents: SipDocument[]; settlementMethod: string | null }> {
  const documents = (await listFileDocuments(db, file.id)).filter((d) => d.state !== 'cancelled');
  const components = await listComponents(db, documents.map((d) => d.id));
  const sipDocuments: SipDocument[] = [];
  for (const d of documents) {
    const own = components.filter((c) => c.document_id === d.id);
    // NA rules: every version of one component shares its order (pořadí) and kind (druh); a
    // conversion to an output format is a later version of its source; orders run 1..n
    const position = new Map<string, { order: number; version: number; kind: string }>();
    let next = 1;
    const place = (c: (typeof own)[number]) => {
      const source = c.source_component_id ? position.get(c.source_component_id) : undefined;
      if (source && c.derivation === 'converted') position.set(c.id, { order: source.order, version: source.version + 1, kind: source.kind });
      else {
        position.set(c.id, { order: next, version: c.version, kind: next === 1 ? 'hlavní dokument' : c.derivation === 'verification-report' ? 'protokol o ověření' : 'příloha' });
        next += 1;
      }
    };
    for (const c of own.filter((x) => !x.source_component_id)) place(c);
    for (const c of own.filter((x) => x.source_component_id)) place(c);
    const sipComponents: SipComponent[] = [];
    for (const c of own) {
      const pos = position.get(c.id)!;
      const bytes = c.blob_sha256 ? await readBlob(db, c.blob_sha256) : null;
      if (kind === 'transfer' && !bytes) throw new DomainError('COMPONENT_CONTENT_MISSING', `component ${c.file_name} of ${d.jid} has no content`);
      const content = kind === 'transfer' ? bytes : null;
      const format = bytes ? detectOutputFormat(bytes) : null;
      sipComponents.push({
        id: c.id, order: pos.order, kind: pos.kind, version: pos.version,
        preservationForm: format ? 'originál ve výstupním datovém formátu' : 'originál',
        fileName: c.file_name, mediaType: c.media_type, size: c.size, sha256: c.blob_sha256 ?? '', createdAt: new Date(c.created_at),
        content: content ? new Uint8Array(content) : null, log: await log(db, 'Komponenta', c.id),
      });
    }
    sipComponents.sort((a, b) => a.order - b.order || a.version - b.version);
    const journal = await db('journal').where({ document_id: d.id }).first();
    sipDocuments.push({
      id: d.id, jid: d.jid, referenceNumber: d.reference_number, seq: journal?.seq ?? null, year: journal?.year ?? pragueYear(new Date(d.created_at)),
      subject: d.subject,
      origin: d.direction === 'incoming'
        ? { kind: 'received', receivedAt: new Date(journal?.received_at ?? d.created_at), sender: await sender(db, d), senderReference: d.sender_reference }
        : { kind: 'own', createdAt: new Date(d.created_at), author: await person(db, d.handler ?? d.created_by, config) },
      settlement: d.settled_at ? { at: new Date(d.settled_at), method: settlementText(d.settlement_method), note: d.settlement_note, by: await person(db, d.settled_by, config) } : null,
      retention: retentionOf(d, fileRetention),
      analog: d.form === 'analog',
      components: sipComponents,
      log: await log(db, 'Dokument', d.id),
    });
  }

  return { documents: sipDocuments, settlementMethod: settlementText(documents.find((d) => d.id === file.initiating_document_id)?.settlement_method ?? null) };
}

/**
 * Reads one file with everything its SIP describes: the file plan and classes above it, its
 * documents, their components (with the bytes for a transfer) and the transaction log of each.
 */
export async function loadSipInput(
  db: Db,
  file: CaseFileRow,
  opts: { kind: SipKind; packageId: string; createdAt: Date; creator: string; decision: Omit<SipDisposalDecision, 'assessor'> | null; config: WorkersConfig; version: string },
): Promise<SipInput> {
  const { config } = opts;
  if (!file.class_id) throw new DomainError('FILE_NO_CLASS', `file ${file.file_reference} has no class of the file plan`);
  if (!file.closed_at) throw new DomainError('FILE_NOT_CLOSED', `file ${file.file_reference} is not closed`);
  const classes = await classPath(db, file.class_id);
  const plan = await db('file_plans').where({ id: classes[0]?.plan_id }).first();
  if (!plan) throw new DomainError('FILE_NO_CLASS', `the file plan of ${file.file_reference} is missing`);
  const organisation: SipOrganisation = { identifier: config.officeId, name: config.officeName, address: config.officeAddress };
  const ownClass = classes[classes.length - 1];
  const classRetention = (c: FileClassRow): SipRetention | null => (c.disposal_code && c.retention_years !== null
    ? { identifier: c.retention_id ?? `${c.disposal_code}/${c.retention_years}`, name: c.retention_id ?? `${c.disposal_code}/${c.retention_years}`, reason: c.retention_reason ?? '', disposalCode: c.disposal_code, years: c.retention_years, triggerEvent: c.trigger_event ?? 'uzavření spisu' }
    : null);
  const fileRetention = retentionOf(file, classRetention(ownClass) ?? { identifier: 'S/5', name: 'S/5', reason: '', disposalCode: 'S', years: 5, triggerEvent: 'uzavření spisu' }, ownClass.retention_reason);

  const sipPlan: SipCaseFile['plan'] = {
    id: plan.id, identifier: plan.identifier, title: plan.title, issuer: organisation,
    validFrom: dateOnly(plan.valid_from),
    validTo: plan.valid_to ? dateOnly(plan.valid_to) : null,
  };
  const sipClassPath = classes.map((c): SipFileClass => ({
    id: c.id, simpleCode: c.simple_code, classCode: c.class_code, title: c.title, retention: classRetention(c),
    validFrom: dateOnly(c.valid_from),
    validTo: c.valid_to ? dateOnly(c.valid_to) : null,
    numberingMethod: NUMBERING_METHOD_NSESSS[c.numbering_method] ?? null,
    forTypedFiles: Boolean(c.for_typed_files),
  }));
  const own = await loadDocuments(db, file, fileRetention, opts.kind, config);
  // a volume (díl) opened under the 2023 decree holds files (spisy), each with its documents
  const innerRows: CaseFileRow[] = file.kind === 'volume' ? await db('files').where({ volume_id: file.id }).whereNot({ state: 'cancelled' }).orderBy('file_reference') : [];
  const inner: SipCaseFile[] = [];
  for (const row of innerRows) {
    if (!row.closed_at) throw new DomainError('FILE_NOT_CLOSED', `file ${row.file_reference} in volume ${file.file_reference} is not closed`);
    const retention = retentionOf(row, fileRetention);
    const docs = await loadDocuments(db, row, retention, opts.kind, config);
    const rowClosedAt = new Date(row.closed_at);
    const rowTriggerYear = row.trigger_date ? Number(dateOnly(row.trigger_date).slice(0, 4)) : pragueYear(rowClosedAt);
    inner.push({
      id: row.id, fileReference: row.file_reference, seq: row.seq, year: row.year ?? pragueYear(new Date(row.created_at)), subject: row.subject,
      createdAt: new Date(row.created_at), closedAt: rowClosedAt, closedBy: await person(db, row.closed_by, config), settlementMethod: docs.settlementMethod,
      retention, triggerYear: rowTriggerYear, disposalYear: row.disposal_year ?? rowTriggerYear + 1 + retention.years, storageUnit: row.storage_unit,
      plan: sipPlan, classPath: sipClassPath, documents: docs.documents, log: await log(db, 'Spis', row.id),
    });
  }

  const closedAt = new Date(file.closed_at);
  const triggerYear = file.trigger_date ? Number(dateOnly(file.trigger_date).slice(0, 4)) : pragueYear(closedAt);
  const sipFile: SipCaseFile = {
    id: file.id, fileReference: file.file_reference, seq: file.seq, year: file.year ?? pragueYear(new Date(file.created_at)), subject: file.subject,
    createdAt: new Date(file.created_at), closedAt, closedBy: await person(db, file.closed_by, config),
    settlementMethod: own.settlementMethod,
    retention: fileRetention, triggerYear, disposalYear: file.disposal_year ?? triggerYear + 1 + fileRetention.years,
    storageUnit: file.storage_unit,
    plan: sipPlan,
    classPath: sipClassPath,
    documents: own.documents,
    files: inner.length ? inner : undefined,
    // a volume's lifecycle is logged as Dil (its closure and hand-over were logged as Spis before volumes closed on their own)
    log: await log(db, file.kind === 'volume' ? ['Dil', 'Spis'] : 'Spis', file.id),
    typed: file.kind === 'volume' ? await typedParent(db, file, classRetention(ownClass) ?? fileRetention, config) : null,
  };
  const creator = await person(db, opts.creator, config);
  return {
    kind: opts.kind, packageId: opts.packageId, createdAt: opts.createdAt, identifierSource: config.officeCode,
    journalName: `Podací deník ${config.officeCode}`, software: { name: 'openspis', version: opts.version },
    organisation, creator, file: sipFile,
    // the records manager who carries out the archive's decision assessed the file (posuzovatel)
    decision: opts.decision ? { ...opts.decision, assessor: creator } : null,
  };
}
