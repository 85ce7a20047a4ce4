import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Types } from 'mongoose';
import { expect } from 'vitest';
import { defaultProgramConfigPath } from '../../src/config.js';
import type { Program } from '../../src/program/schema.js';
import type { AppHarness } from './app.js';

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

/**
 * The owner saves a new rules version in the back office (`change` applied to the rules in force),
 * in force at once in this process: the rules file is only version 1.
 */
export async function publishRules(h: AppHarness, ownerId: Types.ObjectId, change: (rules: Program) => Program, note: string): Promise<void> {
  const actor = { customerId: ownerId, identity: 'web:dashboard' };
  const now = await h.app.services.programRules.current(actor);
  if (!now.ok) throw new Error('the owner reads the rules');
  expect(await h.app.services.programRules.save(actor, change(now.rules), { base: now.version, note })).toMatchObject({ ok: true });
}
