import { describe, expect, it } from 'vitest';
import { checkJoinVolume, checkReferralConversion, meetsFirstVisitMinimum } from '../../../src/domain/fraud.js';
import {
  findTier,
  tierName,
  milestonesReached,
  nextMilestone,
  nextTier,
  pointsForVisit,
  tierForPoints,
  voucherExpiry,
  withinAttributionWindow,
} from '../../../src/domain/loyalty.js';
import { parseProgram, ProgramConfigError } from '../../../src/program/load.js';
import { tierIdFrom } from '../../../src/program/schema.js';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };

const program = parseProgram(defaultProgram);

describe('tiers', () => {
  it('start with no tier and reach Member, Silver and Gold at their thresholds', () => {
    expect(tierForPoints(0, program.tiers)).toEqual({ rank: 0, tier: undefined });
    expect(tierForPoints(199, program.tiers).rank).toBe(0);
    expect(tierForPoints(200, program.tiers).tier?.name.en).toBe('Member');
    expect(tierForPoints(500, program.tiers).tier?.name.en).toBe('Silver');
    expect(tierForPoints(5000, program.tiers).tier?.name.en).toBe('Gold');
  });

  it('name the next tier and the points still missing, none at the top', () => {
    expect(nextTier(150, program.tiers)).toMatchObject({ tier: { id: 'member' }, pointsToGo: 50 });
    expect(nextTier(1000, program.tiers)).toBeUndefined();
  });
});

describe('points for a visit', () => {
  it('give the fixed points plus points per amount spent', () => {
    expect(pointsForVisit(undefined, program.points)).toBe(100);
    expect(pointsForVisit(250_000, program.points)).toBe(125);
    expect(pointsForVisit(9_999, program.points)).toBe(100);
  });

  it('ignore the amount when the program gives no points for money', () => {
    expect(pointsForVisit(1_000_000, { ...program.points, perAmount: null })).toBe(100);
  });
});

describe('milestones', () => {
  it('are reached at 5, 10, 25 and 50 confirmed friends', () => {
    expect(milestonesReached(4, program.milestones)).toEqual([]);
    expect(milestonesReached(5, program.milestones).map((m) => m.friends)).toEqual([5]);
    expect(milestonesReached(26, program.milestones).map((m) => m.friends)).toEqual([5, 10, 25]);
    expect(nextMilestone(7, program.milestones)).toMatchObject({ milestone: { friends: 10 }, friendsToGo: 3 });
    expect(nextMilestone(50, program.milestones)).toBeUndefined();
  });
});

describe('dates in the business time zone', () => {
  it('expire a voucher at the end of the local day, validity days later', () => {
    // 23:30 on 1 March in Ho Chi Minh City is 16:30 UTC; 60 days later ends 30 April 23:59:59.999 local.
    const issued = new Date('2026-03-01T16:30:00Z');
    expect(voucherExpiry(issued, 60, 'Asia/Ho_Chi_Minh').toISOString()).toBe('2026-04-30T16:59:59.999Z');
    expect(voucherExpiry(issued, 60, 'UTC').toISOString()).toBe('2026-04-30T23:59:59.999Z');
  });

  it('count a referral only within the attribution window', () => {
    const joined = new Date('2026-01-01T00:00:00Z');
    expect(withinAttributionWindow(joined, new Date('2026-01-31T00:00:00Z'), 30)).toBe(true);
    expect(withinAttributionWindow(joined, new Date('2026-01-31T00:00:01Z'), 30)).toBe(false);
  });
});

