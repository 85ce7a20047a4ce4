import type { Services } from '../../../src/services/index.js';
import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram, joinOnTelegram, joinOnZalo } from '../../support/consent.js';
import { readQr } from '../../support/qr.js';
import type { SentMessage } from '../../support/telegram-emulator.js';

/**
 * The counter card under attack: double taps, stale and foreign buttons, squatted phone
 * numbers, and someone who knows a customer's referral code or phone but not their member QR.
 * Each staff member below is an owner (OWNER_IDS) so that every step has its own flood budget.
 */
/** The name staff find for a code or phone, or undefined. */
async function nameFound(services: Services, query: string): Promise<string | undefined> {
  const found = await services.customers.lookup(query);
  return found.ok ? found.customer.name : undefined;
}

describe('hostile: the counter card, phone numbers and the member QR', () => {
  const h = useTelegramApp(
    'hostile-card',
    { OWNER_IDS: 'telegram:900,telegram:901,telegram:902,telegram:903,telegram:904,telegram:905,zalo:z-boss,zalo:z-boss2' },
    { zalo: true },
  );
  const user = (id: number, name: string) => h.telegram.user(id, name);
  const customer = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  const visitsOf = async (identity: string) => h.app.models.Visit.countDocuments({ customerId: (await customer(identity))._id });
  /** The next message to a chat after the ones it has now. */
  const nextMessage = async (chatId: number, send: () => void): Promise<SentMessage> => {
    const before = h.telegram.messagesTo(chatId).length;
    send();
    return (await h.telegram.waitForMessages(chatId, before + 1))[before]!;
  };
  const memberPayload = (qr: SentMessage) => new URL(readQr(qr.photo!)!).searchParams.get('start')!;

  it('a double tap on "record visit" records one visit, and the second tap says what was done', async () => {
    user(101, 'An').send('/start');
    await agreeOnTelegram(h.telegram, user(101, 'An'));
    const code = (await customer('telegram:101')).code;
    const boss = user(900, 'Chủ');
    boss.send(`/confirm ${code}`);
    await h.telegram.waitForText(900, 'Đã xác nhận lần ghé đầu tiên của An');

    const card = await nextMessage(900, () => boss.send(`/find ${code}`));
    const button = card.buttons.find((b) => b.text === 'Ghi nhận lần ghé')!;
    // The button carries a one-time reference, not the command, and fits Telegram's 64 bytes.
    expect(button.callback_data).not.toContain(code);
    expect(Buffer.byteLength(button.callback_data!)).toBeLessThanOrEqual(64);
    const pressesBefore = h.telegram.calls.filter((c) => c.method === 'answerCallbackQuery').length;
    boss.press('Ghi nhận lần ghé');
    boss.press('Ghi nhận lần ghé');
    const again = await h.telegram.waitForText(900, 'Đã thực hiện rồi');
    expect(again.text).toContain('Đã ghi nhận lần ghé của An: +100 điểm (tổng 200).');
    expect(await visitsOf('telegram:101')).toBe(2);
    expect(h.telegram.messagesTo(900).filter((m) => m.text.startsWith('Đã ghi nhận lần ghé của An'))).toHaveLength(1);
    expect((await customer('telegram:101')).points).toBe(200);
    // Each press is answered once.
    const answered = h.telegram.calls
      .filter((c) => c.method === 'answerCallbackQuery')
      .slice(pressesBefore)
      .map((c) => c.params.callback_query_id);
    expect(answered).toHaveLength(2);
    expect(new Set(answered).size).toBe(2);
  });

  it('a button pressed by someone it was not shown to does nothing, and still works for its owner', async () => {
    const code = (await customer('telegram:101')).code;
    const staff = user(903, 'Lan');
    const card = await nextMessage(903, () => staff.send(`/find ${code}`));
    const data = card.buttons.find((b) => b.text === 'Ghi nhận lần ghé')!.callback_data;
    // Another staff member replays the card's callback data from their own chat.
    h.telegram.push({
      callback_query: {
        id: 'foreign-press',
        from: { id: 901, is_bot: false, first_name: 'Mai' },
        chat_instance: '901',
        data,
        message: { message_id: card.messageId, date: Math.floor(Date.now() / 1000), chat: { id: 901, type: 'private' }, text: card.text },
      },
    });
    await h.telegram.waitForText(901, 'Nút này không còn dùng được.');
    expect(await visitsOf('telegram:101')).toBe(2);
    staff.press('Ghi nhận lần ghé');
    await h.telegram.waitForText(903, 'Đã ghi nhận lần ghé của An: +100 điểm (tổng 300).');
    expect(await visitsOf('telegram:101')).toBe(3);
  });

  it('a card opened by referral code or phone shows who it is, but no redeem button, voucher code or full phone', async () => {
    const an = user(101, 'An');
    an.shareContact('0901 234 567');
    await h.telegram.waitForText(101, 'Đã lưu số điện thoại 0901 234 567.');
    const anCode = (await customer('telegram:101')).code;
    user(102, 'Bình').send(`/start ${anCode}`);
    await agreeOnTelegram(h.telegram, user(102, 'Bình'));
    await h.telegram.waitForText(102, 'Bạn được An giới thiệu');
    const staff = user(902, 'Hà');
    const binhCode = (await customer('telegram:102')).code;
    const confirmed = await nextMessage(902, () => staff.send(`/confirm ${binhCode}`));
    expect(confirmed.text).toContain('Đã xác nhận lần ghé đầu tiên của Bình');
    const voucher = (await h.app.models.Voucher.findOne({ customerId: (await customer('telegram:101'))._id, cause: 'referral_referrer' }).lean())!;
    // The friend's voucher code is not shown to staff either.
    const friendVoucher = (await h.app.models.Voucher.findOne({ customerId: (await customer('telegram:102'))._id }).lean())!;
    expect(confirmed.text).not.toContain(friendVoucher.code);

    // Found by code, the number is masked but for its last digits; found by number, staff see the number they typed.
    for (const [query, shown] of [
      [anCode.toLowerCase(), 'SĐT: •••• ••• 567 (đã xác minh)'],
      ['0901234567', 'SĐT: 0901 234 567 (đã xác minh)'],
    ] as const) {
      const card = await nextMessage(902, () => staff.send(`/find ${query}`));
      expect(card.text).toContain('Khách hàng: An');
      expect(card.text).toContain(shown);
      expect(card.text).not.toContain('901234567');
      expect(card.text).not.toContain(voucher.code);
      expect(card.text).toContain('Voucher đang có: 1. Để dùng voucher');
      expect(card.buttons.map((b) => b.text)).toEqual(['Ghi nhận lần ghé']);
    }
  });

  it('the member QR opens a card with redeem buttons; a new QR makes the old one open nothing', async () => {
    const an = user(101, 'An');
    const anCode = (await customer('telegram:101')).code;
    an.send('/me');
    const payload = memberPayload(await h.telegram.waitForText(101, 'Mã QR thành viên'));
    expect(payload).toMatch(/^m_[A-Z2-9]{16}$/);
    expect(payload).not.toContain(anCode);

    const staff = user(904, 'Quỳnh');
    const card = await nextMessage(904, () => staff.send(`/start ${payload}`));
    expect(card.text).toContain('Voucher đang có: 1 (bấm nút bên dưới để dùng).');
    const redeem = card.buttons.find((b) => b.text.startsWith('Dùng voucher: Giảm 20%'))!;
    staff.press(redeem.text);
    const voucher = (await h.app.models.Voucher.findOne({ customerId: (await customer('telegram:101'))._id, cause: 'referral_referrer' }).lean())!;
    await h.telegram.waitForText(904, `Đã dùng voucher ${voucher.code} của An`);
    expect((await h.app.models.Voucher.findById(voucher._id).lean())?.status).toBe('redeemed');

    an.press('Tạo mã QR thành viên mới');
    const fresh = memberPayload(await h.telegram.waitForText(101, 'Mã QR thành viên mới'));
    expect(fresh).not.toBe(payload);
    const stale = await nextMessage(904, () => staff.send(`/start ${payload}`));
    expect(stale.text).toBe('Mã QR thành viên này không còn hiệu lực. Nhờ khách mở /me để lấy mã QR hiện tại.');
    expect(stale.buttons).toEqual([]);
    const current = await nextMessage(904, () => staff.send(`/start ${fresh}`));
    expect(current.text).toContain('Khách hàng: An');
  });

  it('a typed number never blocks its real owner, and the answer to it says nothing about anyone else', async () => {
    // Each of them agreed to the notice first (a number is kept only after that).
    await Promise.all(
      [user(103, 'Sơn'), user(104, 'Tâm'), user(105, 'Hùng'), user(106, 'Khánh'), user(107, 'Lộc')].map((person) =>
        joinOnTelegram(h.telegram, person),
      ),
    );
    const first = await nextMessage(103, () => user(103, 'Sơn').send('/phone 0912 345 678'));
    expect(first.text).toBe('Đã lưu số điện thoại 0912 345 678 (chưa xác minh). Để xác minh, bấm nút bên dưới để chia sẻ số điện thoại của bạn.');
    // A second typist of the same number gets exactly the same answer.
    const second = await nextMessage(104, () => user(104, 'Tâm').send('/phone 0912345678'));
    expect(second.text).toBe(first.text);

    user(105, 'Hùng').shareContact('+84 912 345 678');
    await h.telegram.waitForText(105, 'Đã lưu số điện thoại 0912 345 678.');
    for (const typist of [103, 104]) await h.telegram.waitForText(typist, 'Số điện thoại •••• ••• 678 đã được gỡ khỏi tài khoản của bạn');
    expect((await customer('telegram:103')).phone).toBeUndefined();
    const card = await nextMessage(905, () => user(905, 'Vy').send('/find 0912 345 678'));
    expect(card.text).toContain('Khách hàng: Hùng');
    expect(card.text).toContain('SĐT: 0912 345 678 (đã xác minh)');

    // Typing the owner's verified number still gets the same answer, and takes nothing.
    const later = await nextMessage(107, () => user(107, 'Lộc').send('/phone 0912345678'));
    expect(later.text).toBe(first.text);
    // Someone else's contact card is not a verification.
    const hungMessages = h.telegram.messagesTo(105).length;
    const foreign = await nextMessage(106, () =>
      h.telegram.push({
        message: {
          message_id: 9_106,
          date: Math.floor(Date.now() / 1000),
          chat: { id: 106, type: 'private', first_name: 'Khánh' },
          from: { id: 106, is_bot: false, first_name: 'Khánh', language_code: 'vi' },
          contact: { phone_number: '+84912345678', first_name: 'Hùng', user_id: 105 },
        },
      }),
    );
    expect(foreign.text).toBe(first.text);
    expect((await customer('telegram:106')).phoneVerified).toBe(false);
    expect(await nameFound(h.app.services, '0912345678')).toBe('Hùng');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.telegram.messagesTo(105)).toHaveLength(hungMessages);
    const history = await h.app.models.PhoneHistory.find({ phone: '+84912345678' }).lean();
    expect(history).toHaveLength(5);
    expect(history.filter((entry) => entry.verified)).toHaveLength(1);
  });

  it('Zalo: find CODE, then 1, then 1 records one visit, and the second 1 says it was done', async () => {
    const code = (await customer('telegram:101')).code;
    const before = await visitsOf('telegram:101');
    const boss = h.zalo.user('z-boss', 'Chủ Zalo');
    boss.send(`find ${code}`);
    const card = await h.zalo.waitForText('z-boss', 'Khách hàng: An');
    expect(card.text).toContain('1. Ghi nhận lần ghé');
    expect(card.text).not.toContain('Dùng voucher');
    boss.send('1');
    await h.zalo.waitForText('z-boss', 'Đã ghi nhận lần ghé của An');
    boss.send('1');
    await h.zalo.waitForText('z-boss', 'Đã thực hiện rồi');
    expect(await visitsOf('telegram:101')).toBe(before + 1);
  });

  it('Zalo: a numbered reply after 5 minutes does nothing and says the choice expired', async () => {
    const code = (await customer('telegram:101')).code;
    const before = await visitsOf('telegram:101');
    const boss = h.zalo.user('z-boss2', 'Chủ Zalo 2');
    boss.send(`find ${code}`);
    await h.zalo.waitForText('z-boss2', 'Khách hàng: An');
    // Five minutes pass (the stored expiry is moved instead of waiting).
    await h.app.models.ActionCard.updateMany({ identity: 'zalo:z-boss2' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    boss.send('1');
    await h.zalo.waitForText('z-boss2', 'Lựa chọn này đã hết hạn (chỉ dùng được trong 5 phút).');
    expect(await visitsOf('telegram:101')).toBe(before);
  });

  it('Zalo: the member QR page opens only with the current token, and a new QR replaces the old picture', async () => {
    const thu = h.zalo.user('z-thu', 'Thu');
    await joinOnZalo(h.zalo, thu);
    const qrOf = async (photoUrl: string) =>
      readQr(Buffer.from(await (await fetch(`${h.app.listenUrl}${new URL(photoUrl).pathname}`)).arrayBuffer()))!;
    thu.send('me');
    const first = await qrOf((await h.zalo.waitForText('z-thu', 'Mã QR thành viên')).photo!);
    expect(first).toMatch(new RegExp(`^${h.app.config.publicUrl}/m/[A-Z2-9]{16}$`));
    const code = (await customer('zalo:z-thu')).code;
    expect((await fetch(`${h.app.listenUrl}/m/${code}`)).status).toBe(404);
    expect((await fetch(`${h.app.listenUrl}${new URL(first).pathname}`)).status).toBe(200);

    thu.send('1');
    const fresh = await qrOf((await h.zalo.waitForText('z-thu', 'Mã QR thành viên mới')).photo!);
    expect(fresh).not.toBe(first);
    expect((await fetch(`${h.app.listenUrl}${new URL(first).pathname}`)).status).toBe(404);
    expect((await fetch(`${h.app.listenUrl}${new URL(fresh).pathname}`)).status).toBe(200);
    // The next /me shows the new QR, not the picture published for the old one.
    const before = h.zalo.messagesTo('z-thu').length;
    thu.send('me');
    const again = (await h.zalo.waitForMessages('z-thu', before + 2))[before + 1]!;
    expect(await qrOf(again.photo!)).toBe(fresh);
  });
});
