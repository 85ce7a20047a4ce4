import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram, joinOnTelegram } from '../../support/consent.js';

const NOT_ALLOWED = 'Bạn không có quyền dùng lệnh này.';

describe('hostile: taking a role', () => {
  // Started without OWNER_IDS, as on a fresh install: the banner prints a setup code.
  const h = useTelegramApp('hostile-roles');
  const customerOf = (id: number) => h.app.services.customers.findByIdentity(`telegram:${id}`);
  /** A person's refused attempts, summed over their rolled-up rows (a test may straddle the turn of an hour). */
  const refused = async (id: number) => {
    const rows = await h.app.models.AuditLog.find({ kind: 'refused', actorId: (await customerOf(id))!._id }).lean();
    const actions: Record<string, number> = {};
    for (const row of rows) {
      for (const [action, n] of Object.entries(row.actions as Record<string, number>)) actions[action] = (actions[action] ?? 0) + n;
    }
    return { count: rows.reduce((sum, row) => sum + (row.count ?? 0), 0), actions, outcomes: rows.map((row) => row.outcome) };
  };

  // The restart (a stop that lets running work finish, then a start) needs more than a chat test's usual time.
  it('the setup code printed before OWNER_IDS was set makes nobody the owner after the restart', async () => {
    const printed = h.app.ownerSetupCode;
    expect(printed).toMatch(/^[A-HJ-KM-NP-Z2-9]{8}$/);

    await h.restart({ OWNER_IDS: 'telegram:900,telegram:901' });
    // OWNER_IDS names an owner: nothing is printed.
    expect(h.app.ownerSetupCode).toBeUndefined();

    const attacker = h.telegram.user(500, 'Kẻ lạ');
    attacker.send(`/start ${printed!}`);
    await h.telegram.waitForText(500, 'Mã cài đặt chủ cửa hàng này không còn dùng được: cửa hàng đã có chủ.');
    expect((await customerOf(500))?.role).toBe('customer');
    expect(await h.app.models.Customer.countDocuments({ role: 'owner' })).toBe(2);
    expect(await refused(500)).toEqual({ count: 1, actions: { claim_ownership: 1 }, outcomes: ['not_allowed'] });
    expect(await h.app.models.AuditLog.countDocuments({ action: 'claim_ownership', kind: 'action' })).toBe(0);
  }, 90_000);

  it('every owner and staff read is refused to a customer in the chat, and rolled up in the audit log', async () => {
    const customer = h.telegram.user(510, 'Tò mò');
    const owner = h.telegram.user(900, 'Chủ tiệm');
    owner.send('/start');
    await h.telegram.waitForMessages(900, 1);
    const ownerCode = (await customerOf(900))!.code;
    // Five commands: the per-person flood limit lets exactly these through.
    const commands = [`/find ${ownerCode}`, '/stats', '/summary', '/staff', '/flags'];
    for (const [i, command] of commands.entries()) {
      customer.send(command);
      const replies = await h.telegram.waitForMessages(510, i + 1);
      expect(replies.at(-1)!.text).toBe(NOT_ALLOWED);
    }
    expect(await refused(510)).toMatchObject({
      count: 5,
      actions: { open_card: 1, stats: 1, summary: 1, staff_list: 1, flags: 1 },
    });
    // No owner data leaked into any reply.
    expect(
      h.telegram
        .messagesTo(510)
        .map((m) => m.text)
        .join('\n'),
    ).not.toContain(ownerCode);
  });

  it('a staff invite dies when the owner who issued it is no longer an owner', async () => {
    const issuer = h.telegram.user(901, 'Chủ cũ');
    issuer.send('/staff invite');
    const reply = await h.telegram.waitForText(901, 'Gửi link này cho nhân viên mới');
    const payload = /start=(s_[A-Z0-9]{10})/.exec(reply.text)?.[1];
    expect(payload).toBeDefined();
    // The shop takes the role away (here: the record changed directly, as an operator would).
    await h.app.models.Customer.updateOne({ _id: (await customerOf(901))!._id }, { $set: { role: 'customer' } });

    h.telegram.user(520, 'Người được mời').send(`/start ${payload!}`);
    await h.telegram.waitForText(520, 'Lời mời làm nhân viên này không còn dùng được: người gửi không còn là chủ cửa hàng.');
    expect((await customerOf(520))?.role).toBe('customer');
    expect(await refused(520)).toMatchObject({ count: 1, actions: { staff_invite_accept: 1 } });
    expect(await h.app.models.Notification.countDocuments({ type: 'staff_joined' })).toBe(0);
  });

  it('refused commands from a customer do not push the staff actions off the audit view', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    h.telegram.user(530, 'Lan').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(530, 'Lan'));
    owner.send(`/staff add ${(await customerOf(530))!.code}`);
    await h.telegram.waitForText(900, 'Đã thêm Lan làm nhân viên.');

    const pest = h.telegram.user(531, 'Phá đám');
    // Agreed to the notice, so the audit view can name them; then the flood window passes.
    await joinOnTelegram(h.telegram, pest);
    await new Promise((r) => setTimeout(r, 3100));
    const seen = h.telegram.messagesTo(531).length;
    for (let i = 1; i <= 5; i++) {
      pest.send('/staff remove ABCDEF');
      await h.telegram.waitForMessages(531, seen + i);
    }
    // What the audit view lists: the latest actions, and the refusals apart (one row per person and hour).
    const actions = await h.app.models.AuditLog.find({ kind: { $ne: 'refused' } })
      .sort({ at: -1 })
      .limit(30)
      .lean();
    expect(actions.map((a) => `${a.action}:${a.outcome}`)).toContain('staff_add:changed');
    expect(actions.some((a) => a.outcome === 'not_allowed')).toBe(false);
    const pestRows = await h.app.models.AuditLog.find({ kind: 'refused', actorId: (await customerOf(531))!._id }).lean();
    expect(pestRows.length).toBeLessThanOrEqual(2);
    expect(pestRows.reduce((sum, r) => sum + (r.count ?? 1), 0)).toBe(5);
    expect(await refused(531)).toMatchObject({ count: 5, actions: { staff_remove: 5 } });
  });
});