describe('fraud checks', () => {
  const limits = { sameStaffBurst: { friends: 3, minutes: 30 }, maxConversionsPerReferrerPerWeek: 5 };
  const quiet = { referrerId: 'a', staffId: 'b', referrerPhones: [] as string[], confirmedBySameStaffRecently: 1, conversionsThisWeek: 1 };
  const rules = (facts: Partial<typeof quiet> & { friendVerifiedPhone?: string | null; referrerPhones?: string[] }) =>
    checkReferralConversion({ ...quiet, ...facts }, limits).map((finding) => finding.rule);

  it('flag a friend whose verified phone was ever on the referrer account', () => {
    expect(
      checkReferralConversion({ ...quiet, friendVerifiedPhone: '+84912345678', referrerPhones: ['+84900000001', '+84912345678'] }, limits),
    ).toEqual([{ rule: 'same_phone_as_referrer', evidence: { phone: '•••• ••• 678' } }]);
    expect(rules({ friendVerifiedPhone: '+84912345678', referrerPhones: ['+84900000001'] })).toEqual([]);
    // An unverified (typed) number proves nothing: anyone can type anyone's number.
    expect(rules({ friendVerifiedPhone: null, referrerPhones: ['+84912345678'] })).toEqual([]);
  });

  it('flag staff confirming their own referral', () => {
    expect(rules({ staffId: 'a' })).toEqual(['staff_confirms_own_referral']);
    expect(rules({})).toEqual([]);
  });

  it('flag one staff member confirming many friends of one referrer within minutes', () => {
    expect(rules({ confirmedBySameStaffRecently: 2 })).toEqual([]);
    expect(checkReferralConversion({ ...quiet, confirmedBySameStaffRecently: 3 }, limits)).toEqual([
      { rule: 'same_staff_burst', evidence: { friends: 3, minutes: 30, limit: 3 } },
    ]);
  });

  it('flag more conversions per referrer in a week than allowed', () => {
    expect(rules({ conversionsThisWeek: 5 })).toEqual([]);
    expect(checkReferralConversion({ ...quiet, conversionsThisWeek: 6 }, limits)).toEqual([
      { rule: 'many_conversions_in_a_week', evidence: { friends: 6, limit: 5 } },
    ]);
  });

  it('hold the referral rewards for a first visit below the minimum', () => {
    expect(meetsFirstVisitMinimum(undefined, null)).toBe(true);
    expect(meetsFirstVisitMinimum(undefined, 200_000)).toBe(false);
    expect(meetsFirstVisitMinimum(199_999, 200_000)).toBe(false);
    expect(meetsFirstVisitMinimum(200_000, 200_000)).toBe(true);
  });

  it('flag more joins in a day than allowed', () => {
    expect(checkJoinVolume(10, 10)).toEqual([]);
    expect(checkJoinVolume(11, 10)).toEqual(['many_joins_in_a_day']);
  });
});

describe('program rules file', () => {
  it('accepts the shipped default', () => {
    expect(program.business.name).toBeTruthy();
    expect(program.tiers.map((t) => [t.id, t.name.vi, t.name.en, t.minPoints])).toEqual([
      ['member', 'Thành viên', 'Member', 200],
      ['silver', 'Bạc', 'Silver', 500],
      ['gold', 'Vàng', 'Gold', 1000],
    ]);
  });

  it('reads a tier named by one string as before tier ids, giving it an id from the name', () => {
    const old = structuredClone(defaultProgram) as Record<string, unknown>;
    old.tiers = [
      { name: 'Khách Đồng', minPoints: 100, perk: { vi: 'Ưu tiên', en: 'Priority' } },
      { name: 'Gold VIP', minPoints: 900, perk: { vi: 'Giảm 15%', en: '15% off' } },
    ];
    const tiers = parseProgram(old).tiers;
    expect(tiers.map((t) => [t.id, t.name])).toEqual([
      ['khach-dong', { vi: 'Khách Đồng', en: 'Khách Đồng' }],
      ['gold-vip', { vi: 'Gold VIP', en: 'Gold VIP' }],
    ]);
    expect(tierIdFrom('!!!')).toBe('tier');
  });

  it('refuses two tiers with one id, and an id that is not a slug', () => {
    const twice = structuredClone(defaultProgram);
    twice.tiers[1]!.id = 'member';
    expect(() => parseProgram(twice)).toThrow(/tiers\.1\.id.*two tiers have this id/s);
    const shouty = structuredClone(defaultProgram);
    shouty.tiers[0]!.id = 'Member Tier';
    expect(() => parseProgram(shouty)).toThrow(/tiers\.0\.id/);
  });

  it('finds a tier by id, or by the name records from before tier ids hold', () => {
    expect(findTier(program.tiers, 'silver')?.id).toBe('silver');
    expect(findTier(program.tiers, 'Silver')?.id).toBe('silver');
    expect(findTier(program.tiers, 'Bạc')?.id).toBe('silver');
    expect(findTier(program.tiers, 'platinum')).toBeUndefined();
    expect(findTier(program.tiers, undefined)).toBeUndefined();
    expect(tierName(findTier(program.tiers, 'gold')!, 'vi')).toBe('Vàng');
  });

  it('names every bad field with its path', () => {
    const { vouchers: _dropped, ...rest } = structuredClone(defaultProgram);
    const broken = {
      ...rest,
      rewards: { ...rest.rewards, referrer: { ...rest.rewards.referrer, value: 150 } },
      tiers: rest.tiers.map((tier, i) => (i === 1 ? { ...tier, minPoints: 100 } : tier)),
    };
    try {
      parseProgram(broken, 'rules.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProgramConfigError);
      const message = (error as Error).message;
      expect(message).toContain('rules.json');
      expect(message).toContain('rewards.referrer.value: a percent must be between 1 and 100');
      expect(message).toContain('tiers.1.minPoints: tiers must be in increasing order of points');
      expect(message).toContain('vouchers:');
    }
  });
});
