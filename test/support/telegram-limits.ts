/** Telegram's sending limits as the emulator enforces them: per bot per second, and per chat. */
export interface TelegramLimits {
  /** Messages a bot may send in any one second (Telegram: about 30). */
  perSecond: number;
  /** Messages one chat may get back to back (Telegram allows "short bursts")… */
  perChatBurst: number;
  /** …and then one per this many ms (Telegram: about one a second). */
  perChatIntervalMs: number;
}

export const telegramBotApiLimits: TelegramLimits = { perSecond: 30, perChatBurst: 5, perChatIntervalMs: 1000 };

/**
 * Decides, for each send, whether Telegram would take it now or answer 429 and how many
 * seconds to wait (a whole number, at least 1, as Telegram's retry_after is). A refused send
 * does not count against the limits. A chat's allowance is a bucket of `perChatBurst` sends
 * refilled one per interval.
 */
export class TelegramRateWindow {
  /** Moments (ms) of the sends taken in the last second. */
  private recent: number[] = [];
  /** Per chat, when its bucket is full again. */
  private fullByChat = new Map<number, number>();

  constructor(readonly limits: TelegramLimits) {}

  /** Undefined when the send is taken (and counted); else the retry_after to answer. */
  take(chatId: number, now: number): number | undefined {
    this.recent = this.recent.filter((at) => at > now - 1000);
    const full = Math.max(now, this.fullByChat.get(chatId) ?? now);
    const chatFree = full - (this.limits.perChatBurst - 1) * this.limits.perChatIntervalMs;
    const botFree = this.recent.length >= this.limits.perSecond ? this.recent[0]! + 1000 : now;
    const free = Math.max(chatFree, botFree);
    if (free > now) return Math.max(1, Math.ceil((free - now) / 1000));
    this.recent.push(now);
    this.fullByChat.set(chatId, full + this.limits.perChatIntervalMs);
    return undefined;
  }
}
