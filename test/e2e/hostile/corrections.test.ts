import { describe, expect, it } from 'vitest';
import { useTelegramApp, type AppHarness } from '../../support/app.js';
import { agreeOnTelegram, joinOnZalo } from '../../support/consent.js';

/** One person's messages stay under the per-person flood limit (5 in 3 s). */
const lastSent = new Map<string, number>();
async function pace(who: string | number): Promise<void> {
  const wait = (lastSent.get(String(who)) ?? 0) + 700 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  lastSent.set(String(who), Date.now());
}

function telegram(h: AppHarness) {
  const customer = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!;
  /** Sends a message and returns the next one the sender receives. */
  const say = async (id: number, text: string) => {
    await pace(id);
    const before = h.telegram.messagesTo(id).length;
    h.telegram.user(id, `u${id}`).send(text);
    return (await h.telegram.waitForMessages(id, before + 1)).at(-1)!.text;
  };
  /** A new person's /start (a referral code or not) and their agreement to the notice. */
  const join = async (id: number, text: string) => {
    await pace(id);
    const before = h.telegram.messagesTo(id).length;
    h.telegram.user(id, `u${id}`).send(text);
    await agreeOnTelegram(h.telegram, h.telegram.user(id, `u${id}`), { since: before });
  };
  return { customer, say, join };
}

