import { describe, expect, it } from 'vitest';
import { isVisitAmount, MAX_VISIT_AMOUNT, parseAmount } from '../../../src/domain/amount.js';
import { channelOf, identityOf, parseIdentity } from '../../../src/domain/identity.js';

describe('amounts', () => {
  it('read the ways staff type money', () => {
    expect(parseAmount('350000')).toBe(350_000);
    expect(parseAmount('350.000')).toBe(350_000);
    expect(parseAmount('350,000')).toBe(350_000);
    expect(parseAmount('350k')).toBe(350_000);
    expect(parseAmount('350K')).toBe(350_000);
    expect(parseAmount('1.2tr')).toBe(1_200_000);
    expect(parseAmount('1,5TR')).toBe(1_500_000);
    expect(parseAmount('2m')).toBe(2_000_000);
  });

  it('are not read from anything else', () => {
    for (const text of ['', 'abc', '-5', '35k0', '1.2.3tr', 'k', '350 k', '+350']) expect(parseAmount(text), text).toBeUndefined();
  });

  it('are valid for a visit when whole, above zero and at most a billion', () => {
    expect(isVisitAmount(1)).toBe(true);
    expect(isVisitAmount(MAX_VISIT_AMOUNT)).toBe(true);
    for (const amount of [0, -5, 1.5, MAX_VISIT_AMOUNT + 1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(isVisitAmount(amount), String(amount)).toBe(false);
  });
});

describe('channel identities', () => {
  it('read apart into the app and the id', () => {
    expect(parseIdentity('telegram:123456789')).toEqual({ channel: 'telegram', id: '123456789' });
    expect(parseIdentity('zalo:6ede9afa66b88fe6d6a9')).toEqual({ channel: 'zalo', id: '6ede9afa66b88fe6d6a9' });
    expect(parseIdentity('zalo:z-owner_2')).toEqual({ channel: 'zalo', id: 'z-owner_2' });
    expect(channelOf('zalo:abc')).toBe('zalo');
    expect(identityOf('telegram', 42)).toBe('telegram:42');
  });

  it('refuse anything else', () => {
    for (const text of ['telegram:abc', 'telegram:', 'zalo:', 'zalo:a b', 'viber:123', '123', 'TELEGRAM:1', ' telegram:1']) {
      expect(parseIdentity(text), text).toBeUndefined();
    }
    expect(() => channelOf('telegram:abc')).toThrow();
  });
});
