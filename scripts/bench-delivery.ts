// Delivers N notifications to N different chats through the real delivery path (claims,
// leases, pacing at Telegram's 30/s) into a sender that only counts, then once more with
// pacing lifted to show the database cost per message. Usage: npx tsx scripts/bench-delivery.ts [N]
import { Types } from 'mongoose';
import type { MessageSender } from '../src/services/ports.js';
import { createI18n } from '../src/i18n.js';
import { createLogger } from '../src/logger.js';
import { parseProgram } from '../src/program/load.js';
import { createNotificationRenderer } from '../src/channels/conversation/notifications.js';
import { createNotificationDelivery } from '../src/services/notification-delivery.js';
import defaultProgram from '../src/program/default-program.json' with { type: 'json' };
import { benchDatabase, mib } from './bench-database.js';

const count = Number(process.argv[2] ?? 1000);
const db = await benchDatabase('delivery');
const program = parseProgram(defaultProgram);
const i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });

async function seed(label: string): Promise<void> {
  const customers = Array.from({ length: count }, (_, i) => ({
    _id: new Types.ObjectId(),
    code: `${label}${String(i).padStart(5, '0')}`,
    locale: 'vi',
    name: `K${i}`,
  }));
  await db.models.Customer.insertMany(customers);
  await db.models.ChannelIdentity.insertMany(
    customers.map((c, i) => ({ identity: `telegram:${label}${i}`, customerId: c._id, channel: 'telegram', chatId: `${label}${i}` })),
  );
  await db.models.Notification.insertMany(
    customers.map((c) => ({ key: `friend_joined:${String(c._id)}`, type: 'friend_joined', customerId: c._id, data: { friendName: 'An' } })),
  );
}

async function run(label: string, paced: boolean): Promise<void> {
  await seed(label);
  let sent = 0;
  const sender: MessageSender = { channel: 'telegram', send: () => Promise.resolve((sent++, { ok: true })) };
  const delivery = createNotificationDelivery({
    models: db.models,
    render: createNotificationRenderer(i18n, program),
    logger: createLogger('silent'),
    senders: new Map([['telegram', sender]]),
    limits: paced ? undefined : { telegram: { perSecond: 1_000_000, perChatIntervalMs: 0 } },
  });
  const started = performance.now();
  while ((await delivery.sweep()) > 0);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${paced ? 'paced at 30/s' : 'pacing lifted'}: ${sent} of ${count} delivered in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(1)} msg/s), heap ${mib(process.memoryUsage().heapUsed)}, rss ${mib(process.memoryUsage().rss)}`,
  );
}

console.log(`server: ${db.server}, node ${process.version}`);
await run('P', true);
await run('U', false);
await db.close();
