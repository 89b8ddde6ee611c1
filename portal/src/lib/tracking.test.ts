import { describe, expect, it } from 'vitest';
import { canWithdraw, tokenFromInput } from './tracking';

describe('tokenFromInput', () => {
  it('takes the token from a pasted tracking link or the bare token', () => {
    expect(tokenFromInput(' https://podani.karlovyvary.cz/sledovani/eyJhYmMi.sig-_1?lang=en ')).toBe('eyJhYmMi.sig-_1');
    expect(tokenFromInput('eyJhYmMi.sig-_1')).toBe('eyJhYmMi.sig-_1');
  });

  it('rejects empty input and text that cannot be a token', () => {
    expect(tokenFromInput('')).toBeNull();
    expect(tokenFromInput('   ')).toBeNull();
    expect(tokenFromInput('<script>')).toBeNull();
    expect(tokenFromInput('abc')).toBeNull();
  });
});

describe('canWithdraw', () => {
  it('offers withdrawal only until the submission is settled', () => {
    expect(canWithdraw('received')).toBe(true);
    expect(canWithdraw('registered')).toBe(true);
    expect(canWithdraw('answered')).toBe(false);
    expect(canWithdraw('withdrawn')).toBe(false);
  });
});
