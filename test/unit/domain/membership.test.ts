import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { checkPeriod, isDoubleSend, membershipEnd, parsePeriod, periodStart } from '../../../src/domain/membership.js';

const zone = 'Asia/Ho_Chi_Minh';

describe('membership periods', () => {
  it('reads months and years as staff type them', () => {
    expect(parsePeriod('12')).toBe(12);
    expect(parsePeriod('3m')).toBe(3);
    expect(parsePeriod('6th')).toBe(6);
    expect(parsePeriod('6tháng')).toBe(6);
    expect(parsePeriod('1y')).toBe(12);
    expect(parsePeriod('2N')).toBe(24);
    expect(parsePeriod('0')).toBeUndefined();
    expect(parsePeriod('-3')).toBeUndefined();
    expect(parsePeriod('1.5')).toBeUndefined();
    expect(parsePeriod('abc')).toBeUndefined();
  });

  it('sells whole periods of the rules, up to 36 months', () => {
    expect(checkPeriod(12, 3)).toEqual({ ok: true, periods: 4 });
    expect(checkPeriod(3, 3)).toEqual({ ok: true, periods: 1 });
    expect(checkPeriod(4, 3)).toEqual({ ok: false, reason: 'not_multiple' });
    expect(checkPeriod(39, 3)).toEqual({ ok: false, reason: 'too_long' });
    expect(checkPeriod(0, 3)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('ends at the end of the business day months later, and extends a running membership from its end', () => {
    const now = new Date('2026-01-31T03:00:00Z');
    const end = membershipEnd(now, 1, zone);
    expect(end.toISOString()).toBe('2026-02-28T16:59:59.999Z');
    expect(periodStart(now, end)).toBe(end);
    expect(periodStart(now, new Date('2026-01-01T00:00:00Z'))).toBe(now);
    expect(periodStart(now, undefined)).toBe(now);
    expect(membershipEnd(end, 3, zone).toISOString()).toBe('2026-05-28T16:59:59.999Z');
  });

  it('tells a second send of the same sale from a new one', () => {
    const staff = new Types.ObjectId();
    const latest = { soldBy: staff, months: 12, at: new Date('2026-01-01T03:00:00Z') };
    expect(isDoubleSend(latest, staff, 12, new Date('2026-01-01T03:01:00Z'))).toBe(true);
    expect(isDoubleSend(latest, staff, 6, new Date('2026-01-01T03:01:00Z'))).toBe(false);
    expect(isDoubleSend(latest, new Types.ObjectId(), 12, new Date('2026-01-01T03:01:00Z'))).toBe(false);
    expect(isDoubleSend(latest, staff, 12, new Date('2026-01-01T03:02:00Z'))).toBe(false);
  });
});
