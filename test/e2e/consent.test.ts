import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../support/consent.js';
import { programFile, publishRules } from '../support/program-file.js';

const business = { name: 'Salon Mai', address: '12 Lý Tự Trọng, Quận 1', phone: '028 3822 1234', email: 'hello@salonmai.vn' };

describe('Notice and consent on first contact', () => {
  const h = useTelegramApp('consent', { PROGRAM_CONFIG: programFile((p) => Object.assign(p.business, business)) }, { zalo: true });
  const an = () => h.telegram.user(101, 'Trần Văn An');
  const mai = () => h.telegram.user(102, 'Lê Thị Mai');
  const hoa = () => h.zalo.user('z-hoa', 'Hoa');
  const khoa = () => h.zalo.user('z-khoa', 'Khoa');
  const find = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  const consents = async (identity: string, kind: 'program' | 'marketing') =>
    h.app.models.Consent.find({ customerId: (await find(identity))._id, kind })
      .sort({ at: 1 })
      .lean();

  it('Telegram: the first /start gets the short notice with the shop, the retention, the rights and the full page, and two buttons', async () => {
    an().send('/start');
    const notice = await h.telegram.waitForText(101, 'Dữ liệu cá nhân của bạn tại Salon Mai');
    expect(notice.text).toContain('12 Lý Tự Trọng, Quận 1 · 028 3822 1234 · hello@salonmai.vn');
    expect(notice.text).toContain('số điện thoại và ngày sinh');
    expect(notice.text).toContain('sau 180 ngày, nhật ký thao tác sau 730 ngày');
    expect(notice.text).toContain('/mydata');
    expect(notice.text).toContain('/delete');
    expect(notice.text).toContain(`${h.app.config.publicUrl}/privacy`);
    expect(notice.text).toContain('Phiên bản thông báo: 1');
    expect(notice.buttons.map((b) => b.text)).toEqual(['Đồng ý', 'Không đồng ý']);
    // Nothing but the chat identity and the language before agreeing.
    const customer = await find('telegram:101');
    expect(customer.name).toBe('');
    expect((await h.app.models.ChannelIdentity.findOne({ identity: 'telegram:101' }).lean())!.displayName).toBe('');
    expect(customer.consentVersion).toBeUndefined();
    expect(await h.app.models.Consent.countDocuments({})).toBe(0);
  });

  it('Telegram: agreeing keeps the name, records version and time once, and asks about offers (default no)', async () => {
    const [welcome, ask, answer] = await agreeOnTelegram(h.telegram, an(), { offers: false });
    expect(welcome!.text).toContain('Chào mừng bạn đến với chương trình giới thiệu của Salon Mai');
    expect(ask!.buttons.map((b) => b.text)).toEqual(['Có, gửi ưu đãi cho tôi', 'Không, cảm ơn']);
    expect(answer!.text).toContain('Bạn sẽ không nhận tin ưu đãi.');
    expect(answer!.buttons.map((b) => b.text)).toEqual(['Tiếng Việt', 'English']);
    const customer = await find('telegram:101');
    expect(customer).toMatchObject({ name: 'Trần Văn An', consentVersion: '1', marketingConsent: false });
    expect(customer.consentAt).toBeInstanceOf(Date);
    expect((await h.app.models.ChannelIdentity.findOne({ identity: 'telegram:101' }).lean())!.displayName).toBe('Trần Văn An');
    // The agree button pressed again does nothing more.
    an().press('Đồng ý');
    await h.telegram.waitForText(101, 'Đã thực hiện rồi');
    expect(await consents('telegram:101', 'program')).toMatchObject([{ given: true, version: '1', via: 'telegram' }]);
    expect(await consents('telegram:101', 'marketing')).toMatchObject([{ given: false, version: '1' }]);
  });

  it('Telegram: a friend from a deep link is held at the notice, then attributed once at agreement without opening the link again', async () => {
    const code = (await find('telegram:101')).code;
    mai().send(`/start ${code}`);
    await h.telegram.waitForText(102, 'Dữ liệu cá nhân của bạn tại Salon Mai');
    mai().send('/me');
    mai().shareContact('+84912345678');
    await h.telegram.waitForMessages(102, 3);
    expect(h.telegram.messagesTo(102).every((m) => m.text.startsWith('🔒 Dữ liệu cá nhân'))).toBe(true);
    await h.app.services.referrals.flushLinkOpens();
    expect(await h.app.models.LinkOpen.countDocuments({ code })).toBe(1);
    const held = await find('telegram:102');
    expect(held).toMatchObject({ name: '', pendingReferralCode: code, points: 0 });
    expect(held.phone).toBeUndefined();
    expect(await h.app.models.Referral.countDocuments({ friendId: held._id })).toBe(0);

    const brought = await agreeOnTelegram(h.telegram, mai(), { offers: true });
    expect(brought[0]!.text).toContain('Bạn được An giới thiệu đến Salon Mai!');
    await h.telegram.waitForText(101, 'Mai vừa tham gia qua link của bạn');
    const friend = await find('telegram:102');
    expect(friend).toMatchObject({ name: 'Lê Thị Mai', marketingConsent: true });
    expect(friend.pendingReferralCode).toBeUndefined();
    expect(await h.app.models.Referral.find({ referrerId: (await find('telegram:101'))._id }).lean()).toMatchObject([{ friendId: friend._id }]);
    await h.app.services.referrals.flushLinkOpens();
    expect(await h.app.models.LinkOpen.countDocuments({ code })).toBe(1);
  });

  it('Telegram: /privacy shows what was agreed and when, the offers choice with a button to change it, and the rights', async () => {
    // An sent four messages just before: wait out the per-person flood window (five messages in three seconds).
    await new Promise((r) => setTimeout(r, 3100));
    an().send('/privacy');
    const privacy = await h.telegram.waitForText(101, 'Bạn đã đồng ý với thông báo phiên bản 1 lúc');
    expect(privacy.text).toContain('Tin ưu đãi: không nhận.');
    expect(privacy.text).toContain(`${h.app.config.publicUrl}/privacy`);
    expect(privacy.text).toContain('/mydata');
    expect(privacy.buttons.map((b) => b.text)).toEqual(['Nhận tin ưu đãi']);
    an().press('Nhận tin ưu đãi');
    await h.telegram.waitForText(101, 'Bạn sẽ nhận tin ưu đãi. Gửi /stop để tắt.');
    expect((await find('telegram:101')).marketingConsent).toBe(true);
  });

  it('Telegram: /stop turns offers off and says how to turn them on; /start again turns them back on and says so', async () => {
    an().send('/stop');
    await h.telegram.waitForText(101, 'Đã tắt tin ưu đãi. Bạn vẫn nhận tin về điểm và voucher của mình. Gửi /start để bật lại.');
    expect((await find('telegram:101')).marketingConsent).toBe(false);
    an().send('/start');
    await h.telegram.waitForText(101, 'Đã bật lại tin ưu đãi.');
    expect((await find('telegram:101')).marketingConsent).toBe(true);
    // A plain /start later is the usual answer, not another change.
    const before = h.telegram.messagesTo(101).length;
    an().send('/start');
    await h.telegram.waitForMessages(101, before + 1);
    expect(h.telegram.messagesTo(101).at(-1)!.text).not.toContain('Đã bật lại');
    expect((await consents('telegram:101', 'marketing')).map((c) => c.given)).toEqual([false, true, false, true]);
  });

  it('Telegram: declining keeps nothing beyond the chat account and says how to agree later or delete even that', async () => {
    const chi = h.telegram.user(103, 'Chi');
    chi.send('Xin chào');
    await h.telegram.waitForText(103, 'Dữ liệu cá nhân của bạn');
    chi.press('Không đồng ý');
    const declined = await h.telegram.waitForText(103, 'Đã ghi nhận: bạn không đồng ý.');
    expect(declined.text).toContain('không lưu gì ngoài tài khoản chat');
    expect(declined.text).toContain('/start');
    expect(declined.text).toContain('/delete');
    const customer = await find('telegram:103');
    expect(customer).toMatchObject({ name: '' });
    expect(customer.consentVersion).toBeUndefined();
    expect(await consents('telegram:103', 'program')).toMatchObject([{ given: false, version: '1' }]);
    chi.send('/me');
    await h.telegram.waitForMessages(103, 3);
    expect(h.telegram.messagesTo(103).at(-1)!.text).toContain('Dữ liệu cá nhân của bạn');
  });

  it('Zalo: a bare code first gets the numbered notice; nothing is kept until "1", then the friend is attributed once', async () => {
    hoa().send('Xin chào');
    await agreeOnZalo(h.zalo, hoa());
    const code = (await find('zalo:z-hoa')).code;
    khoa().send(code);
    const notice = await h.zalo.waitForText('z-khoa', 'Dữ liệu cá nhân của bạn tại Salon Mai');
    expect(notice.text).toContain('1. Đồng ý\n2. Không đồng ý');
    khoa().send('me');
    khoa().send('/phone 0912345678');
    await h.zalo.waitForMessages('z-khoa', 3);
    const held = await find('zalo:z-khoa');
    expect(held).toMatchObject({ name: '', pendingReferralCode: code });
    expect(held.phone).toBeUndefined();
    expect(await h.app.models.Referral.countDocuments({ friendId: held._id })).toBe(0);

    const brought = await agreeOnZalo(h.zalo, khoa());
    expect(brought[0]!.text).toContain('Bạn được Hoa giới thiệu đến Salon Mai!');
    await h.zalo.waitForText('z-hoa', 'Khoa vừa tham gia qua link của bạn');
    expect(await h.app.models.Referral.countDocuments({ referrerId: (await find('zalo:z-hoa'))._id })).toBe(1);
    expect(await consents('zalo:z-khoa', 'program')).toMatchObject([{ given: true, version: '1', via: 'zalo' }]);
    expect((await find('zalo:z-khoa')).name).toBe('Khoa');
  });

  it('Zalo: declining by number, /privacy with a numbered offers choice, stop and start again', async () => {
    const tu = h.zalo.user('z-tu', 'Tú');
    tu.send('start');
    await h.zalo.waitForText('z-tu', 'Dữ liệu cá nhân của bạn');
    tu.send('2');
    await h.zalo.waitForText('z-tu', 'Đã ghi nhận: bạn không đồng ý.');
    expect((await find('zalo:z-tu')).name).toBe('');

    hoa().send('privacy');
    const privacy = await h.zalo.waitForText('z-hoa', 'Bạn đã đồng ý với thông báo phiên bản 1');
    expect(privacy.text).toContain('1. Nhận tin ưu đãi');
    hoa().send('1');
    await h.zalo.waitForText('z-hoa', 'Bạn sẽ nhận tin ưu đãi.');
    hoa().send('stop');
    await h.zalo.waitForText('z-hoa', 'Đã tắt tin ưu đãi.');
    expect((await find('zalo:z-hoa')).marketingConsent).toBe(false);
    // Hoa sent four messages just before: wait out the per-person flood window (five in three seconds).
    await new Promise((r) => setTimeout(r, 3100));
    hoa().send('start');
    await h.zalo.waitForText('z-hoa', 'Đã bật lại tin ưu đãi.');
    expect((await find('zalo:z-hoa')).marketingConsent).toBe(true);
  });

  it('a new notice version asks everyone again on their next message; agreeing records the new version', async () => {
    // The owner publishes a new notice version in the back office's rules (a saved version is in force at once).
    const owner = await h.app.models.Customer.create({ code: 'OWNRCNS', locale: 'vi', role: 'owner' });
    await publishRules(h, owner._id, (rules) => ({ ...rules, privacy: { ...rules.privacy, noticeVersion: '2026-12' } }), 'thông báo mới');
    const since = h.telegram.messagesTo(101).length;
    an().send('/me');
    const notice = await h.telegram.waitForText(101, 'Phiên bản thông báo: 2026-12');
    expect(h.telegram.messagesTo(101).indexOf(notice)).toBe(since);
    const [thanks] = await agreeOnTelegram(h.telegram, an(), { since, asked: false });
    expect(thanks!.text).toBe('Cảm ơn bạn đã đồng ý với thông báo phiên bản 2026-12.');
    an().send('/me');
    await h.telegram.waitForText(101, 'Điểm tích lũy: 0');
    expect((await consents('telegram:101', 'program')).map((c) => c.version)).toEqual(['1', '2026-12']);

    const zaloSince = h.zalo.messagesTo('z-hoa').length;
    hoa().send('link');
    await agreeOnZalo(h.zalo, hoa(), { since: zaloSince, asked: false });
    expect((await find('zalo:z-hoa')).consentVersion).toBe('2026-12');
  });

  it('an existing customer who declines a new version is told what stays and pointed to /delete', async () => {
    const since = h.telegram.messagesTo(102).length;
    mai().send('/rewards');
    await h.telegram.waitForMessages(102, since + 1);
    mai().press('Không đồng ý');
    const declined = await h.telegram.waitForText(102, 'bạn không đồng ý với thông báo mới');
    expect(declined.text).toContain('/delete');
    expect((await find('telegram:102')).consentVersion).toBe('1');
  });
});
