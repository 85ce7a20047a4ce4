import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { Announcement } from '../db/models/announcement.js';
import { findEach } from '../db/each-value.js';
import type { Models } from '../db/models/index.js';
import type { NotificationStatus } from '../db/models/notification.js';
import { notSeenBefore, parseDraft, type AnnouncementFigures, type Audience, type DraftError } from '../domain/announcements.js';

export type { AnnouncementFigures } from '../domain/announcements.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';

/** Recipients recorded per insert: one command each, and never the whole audience in memory. */
export const RECORD_BATCH = 500;

export type AnnouncementsDeps = Pick<ServicePieces, 'program' | 'now' | 'timezone' | 'access' | 'audit' | 'claims' | 'outbox' | 'logger'> & {
  models: Pick<Models, 'Announcement' | 'Customer' | 'Notification'>;
};

export type AnnouncementView = Pick<Announcement, '_id' | 'status' | 'text' | 'audience' | 'sentAt' | 'createdAt'>;

type NotAllowed = { ok: false; reason: 'not_allowed' };
export type SaveResult =
  | { ok: true; id: string }
  | NotAllowed
  | { ok: false; reason: 'invalid'; errors: DraftError[] }
  | { ok: false; reason: 'already_sent' | 'not_found' };
export type SendResult = { ok: true; duplicate: boolean } | NotAllowed | { ok: false; reason: 'not_found' | 'no_recipients' };

/**
 * The owner's announcements: a draft (texts in vi and en, an audience), its count, a test to
 * the owner's own chat, and the send, once. The one writer of Announcement; its messages are
 * recorded through the outbox, in batches, by `recordPending` (the announcements job).
 *
 * Who receives one: customers (not staff or the owner: the shop tells its people itself) who
 * said yes to offers (`marketingConsent`), can be reached in a chat (`lastIdentity`) and were
 * not erased, narrowed to a tier or to those not seen for N days. One message per person,
 * to the chat they used last; delivery checks their yes again when it goes.
 */
