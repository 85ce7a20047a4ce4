import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };
import { useTelegramApp, type AppHarness } from '../../support/app.js';
import { agreeOnTelegram } from '../../support/consent.js';

/** The app's clock: real time moved by hand, starting just after an hour begins (join digests are per hour). */
function movableClock() {
  const hour = 3600_000;
  const clock = { offset: (Math.floor(Date.now() / hour) + 1) * hour + 60_000 - Date.now(), now: () => new Date(Date.now() + clock.offset) };
  return clock;
}

/**
 * Keeps one person's messages under the per-person flood limit (5 in 3 s, counted by the
 * platform's send time in whole seconds): the owner both confirms visits and reviews here.
 */
const lastSent = new Map<number, number>();
async function pace(id: number): Promise<void> {
  const wait = (lastSent.get(id) ?? 0) + 700 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  lastSent.set(id, Date.now());
}

function helpers(h: AppHarness) {
  const customer = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!;
  const codeOf = async (id: number) => (await customer(id)).code;
  /** A new person sends /start (with a referral code or not), agrees to the notice and gets their welcome. */
  const start = async (id: number, name: string, code?: string) => {
    const before = h.telegram.messagesTo(id).length;
    h.telegram.user(id, name).send(code ? `/start ${code}` : '/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(id, name), { since: before });
  };
  const makeStaff = async (ownerId: number, id: number, name: string) => {
    await start(id, name);
    h.telegram.user(ownerId, 'Chủ tiệm').send(`/staff add ${await codeOf(id)}`);
    await h.telegram.waitForText(ownerId, `Đã thêm ${(await customer(id)).name} làm nhân viên.`);
    await h.telegram.waitForText(id, 'Bạn đã được thêm làm nhân viên');
  };
  const confirm = async (staffId: number, friendId: number, amount = '300k') => {
    await pace(staffId);
    const before = h.telegram.messagesTo(staffId).length;
    h.telegram.user(staffId, 'staff').send(`/confirm ${await codeOf(friendId)} ${amount}`);
    return (await h.telegram.waitForMessages(staffId, before + 1)).at(-1)!;
  };
  return { customer, codeOf, start, makeStaff, confirm };
}

describe('hostile: referral fraud, join floods and phishing names', () => {
  const clock = movableClock();
  const h = useTelegramApp('hostile-fraud', { OWNER_IDS: 'telegram:900' }, { now: clock.now });
  const { customer, codeOf, start, makeStaff, confirm } = helpers(h);
  const owner = () => h.telegram.user(900, 'Chủ tiệm');

  it('flags a self-referral from a second account whose verified phone was on the referrer account', async () => {
    await start(900, 'Chủ tiệm');
    await makeStaff(900, 201, 'Lan');
    await makeStaff(900, 202, 'Tuấn');
    await start(301, 'Hoa');
    const hoa = await customer(301);
    await start(302, 'Hoa Hai', hoa.code);
    // Hoa's number moved to her second account. The customer service records every number
    // attached to an account in PhoneHistory (on another branch); seeded here directly.
    await h.app.models.PhoneHistory.create({ phone: '+84912000301', customerId: hoa._id, verified: true, at: clock.now() });
    h.telegram.user(302, 'Hoa Hai').shareContact('84912000301');
    await h.telegram.waitForText(302, '0912 000 301');
    const second = await customer(302);
    await h.app.models.PhoneHistory.updateOne(
      { phone: '+84912000301', customerId: second._id },
      { $set: { verified: true, at: clock.now() } },
      { upsert: true },
    );

    expect((await confirm(201, 302)).text).toContain('Khách được Hoa giới thiệu');
    const flag = await h.app.models.FraudFlag.findOne({ rule: 'same_phone_as_referrer' }).lean();
    expect(flag).toMatchObject({ status: 'open', customerId: second._id });
    // The flag keeps the number masked, as the review shows it.
    expect(flag?.details).toMatchObject({ referrerId: String(hoa._id), friendId: String(second._id), phone: '•••• ••• 301' });

    await pace(900);

    owner().send('/flags');
    const review = await h.telegram.waitForText(900, 'từng thuộc tài khoản của người giới thiệu');
    expect(review.text).toContain(`Người giới thiệu: Hoa (${hoa.code}) → người được giới thiệu: Hoa Hai (${second.code})`);
    expect(review.text).toContain('(•••• ••• 301)');
  });

  it('flags one staff member confirming three friends of one referrer within minutes', async () => {
    await start(311, 'Mai');
    const mai = await customer(311);
    for (const id of [312, 313, 314]) await start(id, `Bạn ${id}`, mai.code);
    await confirm(201, 312);
    await confirm(201, 313);
    expect(await h.app.models.FraudFlag.countDocuments({ rule: 'same_staff_burst' })).toBe(0);
    await confirm(201, 314);
    const flags = await h.app.models.FraudFlag.find({ rule: 'same_staff_burst' }).lean();
    // Every friend of the burst is on the review, so confirming them reverses each.
    expect(flags).toHaveLength(3);
    expect(flags[0]?.details).toMatchObject({ referrerId: String(mai._id), staffId: String((await customer(201))._id), friends: 3, minutes: 30 });
    await pace(900);
    owner().send('/flags');
    const review = await h.telegram.waitForText(900, /Lan \(\w+\) đã xác nhận 3 người bạn của người giới thiệu này trong vòng 30 phút/);
    expect(review.text).toContain(`Người giới thiệu: Mai (${mai.code})`);
  });

  it('flags the sixth friend of one referrer converted within a week', async () => {
    await start(321, 'Cúc');
    const cuc = await customer(321);
    const friends = [322, 323, 324, 325, 326, 327];
    for (const id of friends) await start(id, `Bạn ${id}`, cuc.code);
    // Two each, by three people: no burst, only the weekly count.
    for (const [i, id] of friends.entries()) await confirm([201, 202, 900][i % 3]!, id);
    // The owner's chat also receives notices, so the last reply seen may not be the last confirmation's.
    const replies = () =>
      [201, 202, 900]
        .map((id) =>
          h.telegram
            .messagesTo(id)
            .slice(-4)
            .map((m) => m.text.split('\n')[0])
            .join(' | '),
        )
        .join(' || ');
    await vi.waitFor(
      async () => expect(await h.app.models.Referral.countDocuments({ referrerId: cuc._id, status: 'converted' }), replies()).toBe(6),
      { timeout: 15_000 },
    );
    const flags = await h.app.models.FraudFlag.find({ rule: 'many_conversions_in_a_week' }).lean();
    expect(flags.map((f) => String(f.customerId))).toEqual([String((await customer(327))._id)]);
    expect(flags[0]?.details).toMatchObject({ friends: 6, limit: 5, referrerId: String(cuc._id) });
    expect(await h.app.models.FraudFlag.countDocuments({ rule: 'same_staff_burst', 'details.referrerId': String(cuc._id) })).toBe(0);
  });

  it('the owner confirms a flag: vouchers cancelled, points reversed, both told once, audited; a double confirm does it once', async () => {
    const hoa = await customer(301);
    const second = await customer(302);
    const flag = await h.app.models.FraudFlag.findOne({ rule: 'same_phone_as_referrer' }).lean();
    const pointsBefore = hoa.points;
    const tierBefore = hoa.tier;
    const before = h.telegram.messagesTo(900).length;
    await pace(900);
    owner().send(`/flag confirm ${String(flag!._id)}`);
    await pace(900);
    owner().send(`/flag confirm ${String(flag!._id)}`);
    const done =
      'Đã ghi nhận là gian lận. Đã hủy 2 voucher (đã dùng trước đó: 0). Đã trừ lại 50 điểm của người giới thiệu. Những người liên quan đã được thông báo.';
    const already = 'Không tìm thấy cảnh báo này, hoặc nó đã được xử lý.';
    await h.telegram.waitForText(900, done);
    await h.telegram.waitForText(900, already);
    const replies = h.telegram
      .messagesTo(900)
      .slice(before)
      .map((m) => m.text);
    expect(replies.filter((text) => text === done)).toHaveLength(1);
    expect(replies.filter((text) => text === already)).toHaveLength(1);

    const referralId = (flag!.details as { referralId: string }).referralId;
    const vouchers = await h.app.models.Voucher.find({
      causeKey: { $in: [`referral:${referralId}:friend`, `referral:${referralId}:referrer`] },
    }).lean();
    expect(vouchers.map((v) => v.status)).toEqual(['cancelled', 'cancelled']);
    const after = await customer(301);
    expect(after.points).toBe(pointsBefore - 50);
    expect(after.tier).toBe(tierBefore);
    expect(await h.app.models.PointsEntry.countDocuments({ cause: 'reversal' })).toBe(1);
    expect((await h.app.models.Referral.findOne({ friendId: second._id }).lean())?.status).toBe('revoked');
    expect((await h.app.models.FraudFlag.findById(flag!._id).lean())?.status).toBe('confirmed');
    expect(await h.app.models.AuditLog.countDocuments({ action: 'resolve_flag', outcome: 'confirmed' })).toBe(1);

    const toReferrer = await h.telegram.waitForText(301, 'đã thu hồi phần thưởng giới thiệu cho Hoa Hai');
    expect(toReferrer.text).toContain(vouchers.find((v) => v.customerId.equals(hoa._id))!.code);
    expect(toReferrer.text).toContain('đã trừ lại 50 điểm');
    await h.telegram.waitForText(302, 'đã thu hồi ưu đãi chào mừng bạn nhận qua lời mời của Hoa');
    // The staff member at the counter is refused the cancelled voucher.
    const friendVoucher = vouchers.find((v) => v.customerId.equals(second._id))!;
    h.telegram.user(202, 'Tuấn').send(`/redeem ${friendVoucher.code}`);
    await h.telegram.waitForText(202, 'đã bị hủy');
    expect(h.telegram.messagesTo(301).filter((m) => m.text.includes('thu hồi'))).toHaveLength(1);
    expect(h.telegram.messagesTo(302).filter((m) => m.text.includes('thu hồi'))).toHaveLength(1);
  });

  it('dismissing a flag changes nothing', async () => {
    const flag = await h.app.models.FraudFlag.findOne({ rule: 'many_conversions_in_a_week' }).lean();
    await pace(900);
    owner().send(`/flag dismiss ${String(flag!._id)}`);
    await h.telegram.waitForText(900, 'Đã bỏ qua cảnh báo.');
    const referral = await h.app.models.Referral.findById((flag!.details as { referralId: string }).referralId).lean();
    expect(referral?.status).toBe('converted');
    expect(await h.app.models.Voucher.countDocuments({ causeKey: new RegExp(`^referral:${String(referral!._id)}`), status: 'active' })).toBe(2);
  });

  it('a name with a link reaches the referrer and the landing page cleaned', async () => {
    await start(340, 'Hùng');
    h.telegram.user(341, 'Win 1tr: http://evil.example').send(`/start ${await codeOf(340)}`);
    await agreeOnTelegram(h.telegram, h.telegram.user(341, 'Win 1tr: http://evil.example'));
    const notice = await h.telegram.waitForText(340, 'vừa tham gia qua link của bạn');
    expect(notice.text).toBe('👋 Win 1tr vừa tham gia qua link của bạn. Khi họ ghé lần đầu, bạn sẽ nhận thưởng.');
    expect((await customer(341)).name).toBe('Win 1tr');

    await start(342, 'evil.example/win Hoa <script>');
    expect((await customer(342)).name).toBe('Hoa');
    h.telegram.user(343, 'Khách').send(`/start ${await codeOf(342)}`);
    await agreeOnTelegram(h.telegram, h.telegram.user(343, 'Khách'));
    const welcome = await h.telegram.waitForText(343, 'giới thiệu đến');
    expect(welcome.text).toContain('Bạn được Hoa giới thiệu');
    const page = await (await fetch(`${h.app.listenUrl}/r/${await codeOf(342)}`)).text();
    expect(page).toContain('Hoa mời bạn');
    expect(page).not.toMatch(/evil|<script|&lt;script/);
  });

  it('a farm of 30 joins gives the referrer one message, then one digest with the count', async () => {
    await start(350, 'Vân');
    const code = await codeOf(350);
    const farm = Array.from({ length: 30 }, (_, i) => 5000 + i);
    for (const id of farm) h.telegram.user(id, `Farm ${id}`).send(`/start ${code}`);
    await Promise.all(farm.map((id) => agreeOnTelegram(h.telegram, h.telegram.user(id, `Farm ${id}`))));
    for (const id of farm) await h.telegram.waitForText(id, 'Bạn được Vân giới thiệu');
    expect(await h.app.models.Referral.countDocuments({ referrerId: (await customer(350))._id })).toBe(30);
    await h.telegram.waitForText(350, 'vừa tham gia qua link của bạn');
    // The digest is due when the hour ends, not before.
    const digest = await h.app.models.Notification.findOne({ type: 'friends_joined_digest', customerId: (await customer(350))._id }).lean();
    expect(digest?.status).toBe('pending');
    await h.app.services.scheduled.recordReminders();
    expect(h.telegram.messagesTo(350).filter((m) => m.text.includes('tham gia qua link'))).toHaveLength(1);

    clock.offset += 3600_000;
    const summary = await h.telegram.waitForText(350, 'Thêm bạn bè đã tham gia qua link của bạn trong một giờ qua: 29 người');
    expect(summary).toBeDefined();
    await expect.poll(async () => (await h.app.models.Notification.findById(digest!._id).lean())?.status).toBe('sent');
    expect(h.telegram.messagesTo(350).filter((m) => m.text.includes('tham gia qua link'))).toHaveLength(2);
  });
});

describe('hostile: a minimum first-visit amount holds the referral rewards', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'program-'));
  const programFile = path.join(dir, 'program.json');
  writeFileSync(programFile, JSON.stringify({ ...defaultProgram, fraud: { ...defaultProgram.fraud, minFirstVisitAmount: 200000 } }));
  const h = useTelegramApp('hostile-fraud-min', { OWNER_IDS: 'telegram:900', PROGRAM_CONFIG: programFile });
  const { customer, codeOf, start, makeStaff, confirm } = helpers(h);

  it('a first visit below the minimum converts nothing; a qualifying later visit releases the rewards once', async () => {
    await start(900, 'Chủ tiệm');
    await makeStaff(900, 201, 'Lan');
    await start(401, 'An');
    await start(402, 'Bảo', await codeOf(401));
    const bao = await customer(402);

    const held = await confirm(201, 402, '150k');
    expect(held.text).toContain('Đã xác nhận lần ghé đầu tiên của Bảo');
    expect(held.text).toContain('Phần thưởng giới thiệu đang chờ: lần ghé đầu cần từ 200.000');
    expect(held.text).toContain('(lần này: 150.000');
    expect((await h.app.models.Referral.findOne({ friendId: bao._id }).lean())?.status).toBe('joined');
    expect(await h.app.models.Voucher.countDocuments({})).toBe(0);

    const lan = h.telegram.user(201, 'Lan');
    let before = h.telegram.messagesTo(201).length;
    lan.send(`/visit ${bao.code} 250k`);
    const released = (await h.telegram.waitForMessages(201, before + 1)).at(-1)!;
    expect(released.text).toContain('Khách được An giới thiệu');
    await h.telegram.waitForText(401, 'vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu');
    await h.telegram.waitForText(402, 'Ưu đãi lần đầu của bạn');

    before = h.telegram.messagesTo(201).length;
    lan.send(`/visit ${bao.code} 300k`);
    const later = (await h.telegram.waitForMessages(201, before + 1)).at(-1)!;
    expect(later.text).not.toContain('giới thiệu');
    expect(await h.app.models.Voucher.countDocuments({})).toBe(2);
    expect(await h.app.models.PointsEntry.countDocuments({ cause: 'referral' })).toBe(1);
    expect(h.telegram.messagesTo(401).filter((m) => m.text.includes('lần đầu nhờ bạn giới thiệu'))).toHaveLength(1);

    // No amount at all holds it too, and says so.
    await start(403, 'Chi', await codeOf(401));
    expect((await confirm(201, 403, '')).text).toContain('(lần này: chưa nhập số tiền)');
  });
});
