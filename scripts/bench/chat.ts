import type { Models } from '../../src/db/models/index.js';
import type { SentMessage, TelegramEmulator } from '../../test/support/telegram-emulator.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done()` holds; false when `timeoutMs` passed first. */
export async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

/** The messages the emulator recorded from index `from` on, by chat. */
export function sentSince(telegram: TelegramEmulator, from: number): Map<number, SentMessage[]> {
  const byChat = new Map<number, SentMessage[]>();
  for (const message of telegram.sent.slice(from)) byChat.set(message.chatId, [...(byChat.get(message.chatId) ?? []), message]);
  return byChat;
}

/** Waits until nothing new was sent for `quietMs` and no notification is waiting to go out. */
export async function waitForQuiet(telegram: TelegramEmulator, models: Models, quietMs: number, timeoutMs: number): Promise<boolean> {
  let count = telegram.sent.length;
  let since = Date.now();
  return waitUntil(
    async () => {
      if (telegram.sent.length !== count) {
        count = telegram.sent.length;
        since = Date.now();
        return false;
      }
      if (Date.now() - since < quietMs) return false;
      return (await models.Notification.countDocuments({ status: { $in: ['pending', 'sending'] } })) === 0;
    },
    timeoutMs,
    100,
  );
}

/** A Telegram person's referral code, read from the database. */
export async function codeOf(models: Models, telegramId: number): Promise<string> {
  const identity = await models.ChannelIdentity.findOne({ identity: `telegram:${telegramId}` }, { customerId: 1 }).lean();
  const customer = identity ? await models.Customer.findById(identity.customerId, { code: 1 }).lean() : undefined;
  if (!customer) throw new Error(`telegram:${telegramId} is not a customer`);
  return customer.code;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
