import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../../support/consent.js';

/**
 * Injection-shaped and oversized input, as an attacker would type it: each gets a clear
 * reply in the person's language, and nothing in the database changes.
 */
describe('hostile input: odd payloads change nothing and get a clear reply', () => {
  const h = useTelegramApp('hostile-input', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const mallory = () => h.telegram.user(666, 'Mallory', 'en');
  // Under the per-person flood limit (5 messages in 3 s), so every message is answered.
  const pause = () => new Promise((r) => setTimeout(r, 650));

  /** What an attack could change: counts of the records that grant or record something. */
  async function snapshot() {
    const m = h.app.models;
    // Link opens wait in memory for their batch: written first, so the count is complete.
    await h.app.services.referrals.flushLinkOpens();
    const [referrals, visits, vouchers, points, linkOpens, staff] = await Promise.all([
      m.Referral.countDocuments(),
      m.Visit.countDocuments(),
      m.Voucher.countDocuments(),
      m.PointsEntry.countDocuments(),
      m.LinkOpen.countDocuments(),
      m.Customer.countDocuments({ role: { $in: ['staff', 'owner'] } }),
    ]);
    return { referrals, visits, vouchers, points, linkOpens, staff };
  }

  it('a newcomer starts normally, so later replies are in English', async () => {
    mallory().send('/start');
    await agreeOnTelegram(h.telegram, mallory());
    mallory().send('/lang en');
    await h.telegram.waitForText(666, 'Switched to English.');
    // The next tests send Mallory's payloads one after another: out of the flood window of the agreement.
    await new Promise((r) => setTimeout(r, 3100));
  });

  it('operator-shaped payloads are refused as unknown codes or wrong commands', async () => {
    const before = await snapshot();
    const cases: Array<[string, string | RegExp]> = [
      ['/start {"$gt":""}', 'That referral code does not exist'],
      ['/start {"$ne":null}', 'That referral code does not exist'],
      ['/confirm {"$gt":""}', /not allowed/i],
      ['/visit {"$where":"sleep(1000)"} 100k', /not allowed/i],
      ['/redeem {"$ne":null}', /not allowed/i],
      ['/find .*', /not allowed/i],
      ['/staff add {"$gt":""}', /not allowed/i],
      ['/flag confirm {"$gt":""}', /not allowed/i],
      ['/lang {"$gt":""}', 'That command is not quite right'],
    ];
    for (const [text, expected] of cases) {
      await pause();
      const seen = h.telegram.messagesTo(666).length;
      mallory().send(text);
      const replies = await h.telegram.waitForMessages(666, seen + 1);
      expect(replies[seen]!.text, text).toMatch(expected);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a 5,000-character message and control characters get one short reply, not an echo', async () => {
    const before = await snapshot();
    const long = 'A'.repeat(5000);
    for (const text of [long, `/start ${long}`, `/find ${long}`, '/start \u0000\u202eABC234\u200b', '\u0007\u001b[31m/help']) {
      await pause();
      const seen = h.telegram.messagesTo(666).length;
      mallory().send(text);
      const replies = await h.telegram.waitForMessages(666, seen + 1);
      const reply = replies[seen]!.text;
      expect(reply.length).toBeLessThan(1000);
      expect(reply).not.toContain('AAAAAAAAAA');
      expect(reply).not.toContain('\u0000');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a staff member typing operator-shaped lookups finds nobody and records nothing', async () => {
    const staff = h.telegram.user(901, 'Staff');
    staff.send('/start');
    await agreeOnTelegram(h.telegram, staff);
    // Four lookups follow in a row: out of the flood window of the agreement.
    await new Promise((r) => setTimeout(r, 3100));
    await h.app.models.Customer.updateOne(
      { code: (await h.app.services.customers.findByIdentity('telegram:901'))!.code },
      { $set: { role: 'staff' } },
    );
    const before = await snapshot();
    for (const text of ['/confirm {"$gt":""}', '/visit {"$ne":null} 200k', '/find {"$regex":".*"}', '/redeem {"$gt":""}']) {
      await pause();
      const seen = h.telegram.messagesTo(901).length;
      staff.send(text);
      const replies = await h.telegram.waitForMessages(901, seen + 1);
      expect(replies[seen]!.text, text).toMatch(/Không tìm thấy|Lệnh chưa đúng|không tồn tại/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('on Zalo, operator-shaped bare codes and stray numbers change nothing', async () => {
    const zed = h.zalo.user('z-mallory', 'Mallory');
    zed.send('Xin chào');
    await agreeOnZalo(h.zalo, zed);
    const before = await snapshot();
    for (const text of ['{"$gt":""}', 'start {"$ne":null}', '99', 'B'.repeat(5000)]) {
      await pause();
      const seen = h.zalo.messagesTo('z-mallory').length;
      zed.send(text);
      const replies = await h.zalo.waitForMessages('z-mallory', seen + 1);
      const reply = replies[seen]!.text;
      expect(reply.length, text).toBeLessThan(1000);
      expect(reply).not.toContain('BBBBBBBBBB');
    }
    expect(await snapshot()).toEqual(before);
  });
});
