import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/db/models/customer.js';
import { useServices } from '../../support/services.js';

/** Local time in the shop (Asia/Ho_Chi_Minh, UTC+7) as an instant. */
const local = (iso: string) => new Date(`${iso}+07:00`);

describe('birthdays: one change a year, one voucher a year', () => {
  const h = useServices('birthdays');
  const customer = async (id: number, name: string) => (await h.join(id, name)).customer;
  const reload = async (c: Customer) => (await h.db.models.Customer.findById(c._id).lean<Customer>())!;
  const setAt = async (c: Customer, text: string, at: string, key = `req:${c.code}:${at}`) => {
    h.clock.current = local(at);
    return h.services.birthdays.set(await reload(c), text, key);
  };
  const vouchersOf = (c: Customer) => h.db.models.Voucher.find({ customerId: c._id, cause: 'birthday' }).lean();
  const messagesOf = (c: Customer) => h.db.models.Notification.find({ customerId: c._id, type: 'birthday_reward' }).lean();

  it('stores a birthday, refuses a change within 365 days with the date it becomes possible, and allows it after', async () => {
    const lan = await customer(7001, 'Lan');
    expect(await setAt(lan, '31/02', '2026-01-10T10:00:00')).toEqual({ ok: false, reason: 'not_a_date' });
    expect(await setAt(lan, 'abc', '2026-01-10T10:00:00')).toEqual({ ok: false, reason: 'format' });
    expect(await setAt(lan, '01/01/2030', '2026-01-10T10:00:00')).toEqual({ ok: false, reason: 'future' });
    expect((await reload(lan)).birthdayKey).toBeUndefined();
    expect(await setAt(lan, '15/08/1990', '2026-01-10T10:00:00')).toMatchObject({
      ok: true,
      changed: true,
      birthday: { day: 15, month: 8, year: 1990 },
    });
    expect(await reload(lan)).toMatchObject({ birthDay: 15, birthMonth: 8, birthYear: 1990, birthdayKey: '08-15', birthdayChanges: 1 });
    expect(await setAt(lan, '15/08/1990', '2026-03-01T10:00:00')).toMatchObject({ ok: true, changed: false });
    const refused = await setAt(lan, '16/08', '2026-03-01T10:00:00');
    expect(refused).toEqual({ ok: false, reason: 'too_soon', birthday: { day: 15, month: 8, year: 1990 }, nextChange: local('2027-01-10T10:00:00') });
    expect((await reload(lan)).birthdayKey).toBe('08-15');
    expect(await setAt(lan, '16/08', '2027-01-10T10:00:01')).toMatchObject({ ok: true, changed: true });
    expect(await reload(lan)).toMatchObject({ birthDay: 16, birthMonth: 8, birthdayKey: '08-16', birthdayChanges: 2 });
    expect((await reload(lan)).birthYear).toBeUndefined();
  });

  it('twenty changes sent at once are one change', async () => {
    const minh = await customer(7002, 'Minh');
    await setAt(minh, '01/01', '2025-01-01T10:00:00');
    h.clock.current = local('2026-03-01T10:00:00');
    const fresh = await reload(minh);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h.services.birthdays.set(fresh, `${i + 2}/03`, `race:${i}`)));
    expect(results.filter((r) => r.ok && r.changed)).toHaveLength(1);
    expect((await reload(minh)).birthdayChanges).toBe(2);
  });

  it('sends the voucher daysBefore the birthday at the local hour, once under reruns and a 20-way race of the job', async () => {
    const nga = await customer(7003, 'Nga');
    const oanh = await customer(7004, 'Oanh');
    await setAt(nga, '04/06', '2026-04-01T10:00:00');
    await setAt(oanh, '03/06/1995', '2026-04-01T10:00:00');
    // Before the rules' local hour (10:00) nothing is sent yet.
    h.clock.current = local('2026-06-01T09:59:00');
    expect(await h.services.birthdays.recordRewards()).toBe(0);
    h.clock.current = local('2026-06-01T10:00:00');
    await h.services.birthdays.recordRewards();
    await h.services.birthdays.recordRewards();
    await Promise.all(Array.from({ length: 20 }, () => h.services.birthdays.recordRewards()));
    for (const who of [nga, oanh]) {
      const vouchers = await vouchersOf(who);
      expect(vouchers, who.name).toHaveLength(1);
      expect(vouchers[0]).toMatchObject({
        causeKey: `birthday:${String(who._id)}:2026`,
        status: 'active',
        reward: { kind: 'percent_off', value: 20 },
      });
      // Valid for the rules' 14 days, to the end of that business day.
      expect(vouchers[0]!.expiresAt).toEqual(new Date(local('2026-06-15T23:59:59.999').getTime()));
      const messages = await messagesOf(who);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.data).toMatchObject({ voucherCode: vouchers[0]!.code });
    }
    // The next day the job runs again: still one each.
    h.clock.current = local('2026-06-02T15:00:00');
    await h.services.birthdays.recordRewards();
    expect(await vouchersOf(nga)).toHaveLength(1);
  });

  it('a birthday entered less than 30 days before the date is not rewarded that year, but is the next', async () => {
    const phuc = await customer(7005, 'Phúc');
    const quan = await customer(7006, 'Quân');
    await setAt(phuc, '20/06', '2026-05-25T10:00:00');
    await setAt(quan, '20/06', '2026-05-21T00:00:00');
    h.clock.current = local('2026-06-17T10:00:00');
    await h.services.birthdays.recordRewards();
    expect(await vouchersOf(phuc)).toHaveLength(0);
    expect(await vouchersOf(quan)).toHaveLength(1);
    h.clock.current = local('2027-06-17T10:00:00');
    await h.services.birthdays.recordRewards();
    expect((await vouchersOf(phuc)).map((v) => v.causeKey)).toEqual([`birthday:${String(phuc._id)}:2027`]);
    expect(await vouchersOf(quan)).toHaveLength(2);
  });

  it('celebrates 29/02 on 28/02 in a year without it', async () => {
    const khoa = await customer(7007, 'Khoa');
    await setAt(khoa, '29/02', '2026-01-01T10:00:00');
    h.clock.current = local('2027-02-25T10:00:00');
    await h.services.birthdays.recordRewards();
    expect((await vouchersOf(khoa)).map((v) => v.causeKey)).toEqual([`birthday:${String(khoa._id)}:2027`]);
  });
});
