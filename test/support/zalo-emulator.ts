import { createServer, type IncomingMessage, type Server } from 'node:http';
import { unrenderedPlaceholder } from './telegram-emulator.js';

export interface ZaloSent {
  chatId: string;
  text: string;
  photo?: string;
}

/**
 * A small Zalo Bot Platform API on 127.0.0.1, as the reference describes it: envelopes,
 * one update per getUpdates or 408 after the timeout, setWebhook checks (https, 8-256
 * character secret), webhook delivery with X-Bot-Api-Secret-Token, text 1-2000
 * characters, photos by http(s) URL only. It records what the bot sends.
 */
export class ZaloEmulator {
  /** Texts sent with an unrendered `{{…}}`; the app harness fails the test that caused one. */
  readonly unrendered: string[] = [];
  readonly token = '1234567890:zalo-test-token';
  readonly sent: ZaloSent[] = [];
  private server?: Server;
  private queue: unknown[] = [];
  private waiting?: { resolve: (update: unknown) => void; timer: NodeJS.Timeout };
  private failures: Array<{ error_code: number; description: string }> = [];
  private nextMessage = 1;
  webhook?: { url: string; secret: string };
  /** Where webhook deliveries really go in tests. */
  webhookTarget?: string;
  /** Several app processes behind one webhook URL: deliveries go to each in turn. */
  webhookTargets?: string[];
  private nextTarget = 0;
  /** Post an update again (after 1 s, 2 s, up to 4 s) until it is answered 2xx (Zalo's policy is undocumented). */
  redeliverFailed = false;
  /** Every webhook delivery attempt made by redelivery and its HTTP status (0: no answer). */
  readonly deliveries: Array<{ status: number }> = [];
  apiRoot = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.route(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.apiRoot = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    if (this.waiting) {
      clearTimeout(this.waiting.timer);
      this.waiting.resolve(undefined);
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  user(id: string, displayName: string) {
    const message = (messageId: string, extra: Record<string, unknown>) => ({
      message_id: messageId,
      date: Date.now(),
      from: { id, display_name: displayName, is_bot: false },
      chat: { id, chat_type: 'PRIVATE' },
      ...extra,
    });
    return {
      id,
      send: (text: string, messageId = `m${this.nextMessage++}`) =>
        this.push({ event_name: 'message.text.received', message: message(messageId, { text }) }),
      /** Sends a photo as Zalo reports it: the image's URL (and an optional caption). */
      sendPhoto: (url: string, caption?: string, messageId = `m${this.nextMessage++}`) =>
        this.push({ event_name: 'message.image.received', message: message(messageId, { photo: url, ...(caption ? { caption } : {}) }) }),
    };
  }

  push(update: unknown): void {
    if (this.webhook) {
      void (this.redeliverFailed ? this.deliverUntilAccepted(update) : this.deliverToWebhook(update));
      return;
    }
    if (this.waiting) {
      clearTimeout(this.waiting.timer);
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(update);
      return;
    }
    this.queue.push(update);
  }

  /** Posts an update as Zalo does (wrapped in { ok, result } unless `bare`); returns the HTTP status. */
  async deliverToWebhook(update: unknown, options: { secret?: string; bare?: boolean } = {}): Promise<number> {
    const secret = options.secret ?? this.webhook?.secret ?? '';
    const target = this.webhookTargets?.[this.nextTarget++ % this.webhookTargets.length] ?? this.webhookTarget ?? this.webhook?.url ?? '';
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(options.bare ? update : { ok: true, result: update }),
    });
    return response.status;
  }

  private async deliverUntilAccepted(update: unknown): Promise<void> {
    for (let attempt = 0; this.webhook && attempt < 120; attempt++) {
      const status = await this.deliverToWebhook(update).catch(() => 0);
      this.deliveries.push({ status });
      if (status >= 200 && status < 300) return;
      await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 4000)));
    }
  }

  failNext(...errors: Array<{ error_code: number; description: string }>): void {
    this.failures.push(...errors);
  }

  messagesTo(chatId: string): ZaloSent[] {
    return this.sent.filter((m) => m.chatId === chatId);
  }

  /** Waits until `count` messages have reached the chat, and returns them in order. */
  async waitForMessages(chatId: string, count: number, timeoutMs = 15_000): Promise<ZaloSent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messagesTo(chatId).length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} Zalo messages to ${chatId}, got ${this.messagesTo(chatId).length}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.messagesTo(chatId);
  }

  async waitForText(chatId: string, part: string | RegExp, timeoutMs = 15_000): Promise<ZaloSent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messagesTo(chatId).find((m) => (typeof part === 'string' ? m.text.includes(part) : part.test(m.text)));
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no Zalo message with ${String(part)} to ${chatId}:\n${this.messagesTo(chatId)
            .map((m) => m.text)
            .join('\n---\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async route(req: IncomingMessage): Promise<{ status: number; body: Record<string, unknown> }> {
    const match = /^\/bot(.+)\/(\w+)$/.exec(req.url ?? '');
    const fail = (status: number, description: string) => ({ status, body: { ok: false, error_code: status, description } });
    if (!match || match[1] !== this.token) return fail(401, 'Unauthorized');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}) as Record<string, string | number | undefined>;
    const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
    switch (match[2]) {
      case 'getMe':
        return ok({ id: '1459232241454765289', account_name: 'bot.SalonMai', account_type: 'BASIC', can_join_groups: false });
      case 'getUpdates': {
        if (this.webhook) return fail(400, 'webhook is set');
        const update = this.queue.shift() ?? (await this.waitForUpdate(Number(params.timeout ?? 30)));
        return update ? ok(update) : fail(408, 'Request timeout');
      }
      case 'setWebhook': {
        const url = String(params.url ?? '');
        const secret = String(params.secret_token ?? '');
        if (!url.startsWith('https://')) return fail(400, 'url must be https');
        if (secret.length < 8 || secret.length > 256) return fail(400, 'secret_token must be 8-256 characters');
        this.webhook = { url, secret };
        return ok({ url, updated_at: Date.now() });
      }
      case 'deleteWebhook':
        this.webhook = undefined;
        return ok({ url: '', updated_at: Date.now() });
      case 'getWebhookInfo':
        return this.webhook ? ok({ url: this.webhook.url, updated_at: Date.now() }) : fail(404, 'Not Found');
      case 'sendChatAction':
        return { status: 200, body: { ok: true } };
      case 'sendMessage':
      case 'sendPhoto': {
        const failure = this.failures.shift();
        if (failure) return { status: failure.error_code, body: { ok: false, ...failure } };
        const text = String((match[2] === 'sendPhoto' ? params.caption : params.text) ?? '');
        if (match[2] === 'sendMessage' && (text.length < 1 || text.length > 2000)) return fail(400, 'text must be 1-2000 characters');
        if (match[2] === 'sendPhoto' && !/^https?:\/\//.test(String(params.photo ?? ''))) return fail(400, 'photo must be an http(s) URL');
        this.sent.push({ chatId: String(params.chat_id), text, ...(match[2] === 'sendPhoto' ? { photo: String(params.photo) } : {}) });
        if (unrenderedPlaceholder.test(text)) this.unrendered.push(text);
        return ok({ message_id: `s${this.nextMessage++}`, date: Date.now() });
      }
      default:
        return fail(404, 'Not Found');
    }
  }

  private waitForUpdate(timeoutSeconds: number): Promise<unknown> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiting = undefined;
          resolve(undefined);
        },
        Math.min(timeoutSeconds * 1000, 1000),
      );
      this.waiting = { resolve, timer };
    });
  }
}
