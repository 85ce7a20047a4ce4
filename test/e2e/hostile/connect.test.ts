import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram, agreeOnZalo, joinOnTelegram, joinOnZalo } from '../../support/consent.js';

/**
 * Linking Telegram and Zalo into one account, played as an attacker would try it: a code
 * seen over someone's shoulder, a code used in the wrong app, a double tap, a late answer.
 */
describe('hostile: linking apps (/connect)', () => {
  const h = useTelegramApp('hostile-connect', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const owner = () => h.telegram.user(900, 'Chủ');
  const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

  /** Who owns which chat, and every account's code, role and points: what an attack would change. */
  async function accounts() {
    const identities = await h.app.models.ChannelIdentity.find({}, { identity: 1, customerId: 1 }).sort({ identity: 1 }).lean();
    const customers = await h.app.models.Customer.find({}, { code: 1, role: 1, points: 1 }).sort({ code: 1 }).lean();
    return {
      identities: identities.map((i) => `${i.identity} -> ${String(i.customerId)}`),
      customers: customers.map((c) => `${String(c._id)} ${c.code} ${c.role} ${c.points}`),
    };
  }
  const customerOf = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  const textsTo = (chatId: number) => h.telegram.messagesTo(chatId).map((m) => m.text);

  /** The first message containing `part` that the bot sends to this Zalo chat after `text`. */
  async function zaloReply(id: string, name: string, text: string, part = 'Ứng dụng đã liên kết với tài khoản của bạn') {
    const seen = h.zalo.messagesTo(id).length;
    h.zalo.user(id, name).send(text);
    for (let count = seen + 1; ; count++) {
      const found = (await h.zalo.waitForMessages(id, count)).slice(seen).find((m) => m.text.includes(part));
      if (found) return found;
    }
  }
  const codeIn = (text: string) => /\/connect ([A-Z2-9]{8})/.exec(text)![1]!;
  /** A new Zalo chat asks for a link code; returns it. */
  const zaloCode = async (id: string, name: string) => codeIn((await zaloReply(id, name, 'connect')).text);

  it("the owner's /connect hands out nothing another account could use, and the owner keeps the role alone", async () => {
    owner().send('/start');
    await agreeOnTelegram(h.telegram, owner(), { offers: false });
    // The whole answer to /start (its last part asks for the language) before /connect.
    await h.telegram.waitForText(900, 'Bạn muốn dùng ngôn ngữ nào');
    const before = await accounts();
    const seen = h.telegram.messagesTo(900).length;
    owner().send('/connect');
    const reply = (await h.telegram.waitForMessages(900, seen + 1))[seen]!;
    // The attack: whatever code the owner's screen shows (or a guess), sent from another account.
    const shoulderSurfed = /\/connect ([A-Z2-9]{8})/.exec(reply.text)?.[1] ?? 'ABCD2345';
    await joinOnTelegram(h.telegram, h.telegram.user(666, 'Kẻ gian'));
    await joinOnZalo(h.zalo, h.zalo.user('z-666', 'Kẻ gian'));
    const seenBy = { telegram: h.telegram.messagesTo(666).length, zalo: h.zalo.messagesTo('z-666').length };
    h.telegram.user(666, 'Kẻ gian').send(`/connect ${shoulderSurfed}`);
    await h.telegram.waitForMessages(666, seenBy.telegram + 1);
    h.zalo.user('z-666', 'Kẻ gian').send(`connect ${shoulderSurfed}`);
    await h.zalo.waitForMessages('z-666', seenBy.zalo + 1);
    await settle();

    expect((await customerOf('telegram:666')).role).toBe('customer');
    expect((await customerOf('zalo:z-666')).role).toBe('customer');
    expect(await h.app.models.Customer.find({ role: 'owner' }).lean()).toHaveLength(1);
    expect((await accounts()).identities).toEqual(expect.arrayContaining(before.identities));
    expect(reply.text).toContain('• Telegram: Chủ (chat này)');
    expect(reply.text).toContain('Để liên kết Zalo: gửi /connect cho bot trên Zalo');
    expect(await h.app.models.Setting.countDocuments({ key: /^link_code:/ })).toBe(0);
    expect(textsTo(666)).toContain('Mã liên kết không đúng, đã dùng hoặc đã hết hạn. Gửi /connect ở ứng dụng mới để lấy mã mới.');
  });

  it('a code is refused when sent from the app it was made in, and nothing changes', async () => {
    const newcomer = h.telegram.user(501, 'Mới');
    await joinOnTelegram(h.telegram, newcomer);
    newcomer.send('/connect');
    const reply = await h.telegram.waitForText(501, 'Ứng dụng đã liên kết với tài khoản của bạn');
    const code = codeIn(reply.text);
    const other = h.telegram.user(502, 'Khác');
    await joinOnTelegram(h.telegram, other);
    const before = await accounts();

    other.send(`/connect ${code}`);
    await h.telegram.waitForText(502, 'Mã này được tạo trên Telegram, nên chỉ dùng được khi gửi từ ứng dụng còn lại. Không có gì thay đổi.');
    expect(await accounts()).toEqual(before);
    // Rolled up with the person's other refused attempts, so repeating it cannot flood the audit view.
    expect(await h.app.models.AuditLog.exists({ kind: 'refused', actorIdentity: 'telegram:502', 'actions.connect_code': { $gte: 1 } })).toBeTruthy();
    expect(await h.app.models.AuditLog.exists({ kind: 'action', action: 'connect_code', outcome: 'same_app' })).toBeNull();
  });

  it('a code made before its account became staff is refused once it is staff', async () => {
    const lan = h.telegram.user(310, 'Lan');
    await joinOnTelegram(h.telegram, lan);
    lan.send('/connect');
    const reply = await h.telegram.waitForText(310, 'Ứng dụng đã liên kết với tài khoản của bạn');
    const code = codeIn(reply.text);
    owner().send(`/staff add ${(await customerOf('telegram:310')).code}`);
    await h.telegram.waitForText(900, 'Đã thêm Lan làm nhân viên.');
    const attacker = h.zalo.user('z-310', 'Lan giả');
    attacker.send('xin chào');
    await agreeOnZalo(h.zalo, attacker);
    const before = await accounts();

    attacker.send(`connect ${code}`);
    await h.zalo.waitForText('z-310', 'Tài khoản tạo mã này đã có lịch sử riêng');
    expect(await accounts()).toEqual(before);
    expect((await customerOf('zalo:z-310')).role).toBe('customer');
  });

  it('links Zalo to a Telegram account only after its yes; both sides told once; a second press says already done', async () => {
    const quan = h.telegram.user(401, 'Quân');
    await joinOnTelegram(h.telegram, quan);
    const original = await customerOf('telegram:401');
    await h.app.models.Customer.updateOne({ _id: original._id }, { $set: { points: 120 } });
    h.zalo.user('z-quan', 'Quân Zalo').send('xin chào');
    await agreeOnZalo(h.zalo, h.zalo.user('z-quan', 'Quân Zalo'));
    const code = await zaloCode('z-quan', 'Quân Zalo');
    const before = await accounts();

    quan.send(`/connect ${code}`);
    const question = await h.telegram.waitForText(401, 'Liên kết người dùng Zalo Quân Zalo với tài khoản của bạn?');
    expect(question.buttons.map((b) => b.text)).toEqual(['Có', 'Không']);
    expect(await accounts()).toEqual(before);

    quan.press('Có');
    quan.press('Có');
    await h.telegram.waitForText(401, 'Đã liên kết! Zalo (Quân Zalo) giờ dùng chung tài khoản của bạn (120 điểm).');
    // The card's buttons act once: the second press says what the first one did.
    await h.telegram.waitForText(401, /^Đã thực hiện rồi \(lúc .*\): Đã liên kết! Zalo \(Quân Zalo\)/);
    await h.zalo.waitForText('z-quan', 'Đã liên kết! Chat này giờ dùng chung tài khoản Telegram của Quân');
    await settle();
    expect(textsTo(401).filter((t) => t.startsWith('Đã liên kết!'))).toHaveLength(1);
    expect(h.zalo.messagesTo('z-quan').filter((m) => m.text.startsWith('Đã liên kết!'))).toHaveLength(1);

    expect(String((await customerOf('zalo:z-quan'))._id)).toBe(String(original._id));
    expect(await h.app.models.Customer.countDocuments({ name: 'Quân Zalo' })).toBe(0);
    const audit = await h.app.models.AuditLog.find({ action: 'connect_link' }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'linked', actorIdentity: 'telegram:401', details: { app: 'zalo', accountApp: 'telegram' } });
    h.zalo.user('z-quan', 'Quân Zalo').send('me');
    await h.zalo.waitForText('z-quan', 'Điểm tích lũy: 120');

    // The used code does nothing more, from anyone.
    await joinOnTelegram(h.telegram, h.telegram.user(403, 'Người khác'));
    h.telegram.user(403, 'Người khác').send(`/connect ${code}`);
    await h.telegram.waitForText(403, 'Mã liên kết không đúng, đã dùng hoặc đã hết hạn.');
  });

  it('an original account on Zalo confirms with a numbered reply', async () => {
    const newcomer = h.telegram.user(420, 'Vy Tele');
    await joinOnTelegram(h.telegram, newcomer);
    newcomer.send('/connect');
    const reply = await h.telegram.waitForText(420, 'Ứng dụng đã liên kết với tài khoản của bạn');
    const code = codeIn(reply.text);
    const vy = h.zalo.user('z-vy', 'Vy');
    await joinOnZalo(h.zalo, vy);
    vy.send(`connect ${code}`);
    const question = await h.zalo.waitForText('z-vy', 'Liên kết người dùng Telegram Vy Tele với tài khoản của bạn?');
    expect(question.text).toContain('1. Có\n2. Không');
    vy.send('1');
    await h.zalo.waitForText('z-vy', 'Đã liên kết! Telegram (Vy Tele) giờ dùng chung tài khoản của bạn (0 điểm).');
    await h.telegram.waitForText(420, 'Đã liên kết! Chat này giờ dùng chung tài khoản Zalo của Vy');
    expect(String((await customerOf('telegram:420'))._id)).toBe(String((await customerOf('zalo:z-vy'))._id));
  });

  it('"no" changes nothing, and both sides are told', async () => {
    await joinOnZalo(h.zalo, h.zalo.user('z-no', 'Người lạ'));
    const code = await zaloCode('z-no', 'Người lạ');
    const hanh = h.telegram.user(430, 'Hạnh');
    await joinOnTelegram(h.telegram, hanh);
    const before = await accounts();
    hanh.send(`/connect ${code}`);
    await h.telegram.waitForText(430, 'Liên kết người dùng Zalo Người lạ với tài khoản của bạn?');
    hanh.press('Không');
    await h.telegram.waitForText(430, 'Đã từ chối. Không có gì thay đổi.');
    await h.zalo.waitForText('z-no', 'Yêu cầu liên kết chat này với tài khoản Telegram đã bị từ chối. Không có gì thay đổi.');
    expect(await accounts()).toEqual(before);
    expect(await h.app.models.AuditLog.exists({ action: 'connect_link', outcome: 'declined', actorIdentity: 'telegram:430' })).toBeTruthy();
    hanh.press('Có');
    await h.telegram.waitForText(430, /^Đã thực hiện rồi \(lúc .*\): Đã từ chối\. Không có gì thay đổi\./);
    expect(await accounts()).toEqual(before);
  });

  it('an expired code and an expired question are refused', async () => {
    const mai = h.telegram.user(440, 'Mai');
    await joinOnTelegram(h.telegram, mai);
    await joinOnZalo(h.zalo, h.zalo.user('z-late', 'Mai Zalo'));
    const past = new Date(Date.now() - 1000);

    const late = await zaloCode('z-late', 'Mai Zalo');
    await h.app.models.Setting.updateOne({ key: `link_code:${late}` }, { $set: { expiresAt: past } });
    const before = await accounts();
    mai.send(`/connect ${late}`);
    await h.telegram.waitForText(440, 'Mã liên kết không đúng, đã dùng hoặc đã hết hạn.');

    const code = await zaloCode('z-late', 'Mai Zalo');
    mai.send(`/connect ${code}`);
    await h.telegram.waitForText(440, 'Liên kết người dùng Zalo Mai Zalo với tài khoản của bạn?');
    await h.app.models.LinkRequest.updateMany({ customerId: (await customerOf('telegram:440'))._id }, { $set: { expiresAt: past } });
    mai.press('Có');
    await h.telegram.waitForText(440, 'Yêu cầu đã hết hạn, không có gì thay đổi.');
    expect(await accounts()).toEqual(before);
  });

  it('/connect alone lists the linked apps; unlinking another app is confirmed, acts once, and both sides are told', async () => {
    const quan = h.telegram.user(401, 'Quân');
    const original = await customerOf('telegram:401');
    const fromZalo = await zaloReply('z-quan', 'Quân Zalo', 'connect');
    expect(fromZalo.text).toContain('• Telegram: Quân\n• Zalo: Quân Zalo (chat này)');
    expect(fromZalo.text).toContain('1. Hủy liên kết Telegram (Quân)');
    expect(fromZalo.text).not.toMatch(/\/connect [A-Z2-9]{8}/);

    quan.send('/connect');
    const list = await h.telegram.waitForText(401, '• Telegram: Quân (chat này)\n• Zalo: Quân Zalo');
    expect(list.buttons.map((b) => b.text)).toEqual(['Hủy liên kết Zalo (Quân Zalo)']);

    const own = await h.app.models.ChannelIdentity.findOne({ identity: 'telegram:401' }).lean();
    quan.send(`/connect unlink ${String(own!._id)}`);
    await h.telegram.waitForText(401, 'Không thể hủy liên kết chat bạn đang dùng.');

    quan.press('Hủy liên kết Zalo (Quân Zalo)');
    await h.telegram.waitForText(401, 'Hủy liên kết Zalo (Quân Zalo) khỏi tài khoản của bạn?');
    expect(String((await customerOf('zalo:z-quan'))._id)).toBe(String(original._id));
    quan.press('Có');
    quan.press('Có');
    await h.telegram.waitForText(401, 'Đã hủy liên kết Zalo (Quân Zalo). Chat đó giờ có tài khoản riêng.');
    await h.telegram.waitForText(401, /^Đã thực hiện rồi \(lúc .*\): Đã hủy liên kết Zalo/);
    await h.zalo.waitForText('z-quan', 'Chat này đã được hủy liên kết khỏi tài khoản Telegram. Giờ đây chat có tài khoản mới riêng.');
    await settle();
    expect(h.zalo.messagesTo('z-quan').filter((m) => m.text.startsWith('Chat này đã được hủy liên kết'))).toHaveLength(1);

    const separate = await customerOf('zalo:z-quan');
    expect(String(separate._id)).not.toBe(String(original._id));
    expect(separate.code).not.toBe(original.code);
    // A new record: nameless until its person agrees to the notice.
    expect(separate).toMatchObject({ points: 0, role: 'customer', name: '' });
    expect((await customerOf('telegram:401')).points).toBe(120);
    expect(await h.app.models.ChannelIdentity.countDocuments({ customerId: original._id })).toBe(1);
    expect(await h.app.models.AuditLog.countDocuments({ action: 'connect_unlink', outcome: 'unlinked' })).toBe(1);
    // The chat's new account is a new record: it asks for the agreement again before anything else.
    const since = h.zalo.messagesTo('z-quan').length;
    h.zalo.user('z-quan', 'Quân Zalo').send('me');
    await agreeOnZalo(h.zalo, h.zalo.user('z-quan', 'Quân Zalo'), { since });
    h.zalo.user('z-quan', 'Quân Zalo').send('me');
    await h.zalo.waitForText('z-quan', 'Điểm tích lũy: 0');
  });
});
