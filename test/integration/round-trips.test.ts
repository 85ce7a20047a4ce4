import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { monitorCommands, type CommandLog } from '../support/command-monitor.js';
import { testDatabaseName, testDatabaseUri } from '../support/database.js';
import { waitForDeliveries } from '../support/deliveries.js';

const uri = new URL(testDatabaseUri(testDatabaseName('round-trips')));
uri.searchParams.set('monitorCommands', 'true');

describe('database commands per update', () => {
  const h = useTelegramApp('round-trips', { OWNER_IDS: 'telegram:900', MONGODB_URI: uri.toString() });
  let monitor: ReturnType<typeof monitorCommands>;
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;

  async function costOf(id: number, name: string, text: string, reply: string | RegExp): Promise<CommandLog> {
    const before = h.telegram.messagesTo(id).length;
    const updateId = h.telegram.user(id, name).send(text);
    const log = await monitor.ofUpdate(updateId);
    await h.telegram.waitForMessages(id, before + 1);
    expect(h.telegram.messagesTo(id).slice(before).map((m) => m.text).join('\n')).toMatch(reply);
    await waitForDeliveries(h.app.models);
    return log;
  }

  it('measures', async () => {
    monitor = monitorCommands(h.app);
    const report: Record<string, CommandLog> = {};
    report['owner /start (known)'] = await costOf(900, 'Chủ tiệm', '/start', /./);
    report['new /start'] = await costOf(201, 'Lan', '/start', /./);
    await costOf(900, 'Chủ tiệm', `/staff add ${await codeOf(201)}`, 'Đã thêm Lan');
    report['new /start 2'] = await costOf(301, 'An', '/start', /./);
    report['referred /start'] = await costOf(302, 'Bình', `/start ${await codeOf(301)}`, /./);
    report['first /me'] = await costOf(301, 'An', '/me', /./);
    report['/me'] = await costOf(301, 'An', '/me', /./);
    report['/link'] = await costOf(301, 'An', '/link', /./);
    monitor.takeDeliveries();
    report['/confirm'] = await costOf(201, 'Lan', `/confirm ${await codeOf(302)}`, 'Đã xác nhận lần ghé đầu tiên của Bình');
    const deliveries = monitor.takeDeliveries();
    for (const [kind, log] of Object.entries(report)) console.log(kind, log.length, '\n  ' + log.join('\n  '));
    for (const d of deliveries) console.log('delivery', d.log.length, '\n  ' + d.log.join('\n  '));
  });
});
