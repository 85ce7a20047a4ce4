import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Translate } from '../../i18n.js';
import { publishQrImage } from '../../http/public-pages.js';
import { PER_PERSON_RATE_LIMIT, type ChatChannel, type ChatChannelDeps } from '../channel.js';
import { createConversation } from '../conversation/conversation.js';
import type { Reply } from '../conversation/reply.js';
import type { MessageSender, SendResult } from '../sender.js';
import { createZaloClient, updateSchema, ZaloApiError, type ZaloUpdate } from './client.js';

export interface ZaloChannelDeps extends ChatChannelDeps {
  /** Long-poll timeout in seconds. */
  pollTimeoutSeconds?: number;
}

export const ZALO_WEBHOOK_PATH = '/zalo/webhook';

/**
 * Maps a failed Zalo call to what the notifier should do about it. Only a refusal about the
 * message or the chat itself (400, 404) is permanent. 401 means our token is wrong, which the
 * owner can fix, and Zalo's table labels 403 "internal server error": both are retried (the
 * notifier bounds the attempts) rather than giving up on the customer.
 */
export function classifyZaloError(error: unknown): SendResult {
  if (error instanceof ZaloApiError) {
    const reason = `${error.errorCode} ${error.description}`;
    if (error.errorCode === 429) return { ok: false, kind: 'retry', reason, retryAfterMs: 30_000 };
    if (error.errorCode === 400 || error.errorCode === 404) return { ok: false, kind: 'permanent', reason };
    return { ok: false, kind: 'retry', reason };
  }
  return { ok: false, kind: 'retry', reason: String(error) };
}

