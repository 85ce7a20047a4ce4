import type { Locale } from '../../i18n.js';

/** A query parameter or form field as text (trimmed, cut to `max`), '' when absent or not text. */
export function field(source: unknown, name: string, max = 200): string {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** The address of a list page with its filters (empty ones left out). */
export function listHref(path: string, locale: Locale, filters: Record<string, string | boolean | undefined>): string {
  const query = new URLSearchParams({ lang: locale });
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, String(value));
  return `${path}?${query.toString()}`;
}
