import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { cleanDisplayName, plainText } from './names.js';
import { normalizePhone } from './phone.js';

/**
 * A shop's list of regulars as a CSV file, read without any I/O: the bytes are decoded
 * (UTF-8 with or without BOM, else Windows-1258, what Vietnamese Excel saves), the header
 * names matched in Vietnamese or English, and every row checked. Bad rows are reported by
 * the line number the owner sees in a text editor or Excel; good rows are returned.
 */

export const IMPORT_COLUMNS = ['name', 'phone', 'points', 'visits', 'birthday'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED: ImportColumn[] = ['name', 'phone'];

/**
 * The columns the back office's customers export adds after the import's own (machine names,
 * stable across languages): the import reads past them, so an exported file imports again.
 */
export const EXPORT_ONLY_COLUMNS = [
  'code',
  'tier_id',
  'tier',
  'balance',
  'joined_at',
  'first_visit_at',
  'referred_by',
  'language',
  'marketing_consent',
  'erased',
] as const;

/** Header names as owners write them, without diacritics, lower case, single spaces. */
const HEADER_NAMES: Record<ImportColumn, string[]> = {
  name: ['ten', 'name', 'ho ten', 'ho va ten', 'ten khach hang', 'ten khach', 'full name', 'customer name', 'customer'],
  phone: ['so dien thoai', 'dien thoai', 'sdt', 'so dt', 'phone', 'phone number', 'mobile', 'tel'],
  points: ['diem', 'so diem', 'diem tich luy', 'points', 'point'],
  visits: ['so lan ghe', 'lan ghe', 'so lan den', 'luot ghe', 'visits', 'visit count', 'number of visits'],
  birthday: ['ngay sinh', 'sinh nhat', 'birthday', 'date of birth', 'birth date', 'dob'],
};

/** More than any real shop gives: a figure above is a typo (or an extra zero) worth a look. */
export const MAX_IMPORT_POINTS = 1_000_000;
export const MAX_IMPORT_VISITS = 10_000;

export interface Birthday {
  day: number;
  month: number;
  year?: number;
}

export interface ImportRow {
  line: number;
  name: string;
  /** E.164 (+84...). */
  phone: string;
  points: number;
  visits: number;
  birthday?: Birthday;
}

export type RowProblem =
  | 'missing_name'
  | 'missing_phone'
  | 'bad_phone'
  | 'bad_points'
  | 'negative_points'
  | 'too_many_points'
  | 'bad_visits'
  | 'bad_birthday'
  | 'duplicate_phone'
  | 'wrong_field_count';

export interface RowError {
  line: number;
  problem: RowProblem;
  /** For `duplicate_phone`: the line that has the number first. */
  firstLine?: number;
}

export type Encoding = 'utf-8' | 'utf-8-bom' | 'windows-1258';

export type CsvReadResult =
  | { ok: true; encoding: Encoding; rows: ImportRow[]; errors: RowError[] }
  | { ok: false; reason: 'empty' }
  | { ok: false; reason: 'malformed'; line: number }
  | { ok: false; reason: 'wrong_columns'; missing: ImportColumn[]; unknown: string[]; repeated: ImportColumn[] };

/** BOM first, then valid UTF-8, else Windows-1258; always NFC (Windows-1258 writes tones as combining marks). */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: Encoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
    return { text: buffer.subarray(3).toString('utf8').normalize('NFC'), encoding: 'utf-8-bom' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buffer).normalize('NFC'), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(buffer, 'windows-1258').normalize('NFC'), encoding: 'windows-1258' };
  }
}

/** "Số Điện Thoại " → "so dien thoai". */
export const headerKey = plainText;

function columnOf(header: string): ImportColumn | undefined {
  const key = headerKey(header);
  return IMPORT_COLUMNS.find((column) => HEADER_NAMES[column].includes(key));
}

/** Excel in some locales separates with `;`: the header line says which one the file uses. */
function delimiterOf(text: string): string {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const count = (c: string) => header.split(c).length - 1;
  return [';', '\t', ','].reduce((best, c) => (count(c) > count(best) ? c : best), ',');
}

/** A whole number as owners type it: "1200", "1.200", "1,200", "1 200". */
function wholeNumber(raw: string): number | undefined {
  const text = raw.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^-?\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$/.test(text)) return Number(text.replace(/[.,\s]/g, ''));
  return undefined;
}

