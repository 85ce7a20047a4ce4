/** A value of the rules at a dotted path (`rewards.friend.value`, `tiers.0.name`): a leaf as text. */
export type FlatRules = Record<string, string>;

/** Every leaf of a rules document by its dotted path; null as '' (the form's "none"). */
export function flattenRules(value: unknown, prefix = '', into: FlatRules = {}): FlatRules {
  if (Array.isArray(value)) {
    value.forEach((item, i) => flattenRules(item, `${prefix}${i}.`, into));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flattenRules(item, `${prefix}${key}.`, into);
  } else if (prefix) {
    into[prefix.slice(0, -1)] = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  }
  return into;
}

export interface RulesChange {
  path: string;
  /** Absent when the path is new in `after`. */
  before?: string;
  /** Absent when the path is gone in `after`. */
  after?: string;
}

/** What differs between two rules documents, leaf by leaf, in `after`'s order then what `after` dropped. */
export function diffRules(before: unknown, after: unknown): RulesChange[] {
  const a = flattenRules(before);
  const b = flattenRules(after);
  const changes: RulesChange[] = [];
  for (const [path, value] of Object.entries(b)) {
    if (!Object.hasOwn(a, path)) changes.push({ path, after: value });
    else if (a[path] !== value) changes.push({ path, before: a[path], after: value });
  }
  for (const [path, value] of Object.entries(a)) if (!Object.hasOwn(b, path)) changes.push({ path, before: value });
  return changes;
}
