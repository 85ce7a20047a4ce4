/**
 * Spaces sends to stay within a chat platform's limits: at most `perSecond` messages per
 * second for the bot overall and one message per `perChatIntervalMs` to any one chat.
 * Nothing is dropped: each send gets the earliest slot that respects both limits.
 */
export interface PacingLimits {
  perSecond: number;
  perChatIntervalMs: number;
}

export class SendPacer {
  private nextGlobal = 0;
  private readonly nextByChat = new Map<string, number>();

  constructor(private readonly limits: PacingLimits) {}

  /** Reserves the next slot for `chatId` at or after `now`; returns when to send (ms epoch). */
  reserve(chatId: string, now: number): number {
    const slot = Math.max(now, this.nextGlobal, this.nextByChat.get(chatId) ?? 0);
    this.nextGlobal = slot + 1000 / this.limits.perSecond;
    this.nextByChat.set(chatId, slot + this.limits.perChatIntervalMs);
    if (this.nextByChat.size > 10_000) this.forgetPast(now);
    return slot;
  }

  /** Drops chats whose next slot has passed, so memory follows the active chats only. */
  private forgetPast(now: number): void {
    for (const [chat, next] of this.nextByChat) if (next <= now) this.nextByChat.delete(chat);
  }
}

/** Telegram: about 30 messages a second per bot, one a second per chat. */
export const telegramLimits: PacingLimits = { perSecond: 30, perChatIntervalMs: 1000 };
/** Zalo publishes no numbers; its reference advises a few a second and at most one a second per chat. */
export const zaloLimits: PacingLimits = { perSecond: 5, perChatIntervalMs: 1000 };

/** Exponential backoff for a failed send, at least what the platform asked for. */
export function retryDelayMs(attempt: number, retryAfterMs = 0, baseMs = 5_000, maxMs = 30 * 60_000): number {
  return Math.max(retryAfterMs, Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}