/** dd/mm or dd/mm/yyyy (also with `-` or `.`); the year, when given, between 1900 and `thisYear`. */
export function parseBirthday(raw: string, thisYear: number): Birthday | undefined {
  const match = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?$/.exec(raw.trim());
  if (!match) return undefined;
  const [day, month] = [Number(match[1]), Number(match[2])];
  const year = match[3] ? Number(match[3]) : undefined;
  if (year !== undefined && (year < 1900 || year > thisYear)) return undefined;
  // 29/02 without a year is a real birthday; with a year it must be a leap year.
  const date = new Date(Date.UTC(year ?? 2000, month - 1, day));
  if (month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return year === undefined ? { day, month } : { day, month, year };
}

/** Excel drops the leading 0 of a number typed in a number cell: 912345678 is 0912345678. */
function phoneOf(raw: string): string | undefined {
  const compact = raw.trim();
  const normalized = normalizePhone(/^[35789]\d{8}$/.test(compact) ? `0${compact}` : compact);
  return normalized.ok ? normalized.phone : undefined;
}

type Checked = { ok: true; row: ImportRow } | { ok: false; problem: RowProblem };

function checkRow(line: number, cell: (column: ImportColumn) => string, thisYear: number): Checked {
  const name = cleanDisplayName(cell('name'))?.trim();
  if (!name) return { ok: false, problem: 'missing_name' };
  if (!cell('phone').trim()) return { ok: false, problem: 'missing_phone' };
  const phone = phoneOf(cell('phone'));
  if (!phone) return { ok: false, problem: 'bad_phone' };
  const points = cell('points').trim() ? wholeNumber(cell('points')) : 0;
  if (points === undefined) return { ok: false, problem: 'bad_points' };
  if (points < 0) return { ok: false, problem: 'negative_points' };
  if (points > MAX_IMPORT_POINTS) return { ok: false, problem: 'too_many_points' };
  const visits = cell('visits').trim() ? wholeNumber(cell('visits')) : 0;
  if (visits === undefined || visits < 0 || visits > MAX_IMPORT_VISITS) return { ok: false, problem: 'bad_visits' };
  const birthdayText = cell('birthday').trim();
  const birthday = birthdayText ? parseBirthday(birthdayText, thisYear) : undefined;
  if (birthdayText && !birthday) return { ok: false, problem: 'bad_birthday' };
  return { ok: true, row: { line, name, phone, points, visits, ...(birthday ? { birthday } : {}) } };
}

/** Reads the file's bytes into rows to import and rows to report; `thisYear` bounds birth years. */
export function readCustomerCsv(bytes: Uint8Array, thisYear: number): CsvReadResult {
  const { text, encoding } = decodeCsv(bytes);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse's types do not follow `info: true`, which makes each record `{ record, info }`.
    records = parse(text, {
      delimiter: delimiterOf(text),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return { ok: false, reason: 'malformed', line: typeof line === 'number' ? line : 1 };
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, reason: 'empty' };
  const columns = header.record.map(columnOf);
  const exportOnly = new Set<string>(EXPORT_ONLY_COLUMNS.map(headerKey));
  const unknown = header.record.filter((name, i) => !columns[i] && name.trim() !== '' && !exportOnly.has(headerKey(name)));
  const missing = REQUIRED.filter((column) => !columns.includes(column));
  const repeated = IMPORT_COLUMNS.filter((column) => columns.filter((c) => c === column).length > 1);
  if (missing.length || unknown.length || repeated.length) return { ok: false, reason: 'wrong_columns', missing, unknown, repeated };

  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of body) {
    const line = info.lines;
    // A row with more cells than the header has lost its quotes somewhere: guessing would mix columns.
    if (record.length > columns.length && record.slice(columns.length).some((cell) => cell !== '')) {
      errors.push({ line, problem: 'wrong_field_count' });
      continue;
    }
    const cell = (column: ImportColumn) => {
      const index = columns.indexOf(column);
      return index < 0 ? '' : (record[index] ?? '');
    };
    const checked = checkRow(line, cell, thisYear);
    if (!checked.ok) {
      errors.push({ line, problem: checked.problem });
      continue;
    }
    const firstLine = firstLineOf.get(checked.row.phone);
    if (firstLine !== undefined) {
      errors.push({ line, problem: 'duplicate_phone', firstLine });
      continue;
    }
    firstLineOf.set(checked.row.phone, line);
    rows.push(checked.row);
  }
  return { ok: true, encoding, rows, errors };
}

/** Why a whole file was refused, line by line in the reader's language (the import script and the back office say the same). */
export function refusalLines(result: Exclude<CsvReadResult, { ok: true }>, t: (key: string, values?: Record<string, unknown>) => string): string[] {
  if (result.reason === 'empty') return [t('imports:empty')];
  if (result.reason === 'malformed') return [t('imports:malformed', { line: result.line })];
  const names = (columns: readonly string[]) => columns.map((c) => t(`imports:column.${c}`)).join(', ');
  return [
    t('imports:wrongColumns'),
    ...(result.missing.length ? [t('imports:missingColumns', { columns: names(result.missing) })] : []),
    ...(result.unknown.length ? [t('imports:unknownColumns', { columns: result.unknown.map((c) => `"${c.slice(0, 40)}"`).join(', ') })] : []),
    ...(result.repeated.length ? [t('imports:repeatedColumns', { columns: names(result.repeated) })] : []),
    t('imports:acceptedColumns', { columns: names(IMPORT_COLUMNS) }),
  ];
}
