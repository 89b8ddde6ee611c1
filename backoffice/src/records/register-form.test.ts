import { describe, expect, it } from 'vitest';
import { pragueInstant, pragueTime, readParty, validCompanyId, validDay, type FieldErrors } from './register-form';

describe('reading the registration form', () => {
  it('takes the time of receipt as Prague wall-clock time, in winter and in summer time, and refuses what does not exist', () => {
    expect(pragueInstant('2026-01-15', '09:30')?.toISOString()).toBe('2026-01-15T08:30:00.000Z');
    expect(pragueInstant('2026-07-15', '09:30')?.toISOString()).toBe('2026-07-15T07:30:00.000Z');
    // the day summer time starts (02:00 → 03:00) and the day it ends
    expect(pragueInstant('2026-03-29', '03:30')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(pragueInstant('2026-10-25', '12:00')?.toISOString()).toBe('2026-10-25T11:00:00.000Z');
    expect(pragueTime(new Date('2026-07-15T07:30:00Z'))).toBe('09:30');
    expect(pragueInstant('2026-02-30', '09:30')).toBeNull();
    expect(pragueInstant('2026-02-10', '24:00')).toBeNull();
    expect(pragueInstant('', '')).toBeNull();
    expect(validDay('2026-02-28')).toBe('2026-02-28');
    expect(validDay('1989-12-31')).toBeNull();
  });

  it('checks an IČO by its check digit', () => {
    expect(validCompanyId('00254657')).toBe(true); // Statutární město Karlovy Vary
    expect(validCompanyId('25401726')).toBe(true);
    expect(validCompanyId('00254658')).toBe(false);
    expect(validCompanyId('2540172')).toBe(false);
  });

  it('reads a new party, a party of the register by id, or none; names the wrong fields', () => {
    const errors: FieldErrors = {};
    expect(readParty({ senderKind: 'person' }, 'sender', errors)).toBeNull();
    expect(readParty({ senderPartyId: '3f0e7c1a-2b4d-4e5f-8a9b-0c1d2e3f4a5b' }, 'sender', errors)).toMatchObject({ id: '3f0e7c1a-2b4d-4e5f-8a9b-0c1d2e3f4a5b' });
    expect(errors).toEqual({});
    const party = readParty({ senderKind: 'organisation', senderOrganisationName: 'Obec Otovice', senderDataBoxId: 'ABC2DEF', senderPostcode: '362 32', senderCompanyId: '12345678', senderEmail: 'x@' }, 'sender', errors);
    expect(party).toMatchObject({ kind: 'organisation', dataBoxId: 'abc2def', postcode: '36232' });
    expect(Object.keys(errors).sort()).toEqual(['senderCompanyId', 'senderEmail']);
    const person: FieldErrors = {};
    readParty({ addresseeKind: 'person', addresseeGivenName: 'Jana' }, 'addressee', person);
    expect(person).toEqual({ addresseeFamilyName: { key: 'familyNameRequired' } });
  });
});
