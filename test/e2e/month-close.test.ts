import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { MONTH_CLOSE } from '../../src/jobs/month-close.js';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, joinOnTelegram } from '../support/consent.js';

const zone = 'Asia/Ho_Chi_Minh';
/** The app's clock: moved by hand from the middle of this month to 00:40 on the 1st of the next. */
let shift = DateTime.now().setZone(zone).startOf('month').plus({ days: 14, hours: 12 }).toMillis() - Date.now();
const now = () => new Date(Date.now() + shift);

/**
 * The monthly close through Agenda's job and the Telegram emulator: on the 1st the partner gets
 * their statement and the owner the month's reconciliation, once each even when the job runs
 * twice; `/partner paid` marks it paid and tells the partner once, a second one is refused.
 */
describe('the monthly close in chat', () => {
  const h = useTelegramApp('month-close', { OWNER_IDS: 'telegram:970' }, { now });
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;
  const withText = (chatId: number, part: string) => h.telegram.messagesTo(chatId).filter((m) => m.text.includes(part));

  it('on the 1st the partner gets their statement and the owner the summary; paid is said once', async () => {
    const owner = h.telegram.user(970, 'Chủ tiệm');
    await joinOnTelegram(h.telegram, owner);
    await joinOnTelegram(h.telegram, h.telegram.user(971, 'Hương'));
    const partnerRecord = (await h.app.services.customers.findByIdentity('telegram:971'))!;
    owner.send(`/partner add ${partnerRecord.code}`);
    await h.telegram.waitForText(970, 'đã là đối tác');
    const friend = h.telegram.user(972, 'Khánh');
    friend.send(`/start ${partnerRecord.code}`);
    await agreeOnTelegram(h.telegram, friend);
    const friendRecord = (await h.app.services.customers.findByIdentity('telegram:972'))!;
    expect(await h.app.models.Referral.findOne({ friendId: friendRecord._id }).lean()).toMatchObject({ partnerPlanId: 'standard' });

    owner.send(`/confirm ${await codeOf(972)} 450000`);
    await h.telegram.waitForText(970, 'Khánh');
    await expect.poll(() => h.app.models.CommissionLine.countDocuments({ customerId: friendRecord._id }), { timeout: 10_000 }).toBe(1);

    const month = DateTime.fromJSDate(now(), { zone }).toFormat('MM/yyyy');
    shift = DateTime.now().setZone(zone).startOf('month').plus({ months: 1, minutes: 40 }).toMillis() - Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3100));
    // The job fired twice (a retry, or two processes): one close, one message each.
    await h.app.agenda.now(MONTH_CLOSE);
    await h.app.agenda.now(MONTH_CLOSE);
    const statement = await h.telegram.waitForText(971, `Sao kê đối tác tháng ${month} của Salon Mai`, 30_000);
    expect(statement.text).toContain('Khách bạn giới thiệu: 1');
    expect(statement.text).toContain('Lần ghé đầu được xác nhận: 1');
    expect(statement.text).toMatch(/Doanh thu từ khách của bạn: 450\.000\s₫/);
    expect(statement.text).toMatch(/Tiền hoa hồng tháng này: 45\.000\s₫/);
    expect(statement.text).toMatch(/Tổng cửa hàng còn nợ bạn: 45\.000\s₫/);
    const summary = await h.telegram.waitForText(970, `Chốt sổ tháng ${month} của Salon Mai`, 30_000);
    expect(summary.text).toMatch(/Đối tác: 1\. Hoa hồng phải trả cho tháng này: 45\.000\s₫/);
    // The friend's welcome voucher only: the partner earns commission instead of the referrer's reward.
    expect(summary.text).toContain('Ưu đãi đã phát: 1');
    expect(summary.text).toMatch(/Khách được giới thiệu đã chi: 450\.000\s₫ \(1 lượt ghé\)/);

    const closed = DateTime.fromJSDate(now(), { zone }).minus({ months: 1 }).toFormat('yyyy-MM');
    owner.send(`/partner paid ${partnerRecord.code} ${closed}`);
    expect((await h.telegram.waitForText(970, 'Đã đánh dấu trả')).text).toMatch(/45\.000\s₫/);
    owner.send(`/partner paid ${partnerRecord.code} ${closed}`);
    await h.telegram.waitForText(970, 'đã được đánh dấu đã trả');
    const paid = await h.telegram.waitForText(971, `đã thanh toán hoa hồng tháng ${month} cho bạn`);
    expect(paid.text).toMatch(/45\.000\s₫/);

    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(withText(971, 'Sao kê đối tác')).toHaveLength(1);
    expect(withText(970, 'Chốt sổ tháng')).toHaveLength(1);
    expect(withText(971, 'đã thanh toán hoa hồng')).toHaveLength(1);
  });
});
