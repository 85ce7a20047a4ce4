import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeCsv, headerKey, parseBirthday, readCustomerCsv } from '../../../src/domain/customer-csv.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
/**
 * Text as Windows-1258 stores Vietnamese (what Excel writes): a letter with a tone mark is its
 * base letter (with circumflex, breve or horn when it has one) followed by a combining tone mark.
 */
function windows1258(text: string): Uint8Array {
  const tones = /[\u0300\u0301\u0303\u0309\u0323]/u;
  const chars = [...text].map((char) => {
    const parts = char.normalize('NFD');
    const tone = [...parts].find((c) => tones.test(c));
    return tone ? `${parts.replace(tone, '').normalize('NFC')}${tone}` : char;
  });
  return new Uint8Array(iconv.encode(chars.join(''), 'windows-1258'));
}

const read = (bytes: Uint8Array) => readCustomerCsv(bytes, 2026);

function rowsOf(bytes: Uint8Array) {
  const result = read(bytes);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result;
}

describe('decoding a CSV file', () => {
  it('reads UTF-8 with a BOM, without the BOM in the first header', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('Tên,Số điện thoại\nNguyễn Thị Lan,0912345678\n')]);
    const result = rowsOf(bytes);
    expect(result.encoding).toBe('utf-8-bom');
    expect(result.rows).toEqual([{ line: 2, name: 'Nguyễn Thị Lan', phone: '+84912345678', points: 0, visits: 0 }]);
  });

  it('reads Windows-1258 written with combining tone marks, as NFC text', () => {
    // "Nguyễn" in Windows-1258 as Excel saves it: e-circumflex (0xEA) then the combining tilde (0xDE).
    const nguyen = [0x4e, 0x67, 0x75, 0x79, 0xea, 0xde, 0x6e];
    // "Tên" = T, e-circumflex (0xEA), n; "Điểm" = D-stroke (0xD0), i, e-circumflex, combining hook (0xD2), m.
    const header = [0x54, 0xea, 0x6e, 0x2c, 0x53, 0x44, 0x54, 0x2c, 0xd0, 0x69, 0xea, 0xd2, 0x6d, 0x0d, 0x0a];
    const row = [...nguyen, 0x2c, ...utf8('0912345678,120'), 0x0d, 0x0a];
    const bytes = new Uint8Array([...header, ...row]);
    const decoded = decodeCsv(bytes);
    expect(decoded.encoding).toBe('windows-1258');
    expect(decoded.text.startsWith('Tên,SDT,Điểm')).toBe(true);
    const result = rowsOf(bytes);
    expect(result.rows[0]?.name).toBe('Nguyễn');
    // One precomposed letter, not e + combining marks: names compare and display as typed in the chat.
    expect(result.rows[0]?.name).toBe('Nguy\u1ec5n');
    expect(result.rows[0]?.points).toBe(120);
  });

  it('tells Windows-1258 from UTF-8 by whether the bytes are valid UTF-8', () => {
    const text = 'Tên,Số điện thoại\nTrần Văn Đức,0987654321\n';
    expect(decodeCsv(utf8(text)).encoding).toBe('utf-8');
    const bytes = windows1258(text);
    expect(bytes.includes(0x3f)).toBe(false);
    const result = rowsOf(bytes);
    expect(result.encoding).toBe('windows-1258');
    expect(result.rows[0]?.name).toBe('Trần Văn Đức');
  });
});

describe('columns', () => {
  it('matches Vietnamese and English headers whatever the case and accents', () => {
    expect(headerKey('  SỐ ĐIỆN THOẠI ')).toBe('so dien thoai');
    const result = rowsOf(utf8('name;PHONE;diem;So lan ghe;Ngày Sinh\r\nLan;0912 345 678;1.200;12;25/12\r\n'));
    expect(result.rows[0]).toEqual({ line: 2, name: 'Lan', phone: '+84912345678', points: 1200, visits: 12, birthday: { day: 25, month: 12 } });
  });

  it('refuses a file with a required column missing, an unknown one or one given twice', () => {
    expect(read(utf8('Tên,Điểm\nLan,10\n'))).toMatchObject({ ok: false, reason: 'wrong_columns', missing: ['phone'] });
    expect(read(utf8('Tên,SĐT,Điểm thưởng\nLan,0912345678,10\n'))).toMatchObject({ ok: false, reason: 'wrong_columns', unknown: ['Điểm thưởng'] });
    expect(read(utf8('Tên,SĐT,Phone\nLan,0912345678,0912345678\n'))).toMatchObject({ ok: false, reason: 'wrong_columns', repeated: ['phone'] });
    expect(read(utf8(''))).toEqual({ ok: false, reason: 'empty' });
  });

  it('refuses a file whose quotes do not close, with the line', () => {
    expect(read(utf8('Tên,SĐT\nLan,0912345678\n"Minh,0987654321\n'))).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('rows', () => {
  it('reports every bad row by its line number and reason, and keeps the good ones', () => {
    const file = [
      'Tên,Số điện thoại,Điểm,Số lần ghé,Ngày sinh',
      'Lan,0912345678,100,3,01/02/1990',
      ',0912000001,10,,',
      'Minh,,10,,',
      'Hoa,12345,10,,',
      'Mai,0912000002,-5,,',
      'Tú,0912000003,99999999,,',
      'Hà,0912000004,abc,,',
      'Cúc,0912000005,,x,',
      'Đào,0912000006,,,31/02',
      'Lan 2,+84 912 345 678,,,',
      '',
      'Nam,912000007,,,29/02',
    ].join('\n');
    const result = rowsOf(utf8(file));
    expect(result.errors).toEqual([
      { line: 3, problem: 'missing_name' },
      { line: 4, problem: 'missing_phone' },
      { line: 5, problem: 'bad_phone' },
      { line: 6, problem: 'negative_points' },
      { line: 7, problem: 'too_many_points' },
      { line: 8, problem: 'bad_points' },
      { line: 9, problem: 'bad_visits' },
      { line: 10, problem: 'bad_birthday' },
      { line: 11, problem: 'duplicate_phone', firstLine: 2 },
    ]);
    expect(result.rows.map((r) => [r.line, r.phone])).toEqual([
      [2, '+84912345678'],
      // Excel dropped the leading 0 of a number cell; the line number counts the blank line.
      [13, '+84912000007'],
    ]);
    expect(result.rows[1]?.birthday).toEqual({ day: 29, month: 2 });
  });

  it('cleans names as chat names are cleaned (no links)', () => {
    const result = rowsOf(utf8('Tên,SĐT\n"Lan https://evil.example",0912345678\n'));
    expect(result.rows[0]?.name).toBe('Lan');
  });
});

describe('birthdays', () => {
  it('accepts dd/mm and dd/mm/yyyy dates that exist', () => {
    expect(parseBirthday('5/3', 2026)).toEqual({ day: 5, month: 3 });
    expect(parseBirthday('05-03-1988', 2026)).toEqual({ day: 5, month: 3, year: 1988 });
    expect(parseBirthday('29/02/2000', 2026)).toEqual({ day: 29, month: 2, year: 2000 });
  });

  it('refuses dates that do not exist or years out of range', () => {
    for (const bad of ['31/02', '29/02/2001', '00/01', '12/13', '01/01/1850', '01/01/2030', '1990-01-01', 'soon']) {
      expect(parseBirthday(bad, 2026), bad).toBeUndefined();
    }
  });
});
