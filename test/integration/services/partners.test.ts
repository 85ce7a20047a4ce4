import type { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { NotificationType } from '../../../src/db/models/notification.js';
import type { Actor } from '../../../src/services/index.js';
import type { PartnerPlan } from '../../../src/program/schema.js';
import { useServices } from '../../support/services.js';

const vip: PartnerPlan = {
  id: 'vip',
  name: { vi: 'Đối tác VIP', en: 'VIP partner' },
  commission: { kind: 'first_visit', amount: 50_000 },
  welcome: { kind: 'percent_off', value: 25, label: { vi: 'Giảm 25% lần đầu', en: '25% off your first visit' } },
};

describe('partners: adding, inviting and ending partners, and the friends they bring', () => {
  const h = useServices('partners', (p) => ({ ...p, partners: { ...p.partners, plans: [...p.partners.plans, vip] } }));
  const m = () => h.db.models;
  const person = async (id: number, name: string) => {
    const { customer } = await h.join(id, name);
    const actor: Actor = { customerId: customer._id, identity: `telegram:${id}` };
    return { customer, actor };
  };
  const partnerOf = (customerId: Types.ObjectId) => m().Partner.findOne({ customerId }).lean();
  const notices = (type: NotificationType, customerId: Types.ObjectId) => m().Notification.find({ type, customerId }).lean();
  const hours = (n: number) => (h.clock.current = new Date(h.clock.current.getTime() + n * 3600_000));

  it('the owner adds a partner from their code with a plan; refusals change nothing', async () => {
    const owner = await h.staff(9001, 'Chủ', 'owner');
    const staff = await h.staff(9002, 'Lễ tân');
    const { customer: lan, actor: lanActor } = await person(9003, 'Lan Nguyễn');

    expect(await h.services.partners.add(lanActor, lan.code)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.partners.add(staff, lan.code)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await m().AuditLog.countDocuments({ kind: 'refused', actorId: staff.customerId })).toBe(1);
    expect(await h.services.partners.add(owner, 'ZZZZZZ')).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.services.partners.add(owner, 'no!')).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await h.services.partners.add(owner, lan.code, 'gold')).toEqual({ ok: false, reason: 'unknown_plan' });
    expect(await partnerOf(lan._id)).toBeNull();

    // Without a plan: the first plan of the rules.
    expect(await h.services.partners.add(owner, lan.code.toLowerCase())).toMatchObject({ ok: true, changed: true, plan: { id: 'standard' } });
    expect(await partnerOf(lan._id)).toMatchObject({ planId: 'standard', status: 'active' });
    expect(await h.services.partners.activePlanOf(lan._id)).toMatchObject({ id: 'standard' });
    expect(await notices('partner_added', lan._id)).toHaveLength(1);
    expect(await m().AuditLog.findOne({ action: 'partner_add', targetId: lan._id }).lean()).toMatchObject({ outcome: 'added' });

    // Again: already a partner, nothing changes, no second message.
    expect(await h.services.partners.add(owner, lan.code, 'vip')).toMatchObject({ ok: true, changed: false, plan: { id: 'standard' } });
    expect(await notices('partner_added', lan._id)).toHaveLength(1);

    const list = await h.services.partners.list(owner);
    expect(list.ok && list.partners.map((p) => [p.customer.code, p.plan.id, p.fallback])).toEqual([[lan.code, 'standard', false]]);
    expect(await h.services.partners.list(staff)).toEqual({ ok: false, reason: 'not_allowed' });

    // Ended: the record stays, the person no longer earns as a partner, and is told.
    expect(await h.services.partners.remove(staff, lan.code)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.partners.remove(owner, lan.code)).toMatchObject({ ok: true });
    const ended = await partnerOf(lan._id);
    expect(ended?.status).toBe('ended');
    expect(ended?.endedAt).toBeInstanceOf(Date);
    expect(await h.services.partners.activePlanOf(lan._id)).toBeUndefined();
    expect(await notices('partner_ended', lan._id)).toHaveLength(1);
    expect(await h.services.partners.remove(owner, lan.code)).toEqual({ ok: false, reason: 'not_a_partner' });

    // Added again later, under another plan: a new partnership, told again.
    hours(1);
    expect(await h.services.partners.add(owner, lan.code, 'VIP')).toMatchObject({ ok: true, changed: true, plan: { id: 'vip' } });
    expect(await partnerOf(lan._id)).toMatchObject({ planId: 'vip', status: 'active' });
    expect(await notices('partner_added', lan._id)).toHaveLength(2);
  });

  it('a partner invite makes its opener a partner once, tells the owner, and dies with time, use or the owner role', async () => {
    const owner = await h.staff(9101, 'Chủ Hai', 'owner');
    const { actor: customerActor } = await person(9102, 'Khách');
    expect(await h.services.partners.createInvite(customerActor)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.partners.createInvite(owner, 'gold')).toEqual({ ok: false, reason: 'unknown_plan' });

    const invite = await h.services.partners.createInvite(owner, 'vip');
    if (!invite.ok) throw new Error('no invite');
    expect(invite.hours).toBe(h.program.partners.inviteHours);
    // The owner checking the link does not use it up.
    expect(await h.services.partners.acceptInvite(owner, invite.code)).toEqual({ ok: false, reason: 'is_owner' });
    const { customer: minh, actor: minhActor } = await person(9103, 'Minh');
    expect(await h.services.partners.acceptInvite(minhActor, invite.code.toLowerCase())).toMatchObject({ ok: true, plan: { id: 'vip' } });
    expect(await partnerOf(minh._id)).toMatchObject({ planId: 'vip', status: 'active', addedBy: owner.customerId });
    expect(await notices('partner_joined', owner.customerId)).toEqual([
      expect.objectContaining({ data: { partnerName: 'Minh', partnerCode: minh.code, planId: 'vip' } }),
    ]);
    // A retry by the same person repeats nothing; anyone else finds it used.
    expect(await h.services.partners.acceptInvite(minhActor, invite.code)).toMatchObject({ ok: true });
    expect(await notices('partner_joined', owner.customerId)).toHaveLength(1);
    const { customer: other, actor: otherActor } = await person(9104, 'Người khác');
    expect(await h.services.partners.acceptInvite(otherActor, invite.code)).toEqual({ ok: false, reason: 'invalid_invite' });
    expect(await h.services.partners.acceptInvite(otherActor, 'ABCDEFGHJK')).toEqual({ ok: false, reason: 'invalid_invite' });

    // A partner already does not use up a fresh invite, which still works for someone else.
    const second = await h.services.partners.createInvite(owner);
    if (!second.ok) throw new Error('no invite');
    expect(await h.services.partners.acceptInvite(minhActor, second.code)).toEqual({ ok: false, reason: 'already_partner' });
    expect(await h.services.partners.acceptInvite(otherActor, second.code)).toMatchObject({ ok: true, plan: { id: 'standard' } });

    // Expired after the rules' hours.
    const late = await h.services.partners.createInvite(owner);
    if (!late.ok) throw new Error('no invite');
    hours(h.program.partners.inviteHours + 1);
    const { customer: third, actor: thirdActor } = await person(9105, 'Muộn');
    expect(await h.services.partners.acceptInvite(thirdActor, late.code)).toEqual({ ok: false, reason: 'invalid_invite' });

    // The issuer no longer an owner: the invite no longer works.
    const orphan = await h.services.partners.createInvite(owner);
    if (!orphan.ok) throw new Error('no invite');
    await m().Customer.updateOne({ _id: owner.customerId }, { $set: { role: 'staff' } });
    expect(await h.services.partners.acceptInvite(thirdActor, orphan.code)).toEqual({ ok: false, reason: 'issuer_not_owner' });
    expect(await partnerOf(third._id)).toBeNull();
    expect(await m().AuditLog.findOne({ kind: 'refused', actorId: thirdActor.customerId }).lean()).toMatchObject({
      actions: { partner_invite_accept: 2 },
    });
    expect(await partnerOf(other._id)).toMatchObject({ planId: 'standard' });
  });

  it("a partner's friends are attributed with the partner plan; at the first visit only the friend is rewarded, with the welcome offer", async () => {
    const owner = await h.staff(9201, 'Chủ Ba', 'owner');
    const staff = await h.staff(9202, 'Thu ngân');
    const { customer: partner } = await person(9203, 'Hà Đối Tác');
    const { customer: regular } = await person(9204, 'Bình');
    expect(await h.services.partners.add(owner, partner.code, 'vip')).toMatchObject({ ok: true });

    const { customer: friend } = await person(9205, 'Cúc Bạn');
    const { customer: regularFriend } = await person(9206, 'Dung');
    const attributed = await h.services.referrals.attribute(friend._id, partner.code, 'telegram');
    expect(attributed).toMatchObject({ ok: true, friendReward: vip.welcome });
    expect(await h.services.referrals.attribute(regularFriend._id, regular.code, 'telegram')).toMatchObject({
      ok: true,
      friendReward: h.program.rewards.friend,
    });
    expect(await m().Referral.findOne({ friendId: friend._id }).lean()).toMatchObject({ partnerPlanId: 'vip', status: 'joined' });
    expect((await m().Referral.findOne({ friendId: regularFriend._id }).lean())?.partnerPlanId).toBeUndefined();
    // The same rules as referrals: one referrer, never oneself.
    expect(await h.services.referrals.attribute(friend._id, regular.code, 'telegram')).toMatchObject({ ok: false, reason: 'already_referred' });
    expect(await h.services.referrals.attribute(partner._id, partner.code, 'telegram')).toEqual({ ok: false, reason: 'own_code' });
    // The partner hears of the join in words about commission.
    expect((await notices('friend_joined', partner._id)).map((n) => (n.data as { partner?: boolean }).partner)).toEqual([true]);

    const visit = await h.services.visits.confirmFirstVisit(staff, friend.code, 400_000);
    expect(visit).toMatchObject({ ok: true, partnerReferral: { partnerName: 'Hà Đối Tác' } });
    expect(visit.ok && visit.referral).toBeUndefined();
    expect(await m().Referral.findOne({ friendId: friend._id }).lean()).toMatchObject({ status: 'converted', partnerPlanId: 'vip' });
    const friendVouchers = await m().Voucher.find({ customerId: friend._id }).lean();
    expect(friendVouchers.map((v) => [v.cause, v.reward.label.en])).toEqual([['referral_friend', '25% off your first visit']]);
    expect(await m().Voucher.countDocuments({ customerId: partner._id })).toBe(0);
    expect(await m().PointsEntry.countDocuments({ customerId: partner._id })).toBe(0);
    expect(await notices('referral_converted', partner._id)).toEqual([]);
    expect(await notices('partner_friend_visited', partner._id)).toEqual([expect.objectContaining({ data: { friendName: 'Cúc Bạn' } })]);
    const welcome = await notices('welcome_reward', friend._id);
    expect(welcome.map((n) => (n.data as { reward?: { value: number } }).reward?.value)).toEqual([25]);

    // The ordinary referral alongside is rewarded as always.
    const regularVisit = await h.services.visits.confirmFirstVisit(staff, regularFriend.code);
    expect(regularVisit).toMatchObject({ ok: true, referral: { referrerName: 'Bình' } });
    expect(await m().Voucher.countDocuments({ customerId: regular._id, cause: 'referral_referrer' })).toBe(1);
  });

  it('a partner whose plan left the rules keeps the first plan, and the list says so', async () => {
    const owner = await h.staff(9301, 'Chủ Tư', 'owner');
    const { customer: partner } = await person(9302, 'Giang');
    expect(await h.services.partners.add(owner, partner.code, 'vip')).toMatchObject({ ok: true });
    const plans = h.program.partners.plans;
    h.program.partners.plans = plans.filter((plan) => plan.id !== 'vip');
    try {
      expect(await h.services.partners.activePlanOf(partner._id)).toMatchObject({ id: 'standard' });
      const list = await h.services.partners.list(owner);
      expect(list.ok && list.partners.find((p) => p.customer.code === partner.code)).toMatchObject({ fallback: true, plan: { id: 'standard' } });
      expect(await h.services.partners.add(owner, partner.code, 'vip')).toEqual({ ok: false, reason: 'unknown_plan' });
      h.program.partners.plans = [];
      expect(await h.services.partners.createInvite(owner)).toEqual({ ok: false, reason: 'no_plans' });
      expect(await h.services.partners.activePlanOf(partner._id)).toBeUndefined();
    } finally {
      h.program.partners.plans = plans;
    }
  });
});
