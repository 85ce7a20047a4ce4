import type { Locale } from '../../i18n.js';
import type { BackOfficeRole } from './session.js';

/** The back office's pages, in menu order, and who sees each (staff: customer search and cards only). */
const items = [
  { id: 'overview', path: '/dashboard', label: 'backOffice:nav.overview', roles: ['owner'] },
  { id: 'customers', path: '/dashboard/customers', label: 'backOffice:nav.customers', roles: ['owner', 'staff'] },
  { id: 'vouchers', path: '/dashboard/vouchers', label: 'backOffice:nav.vouchers', roles: ['owner'] },
  { id: 'partners', path: '/dashboard/partners', label: 'backOffice:nav.partners', roles: ['owner'] },
  { id: 'audit', path: '/dashboard/audit', label: 'backOffice:nav.audit', roles: ['owner'] },
  { id: 'announcements', path: '/dashboard/announcements', label: 'backOffice:nav.announcements', roles: ['owner'] },
  { id: 'exports', path: '/dashboard/exports', label: 'backOffice:nav.exports', roles: ['owner'] },
  { id: 'import', path: '/dashboard/import', label: 'backOffice:nav.import', roles: ['owner'] },
  { id: 'rules', path: '/dashboard/rules', label: 'backOffice:nav.rules', roles: ['owner'] },
  { id: 'record', path: '/dashboard/record', label: 'backOffice:nav.record', roles: ['owner'] },
] as const satisfies ReadonlyArray<{ id: string; path: string; label: string; roles: readonly string[] }>;

export type NavId = (typeof items)[number]['id'];

export function navFor(role: BackOfficeRole, current: string, locale: Locale) {
  return items
    .filter((item) => (item.roles as readonly string[]).includes(role))
    .map((item) => ({ href: `${item.path}?lang=${locale}`, label: item.label, current: item.id === current }));
}
