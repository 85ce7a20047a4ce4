import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultProgramConfigPath } from '../../src/config.js';

/** The parts of the rules file tests change. */
type ProgramJson = { business: Record<string, string>; privacy: { noticeVersion: string } } & Record<string, unknown>;

/** A program rules file: the shipped default with `change` applied to it, for PROGRAM_CONFIG. */
export function programFile(change: (program: ProgramJson) => void): string {
  const program = JSON.parse(readFileSync(defaultProgramConfigPath, 'utf8')) as ProgramJson;
  change(program);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'program-')), 'program.json');
  writeFileSync(file, JSON.stringify(program));
  return file;
}
