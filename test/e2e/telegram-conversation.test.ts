import { describe, expect, it, vi } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram } from '../support/consent.js';
import { readQr } from '../support/qr.js';

describe('Telegram: the referral conversation end to end', () => {
  const h = useTelegramApp('tg-conversation', { OWNER_IDS: 'telegram:900' });
  const owner = () => h.telegram.user(900, 'Chủ tiệm');
  // A Vietnamese full name: other people read only the given name, "An".
  const an = () => h.telegram.user(101, 'Trần Văn An');
  const binh = () => h.telegram.user(102, 'Bình', 'en');
  const suong = () => h.telegram.user(103, 'Sương');
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;

  it('A joins, picks a language and gets a referral link, invitation and invite QR', async () => {
    an().send('/start');
    const [welcome, , choice] = await agreeOnTelegram(h.telegram, an(), { offers: false });
    expect(welcome!.text).toContain('Chào mừng bạn đến với chương trình giới thiệu của Salon Mai');
    expect(choice!.buttons.map((b) => b.text)).toEqual(['Tiếng Việt', 'English']);
    an().press('Tiếng Việt');
    await h.telegram.waitForText(101, 'Đã chuyển sang tiếng Việt.');

    an().send('/link');
    const code = await codeOf(101);
    const intro = await h.telegram.waitForText(101, 'Link giới thiệu của bạn');
    expect(intro.text).toContain(`https://t.me/salon_mai_bot?start=${code}`);
    expect(intro.buttons[0]?.url).toMatch(/^https:\/\/t\.me\/share\/url\?url=/);
    await h.telegram.waitForText(101, 'Mình hay đến Salon Mai');
    const qr = await h.telegram.waitForText(101, 'Mã QR giới thiệu');
    // The invite QR opens the web page (either app from there), which counts the friend as come by QR.
    expect(readQr(qr.photo!)).toBe(`${h.app.config.publicUrl}/r/${code}?via=qr`);
  });

  it('B opens the link, is attributed in English, and A is told a friend joined', async () => {
    const code = await codeOf(101);
    binh().send(`/start ${code}`);
    await agreeOnTelegram(h.telegram, binh());
    const attributed = await h.telegram.waitForText(102, 'An invited you to Salon Mai!');
    expect(attributed.text).toContain('10% off your first visit');
    await h.telegram.waitForText(101, 'Bình vừa tham gia qua link của bạn');
    await h.app.services.referrals.flushLinkOpens();
    expect(await h.app.models.LinkOpen.countDocuments({ code })).toBe(1);
  });

  it('the owner makes S staff; S is told and gets the staff commands', async () => {
    suong().send('/start');
    await agreeOnTelegram(h.telegram, suong());
    owner().send(`/staff add ${await codeOf(103)}`);
    await h.telegram.waitForText(900, 'Đã thêm Sương làm nhân viên.');
    const told = await h.telegram.waitForText(103, 'Bạn đã được thêm làm nhân viên');
    expect(told.text).toContain('/confirm');
  });

  it('staff confirm B first visit; A and B each receive one message with their reward', async () => {
    const before = { a: h.telegram.messagesTo(101).length, b: h.telegram.messagesTo(102).length };
    suong().send(`/confirm ${await codeOf(102)} 300k`);
    const confirmed = await h.telegram.waitForText(103, 'Đã xác nhận lần ghé đầu tiên của Bình');
    expect(confirmed.text).toContain('+130 điểm');
    expect(confirmed.text).toContain('Khách được An giới thiệu');

    const forA = await h.telegram.waitForText(101, 'Bình vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu!');
    expect(forA.text).toContain('Giảm 20% cho lần dịch vụ tiếp theo');
    const forB = await h.telegram.waitForText(102, 'Welcome to Salon Mai! Your first-visit offer: 10% off your first visit.');
    expect(forB.text).toMatch(/Voucher code: [A-Z2-9]{8}/);

    // Sweeps keep running: still exactly one message each a while later.
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.telegram.messagesTo(101).slice(before.a)).toHaveLength(1);
    expect(h.telegram.messagesTo(102).slice(before.b)).toHaveLength(1);
  });

  it("A's visits push A into Member and A gets the congratulation", async () => {
    const code = await codeOf(101);
    suong().send(`/visit ${code}`);
    await h.telegram.waitForText(103, 'Đây là lần ghé đầu tiên của khách.');
    suong().send(`/visit ${code}`);
    await h.telegram.waitForText(103, /Đã ghi nhận lần ghé của Trần Văn An: \+100 điểm \(tổng 250\)/);
    const congratulation = await h.telegram.waitForText(101, 'Chúc mừng! Bạn đã lên hạng Thành viên');
    expect(congratulation.text).toContain('Ưu tiên đặt lịch');
    an().send('/me');
    const me = await h.telegram.waitForText(101, 'Điểm tích lũy: 250');
    expect(me.text).toContain('Hạng: Thành viên');
    expect(me.text).toContain('Còn 250 điểm nữa để lên hạng Bạc.');
    // Staff scanning it with a phone camera open the bot on An's card: the QR carries the secret member token, not the code.
    const memberToken = await h.app.services.memberCards.tokenFor((await h.app.services.customers.findByIdentity('telegram:101'))!._id);
    expect(memberToken).not.toContain(code);
    expect(readQr((await h.telegram.waitForText(101, 'Mã QR thành viên')).photo!)).toBe(`https://t.me/salon_mai_bot?start=m_${memberToken}`);
  });

  it("the owner's /stats shows the new numbers", async () => {
    owner().send('/stats');
    const stats = await h.telegram.waitForText(900, 'Số liệu hôm nay');
    expect(stats.text).toContain('Bạn bè tham gia: 1');
    expect(stats.text).toContain('Lần ghé đầu được xác nhận: 2');
    expect(stats.text).toContain('Doanh thu từ khách được giới thiệu: 300.000');
    expect(stats.text).toContain('1. Trần Văn An: 1 bạn');
  });

  it('each attribution refusal gets its own answer', async () => {
    const aCode = await codeOf(101);
    an().send(`/start ${aCode}`);
    await h.telegram.waitForText(101, 'Đây là mã của chính bạn');
    binh().send(`/start ${await codeOf(103)}`);
    await h.telegram.waitForText(102, 'An already invited you, so another code cannot be used.');
    h.telegram.user(104, 'Chi').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(104, 'Chi'));
    h.telegram.user(104, 'Chi').send('/start ZZZZZZ');
    await h.telegram.waitForText(104, 'Mã giới thiệu này không tồn tại');
    an().send(`/start ${await codeOf(103)}`);
    await h.telegram.waitForText(101, 'Bạn đã là khách của cửa hàng rồi');
  });

  it('malformed commands get the usage line, and a non-staff /confirm changes nothing', async () => {
    suong().send('/confirm');
    await h.telegram.waitForText(103, 'Lệnh chưa đúng. Cách dùng: /confirm <mã khách hoặc số điện thoại> [số tiền]');
    suong().send('/stats yesterday');
    await h.telegram.waitForText(103, 'Cách dùng: /stats, /stats 7d hoặc /stats 30d');

    const chi = h.telegram.user(104, 'Chi');
    const visitsBefore = await h.app.models.Visit.countDocuments({});
    chi.send(`/confirm ${await codeOf(102)}`);
    const refused = await h.telegram.waitForText(104, 'Bạn không có quyền dùng lệnh này.');
    expect(refused.text).not.toContain('Bình');
    expect(await h.app.models.Visit.countDocuments({})).toBe(visitsBefore);
  });

  it('the same update delivered twice is handled once', async () => {
    const update = {
      message: {
        message_id: 9001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 105, type: 'private' },
        from: { id: 105, is_bot: false, first_name: 'Dũng' },
        text: '/help',
      },
    };
    h.telegram.push(update, 5000);
    h.telegram.push(update, 5000);
    await h.telegram.waitForText(105, 'Lệnh của bạn');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.telegram.messagesTo(105)).toHaveLength(1);
  });

  it('a flood of messages gets one polite slow-down in the person language, and the excess is not handled', async () => {
    const gia = h.telegram.user(106, 'Gia', 'en');
    for (let i = 0; i < 8; i += 1) gia.send('/help');
    await h.telegram.waitForText(106, 'You are sending messages a bit fast, please wait a few seconds');
    await new Promise((r) => setTimeout(r, 1000));
    const texts = h.telegram.messagesTo(106).map((m) => m.text);
    expect(texts.filter((text) => text.startsWith('Your commands:'))).toHaveLength(5);
    expect(texts.filter((text) => text.startsWith('You are sending messages a bit fast'))).toHaveLength(1);
  });

  it('an unexpected failure is answered with an apology and the next message works', async () => {
    const hanh = h.telegram.user(107, 'Hạnh');
    hanh.send('/start');
    await agreeOnTelegram(h.telegram, hanh);
    vi.spyOn(h.app.services.status, 'getCustomerStatus').mockRejectedValueOnce(new Error('database hiccup'));
    hanh.send('/me');
    await h.telegram.waitForText(107, 'Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.');
    hanh.send('/me');
    const card = await h.telegram.waitForText(107, 'Hạnh (mã');
    expect(card.text).not.toContain('Xin lỗi');
  });
});
