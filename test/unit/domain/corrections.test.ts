import { describe, expect, it } from 'vitest';
import { cleanReason, MAX_ADJUSTMENT, parseAdjustment, takeBackAmount, withinStaffUndoWindow } from '../../../src/domain/corrections.js';

describe('corrections rules', () => {
  it('reads a signed whole number of points, with thousands separators', () => {
    expect(parseAdjustment('+50')).toEqual({ ok: true, delta: 50 });
    expect(parseAdjustment('-50')).toEqual({ ok: true, delta: -50 });
    expect(parseAdjustment('+1.000')).toEqual({ ok: true, delta: 1000 });
    expect(parseAdjustment('-2,500')).toEqual({ ok: true, delta: -2500 });
    expect(parseAdjustment(`+${MAX_ADJUSTMENT}`)).toEqual({ ok: true, delta: MAX_ADJUSTMENT });
  });

  it('refuses an unsigned, fractional, non-numeric, zero or huge amount', () => {
    for (const text of ['50', '+5x', '+1.5', '+', '--5', '+1.00', 'abc', '+50k'])
      expect(parseAdjustment(text)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseAdjustment('+0')).toEqual({ ok: false, reason: 'zero' });
    expect(parseAdjustment('-000')).toEqual({ ok: false, reason: 'zero' });
    expect(parseAdjustment(`+${MAX_ADJUSTMENT + 1}`)).toEqual({ ok: false, reason: 'too_large' });
    expect(parseAdjustment('-99999999999999999999')).toEqual({ ok: false, reason: 'too_large' });
  });

  it('lets staff undo for 60 minutes', () => {
    const at = new Date('2026-06-01T03:00:00Z');
    expect(withinStaffUndoWindow(at, new Date(at.getTime() + 60 * 60_000))).toBe(true);
    expect(withinStaffUndoWindow(at, new Date(at.getTime() + 60 * 60_000 + 1))).toBe(false);
  });

  it('keeps a reason trimmed and short, and an empty one is none', () => {
    expect(cleanReason('  sai   khách \n')).toBe('sai khách');
    expect(cleanReason('   ')).toBeUndefined();
    expect(cleanReason(undefined)).toBeUndefined();
    expect(cleanReason('x'.repeat(500))).toHaveLength(200);
  });

  it('never takes back more than the balance', () => {
    expect(takeBackAmount(100, 250)).toBe(100);
    expect(takeBackAmount(100, 40)).toBe(40);
    expect(takeBackAmount(100, 0)).toBe(0);
    expect(takeBackAmount(100, -5)).toBe(0);
  });
});
