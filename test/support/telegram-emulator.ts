import { createServer, type IncomingMessage, type Server } from 'node:http';
import { TelegramRateWindow, type TelegramLimits } from './telegram-limits.js';

/** A message the bot sent, as the emulator recorded it. */
export interface SentMessage {
  messageId: number;
  chatId: number;
  text: string;
  /** The PNG of a sent photo. */
  photo?: Buffer;
  /** A photo sent by reference: a file id (a photo someone sent the bot) or a URL. */
  photoRef?: string;
  /** A sent document: its file name and bytes. */
  document?: { filename: string; content: Buffer };
  buttons: Array<{ text: string; callback_data?: string; url?: string; copy_text?: { text: string }; request_contact?: boolean }>;
  /** When the emulator received it (ms epoch). */
  at: number;
}

interface PendingPoll {
  offset: number;
  resolve: (updates: unknown[]) => void;
  timer: NodeJS.Timeout;
}

/**
 * A small Telegram Bot API on 127.0.0.1 for end-to-end tests: it queues the updates a
 * test's users send, serves them to the bot's long polling (or posts them to a webhook),
 * and records everything the bot sends. Failures can be injected per chat.
 */
/** An i18n placeholder left in a text the bot sent: a value the code forgot to pass. */
export const unrenderedPlaceholder = /\{\{[^}]*\}\}/;

export class TelegramEmulator {
  /** Texts sent with an unrendered `{{…}}`; the app harness fails the test that caused one. */
  readonly unrendered: string[] = [];
  readonly token = '123456789:TEST-token-for-the-emulator-only';
  readonly sent: SentMessage[] = [];
  readonly calls: Array<{ method: string; params: Record<string, unknown> }> = [];
  private server?: Server;
  private updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private poll?: PendingPoll;
  private failures = new Map<number, Array<{ error_code: number; description: string; retry_after?: number }>>();
  private blocked = new Set<number>();
  webhook?: { url: string; secret?: string };
  /** Where webhook deliveries really go (the registered public URL is not reachable in tests). */
  webhookTarget?: string;
  /** Several app processes behind one webhook URL: deliveries go to each in turn. */
  webhookTargets?: string[];
  private nextTarget = 0;
  /** Like Telegram, post an update again (after 1 s, 2 s, up to 4 s) until it is answered 2xx. */
  redeliverFailed = false;
  /** Every webhook delivery attempt and its HTTP status (0: no answer). */
  readonly deliveries: Array<{ updateId: number; status: number }> = [];
  apiRoot = '';
  /** Sends refused with 429 because they were beyond `limits`. */
  refusedForLimits = 0;
  private window?: TelegramRateWindow;
  /** Like Telegram's setWebhook max_connections: at most this many webhook deliveries at once (unlimited when unset). */
  webhookMaxConnections?: number;
  private webhookInFlight = 0;
  private webhookQueue: Array<() => void> = [];
  /** Command menus as setMyCommands left them, by scope ("default" or "chat:<id>") and language ("" for all). */
  private menus = new Map<string, Array<{ command: string; description: string }>>();

  /** The commands a person sees in their chat, resolved as Telegram does: chat scope first, then the default, each by language first. */
  menuFor(chatId: number, languageCode = ''): Array<{ command: string; description: string }> {
    for (const key of [`chat:${chatId}|${languageCode}`, `chat:${chatId}|`, `default|${languageCode}`, 'default|']) {
      const menu = this.menus.get(key);
      if (menu) return menu;
    }
    return [];
  }

  private menuKey(params: Record<string, unknown>): string {
    const scope = params.scope as { type?: string; chat_id?: number | string } | undefined;
    const where = scope?.type === 'chat' ? `chat:${String(scope.chat_id)}` : 'default';
    return `${where}|${typeof params.language_code === 'string' ? params.language_code : ''}`;
  }

  /** Enforces Telegram's sending limits from now on (the benchmark), or stops enforcing them (undefined). */
  enforceLimits(limits: TelegramLimits | undefined): void {
    this.window = limits ? new TelegramRateWindow(limits) : undefined;
  }

