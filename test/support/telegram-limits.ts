/** Telegram's sending limits as the emulator enforces them: per bot per second, and per chat. */
export interface TelegramLimits {
  /** Messages a bot may send in any one second (Telegram: about 30). */
  perSecond: number;
  /** The least time between two messages to one chat (Telegram: about one a second). */
  perChatIntervalMs: number;
}

export const telegramBotApiLimits: TelegramLimits = { perSecond: 30, perChatIntervalMs: 1000 };

/**
 * Decides, for each send, whether Telegram would take it now or answer 429 and how many
 * seconds to wait (a whole number, at least 1, as Telegram's retry_after is). A refused send
 * does not count against the limits.
 */
export class TelegramRateWindow {
  /** Moments (ms) of the sends taken in the last second. */
  private recent: number[] = [];
  private lastByChat = new Map<number, number>();

  constructor(readonly limits: TelegramLimits) {}

  /** Undefined when the send is taken (and counted); else the retry_after to answer. */
  take(chatId: number, now: number): number | undefined {
    this.recent = this.recent.filter((at) => at > now - 1000);
    const chatFree = (this.lastByChat.get(chatId) ?? -Infinity) + this.limits.perChatIntervalMs;
    const botFree = this.recent.length >= this.limits.perSecond ? this.recent[0]! + 1000 : now;
    const free = Math.max(chatFree, botFree);
    if (free > now) return Math.max(1, Math.ceil((free - now) / 1000));
    this.recent.push(now);
    this.lastByChat.set(chatId, now);
    return undefined;
  }
}
