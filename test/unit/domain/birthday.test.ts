import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { celebrationDay, keysCelebratedOn, nextBirthdayChange, parseBirthday, rewardableBirthday } from '../../../src/domain/birthday.js';

const zone = 'Asia/Ho_Chi_Minh';
const today = DateTime.fromISO('2026-06-01T10:00:00', { zone });

describe('birthday rules', () => {
  it('reads dd/mm and dd/mm/yyyy as real dates', () => {
    expect(parseBirthday('25/12', today)).toEqual({ ok: true, birthday: { day: 25, month: 12 } });
    expect(parseBirthday(' 5-3-1990 ', today)).toEqual({ ok: true, birthday: { day: 5, month: 3, year: 1990 } });
    expect(parseBirthday('29/02', today)).toEqual({ ok: true, birthday: { day: 29, month: 2 } });
    expect(parseBirthday('29/02/2000', today)).toEqual({ ok: true, birthday: { day: 29, month: 2, year: 2000 } });
  });

  it('refuses what is not a date, a future year and an age over 120', () => {
    expect(parseBirthday('31/02', today)).toEqual({ ok: false, reason: 'not_a_date' });
    expect(parseBirthday('29/02/2001', today)).toEqual({ ok: false, reason: 'not_a_date' });
    expect(parseBirthday('00/05', today)).toEqual({ ok: false, reason: 'not_a_date' });
    expect(parseBirthday('12/13', today)).toEqual({ ok: false, reason: 'not_a_date' });
    expect(parseBirthday('abc', today)).toEqual({ ok: false, reason: 'format' });
    expect(parseBirthday('25/12/90', today)).toEqual({ ok: false, reason: 'format' });
    expect(parseBirthday('02/06/2026', today)).toEqual({ ok: false, reason: 'future' });
    expect(parseBirthday('01/06/2026', today)).toMatchObject({ ok: true });
    expect(parseBirthday('31/05/1906', today)).toEqual({ ok: false, reason: 'too_old' });
    expect(parseBirthday('01/06/1906', today)).toMatchObject({ ok: true });
  });

  it('celebrates 29/02 on 28/02 in a year without it, and finds it under both keys that day', () => {
    expect(celebrationDay({ day: 29, month: 2 }, 2027)).toEqual({ year: 2027, month: 2, day: 28 });
    expect(celebrationDay({ day: 29, month: 2 }, 2028)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(keysCelebratedOn(DateTime.fromISO('2027-02-28', { zone }))).toEqual(['02-28', '02-29']);
    expect(keysCelebratedOn(DateTime.fromISO('2028-02-28', { zone }))).toEqual(['02-28']);
    expect(keysCelebratedOn(DateTime.fromISO('2028-12-05', { zone }))).toEqual(['12-05']);
  });

  it('allows a change 365 days after the last one, and rewards only a birthday entered 30 days or more before the date', () => {
    const setAt = new Date('2026-01-10T03:00:00Z');
    expect(nextBirthdayChange(setAt)).toEqual(new Date('2027-01-10T03:00:00Z'));
    const celebration = DateTime.fromISO('2026-07-01', { zone });
    expect(rewardableBirthday(celebration.minus({ days: 30 }).toJSDate(), celebration)).toBe(true);
    expect(rewardableBirthday(celebration.minus({ days: 29 }).toJSDate(), celebration)).toBe(false);
  });
});
