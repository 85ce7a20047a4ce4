import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { readCustomerCsv } from '../../../src/domain/customer-csv.js';
import type { ExportFile } from '../../../src/services/exports.js';
import { useServices } from '../../support/services.js';

/** The file as the page writes it, and the chunks it came in. */
async function csvOf(file: ExportFile): Promise<{ text: string; chunks: number }> {
  const out = Readable.from(file.rows).pipe(stringify({ bom: true, header: true, columns: [...file.columns] }));
  let text = '';
  let chunks = 0;
  for await (const chunk of out) {
    text += String(chunk);
    chunks++;
  }
  return { text, chunks };
}

describe('CSV exports', () => {
  const h = useServices('exports');

  it('refuses staff and customers, and audits the refusal', async () => {
    const staff = await h.staff(701, 'Nhân viên');
    const { actor: customer } = await h.join(702, 'Khách');
    expect(await h.services.exports.open(staff, 'customers', 'all', 'vi')).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.exports.open(customer, 'visits', { from: '2026-06-01', to: '2026-06-30' }, 'vi')).toEqual({
      ok: false,
      reason: 'not_allowed',
    });
    expect(await h.db.models.AuditLog.countDocuments({ kind: 'refused', action: 'export' })).toBe(2);
  });

  it('refuses a period that is not one, and "all" for anything but customers', async () => {
    const owner = await h.staff(700, 'Chủ tiệm', 'owner');
    for (const period of [
      { from: '2026-06-30', to: '2026-06-01' },
      { from: '1/6/2026', to: '2026-06-30' },
    ] as const)
      expect(await h.services.exports.open(owner, 'visits', period, 'vi')).toEqual({ ok: false, reason: 'bad_period' });
    expect(await h.services.exports.open(owner, 'audit', 'all', 'vi')).toEqual({ ok: false, reason: 'bad_period' });
  });

  it('streams a few thousand customers from a cursor in chunks, neutralises formulas, and the file imports again', async () => {
    const owner = await h.staff(700, 'Chủ tiệm', 'owner');
    const base = new Date('2026-05-01T03:00:00Z');
    const docs = Array.from({ length: 3000 }, (_, i) => ({
      _id: new Types.ObjectId(),
      code: `BX${String(i).padStart(5, '0')}`,
      name: i === 7 ? '=HYPERLINK("http://x","Bấm")' : `Nguyễn Thị Hoà ${i}`,
      phone: `+849${String(10_000_000 + i).padStart(8, '0')}`,
      locale: 'vi',
      points: i,
      visitCount: i % 5,
      ...(i === 5 ? { tier: 'gold' } : {}),
      createdAt: new Date(base.getTime() + i * 60_000),
    }));
    await h.db.models.Customer.collection.insertMany(docs);
    const opened = await h.services.exports.open(owner, 'customers', 'all', 'vi');
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.file.fileName).toBe('customers-2026-06-01.csv');
    const { text, chunks } = await csvOf(opened.file);
    expect(text.startsWith('\ufeffname,phone,points,visits,birthday,code,tier_id,tier,balance,joined_at')).toBe(true);
    expect(chunks).toBeGreaterThan(10);
    const lines = text.split('\n');
    expect(lines.find((line) => line.includes('BX00003'))).toMatch(/^Nguyễn Thị Hoà 3,0910 000 003,3,3,,BX00003,,,3,2026-05-01 10:03,/);
    // The tier by its stable id, and its name in the owner's language.
    expect(lines.find((line) => line.includes('BX00005'))).toContain(',BX00005,gold,Vàng,');
    expect(lines.find((line) => line.includes('BX00007'))).toMatch(/^"'=HYPERLINK\(""http:\/\/x"",""Bấm""\)",/);

    const read = readCustomerCsv(new TextEncoder().encode(text), 2026);
    if (!read.ok) throw new Error(read.reason);
    expect(read.rows.filter((row) => row.name.startsWith('Nguyễn'))).toHaveLength(2999);
    expect(read.rows.find((row) => row.phone === '+84910000003')).toMatchObject({ points: 3, visits: 3 });

    const audited = await h.db.models.AuditLog.findOne({ action: 'export', kind: 'action' }).lean();
    expect(audited).toMatchObject({ outcome: 'exported', details: { kind: 'customers', period: 'all' } });
    expect((audited?.details as { rows: number }).rows).toBeGreaterThanOrEqual(3002);
  });

  it('stops the cursor when the reader stops, audited as interrupted with the rows given', async () => {
    const owner = await h.staff(700, 'Chủ tiệm', 'owner');
    const opened = await h.services.exports.open(owner, 'customers', 'all', 'vi');
    if (!opened.ok) throw new Error(opened.reason);
    let read = 0;
    for await (const row of opened.file.rows) {
      expect(row.length).toBe(opened.file.columns.length);
      if (++read === 10) break;
    }
    expect(await h.db.models.AuditLog.findOne({ action: 'export', outcome: 'interrupted' }).lean()).toMatchObject({
      details: { kind: 'customers', rows: 10 },
    });
  });

  it('exports the visits of the period only, in the shop time zone, erased customers under their pseudonym', async () => {
    const owner = await h.staff(700, 'Chủ tiệm', 'owner');
    const erasedId = new Types.ObjectId();
    await h.db.models.Customer.collection.insertOne({ _id: erasedId, code: `erased-${String(erasedId)}`, name: '', locale: 'vi', erasure: 'done' });
    const mai = (await h.join(703, 'Mai Phương')).customer;
    const visit = (at: string, customerId: Types.ObjectId, amount: number) => ({
      key: `visit:${at}:${String(customerId)}`,
      customerId,
      staffId: owner.customerId,
      first: false,
      amount,
      points: 100,
      at: new Date(at),
    });
    await h.db.models.Visit.collection.insertMany([
      visit('2026-05-31T16:59:00Z', mai._id, 1), // 23:59 on 31/05 in Vietnam: outside
      visit('2026-05-31T17:00:00Z', mai._id, 250000), // 00:00 on 01/06: inside
      visit('2026-06-30T16:59:00Z', erasedId, 90000), // 23:59 on 30/06: inside
      visit('2026-06-30T17:00:00Z', mai._id, 2), // 01/07: outside
    ]);
    const opened = await h.services.exports.open(owner, 'visits', { from: '2026-06-01', to: '2026-06-30' }, 'vi');
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.file.fileName).toBe('visits-2026-06-01-2026-06-30.csv');
    const { text } = await csvOf(opened.file);
    expect(text.trimEnd().split('\n')).toEqual([
      '\ufeffat,customer_code,customer_name,first,amount,points,referred,staff_code,staff_name,undone_at',
      `2026-06-01 00:00,${mai.code},Mai Phương,0,250000,100,0,${(await h.services.customers.getById(owner.customerId))!.code},Chủ tiệm,`,
      `2026-06-30 23:59,erased-${String(erasedId)},,0,90000,100,0,${(await h.services.customers.getById(owner.customerId))!.code},Chủ tiệm,`,
    ]);
  });
});
