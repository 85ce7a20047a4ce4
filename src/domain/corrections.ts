/** Rules of the staff's and owner's corrections (undo, points adjustments, cancelled vouchers). */

/** How long after recording a visit staff may undo it themselves; the owner may undo any visit. */
export const STAFF_UNDO_MINUTES = 60;

/** The largest points adjustment the owner may make in one command, either way. */
export const MAX_ADJUSTMENT = 100_000;

/** The longest reason kept with a correction (it is shown to the customer and in the audit log). */
export const MAX_REASON_LENGTH = 200;

export type Adjustment = { ok: true; delta: number } | { ok: false; reason: 'malformed' | 'zero' | 'too_large' };

/**
 * A signed whole number of points as the owner types it: "+50", "-50", "+1.000" or "+1,000"
 * (thousands separators). Without a sign it is malformed: the direction must be explicit.
 */
export function parseAdjustment(text: string): Adjustment {
  const match = /^([+-])(\d{1,3}(?:[.,]\d{3})+|\d+)$/.exec(text.trim());
  if (!match) return { ok: false, reason: 'malformed' };
  const size = Number((match[2] ?? '').replace(/[.,]/g, ''));
  if (size === 0) return { ok: false, reason: 'zero' };
  if (size > MAX_ADJUSTMENT) return { ok: false, reason: 'too_large' };
  return { ok: true, delta: match[1] === '-' ? -size : size };
}

/** True when staff may still undo a visit they recorded at `at`. */
export function withinStaffUndoWindow(at: Date, now: Date): boolean {
  return now.getTime() - at.getTime() <= STAFF_UNDO_MINUTES * 60_000;
}

/** The reason as kept: trimmed, inner whitespace collapsed, cut to MAX_REASON_LENGTH; undefined when empty. */
export function cleanReason(text: string | undefined): string | undefined {
  const reason = (text ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_REASON_LENGTH);
  return reason === '' ? undefined : reason;
}

/** How many points a correction may take back without the balance going below zero. */
export function takeBackAmount(points: number, balance: number): number {
  return Math.max(0, Math.min(points, balance));
}
