/**
 * Domain types of records management (spisová služba, NSESSS 2023). Rows as the repositories return
 * them, the vocabularies (states, codes, roles, NSESSS event and object types) and small pure rules.
 */

/** Skartační znak. V (výběr) is accepted only for legacy data. */
export const DISPOSAL_CODES = ['A', 'S', 'V'] as const;
export type DisposalCode = (typeof DISPOSAL_CODES)[number];

/** Sběrný arch (collection sheet) or priorace. */
export const NUMBERING_METHODS = ['collection-sheet', 'priorace'] as const;
export type NumberingMethod = (typeof NUMBERING_METHODS)[number];

/** NSESSS values of ZpusobVedeni for each numbering method. */
export const NUMBERING_METHOD_NSESSS: Record<NumberingMethod, 'SbernyArch' | 'Priorace'> = {
  'collection-sheet': 'SbernyArch',
  priorace: 'Priorace',
};

export const FILE_STATES = ['open', 'closed', 'in-records-centre', 'in-disposal', 'transferred', 'destroyed', 'cancelled'] as const;
export type FileState = (typeof FILE_STATES)[number];

export const FILE_KINDS = ['file', 'typed', 'volume'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export const DOCUMENT_STATES = ['registered', 'settled', 'created', 'dispatched', 'delivered', 'cancelled'] as const;
export type DocumentState = (typeof DOCUMENT_STATES)[number];

export const CHANNELS = ['portal', 'email', 'data-box', 'post', 'personal', 'internal'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels through which a document arrives electronically and gets a confirmation of receipt. */
export const ELECTRONIC_CHANNELS: readonly Channel[] = ['portal', 'email', 'data-box'];

export const PARTY_KINDS = ['person', 'organisation', 'authority'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

/** Způsob vyřízení (NSESSS tZpusobVyrizeni). */
export const SETTLEMENT_KINDS = {
  'by-document': 'vyřízení dokumentem',
  forwarded: 'postoupení',
  noted: 'vzetí na vědomí',
  'by-note': 'vyřízení záznamem na dokumentu',
  other: 'jiný způsob',
} as const;
export type SettlementKind = keyof typeof SETTLEMENT_KINDS;

export const RECORDS_ROLES = ['podatelna', 'referent', 'vedouci', 'spisovna', 'posuzovatel', 'admin'] as const;
export type RecordsRole = (typeof RECORDS_ROLES)[number];

/** NSESSS transaction-log event and object types (nsesss-TrP.xsd), declared once in @openspis/db. */
export { NSESSS_EVENT_TYPES as AUDIT_EVENT_TYPES, NSESSS_OBJECT_TYPES as AUDIT_OBJECT_TYPES } from '@openspis/db';
export type { NsesssEventType as AuditEventType, NsesssObjectType as AuditObjectType } from '@openspis/db';

export interface Retention {
  disposalCode: DisposalCode;
  retentionYears: number;
  triggerEvent: string;
}

export interface FilePlanRow {
  id: string;
  identifier: string;
  title: string;
  issuer: string;
  issuer_id: string; // IČO
  issuer_seat: string;
  comment: string | null;
  valid_from: string; // ISO date
  valid_to: string | null;
  created_at: Date;
}

export interface FileClassRow {
  id: string;
  plan_id: string;
  parent_id: string | null;
  simple_code: string;
  class_code: string;
  title: string;
  comment: string | null;
  retention_id: string | null;
  disposal_code: DisposalCode | null;
  retention_years: number | null;
  trigger_event: string | null;
  retention_reason: string | null;
  numbering_method: NumberingMethod;
  for_typed_files: boolean;
  permanent_disposal_consent: boolean;
  valid_from: string;
  valid_to: string | null;
  sort_order: number;
}

export interface PartyRow {
  id: string;
  kind: PartyKind;
  display_name: string;
  given_name: string | null;
  family_name: string | null;
  organisation_name: string | null;
  company_id: string | null;
  birth_date: string | null;
  email: string | null;
  phone: string | null;
  data_box_id: string | null;
  street: string | null;
  city: string | null;
  postcode: string | null;
  country: string;
  search_text: string;
  merged_into: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface CaseFileRow {
  id: string;
  file_reference: string;
  subject: string;
  state: FileState;
  kind: FileKind;
  part_id: string | null;
  /** a file (spis) in a volume (díl) of a typed file: that volume */
  volume_id?: string | null;
  class_id: string | null;
  class_code: string | null;
  numbering_method: NumberingMethod;
  office: string | null;
  year: number | null;
  seq: number | null;
  last_order: number;
  initiating_document_id: string | null;
  org_unit: string | null;
  owner: string | null;
  disposal_code: DisposalCode | null;
  retention_years: number | null;
  trigger_event: string | null;
  trigger_date: string | null;
  disposal_year: number | null;
  created_at: Date;
  created_by: string | null;
  settled_at: Date | null;
  closed_at: Date | null;
  closed_by: string | null;
  closure_reason: string | null;
  reopened_at: Date | null;
  records_centre_at: Date | null;
  records_centre_by: string | null;
  storage_unit: string | null;
  archive_id: string | null;
  disposed_at: Date | null;
  disposal_hold: boolean;
  disposal_hold_reason?: string | null;
  disposal_hold_by?: string | null;
  disposal_hold_at?: Date | null;
  cancelled_at: Date | null;
  cancelled_by: string | null;
}

export interface FilePartRow {
  id: string;
  typed_file_id: string;
  code: string;
  title: string;
  disposal_code: DisposalCode | null;
  retention_years: number | null;
  trigger_event: string | null;
  created_at: Date;
}

export interface RecordDocumentRow {
  id: string;
  jid: string;
  file_id: string | null;
  direction: 'incoming' | 'outgoing' | 'internal';
  subject: string;
  sender_name: string | null;
  sender_email: string | null;
  sender_party_id: string | null;
  addressee_party_id: string | null;
  sender_reference: string | null;
  sender_reference_date: string | null;
  reference_number: string | null;
  order_in_file: number | null;
  channel: Channel | null;
  form: 'electronic' | 'analog';
  attachments_count: number;
  attachments_kind: string | null;
  org_unit: string | null;
  handler: string | null;
  state: DocumentState;
  disposal_code: DisposalCode | null;
  retention_years: number | null;
  trigger_event: string | null;
  created_by: string;
  created_at: Date;
  settled_at: Date | null;
  settled_by: string | null;
  settlement_method: string | null;
  settlement_note: string | null;
  dispatched_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
  cancelled_by: string | null;
}

/** One row of the registry journal (podací deník / evidenční pomůcka) with the fields the law asks for. */
export interface JournalEntryRow {
  id: string;
  office: string;
  year: number;
  seq: number; // yearly running number (pořadové číslo)
  order_in_file: number; // order of the document within its file
  reference_number: string;
  file_reference: string | null;
  jid: string;
  document_id: string;
  file_id: string;
  direction: 'incoming' | 'outgoing' | 'internal';
  received_at: Date; // date and time of receipt or creation
  channel: Channel | null;
  form: 'electronic' | 'analog';
  subject: string;
  sender: string;
  sender_party_id: string | null;
  sender_reference: string | null;
  sender_reference_date: string | null;
  addressee: string | null;
  addressee_party_id: string | null;
  attachments_count: number;
  attachments_kind: string | null;
  components_count: number;
  org_unit: string | null;
  handled_by: string | null;
  class_code: string | null;
  disposal_code: DisposalCode | null;
  retention_years: number | null;
  state: 'registered' | 'settled' | 'cancelled';
  settled_at: Date | null;
  settled_by: string | null;
  settlement_method: string | null;
  settlement_note: string | null;
  dispatched_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
  created_at: Date;
}

/** Who acts: the username (or `system:<component>`), their roles and organisational unit. */
export interface Actor {
  username: string;
  roles: readonly string[];
  orgUnit: string | null;
}

export const SYSTEM_RECORDS_ACTOR: Actor = { username: 'system:records', roles: ['admin'], orgUnit: null };

/** `user:<name>` for people, the name itself for `system:*` actors — as written to the transaction log. */
export function auditActor(actor: Actor): string {
  return actor.username.startsWith('system:') ? actor.username : `user:${actor.username}`;
}
