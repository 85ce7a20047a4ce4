import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { BIRTHDAY_REWARDS, MEMBERSHIP_REMINDERS } from '../../src/jobs/members.js';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../support/consent.js';

const zone = 'Asia/Ho_Chi_Minh';
/** The app's clock at noon in the shop today, so the birthday job's 10:00 has passed whenever the test runs. */
const shift = DateTime.now().setZone(zone).set({ hour: 12, minute: 0 }).toMillis() - Date.now();
const now = () => new Date(Date.now() + shift);

/** A birthday and a paid membership end to end: Telegram and Zalo customers, staff on both apps, Agenda's jobs. */
describe('birthday reward and paid membership through both apps', () => {
  const h = useTelegramApp('members', { OWNER_IDS: 'telegram:900,zalo:z-owner' }, { zalo: true, now });
  const codeOf = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!.code;
  /** Sends a message and waits for a new reply matching `part`; returns its text. */
  async function until(messages: () => Array<{ text: string }>, send: () => void, part: string | RegExp): Promise<string> {
    const before = messages().length;
    send();
    const match = (text: string) => (typeof part === 'string' ? text.includes(part) : part.test(text));
    await expect
      .poll(
        () =>
          messages()
            .slice(before)
            .some((m) => match(m.text)),
        { timeout: 15_000, message: `no reply matching ${String(part)}` },
      )
      .toBe(true);
    return messages()
      .slice(before)
      .find((m) => match(m.text))!.text;
  }
  /** Each person's name in their app (a message under another name renames them). */
  const names: Record<string, string> = { 301: 'Lan', 900: 'Chủ', 'z-hoa': 'Hoa', 'z-owner': 'Chủ Zalo' };
  const telegramReply = (chatId: number, text: string, part: string | RegExp) =>
    until(
      () => h.telegram.messagesTo(chatId),
      () => h.telegram.user(chatId, names[chatId]!).send(text),
      part,
    );
  const zaloReply = (chatId: string, text: string, part: string | RegExp) =>
    until(
      () => h.zalo.messagesTo(chatId),
      () => h.zalo.user(chatId, names[chatId]!).send(text),
      part,
    );

  it('a Telegram customer sets a birthday and gets one voucher before it, however often the job runs', async () => {
    h.telegram.user(301, 'Lan').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(301, 'Lan'));
    await telegramReply(301, '/birthday', 'Bạn chưa cho chúng tôi biết ngày sinh.');
    const date = DateTime.fromJSDate(now(), { zone }).plus({ days: 3 });
    const saved = await telegramReply(301, `/birthday ${date.toFormat('dd/MM')}`, `🎂 Đã lưu: sinh nhật của bạn là ${date.toFormat('dd/MM')}.`);
    expect(saved).toContain('Quà sinh nhật: Giảm 20% mừng sinh nhật, gửi trước sinh nhật 3 ngày');
    await telegramReply(301, '/birthday', `Ngày sinh của bạn: ${date.toFormat('dd/MM')}.`);
    // Entered just now, so not rewarded this year; as if it had been entered 40 days ago, it is.
    await h.app.agenda.now(BIRTHDAY_REWARDS);
    const lan = (await h.app.services.customers.findByIdentity('telegram:301'))!;
    expect(await h.app.models.Voucher.countDocuments({ customerId: lan._id, cause: 'birthday' })).toBe(0);
    await h.app.models.Customer.updateOne({ _id: lan._id }, { $set: { birthdaySetAt: new Date(now().getTime() - 40 * 86_400_000) } });
    await h.app.agenda.now(BIRTHDAY_REWARDS);
    await h.app.agenda.now(BIRTHDAY_REWARDS);
    const gift = await h.telegram.waitForText(301, '🎂 Salon Mai chúc mừng sinh nhật bạn!');
    const voucher = await h.app.models.Voucher.findOne({ customerId: lan._id, cause: 'birthday' }).lean();
    expect(gift.text).toContain(`Đưa mã ${voucher!.code} tại quầy`);
    await h.app.agenda.now(BIRTHDAY_REWARDS);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(h.telegram.messagesTo(301).filter((m) => m.text.includes('chúc mừng sinh nhật'))).toHaveLength(1);
    expect(await h.app.models.Voucher.countDocuments({ customerId: lan._id, cause: 'birthday' })).toBe(1);
  });

  it('a Zalo customer sets a birthday in English, and a change within the year is refused with its date', async () => {
    h.zalo.user('z-hoa', 'Hoa').send('Xin chào');
    await agreeOnZalo(h.zalo, h.zalo.user('z-hoa', 'Hoa'), { offers: false });
    await zaloReply('z-hoa', '2', 'Switched to English');
    await zaloReply('z-hoa', 'birthday 29/02/1996', 'In years without 29 February we celebrate on 28 February.');
    // Hoa sent five messages (greeting, agreement, offers, language, birthday): wait out the per-person flood window (five messages in three seconds).
    await new Promise((r) => setTimeout(r, 3100));
    await zaloReply('z-hoa', 'birthday 01/03/1996', /^Your birthday \(29\/02\/1996\) was set less than a year ago\. You can change it from /);
    const hoa = (await h.app.services.customers.findByIdentity('zalo:z-hoa'))!;
    expect(hoa).toMatchObject({ birthDay: 29, birthMonth: 2, birthYear: 1996, birthdayKey: '02-29' });
  });

  it('staff on Telegram and Zalo sell the membership; the customer is told once, and sees it on /me and the card', async () => {
    h.telegram.user(900, 'Chủ').send('/start');
    // Owner commands need no agreement to the notice: the notice is the whole answer.
    await h.telegram.waitForText(900, 'Dữ liệu cá nhân của bạn');
    const hoaCode = await codeOf('zalo:z-hoa');
    await telegramReply(900, `/member ${hoaCode} 12`, /^💎 Hoa là thành viên Thẻ VIP đến ngày .+ \(12 tháng, đã thanh toán 2\.400\.000\s₫\)\.$/);
    const welcome = await h.zalo.waitForText('z-hoa', '💎 Welcome to the VIP card of Salon Mai!');
    expect(welcome.text).toContain('(12 months, paid ₫2,400,000)');
    // The same sale sent twice by mistake is one sale.
    await telegramReply(900, `/member ${hoaCode} 12`, 'Đã ghi nhận rồi');
    // The Zalo owner extends it by 3 months from its end.
    h.zalo.user('z-owner', 'Chủ Zalo').send('Xin chào');
    await agreeOnZalo(h.zalo, h.zalo.user('z-owner', 'Chủ Zalo'));
    await zaloReply('z-owner', `member ${hoaCode} 3t`, 'Gia hạn tiếp từ ngày hết hạn hiện tại');
    const hoa = (await h.app.services.customers.findByIdentity('zalo:z-hoa'))!;
    const expected = DateTime.fromJSDate(now(), { zone }).plus({ months: 15 }).endOf('day').toJSDate();
    expect(hoa.memberUntil).toEqual(expected);
    await expect.poll(() => h.zalo.messagesTo('z-hoa').filter((m) => m.text.includes('Welcome to the VIP card')).length).toBe(2);
    await zaloReply('z-hoa', 'me', '💎 VIP card until');
    await telegramReply(900, `/find ${hoaCode}`, '💎 Thẻ VIP đến ngày');
    await telegramReply(900, '/stats today', /Thành viên trả phí: 1; thẻ đã bán: 2 \(3\.000\.000\s₫\)/);
  });

  it('reminds the member before the end and tells them once it lapsed', async () => {
    const hoa = (await h.app.services.customers.findByIdentity('zalo:z-hoa'))!;
    // The chain's last period ending in 5 days, as if sold long ago.
    await h.app.models.Membership.updateOne({ customerId: hoa._id, seq: 2 }, { $set: { endsAt: new Date(now().getTime() + 5 * 86_400_000) } });
    await h.app.agenda.now(MEMBERSHIP_REMINDERS);
    await h.app.agenda.now(MEMBERSHIP_REMINDERS);
    await h.zalo.waitForText('z-hoa', 'Your VIP card at Salon Mai ends on');
    await h.app.models.Membership.updateOne({ customerId: hoa._id, seq: 2 }, { $set: { endsAt: new Date(now().getTime() - 86_400_000) } });
    await h.app.agenda.now(MEMBERSHIP_REMINDERS);
    await h.zalo.waitForText('z-hoa', 'Your VIP card at Salon Mai ended on');
    await h.app.agenda.now(MEMBERSHIP_REMINDERS);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(h.zalo.messagesTo('z-hoa').filter((m) => m.text.includes('Your VIP card at Salon Mai end'))).toHaveLength(2);
  });
});
