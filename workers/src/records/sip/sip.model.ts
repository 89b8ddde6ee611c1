/**
 * What a SIP (submission information package, NSESSS 2023 příloha 2) is built from: one closed file
 * (spis) with its documents and components, the file plan classes above it and the transaction log
 * of every entity. The repository fills it from the database; the builder only turns it into METS.
 */

export const SIP_KINDS = ['disposal', 'transfer'] as const;
/** `disposal`: metadata for the disposal procedure; `transfer`: files selected as archival records, with their components. */
export type SipKind = (typeof SIP_KINDS)[number];

/** The only LABEL values příloha 2 allows. */
export const SIP_LABELS: Record<SipKind, string> = {
  disposal: 'Datový balíček pro provedení skartačního řízení',
  transfer: 'Datový balíček pro předávání dokumentů a jejich metadat do archivu',
};

/** The originator (původce). */
export interface SipOrganisation {
  /** IČO */
  identifier: string;
  name: string;
  address: string;
}

/** An official of the originator (tSubjektInterni). */
export interface SipInternalPerson {
  username: string;
  name: string;
  orgUnit: string;
  position: string;
}

/** A sender or addressee (tSubjektExterni). */
export interface SipExternalParty {
  kind: 'person' | 'organisation';
  name: string;
  /** IČO of an organisation, or the party's register id of a person */
  identifier: string | null;
  address: string;
  email: string | null;
}

export interface SipRetention {
  identifier: string;
  name: string;
  reason: string;
  disposalCode: 'A' | 'S' | 'V';
  years: number;
  triggerEvent: string;
}

export interface SipFilePlan {
  id: string;
  identifier: string;
  title: string;
  issuer: SipOrganisation;
  validFrom: string; // ISO date
  validTo: string | null;
}

export interface SipFileClass {
  id: string;
  simpleCode: string;
  classCode: string;
  title: string;
  retention: SipRetention | null;
  validFrom: string;
  validTo: string | null;
  numberingMethod: 'SbernyArch' | 'Priorace' | null;
  /** UrcenoProTypoveSpisy: a class meant for typed files */
  forTypedFiles?: boolean;
}

/** One entry of an entity's transaction log. */
export interface SipLogEvent {
  occurredAt: Date;
  /** `user:<name>` or `system:<component>` */
  actor: string;
  /** NSESSS event type (tTypUdalosti); anything else is written as TypUdalostiText */
  eventType: string;
  description?: string | null;
}

export interface SipComponent {
  id: string;
  /** pořadí: 1 for the main component, then the attachments */
  order: number;
  /** druh: e.g. "hlavní dokument", "příloha" */
  kind: string;
  version: number;
  preservationForm: 'originál' | 'originál ve výstupním datovém formátu' | 'koncept' | 'digitalizát' | 'kontejner';
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: Date;
  /** the bytes; required in a transfer package */
  content: Uint8Array | null;
  log: SipLogEvent[];
}

export type SipDocumentOrigin =
  | { kind: 'received'; receivedAt: Date; sender: SipExternalParty; senderReference: string | null }
  | { kind: 'own'; createdAt: Date; author: SipInternalPerson };

export interface SipSettlement {
  at: Date;
  /** NSESSS tZpusobVyrizeni text, e.g. "vyřízení dokumentem" */
  method: string | null;
  note: string | null;
  by: SipInternalPerson;
}

export interface SipDocument {
  id: string;
  jid: string;
  referenceNumber: string | null;
  seq: number | null;
  year: number;
  subject: string;
  origin: SipDocumentOrigin;
  settlement: SipSettlement | null;
  retention: SipRetention;
  analog: boolean;
  components: SipComponent[];
  log: SipLogEvent[];
}

/** The typed file (typový spis) a volume belongs to; it stays open while its parts take new volumes. */
export interface SipTypedFile {
  id: string;
  fileReference: string;
  subject: string;
  createdAt: Date;
  closedAt: Date | null;
  closedBy: SipInternalPerson | null;
  log: SipLogEvent[];
}

/** A part (součást) of a typed file, with its own retention or the class's. */
export interface SipPart {
  id: string;
  code: string;
  title: string;
  createdAt: Date;
  retention: SipRetention;
  log: SipLogEvent[];
}

export interface SipCaseFile {
  id: string;
  fileReference: string;
  seq: number | null;
  year: number;
  subject: string;
  createdAt: Date;
  closedAt: Date;
  closedBy: SipInternalPerson;
  settlementMethod: string | null;
  retention: SipRetention;
  triggerYear: number;
  disposalYear: number;
  storageUnit: string | null;
  plan: SipFilePlan;
  /** the classes from the top of the plan down to the file's own class */
  classPath: SipFileClass[];
  documents: SipDocument[];
  /** the closed files (spisy) a volume opened under the 2023 decree holds instead of documents */
  files?: SipCaseFile[];
  log: SipLogEvent[];
  /**
   * Set for a volume (díl) of a typed file: the package's base entity is then `nsesss:Dil`, nested
   * in its part (Soucast) and typed file (TypovySpis) above the class, instead of `nsesss:Spis`.
   */
  typed?: { typedFile: SipTypedFile; part: SipPart } | null;
}

/** The archive's decision recorded on a transfer package (skartační řízení). */
export interface SipDisposalDecision {
  decidedAt: Date;
  assessor: SipInternalPerson;
  reason: string | null;
}

export interface SipInput {
  kind: SipKind;
  /** OBJID: unique within the originator; also the package (folder and zip) name */
  packageId: string;
  createdAt: Date;
  /** the `zdroj` of every identifier: the originator's system, e.g. the office code */
  identifierSource: string;
  /** the name of the registry journal (NazevEvidenceDokumentu) */
  journalName: string;
  software: { name: string; version: string };
  organisation: SipOrganisation;
  /** the person responsible for building the package */
  creator: SipInternalPerson;
  file: SipCaseFile;
  decision: SipDisposalDecision | null;
}
