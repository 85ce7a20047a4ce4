import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Router } from 'express';
import { isDatabaseUnavailable } from '../../db/connection.js';
import { identityOf } from '../../domain/identity.js';
import { SendPacer, zaloLimits } from '../../domain/send-pacing.js';
import type { Locale, Translate } from '../../i18n.js';
import { PER_PERSON_RATE_LIMIT, UpdateBusyError, type ChatChannel, type ChatChannelDeps } from '../channel.js';
import { createConversation } from '../conversation/conversation.js';
import type { Reply } from '../conversation/reply.js';
import type { MessageSender, SendResult } from '../../services/ports.js';
import { createZaloClient, updateSchema, ZaloApiError, type ZaloUpdate } from './client.js';
import { landingLink } from '../../domain/referral-source.js';

export type ZaloChannelDeps = ChatChannelDeps & {
  /** Long-poll timeout in seconds. */
  pollTimeoutSeconds?: number;
};

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
  const { services, i18n, logger } = deps;
  // Replies and notifications share one pacer, so together they keep to Zalo's advised rate.
  const pacer = new SendPacer(zaloLimits);
  const client = createZaloClient({ token: deps.token, apiRoot: deps.apiRoot, pacer });
  let running = false;
  let botName = '';
  let polling: Promise<void> | undefined;
  let pollingHealthy = false;
  const stopPolling = new AbortController();
  const inFlight = new Set<Promise<unknown>>();

  const conversation = createConversation(
    { services, program: deps.program, i18n, logger, publicUrl: deps.publicUrl },
    {
      network: 'zalo',
      // Zalo has no share address of its own (domain/share-links.ts): the invitation forwarded in Zalo shares this.
      referral: (code) => landingLink(deps.publicUrl, code, 'zalo'),
      // Zalo links carry no payload: the member QR opens a web page that leads staff to the card.
      memberCard: (memberToken) => `${deps.publicUrl}/m/${memberToken}`,
    },
    { bareCodes: true, typedPhone: true, numberedChoices: true, noFiles: true },
  );

  async function send(chatId: string, reply: Reply, t: Translate): Promise<void> {
    const lines = [reply.text];
    const actions: string[] = [];
    for (const button of (reply.buttons ?? []).flat()) {
      if ('url' in button) lines.push(`${button.label}: ${button.url}`);
      else if ('copy' in button) lines.push(`${button.label}: ${button.copy}`);
      else {
        actions.push(button.action);
        lines.push(`${actions.length}. ${button.label}`);
      }
    }
    // The conversation registered these as the chat's numbered list; "2" presses the second.
    if (actions.length > 0) lines.push(t('zalo:replyWithNumber', { choices: actions.map((_, i) => i + 1).join(', ') }));
    // A photo sent on Telegram can only be shown there.
    if (reply.sentPhoto?.telegramFileId) lines.splice(1, 0, t('zalo:photoOnTelegram'));
    const text = lines.join('\n');
    if (reply.photo) {
      const url = await services.qrImages.publish(imageKey(chatId, reply.photo), reply.photo);
      await client.sendPhoto(chatId, url, text);
    } else if (reply.sentPhoto?.url) {
      await client.sendPhoto(chatId, reply.sentPhoto.url, text);
    } else {
      await client.sendMessage(chatId, text);
    }
  }

  /** Languages of people seen lately, so the apology for a failure needs no database. */
  const recentLocales = new Map<string, Locale>();
  const remember = (identity: string, locale: Locale) => {
    recentLocales.delete(identity);
    recentLocales.set(identity, locale);
    if (recentLocales.size > 10_000) recentLocales.delete(recentLocales.keys().next().value ?? '');
  };

  /**
   * Handles one update once (see services.updates). Throws when it must come again: the
   * database was unreachable (the claim was released) or another process holds it.
   * Anything else is logged and answered with an apology that needs no database.
   */
  async function handle(update: ZaloUpdate): Promise<void> {
    const { message } = update;
    // Texts, and photos (a review screenshot); Zalo sends the image's URL.
    const photo = update.event_name === 'message.image.received' ? message.photo : undefined;
    if (message.chat.chat_type === 'GROUP' || !(photo || (update.event_name === 'message.text.received' && message.text))) return;
    const identity = identityOf('zalo', message.chat.id);
    const key = `zalo:${message.message_id}`;
    const outcome = await services.updates.handleOnce(key, async () => {
      try {
        // Zalo's `date` is when the person sent it (ms), so a backlog after an outage is no flood.
        const sentAt = typeof message.date === 'number' ? new Date(message.date) : new Date();
        const limit = await services.limits.flood(identity, sentAt, PER_PERSON_RATE_LIMIT);
        if (limit !== 'ok') {
          if (limit === 'first_over') {
            const known = await services.customers.findByIdentity(identity);
            await client.sendMessage(message.chat.id, i18n.forLocale(known?.locale ?? i18n.defaultLocale)('bot:slowDown'));
          }
          return;
        }
        const incoming = {
          identity,
          chatId: message.chat.id,
          displayName: message.from.display_name,
          text: photo ? undefined : message.text,
          photo: photo ? { url: photo } : undefined,
          requestKey: key,
        };
        const turn = await conversation.join(incoming);
        remember(identity, turn.s.locale);
        const replies = await conversation.answer(turn, incoming);
        // In the language the answer left the person in (after /lang, the new one).
        const t = i18n.forLocale(turn.s.customer.locale);
        for (const reply of replies) await send(message.chat.id, reply, t);
      } catch (error) {
        if (isDatabaseUnavailable(error)) throw error;
        logger.error({ err: error, messageId: message.message_id, chatId: message.chat.id }, 'zalo update failed');
        await client
          .sendMessage(message.chat.id, i18n.forLocale(recentLocales.get(identity) ?? i18n.defaultLocale)('common:genericError'))
          .catch(() => undefined);
      }
    });
    if (outcome === 'busy') throw new UpdateBusyError(key);
  }

  /** Runs `work`, remembered so stop() can wait for it. */
  function track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    return tracked;
  }

  /**
   * Zalo's getUpdates has no acknowledgement: an update it returned is ours alone. So one
   * that could not be handled (database away) is kept and retried here, with growing waits,
   * until it is handled; later updates wait at Zalo meanwhile.
   */
  async function handleUntilDone(update: ZaloUpdate): Promise<void> {
    for (let failures = 0; running; failures++) {
      try {
        await handle(update);
        if (failures > 0) logger.info({ failures }, 'zalo updates are handled again');
        return;
      } catch (error) {
        if (failures === 0) logger.warn({ err: error, messageId: update.message.message_id }, 'zalo update not handled; retrying');
        await sleep(Math.min(500 * 2 ** (failures + 1), 5000), undefined, { signal: stopPolling.signal }).catch(() => undefined);
      }
    }
    logger.warn({ messageId: update.message.message_id }, 'stopped before a zalo update could be handled');
  }

  async function pollLoop(): Promise<void> {
    while (running) {
      try {
        const update = await client.getUpdates(deps.pollTimeoutSeconds ?? 30, stopPolling.signal);
        pollingHealthy = true;
        if (update && running) await track(handleUntilDone(update));
      } catch (error) {
        if (!running) return;
        pollingHealthy = false;
        logger.warn({ err: error }, 'zalo polling failed; retrying in 3 s');
        await sleep(3000, undefined, { signal: stopPolling.signal }).catch(() => undefined);
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
          if (!parsed.success) {
            req.log.info({ issues: parsed.error.issues.length }, 'ignored a zalo webhook body of unknown shape');
            res.json({ ok: true });
            return;
          }
          // Answered after handling: a 5xx (database away, or another process holds it) asks
          // Zalo to deliver it again; nothing is marked handled that was not.
          track(handle(parsed.data)).then(
            () => res.json({ ok: true }),
            (error: unknown) => {
              req.log.warn({ err: error }, 'zalo update not handled; asking for redelivery');
              res.status(503).json({ ok: false });
            },
          );
        })
      : undefined;

  const sender: MessageSender = {
    channel: 'zalo',
    pacer,
    async send(chatId, message) {
      // Zalo has no link buttons: the links go on their own lines under the text.
      const text = [message.text, ...(message.links ?? []).map((link) => `${link.label}: ${link.url}`)].join('\n');
      try {
        if (message.photo) {
          const url = message.photo.publicUrl ?? (await services.qrImages.publish(imageKey(chatId, message.photo.png), message.photo.png));
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
    registry: conversation.registry,
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
      pollingHealthy = true;
      polling = pollLoop();
    },
    async stop() {
      running = false;
      stopPolling.abort();
      await polling;
      await Promise.allSettled(inFlight);
    },
    isUp: () => running && (deps.mode === 'webhook' || pollingHealthy),
    describe: () => `${botName}, ${deps.mode === 'webhook' ? 'webhook' : 'long polling'}`,
  };
}
