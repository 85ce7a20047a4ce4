/**
 * The rules form, driven by this list: each field is one line (its dotted path in the rules,
 * its kind, its label's i18n key), so a field added to the schema is one line
 * here and its label in locales/<lang>/rules.json. Lists (tiers, milestones, catalogue) show
 * their rows plus a blank one to add, each with a remove box; optional parts (birthday,
 * membership, points per amount, reviews) have an "on" box. No JavaScript: the server reads it all back.
 */
export type Kind = 'text' | 'number' | 'optionalNumber' | 'checkbox' | 'time' | 'select';
export interface Field {
  /** Path relative to the group (for lists: to the row). */
  name: string;
  kind: Kind;
  /** The label's i18n key (locales/<lang>/rules.json). */
  label: string;
  options?: ReadonlyArray<{ value: string; label: string }>;
  /** Shown but not changed by the owner (a tier's id; a new tier gets one made from its name). */
  readonly?: boolean;
  /** The help text's i18n key. */
  help?: string;
}
export interface Group {
  /** The group's path in the rules ('' for top-level fields); a list's or an optional part's path. */
  path: string;
  type: 'fields' | 'list' | 'optional';
  fields: Field[];
  /** A heading inside the section (i18n key). */
  title?: string;
  /** For an optional part: the label of its "on" box (i18n key). */
  on?: string;
  /** A list inside an optional part (its path): the list counts only when that part is on. */
  within?: string;
}
export interface Section {
  id: string;
  groups: Group[];
}

const field = (name: string, kind: Kind, label: string, extra: Partial<Field> = {}): Field => ({ name, kind, label, ...extra });
const text = (name: string, label: string, extra: Partial<Field> = {}) => field(name, 'text', label, extra);
const num = (name: string, label: string, extra: Partial<Field> = {}) => field(name, 'number', label, extra);
const localized = (name: string, vi: string, en: string): Field[] => [text(`${name}.vi`, vi), text(`${name}.en`, en)];
const rewardKinds = [
  { value: 'percent_off', label: 'rules:option.percent_off' },
  { value: 'amount_off', label: 'rules:option.amount_off' },
  { value: 'free_service', label: 'rules:option.free_service' },
  { value: 'bonus_points', label: 'rules:option.bonus_points' },
];
/** A reward's fields; `optional`: its kind can be "none" (the reward is null, see rules-form.ts). */
const reward = (name: string, optional = false): Field[] => [
  field(`${name}.kind`, 'select', 'rules:label.reward.kind', {
    options: optional ? [{ value: '', label: 'rules:option.none' }, ...rewardKinds] : rewardKinds,
  }),
  num(`${name}.value`, 'rules:label.reward.value', { help: 'rules:help.reward.value' }),
  ...localized(`${name}.label`, 'rules:label.reward.label.vi', 'rules:label.reward.label.en'),
];
const fields = (path: string, list: Field[], title?: string): Group => ({ path, type: 'fields', fields: list, title });

