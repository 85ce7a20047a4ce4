import { describe, expect, it } from 'vitest';
import { importCustomers, type ImportOptions } from '../../../src/cli/import-customers.js';
import { createI18n } from '../../../src/i18n.js';
import { useServices } from '../../support/services.js';

const FILE = [
  'Tên;Số điện thoại;Điểm;Số lần ghé;Ngày sinh',
  'Nguyễn Thị Lan;0935 246 810;650;14;25/12/1990',
  'Trần Minh;0977135791;;2;',
  'Hoa;13579;10;;',
  'Lan trùng;+84935246810;5;;',
  'Cúc;0903000001;-3;;',
  'Đào;0903000002;10;;31/02',
].join('\r\n');

describe('importing existing customers', () => {
  const h = useServices('customer-import');
  const bytes = new TextEncoder().encode(FILE);

  async function run(options: Partial<ImportOptions> = {}) {
    const t = (await createI18n({ defaultLocale: 'en', timezone: 'Asia/Ho_Chi_Minh' })).forLocale('en');
    const lines: string[] = [];
    let connected = 0;
    const summary = await importCustomers(bytes, {
      dryRun: false,
      locale: 'vi',
      t,
      say: (line) => lines.push(line),
      imports: () => {
        connected++;
        return Promise.resolve(h.services.customerImport);
      },
      thisYear: 2026,
      ...options,
    });
    return { summary, lines, connected };
  }

  const counts = async () => ({
    customers: await h.db.models.Customer.countDocuments({}),
    entries: await h.db.models.PointsEntry.countDocuments({}),
    claims: await h.db.models.Claim.countDocuments({}),
  });

  it('a dry run reports the bad rows by line and reason and writes nothing', async () => {
    const { summary, lines, connected } = await run({ dryRun: true });
    expect(summary).toEqual({ ok: true, valid: 2, bad: 4 });
    expect(connected).toBe(0);
    expect(lines).toContain('Line 4: the phone number is not valid (a good one: 0912 345 678).');
    expect(lines).toContain('Line 5: the same phone number as line 2; only line 2 is imported.');
    expect(lines).toContain('Line 6: points cannot be negative.');
    expect(lines).toContain('Line 7: the birthday is not a valid date (write dd/mm or dd/mm/yyyy, e.g. 25/12 or 25/12/1990).');
    expect(lines).toContain('Dry run: nothing was written.');
    // The numbers in the file are never printed.
    expect(lines.join('\n')).not.toMatch(/246|810|135791|13579/);
    expect(await counts()).toEqual({ customers: 0, entries: 0, claims: 0 });
  });

  it('imports the good rows with their points as one ledger entry, visits as a count and the birthday', async () => {
    const { summary, lines } = await run();
    expect(summary).toMatchObject({ ok: true, written: { created: 2, marked: 0, already: 0, deleted: 0 } });
    expect(lines.at(-1)).toMatch(/^Done: 2 new customers/);
    const lan = await h.db.models.Customer.findOne({ phone: '+84935246810' }).lean();
    expect(lan).toMatchObject({
      name: 'Nguyễn Thị Lan',
      phoneVerified: false,
      points: 650,
      tier: 'silver',
      importedVisits: 14,
      birthDay: 25,
      birthMonth: 12,
      birthYear: 1990,
      birthdayKey: '12-25',
      locale: 'vi',
      role: 'customer',
    });
    expect(lan?.createdDay).toBeUndefined();
    expect(lan?.importedAt).toBeInstanceOf(Date);
    const entries = await h.db.models.PointsEntry.find({ customerId: lan?._id }).lean();
    expect(entries).toMatchObject([{ delta: 650, cause: 'import', causeKey: 'import:+84935246810' }]);
    // Visits are a count on the record: no Visit with a made-up date or staff member.
    expect(await h.db.models.Visit.countDocuments({})).toBe(0);
    // Nobody is told anything: these people have no chat yet, and nothing happened today.
    expect(await h.db.models.Notification.countDocuments({})).toBe(0);
    expect(await h.db.models.Customer.findOne({ phone: '+84977135791' }).lean()).toMatchObject({ name: 'Trần Minh', points: 0 });
    // Staff find them at the counter by the number.
    expect(await h.services.customers.lookup('0935 246 810')).toMatchObject({ ok: true, customer: { name: 'Nguyễn Thị Lan' } });
  });

  it('a second run of the same file changes nothing', async () => {
    const before = await counts();
    const { summary } = await run();
    expect(summary).toMatchObject({ ok: true, written: { created: 0, already: 2 } });
    expect(await counts()).toEqual(before);
    expect(await h.db.models.Customer.findOne({ phone: '+84935246810' }).lean()).toMatchObject({ points: 650 });
  });

  it('a customer who chats already with that number verified gets the points, not a second record', async () => {
    const { customer } = await h.join(901, 'Mai');
    await h.services.customers.setPhone(customer._id, '0903111222', { verified: true });
    const file = new TextEncoder().encode('name,phone,points,visits,birthday\nMai Nguyen,0903111222,300,5,1/6\n');
    const t = (await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' })).forLocale('vi');
    const options = { dryRun: false, locale: 'vi' as const, t, say: () => undefined, imports: () => Promise.resolve(h.services.customerImport) };
    expect(await importCustomers(file, options)).toMatchObject({ written: { marked: 1 } });
    expect(await importCustomers(file, options)).toMatchObject({ written: { already: 1 } });
    expect(await h.db.models.Customer.countDocuments({ phone: '+84903111222' })).toBe(1);
    expect(await h.db.models.Customer.findById(customer._id).lean()).toMatchObject({
      name: 'Mai',
      points: 300,
      importedVisits: 5,
      birthDay: 1,
      birthMonth: 6,
      birthdayKey: '06-01',
    });
  });

  it('refuses a file with the wrong columns, changing nothing', async () => {
    const before = await counts();
    const t = (await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' })).forLocale('vi');
    const lines: string[] = [];
    const file = new TextEncoder().encode('Họ tên,Điện thoại di động,Điểm\nLan,0912000111,5\n');
    const summary = await importCustomers(file, {
      dryRun: false,
      locale: 'vi',
      t,
      say: (line) => lines.push(line),
      imports: () => Promise.resolve(h.services.customerImport),
    });
    expect(summary).toEqual({ ok: false });
    expect(lines).toEqual([
      'Các cột của tệp không đúng.',
      'Thiếu cột: Số điện thoại (phone).',
      'Cột không nhận ra: "Điện thoại di động".',
      expect.stringContaining('Các cột dùng được'),
      'Không có gì được nhập. Sửa tệp rồi chạy lại.',
    ]);
    expect(await counts()).toEqual(before);
  });
});
