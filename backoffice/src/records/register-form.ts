import { isIsoDay, PARTY_KINDS, type PartyInput, type PartyKind } from '@openspis/workers';

/**
 * Reading the registration forms (records-register.route.ts): the raw fields as the clerk typed them
 * (to show the form again) and, field by field, what is wrong with them as a key of the
 * `register:errors.*` catalogue. Nothing here touches the database.
 */

export type Values = Record<string, string>;
/** field name → `register:errors.<key>` (with interpolation values) */
export type FieldErrors = Record<string, { key: string; values?: Record<string, unknown> }>;

/** The form's text fields, trimmed; anything that is not a single string (a repeated field, a file) is dropped. */
export function readValues(body: unknown, names: readonly string[]): Values {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const out: Values = {};
  for (const n of names) {
    const v = raw[n];
    out[n] = typeof v === 'string' ? v.trim() : '';
  }
  return out;
}

export const PARTY_FIELDS = ['Kind', 'PartyId', 'Query', 'GivenName', 'FamilyName', 'OrganisationName', 'CompanyId', 'DataBoxId', 'Email', 'Street', 'City', 'Postcode'] as const;
export const partyFieldNames = (role: string): string[] => PARTY_FIELDS.map((f) => `${role}${f}`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string): boolean => UUID.test(v);

/** IČO: eight digits, the last a modulo-11 check digit of the others. */
export function validCompanyId(v: string): boolean {
  if (!/^\d{8}$/.test(v)) return false;
  const sum = [...v.slice(0, 7)].reduce((s, d, i) => s + Number(d) * (8 - i), 0);
  return (11 - (sum % 11)) % 10 === Number(v[7]);
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/**
 * The party a form names: one chosen from the register (`<role>PartyId`), a new one typed in, or
 * none (every field blank). Wrong identifiers and a missing name are field errors.
 */
export function readParty(v: Values, role: string, errors: FieldErrors): PartyInput | null {
  const f = (name: (typeof PARTY_FIELDS)[number]) => v[`${role}${name}`] ?? '';
  if (f('PartyId')) {
    if (!isUuid(f('PartyId'))) errors[`${role}PartyId`] = { key: 'partyNotFound' };
    // the kind is the register's; registerRecord takes the party by its id
    return { kind: 'person', id: f('PartyId') };
  }
  const typed = ['GivenName', 'FamilyName', 'OrganisationName', 'CompanyId', 'DataBoxId', 'Email', 'Street', 'City', 'Postcode'] as const;
  if (typed.every((n) => !f(n))) return null;
  const kind = f('Kind') as PartyKind;
  if (!PARTY_KINDS.includes(kind)) errors[`${role}Kind`] = { key: 'partyKindInvalid' };
  const person = kind === 'person';
  if (person && !f('FamilyName')) errors[`${role}FamilyName`] = { key: 'familyNameRequired' };
  if (!person && !f('OrganisationName')) errors[`${role}OrganisationName`] = { key: 'organisationNameRequired' };
  const tooLong = (name: (typeof typed)[number], max: number) => {
    if (f(name).length > max) errors[`${role}${name}`] = { key: 'tooLong', values: { max } };
  };
  tooLong('GivenName', 100);
  tooLong('FamilyName', 100);
  tooLong('OrganisationName', 200);
  tooLong('Street', 200);
  tooLong('City', 100);
  if (f('CompanyId') && !validCompanyId(f('CompanyId'))) errors[`${role}CompanyId`] = { key: 'companyIdInvalid' };
  if (f('DataBoxId') && !/^[a-z0-9]{7}$/i.test(f('DataBoxId'))) errors[`${role}DataBoxId`] = { key: 'dataBoxIdInvalid' };
  if (f('Email') && (f('Email').length > 200 || !EMAIL.test(f('Email')))) errors[`${role}Email`] = { key: 'emailInvalid' };
  if (f('Postcode') && !/^\d{3} ?\d{2}$/.test(f('Postcode'))) errors[`${role}Postcode`] = { key: 'postcodeInvalid' };
  const or = (name: (typeof typed)[number]) => f(name) || null;
  return {
    kind: PARTY_KINDS.includes(kind) ? kind : 'person',
    givenName: or('GivenName'), familyName: or('FamilyName'), organisationName: or('OrganisationName'),
    companyId: or('CompanyId'), dataBoxId: f('DataBoxId') ? f('DataBoxId').toLowerCase() : null, email: or('Email'),
    street: or('Street'), city: or('City'), postcode: f('Postcode') ? f('Postcode').replace(' ', '') : null,
  };
}

const PRAGUE_WALL = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Prague', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** The Prague wall-clock time of an instant, as if it were UTC (milliseconds). */
function pragueWall(at: Date): number {
  const p = Object.fromEntries(PRAGUE_WALL.formatToParts(at).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
}

/** `HH:MM` in Prague now. */
export function pragueTime(at: Date): string {
  return new Date(pragueWall(at)).toISOString().slice(11, 16);
}

/** A calendar day `YYYY-MM-DD` that exists, from 1990 on, or null. */
export function validDay(v: string): string | null {
  return isIsoDay(v) && v >= '1990-01-01' ? v : null;
}

/** The instant of a Prague day and wall-clock time (`HH:MM`), or null when either is not valid. */
export function pragueInstant(day: string, time: string): Date | null {
  if (!validDay(day) || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return null;
  const wall = Date.parse(`${day}T${time}:00Z`);
  // the offset at the guess, then once more at the result (the two differ only around a DST change)
  let at = wall - (pragueWall(new Date(wall)) - wall);
  at = wall - (pragueWall(new Date(at)) - at);
  return new Date(at);
}
