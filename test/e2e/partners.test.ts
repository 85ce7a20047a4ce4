import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../support/consent.js';
import { programFile } from '../support/program-file.js';
import { readQr } from '../support/qr.js';

/** The shop's partner plan offers the partner's followers its own welcome. */
const welcome = { kind: 'percent_off', value: 30, label: { vi: 'Giảm 30% cho khách của đối tác', en: '30% off for our partner’s friends' } };
const rules = programFile((p) => {
  (p.partners as { plans: Array<Record<string, unknown>> }).plans[0]!.welcome = welcome;
});
const floodWindow = () => new Promise((r) => setTimeout(r, 3100));

describe('partners in chat, on Telegram and Zalo', () => {
  const h = useTelegramApp('partners-e2e', { OWNER_IDS: 'telegram:900,zalo:z-owner', PROGRAM_CONFIG: rules }, { zalo: true });
  const person = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;

  it('Telegram: an invite makes its opener a partner; their friend gets the welcome offer at the first visit and the partner is told', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    owner.send('/partner invite');
    const invite = await h.telegram.waitForText(900, 'Gửi link này cho đối tác mới');
    expect(invite.text).toContain('Đối tác: 10% số tiền khách bạn giới thiệu chi tiêu trong 90 ngày đầu');
    const payload = /https:\/\/t\.me\/salon_mai_bot\?start=(p_[A-Z0-9]{10})/.exec(invite.text)?.[1];
    expect(payload).toBeDefined();

    const vy = h.telegram.user(301, 'Vy Trần');
    vy.send(`/start ${payload!}`);
    await h.telegram.waitForText(301, 'Chào mừng bạn, đối tác của Salon Mai!');
    await agreeOnTelegram(h.telegram, vy);
    const told = await h.telegram.waitForText(900, 'đã mở lời mời đối tác của bạn và trở thành đối tác');
    const vyCode = (await person('telegram:301')).code;
    expect(told.text).toContain(`Vy Trần (mã ${vyCode})`);
    expect(await h.app.models.Partner.findOne({ customerId: (await person('telegram:301'))._id }).lean()).toMatchObject({ status: 'active' });
    // Used once: nobody else becomes a partner with it.
    h.telegram.user(309, 'Người lạ').send(`/start ${payload!}`);
    await h.telegram.waitForText(309, 'Lời mời đối tác này đã được dùng, đã hết hạn hoặc không đúng.');

    // The partner's statement, then their own link, code and QR with the plan's welcome offer.
    await floodWindow();
    vy.send('/partner');
    const statement = await h.telegram.waitForText(301, 'Bảng kê đối tác của bạn tại Salon Mai');
    expect(statement.text).toContain('Gói: Đối tác: 10%');
    expect(statement.text).toMatch(/Tháng này \(\d{2}\/\d{4}\)/);
    const intro = await h.telegram.waitForText(301, 'Link đối tác của bạn');
    expect(intro.text).toContain(`Mã của bạn: ${vyCode}`);
    expect(intro.text).toContain('Giảm 30% cho khách của đối tác');
    const invitation = await h.telegram.waitForText(301, `start=${vyCode}`);
    expect(invitation.text).toContain('Giảm 30% cho khách của đối tác');
    const qr = await h.telegram.waitForText(301, 'Mã QR giới thiệu');
    expect(readQr(qr.photo!)).toBe(`${h.app.config.publicUrl}/r/${vyCode}?via=qr`);

    // The landing page of the partner's link shows their welcome offer.
    const page = await (await fetch(`${h.app.listenUrl}/r/${vyCode}`)).text();
    expect(page).toContain('Giảm 30% cho khách của đối tác');

    const tu = h.telegram.user(302, 'Tú');
    tu.send(`/start ${vyCode}`);
    await agreeOnTelegram(h.telegram, tu);
    const attributed = await h.telegram.waitForText(302, 'Bạn được Vy Trần giới thiệu đến Salon Mai!');
    expect(attributed.text).toContain('Giảm 30% cho khách của đối tác');
    await h.telegram.waitForText(301, 'vừa tham gia qua link đối tác của bạn');

    await floodWindow();
    owner.send(`/confirm ${(await person('telegram:302')).code} 500k`);
    const confirmed = await h.telegram.waitForText(900, 'Đã xác nhận lần ghé đầu tiên của Tú');
    expect(confirmed.text).toContain('Khách do đối tác Vy Trần giới thiệu: áp dụng Giảm 30% cho khách của đối tác');
    await h.telegram.waitForText(302, 'Ưu đãi lần đầu của bạn: Giảm 30% cho khách của đối tác');
    await h.telegram.waitForText(301, 'người bạn giới thiệu, vừa ghé Salon Mai lần đầu');
    // The partner earns commission, not the referral rewards.
    expect(h.telegram.messagesTo(301).some((m) => m.text.includes('nhờ bạn giới thiệu! Bạn nhận'))).toBe(false);
    expect(await h.app.models.Voucher.countDocuments({ customerId: (await person('telegram:301'))._id })).toBe(0);

    // Her statement now counts the friend's first visit: 10% of 500,000.
    await floodWindow();
    const before = h.telegram.messagesTo(301).length;
    vy.send('/partner');
    await h.telegram.waitForMessages(301, before + 4);
    const figures = h.telegram.messagesTo(301)[before]!.text;
    expect(figures).toMatch(
      /Tháng này \(\d{2}\/\d{4}\), đến hôm nay:\nKhách giới thiệu: 1\nLần ghé đầu: 1\nKhách chi tiêu: 500\.000\s₫\nHoa hồng: 50\.000\s₫\nĐã trả: 0\s₫/,
    );
    expect(figures).toMatch(/Cửa hàng còn nợ bạn: 50\.000\s₫/);

    // The owner's list names the partner and their plan; a month not closed cannot be marked paid.
    owner.send('/partner list');
    const list = await h.telegram.waitForText(900, 'Đối tác (1):');
    expect(list.text).toContain(`• Vy Trần (mã ${vyCode}): Đối tác: 10%`);
    owner.send(`/partner paid ${vyCode} 01/2020`);
    await h.telegram.waitForText(900, 'Tháng 01/2020 chưa được chốt');

    // /help tells the partner about /partner; a customer who is not a partner is not told.
    vy.send('/help');
    await h.telegram.waitForText(301, 'Bạn là đối tác của tiệm: /partner');
    const tuBefore = h.telegram.messagesTo(302).length;
    tu.send('/help');
    await h.telegram.waitForMessages(302, tuBefore + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      h.telegram
        .messagesTo(302)
        .slice(tuBefore)
        .some((m) => m.text.includes('/partner')),
    ).toBe(false);
  });

  it('Zalo: the owner’s typed invite, the partner told on Zalo, and a friend who sends the partner’s code', async () => {
    await floodWindow();
    const owner = h.zalo.user('z-owner', 'Chủ');
    owner.send('partner invite');
    const invite = await h.zalo.waitForText('z-owner', 'Nhờ đối tác mới nhắn cho bot dòng sau');
    const line = /start p_[A-Z0-9]{10}/.exec(invite.text)?.[0];
    expect(line).toBeDefined();

    const an = h.zalo.user('z-an', 'An');
    an.send(line!);
    await h.zalo.waitForText('z-an', 'Chào mừng bạn, đối tác của Salon Mai!');
    await agreeOnZalo(h.zalo, an);
    const anCode = (await person('zalo:z-an')).code;
    await h.zalo.waitForText('z-owner', `An (mã ${anCode}) đã mở lời mời đối tác của bạn`);

    const binh = h.zalo.user('z-binh', 'Bình');
    binh.send(anCode);
    await agreeOnZalo(h.zalo, binh);
    const attributed = await h.zalo.waitForText('z-binh', 'Bạn được An giới thiệu đến Salon Mai!');
    expect(attributed.text).toContain('Giảm 30% cho khách của đối tác');
    await h.zalo.waitForText('z-an', 'Bình vừa tham gia qua link đối tác của bạn');

    await floodWindow();
    h.telegram.user(900, 'Chủ tiệm').send(`/confirm ${(await person('zalo:z-binh')).code}`);
    await h.zalo.waitForText('z-binh', 'Ưu đãi lần đầu của bạn: Giảm 30% cho khách của đối tác');
    await h.zalo.waitForText('z-an', 'Bình, người bạn giới thiệu, vừa ghé Salon Mai lần đầu');

    await floodWindow();
    an.send('partner');
    await h.zalo.waitForText('z-an', 'Bảng kê đối tác của bạn tại Salon Mai');
    const intro = await h.zalo.waitForText('z-an', 'Link đối tác của bạn');
    expect(intro.text).toContain(`/r/${anCode}`);
    await h.zalo.waitForText('z-an', 'Mã QR giới thiệu');

    // A customer who is no partner is told so; the owner's subcommands are refused to them.
    await floodWindow();
    binh.send('partner');
    await h.zalo.waitForText('z-binh', 'Bạn không phải là đối tác của cửa hàng.');
    binh.send(`partner add ${anCode}`);
    await h.zalo.waitForText('z-binh', 'Bạn không có quyền dùng lệnh này.');
  });
});
