import type { PrivacyRules } from '../program/schema.js';

/**
 * The data catalogue: every kind of personal data the program keeps, why, on what legal
 * basis and for how long. Written once here; the public notice page, the shop's processing
 * record and the headings of /mydata all read it, so they cannot disagree.
 */

/** Why the shop may keep it: the person's agreement, or what the shop's own accounts require. */
export type LegalBasis = 'consent' | 'accounts';

/** How long it is kept (the numbers come from `program.privacy.retention`). */
export type Retention =
  /** Until the person deletes it, or (if the owner chose so) pseudonymised after months without contact. */
  | { kind: 'profile'; inactive: PrivacyRules['retention']['inactiveCustomers'] }
  /** Kept for the shop's accounts; a deleted person's rows stay under a pseudonym. */
  | { kind: 'accounts' }
  /** Deleted this many days after it happened. */
  | { kind: 'days'; days: number }
  /** As long as the person has the staff or owner role. */
  | { kind: 'role' };

export const dataCategoryIds = [
  'identity',
  'phone',
  'birthday',
  'language',
  'visits',
  'points',
  'vouchers',
  'referrals',
  'linkOpens',
  'memberships',
  'consents',
  'messages',
  'auditLog',
  'staffRoles',
] as const;
export type DataCategoryId = (typeof dataCategoryIds)[number];

export interface DataCategory {
  id: DataCategoryId;
  /** i18n keys of the category's name, what it is and why it is kept. */
  nameKey: string;
  whatKey: string;
  purposeKey: string;
  basis: LegalBasis;
  retention: Retention;
}

const bases: Record<DataCategoryId, LegalBasis> = {
  identity: 'consent',
  phone: 'consent',
  birthday: 'consent',
  language: 'consent',
  visits: 'accounts',
  points: 'accounts',
  vouchers: 'accounts',
  referrals: 'consent',
  linkOpens: 'consent',
  memberships: 'accounts',
  consents: 'accounts',
  messages: 'consent',
  auditLog: 'accounts',
  staffRoles: 'consent',
};

function retentionOf(id: DataCategoryId, rules: PrivacyRules['retention']): Retention {
  switch (id) {
    case 'identity':
    case 'phone':
    case 'birthday':
    case 'language':
    case 'referrals':
      return { kind: 'profile', inactive: rules.inactiveCustomers };
    case 'linkOpens':
      return { kind: 'days', days: rules.linkOpensDays };
    case 'messages':
      return { kind: 'days', days: rules.notificationsDays };
    case 'auditLog':
      return { kind: 'days', days: rules.auditLogDays };
    case 'staffRoles':
      return { kind: 'role' };
    default:
      return { kind: 'accounts' };
  }
}

/** The catalogue under the live rules, in the order people read it. */
export function dataCatalogue(privacy: PrivacyRules): DataCategory[] {
  return dataCategoryIds.map((id) => ({
    id,
    nameKey: `mydata:categoryName.${id}`,
    whatKey: `mydata:categoryWhat.${id}`,
    purposeKey: `mydata:categoryPurpose.${id}`,
    basis: bases[id],
    retention: retentionOf(id, privacy.retention),
  }));
}

/** A translator as the callers have it (i18next's TFunction fits). */
export type Translator = (key: string, options?: Record<string, unknown>) => string;

/** The legal basis in words. */
export const basisText = (t: Translator, basis: LegalBasis): string => t(`mydata:basis.${basis}`);

/** How long a category is kept, in words. */
export function retentionText(t: Translator, retention: Retention): string {
  switch (retention.kind) {
    case 'profile':
      return retention.inactive.action === 'pseudonymise'
        ? t('mydata:retention.profilePseudonymise', { months: retention.inactive.afterMonths, days: retention.inactive.noticeDays })
        : t('mydata:retention.profileKeep');
    case 'days':
      return t('mydata:retention.days', { days: retention.days });
    case 'accounts':
      return t('mydata:retention.accounts');
    case 'role':
      return t('mydata:retention.role');
  }
}

/**
 * Where the database is, for the processing record: the host(s) of a MongoDB URI without
 * the user name, password, database or options; undefined when there is no URI (the
 * embedded database on this machine).
 */
export function databaseHostOf(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const authority = uri.replace(/^mongodb(\+srv)?:\/\//, '').split(/[/?]/)[0] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1) || undefined;
}