describe('hostile: corrections by staff and the owner (Telegram and Zalo)', () => {
  const h = useTelegramApp('hostile-corrections', { OWNER_IDS: 'telegram:900,zalo:z-owner' }, { zalo: true });
  const { customer, say, join } = telegram(h);

  it('staff undo a referred first visit: both people told once, the referral waits again; a second undo changes nothing', async () => {
    await join(900, '/start');
    await join(201, '/start');
    await say(900, `/staff add ${(await customer(201)).code}`);
    await h.telegram.waitForText(201, 'Bạn đã được thêm làm nhân viên');
    await join(301, '/start');
    const hoa = await customer(301);
    await join(302, `/start ${hoa.code}`);
    const friend = await customer(302);
    await h.telegram.waitForText(301, 'vừa tham gia');

    const confirmed = await say(201, `/confirm ${friend.code} 300k`);
    expect(confirmed).toContain('Hạng: chưa có hạng');
    await h.telegram.waitForText(302, 'Ưu đãi lần đầu của bạn');
    await h.telegram.waitForText(301, 'ghé Salon Mai lần đầu nhờ bạn giới thiệu');
    const [friendBefore, hoaBefore] = [h.telegram.messagesTo(302).length, h.telegram.messagesTo(301).length];
    const friendVoucher = (await h.app.models.Voucher.findOne({ customerId: friend._id }).lean())!;

    const undone = await say(201, '/undo nhầm khách');
    expect(undone).toContain(`Đã hoàn tác lần ghé đầu tiên của ${friend.name}`);
    expect(undone).toContain('trừ lại 130 điểm');
    expect(undone).toContain('đã hủy 2 voucher chưa dùng');
    const told = await h.telegram.waitForText(302, 'đã hoàn tác lần ghé ngày');
    expect(told.text).toContain(`trừ lại 130 điểm và voucher ${friendVoucher.code} không còn dùng được`);
    expect(told.text).toContain('Điểm hiện tại của bạn: 0');
    await h.telegram.waitForText(301, 'phần thưởng giới thiệu sẽ chờ đến lần ghé đầu thật sự');

    expect(await say(201, '/undo')).toContain('Lần ghé gần nhất đã được hoàn tác rồi');
    expect(await say(201, `/undo ${friend.code}`)).toContain('Chỉ chủ tiệm mới hoàn tác được');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.telegram.messagesTo(302)).toHaveLength(friendBefore + 1);
    expect(h.telegram.messagesTo(301)).toHaveLength(hoaBefore + 1);
    expect(await h.app.models.Referral.findOne({ friendId: friend._id }).lean()).toMatchObject({ status: 'joined' });
    expect(await customer(302)).toMatchObject({ points: 0, visitCount: 0 });
    expect((await customer(301)).points).toBe(0);
    expect(await h.app.models.Voucher.countDocuments({ status: 'active', customerId: { $in: [friend._id, hoa._id] } })).toBe(0);
    // The friend's real first visit converts the referral again.
    expect(await say(201, `/confirm ${friend.code} 300k`)).toContain(`Khách được ${hoa.name} giới thiệu`);
  });

  it('a customer typing the correction commands is refused and audited, nothing changed', async () => {
    const friend = await customer(302);
    const pointsBefore = friend.points;
    for (const text of ['/undo', `/points ${friend.code} +500 tặng`, '/cancel ABCDEFGH hết']) {
      expect(await say(301, text)).toBe('Bạn không có quyền dùng lệnh này.');
    }
    const hoa = await customer(301);
    const refused = await h.app.models.AuditLog.findOne({ kind: 'refused', actorId: hoa._id }).lean();
    expect(refused?.actions).toMatchObject({ undo_visit: 1, adjust_points: 1, cancel_voucher: 1 });
    expect((await customer(302)).points).toBe(pointsBefore);
  });

  it('the owner adjusts points and cancels a voucher with a reason; bad input changes nothing', async () => {
    const friend = await customer(302);
    const before = friend.points;
    const seen = h.telegram.messagesTo(302).length;
    expect(await say(900, `/points ${friend.code} +0 thử`)).toBe('Số điểm phải khác 0.');
    expect(await say(900, `/points ${friend.code} +200000 thử`)).toContain('tối đa 100000 điểm');
    expect(await say(900, `/points ${friend.code} -${before + 1} thử`)).toContain(`khách chỉ có ${before} điểm`);
    expect(await say(900, `/points ${friend.code} +5x thử`)).toContain('Số điểm chưa đúng');
    expect(await say(900, `/points ${friend.code} +50`)).toBe('Vui lòng ghi kèm lý do, khách sẽ được báo lý do này.');
    expect(await say(900, `/points ${friend.code} 50 thử`)).toContain('Lệnh chưa đúng. Cách dùng: /points');
    expect(await say(900, '/points ZZZZZZ +50 thử')).toBe('Không tìm thấy khách hàng với mã hoặc số điện thoại này.');
    expect((await customer(302)).points).toBe(before);
    expect(await h.app.models.PointsEntry.countDocuments({ cause: 'adjustment' })).toBe(0);

    const added = await say(900, `/points ${friend.code} +50 bù lần ghé bị sót`);
    expect(added).toContain(`Đã cộng 50 điểm cho ${friend.name}.`);
    expect(added).toContain(`Điểm hiện tại: ${before + 50}`);
    const told = await h.telegram.waitForText(302, 'đã cộng 50 điểm cho bạn');
    expect(told.text).toContain('Lý do: bù lần ghé bị sót');

    const voucher = (await h.app.models.Voucher.findOne({ customerId: friend._id, status: 'active' }).lean())!;
    expect(await say(900, `/cancel ${voucher.code}`)).toBe('Vui lòng ghi kèm lý do, khách sẽ được báo lý do này.');
    expect(await say(900, '/cancel ZZZZZZZZ tặng nhầm')).toBe('Không tìm thấy voucher này.');
    expect(await say(900, `/cancel ${voucher.code} tặng nhầm`)).toContain(`Đã hủy voucher ${voucher.code}`);
    expect(await say(900, `/cancel ${voucher.code} tặng nhầm`)).toBe('Voucher này đã bị hủy.');
    const cancelled = await h.telegram.waitForText(302, `đã hủy voucher ${voucher.code}`);
    expect(cancelled.text).toContain('Lý do: tặng nhầm');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.telegram.messagesTo(302)).toHaveLength(seen + 2);
    expect(await h.app.models.AuditLog.countDocuments({ action: 'adjust_points', outcome: 'adjusted' })).toBe(1);
    expect(await h.app.models.AuditLog.countDocuments({ action: 'cancel_voucher', outcome: 'voucher_cancelled' })).toBe(1);
  });

  it('on Zalo the owner undoes a customer’s visit and adjusts points with the same words, without a slash', async () => {
    const zalo = async (id: string, text: string) => {
      await pace(id);
      const before = h.zalo.messagesTo(id).length;
      h.zalo.user(id, id === 'z-owner' ? 'Chủ Zalo' : 'Lan Zalo').send(text);
      return (await h.zalo.waitForMessages(id, before + 1)).at(-1)!.text;
    };
    await zalo('z-owner', 'help');
    await joinOnZalo(h.zalo, h.zalo.user('z-lan', 'Lan Zalo'));
    const lan = (await h.app.services.customers.findByIdentity('zalo:z-lan'))!;
    expect(await zalo('z-owner', `visit ${lan.code}`)).toContain('Hạng: chưa có hạng');
    // The visit's one message (its receipt) before counting what the corrections send.
    await h.zalo.waitForText('z-lan', 'Cảm ơn bạn đã ghé');
    const seen = h.zalo.messagesTo('z-lan').length;

    expect(await zalo('z-owner', `undo ${lan.code} nhầm khách`)).toContain(`Đã hoàn tác lần ghé đầu tiên của ${lan.name}`);
    await h.zalo.waitForText('z-lan', 'đã hoàn tác lần ghé ngày');
    expect(await zalo('z-owner', `undo ${lan.code}`)).toContain('đã được hoàn tác rồi');
    expect(await zalo('z-owner', `points ${lan.code} +250 khách quen`)).toContain('vừa lên hạng Thành viên');
    const told = await h.zalo.waitForText('z-lan', 'đã cộng 250 điểm cho bạn');
    expect(told.text).toContain('Thành viên');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.zalo.messagesTo('z-lan')).toHaveLength(seen + 2);
    expect(await h.app.services.customers.findByIdentity('zalo:z-lan')).toMatchObject({ points: 250, tier: 'member', visitCount: 0 });
    // The visit reply shows the tier's perk, so staff apply it at the counter.
    expect(await zalo('z-owner', `visit ${lan.code}`)).toContain('Hạng: Thành viên (Ưu tiên đặt lịch)');
  });
});
