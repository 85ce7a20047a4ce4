import type { CommandStartedEvent } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { monitorCommands, type CommandLog } from '../support/command-monitor.js';
import { testDatabaseName, testDatabaseUri } from '../support/database.js';
import { waitForDeliveries } from '../support/deliveries.js';

const uri = new URL(testDatabaseUri(testDatabaseName('round-trips')));
uri.searchParams.set('monitorCommands', 'true');

/**
 * The database commands each kind of update costs in the request path: the update's claim
 * and confirmation, the flood limit, the join, the command itself, its action cards and the
 * notifications it records (with their delivery jobs). The notifier's later delivery is
 * counted apart. Each limit is the count measured when it was set: a change that adds a
 * command fails here and must say why (the failure lists the update's commands). Issue 12
 * aimed at ≤ 4 for /me and /link, ≤ 8 for a new person's /start and ≤ 15 for a /confirm with
 * rewards: the claims, the ledger's check and the per-collection writes keep the rest.
 * Issue 14: a new person's /start answers with the privacy notice (the same count as the
 * welcome it replaced); a referred friend's /start counts the open and keeps the code (12),
 * and the attribution's commands move to their agreement. The agreement is a card press (9
 * commands, as any press) plus its own three: the Consent row, the customer's agreement and
 * name, the identity's name.
 * Issue 16: the referrer's partner record is looked up when a friend agrees (a partner's
 * friends earn commission, not the referral rewards) and on /link (a partner's link says
 * so): +1 each. A /confirm reads the stored points back after setting the visit count (+2:
 * FerretDB rewrites the whole document, so a racing write could drop points, see
 * visits.ts refreshVisitCount) and looks for the friend's partner referral (+1, commission).
 */
const LIMITS = {
  newStart: 8,
  agree: 12,
  referredStart: 12,
  referredAgree: 22,
  firstMe: 10,
  me: 9,
  link: 6,
  confirmWithRewards: 36,
  delivery: 8,
};

describe('database commands per update', () => {
  const h = useTelegramApp('round-trips', { OWNER_IDS: 'telegram:900', MONGODB_URI: uri.toString() });
  let monitor: ReturnType<typeof monitorCommands>;
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;

  /** Sends `text` as person `id`, waits for the reply and for every notification it caused; returns the update's commands. */
  async function costOf(id: number, name: string, text: string, reply: string | RegExp): Promise<CommandLog> {
    return costOfUpdate(id, () => h.telegram.user(id, name).send(text), reply);
  }

  /** The same for pressing the button `label` (the privacy notice's agree button). */
  async function costOfPress(id: number, name: string, label: string, reply: string | RegExp): Promise<CommandLog> {
    return costOfUpdate(id, () => h.telegram.user(id, name).press(label), reply);
  }

  async function costOfUpdate(id: number, push: () => number, reply: string | RegExp): Promise<CommandLog> {
    const before = h.telegram.messagesTo(id).length;
    const updateId = push();
    const log = await monitor.ofUpdate(updateId);
    await h.telegram.waitForText(id, reply);
    expect(h.telegram.messagesTo(id).length).toBeGreaterThan(before);
    await waitForDeliveries(h.app.models);
    return log;
  }

  const within = (log: CommandLog, limit: number) => expect(log, log.join('\n')).toHaveLength(Math.min(log.length, limit));

  it('a new person, a referred friend, /me, /link and a staff /confirm with both rewards stay within their counts', async () => {
    monitor = monitorCommands(h.app);
    await costOf(900, 'Chủ tiệm', '/start', /./);
    within(await costOf(201, 'Lan', '/start', 'Dữ liệu cá nhân'), LIMITS.newStart);
    within(await costOfPress(201, 'Lan', 'Đồng ý', 'Bạn có muốn nhận tin ưu đãi'), LIMITS.agree);
    await costOf(900, 'Chủ tiệm', `/staff add ${await codeOf(201)}`, 'Đã thêm Lan');
    within(await costOf(301, 'An', '/start', 'Dữ liệu cá nhân'), LIMITS.newStart);
    within(await costOfPress(301, 'An', 'Đồng ý', 'Bạn có muốn nhận tin ưu đãi'), LIMITS.agree);
    within(await costOf(302, 'Bình', `/start ${await codeOf(301)}`, 'Dữ liệu cá nhân'), LIMITS.referredStart);
    within(await costOfPress(302, 'Bình', 'Đồng ý', /An/), LIMITS.referredAgree);
    within(await costOf(301, 'An', '/me', 'Mã QR thành viên'), LIMITS.firstMe);
    within(await costOf(301, 'An', '/me', 'Mã QR thành viên'), LIMITS.me);
    within(await costOf(301, 'An', '/link', /t\.me/), LIMITS.link);
    monitor.takeDeliveries();
    within(await costOf(201, 'Lan', `/confirm ${await codeOf(302)}`, 'Đã xác nhận lần ghé đầu tiên của Bình'), LIMITS.confirmWithRewards);
    await h.telegram.waitForText(301, 'Bình vừa ghé Salon Mai lần đầu');
    await h.telegram.waitForText(302, /Mã voucher/);
    for (const delivery of monitor.takeDeliveries().filter((d) => d.outcome === 'sent')) within(delivery.log, LIMITS.delivery);
  });

  it('landing page views cost no database command: one bulk write per batch of clicks', async () => {
    const code = await codeOf(301);
    const view = (visitor: number) =>
      fetch(`${h.app.listenUrl}/r/${code}`, { headers: { 'x-forwarded-for': `198.51.100.${visitor}`, 'user-agent': 'Mozilla/5.0' } });
    expect((await view(1)).status).toBe(200);
    await h.app.services.referrals.flushLinkOpens();
    // Every command on what a view touches, whoever started it (the request is not an update).
    const touched = new Set(['customers', 'link_opens', 'rate_slots', 'settings', 'claims']);
    const log: CommandLog = [];
    const listener = (event: CommandStartedEvent) => {
      const target: unknown = event.command[event.commandName];
      if (typeof target === 'string' && touched.has(target)) log.push(`${event.commandName} ${target}`);
    };
    h.app.connection.getClient().on('commandStarted', listener);
    try {
      for (let visitor = 2; visitor <= 21; visitor++) expect((await view(visitor)).status).toBe(200);
      expect(log).toEqual([]);
      await h.app.services.referrals.flushLinkOpens();
      expect(log).toEqual(['update link_opens']);
    } finally {
      h.app.connection.getClient().off('commandStarted', listener);
    }
    expect(await h.app.models.LinkOpen.countDocuments({ code, via: 'link' })).toBe(21);
  });
});
