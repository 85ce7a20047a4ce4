/** The largest amount a visit may carry (1 billion VND): anything above is a typo. */
export const MAX_VISIT_AMOUNT = 1_000_000_000;

/**
 * Money as staff type it: "350000", "350.000", "350,000", "350k" (thousands), "1.2tr"
 * (millions, "triệu"). Returns the value for anything shaped like an amount (valid or not,
 * see isVisitAmount), undefined for anything else.
 */
export function parseAmount(text: string): number | undefined {
  const match = /^(\d+(?:[.,]\d+)*)(k|tr|m)?$/i.exec(text.trim());
  if (!match) return undefined;
  const [, digits = '', unit] = match;
  const multiplier = unit ? (unit.toLowerCase() === 'k' ? 1_000 : 1_000_000) : 1;
  // With a unit, a separator is a decimal point ("1.5tr"); without, a thousands separator.
  const value = unit ? Number(digits.replace(',', '.')) : Number(digits.replace(/[.,]/g, ''));
  const amount = Math.round(value * multiplier);
  return Number.isFinite(amount) ? amount : undefined;
}

/** The one rule for a visit's amount: whole VND, more than nothing, at most MAX_VISIT_AMOUNT. */
export function isVisitAmount(amount: number): boolean {
  return Number.isInteger(amount) && amount > 0 && amount <= MAX_VISIT_AMOUNT;
}
