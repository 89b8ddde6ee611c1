import { canAccessFile, pragueDay, VOLUMES_HOLD_FILES_FROM, type Actor, type Channel, type RegisterRecordInput } from '@openspis/workers';
import type { Knex } from 'knex';
import { isUuid, pragueInstant, readParty, validDay, type FieldErrors, type Values } from './register-form';
import { fileableClasses, handlers, OUTGOING_CHANNELS, RECEIPT_CHANNELS } from './register-options';

export type RegisterKind = 'incoming' | 'own';
export type ReadInput = Omit<RegisterRecordInput, 'components'>;

const ELECTRONIC_RECEIPT: readonly string[] = ['email', 'data-box'];

function readSubject(v: Values, errors: FieldErrors): void {
  if (!v.subject) errors.subject = { key: 'subjectRequired' };
  else if (v.subject.length > 500) errors.subject = { key: 'tooLong', values: { max: 500 } };
}

/**
 * Where the document goes: an existing open file by its reference (spisová značka) that the actor
 * may file into, or a new file in a class of the plan valid today and in a unit. `ownUnit`: the
 * unit a handler's new file belongs to (the registry office and the administrator choose one).
 */
async function readFile(db: Knex, actor: Actor, v: Values, errors: FieldErrors, now: Date, ownUnit: string | null): Promise<{ fileId: string | null; classCode: string | null; orgUnit: string | null }> {
  if (v.fileMode === 'existing') {
    if (!v.fileReference) {
      errors.fileReference = { key: 'fileReferenceRequired' };
      return { fileId: null, classCode: null, orgUnit: null };
    }
    const file = v.fileReference.length <= 100 ? await db('files').where({ file_reference: v.fileReference }).first() : undefined;
    const shares: string[] = file ? await db('file_shares').where({ file_id: file.id }).pluck('org_unit') : [];
    // the registry office files incoming mail for every unit; a handler only into files it may see (a file it may not see is "not found")
    const mayFile = !!file && (actor.roles.includes('podatelna') || canAccessFile(actor, file, shares));
    if (!file || !mayFile) errors.fileReference = { key: 'fileNotFound' };
    else if (file.state !== 'open') errors.fileReference = { key: 'fileNotOpen' };
    else if (file.kind === 'typed') errors.fileReference = { key: 'typedFile' };
    // NSESSS 2023: a volume (díl) holds files; its documents go into them (the use case refuses it again)
    else if (file.kind === 'volume' && pragueDay(now) >= VOLUMES_HOLD_FILES_FROM) errors.fileReference = { key: 'volumeHoldsFiles' };
    return { fileId: file?.id ?? null, classCode: null, orgUnit: file?.org_unit ?? null };
  }
  if (v.fileMode !== 'new') errors.fileMode = { key: 'fileModeRequired' };
  if (!v.classCode) errors.classCode = { key: 'classCodeRequired' };
  else if (!(await fileableClasses(db, pragueDay(now))).some((c) => c.class_code === v.classCode)) errors.classCode = { key: 'classCodeInvalid' };
  let orgUnit = ownUnit;
  if (!orgUnit) {
    if (!v.orgUnit) errors.orgUnit = { key: 'orgUnitRequired' };
    else if (!(await db('org_units').where({ code: v.orgUnit }).first())) errors.orgUnit = { key: 'orgUnitInvalid' };
    orgUnit = v.orgUnit || null;
  }
  return { fileId: null, classCode: v.classCode || null, orgUnit };
}

