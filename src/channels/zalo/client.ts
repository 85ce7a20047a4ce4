import { z } from 'zod';
import type { SendPacer } from '../../domain/send-pacing.js';
import { sendInTurn } from '../pacing.js';

/** Zalo's limit for a text or caption, in UTF-16 code units (what its text_styles count in). */
export const ZALO_TEXT_LIMIT = 2000;

/** A call the Zalo Bot API refused or could not answer. Never carries the token. */
export class ZaloApiError extends Error {
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
  ) {
    super(`Zalo ${method} failed: ${errorCode} ${description}`);
    this.name = 'ZaloApiError';
  }
}

const envelope = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
});

// Ids are opaque strings in every sample; a number is accepted too, since nothing documents
// that they can never be numeric (the reference marks the id format uncertain).
const id = z.union([z.string(), z.number()]).transform(String);

const messageSchema = z.object({
  message_id: id,
  date: z.union([z.number(), z.string()]).optional(),
  from: z.object({ id, display_name: z.string().optional(), is_bot: z.boolean().optional() }),
  chat: z.object({ id, chat_type: z.string().optional() }),
  text: z.string().optional(),
  photo: z.string().optional(),
  caption: z.string().optional(),
});

export const updateSchema = z.object({ event_name: z.string(), message: messageSchema });
export type ZaloUpdate = z.infer<typeof updateSchema>;

const sentSchema = z.object({ message_id: z.string(), date: z.number().optional() }).passthrough();
const meSchema = z.object({ id: z.string(), account_name: z.string().optional(), account_type: z.string().optional() }).passthrough();
const webhookInfoSchema = z.object({ url: z.string(), updated_at: z.number().optional() }).passthrough();

/** Splits a text into parts of at most `limit` UTF-16 units, at line or word breaks when possible. */
export function splitText(text: string, limit = ZALO_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    // Prefer a line break, then a space, in the second half of the window; else cut hard.
    let cut = window.lastIndexOf('\n');
    if (cut < limit / 2) cut = window.lastIndexOf(' ');
    if (cut < limit / 2) cut = limit;
    // Never cut a surrogate pair (an emoji) in half.
    if (/[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut -= 1;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

export interface ZaloClientOptions {
  token: string;
  apiRoot: string;
  /** Per-call timeout in ms for ordinary calls (sendPhoto gets three times as long: Zalo fetches the image first). */
  timeoutMs?: number;
  /**
   * Zalo publishes no rate limit; on 429 a call is retried after this wait, doubled each
   * time, up to `rateLimitRetries` times, and then fails with a 429 ZaloApiError.
   */
  rateLimitBackoffMs?: number;
  rateLimitRetries?: number;
  /** Every message (each part of a long text, each retry) waits for its turn on it. */
  pacer?: SendPacer;
}

/** The token sits in the URL path; anything that might echo the URL is cleaned with this. */
function redact(text: string, token: string): string {
  return token ? text.split(token).join('<token>') : text;
}

/**
 * A typed client of the Zalo Bot Platform API (Telegram-like: POST JSON to
 * `<root>/bot<token>/<method>`, answers `{ ok, result }`). Responses are validated at run
 * time; errors become ZaloApiError; the token, which is in the URL, is never logged.
 */
const SENDING_METHODS = new Set(['sendMessage', 'sendPhoto']);

type CallArgs<T> = [method: string, params: Record<string, unknown>, schema: z.ZodType<T>, timeout?: number, abort?: AbortSignal];

export function createZaloClient(options: ZaloClientOptions) {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const backoffMs = options.rateLimitBackoffMs ?? 1_000;
  const retries = options.rateLimitRetries ?? 2;

  /** Retries a 429 a few times with growing waits; every other failure is the caller's to handle. */
  async function call<T>(...args: CallArgs<T>): Promise<T> {
    const abort = args[4];
    const chatId = SENDING_METHODS.has(args[0]) ? args[1].chat_id : undefined;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await (options.pacer && typeof chatId === 'string' ? sendInTurn(options.pacer, chatId, () => callOnce(...args)) : callOnce(...args));
      } catch (error) {
        if (!(error instanceof ZaloApiError) || error.errorCode !== 429 || attempt >= retries || abort?.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** attempt));
      }
    }
  }

  async function callOnce<T>(...[method, params, schema, timeout = timeoutMs, abort]: CallArgs<T>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${options.apiRoot}/bot${options.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal: abort ? AbortSignal.any([AbortSignal.timeout(timeout), abort]) : AbortSignal.timeout(timeout),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'network error';
      throw new ZaloApiError(method, 0, reason);
    }
    const body = envelope.safeParse(await response.json().catch(() => undefined));
    if (!body.success) throw new ZaloApiError(method, response.status, 'unreadable response');
    if (!body.data.ok || !response.ok) {
      const description = redact(body.data.description ?? response.statusText, options.token);
      throw new ZaloApiError(method, body.data.error_code ?? response.status, description);
    }
    const result = schema.safeParse(body.data.result);
    if (!result.success) throw new ZaloApiError(method, response.status, `unexpected result: ${result.error.issues[0]?.message ?? ''}`);
    return result.data;
  }

  return {
    getMe: () => call('getMe', {}, meSchema),
    /**
     * Long-polls for one update; undefined when none arrived within `timeoutSeconds`
     * (Zalo answers 408 then).
     */
    async getUpdates(timeoutSeconds: number, abort?: AbortSignal): Promise<ZaloUpdate | undefined> {
      try {
        return await call('getUpdates', { timeout: timeoutSeconds }, updateSchema, (timeoutSeconds + 10) * 1000, abort);
      } catch (error) {
        if (error instanceof ZaloApiError && error.errorCode === 408) return undefined;
        throw error;
      }
    },
    setWebhook: (url: string, secretToken: string) => call('setWebhook', { url, secret_token: secretToken }, webhookInfoSchema),
    deleteWebhook: () => call('deleteWebhook', {}, webhookInfoSchema),
    /** The registered webhook; `url` is empty when none is set (some bots answer 404 then). */
    async getWebhookInfo() {
      try {
        return await call('getWebhookInfo', {}, webhookInfoSchema);
      } catch (error) {
        if (error instanceof ZaloApiError && error.errorCode === 404) return { url: '' };
        throw error;
      }
    },
    /** Sends a text, split into several messages when longer than Zalo allows. */
    async sendMessage(chatId: string, text: string): Promise<Array<z.infer<typeof sentSchema>>> {
      const sent = [];
      for (const part of splitText(text)) sent.push(await call('sendMessage', { chat_id: chatId, text: part }, sentSchema));
      return sent;
    },
    /** Sends a photo by public URL; a caption over the limit continues in text messages after it. */
    async sendPhoto(chatId: string, photoUrl: string, caption?: string): Promise<Array<z.infer<typeof sentSchema>>> {
      const [first, ...rest] = caption ? splitText(caption) : [];
      const sent = [await call('sendPhoto', { chat_id: chatId, photo: photoUrl, ...(first ? { caption: first } : {}) }, sentSchema, timeoutMs * 3)];
      for (const part of rest) sent.push(await call('sendMessage', { chat_id: chatId, text: part }, sentSchema));
      return sent;
    },
    sendChatAction: (chatId: string) => call('sendChatAction', { chat_id: chatId, action: 'typing' }, z.unknown()),
  };
}

export type ZaloClient = ReturnType<typeof createZaloClient>;
