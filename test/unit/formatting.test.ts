import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nationalPhone } from '../../src/domain/phone.js';
import { createI18n, localesDir, locales, readLocaleFiles, type I18n } from '../../src/i18n.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
});

describe('names and numbers as Vietnamese readers expect', () => {
  it('show phone numbers in national form', () => {
    expect(nationalPhone('+84912345678')).toBe('0912 345 678');
    expect(nationalPhone('+842838234567')).toBe('028 3823 4567');
    expect(nationalPhone('not a number')).toBe('not a number');
  });

  it('format money, changes of money, names and phones in both languages', () => {
    const vi = i18n.forLocale('vi');
    const en = i18n.forLocale('en');
    expect(vi('bot:phoneSaved', { phone: '+84912345678' })).toContain('0912 345 678');
    expect(en('bot:phoneSaved', { phone: '+84912345678' })).toContain('0912 345 678');
    expect(vi('bot:meHeader', { name: 'Nguyễn Thị Hoa', code: 'ABC234' })).toBe('Hoa (mã ABC234)');
    const line = vi('summary:lineMoney', { label: 'Doanh thu', value: 1_250_000, change: 150_000, average: 980_000 });
    // Intl puts a no-break space before the currency sign, so the amount never wraps apart from it.
    expect(line.replace(/\u00a0/g, ' ')).toBe('Doanh thu: 1.250.000 ₫ (+150.000 ₫ so với hôm qua; TB 7 ngày: 980.000 ₫)');
    expect(en('summary:lineMoney', { label: 'Revenue', value: 0, change: -20_000, average: 0 })).toContain('-₫20,000');
  });

  it('mask a phone number but for its last digits', () => {
    const vi = i18n.forLocale('vi');
    const en = i18n.forLocale('en');
    expect(vi('phones:masked', { phone: '+84912345678' })).toBe('•••• ••• 678');
    expect(en('card:phoneVerified', { phone: vi('phones:national', { phone: '+84912345678' }) })).toBe('Phone: 0912 345 678 (verified)');
  });

  it('use only formatters that exist', () => {
    const known = new Set(['vnd', 'vndChange', 'date', 'datetime', 'given', 'phone', 'maskedPhone']);
    const files = readLocaleFiles(localesDir);
    const used = locales.flatMap((locale) =>
      Object.keys(files[locale]).flatMap((ns) => {
        const text = readFileSync(path.join(localesDir, locale, `${ns}.json`), 'utf8');
        return [...text.matchAll(/\{\{\s*\w+\s*,\s*(\w+)\s*\}\}/g)].map((m) => `${m[1]} (${locale}/${ns})`);
      }),
    );
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((entry) => !known.has(entry.split(' ')[0] ?? ''))).toEqual([]);
  });
});
