import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram } from '../../support/consent.js';

/**
 * Attacks on erasure: staff erasing themselves or others, a forged, someone else's or stale
 * confirmation, a double press, and the back-office form posted without an owner's session or
 * without its CSRF value. Each must erase nobody (or exactly once).
 */
describe('hostile erasure', () => {
  const h = useTelegramApp('hostile-erasure', { OWNER_IDS: 'telegram:900' });
  const owner = () => h.telegram.user(900, 'Chủ tiệm');
  const customerOf = (identity: string) => h.app.services.customers.findByIdentity(identity);
  const erasures = () => h.app.models.Customer.countDocuments({ erasure: 'done' });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1000));
  const url = (path: string) => `${h.app.listenUrl}${path}`;
  const next = async (chatId: number, act: () => void) => {
    const before = h.telegram.messagesTo(chatId).length;
    act();
    return (await h.telegram.waitForMessages(chatId, before + 1))[before]!;
  };
  /** The token behind the latest confirmation shown to `customerId` (what only their card carries). */
  const ticketOf = async (customerId: unknown) => {
    const ticket = await h.app.models.Setting.findOne({ key: /^erase_confirm:/, value: String(customerId) })
      .sort({ createdAt: -1 })
      .lean();
    return ticket!.key.slice('erase_confirm:'.length);
  };

  it('staff cannot erase themselves (removed from staff first) nor erase anybody else', async () => {
    owner().send('/start');
    await agreeOnTelegram(h.telegram, owner());
    const thu = h.telegram.user(501, 'Thu');
    thu.send('/start');
    await agreeOnTelegram(h.telegram, thu);
    owner().send(`/staff add ${(await customerOf('telegram:501'))!.code}`);
    await h.telegram.waitForText(900, 'Thu');
    await h.telegram.waitForText(501, 'Bạn đã được thêm làm nhân viên');
    await pause();
    const refused = await next(501, () => thu.send('/delete'));
    expect(refused.text).toBe(
      'Bạn đang là nhân viên của cửa hàng. Hãy nhờ chủ cửa hàng xóa bạn khỏi danh sách nhân viên trước, rồi gửi lại /delete.',
    );
    expect(refused.buttons).toEqual([]);
    expect(await h.app.models.Setting.countDocuments({ key: /^erase_confirm:/ })).toBe(0);
    const staff = (await customerOf('telegram:501'))!;
    const { customer: victim } = await h.app.services.customers.join({ identity: 'telegram:502', chatId: '502', displayName: 'Vân', locale: 'vi' });
    expect(await h.app.services.erasure.erase({ customerId: staff._id, identity: 'telegram:501' }, victim._id, 'x')).toEqual({
      ok: false,
      reason: 'not_allowed',
    });
    // The only owner cannot erase themselves either.
    const last = await next(900, () => owner().send('/delete'));
    expect(last.text).toContain('Bạn là chủ cửa hàng duy nhất');
    expect(await erasures()).toBe(0);
  });

  it("a typed, someone else's or expired confirmation erases nobody", async () => {
    const an = h.telegram.user(601, 'An');
    const binh = h.telegram.user(602, 'Bình');
    an.send('/start');
    binh.send('/start');
    await agreeOnTelegram(h.telegram, an);
    await agreeOnTelegram(h.telegram, binh);
    await pause();
    await next(601, () => an.send('/delete'));
    const anToken = await ticketOf((await customerOf('telegram:601'))!._id);
    // Bình types An's confirmation, and a made-up one: neither works.
    expect((await next(602, () => binh.send(`/delete yes ${anToken}`))).text).toContain('Xác nhận này không còn hiệu lực');
    expect((await next(602, () => binh.send('/delete yes AAAAAAAAAAAAAAAA'))).text).toContain('Xác nhận này không còn hiệu lực');
    // An's own, typed after it expired.
    await h.app.models.Setting.updateOne({ key: `erase_confirm:${anToken}` }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await pause();
    expect((await next(601, () => an.press('Xóa vĩnh viễn'))).text).toContain('Xác nhận này không còn hiệu lực');
    expect(await customerOf('telegram:601')).toMatchObject({ name: 'An' });
    expect(await customerOf('telegram:602')).toMatchObject({ name: 'Bình' });
    expect(await erasures()).toBe(0);
  });

  it('a double press erases once and is audited once', async () => {
    const cuc = h.telegram.user(701, 'Cúc');
    cuc.send('/start');
    await agreeOnTelegram(h.telegram, cuc);
    // Agreeing cost a press: wait out the flood window (five messages in three seconds) so both presses arrive.
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    await next(701, () => cuc.send('/delete'));
    const person = (await customerOf('telegram:701'))!;
    cuc.press('Xóa vĩnh viễn');
    cuc.press('Xóa vĩnh viễn');
    await h.telegram.waitForText(701, 'Dữ liệu của bạn tại Salon Mai đã được xóa');
    await h.telegram.waitForMessages(701, h.telegram.messagesTo(701).length + 1).catch(() => undefined);
    const answers = h.telegram.messagesTo(701).filter((m) => m.text.includes('đã được xóa'));
    expect(answers).toHaveLength(1);
    expect(await h.app.models.AuditLog.countDocuments({ action: 'erase_customer', targetId: person._id })).toBe(1);
    expect(await erasures()).toBe(1);
  });

  it('the back-office form needs an owner session and its CSRF value', async () => {
    const joined = await h.app.services.customers.join({ identity: 'telegram:801', chatId: '801', displayName: 'Dung', locale: 'vi' });
    // As in the chat: the name is kept once the person agrees to the notice.
    await h.app.services.consent.agree(joined.actor, joined.customer, h.app.program.privacy.noticeVersion, 'Dung');
    const victim = joined.customer;
    const form = (fields: Record<string, string>) =>
      new URLSearchParams({ lang: 'vi', reason: 'khách yêu cầu', customerId: String(victim._id), ...fields });
    const post = (path: string, body: URLSearchParams | string, cookie?: string) =>
      fetch(url(path), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
        body,
      });
    const before = await erasures();

    // Nobody signed in, and a made-up session.
    expect((await post('/dashboard/erase/confirm', form({ csrf: 'x' }))).status).toBe(403);
    expect((await post('/dashboard/erase', form({ csrf: 'x', query: victim.code }))).status).toBe(403);
    expect((await post('/dashboard/erase/confirm', form({ csrf: 'x' }), `dashboard_session=${'a'.repeat(43)}`)).status).toBe(403);

    // The owner's session, but no or a wrong CSRF value, or an injection-shaped one.
    await pause();
    const reply = await next(900, () => owner().send('/dashboard'));
    const link = new URL(/http\S+\/dashboard\?token=[\w-]+/.exec(reply.text)![0]);
    const opened = await fetch(url(link.pathname + link.search), { redirect: 'manual' });
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    // The erase form is on the customer's page.
    const html = await (await fetch(url(`/dashboard/customers/${victim.code}`), { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([\w-]+)"/.exec(html)![1]!;
    expect((await post('/dashboard/erase/confirm', form({}), cookie)).status).toBe(403);
    expect((await post('/dashboard/erase/confirm', form({ csrf: `${csrf}x` }), cookie)).status).toBe(403);
    expect((await post('/dashboard/erase/confirm', `csrf[$ne]=x&customerId=${String(victim._id)}&reason=r`, cookie)).status).toBe(403);
    // With the right value: not the owner themselves, nor a malformed id.
    const ownerRecord = (await customerOf('telegram:900'))!;
    expect(await (await post('/dashboard/erase/confirm', form({ csrf, customerId: String(ownerRecord._id) }), cookie)).text()).toContain(
      'Không thể xóa dữ liệu của chủ cửa hàng tại đây.',
    );
    expect(await (await post('/dashboard/erase/confirm', form({ csrf, customerId: '{"$ne":null}' }), cookie)).text()).toContain('Không có khách nào');
    expect(await (await post('/dashboard/erase/confirm', form({ csrf, reason: ' ' }), cookie)).text()).toContain('Vui lòng nhập lý do.');
    expect(await erasures()).toBe(before);
    expect(await customerOf('telegram:801')).toMatchObject({ name: 'Dung' });

    // The owner loses the role: the session no longer erases.
    await h.app.models.Customer.updateOne({ _id: ownerRecord._id }, { $set: { role: 'customer' } });
    expect((await post('/dashboard/erase/confirm', form({ csrf }), cookie)).status).toBe(403);
    await h.app.models.Customer.updateOne({ _id: ownerRecord._id }, { $set: { role: 'owner' } });
    const done = await post('/dashboard/erase/confirm', form({ csrf }), cookie);
    expect(done.status).toBe(303);
    expect(await erasures()).toBe(before + 1);
    // Posted again (a reload): nothing more happens.
    expect((await post('/dashboard/erase/confirm', form({ csrf }), cookie)).status).toBe(303);
    expect(await h.app.models.AuditLog.countDocuments({ action: 'erase_customer', targetId: victim._id })).toBe(1);
  });
});
