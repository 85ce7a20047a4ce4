import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/db/models/customer.js';
import type { Review } from '../../../src/db/models/review.js';
import type { Actor } from '../../../src/services/index.js';
import { useServices } from '../../support/services.js';

const HOUR = 3600_000;
const reward = { kind: 'percent_off' as const, value: 15, label: { vi: 'Giảm 15% lần sau', en: '15% off next time' } };

describe('review rewards: asked once per period, rewarded once, only after approval', () => {
  const h = useServices('reviews', (p) => ({
    ...p,
    reviews: { links: [{ name: 'Google Maps', url: 'https://maps.google.com/?cid=1' }], reward, periodDays: 30, askAfterHours: 2 },
  }));
  let staff: Actor;
  let presses = 0;
  let owner: Actor;
  const later = (hours: number) => (h.clock.current = new Date(h.clock.current.getTime() + hours * HOUR));
  /** A customer who said yes to offers (or not), with a first visit confirmed by staff. */
  async function visited(id: number, name: string, offers = true): Promise<{ customer: Customer; actor: Actor }> {
    staff ??= await h.staff(8000, 'Thu ngân');
    owner ??= await h.staff(8001, 'Chủ', 'owner');
    const { customer, actor } = await h.join(id, name);
    if (offers) await h.services.consent.setMarketing(actor, customer, true, 'ask', `offers:${id}`);
    await h.services.visits.confirmFirstVisit(staff, customer.code);
    return { customer: (await h.db.models.Customer.findById(customer._id).lean<Customer>())!, actor };
  }
  const reviewsOf = (c: Customer) => h.db.models.Review.find({ customerId: c._id }).sort({ askedAt: 1 }).lean<Review[]>();
  const asks = (c: Customer) => h.db.models.Notification.find({ customerId: c._id, type: 'review_ask' }).lean();
  const vouchersOf = (c: Customer) => h.db.models.Voucher.find({ customerId: c._id, cause: 'review' }).lean();

  it('asks askAfterHours after the visit, once however often the job runs, and again only after the period', async () => {
    const { customer } = await visited(8101, 'Lan');
    later(1);
    expect(await h.services.reviews.askAfterVisits()).toBe(0);
    later(1.5);
    const runs = await Promise.all(Array.from({ length: 5 }, () => h.services.reviews.askAfterVisits()));
    expect(runs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await asks(customer)).toHaveLength(1);
    expect((await asks(customer))[0]!.data).toMatchObject({ links: [{ name: 'Google Maps', url: 'https://maps.google.com/?cid=1' }], reward });
    // Another visit within the period: no second ask.
    await h.services.visits.recordVisit(staff, customer.code, undefined, 'second-visit');
    later(3);
    await h.services.reviews.askAfterVisits();
    expect(await reviewsOf(customer)).toHaveLength(1);
    // After the period, a visit asks again (the customer's second ask, its own key).
    h.clock.advanceDays(31);
    await h.services.visits.recordVisit(staff, customer.code, undefined, 'third-visit');
    later(2);
    await h.services.reviews.askAfterVisits();
    expect((await reviewsOf(customer)).map((r) => r.key)).toEqual([`review:${String(customer._id)}:1`, `review:${String(customer._id)}:2`]);
  });

  it('does not ask customers who did not say yes to offers, or who sent /stop', async () => {
    const { customer: quiet } = await visited(8102, 'Minh', false);
    const { customer: stopped, actor } = await visited(8103, 'Nga');
    await h.services.consent.setMarketing(actor, stopped, false, 'stop', 'stop:8103');
    later(2);
    await h.services.reviews.askAfterVisits();
    expect(await reviewsOf(quiet)).toHaveLength(0);
    expect(await reviewsOf(stopped)).toHaveLength(0);
  });

  it('a photo without an ask is refused; nothing is rewarded without approval', async () => {
    const { customer, actor } = await visited(8104, 'Oanh');
    expect(await h.services.reviews.submit(actor, customer, { photo: { telegramFileId: 'early' } })).toEqual({ ok: false, reason: 'no_ask' });
    later(2);
    await h.services.reviews.askAfterVisits();
    expect(await h.services.reviews.submit(actor, customer, { photo: { telegramFileId: 'shot-1' } })).toEqual({ ok: true, status: 'submitted' });
    expect(await h.services.reviews.submit(actor, customer, { done: true })).toEqual({ ok: true, status: 'updated' });
    expect(await reviewsOf(customer)).toMatchObject([{ status: 'pending', round: 1, saidDone: true, photo: { telegramFileId: 'shot-1' } }]);
    h.clock.advanceDays(20);
    await h.services.reviews.askAfterVisits();
    expect(await vouchersOf(customer)).toHaveLength(0);
    // A customer cannot decide, even their own.
    expect(await h.services.reviews.decide(actor, String((await reviewsOf(customer))[0]!._id), 1, 'approve', `press:${++presses}`)).toEqual({
      ok: false,
      reason: 'not_allowed',
    });
    expect(await vouchersOf(customer)).toHaveLength(0);
  });

  it('twenty staff approving at once make one decision, one voucher and one message', async () => {
    const { customer, actor } = await visited(8105, 'Phúc');
    later(2);
    await h.services.reviews.askAfterVisits();
    await h.services.reviews.submit(actor, customer, { photo: { url: 'https://zalo.example/photo.jpg' } });
    const queue = await h.services.reviews.queue(staff);
    const item = queue.ok ? queue.items.find((i) => i.customer.code === customer.code) : undefined;
    expect(item).toMatchObject({ round: 1, photo: { url: 'https://zalo.example/photo.jpg' }, customer: { name: 'Phúc' } });
    const deciders = [staff, owner];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.services.reviews.decide(deciders[i % 2]!, item!.id, 1, 'approve', `race:${i}`)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'already_decided' && r.decision === 'approve')).toBe(true);
    expect(await h.db.models.Notification.countDocuments({ customerId: customer._id, type: 'review_approved' })).toBe(1);
    expect(await vouchersOf(customer)).toHaveLength(1);
    expect(
      await h.db.models.AuditLog.countDocuments({
        action: { $in: ['review_approve', 'review_reject'] },
        outcome: { $in: ['approved', 'rejected'] },
        targetId: customer._id,
      }),
    ).toBe(1);
  });

  it('a rejection tells the customer; a new screenshot is decided anew, and approval rewards once per period', async () => {
    const { customer, actor } = await visited(8106, 'Quân');
    later(2);
    await h.services.reviews.askAfterVisits();
    await h.services.reviews.submit(actor, customer, { photo: { telegramFileId: 'blurry' } });
    const [review] = await reviewsOf(customer);
    expect(await h.services.reviews.decide(staff, String(review!._id), 1, 'reject', `press:${++presses}`)).toMatchObject({
      ok: true,
      decision: 'reject',
    });
    expect(await h.db.models.Notification.countDocuments({ customerId: customer._id, type: 'review_rejected' })).toBe(1);
    expect(await h.services.reviews.queue(staff)).toMatchObject({ ok: true });
    expect(await h.services.reviews.submit(actor, customer, { photo: { telegramFileId: 'clear' } })).toEqual({ ok: true, status: 'submitted' });
    // The first round's buttons do nothing any more.
    expect(await h.services.reviews.decide(owner, String(review!._id), 1, 'approve', `press:${++presses}`)).toMatchObject({
      ok: false,
      reason: 'already_decided',
      decision: 'reject',
    });
    const approved = await h.services.reviews.decide(owner, String(review!._id), 2, 'approve', `press:${++presses}`);
    expect(approved).toMatchObject({ ok: true, decision: 'approve', customerName: 'Quân' });
    expect(await reviewsOf(customer)).toMatchObject([
      { status: 'approved', round: 2, photo: { telegramFileId: 'clear' }, decidedBy: owner.customerId },
    ]);
    const vouchers = await vouchersOf(customer);
    expect(vouchers).toMatchObject([{ causeKey: review!.key, reward: { value: 15 } }]);
    expect(await h.db.models.Notification.find({ customerId: customer._id, type: 'review_approved' }).lean()).toMatchObject([
      { data: { voucherCode: vouchers[0]!.code } },
    ]);
    // Approved: more screenshots change nothing, and the same period gives no second reward.
    expect(await h.services.reviews.submit(actor, customer, { photo: { telegramFileId: 'again' } })).toMatchObject({
      ok: false,
      reason: 'already_approved',
    });
    expect(await h.services.reviews.decide(staff, String(review!._id), 2, 'approve', `press:${++presses}`)).toMatchObject({
      ok: false,
      reason: 'already_decided',
    });
    expect(await vouchersOf(customer)).toHaveLength(1);
  });

  it('staff cannot decide their own review, and customers cannot see the queue', async () => {
    const { customer, actor } = await visited(8107, 'Sơn');
    later(2);
    await h.services.reviews.askAfterVisits();
    await h.services.reviews.submit(actor, customer, { done: true });
    await h.db.models.Customer.updateOne({ _id: customer._id }, { $set: { role: 'staff' } });
    const [review] = await reviewsOf(customer);
    // As the next message's join would load them: staff now.
    const asStaff = { customerId: actor.customerId, identity: actor.identity };
    expect(await h.services.reviews.decide(asStaff, String(review!._id), 1, 'approve', `press:${++presses}`)).toEqual({
      ok: false,
      reason: 'own_review',
    });
    await h.db.models.Customer.updateOne({ _id: customer._id }, { $set: { role: 'customer' } });
    expect(await h.services.reviews.queue(actor)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await vouchersOf(customer)).toHaveLength(0);
  });
});
