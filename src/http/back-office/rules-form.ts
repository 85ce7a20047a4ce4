import { flattenRules, type FlatRules } from '../../program/diff.js';
import type { RulesIssue } from '../../program/load.js';
import { tierIdFrom } from '../../program/schema.js';

/**
 * The rules form, driven by this list: each field is one line (its dotted path in the rules,
 * its kind, its label's i18n key), so a field added to the schema is one line
 * here and its label in locales/<lang>/rules.json. Lists (tiers, milestones, catalogue) show
 * their rows plus a blank one to add, each with a remove box; optional parts (birthday,
 * membership, points per amount) have an "on" box. No JavaScript: the server reads it all back.
 */
type Kind = 'text' | 'number' | 'optionalNumber' | 'checkbox' | 'time' | 'select';
interface Field {
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
interface Group {
  /** The group's path in the rules ('' for top-level fields); a list's or an optional part's path. */
  path: string;
  type: 'fields' | 'list' | 'optional';
  fields: Field[];
  /** A heading inside the section (i18n key). */
  title?: string;
  /** For an optional part: the label of its "on" box (i18n key). */
  on?: string;
}
interface Section {
  id: string;
  groups: Group[];
}

const field = (name: string, kind: Kind, label: string, extra: Partial<Field> = {}): Field => ({ name, kind, label, ...extra });
const text = (name: string, label: string, extra: Partial<Field> = {}) => field(name, 'text', label, extra);
const num = (name: string, label: string, extra: Partial<Field> = {}) => field(name, 'number', label, extra);
const localized = (name: string, vi: string, en: string): Field[] => [text(`${name}.vi`, vi), text(`${name}.en`, en)];
const reward = (name: string): Field[] => [
  field(`${name}.kind`, 'select', 'rules:label.reward.kind', {
    options: [
      { value: 'percent_off', label: 'rules:option.percent_off' },
      { value: 'amount_off', label: 'rules:option.amount_off' },
      { value: 'free_service', label: 'rules:option.free_service' },
      { value: 'bonus_points', label: 'rules:option.bonus_points' },
    ],
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

/** A field's full name in the form (and its path in the rules): `tiers.2.minPoints`. */
const fullName = (group: Group, f: Field, row?: number) =>
  group.type === 'fields' ? f.name : row === undefined ? `${group.path}.${f.name}` : `${group.path}.${row}.${f.name}`;

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
  at[parts.at(-1)!] = value;
}

function valueOf(kind: Kind, raw: string | undefined): unknown {
  const text = (raw ?? '').trim();
  if (kind === 'checkbox') return text === 'on' || text === 'true';
  if (kind !== 'number' && kind !== 'optionalNumber') return text;
  if (text === '') return kind === 'number' ? undefined : null;
  // "200.000" or "200,000" (thousands, as a shop writes money); anything else as typed, so 1.5 is refused as not whole.
  return Number(/^\d{1,3}([.,\s]\d{3})+$/.test(text) ? text.replace(/[.,\s]/g, '') : text);
}

/** The rows a list has in the form's values, in order. */
const rowsOf = (values: FlatRules, list: string) =>
  [...new Set(Object.keys(values).flatMap((key) => (key.startsWith(`${list}.`) ? [Number(key.slice(list.length + 1).split('.')[0])] : [])))]
    .filter(Number.isInteger)
    .sort((a, b) => a - b);

const checked = (values: FlatRules, name: string) => values[name] === 'on' || values[name] === 'true';

/**
 * The rules from the posted form, and how to find each list item's row again (the rules'
 * `tiers.1` may be the form's `tiers.2` once a row is removed or left blank).
 */
export function rulesFromForm(values: FlatRules): { rules: Record<string, unknown>; rowOf: Map<string, number> } {
  const rules: Record<string, unknown> = {};
  const rowOf = new Map<string, number>();
  for (const group of sections.flatMap((s) => s.groups)) {
    if (group.type === 'fields') {
      for (const f of group.fields) setAt(rules, f.name, valueOf(f.kind, values[f.name]));
    } else if (group.type === 'optional') {
      if (!checked(values, `${group.path}.on`)) setAt(rules, group.path, null);
      else for (const f of group.fields) setAt(rules, `${group.path}.${f.name}`, valueOf(f.kind, values[fullName(group, f, undefined)]));
    } else {
      const items: Record<string, unknown>[] = [];
      for (const row of rowsOf(values, group.path)) {
        const names = group.fields.filter((f) => !f.readonly && f.kind !== 'select').map((f) => fullName(group, f, row));
        if (checked(values, `${group.path}.${row}.remove`) || names.every((name) => !values[name]?.trim())) continue;
        const item: Record<string, unknown> = {};
        for (const f of group.fields) setAt(item, f.name, valueOf(f.kind, values[fullName(group, f, row)]));
        rowOf.set(`${group.path}.${items.length}`, row);
        items.push(item);
      }
      setAt(rules, group.path, items);
    }
  }
  newTierIds(rules.tiers as Array<{ id: string; name: { vi: string; en: string } }>);
  return { rules, rowOf };
}

/** A tier added in the form gets its id once, from its name, different from the others'. */
function newTierIds(tiers: Array<{ id: string; name: { vi: string; en: string } }>): void {
  const taken = new Set(tiers.map((t) => t.id).filter(Boolean));
  for (const tier of tiers.filter((t) => !t.id)) {
    const base = tierIdFrom(tier.name.vi || tier.name.en);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 28)}-${n}`;
    taken.add(id);
    tier.id = id;
  }
}

/** The form's values for rules in force: every leaf as text, the optional parts' "on" boxes. */
export function formValues(rules: unknown): FlatRules {
  const values = flattenRules(rules);
  const record = rules as Record<string, unknown> & { points: Record<string, unknown> };
  for (const [path, value] of [
    ['points.perAmount', record.points.perAmount],
    ['birthday', record.birthday],
    ['membership', record.membership],
  ] as const)
    if (value) values[`${path}.on`] = 'on';
  return values;
}

/** Each problem at the form field it belongs to (a list item's row as the owner saw it). */
export function errorsByField(issues: RulesIssue[], rowOf: Map<string, number>): Map<string, RulesIssue> {
  const errors = new Map<string, RulesIssue>();
  for (const issue of issues) {
    const match = /^(tiers|milestones|catalogue)\.(\d+)(\..*)?$/.exec(issue.path);
    const name = match ? `${match[1]}.${rowOf.get(`${match[1]}.${match[2]}`) ?? match[2]}${match[3] ?? ''}` : issue.path;
    if (!errors.has(name)) errors.set(name, issue);
  }
  return errors;
}

export interface FieldView {
  name: string;
  kind: Kind;
  label: string;
  value: string;
  checked: boolean;
  options?: ReadonlyArray<{ value: string; label: string }>;
  readonly: boolean;
  help?: string;
  error?: string;
}

/** What the template draws: sections of groups; a list's rows (the last one blank, to add); every field with its value and error. */
export function formView(values: FlatRules, errors: Map<string, RulesIssue>, say: (issue: RulesIssue) => string, t: (key: string) => string) {
  const view = (group: Group, f: Field, row?: number): FieldView => {
    const name = fullName(group, f, row);
    const error = errors.get(name);
    return {
      name,
      kind: f.kind,
      label: t(f.label),
      value: values[name] ?? '',
      checked: checked(values, name),
      options: f.options,
      readonly: !!f.readonly,
      help: f.help && t(f.help),
      error: error && say(error),
    };
  };
  return sections.map((section) => ({
    id: section.id,
    title: t(`rules:section.${section.id}`),
    help: t(`rules:sectionHelp.${section.id}`),
    groups: section.groups.map((group) => {
      const groupError = errors.get(group.path);
      if (group.type !== 'list') {
        const on = group.on ? { name: `${group.path}.on`, label: t(group.on), checked: checked(values, `${group.path}.on`) } : undefined;
        return {
          type: group.type,
          title: group.title ? t(group.title) : '',
          on,
          error: groupError && say(groupError),
          fields: group.fields.map((f) => view(group, f)),
        };
      }
      const rows = rowsOf(values, group.path);
      const blank = (rows.at(-1) ?? -1) + 1;
      return {
        type: group.type,
        error: groupError && say(groupError),
        rows: [...rows, blank].map((row) => ({
          row,
          blank: row === blank,
          remove: { name: `${group.path}.${row}.remove`, checked: checked(values, `${group.path}.${row}.remove`) },
          fields: group.fields.map((f) => view(group, f, row)),
        })),
      };
    }),
  }));
}
