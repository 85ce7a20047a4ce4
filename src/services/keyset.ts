import { Types } from 'mongoose';

/**
 * Keyset pagination for the back office's long lists: a page ends with a cursor naming its
 * last row's sort value and id, and the next page starts after it. `skip` would read every
 * earlier row again on each page (slow on FerretDB at 100,000 rows); on MongoDB the cursor's
 * filter walks the (field, _id) order from the index.
 */
export type SortValue = string | number | Date | null;

export interface KeysetOrder {
  field: string;
  direction: 1 | -1;
  /** How the field's values are kept, to read a cursor's value back. */
  type: 'date' | 'number' | 'string';
}

interface CursorShape {
  v: string | number | null;
  id: string;
}

/** The cursor after `row` (opaque to the browser: base64url of its value and id). */
export function cursorAfter(row: Record<string, unknown>, order: KeysetOrder): string {
  const raw = row[order.field];
  const v = raw instanceof Date ? raw.toISOString() : typeof raw === 'number' || typeof raw === 'string' ? raw : null;
  return Buffer.from(JSON.stringify({ v, id: String(row._id) } satisfies CursorShape)).toString('base64url');
}

/** The filter for the rows after `cursor` in `order` (MongoDB's order: missing values sort lowest), or undefined for a cursor that is not one of ours. */
export function afterCursor(cursor: string, order: KeysetOrder): Record<string, unknown> | undefined {
  let parsed: CursorShape;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorShape;
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed.id !== 'string' || !Types.ObjectId.isValid(parsed.id)) return undefined;
  const id = new Types.ObjectId(parsed.id);
  const value = readValue(parsed.v, order.type);
  if (value === undefined) return undefined;
  const { field } = order;
  const beyond = order.direction === -1 ? '$lt' : '$gt';
  if (value === null) {
    // Missing values come last going down and first going up.
    const sameNull = { [field]: null, _id: { [beyond]: id } };
    return order.direction === -1 ? sameNull : { $or: [sameNull, { [field]: { $ne: null } }] };
  }
  const branches: Array<Record<string, unknown>> = [{ [field]: { [beyond]: value } }, { [field]: value, _id: { [beyond]: id } }];
  if (order.direction === -1) branches.push({ [field]: null });
  return { $or: branches };
}

function readValue(v: unknown, type: KeysetOrder['type']): SortValue | undefined {
  if (v === null) return null;
  if (type === 'number') return typeof v === 'number' ? v : undefined;
  if (typeof v !== 'string') return undefined;
  if (type === 'string') return v;
  const date = new Date(v);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The sort for `order`, ties broken by id in the same direction. */
export const sortOf = (order: KeysetOrder) => ({ [order.field]: order.direction, _id: order.direction }) as Record<string, 1 | -1>;

/** One page of `rows` fetched with a limit one more than `size`: the page, and the cursor to the next one when there is more. */
export function pageOf<T extends Record<string, unknown>>(rows: T[], size: number, order: KeysetOrder): { rows: T[]; next?: string } {
  if (rows.length <= size) return { rows };
  const shown = rows.slice(0, size);
  return { rows: shown, next: cursorAfter(shown[shown.length - 1]!, order) };
}
