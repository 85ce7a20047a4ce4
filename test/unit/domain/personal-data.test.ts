import { describe, expect, it } from 'vitest';
import { createI18n } from '../../../src/i18n.js';
import { databaseHostOf, dataCatalogue, dataCategoryIds, retentionText } from '../../../src/domain/personal-data.js';
import { createDocuments } from '../../../src/documents/privacy.js';
import { parseProgram } from '../../../src/program/load.js';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };

const program = parseProgram(structuredClone(defaultProgram));

describe('the data catalogue', () => {
  it('lists every category once, with retention taken from the live rules', () => {
    const catalogue = dataCatalogue(program.privacy);
    expect(catalogue.map((c) => c.id)).toEqual([...dataCategoryIds]);
    expect(catalogue.find((c) => c.id === 'linkOpens')?.retention).toEqual({ kind: 'days', days: 180 });
    expect(catalogue.find((c) => c.id === 'auditLog')?.retention).toEqual({ kind: 'days', days: 730 });
    expect(catalogue.find((c) => c.id === 'visits')).toMatchObject({ basis: 'accounts', retention: { kind: 'accounts' } });

    const changed = structuredClone(program.privacy);
    changed.retention.linkOpensDays = 30;
    changed.retention.inactiveCustomers = { action: 'pseudonymise', afterMonths: 18, noticeDays: 14 };
    const shorter = dataCatalogue(changed);
    expect(shorter.find((c) => c.id === 'linkOpens')?.retention).toEqual({ kind: 'days', days: 30 });
    expect(shorter.find((c) => c.id === 'phone')?.retention).toMatchObject({ kind: 'profile', inactive: { afterMonths: 18 } });
  });

  it('says how long in both languages, from the rules', async () => {
    const i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
    const inactive = { action: 'pseudonymise' as const, afterMonths: 18, noticeDays: 14 };
    expect(retentionText(i18n.forLocale('vi'), { kind: 'profile', inactive })).toContain('18 tháng');
    expect(retentionText(i18n.forLocale('en'), { kind: 'profile', inactive })).toContain('18 months, it is pseudonymised 14 days after a notice');
    expect(retentionText(i18n.forLocale('vi'), { kind: 'days', days: 180 })).toBe('180 ngày, sau đó bị xóa.');
  });

  it('escapes what the shop typed into the processing record', async () => {
    const i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
    const hostile = { ...program, business: { ...program.business, name: '<script>x</script>', address: '"><img src=x>' } };
    const facts = { generatedAt: new Date(), owners: ['<b>Mai</b>'], staff: [], publicUrl: 'https://shop.example', databaseHost: undefined };
    const html = createDocuments(i18n).processingRecord({ locale: 'en', program: hostile, facts });
    expect(html).not.toMatch(/<script>|<img|<b>/);
    expect(html).toContain('&lt;b&gt;Mai&lt;/b&gt;');
    expect(html).toContain('The database built into the program');
  });
});

describe('the database host named in the processing record', () => {
  it('keeps the host(s) and drops credentials, database and options', () => {
    expect(databaseHostOf('mongodb://shop:s3cret@db.example.com:27017,db2.example.com:27017/loyalty?authSource=admin')).toBe(
      'db.example.com:27017,db2.example.com:27017',
    );
    expect(databaseHostOf('mongodb+srv://u:p%40ss@cluster0.example.net/shop')).toBe('cluster0.example.net');
    expect(databaseHostOf('mongodb://127.0.0.1:27017/dev')).toBe('127.0.0.1:27017');
    expect(databaseHostOf(undefined)).toBeUndefined();
  });
});
