import { describe, expect, it } from 'vitest';
import type { Voucher } from '../../src/db/models/voucher.js';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram } from '../support/consent.js';
import { waitForDeliveries } from '../support/deliveries.js';

/** One event, one message to each person it concerns: rewards, milestones and tiers travel together. */
describe('Telegram: one message per person per event', () => {
  const h = useTelegramApp('one-message', { OWNER_IDS: 'telegram:900' });
  const staff = () => h.telegram.user(201, 'Lan');
  const customerOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!;
  const voucherOf = async (id: number, cause: Voucher['cause'], extra: Record<string, unknown> = {}) =>
    (await h.app.models.Voucher.findOne({ customerId: (await customerOf(id))._id, cause, ...extra }).lean<Voucher>())!;

  const allDelivered = () => waitForDeliveries(h.app.models);

  /** What each chat received while `act` ran (and its notifications went out). */
  async function receivedDuring(chats: number[], act: () => Promise<void>): Promise<Map<number, string[]>> {
    const before = new Map(chats.map((chat) => [chat, h.telegram.messagesTo(chat).length]));
    await act();
    await allDelivered();
    return new Map(
      chats.map((chat) => [
        chat,
        h.telegram
          .messagesTo(chat)
          .slice(before.get(chat))
          .map((m) => m.text),
      ]),
    );
  }

  async function join(id: number, name: string, payload = '', language = 'vi'): Promise<void> {
    const person = h.telegram.user(id, name, language);
    const before = h.telegram.messagesTo(id).length;
    person.send(payload ? `/start ${payload}` : '/start');
    await agreeOnTelegram(h.telegram, person, { since: before });
    await allDelivered();
    // The rest of the answer (the language question, a welcome offer) follows in its turn.
    for (let seen = -1; seen !== h.telegram.messagesTo(id).length;) {
      seen = h.telegram.messagesTo(id).length;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  async function command(text: string, reply: string | RegExp): Promise<void> {
    staff().send(text);
    await h.telegram.waitForText(201, reply);
  }

  it('sets up an owner, a staff member and a referrer', async () => {
    await join(900, 'Chủ tiệm');
    await join(201, 'Lan');
    h.telegram.user(900, 'Chủ tiệm').send(`/staff add ${(await customerOf(201)).code}`);
    await h.telegram.waitForText(201, 'Bạn đã được thêm làm nhân viên');
    await join(301, 'An');
    await join(302, 'Bình', (await customerOf(301)).code, 'en');
  });

  it("a referred friend's first visit: one message to the referrer, one to the friend, only the reply to staff", async () => {
    const binh = (await customerOf(302)).code;
    const received = await receivedDuring([201, 301, 302], () => command(`/confirm ${binh}`, 'Đã xác nhận lần ghé đầu tiên của Bình'));
    const toReferrer = received.get(301)!;
    expect(toReferrer).toHaveLength(1);
    expect(toReferrer[0]).toContain('Bình vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu!');
    expect(toReferrer[0]).toContain(`Mã voucher: ${(await voucherOf(301, 'referral_referrer')).code}`);
    const toFriend = received.get(302)!;
    expect(toFriend).toHaveLength(1);
    expect(toFriend[0]).toContain('Your first-visit offer: 10% off your first visit.');
    expect(toFriend[0]).toContain(`Voucher code: ${(await voucherOf(302, 'referral_friend')).code}`);
    expect(received.get(201)).toEqual([expect.stringContaining('Đã xác nhận lần ghé đầu tiên của Bình')]);
  });

  it('a conversion that reaches a milestone: one message to the referrer with both rewards and their codes', async () => {
    await join(401, 'Cúc');
    const cuc = await customerOf(401);
    const lan = { customerId: (await customerOf(201))._id, identity: 'telegram:201' };
    // Four friends came already (set up through the services, each told once).
    for (let i = 0; i < 4; i++) {
      const { customer } = await h.app.services.customers.join({
        identity: `telegram:${411 + i}`,
        chatId: String(411 + i),
        displayName: `Bạn ${i}`,
        locale: 'vi',
      });
      await h.app.services.referrals.attribute(customer._id, cuc.code, 'telegram');
      await h.app.services.visits.confirmFirstVisit(lan, customer.code);
    }
    await allDelivered();
    await join(415, 'Dung', cuc.code);

    const dung = (await customerOf(415)).code;
    const received = await receivedDuring([201, 401, 415], () => command(`/confirm ${dung}`, 'Đã xác nhận lần ghé đầu tiên của Dung'));
    const toReferrer = received.get(401)!;
    expect(toReferrer).toHaveLength(1);
    expect(toReferrer[0]).toContain('Dung vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu!');
    const referral = await h.app.models.Referral.findOne({ friendId: (await customerOf(415))._id }).lean();
    expect(toReferrer[0]).toContain(
      `Mã voucher: ${(await voucherOf(401, 'referral_referrer', { causeKey: `referral:${String(referral!._id)}:referrer` })).code}`,
    );
    expect(toReferrer[0]).toContain('🏆 Bạn đã giới thiệu thành công 5 người! Quà của bạn: Một lần gội sấy miễn phí.');
    expect(toReferrer[0]).toContain(`Mã voucher: ${(await voucherOf(401, 'milestone')).code}`);
    expect(received.get(415)).toHaveLength(1);
    expect(received.get(201)).toHaveLength(1);
  });

  it('a visit that crosses a tier: one message that says both, and a plain visit across a tier: its receipt with the congratulation', async () => {
    await join(501, 'Giang', (await customerOf(301)).code);
    // 100 points for the visit and 100 for 1.000.000 VND: Member.
    const giang = (await customerOf(501)).code;
    let received = await receivedDuring([201, 301, 501], () => command(`/confirm ${giang} 1000k`, 'Đã xác nhận lần ghé đầu tiên của Giang'));
    expect(received.get(501)).toHaveLength(1);
    const [toFriend] = received.get(501)!;
    expect(toFriend).toContain(
      `Ưu đãi lần đầu của bạn: Giảm 10% cho lần ghé đầu tiên. Mã voucher: ${(await voucherOf(501, 'referral_friend')).code}`,
    );
    expect(toFriend).toContain('🌟 Chúc mừng! Bạn đã lên hạng Thành viên tại Salon Mai với 200 điểm. Quyền lợi của bạn: Ưu tiên đặt lịch.');
    // The welcome carries the visit's receipt too.
    expect(toFriend).toContain('+200 điểm, số dư 200. Còn 300 điểm nữa để lên Bạc.');
    expect(received.get(301)).toHaveLength(1);
    expect(received.get(201)).toEqual([expect.stringContaining('Giang vừa lên hạng Thành viên!')]);

    await join(601, 'Hạnh');
    const hanh = (await customerOf(601)).code;
    received = await receivedDuring([601], () => command(`/confirm ${hanh}`, 'Đã xác nhận lần ghé đầu tiên của Hạnh'));
    expect(received.get(601)).toEqual(['🧾 Cảm ơn bạn đã ghé Salon Mai! +100 điểm, số dư 100. Còn 100 điểm nữa để lên Thành viên.']);
    // Across a tier and the first catalogue item: still one message.
    received = await receivedDuring([601], () => command(`/visit ${hanh} 1000k`, /Đã ghi nhận lần ghé của Hạnh/));
    expect(received.get(601)).toEqual([
      [
        '🧾 Cảm ơn bạn đã ghé Salon Mai! +200 điểm, số dư 300. Còn 200 điểm nữa để lên Bạc.',
        '🎁 Bạn đã đủ điểm đổi quà số 1: Một lần gội sấy miễn phí (300 điểm). Gõ /claim 1 để đổi.',
        '🌟 Chúc mừng! Bạn đã lên hạng Thành viên tại Salon Mai với 300 điểm. Quyền lợi của bạn: Ưu tiên đặt lịch.',
      ].join('\n'),
    ]);
  });

  it("the owner's /stats counts each tier reached once (Cúc's through referrals, Giang's and Hạnh's visits)", async () => {
    h.telegram.user(900, 'Chủ tiệm').send('/stats');
    const stats = await h.telegram.waitForText(900, 'Số liệu hôm nay');
    expect(stats.text).toContain('Lên hạng: 3');
  });
});
