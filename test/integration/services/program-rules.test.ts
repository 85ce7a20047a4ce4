import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { parseProgram } from '../../../src/program/load.js';
import type { Program } from '../../../src/program/schema.js';
import { createServices } from '../../../src/services/index.js';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };
import { PUBLIC_URL, useServices } from '../../support/services.js';

const fileRules = () => parseProgram(structuredClone(defaultProgram));

describe('program rules stored in versions', () => {
  const h = useServices('program-rules');
  /** Another process on the same database: its own services around its own rules object from the file. */
  const otherProcess = () => {
    const program = fileRules();
    const services = createServices({
      models: h.db.models,
      program,
      logger: createLogger('silent'),
      timezone: 'Asia/Ho_Chi_Minh',
      publicUrl: PUBLIC_URL,
      now: h.clock.now,
    });
    return { program, services };
  };
  const withFriendReward = (rules: Program, value: number): Program => ({
    ...structuredClone(rules),
    rewards: { ...rules.rewards, friend: { kind: 'percent_off', value, label: { vi: `Giảm ${value}%`, en: `${value}% off` } } },
  });

  it('two processes starting at once on an empty database store the rules file as one version 1', async () => {
    const a = otherProcess();
    const b = otherProcess();
    await Promise.all([a.services.programRules.start(a.program), b.services.programRules.start(b.program), h.services.programRules.start(h.program)]);
    const versions = await h.db.models.ProgramVersion.find({}).lean();
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ number: 1, source: 'file', note: '' });
    expect(parseProgram(versions[0]!.rules)).toEqual(fileRules());
  });

  it('an owner saves new rules: a new version with who and when, audited, in force at once in this process', async () => {
    const owner = await h.staff(7001, 'Chủ tiệm', 'owner');
    // Built before the save: it reads the rules when it acts.
    const referrals = h.services.referrals;
    const { customer: hoa } = await h.join(7002, 'Hoa');
    const saved = await h.services.programRules.save(owner, withFriendReward(h.program, 15), { base: 1, note: '  Tết  ' });
    expect(saved).toEqual({ ok: true, version: 2, duplicate: false });
    const stored = await h.db.models.ProgramVersion.findOne({ number: 2 }).lean();
    expect(stored).toMatchObject({ source: 'form', note: 'Tết', savedAt: h.clock.now() });
    expect(String(stored?.savedBy)).toBe(String(owner.customerId));
    expect(h.program.rewards.friend.value).toBe(15);
    const { customer: lan } = await h.join(7003, 'Lan');
    const attributed = await referrals.attribute(lan._id, hoa.code, 'telegram');
    expect(attributed).toMatchObject({ ok: true, friendReward: { value: 15, label: { en: '15% off' } } });
    const audit = await h.db.models.AuditLog.findOne({ action: 'program_rules_save', outcome: 'saved' }).lean();
    expect(audit?.details).toMatchObject({ version: 2, changed: ['rewards.friend.value', 'rewards.friend.label.vi', 'rewards.friend.label.en'] });

    const history = await h.services.programRules.history(owner);
    if (!history.ok) throw new Error(history.reason);
    expect(history.versions.map((v) => [v.number, v.source, v.savedBy, v.note])).toEqual([
      [2, 'form', 'Chủ tiệm', 'Tết'],
      [1, 'file', '', ''],
    ]);
  });

  it('another process sees the new version on its next refresh, and a service it built before sees the new reward', async () => {
    const other = otherProcess();
    await other.services.programRules.start(other.program);
    expect(other.program.rewards.friend.value).toBe(15);
    const owner = await h.staff(7101, 'Chủ tiệm 2', 'owner');
    const status = other.services.status;
    await h.services.programRules.save(
      owner,
      { ...withFriendReward(h.program, 25), tiers: [{ ...h.program.tiers[0]!, minPoints: 150 }, ...h.program.tiers.slice(1)] },
      { base: 2, note: '' },
    );
    expect(other.program.rewards.friend.value).toBe(15);
    expect(await other.services.programRules.refresh()).toBe(true);
    expect(other.program.rewards.friend.value).toBe(25);
    const { customer } = await h.join(7102, 'Mai');
    await h.db.models.Customer.updateOne({ _id: customer._id }, { $set: { points: 160 } });
    const card = await status.getCustomerStatus(customer._id);
    expect(card?.tier?.minPoints).toBe(150);
    expect(await other.services.programRules.refresh()).toBe(false);
  });

  it('a rollback stores a new version equal to the old one; the history stays', async () => {
    const owner = await h.staff(7201, 'Chủ tiệm 3', 'owner');
    const compared = await h.services.programRules.compare(owner, 1);
    if (!compared.ok) throw new Error(compared.reason);
    expect(compared.changes).toContainEqual({ path: 'rewards.friend.value', before: '25', after: '10' });
    const back = await h.services.programRules.rollback(owner, 1, { base: 3, note: 'back to the file' });
    expect(back).toEqual({ ok: true, version: 4, duplicate: false });
    expect(h.program.rewards.friend.value).toBe(10);
    expect(h.program).toEqual(fileRules());
    expect(await h.db.models.ProgramVersion.findOne({ number: 4 }).lean()).toMatchObject({ source: 'rollback', rolledBackTo: 1 });
    expect(await h.db.models.ProgramVersion.countDocuments({})).toBe(4);
    expect(await h.services.programRules.rollback(owner, 1, { base: 4, note: '' })).toEqual({ ok: false, reason: 'unchanged' });
    expect(await h.services.programRules.rollback(owner, 99, { base: 4, note: '' })).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.db.models.AuditLog.countDocuments({ action: 'program_rules_rollback', outcome: 'saved' })).toBe(1);
  });

  it('invalid rules are refused with each problem at its path, and nothing is stored', async () => {
    const owner = await h.staff(7301, 'Chủ tiệm 4', 'owner');
    const bad = structuredClone(h.program);
    bad.rewards.friend.value = 150;
    bad.tiers[1]!.minPoints = 100;
    bad.business.name = '';
    bad.reminders.dailySummary.localTime = '25:00';
    (bad.points as { perVisit: unknown }).perVisit = 'abc';
    const result = await h.services.programRules.save(owner, bad, { base: 4, note: '' });
    if (result.ok || result.reason !== 'invalid') throw new Error('expected invalid');
    expect(result.issues.map((i) => [i.path, i.key])).toEqual(
      expect.arrayContaining([
        ['business.name', 'required'],
        ['rewards.friend.value', 'percent'],
        ['points.perVisit', 'number'],
        ['tiers.1.minPoints', 'increasing'],
        ['reminders.dailySummary.localTime', 'time'],
      ]),
    );
    expect(await h.db.models.ProgramVersion.countDocuments({})).toBe(4);
    expect(h.program.business.name).toBe('Salon Mai');
  });

  it('saves from the same version at once: one is stored, the other is told; a double submit stores once', async () => {
    const owner = await h.staff(7401, 'Chủ tiệm 5', 'owner');
    const [a, b] = await Promise.all([
      h.services.programRules.save(owner, withFriendReward(h.program, 30), { base: 4, note: '' }),
      h.services.programRules.save(owner, withFriendReward(h.program, 40), { base: 4, note: '' }),
    ]);
    expect([a, b].filter((r) => r.ok)).toHaveLength(1);
    expect([a, b].filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'stale', latest: 5 }]);
    const winner = a.ok ? 30 : 40;
    const again = await h.services.programRules.save(owner, withFriendReward(fileRules(), winner), { base: 4, note: '' });
    expect(again).toEqual({ ok: true, version: 5, duplicate: true });
    expect(await h.db.models.ProgramVersion.countDocuments({})).toBe(5);
  });

  it('staff and customers are refused every read and write, audited, nothing stored', async () => {
    const staff = await h.staff(7501, 'Lễ tân');
    const { actor: customer } = await h.join(7502, 'Khách');
    for (const actor of [staff, customer]) {
      expect(await h.services.programRules.save(actor, withFriendReward(h.program, 50), { base: 5, note: '' })).toEqual({
        ok: false,
        reason: 'not_allowed',
      });
      expect(await h.services.programRules.rollback(actor, 1, { base: 5, note: '' })).toEqual({ ok: false, reason: 'not_allowed' });
      expect(await h.services.programRules.current(actor)).toEqual({ ok: false, reason: 'not_allowed' });
      expect(await h.services.programRules.history(actor)).toEqual({ ok: false, reason: 'not_allowed' });
      expect(await h.services.programRules.compare(actor, 1)).toEqual({ ok: false, reason: 'not_allowed' });
    }
    expect(await h.db.models.ProgramVersion.countDocuments({})).toBe(5);
    expect(await h.db.models.AuditLog.countDocuments({ kind: 'refused', 'actions.program_rules_save': { $gte: 1 } })).toBe(2);
  });

  it('a partner plan that partners are on or customers came through cannot be removed; an unused one can', async () => {
    const owner = await h.staff(7601, 'Chủ tiệm 6', 'owner');
    const { customer: linh } = await h.join(7602, 'Linh');
    const plan = (id: string, vi: string, en: string) => ({
      id,
      name: { vi, en },
      commission: { kind: 'first_visit' as const, amount: 50_000 },
      welcome: null,
    });
    const withPlans = structuredClone(h.program);
    withPlans.partners.plans.push(plan('kol', 'Người có ảnh hưởng', 'Influencer'), plan('spare', 'Dự phòng', 'Spare'));
    expect(await h.services.programRules.save(owner, withPlans, { base: 5, note: '' })).toMatchObject({ ok: true, version: 6 });
    expect(await h.services.partners.add(owner, linh.code, 'kol')).toMatchObject({ ok: true, changed: true });
    const without = (id: string) => ({
      ...structuredClone(h.program),
      partners: { ...h.program.partners, plans: h.program.partners.plans.filter((p) => p.id !== id) },
    });
    const refused = {
      ok: false,
      reason: 'invalid',
      issues: [{ path: 'partners.plans', key: 'planInUse', values: { vi: 'Người có ảnh hưởng', en: 'Influencer' } }],
    };
    expect(await h.services.programRules.save(owner, without('kol'), { base: 6, note: '' })).toEqual(refused);

    // The partnership ends, but a friend who came through the plan still earns by it.
    const { customer: mai } = await h.join(7603, 'Mai');
    expect(await h.services.referrals.attribute(mai._id, linh.code, 'telegram')).toMatchObject({ ok: true });
    expect(await h.db.models.Referral.findOne({ friendId: mai._id }).lean()).toMatchObject({ partnerPlanId: 'kol' });
    expect(await h.services.partners.remove(owner, linh.code)).toMatchObject({ ok: true });
    expect(await h.services.programRules.save(owner, without('kol'), { base: 6, note: '' })).toEqual(refused);
    expect(await h.db.models.ProgramVersion.countDocuments({})).toBe(6);

    expect(await h.services.programRules.save(owner, without('spare'), { base: 6, note: '' })).toMatchObject({ ok: true, version: 7 });
    expect(h.program.partners.plans.map((p) => p.id)).toEqual(['standard', 'kol']);
  });
});