export const sections: Section[] = [
  {
    id: 'business',
    groups: [
      fields('business', [
        text('business.name', 'rules:label.business.name'),
        text('business.address', 'rules:label.business.address'),
        text('business.phone', 'rules:label.business.phone'),
        text('business.email', 'rules:label.business.email'),
        ...localized('business.hours', 'rules:label.business.hoursVi', 'rules:label.business.hoursEn'),
        text('business.mapUrl', 'rules:label.business.mapUrl'),
      ]),
    ],
  },
  {
    id: 'rewards',
    groups: [
      fields('rewards.referrer', reward('rewards.referrer'), 'rules:group.rewards.referrer'),
      fields('rewards.friend', reward('rewards.friend'), 'rules:group.rewards.friend'),
    ],
  },
  {
    id: 'points',
    groups: [
      fields('points', [num('points.perVisit', 'rules:label.points.perVisit'), num('points.perReferral', 'rules:label.points.perReferral')]),
      {
        path: 'points.perAmount',
        type: 'optional',
        title: 'rules:group.points.perAmount',
        on: 'rules:on.points.perAmount',
        fields: [num('points', 'rules:label.points.perAmount.points'), num('amount', 'rules:label.points.perAmount.amount')],
      },
    ],
  },
  {
    id: 'tiers',
    groups: [
      {
        path: 'tiers',
        type: 'list',
        fields: [
          text('id', 'rules:label.tiers.id', { readonly: true, help: 'rules:help.tiers.id' }),
          ...localized('name', 'rules:label.tiers.name.vi', 'rules:label.tiers.name.en'),
          num('minPoints', 'rules:label.tiers.minPoints'),
          ...localized('perk', 'rules:label.tiers.perk.vi', 'rules:label.tiers.perk.en'),
        ],
      },
    ],
  },
  {
    id: 'milestones',
    groups: [{ path: 'milestones', type: 'list', fields: [num('friends', 'rules:label.milestones.friends'), ...reward('reward')] }],
  },
  {
    id: 'catalogue',
    groups: [
      {
        path: 'catalogue',
        type: 'list',
        fields: [num('number', 'rules:label.catalogue.number'), num('price', 'rules:label.catalogue.price'), ...reward('reward')],
      },
    ],
  },
  {
    id: 'vouchers',
    groups: [
      fields('', [
        num('vouchers.validityDays', 'rules:label.vouchers.validityDays'),
        num('attribution.windowDays', 'rules:label.attribution.windowDays', { help: 'rules:help.attribution.windowDays' }),
        field('pointsExpiry.enabled', 'checkbox', 'rules:label.pointsExpiry.enabled'),
        num('pointsExpiry.months', 'rules:label.pointsExpiry.months'),
        num('pointsExpiry.reminderDays', 'rules:label.pointsExpiry.reminderDays'),
      ]),
    ],
  },
  {
    id: 'reminders',
    groups: [
      fields('reminders', [
        field('reminders.friendVisitReminder.enabled', 'checkbox', 'rules:label.reminders.friendVisitReminder.enabled'),
        num('reminders.friendVisitReminder.afterDays', 'rules:label.reminders.friendVisitReminder.afterDays'),
        field('reminders.voucherExpiryReminder.enabled', 'checkbox', 'rules:label.reminders.voucherExpiryReminder.enabled'),
        num('reminders.voucherExpiryReminder.daysBefore', 'rules:label.reminders.voucherExpiryReminder.daysBefore'),
        field('reminders.dailySummary.enabled', 'checkbox', 'rules:label.reminders.dailySummary.enabled'),
        field('reminders.dailySummary.localTime', 'time', 'rules:label.reminders.dailySummary.localTime'),
      ]),
    ],
  },
  {
    id: 'fraud',
    groups: [
      fields('fraud', [
        num('fraud.maxJoinsPerReferrerPerDay', 'rules:label.fraud.maxJoinsPerReferrerPerDay'),
        num('fraud.sameStaffBurst.friends', 'rules:label.fraud.sameStaffBurst.friends'),
        num('fraud.sameStaffBurst.minutes', 'rules:label.fraud.sameStaffBurst.minutes'),
        num('fraud.maxConversionsPerReferrerPerWeek', 'rules:label.fraud.maxConversionsPerReferrerPerWeek'),
        field('fraud.minFirstVisitAmount', 'optionalNumber', 'rules:label.fraud.minFirstVisitAmount', {
          help: 'rules:help.fraud.minFirstVisitAmount',
        }),
      ]),
    ],
  },
  {
    id: 'birthday',
    groups: [
      {
        path: 'birthday',
        type: 'optional',
        on: 'rules:on.birthday',
        fields: [
          ...reward('reward'),
          num('daysBefore', 'rules:label.birthday.daysBefore'),
          num('validityDays', 'rules:label.birthday.validityDays'),
          field('localTime', 'time', 'rules:label.birthday.localTime'),
        ],
      },
    ],
  },
  {
    id: 'membership',
    groups: [
      {
        path: 'membership',
        type: 'optional',
        on: 'rules:on.membership',
        fields: [
          ...localized('name', 'rules:label.membership.name.vi', 'rules:label.membership.name.en'),
          num('price', 'rules:label.membership.price'),
          num('periodMonths', 'rules:label.membership.periodMonths'),
          ...localized('perks', 'rules:label.membership.perks.vi', 'rules:label.membership.perks.en'),
          num('reminderDaysBefore', 'rules:label.membership.reminderDaysBefore'),
        ],
      },
    ],
  },
  {
    id: 'partners',
    groups: [
      fields('partners', [num('partners.inviteHours', 'rules:label.partners.inviteHours')]),
      {
        path: 'partners.plans',
        type: 'list',
        title: 'rules:group.partners.plans',
        fields: [
          text('id', 'rules:label.partners.plans.id', { readonly: true, help: 'rules:help.partners.plans.id' }),
          ...localized('name', 'rules:label.partners.plans.name.vi', 'rules:label.partners.plans.name.en'),
          field('commission.kind', 'select', 'rules:label.partners.plans.commission.kind', {
            options: [
              { value: 'revenue_share', label: 'rules:option.revenue_share' },
              { value: 'first_visit', label: 'rules:option.first_visit' },
            ],
          }),
          num('commission.percent', 'rules:label.partners.plans.commission.percent', { help: 'rules:help.partners.plans.commission.percent' }),
          num('commission.days', 'rules:label.partners.plans.commission.days'),
          num('commission.amount', 'rules:label.partners.plans.commission.amount', { help: 'rules:help.partners.plans.commission.amount' }),
          ...reward('welcome', true),
        ],
      },
    ],
  },
  {
    id: 'reviews',
    groups: [
      {
        path: 'reviews',
        type: 'optional',
        on: 'rules:on.reviews',
        fields: [
          ...reward('reward'),
          num('periodDays', 'rules:label.reviews.periodDays', { help: 'rules:help.reviews.periodDays' }),
          num('askAfterHours', 'rules:label.reviews.askAfterHours'),
        ],
      },
      {
        path: 'reviews.links',
        type: 'list',
        title: 'rules:group.reviews.links',
        within: 'reviews',
        fields: [text('name', 'rules:label.reviews.links.name'), text('url', 'rules:label.reviews.links.url')],
      },
    ],
  },
  {
    id: 'privacy',
    groups: [
      fields('privacy', [
        text('privacy.noticeVersion', 'rules:label.privacy.noticeVersion', { help: 'rules:help.privacy.noticeVersion' }),
        num('privacy.retention.linkOpensDays', 'rules:label.privacy.retention.linkOpensDays'),
        num('privacy.retention.notificationsDays', 'rules:label.privacy.retention.notificationsDays'),
        num('privacy.retention.auditLogDays', 'rules:label.privacy.retention.auditLogDays'),
        field('privacy.retention.inactiveCustomers.action', 'select', 'rules:label.privacy.retention.inactiveCustomers.action', {
          options: [
            { value: 'keep', label: 'rules:option.keep' },
            { value: 'pseudonymise', label: 'rules:option.pseudonymise' },
          ],
        }),
        num('privacy.retention.inactiveCustomers.afterMonths', 'rules:label.privacy.retention.inactiveCustomers.afterMonths'),
        num('privacy.retention.inactiveCustomers.noticeDays', 'rules:label.privacy.retention.inactiveCustomers.noticeDays'),
      ]),
    ],
  },
];
