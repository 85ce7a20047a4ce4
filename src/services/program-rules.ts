import type { Types } from 'mongoose';
import type { Models } from '../db/models/index.js';
import type { ProgramVersion } from '../db/models/program-version.js';
import { findEach } from '../db/each-value.js';
import { diffRules, type RulesChange } from '../program/diff.js';
import { checkProgram, type RulesIssue } from '../program/load.js';
import type { Program } from '../program/schema.js';
import type { Actor, ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';

export type ProgramRulesDeps = Pick<ServicePieces, 'live' | 'access' | 'audit' | 'now' | 'logger'> & {
  models: Pick<Models, 'ProgramVersion' | 'Customer' | 'Partner' | 'Referral'>;
};

/** A version as the back office lists it. */
export interface VersionSummary {
  number: number;
  source: ProgramVersion['source'];
  savedAt: Date;
  /** The owner's name (or code) when they saved it from the back office; empty for the rules file or an erased person. */
  savedBy: string;
  note: string;
  rolledBackTo?: number;
}

/** What a save or rollback is asked against: the version the owner's form showed, and their note. */
export interface Change {
  base: number;
  note: string;
}

export type StoreResult =
  | { ok: true; version: number; duplicate: boolean }
  | { ok: false; reason: 'not_allowed' | 'unchanged' | 'not_found' }
  /** Someone saved a newer version since the form was opened: nothing stored, the form shows the latest. */
  | { ok: false; reason: 'stale'; latest: number }
  | { ok: false; reason: 'invalid'; issues: RulesIssue[] };

const NOTE_MAX = 200;
const same = (a: Program, b: Program) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The program rules in MongoDB, one version per save (the only writer of program_versions).
 * The rules file is version 1; a save or a rollback stores version `base + 1` under the
 * unique number, so of two saves from the same starting point one wins and the other is told
 * to look again. Every process puts the latest version in force through `refresh` (run at
 * start and every PROGRAM_REFRESH_SECONDS), the saving one at once.
 */
export function createProgramRules(ctx: ProgramRulesDeps) {
  const { models, live, access, audit } = ctx;

  const latest = () => models.ProgramVersion.findOne({}).sort({ number: -1 }).lean<ProgramVersion>();
  const byNumber = (number: number) => models.ProgramVersion.findOne({ number }).lean<ProgramVersion>();

  /** A stored version under today's schema (defaults for fields added since); undefined when it no longer passes. */
  function rulesOf(version: ProgramVersion): Program | undefined {
    const checked = checkProgram(version.rules);
    if (checked.ok) return checked.program;
    ctx.logger.error({ version: version.number, issues: checked.issues.map((i) => `${i.path}: ${i.key}`) }, 'stored program rules no longer valid');
    return undefined;
  }

  /** Puts the latest stored version in force here when it is newer than the one in force. */
  async function refresh(): Promise<boolean> {
    const newest = await models.ProgramVersion.findOne({}, { number: 1 }).sort({ number: -1 }).lean<Pick<ProgramVersion, 'number'>>();
    if (!newest || newest.number <= live.version) return false;
    const version = await byNumber(newest.number);
    const rules = version && rulesOf(version);
    if (!rules) return false;
    const changed = await live.replace(rules, version.number);
    if (changed) ctx.logger.info({ version: version.number }, 'program rules version in force');
    return changed;
  }

  /** At start: the rules file becomes version 1 while there is none (once, however many processes start), then the latest is put in force. */
  async function start(fileRules: Program): Promise<void> {
    if (!(await latest())) {
      try {
        await models.ProgramVersion.create({ number: 1, rules: fileRules, source: 'file', savedAt: ctx.now() });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    await refresh();
  }

  /**
   * A tier the new rules drop while customers are in it is refused (they would be left in a
   * tier that no longer exists): the owner moves its threshold or renames it instead, which
   * keeps its id.
   */
  async function tiersInUse(before: Program, after: Program): Promise<RulesIssue[]> {
    const kept = new Set(after.tiers.map((tier) => tier.id));
    const issues: RulesIssue[] = [];
    for (const tier of before.tiers.filter((t) => !kept.has(t.id))) {
      const customers = await models.Customer.countDocuments({ tier: tier.id });
      if (customers > 0) issues.push({ path: 'tiers', key: 'tierInUse', values: { vi: tier.name.vi, en: tier.name.en, customers } });
    }
    return issues;
  }

  /**
   * The same for a partner plan that partners are on or that customers came through: their
   * commission is counted by it. The owner renames it or changes its commission instead.
   */
  async function plansInUse(before: Program, after: Program): Promise<RulesIssue[]> {
    const kept = new Set(after.partners.plans.map((plan) => plan.id));
    const issues: RulesIssue[] = [];
    for (const plan of before.partners.plans.filter((p) => !kept.has(p.id))) {
      const used = (await models.Partner.exists({ planId: plan.id, status: 'active' })) ?? (await models.Referral.exists({ partnerPlanId: plan.id }));
      if (used) issues.push({ path: 'partners.plans', key: 'planInUse', values: { vi: plan.name.vi, en: plan.name.en } });
    }
    return issues;
  }

  /** Stores `rules` as version base + 1, once: a double submit of the same form finds its own version. */
  async function store(
    actor: Actor,
    rules: Program,
    change: Change,
    from: { source: 'form' | 'rollback'; rolledBackTo?: number },
  ): Promise<StoreResult> {
    const note = change.note.trim().slice(0, NOTE_MAX);
    const ownEarlier = async (): Promise<StoreResult | undefined> => {
      const next = await byNumber(change.base + 1);
      const mine = next && String(next.savedBy) === String(actor.customerId) && next.rolledBackTo === from.rolledBackTo;
      const nextRules = next && mine ? rulesOf(next) : undefined;
      return nextRules && same(nextRules, rules) ? { ok: true, version: change.base + 1, duplicate: true } : undefined;
    };
    const current = await latest();
    if (!current || current.number !== change.base) return (await ownEarlier()) ?? { ok: false, reason: 'stale', latest: current?.number ?? 0 };
    const currentRules = rulesOf(current);
    if (currentRules && same(currentRules, rules)) return { ok: false, reason: 'unchanged' };
    const orphaned = currentRules ? [...(await tiersInUse(currentRules, rules)), ...(await plansInUse(currentRules, rules))] : [];
    if (orphaned.length > 0) return { ok: false, reason: 'invalid', issues: orphaned };
    const number = change.base + 1;
    try {
      await models.ProgramVersion.create({
        number,
        rules,
        source: from.source,
        savedBy: actor.customerId,
        savedAt: ctx.now(),
        note,
        rolledBackTo: from.rolledBackTo,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return (await ownEarlier()) ?? { ok: false, reason: 'stale', latest: (await latest())?.number ?? number };
    }
    await audit.action(actor, from.source === 'form' ? 'program_rules_save' : 'program_rules_rollback', 'saved', undefined, {
      version: number,
      rolledBackTo: from.rolledBackTo,
      changed: currentRules ? diffRules(currentRules, rules).map((c) => c.path) : [],
    });
    await refresh();
    return { ok: true, version: number, duplicate: false };
  }

  /** The owner saves rules from the back office: checked by the rules file's schema, each problem at its path; nothing is stored on any problem. */
  async function save(actor: Actor, input: unknown, change: Change): Promise<StoreResult> {
    const allowed = await access.authorize(actor, 'program_rules_save', ['owner']);
    if (!allowed.ok) return allowed;
    const checked = checkProgram(input);
    if (!checked.ok) {
      await audit.action(allowed.actor, 'program_rules_save', 'invalid', undefined, { base: change.base, fields: checked.issues.map((i) => i.path) });
      return { ok: false, reason: 'invalid', issues: checked.issues };
    }
    return store(allowed.actor, checked.program, change, { source: 'form' });
  }

  /** Version `number` again, as a new version (the history stays as it was). */
  async function rollback(actor: Actor, number: number, change: Change): Promise<StoreResult> {
    const allowed = await access.authorize(actor, 'program_rules_rollback', ['owner']);
    if (!allowed.ok) return allowed;
    const target = Number.isInteger(number) ? await byNumber(number) : null;
    const rules = target && rulesOf(target);
    if (!rules) return { ok: false, reason: 'not_found' };
    return store(allowed.actor, rules, change, { source: 'rollback', rolledBackTo: number });
  }

  /** The rules in force (the latest version) for the form. */
  async function current(actor: Actor): Promise<{ ok: true; version: number; rules: Program } | { ok: false; reason: 'not_allowed' }> {
    const allowed = await access.authorize(actor, 'program_rules_view', ['owner']);
    if (!allowed.ok) return allowed;
    await refresh();
    return { ok: true, version: live.version, rules: structuredClone(live.program) };
  }

  /** The latest versions, newest first, with who saved each. */
  async function history(actor: Actor, limit = 50): Promise<{ ok: true; versions: VersionSummary[] } | { ok: false; reason: 'not_allowed' }> {
    const allowed = await access.authorize(actor, 'program_rules_view', ['owner']);
    if (!allowed.ok) return allowed;
    const versions = await models.ProgramVersion.find({}, { rules: 0 }).sort({ number: -1 }).limit(limit).lean<ProgramVersion[]>();
    const savers = versions.flatMap((v) => (v.savedBy ? [v.savedBy] : []));
    const people = await findEach(savers, (id: Types.ObjectId) => models.Customer.find({ _id: id }, { name: 1, code: 1 }).lean());
    const names = new Map(people.map((p) => [String(p._id), p.name || p.code]));
    return {
      ok: true,
      versions: versions.map((v) => ({
        number: v.number,
        source: v.source,
        savedAt: v.savedAt,
        savedBy: v.savedBy ? (names.get(String(v.savedBy)) ?? '') : '',
        note: v.note ?? '',
        ...(v.rolledBackTo ? { rolledBackTo: v.rolledBackTo } : {}),
      })),
    };
  }

  /** What rolling back to version `number` would change: its differences from the rules in force. */
  async function compare(
    actor: Actor,
    number: number,
  ): Promise<{ ok: true; changes: RulesChange[] } | { ok: false; reason: 'not_allowed' | 'not_found' }> {
    const allowed = await access.authorize(actor, 'program_rules_view', ['owner']);
    if (!allowed.ok) return allowed;
    const target = Number.isInteger(number) ? await byNumber(number) : null;
    const rules = target && rulesOf(target);
    if (!rules) return { ok: false, reason: 'not_found' };
    return { ok: true, changes: diffRules(live.program, rules) };
  }

  return {
    start,
    refresh,
    save,
    rollback,
    current,
    history,
    compare,
    onChange: (listener: Parameters<typeof live.onChange>[0]) => live.onChange(listener),
  };
}

export type ProgramRules = ReturnType<typeof createProgramRules>;
