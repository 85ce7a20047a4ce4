import { readFileSync } from 'node:fs';
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