export function createAnnouncementService(ctx: AnnouncementsDeps) {
  const { models, program, access, audit, claims, outbox } = ctx;
  /** The tiers as customers store them: by id, so a renamed tier keeps its audience. */
  const tierKeys = () => program.tiers.map((tier) => tier.id);

  function audienceFilter(audience: Audience, cutoff?: string): Record<string, unknown> {
    const filter: Record<string, unknown> = {
      marketingConsent: true,
      role: 'customer',
      lastIdentity: { $exists: true },
      erasure: { $exists: false },
    };
    if (audience.kind === 'tier') filter.tier = audience.tier;
    if (audience.kind === 'inactive') filter.lastSeenDay = { $lt: cutoff ?? notSeenBefore(ctx.now(), audience.days, ctx.timezone) };
    return filter;
  }

  const audienceOf = (announcement: Pick<Announcement, 'audience'>): Audience => {
    const { kind, tier, days } = announcement.audience;
    if (kind === 'tier') return { kind, tier: tier ?? '' };
    if (kind === 'inactive') return { kind, days: days ?? 1 };
    return { kind: 'everyone' };
  };

  const idOf = (id: string) => (Types.ObjectId.isValid(id) && String(new Types.ObjectId(id)) === id ? new Types.ObjectId(id) : undefined);

  /** A fresh id for the compose form: the form sent twice is one announcement. */
  const newDraftId = () => String(new Types.ObjectId());

  /** How many people the audience reaches now. */
  async function countAudience(actor: Actor, audience: Audience): Promise<{ ok: true; count: number } | NotAllowed> {
    const allowed = await access.authorize(actor, 'announcement_count', ['owner']);
    if (!allowed.ok) return allowed;
    return { ok: true, count: await models.Customer.countDocuments(audienceFilter(audience)) };
  }

  /** Saves the form as the draft `id` (created on its first save); a sent one no longer changes. */
  async function saveDraft(actor: Actor, id: string, raw: Record<string, unknown>): Promise<SaveResult> {
    const allowed = await access.authorize(actor, 'announcement_draft', ['owner']);
    if (!allowed.ok) return allowed;
    const _id = idOf(id);
    if (!_id) return { ok: false, reason: 'not_found' };
    const parsed = parseDraft(raw, tierKeys());
    if (!parsed.ok) return { ok: false, reason: 'invalid', errors: parsed.errors };
    const { vi, en, audience } = parsed.draft;
    try {
      await models.Announcement.updateOne(
        { _id, status: 'draft' },
        { $set: { text: { vi, en }, audience }, $setOnInsert: { createdBy: actor.customerId } },
        { upsert: true },
      );
    } catch (error) {
      // The id is taken by an announcement already sent.
      if (isDuplicateKey(error)) return { ok: false, reason: 'already_sent' };
      throw error;
    }
    return { ok: true, id };
  }

  /** One announcement: a draft with how many it would reach now, a sent one with its figures. */
  async function get(
    actor: Actor,
    id: string,
  ): Promise<
    { ok: true; announcement: AnnouncementView; count?: number; figures?: AnnouncementFigures } | NotAllowed | { ok: false; reason: 'not_found' }
  > {
    const allowed = await access.authorize(actor, 'announcement_view', ['owner']);
    if (!allowed.ok) return allowed;
    const _id = idOf(id);
    const announcement = _id && (await models.Announcement.findById(_id).lean<Announcement>());
    if (!announcement) return { ok: false, reason: 'not_found' };
    if (announcement.status === 'draft')
      return { ok: true, announcement, count: await models.Customer.countDocuments(audienceFilter(audienceOf(announcement))) };
    return { ok: true, announcement, figures: await figuresOf(announcement) };
  }

  /**
   * The draft to the owner's own chat, marked as a test and counted nowhere; the same texts
   * asked twice are sent once.
   */
  async function sendTest(actor: Actor, id: string): Promise<{ ok: true } | NotAllowed | { ok: false; reason: 'not_found' }> {
    const allowed = await access.authorize(actor, 'announcement_test', ['owner']);
    if (!allowed.ok) return allowed;
    const _id = idOf(id);
    const draft = _id && (await models.Announcement.findById(_id, { text: 1 }).lean<Announcement>());
    if (!draft) return { ok: false, reason: 'not_found' };
    const text = { vi: draft.text.vi, en: draft.text.en };
    const version = createHash('sha256').update(JSON.stringify(text)).digest('base64url').slice(0, 16);
    await outbox.record(`announcement_test:${id}:${String(actor.customerId)}:${version}`, 'announcement_test', actor.customerId, { text });
    await audit.action(allowed.actor, 'announcement_test', 'recorded', undefined, { announcementId: id });
    return { ok: true };
  }

  /**
   * Sends the draft, once: the claim decides who sends; a second press (or a retry after a
   * crash before the draft was marked) carries on with the same announcement. The messages
   * are recorded by the announcements job.
   */
  async function send(actor: Actor, id: string): Promise<SendResult> {
    const allowed = await access.authorize(actor, 'announcement_send', ['owner']);
    if (!allowed.ok) return allowed;
    const _id = idOf(id);
    const announcement = _id && (await models.Announcement.findById(_id).lean<Announcement>());
    if (!_id || !announcement) return { ok: false, reason: 'not_found' };
    if (announcement.status !== 'draft') return { ok: true, duplicate: true };
    const audience = audienceOf(announcement);
    const cutoff = audience.kind === 'inactive' ? notSeenBefore(ctx.now(), audience.days, ctx.timezone) : undefined;
    const count = await models.Customer.countDocuments(audienceFilter(audience, cutoff));
    if (count === 0) return { ok: false, reason: 'no_recipients' };
    const first = await claims.take(`announcement_send:${id}`, String(actor.customerId));
    await models.Announcement.updateOne(
      { _id, status: 'draft' },
      { $set: { status: 'recording', sentBy: actor.customerId, sentAt: ctx.now(), ...(cutoff ? { notSeenBefore: cutoff } : {}) } },
    );
    if (first) await audit.action(allowed.actor, 'announcement_send', 'sent', undefined, { announcementId: id, audience: audience.kind, count });
    return { ok: true, duplicate: !first };
  }

  /** Records the messages of one sent announcement, a batch at a time, from where it stopped. */
  async function record(announcement: Announcement): Promise<void> {
    const filter = audienceFilter(audienceOf(announcement), announcement.notSeenBefore ?? undefined);
    if (announcement.recordedUpTo) filter._id = { $gt: announcement.recordedUpTo };
    const cursor = models.Customer.find(filter, { _id: 1 }).sort({ _id: 1 }).lean().cursor({ batchSize: RECORD_BATCH });
    const id = String(announcement._id);
    let batch: Types.ObjectId[] = [];
    const flush = async () => {
      await outbox.recordMany(
        batch.map((customerId) => ({
          key: `announcement:${id}:${String(customerId)}`,
          type: 'announcement' as const,
          customerId,
          announcementId: announcement._id,
          data: { announcementId: id },
        })),
      );
      await models.Announcement.updateOne({ _id: announcement._id }, { $set: { recordedUpTo: batch[batch.length - 1] } });
      batch = [];
    };
    for await (const customer of cursor) {
      batch.push(customer._id);
      if (batch.length >= RECORD_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    const recipients = await models.Notification.countDocuments({ announcementId: announcement._id });
    await models.Announcement.updateOne({ _id: announcement._id }, { $set: { status: 'recorded', recordedAt: ctx.now(), recipients } });
  }

  /** The announcements job: records every sent announcement whose messages are not all recorded yet. */
  async function recordPending(): Promise<number> {
    const pending = await models.Announcement.find({ status: 'recording' }).sort({ sentAt: 1 }).lean<Announcement[]>();
    for (const announcement of pending) await record(announcement);
    return pending.length;
  }

  /**
   * The figures, tallied from one read of the messages' statuses (streamed). Once every message
   * is done they are kept on the announcement: they no longer change, and the messages
   * themselves go at the end of their retention.
   */
  async function figuresOf(announcement: Pick<Announcement, '_id' | 'status' | 'recipients' | 'figures'>): Promise<AnnouncementFigures> {
    if (announcement.figures) return announcement.figures;
    const tally: Partial<Record<NotificationStatus, number>> = {};
    const statuses = models.Notification.find({ announcementId: announcement._id }, { _id: 0, status: 1 })
      .lean<Array<{ status: NotificationStatus }>>()
      .cursor({ batchSize: 2000 });
    for await (const { status } of statuses) tally[status] = (tally[status] ?? 0) + 1;
    const n = (status: NotificationStatus) => tally[status] ?? 0;
    const [waiting, delivered, failed] = [n('pending') + n('sending'), n('sent'), n('undeliverable') + n('uncertain')];
    const recorded = waiting + delivered + failed + n('withdrawn');
    // Erased people's messages are deleted with them: the recorded number still counts them, as withdrawn.
    const recipients = Math.max(announcement.recipients ?? recorded, recorded);
    const figures = { recipients, sent: delivered + failed, delivered, failed, withdrawn: recipients - waiting - delivered - failed, waiting };
    if (announcement.status === 'recorded' && waiting === 0) await models.Announcement.updateOne({ _id: announcement._id }, { $set: { figures } });
    return figures;
  }

  /** The announcements sent, newest first, with their figures. */
  async function list(
    actor: Actor,
    limit = 30,
  ): Promise<{ ok: true; items: Array<AnnouncementView & { figures: AnnouncementFigures }> } | NotAllowed> {
    const allowed = await access.authorize(actor, 'announcement_list', ['owner']);
    if (!allowed.ok) return allowed;
    const sent = (
      await findEach(['recording', 'recorded'] as const, (status) =>
        models.Announcement.find({ status }).sort({ sentAt: -1 }).limit(limit).lean<Announcement[]>(),
      )
    )
      .sort((a, b) => (b.sentAt?.getTime() ?? 0) - (a.sentAt?.getTime() ?? 0))
      .slice(0, limit);
    const items = [];
    for (const announcement of sent) items.push({ ...announcement, figures: await figuresOf(announcement) });
    return { ok: true, items };
  }

  return { newDraftId, tierKeys, countAudience, saveDraft, get, sendTest, send, recordPending, list };
}

export type AnnouncementService = ReturnType<typeof createAnnouncementService>;