/** One published image per chat and picture: a new member QR under the same caption is a new image. */
function imageKey(chatId: string, png: Buffer): string {
  return `${chatId}:${createHash('sha256').update(png).digest('hex')}`;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The Zalo bot (Zalo Bot Platform): the same conversation as Telegram. Zalo has no buttons,
 * so choices become numbered lines ("reply 1 or 2") and links are written out; photos go
 * by public URL; a newcomer sends the referral code as a message.
 */
export function createZaloChannel(deps: ZaloChannelDeps): ChatChannel & { sender: MessageSender } {
  const { services, models, i18n, logger } = deps;
  const client = createZaloClient({ token: deps.token, apiRoot: deps.apiRoot });
  let running = false;
  let botName = '';
  let polling: Promise<void> | undefined;
  const stopPolling = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const conversation = createConversation(
    { services, program: deps.program, i18n, logger, publicUrl: deps.publicUrl },
    {
      referral: (code) => `${deps.publicUrl}/r/${code}`,
      // Zalo links carry no payload: the member QR opens a web page that leads staff to the card.
      memberCard: (memberToken) => `${deps.publicUrl}/m/${memberToken}`,
    },
    { bareCodes: true, typedPhone: true, numberedChoices: true },
  );

  async function send(chatId: string, reply: Reply, t: Translate): Promise<void> {
    const lines = [reply.text];
    const actions: string[] = [];
    for (const button of (reply.buttons ?? []).flat()) {
      if ('url' in button) lines.push(`${button.label}: ${button.url}`);
      else {
        actions.push(button.action);
        lines.push(`${actions.length}. ${button.label}`);
      }
    }
    // The conversation registered these as the chat's numbered list; "2" presses the second.
    if (actions.length > 0) lines.push(t('zalo:replyWithNumber', { choices: actions.map((_, i) => i + 1).join(', ') }));
    const text = lines.join('\n');
    if (reply.photo) {
      const url = await publishQrImage(models, deps.publicUrl, imageKey(chatId, reply.photo), reply.photo);
      await client.sendPhoto(chatId, url, text);
    } else {
      await client.sendMessage(chatId, text);
    }
  }

  /** The person's language, or the shop's default for someone the bot does not know yet. */
  async function translatorFor(identity: string): Promise<Translate> {
    const customer = await services.customers.findByIdentity(identity);
    return i18n.forLocale(customer?.locale ?? i18n.defaultLocale);
  }

  const rateLimiter = new RateLimiterMemory({ points: PER_PERSON_RATE_LIMIT.messages, duration: PER_PERSON_RATE_LIMIT.seconds });
  /**
   * 'ok' within the chat's share; 'first_over' for the first message past it (answered once, as
   * on Telegram); 'over' for the rest of the burst. The limiter rejects with a result, not an error.
   */
  async function rateLimit(chatId: string): Promise<'ok' | 'first_over' | 'over'> {
    return rateLimiter.consume(chatId).then(
      () => 'ok' as const,
      (rejection: unknown) => {
        if (rejection instanceof Error) throw rejection;
        return (rejection as RateLimiterRes).consumedPoints === PER_PERSON_RATE_LIMIT.messages + 1 ? 'first_over' : 'over';
      },
    );
  }

  async function handle(update: ZaloUpdate): Promise<void> {
    const { message } = update;
    if (update.event_name !== 'message.text.received' || message.chat.chat_type === 'GROUP' || !message.text) return;
    try {
      await models.ProcessedUpdate.create({ key: `zalo:${message.message_id}` });
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return;
      throw error;
    }
    const identity = `zalo:${message.chat.id}`;
    try {
      const limit = await rateLimit(message.chat.id);
      if (limit !== 'ok') {
        if (limit === 'first_over') await client.sendMessage(message.chat.id, (await translatorFor(identity))('bot:slowDown'));
        return;
      }
      const replies = await conversation.handle({
        identity,
        chatId: message.chat.id,
        displayName: message.from.display_name,
        text: message.text,
        requestKey: `zalo:${message.message_id}`,
      });
      const t = await translatorFor(identity);
      for (const reply of replies) await send(message.chat.id, reply, t);
    } catch (error) {
      logger.error({ err: error, messageId: message.message_id, chatId: message.chat.id }, 'zalo update failed');
      const t = await translatorFor(identity).catch(() => i18n.forLocale(i18n.defaultLocale));
      await client.sendMessage(message.chat.id, t('common:genericError')).catch(() => undefined);
    }
  }

  /** Handles an update in the background, remembered so stop() can wait for it. */
  function track(update: ZaloUpdate): void {
    const work = handle(update).finally(() => inFlight.delete(work));
    inFlight.add(work);
  }

  async function pollLoop(): Promise<void> {
    while (running) {
      try {
        const update = await client.getUpdates(deps.pollTimeoutSeconds ?? 30, stopPolling.signal);
        if (update && running) await handle(update);
      } catch (error) {
        if (!running) return;
        logger.warn({ err: error }, 'zalo polling failed; retrying in 3 s');
        await new Promise((r) => setTimeout(r, 3000));
      }
    }
  }

  const router: Router | undefined =
    deps.mode === 'webhook'
      ? express.Router().post(ZALO_WEBHOOK_PATH, express.json({ limit: '256kb' }), (req, res) => {
          if (!deps.webhookSecret || !sameSecret(req.get('x-bot-api-secret-token'), deps.webhookSecret)) {
            res.status(401).json({ ok: false });
            return;
          }
          // Zalo's sample wraps the update in { ok, result }; live deliveries have been seen bare.
          const body = req.body as { result?: unknown } | undefined;
          const parsed = updateSchema.safeParse(body && 'result' in body ? body.result : body);
          res.json({ ok: true });
          if (parsed.success) track(parsed.data);
          else req.log.info({ issues: parsed.error.issues.length }, 'ignored a zalo webhook body of unknown shape');
        })
      : undefined;

  const sender: MessageSender = {
    channel: 'zalo',
    async send(chatId, message) {
      // Zalo has no link buttons: the links go on their own lines under the text.
      const text = [message.text, ...(message.links ?? []).map((link) => `${link.label}: ${link.url}`)].join('\n');
      try {
        if (message.photo) {
          const url = message.photo.publicUrl ?? (await publishQrImage(models, deps.publicUrl, imageKey(chatId, message.photo.png), message.photo.png));
          await client.sendPhoto(chatId, url, text);
        } else {
          await client.sendMessage(chatId, text);
        }
        return { ok: true };
      } catch (error) {
        return classifyZaloError(error);
      }
    },
  };

  return {
    name: 'zalo',
    router,
    sender,
    async init() {
      const me = await client.getMe();
      botName = me.account_name ?? me.id;
    },
    async start() {
      if (deps.mode === 'webhook') {
        await client.setWebhook(`${deps.publicUrl}${ZALO_WEBHOOK_PATH}`, deps.webhookSecret ?? '');
        running = true;
        return;
      }
      // Polling and a webhook exclude each other on Zalo.
      await client.deleteWebhook();
      running = true;
      polling = pollLoop();
    },
    async stop() {
      running = false;
      stopPolling.abort();
      await polling;
      await Promise.all(inFlight);
    },
    isUp: () => running,
    describe: () => `${botName}, ${deps.mode === 'webhook' ? 'webhook' : 'long polling'}`,
  };
}
