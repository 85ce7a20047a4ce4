/**
 * Spaces sends to stay within a chat platform's limits: at most `perSecond` messages in any
 * second for the bot overall and one message per `perChatIntervalMs` to any one chat.
 * Nothing is dropped: each send gets the earliest slot that respects both limits.
 */
export interface PacingLimits {
  perSecond: number;
  perChatIntervalMs: number;
}

/** How much wider than a second the window of admitted sends is: timers fire late and requests arrive unevenly. */
const WINDOW_MS = 1020;

export class SendPacer {
  /** Reserved ticks (a tick is 1/perSecond of a second), so concurrent sends spread out instead of bunching. */
  private readonly ticks = new Set<number>();
  private readonly nextByChat = new Map<string, number>();
  /** When the latest sends really went (ms epoch, oldest first), at most `perSecond` of them. */
  private readonly admitted: number[] = [];
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
   * Reserves the earliest moment at or after `now` when this chat may receive again and a
   * tick of the bot's rate is free; returns it (ms epoch). Each tick holds one send, so no
   * whole second holds more than `perSecond`. A busy chat does not delay other chats.
   */
  reserve(chatId: string, now: number): number {
    const tickMs = 1000 / this.perSecond;
    const earliest = Math.max(now, this.nextByChat.get(chatId) ?? 0);
    let tick = Math.ceil(earliest / tickMs);
    while (this.ticks.has(tick)) tick += 1;
    this.ticks.add(tick);
    const slot = Math.max(earliest, Math.ceil(tick * tickMs));
    this.nextByChat.set(chatId, slot + this.limits.perChatIntervalMs);
    if (this.nextByChat.size + this.ticks.size > 10_000) this.forgetPast(now, tickMs);
    return slot;
  }

  /**
   * The last check just before a reserved send goes: 0 when it may go now (and it is counted
   * as gone), else how many ms to wait before asking again. It counts the moments sends
   * really went, so a send woken late cannot bunch up with the ones after it.
   */
  admit(now: number): number {
    const limit = this.perSecond;
    while (this.admitted.length > limit) this.admitted.shift();
    const oldest = this.admitted.length >= limit ? this.admitted[this.admitted.length - limit]! : -Infinity;
    const wait = oldest + WINDOW_MS - now;
    if (wait > 0) return Math.ceil(wait);
    this.admitted.push(now);
    if (this.admitted.length > limit) this.admitted.shift();
    return 0;
  }

  /** Drops what lies in the past, so memory follows the messages still waiting. */
  private forgetPast(now: number, tickMs: number): void {
    for (const [chat, next] of this.nextByChat) if (next <= now) this.nextByChat.delete(chat);
    for (const tick of this.ticks) if ((tick + 1) * tickMs <= now) this.ticks.delete(tick);
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
