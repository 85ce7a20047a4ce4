import type { Types } from 'mongoose';
import type { Models } from '../db/models/index.js';
import { nameFields } from '../domain/names.js';

/**
 * The customer record's steps of personal data (part of the customer records, the one writer
 * of Customer): the agreement to the notice, offers on or off, a referral code kept until
 * agreement, inactivity, erasure, and the search keys of names stored before they existed.
 */
export function createCustomerPrivacyRecords(models: Pick<Models, 'Customer' | 'ChannelIdentity'>, now: () => Date) {
  const { Customer: customers, ChannelIdentity: identities } = models;

  /** The agreement to notice `version` (see services/consent.ts), with the name the program may now keep; a remembered referral code is used up. */
  async function recordAgreement(customerId: Types.ObjectId, version: string, at: Date, name: string | undefined): Promise<void> {
    await customers.updateOne(
      { _id: customerId },
      {
        $set: { consentVersion: version, consentAt: at, ...(name ? { name, ...nameFields(name) } : {}) },
        $unset: { pendingReferralCode: 1, pendingReferralAt: 1 },
      },
    );
  }

  /** Offers on or off; `stopped` marks an off by /stop, which /start again undoes. */
  async function setMarketing(customerId: Types.ObjectId, given: boolean, at: Date, stopped: boolean): Promise<void> {
    await customers.updateOne(
      { _id: customerId },
      stopped
        ? { $set: { marketingConsent: given, marketingConsentAt: at, marketingStoppedAt: at } }
        : { $set: { marketingConsent: given, marketingConsentAt: at }, $unset: { marketingStoppedAt: 1 } },
    );
  }

  /** The referral code a person arrived with before agreeing, until they agree (undefined: forgotten). */
  async function rememberReferral(customerId: Types.ObjectId, code: string | undefined, at: Date): Promise<void> {
    await customers.updateOne(
      { _id: customerId },
      code ? { $set: { pendingReferralCode: code, pendingReferralAt: at } } : { $unset: { pendingReferralCode: 1, pendingReferralAt: 1 } },
    );
  }

  /** Inactive customers: one with no seen day yet (a record from before it was kept) counts from `day`. */
  async function startSeenDay(customerId: Types.ObjectId, day: string): Promise<void> {
    await customers.updateOne({ _id: customerId, lastSeenDay: { $exists: false } }, { $set: { lastSeenDay: day } });
  }

  /** The inactivity notice was recorded on `day`, unless the person was seen meanwhile (`seenDay` moved on). */
  async function markInactiveNotice(customerId: Types.ObjectId, seenDay: string, day: string): Promise<void> {
    await customers.updateOne({ _id: customerId, lastSeenDay: seenDay }, { $set: { inactiveNoticeDay: day } });
  }

  /** Erasure begins: marked first, so a crash half-way leaves a record the maintenance job finishes. */
  async function beginErasure(customerId: Types.ObjectId): Promise<void> {
    await customers.updateOne({ _id: customerId, erasure: { $ne: 'done' } }, { $set: { erasure: 'started' } });
  }

  /** The person's chats are forgotten: a new message from one of them is a stranger's. */
  async function forgetIdentities(customerId: Types.ObjectId): Promise<void> {
    await identities.deleteMany({ customerId });
  }

  /**
   * Erasure ends: the record keeps its id, points, visit count and tier (the shop's accounts and
   * others' referral counts point at it) under `code`, a pseudonym no lookup or link accepts;
   * name, phone, birthday and where to reach the person are gone. Marked done only now.
   */
  async function finishErasure(customerId: Types.ObjectId, code: string): Promise<void> {
    await customers.updateOne(
      { _id: customerId },
      {
        $set: { code, name: '', phoneVerified: false, role: 'customer', marketingConsent: false, erasure: 'done', erasedAt: now() },
        $unset: {
          phone: 1,
          nameWords: 1,
          nameKey: 1,
          pendingReferralCode: 1,
          pendingReferralAt: 1,
          marketingStoppedAt: 1,
          lastIdentity: 1,
          birthDay: 1,
          birthMonth: 1,
          birthYear: 1,
          birthdayKey: 1,
          birthdaySetAt: 1,
          birthdayChanges: 1,
          lastSeenDay: 1,
          inactiveNoticeDay: 1,
        },
      },
    );
  }

  /**
   * Gives records from before the name search their search keys, a batch at a time (a start
   * after an upgrade); returns how many it filled. Only named records without keys are read.
   */
  async function fillNameWords(batch = 500): Promise<number> {
    let filled = 0;
    for (;;) {
      const missing = await customers
        .find({ nameWords: { $exists: false }, name: { $nin: ['', null] } }, { name: 1 })
        .limit(batch)
        .lean();
      if (missing.length === 0) return filled;
      const written = await customers.bulkWrite(
        missing.map((c) => ({ updateOne: { filter: { _id: c._id, name: c.name }, update: { $set: nameFields(c.name ?? '') } } })),
      );
      // Renamed meanwhile (the rename wrote the keys): nothing left for this batch.
      if (written.modifiedCount === 0) return filled;
      filled += written.modifiedCount;
    }
  }

  return {
    recordAgreement,
    setMarketing,
    rememberReferral,
    startSeenDay,
    markInactiveNotice,
    beginErasure,
    forgetIdentities,
    finishErasure,
    fillNameWords,
  };
}
