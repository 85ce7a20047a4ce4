import { Types } from 'mongoose';
import type { Models } from '../../src/db/models/index.js';
import type { TelegramEmulator } from '../../test/support/telegram-emulator.js';
import { telegramBotApiLimits } from '../../test/support/telegram-limits.js';
import { codeOf, round, sentSince, waitForQuiet, waitUntil } from './chat.js';
import type { Figure } from './report.js';

const TELEGRAM_RATE = telegramBotApiLimits.perSecond;

/** What a burst of sends came to, read from the emulator once it went quiet. */
function outboundFigure(telegram: TelegramEmulator, from: number, started: number, refusedBefore: number) {
  const messages = telegram.sent.slice(from);
  const distinct = new Set(messages.map((m) => `${m.chatId}\n${m.text}`)).size;
  const last = Math.max(started, ...messages.map((m) => m.at));
  const seconds = (last - started) / 1000;
  return { messages: messages.length, distinct, duplicates: messages.length - distinct, seconds, refused: telegram.refusedForLimits - refusedBefore };
}

/**
 * 100 referred friends' first visits confirmed at once by 25 staff (`pairs` referrer/friend
 * pairs, four confirmations per staff member), with the emulator enforcing Telegram's limits:
 * each confirmation owes a reply to the staff member and a message to the friend and to the
 * referrer. Referrers are the people of the first `pairs` ids from `referrerFirstId` on.
 */
export async function confirmBurst(
  telegram: TelegramEmulator,
  models: Models,
  options: { pairs: number; staff: number; referrerFirstId: number; friendFirstId: number; staffFirstId: number; timeoutSeconds: number },
): Promise<Figure> {
  const { pairs, staff } = options;
  telegram.enforceLimits(undefined);
  const setupFrom = telegram.sent.length;
  for (let i = 0; i < pairs; i++) {
    telegram.user(options.friendFirstId + i, `Bạn ${i}`).send(`/start ${await codeOf(models, options.referrerFirstId + i)}`);
  }
  for (let i = 0; i < staff; i++) telegram.user(options.staffFirstId + i, `Nhân viên ${i}`).send('/start');
  await waitUntil(() => {
    const byChat = sentSince(telegram, setupFrom);
    return Array.from({ length: pairs }, (_, i) => options.friendFirstId + i).every((id) => byChat.has(id)) && byChat.size >= pairs + staff;
  }, 120_000);
  for (let i = 0; i < staff; i++) {
    const identity = await models.ChannelIdentity.findOne({ identity: `telegram:${options.staffFirstId + i}` }).lean();
    // Made staff in the database directly: the owner's /staff add is not what is measured here.
    await models.Customer.updateOne({ _id: identity!.customerId }, { $set: { role: 'staff' } });
  }
  const friendCodes = await Promise.all(Array.from({ length: pairs }, (_, i) => codeOf(models, options.friendFirstId + i)));
  await waitForQuiet(telegram, models, 1500, 60_000);

  telegram.enforceLimits(telegramBotApiLimits);
  const from = telegram.sent.length;
  const refusedBefore = telegram.refusedForLimits;
  const started = Date.now();
  friendCodes.forEach((code, i) => telegram.user(options.staffFirstId + (i % staff), `Nhân viên ${i % staff}`).send(`/confirm ${code}`));
  const perStaff = Math.ceil(pairs / staff);
  const missing = () => {
    const byChat = sentSince(telegram, from);
    const short = (id: number, count = 1) => Math.max(0, count - (byChat.get(id)?.length ?? 0));
    const all = Array.from({ length: pairs }, (_, i) => i);
    return {
      friends: all.filter((i) => short(options.friendFirstId + i) > 0).length,
      referrers: all.filter((i) => short(options.referrerFirstId + i) > 0).length,
      staffReplies: Array.from({ length: staff }, (_, i) => short(options.staffFirstId + i, perStaff)).reduce((a, b) => a + b, 0),
    };
  };
  const nobodyMissing = () => Object.values(missing()).every((n) => n === 0);
  // Until everyone got theirs, or the bot stayed silent for 15 s with nothing left to send (what is missing then is lost).
  await Promise.race([
    waitUntil(nobodyMissing, options.timeoutSeconds * 1000),
    waitForQuiet(telegram, models, 15_000, options.timeoutSeconds * 1000),
  ]);
  const everyoneReached = nobodyMissing();
  const lost = missing();
  // Anything sent twice comes after the first copy: wait until the bot has nothing left to say.
  await waitForQuiet(telegram, models, 3000, 60_000);
  const out = outboundFigure(telegram, from, started, refusedBefore);
  const perSecond = out.messages / out.seconds;
  return {
    id: 'confirm-burst',
    label: `${pairs} first visits confirmed at once by ${staff} staff (${pairs} referrer/friend pairs): messages out`,
    measured:
      `${out.messages} messages at ${round(perSecond)}/s, ` +
      `${everyoneReached ? 'all delivered' : `NOT all delivered (${lost.friends} friends, ${lost.referrers} referrers, ${lost.staffReplies} staff replies missing)`}, ` +
      `${out.duplicates} twice, ${out.refused} refused with 429`,
    ratio: { value: perSecond / TELEGRAM_RATE, of: `${TELEGRAM_RATE}/s` },
    target: '≥ 28.5/s, all delivered, none twice, no 429',
    met: everyoneReached && perSecond >= 0.95 * TELEGRAM_RATE && out.duplicates === 0 && out.refused === 0,
    detail: {
      ...out,
      seconds: round(out.seconds, 2),
      perSecond: round(perSecond, 2),
      everyoneReached,
      friendsWithout: lost.friends,
      referrersWithout: lost.referrers,
      staffRepliesMissing: lost.staffReplies,
    },
  };
}

