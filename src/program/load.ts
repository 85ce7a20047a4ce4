import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { programSchema, type Program } from './schema.js';

/** The rules file is wrong; the message names every bad field with its path. */
export class ProgramConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid program rules in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProgramConfigError';
  }
}

export function parseProgram(json: unknown, file = 'program rules'): Program {
  const parsed = programSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProgramConfigError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

export function loadProgram(file: string): Program {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ProgramConfigError(file, [`not readable JSON: ${(error as Error).message}`]);
  }
  return parseProgram(json, file);
}

/** A rule that does not hold, at its field's dotted path (`tiers.1.minPoints`), with the form's message key and values. */
export interface RulesIssue {
  path: string;
  key: string;
  values: Record<string, number | string>;
}

export type RulesCheck = { ok: true; program: Program } | { ok: false; issues: RulesIssue[] };

/** The issue's message in the owner's words: `error.<key>` in locales/<lang>/rules.json. */
function issueOf(issue: z.core.$ZodIssue, input: unknown): RulesIssue {
  const path = issue.path.map(String).join('.');
  const given = issue.path.reduce<unknown>(
    (at, part) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[part] : undefined),
    input,
  );
  const of = (key: string, values: Record<string, number | string> = {}): RulesIssue => ({ path, key, values });
  switch (issue.code) {
    case 'custom':
      return of(typeof issue.params?.key === 'string' ? issue.params.key : 'invalid');
    case 'too_small':
      if (issue.origin === 'string') return of('required');
      if (issue.origin === 'array') return of('atLeastOneRow');
      return of(issue.inclusive ? 'atLeast' : 'moreThan', { n: Number(issue.minimum) });
    case 'too_big':
      return of('atMost', { n: Number(issue.maximum) });
    case 'invalid_type':
      if (given === undefined || given === '') return of('required');
      return of(issue.expected === 'int' ? 'whole' : issue.expected === 'number' ? 'number' : 'invalid');
    case 'invalid_format':
      if (path.endsWith('.id')) return of('idShape');
      return of(String((issue as { pattern?: unknown }).pattern).includes('https') ? 'https' : 'time');
    case 'invalid_value':
      return of('choice');
    default:
      return of('invalid');
  }
}

/** The same schema as the rules file, with each problem at its path (the back office shows it next to the field). */
export function checkProgram(input: unknown): RulesCheck {
  const parsed = programSchema.safeParse(input);
  if (parsed.success) return { ok: true, program: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((issue) => issueOf(issue, input)) };
}
