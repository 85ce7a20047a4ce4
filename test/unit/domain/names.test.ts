import { describe, expect, it } from 'vitest';
import { cleanDisplayName, givenName, MAX_NAME_LENGTH } from '../../../src/domain/names.js';

describe('display names shown to other people', () => {
  it('keep ordinary names, Vietnamese diacritics and emoji', () => {
    expect(cleanDisplayName('Nguyễn Thị Ánh Tuyết')).toBe('Nguyễn Thị Ánh Tuyết');
    // Decomposed input (as some keyboards send it) comes out composed.
    expect(cleanDisplayName('Tra\u0302\u0300n')).toBe('Trần');
    expect(cleanDisplayName('Hoa 🌸')).toBe('Hoa 🌸');
    expect(cleanDisplayName('👩‍💻 Lan')).toBe('👩‍💻 Lan');
    expect(cleanDisplayName('Bình (Hà Nội)')).toBe('Bình (Hà Nội)');
    expect(cleanDisplayName('Dr. Lan')).toBe('Dr. Lan');
  });

  it('remove links with and without a scheme', () => {
    expect(cleanDisplayName('Win 1tr: http://evil.example')).toBe('Win 1tr');
    expect(cleanDisplayName('HTTPS://EVIL.COM/win Mai')).toBe('Mai');
    expect(cleanDisplayName('Lan t.me/evil_bot')).toBe('Lan');
    expect(cleanDisplayName('www.evil.vn Mai')).toBe('Mai');
    expect(cleanDisplayName('Nhận quà tại evil.example/abc')).toBe('Nhận quà tại');
    expect(cleanDisplayName('evil.example')).toBeUndefined();
    expect(cleanDisplayName('Tuấn bit.ly/x1')).toBe('Tuấn');
    expect(cleanDisplayName('javascript:alert(1)')).toBeUndefined();
    expect(cleanDisplayName('Hồng 192.168.1.1:8080')).toBe('Hồng');
    expect(cleanDisplayName('me@evil.example Lan')).toBe('Lan');
    // Full-width letters and dots are read as the link they show.
    expect(cleanDisplayName('ｅｖｉｌ．ｃｏｍ Lan')).toBe('Lan');
    expect(cleanDisplayName('evil。example Lan')).toBe('Lan');
  });

  it('remove handles and bot commands, which chat apps make tappable', () => {
    expect(cleanDisplayName('@evil_bot Tuấn')).toBe('Tuấn');
    expect(cleanDisplayName('Tuấn /start ABC234')).toBe('Tuấn ABC234');
    expect(cleanDisplayName('#free Mai')).toBe('Mai');
  });

  it('remove markup', () => {
    expect(cleanDisplayName('<script>alert(1)</script>')).toBe('alert(1)');
    expect(cleanDisplayName('<b>Mai</b>')).toBe('Mai');
    expect(cleanDisplayName('[Bấm nhận quà](http://evil.example)')).toBe('Bấm nhận quà');
    expect(cleanDisplayName('**Mai** `x` ~~y~~ __z__')).toBe('Mai x y z');
    expect(cleanDisplayName('<img src=x onerror=alert(1)>Lan')).toBe('Lan');
  });

  it('remove control, zero-width and direction characters', () => {
    expect(cleanDisplayName('Mi\u200Bnh')).toBe('Minh');
    expect(cleanDisplayName('Lan\u202Eanh')).toBe('Lananh');
    expect(cleanDisplayName('Mai\nAnh\tThư')).toBe('Mai Anh Thư');
    expect(cleanDisplayName('\u0000Hoa\u0007\u2028')).toBe('Hoa');
    expect(cleanDisplayName('\u2066Hoa\u2069\uFEFF')).toBe('Hoa');
    // Stacked combining marks ("Zalgo") keep at most two per letter.
    expect([...(cleanDisplayName('Z\u0337\u0321\u031B\u0336o') ?? '')].length).toBe(4);
  });

  it('trim to 64 characters without breaking an emoji', () => {
    expect(cleanDisplayName('a'.repeat(100))).toBe('a'.repeat(MAX_NAME_LENGTH));
    const emoji = cleanDisplayName(`${'b'.repeat(63)}👩‍💻👩‍💻`);
    expect(emoji).toBe(`${'b'.repeat(63)}👩‍💻`);
    expect(cleanDisplayName(`  ${'Lan '.repeat(30)}`)?.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
  });

  it('fall back to no name when nothing decent remains', () => {
    expect(cleanDisplayName(undefined)).toBeUndefined();
    expect(cleanDisplayName('')).toBeUndefined();
    expect(cleanDisplayName('   ')).toBeUndefined();
    expect(cleanDisplayName('http://evil.example')).toBeUndefined();
    expect(cleanDisplayName('\u200B\u200B')).toBeUndefined();
    expect(cleanDisplayName('<>[]()')).toBeUndefined();
  });
});

describe('the name people are called by', () => {
  it('is the last word of a Vietnamese full name, with or without diacritics', () => {
    expect(givenName('Nguyễn Thị Hoa')).toBe('Hoa');
    expect(givenName('Trần Minh')).toBe('Minh');
    expect(givenName('Nguyen Van Minh')).toBe('Minh');
    expect(givenName('ĐẶNG Thu Thảo')).toBe('Thảo');
    expect(givenName('Nguyễn Thị Hoa 🌸')).toBe('Hoa');
  });

  it('is the whole name otherwise', () => {
    expect(givenName('Hoa')).toBe('Hoa');
    expect(givenName('Hoa Nguyễn')).toBe('Hoa Nguyễn');
    expect(givenName('John Smith')).toBe('John Smith');
    expect(givenName('  Lan  ')).toBe('Lan');
    expect(givenName('một người bạn')).toBe('một người bạn');
    // "Chủ" (owner) is not the family name Chu: marks must match when they are typed.
    expect(givenName('Chủ tiệm')).toBe('Chủ tiệm');
    expect(givenName('Chu Văn An')).toBe('An');
  });
});
