import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, generateCode, normalizeCode, withUniqueCode } from '../../../src/domain/codes.js';
import { looksLikePhone, normalizePhone } from '../../../src/domain/phone.js';

describe('personal codes', () => {
  it('use an alphabet without look-alike characters', () => {
    for (const lookAlike of ['0', 'O', '1', 'I', 'L']) expect(CODE_ALPHABET).not.toContain(lookAlike);
    const code = generateCode(6);
    expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{6}$`));
  });

  it('are looked up case-insensitively, ignoring spaces and dashes', () => {
    expect(normalizeCode(' abc-def ')).toBe('ABCDEF');
    expect(normalizeCode('abc def 2')).toBe('ABCDEF2');
  });

  it('reject texts that cannot be a code', () => {
    expect(normalizeCode('ABC')).toBeUndefined();
    expect(normalizeCode('ABCDEF0')).toBeUndefined();
    expect(normalizeCode('ABCDEFGHJ')).toBeUndefined();
  });

  it('retry with a fresh code on a collision, and give up after the limit', async () => {
    const tried: string[] = [];
    let n = 0;
    const random = () => n++ % CODE_ALPHABET.length;
    const collision = Object.assign(new Error('dup'), { code: 11000 });
    const isDup = (e: unknown) => (e as { code?: number }).code === 11000;
    const result = await withUniqueCode(
      6,
      (code) => {
        tried.push(code);
        return tried.length < 3 ? Promise.reject(collision) : Promise.resolve(code);
      },
      isDup,
      random,
    );
    expect(tried).toHaveLength(3);
    expect(new Set(tried).size).toBe(3);
    expect(result).toBe(tried[2]);
    await expect(withUniqueCode(6, () => Promise.reject(collision), isDup, random, 4)).rejects.toBe(collision);
  });
});

describe('Vietnamese phone numbers', () => {
  it('normalise every usual way of writing one number to +84', () => {
    for (const raw of ['0912 345 678', '84912345678', '+84 912-345-678', '(+84) 912.345.678', '0084912345678']) {
      expect(normalizePhone(raw)).toEqual({ ok: true, phone: '+84912345678' });
    }
  });

  it('accept landlines with ten digits after the country code', () => {
    expect(normalizePhone('028 3823 4567')).toEqual({ ok: true, phone: '+842838234567' });
  });

  it('reject numbers that are too short, too long or not Vietnamese', () => {
    for (const raw of ['0912 345', '09123456789', '+1 415 555 0100', 'hello', '0112345678']) {
      expect(normalizePhone(raw)).toEqual({ ok: false, reason: 'invalid_phone' });
    }
  });

  it('tells a phone from a code', () => {
    expect(looksLikePhone('0912 345 678')).toBe(true);
    expect(looksLikePhone('ABC234')).toBe(false);
  });
});