/** The received document the registry office's form describes, or null with the reasons in `errors`. */
export async function readIncoming(db: Knex, actor: Actor, v: Values, errors: FieldErrors, now: Date): Promise<ReadInput | null> {
  if (!(RECEIPT_CHANNELS as readonly string[]).includes(v.channel)) errors.channel = { key: 'channelRequired' };
  const electronic = ELECTRONIC_RECEIPT.includes(v.channel);
  if (!electronic && v.form !== 'analog' && v.form !== 'electronic') errors.form = { key: 'formRequired' };
  const receivedAt = pragueInstant(v.receivedDate, v.receivedTime);
  if (!receivedAt) errors.receivedDate = { key: 'receivedAtInvalid' };
  else if (receivedAt.getTime() > now.getTime() + 60_000) errors.receivedDate = { key: 'receivedAtFuture' };
  if (v.senderReference.length > 100) errors.senderReference = { key: 'tooLong', values: { max: 100 } };
  if (v.senderReferenceDate) {
    const day = validDay(v.senderReferenceDate);
    if (!day) errors.senderReferenceDate = { key: 'dateInvalid' };
    else if (receivedAt && day > pragueDay(receivedAt)) errors.senderReferenceDate = { key: 'senderReferenceDateLate' };
  }
  readSubject(v, errors);
  const count = v.attachmentsCount === '' ? 0 : Number(v.attachmentsCount);
  if (!Number.isInteger(count) || count < 0 || count > 9999 || !/^\d*$/.test(v.attachmentsCount)) errors.attachmentsCount = { key: 'attachmentsCountInvalid' };
  if (v.attachmentsKind.length > 200) errors.attachmentsKind = { key: 'tooLong', values: { max: 200 } };
  const sender = readParty(v, 'sender', errors);
  // a data message and an e-mail always come from a box or an address: the confirmation of receipt goes there
  if (v.channel === 'data-box' || v.channel === 'email') {
    const needed = v.channel === 'data-box' ? 'DataBoxId' : 'Email';
    const chosen = sender?.id && isUuid(sender.id) ? await db('parties').where({ id: sender.id }).first(v.channel === 'data-box' ? 'data_box_id as value' : 'email as value') : null;
    if (sender?.id ? chosen && !chosen.value : !sender?.[v.channel === 'data-box' ? 'dataBoxId' : 'email']) {
      errors[sender?.id ? 'senderPartyId' : `sender${needed}`] ??= { key: v.channel === 'data-box' ? 'senderDataBoxRequired' : 'senderEmailRequired' };
    }
  }
  const file = await readFile(db, actor, v, errors, now, null);
  let handler: string | null = null;
  if (v.handler) {
    const person = (await handlers(db)).find((h) => h.username === v.handler);
    // the handler works in the unit the document goes to
    if (!person || (file.orgUnit && person.unit !== file.orgUnit)) errors.handler = { key: 'handlerInvalid' };
    handler = v.handler;
  }
  if (Object.keys(errors).length || !receivedAt) return null;
  return {
    direction: 'incoming', subject: v.subject, channel: v.channel as Channel, form: electronic ? 'electronic' : (v.form as 'analog' | 'electronic'),
    sender, senderReference: v.senderReference || null, senderReferenceDate: v.senderReferenceDate || null,
    attachmentsCount: count, attachmentsKind: v.attachmentsKind || null, receivedAt, handler, ...file,
  };
}

/** The own document a handler's form describes (outgoing with its addressee, or internal), or null with the reasons in `errors`. */
export async function readOwn(db: Knex, actor: Actor, v: Values, errors: FieldErrors, now: Date): Promise<ReadInput | null> {
  if (v.direction !== 'outgoing' && v.direction !== 'internal') errors.direction = { key: 'directionRequired' };
  const outgoing = v.direction === 'outgoing';
  if (outgoing && !(OUTGOING_CHANNELS as readonly string[]).includes(v.channel)) errors.channel = { key: 'channelRequired' };
  if (v.form !== 'analog' && v.form !== 'electronic') errors.form = { key: 'formRequired' };
  readSubject(v, errors);
  const addressee = outgoing ? readParty(v, 'addressee', errors) : null;
  if (outgoing && !addressee && !Object.keys(errors).some((k) => k.startsWith('addressee'))) errors.addresseeFamilyName = { key: 'addresseeRequired' };
  // a handler's new file belongs to their unit; the administrator (no unit of their own) chooses one
  const ownUnit = actor.roles.includes('admin') ? null : actor.orgUnit;
  if (!ownUnit && !actor.roles.includes('admin')) errors.fileMode = { key: 'noUnit' };
  const file = await readFile(db, actor, v, errors, now, ownUnit ?? null);
  if (Object.keys(errors).length) return null;
  return {
    direction: outgoing ? 'outgoing' : 'internal', subject: v.subject, channel: outgoing ? (v.channel as Channel) : 'internal',
    form: v.form as 'analog' | 'electronic', addressee, handler: actor.roles.includes('admin') ? null : actor.username, receivedAt: now, ...file,
  };
}
