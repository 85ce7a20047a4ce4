import { flattenRules, type FlatRules } from '../../program/diff.js';
import type { RulesIssue } from '../../program/load.js';
import { tierIdFrom } from '../../program/schema.js';
import { sections, type Group, type Kind, type Field } from './rules-fields.js';

/** Reading the rules form back (see rules-fields.ts for its fields) and what its template draws. */
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
  // "200.000" or "200,000" (thousands, as a shop writes money); "7,5" (a Vietnamese decimal comma, for a
  // percent); anything else as typed, so 1.5 is refused where a whole number is needed.
  if (/^\d{1,3}([.,\s]\d{3})+$/.test(text)) return Number(text.replace(/[.,\s]/g, ''));
  return Number(/^\d+,\d{1,2}$/.test(text) ? text.replace(',', '.') : text);
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
      if (group.within && !checked(values, `${group.within}.on`)) continue;
      const items: Record<string, unknown>[] = [];
      for (const row of rowsOf(values, group.path)) {
        const names = group.fields.filter((f) => !f.readonly && f.kind !== 'select').map((f) => fullName(group, f, row));
        if (checked(values, `${group.path}.${row}.remove`) || names.every((name) => !values[name]?.trim())) continue;
        const item: Record<string, unknown> = {};
        for (const f of group.fields) setAt(item, f.name, valueOf(f.kind, values[fullName(group, f, row)]));
        // A reward whose kind is "none" (a plan's welcome offer) is no reward at all.
        for (const f of group.fields.filter((f) => f.kind === 'select' && f.options?.some((o) => o.value === '')))
          if (valueOf(f.kind, values[fullName(group, f, row)]) === '') setAt(item, f.name.split('.').slice(0, -1).join('.'), null);
        rowOf.set(`${group.path}.${items.length}`, row);
        items.push(item);
      }
      setAt(rules, group.path, items);
    }
  }
  newIds(rules.tiers as Named[]);
  newIds((rules.partners as { plans: Named[] }).plans);
  return { rules, rowOf };
}

type Named = { id: string; name: { vi: string; en: string } };

/** A tier or partner plan added in the form gets its id once, from its name, different from the others'. */
function newIds(items: Named[]): void {
  const taken = new Set(items.map((t) => t.id).filter(Boolean));
  for (const item of items.filter((t) => !t.id)) {
    const base = tierIdFrom(item.name.vi || item.name.en);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 28)}-${n}`;
    taken.add(id);
    item.id = id;
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
    ['reviews', record.reviews],
  ] as const)
    if (value) values[`${path}.on`] = 'on';
  return values;
}

/** A path inside a list's item: `partners.plans.1.name.vi` → the list, the item, the rest. */
const lists = sections.flatMap((s) => s.groups.filter((g) => g.type === 'list').map((g) => g.path.replace(/\./g, '\\.')));
const inList = new RegExp(`^(${lists.join('|')})\\.(\\d+)(\\..*)?$`);

/** Each problem at the form field it belongs to (a list item's row as the owner saw it). */
export function errorsByField(issues: RulesIssue[], rowOf: Map<string, number>): Map<string, RulesIssue> {
  const errors = new Map<string, RulesIssue>();
  for (const issue of issues) {
    const match = inList.exec(issue.path);
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
        title: group.title ? t(group.title) : '',
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
