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
  /** Sends reserved in each whole second (epoch seconds). */
  private readonly perSecondCount = new Map<number, number>();
  private readonly nextByChat = new Map<string, number>();
  private processes = 1;

  constructor(private readonly limits: PacingLimits) {}

  /** Several processes send for the same bot: each keeps to its share of the per-second limit. */
  shareWith(processes: number): void {
    this.processes = Math.max(1, Math.floor(processes));
  }

  private get perSecond(): number {
    return Math.max(1, Math.floor(this.limits.perSecond / this.processes));
  }

  /**
   * Reserves the earliest moment at or after `now` when this chat may receive again and
   * the bot's second still has room; returns it (ms epoch). A busy chat does not delay
   * other chats.
   */
  reserve(chatId: string, now: number): number {
    const earliest = Math.max(now, this.nextByChat.get(chatId) ?? 0);
    let second = Math.floor(earliest / 1000);
    while ((this.perSecondCount.get(second) ?? 0) >= this.perSecond) second += 1;
    const slot = Math.max(earliest, second * 1000);
    this.perSecondCount.set(second, (this.perSecondCount.get(second) ?? 0) + 1);
    this.nextByChat.set(chatId, slot + this.limits.perChatIntervalMs);
    if (this.nextByChat.size + this.perSecondCount.size > 10_000) this.forgetPast(now);
    return slot;
  }

  /** Drops what lies in the past, so memory follows the messages still waiting. */
  private forgetPast(now: number): void {
    for (const [chat, next] of this.nextByChat) if (next <= now) this.nextByChat.delete(chat);
    for (const second of this.perSecondCount.keys()) if ((second + 1) * 1000 <= now) this.perSecondCount.delete(second);
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
