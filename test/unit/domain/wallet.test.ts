import { describe, expect, it } from 'vitest';
import { parseProgram } from '../../../src/program/load.js';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };
import {
  balanceOf,
  catalogueFor,
  ledgerTotals,
  newlyAffordable,
  nextCatalogueItem,
  pointsExpiryDates,
  visitReceipt,
} from '../../../src/domain/wallet.js';

const program = parseProgram(structuredClone(defaultProgram));
const { catalogue } = program;

describe('points wallet rules', () => {
  it('lifetime points sum earned entries (an entry without `earned` is earned); the balance sums them all', () => {
    expect(ledgerTotals([{ delta: 100 }, { delta: 250, earned: true }, { delta: -300, earned: false }, { delta: -50 }])).toEqual({
      points: 300,
      balance: 0,
    });
    expect(ledgerTotals([])).toEqual({ points: 0, balance: 0 });
  });

  it('a record from before the wallet has its lifetime points as balance', () => {
    expect(balanceOf({ points: 420 })).toBe(420);
    expect(balanceOf({ points: 420, balance: 120 })).toBe(120);
    expect(balanceOf({ points: 420, balance: 0 })).toBe(0);
  });

  it('the default catalogue: 300 a wash and blow-dry, 500 and 1,000 money off', () => {
    expect(catalogue.map((item) => [item.number, item.price, item.reward.kind, item.reward.value])).toEqual([
      [1, 300, 'free_service', 0],
      [2, 500, 'amount_off', 50000],
      [3, 1000, 'amount_off', 150000],
    ]);
    expect(program.pointsExpiry.enabled).toBe(false);
  });

  it('marks what a balance affords and how many points the next item needs', () => {
    expect(catalogueFor(catalogue, 420).map((entry) => [entry.item.number, entry.affordable])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    expect(nextCatalogueItem(catalogue, 420)).toMatchObject({ item: { number: 2 }, pointsToGo: 80 });
    expect(nextCatalogueItem(catalogue, 1000)).toBeUndefined();
    expect(nextCatalogueItem(catalogue, 0)).toMatchObject({ item: { number: 1 }, pointsToGo: 300 });
  });

  it('items a balance rise made affordable: those priced above the old balance and within the new', () => {
    expect(newlyAffordable(catalogue, 280, 520).map((item) => item.number)).toEqual([1, 2]);
    expect(newlyAffordable(catalogue, 300, 420)).toEqual([]);
    expect(newlyAffordable(catalogue, 999, 1000).map((item) => item.number)).toEqual([3]);
  });

  it('the rules refuse a catalogue with a number twice, a price of 0, or a bad reward', () => {
    const withCatalogue = (items: unknown) => () => parseProgram({ ...structuredClone(defaultProgram), catalogue: items });
    const item = { number: 1, price: 300, reward: { kind: 'free_service', label: { vi: 'Gội', en: 'Wash' } } };
    expect(withCatalogue([item, { ...item, price: 400 }])).toThrow(/catalogue\.1\.number: catalogue numbers must be unique/);
    expect(withCatalogue([{ ...item, price: 0 }])).toThrow(/catalogue\.0\.price/);
    expect(withCatalogue([{ ...item, reward: { kind: 'amount_off', value: 0, label: item.reward.label } }])).toThrow(/catalogue\.0\.reward\.value/);
    expect(parseProgram({ ...structuredClone(defaultProgram), catalogue: undefined }).catalogue).toEqual([]);
  });

  it('expiry: off gives no dates; on, N months after the last change, with the reminder days before', () => {
    const last = new Date('2026-01-10T05:00:00Z');
    expect(pointsExpiryDates(program.pointsExpiry, last, 'Asia/Ho_Chi_Minh')).toBeUndefined();
    const dates = pointsExpiryDates({ enabled: true, months: 6, reminderDays: 14 }, last, 'Asia/Ho_Chi_Minh')!;
    expect(dates.expiresAt.toISOString()).toBe('2026-07-10T16:59:59.999Z');
    expect(dates.remindAt.toISOString()).toBe('2026-06-25T17:00:00.000Z');
  });

  it('a visit receipt: the next tier follows lifetime points, the unlocked rewards the balance', () => {
    // Lifetime 500 (Silver reached), balance 320 after +135: Gold is 500 away, reward 1 came within reach.
    expect(visitReceipt(135, { points: 500, balance: 320 }, program)).toEqual({
      earned: 135,
      balance: 320,
      nextTier: 'gold',
      toNextTier: 500,
      unlocked: [1],
    });
    expect(visitReceipt(100, { points: 1500, balance: 250 }, program)).toEqual({ earned: 100, balance: 250 });
  });
});
