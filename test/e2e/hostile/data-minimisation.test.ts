import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../../support/consent.js';
import { readQr } from '../../support/qr.js';

/**
 * Data minimisation, end to end: the log of a whole conversation (debug and trace included)
 * holds no phone number, token or message text; staff see numbers masked unless they typed
 * them; a referrer hears of a friend by the friend's given name only.
 *
 * Each person agrees to the privacy notice after their first message (the consent gate).
 */
describe('hostile: what the log, staff and other customers get to see', () => {
  const logLines: string[] = [];
  const h = useTelegramApp(
    'hostile-minimisation',
    { OWNER_IDS: 'telegram:900,zalo:z-boss' },
    { zalo: true, logger: createLogger('trace', { write: (line: string) => void logLines.push(line) }) },
  );
  /** The next message to a Telegram chat containing `part`, after those it has now (other messages may come between). */
  const nextWith = async (chatId: number, part: string, send: () => void) => {
    const count = () => h.telegram.messagesTo(chatId).filter((m) => m.text.includes(part));
    const before = count().length;
    send();
    await vi.waitFor(() => expect(count().length).toBeGreaterThan(before), { timeout: 15_000, interval: 50 });
    return count()[before]!;
  };
  const customer = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  /** The phone numbers typed or shared below, as their national digits. */
  const phones = ['912345678', '987654321', '935777888', '903111222', '977000555', '966123456', '944222333'];
  const freeTexts = ['Chị ơi em muốn đặt lịch lúc ba giờ', 'my secret appointment note'];

  it('a conversation with numbers in every form, tokens, free text and a failing send leaves none of them in the log', async () => {
    const boss = h.telegram.user(900, 'Chủ tiệm');
    const hoa = h.telegram.user(301, 'Hoa');
    const binh = h.telegram.user(302, 'Bình');
    const zaloBoss = h.zalo.user('z-boss', 'Chủ Zalo');
    const zaloLan = h.zalo.user('z-lan', 'Lan');

    boss.send('/start');
    await agreeOnTelegram(h.telegram, boss);
    hoa.send('/start');
    await agreeOnTelegram(h.telegram, hoa);
    hoa.send('/phone 0912 345 678');
    await h.telegram.waitForText(301, 'Đã lưu số điện thoại 0912 345 678');
    binh.send('/start');
    await agreeOnTelegram(h.telegram, binh);
    binh.shareContact('+84 987 654 321');
    await h.telegram.waitForText(302, 'Đã lưu số điện thoại 0987 654 321');
    hoa.send(`${freeTexts[0]}, số em 0935.777.888`);
    zaloLan.send('/start');
    await agreeOnZalo(h.zalo, zaloLan);
    zaloLan.send('/phone 84903111222');
    await h.zalo.waitForText('z-lan', 'Đã lưu số điện thoại 0903 111 222');
    zaloLan.send(freeTexts[1]!);

    await nextWith(900, 'Khách hàng: Hoa', () => boss.send('/find 0912.345.678'));
    await nextWith(900, 'Bình', () => boss.send('/visit +84-987-654-321 200k'));
    await nextWith(900, 'Không tìm thấy', () => boss.send('/find 0977 000 555'));
    zaloBoss.send('/start');
    await agreeOnZalo(h.zalo, zaloBoss);
    zaloBoss.send('find 0903111222');
    await h.zalo.waitForText('z-boss', 'Lan');

    // The member card's token, through the QR and the scan.
    hoa.send('/me');
    const memberLink = readQr((await h.telegram.waitForText(301, 'Mã QR thành viên')).photo!)!;
    const memberToken = new URL(memberLink).searchParams.get('start')!.slice(2);
    // The owner's scan and /dashboard come after the flood window of the owner's messages above (5 in 3 seconds).
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    await nextWith(900, 'Khách hàng: Hoa', () => boss.send(`/start m_${memberToken}`));

    // The dashboard's one-time token, used in the browser.
    const reply = await nextWith(900, 'Bảng điều khiển của bạn', () => boss.send('/dashboard'));
    const link = new URL(/https?:\S+\/dashboard\?token=[\w-]+/.exec(reply.text)![0]);
    const dashboardToken = link.searchParams.get('token')!;
    const opened = await fetch(`${h.app.listenUrl}/dashboard${link.search}`, { redirect: 'manual' });
    expect(opened.status).toBe(303);

    // Platform calls that fail: the replies (each holding the number) are refused by Telegram and Zalo.
    const cuc = h.telegram.user(303, 'Cúc');
    cuc.send('/start');
    await agreeOnTelegram(h.telegram, cuc);
    const before = h.telegram.calls.length;
    h.telegram.failNext(303, { error_code: 400, description: 'Bad Request: message is too long' });
    cuc.send('/phone 0966 123 456');
    h.zalo.failNext({ error_code: 400, description: 'Bad Request: message is too long' });
    zaloLan.send('em đổi số rồi: 0944-222-333');
    const failed = () =>
      h.telegram.calls
        .slice(before)
        .some((call) => call.method === 'sendMessage' && String(call.params.chat_id) === '303' && String(call.params.text).includes('0966'));
    await vi.waitFor(() => expect(failed()).toBe(true), { timeout: 15_000, interval: 100 });
    // The failure is logged (a warning or an error).
    const errors = () => logLines.filter((line) => /"level":50/.test(line)).length;
    await vi.waitFor(() => expect(errors()).toBeGreaterThanOrEqual(2), { timeout: 15_000, interval: 100 });

    const secrets = [h.telegram.token, h.zalo.token, memberToken, dashboardToken, ...freeTexts, 'đặt lịch'];
    // Lines to look at: the dashboard's requests and the failed sends at least.
    expect(logLines.filter((line) => /"level":50/.test(line)).length).toBeGreaterThanOrEqual(2);
    for (const line of logLines) {
      for (const secret of secrets) expect(line, `a log line holds "${secret}"`).not.toContain(secret);
      // Whatever separators a number was typed with.
      const digits = line.replace(/[\s.\-()+]/g, '');
      for (const phone of phones) expect(digits, `a log line holds the number ${phone}: ${line}`).not.toContain(phone);
    }
  });

  it('staff see a number masked but for its last digits, unless they looked the customer up by it (Telegram and Zalo)', async () => {
    const hoaCode = (await customer('telegram:301')).code;
    const lanCode = (await customer('zalo:z-lan')).code;
    const boss = h.telegram.user(900, 'Chủ tiệm');
    boss.send(`/find ${hoaCode}`);
    const byCode = await h.telegram.waitForText(900, 'SĐT: •••• ••• 678 (khách tự nhập, chưa xác minh)');
    expect(byCode.text).not.toMatch(/0912|345 678/);
    boss.send('/find 0912345678');
    await h.telegram.waitForText(900, 'SĐT: 0912 345 678 (khách tự nhập, chưa xác minh)');

    const zaloBoss = h.zalo.user('z-boss', 'Chủ Zalo');
    zaloBoss.send(`find ${lanCode}`);
    const zaloByCode = await h.zalo.waitForText('z-boss', 'SĐT: •••• ••• 222');
    expect(zaloByCode.text).not.toContain('0903');
    zaloBoss.send('find 0903 111 222');
    await h.zalo.waitForText('z-boss', 'SĐT: 0903 111 222');
  });

  it('a referrer hears of a friend by the given name only, and the stored messages hold no more', async () => {
    const referrer = h.telegram.user(401, 'Trần Văn Nam');
    referrer.send('/start');
    await agreeOnTelegram(h.telegram, referrer);
    const code = (await customer('telegram:401')).code;
    const friend = h.telegram.user(402, 'Nguyễn Thị Mai Anh');
    friend.send(`/start ${code}`);
    await agreeOnTelegram(h.telegram, friend);
    await h.telegram.waitForText(402, 'Bạn được Nam giới thiệu');
    const joined = await h.telegram.waitForText(401, 'vừa tham gia qua link của bạn');
    expect(joined.text).toContain('Anh vừa tham gia');
    h.telegram.user(900, 'Chủ tiệm').send(`/confirm ${(await customer('telegram:402')).code}`);
    // Staff identify the friend by the full name.
    await h.telegram.waitForText(900, 'Nguyễn Thị Mai Anh');
    const converted = await h.telegram.waitForText(401, 'vừa ghé');
    expect(converted.text).toContain('Anh vừa ghé');
    // A second code: the friend is told who referred them, by the given name.
    friend.send('/start ABCDEFGH');
    for (const message of h.telegram.messagesTo(401)) expect(message.text).not.toMatch(/Nguyễn|Mai Anh/);
    for (const message of h.telegram.messagesTo(402)) expect(message.text).not.toContain('Trần Văn');
    const stored = await h.app.models.Notification.find({ customerId: (await customer('telegram:401'))._id }).lean();
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(stored.map((n) => n.data as unknown))).not.toMatch(/Nguyễn|Mai Anh/);
  });
});