/**
 * `count` notifications owed to `count` different people (as after a campaign), written
 * straight into the outbox; the running app's notifier finds and delivers them under the
 * emulator's limits. The rate counts from the first delivery to the last; the wait before the
 * first is the notifier's polling.
 */
export async function owedNotifications(
  telegram: TelegramEmulator,
  models: Models,
  count: number,
  firstId: number,
  timeoutSeconds: number,
): Promise<Figure> {
  const customers = Array.from({ length: count }, (_, i) => ({
    _id: new Types.ObjectId(),
    code: `O${String(i).padStart(6, '0')}`,
    locale: 'vi',
    name: `K${i}`,
  }));
  await models.Customer.insertMany(customers);
  await models.ChannelIdentity.insertMany(
    customers.map((c, i) => ({ identity: `telegram:${firstId + i}`, customerId: c._id, channel: 'telegram', chatId: String(firstId + i) })),
  );
  telegram.enforceLimits(telegramBotApiLimits);
  const from = telegram.sent.length;
  const refusedBefore = telegram.refusedForLimits;
  const recorded = Date.now();
  await models.Notification.insertMany(
    customers.map((c) => ({ key: `friend_joined:${String(c._id)}`, type: 'friend_joined', customerId: c._id, data: { friendName: 'An' } })),
  );
  const isOurs = (chatId: number) => chatId >= firstId && chatId < firstId + count;
  const allDelivered = await waitUntil(
    () =>
      new Set(
        telegram.sent
          .slice(from)
          .filter((m) => isOurs(m.chatId))
          .map((m) => m.chatId),
      ).size === count,
    timeoutSeconds * 1000,
    100,
  );
  if (allDelivered) await waitForQuiet(telegram, models, 2000, 60_000);
  const ours = telegram.sent.slice(from).filter((m) => isOurs(m.chatId));
  const first = Math.min(...ours.map((m) => m.at));
  const last = Math.max(...ours.map((m) => m.at));
  const perSecond = (ours.length - 1) / ((last - first) / 1000);
  const chats = new Set(ours.map((m) => m.chatId)).size;
  const refused = telegram.refusedForLimits - refusedBefore;
  return {
    id: 'owed-notifications',
    label: `${count} owed notifications to ${count} people, delivered by the notifier`,
    measured:
      `${chats} of ${count} delivered${allDelivered ? '' : ` within ${timeoutSeconds} s`} at ${round(perSecond)}/s (first after ${round((first - recorded) / 1000)} s), ` +
      `${ours.length - chats} twice, ${refused} refused with 429`,
    ratio: { value: perSecond / TELEGRAM_RATE, of: `${TELEGRAM_RATE}/s` },
    target: '≥ 28.5/s, none lost or repeated, no 429',
    met: allDelivered && perSecond >= 0.95 * TELEGRAM_RATE && ours.length === count && refused === 0,
    detail: {
      count,
      delivered: chats,
      sent: ours.length,
      perSecond: round(perSecond, 2),
      firstAfterMs: first - recorded,
      seconds: round((last - first) / 1000, 2),
      refused,
    },
  };
}