  /** Listens on `port` (any free one by default; the same one again brings Telegram back after stop). */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      this.route(req)
        .then((body) => {
          res.writeHead(body.ok ? 200 : (body.error_code as number), { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, error_code: 500, description: String(error) }));
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.apiRoot = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    if (this.poll) {
      clearTimeout(this.poll.timer);
      this.poll.resolve([]);
    }
    // Gone at once, as a Telegram that became unreachable: open connections are cut, not waited for.
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    await closed;
  }

  /** A person chatting with the bot. */
  user(id: number, firstName: string, languageCode = 'vi') {
    const from = { id, is_bot: false, first_name: firstName, language_code: languageCode };
    const chat = { id, type: 'private', first_name: firstName };
    const message = (extra: Record<string, unknown>) => ({
      message: { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat, from, ...extra },
    });
    return {
      id,
      send: (text: string) => {
        const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] : undefined;
        return this.push(message({ text, entities }));
      },
      /** Sends a photo, as Telegram lists it: its sizes smallest first, each with its own file id (`<fileId>-s`, `-m`, then `fileId`). */
      sendPhoto: (fileId: string, caption?: string) =>
        this.push(
          message({
            photo: [
              { file_id: `${fileId}-s`, file_unique_id: `${fileId}-us`, width: 90, height: 160 },
              { file_id: `${fileId}-m`, file_unique_id: `${fileId}-um`, width: 320, height: 568 },
              { file_id: fileId, file_unique_id: `${fileId}-u`, width: 720, height: 1280 },
            ],
            ...(caption ? { caption } : {}),
          }),
        ),
      /** Shares a contact card: the person's own unless `userId` names someone else's. */
      shareContact: (phone: string, userId = id) => this.push(message({ contact: { phone_number: phone, first_name: firstName, user_id: userId } })),
      /** Presses the inline button with this label on the latest message that has it. */
      press: (label: string) => {
        const target = [...this.sent].reverse().find((m) => m.chatId === id && m.buttons.some((b) => b.text === label));
        const button = target?.buttons.find((b) => b.text === label);
        if (!target || !button?.callback_data) throw new Error(`no button "${label}" in chat ${id}`);
        return this.push({
          callback_query: {
            id: String(this.nextMessageId++),
            from,
            chat_instance: String(id),
            data: button.callback_data,
            message: { message_id: target.messageId, date: Math.floor(Date.now() / 1000), chat, text: target.text },
          },
        });
      },
    };
  }

  /** Queues an update; returns its id (for redelivery tests). */
  push(update: Record<string, unknown>, updateId = this.nextUpdateId++): number {
    const full = { update_id: updateId, ...update };
    // Like Telegram, ids only grow: later updates must stay above a redelivered one's id.
    this.nextUpdateId = Math.max(this.nextUpdateId, updateId + 1);
    if (this.webhook) {
      void this.withWebhookConnection(() => (this.redeliverFailed ? this.deliverUntilAccepted(full) : this.deliverToWebhook(full)));
      return updateId;
    }
    this.updates.push(full);
    this.flushPoll();
    return updateId;
  }

  /** Posts an update to the registered webhook as Telegram does; returns the HTTP status. */
  async deliverToWebhook(update: Record<string, unknown>, secret = this.webhook?.secret): Promise<number> {
    if (!this.webhook) throw new Error('no webhook set');
    const target = this.webhookTargets?.[this.nextTarget++ % this.webhookTargets.length] ?? this.webhookTarget ?? this.webhook.url;
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(update),
    });
    return response.status;
  }

  private async withWebhookConnection(deliver: () => Promise<unknown>): Promise<void> {
    while (this.webhookMaxConnections && this.webhookInFlight >= this.webhookMaxConnections) {
      await new Promise<void>((resolve) => this.webhookQueue.push(resolve));
    }
    this.webhookInFlight += 1;
    try {
      await deliver();
    } finally {
      this.webhookInFlight -= 1;
      this.webhookQueue.shift()?.();
    }
  }

  private async deliverUntilAccepted(update: { update_id: number }): Promise<void> {
    for (let attempt = 0; this.webhook && attempt < 120; attempt++) {
      const status = await this.deliverToWebhook(update).catch(() => 0);
      this.deliveries.push({ updateId: update.update_id, status });
      if (status >= 200 && status < 300) return;
      await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 4000)));
    }
  }

  messagesTo(chatId: number): SentMessage[] {
    return this.sent.filter((m) => m.chatId === chatId);
  }

  /** Waits until the chat has received `count` messages in all; returns them. */
  async waitForMessages(chatId: number, count: number, timeoutMs = 15_000): Promise<SentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messagesTo(chatId).length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `chat ${chatId} got ${this.messagesTo(chatId).length} of ${count} messages:\n${this.messagesTo(chatId)
            .map((m) => m.text)
            .join('\n---\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.messagesTo(chatId);
  }

  /** Waits for a message to the chat whose text contains `part`. */
  async waitForText(chatId: number, part: string | RegExp, timeoutMs = 15_000): Promise<SentMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messagesTo(chatId).find((m) => (typeof part === 'string' ? m.text.includes(part) : part.test(m.text)));
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no message with ${String(part)} in chat ${chatId}:\n${this.messagesTo(chatId)
            .map((m) => m.text)
            .join('\n---\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The next sends to this chat fail with these errors, in order. */
  failNext(chatId: number, ...errors: Array<{ error_code: number; description: string; retry_after?: number }>): void {
    this.failures.set(chatId, [...(this.failures.get(chatId) ?? []), ...errors]);
  }

  /** The person blocked the bot: every send to them fails with 403. */
  block(chatId: number): void {
    this.blocked.add(chatId);
  }

  private flushPoll(): void {
    if (!this.poll) return;
    const ready = this.updates.filter((u) => u.update_id >= this.poll!.offset).slice(0, 100);
    if (ready.length === 0) return;
    clearTimeout(this.poll.timer);
    const { resolve } = this.poll;
    this.poll = undefined;
    resolve(ready);
  }

  private async params(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      // File parts are kept as bytes (with their file names); grammY names them and points at them with attach://<name>.
      const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
      const delimiter = `--${boundary?.[1] ?? boundary?.[2] ?? ''}`;
      const result: Record<string, unknown> = {};
      for (const part of body.toString('latin1').split(delimiter)) {
        const [head = '', ...rest] = part.split('\r\n\r\n');
        const name = /name="([^"]+)"/.exec(head)?.[1];
        if (!name) continue;
        const bytes = Buffer.from(rest.join('\r\n\r\n').replace(/\r\n$/, ''), 'latin1');
        const value = bytes.toString('utf8');
        // grammY writes the file name unquoted (`filename=qr.png`); other clients quote it.
        const named = /filename=(?:"([^"]*)"|([^\r\n;]*))/.exec(head);
        const filename = named ? (named[1] ?? named[2] ?? '') : undefined;
        if (filename !== undefined) fileNames.set(bytes, Buffer.from(filename, 'latin1').toString('utf8'));
        result[name] = filename !== undefined ? bytes : /^[[{]/.test(value) ? JSON.parse(value) : value;
      }
      return result;
    }
    return body.length > 0 ? (JSON.parse(body.toString()) as Record<string, unknown>) : {};
  }

  private async route(req: IncomingMessage): Promise<Record<string, unknown>> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!match || match[1] !== this.token) return { ok: false, error_code: 401, description: 'Unauthorized' };
    const method = match[2]!;
    const params = await this.params(req);
    this.calls.push({ method, params });
    switch (method) {
      case 'getMe':
        return { ok: true, result: { id: 123456789, is_bot: true, first_name: 'Salon Mai', username: 'salon_mai_bot' } };
      case 'getUpdates':
        return { ok: true, result: await this.getUpdates(params) };
      case 'setWebhook':
        this.webhook = { url: String(params.url), secret: params.secret_token as string | undefined };
        return { ok: true, result: true };
      case 'deleteWebhook':
        this.webhook = undefined;
        return { ok: true, result: true };
      case 'setMyCommands':
        this.menus.set(this.menuKey(params), params.commands as Array<{ command: string; description: string }>);
        return { ok: true, result: true };
      case 'deleteMyCommands':
        this.menus.delete(this.menuKey(params));
        return { ok: true, result: true };
      case 'answerCallbackQuery':
        return { ok: true, result: true };
      case 'sendMessage':
      case 'sendPhoto':
      case 'sendDocument':
        return this.recordSend(method, params);
      default:
        return { ok: false, error_code: 404, description: `Not Found: method ${method}` };
    }
  }

  private getUpdates(params: Record<string, unknown>): Promise<unknown[]> {
    const offset = Number(params.offset ?? 0);
    // Like Telegram: at most `limit` updates (default 100) per call.
    const limit = Math.min(Math.max(Number(params.limit ?? 100), 1), 100);
    this.updates = this.updates.filter((u) => u.update_id >= offset);
    if (this.updates.length > 0 || Number(params.timeout ?? 0) === 0) return Promise.resolve(this.updates.slice(0, limit));
    if (this.poll) {
      clearTimeout(this.poll.timer);
      this.poll.resolve([]);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.poll = undefined;
          resolve([]);
        },
        Math.min(Number(params.timeout) * 1000, 1000),
      );
      this.poll = { offset, resolve, timer };
    });
  }

  private recordSend(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const chatId = Number(params.chat_id);
    if (this.blocked.has(chatId)) return { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' };
    const failure = this.failures.get(chatId)?.shift();
    if (failure) {
      return { ok: false, ...failure, ...(failure.retry_after ? { parameters: { retry_after: failure.retry_after } } : {}) };
    }
    const retryAfter = this.window?.take(chatId, Date.now());
    if (retryAfter !== undefined) {
      this.refusedForLimits += 1;
      return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } };
    }
    const markup = params.reply_markup as { inline_keyboard?: SentMessage['buttons'][]; keyboard?: SentMessage['buttons'][] } | undefined;
    // As the Bot API: a link button opens only http(s) and tg:// links; a copy button copies 1-256 characters.
    for (const button of (markup?.inline_keyboard ?? []).flat()) {
      if (button.url !== undefined && !/^(https?|tg):\/\//.test(button.url))
        return { ok: false, error_code: 400, description: 'Bad Request: BUTTON_URL_INVALID' };
      const copied = button.copy_text?.text.length;
      if (copied !== undefined && (copied < 1 || copied > 256)) return { ok: false, error_code: 400, description: 'Bad Request: COPY_TEXT_INVALID' };
    }
    const message: SentMessage = {
      messageId: this.nextMessageId++,
      chatId,
      text: ((method === 'sendMessage' ? params.text : params.caption) as string | undefined) ?? '',
      photo: method === 'sendPhoto' ? attachedFile(params, params.photo) : undefined,
      photoRef: method === 'sendPhoto' && typeof params.photo === 'string' && !params.photo.startsWith('attach://') ? params.photo : undefined,
      document: method === 'sendDocument' ? documentOf(attachedFile(params, params.document)) : undefined,
      buttons: [...(markup?.inline_keyboard ?? []), ...(markup?.keyboard ?? [])].flat(),
      at: Date.now(),
    };
    this.sent.push(message);
    if (unrenderedPlaceholder.test(message.text)) this.unrendered.push(message.text);
    return {
      ok: true,
      result: { message_id: message.messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, text: message.text },
    };
  }
}

/** The file names of uploaded parts, by their bytes. */
const fileNames = new WeakMap<Buffer, string>();

function documentOf(content: Buffer | undefined): SentMessage['document'] {
  return content ? { filename: fileNames.get(content) ?? '', content } : undefined;
}

function attachedFile(params: Record<string, unknown>, field: unknown): Buffer | undefined {
  if (Buffer.isBuffer(field)) return field;
  const attached = typeof field === 'string' && field.startsWith('attach://') ? params[field.slice('attach://'.length)] : undefined;
  return Buffer.isBuffer(attached) ? attached : undefined;
}
