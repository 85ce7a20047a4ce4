import { Types } from 'mongoose';
import type { Customer, ReferralChannel, Role } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import { birthdayKey, type Birthday } from '../domain/birthday.js';
import { nameFields } from '../domain/names.js';
import { dayKey } from '../domain/schedule.js';
import type { PointsTotals } from '../domain/wallet.js';
import type { Locale } from '../i18n.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { StaleDays } from './rollups.js';
import { createCustomerPrivacyRecords } from './customer-privacy-records.js';

export interface NewCustomer {
  code: string;
  name: string;
  locale: Locale;
  lastIdentity: string;
}

export interface ImportedFacts {
  visits: number;
  birthday?: Birthday;
}

export interface NewIdentity {
  identity: string;
  channel: 'telegram' | 'zalo';
  chatId: string;
  displayName: string;
}

/**
 * A birthday from the shop's list, stored as one the customer entered on the import day (the
 * same fields as /birthday; the 30-day rule and the yearly change count from that day).
 */
function birthdayFields(birthday: Birthday, at: Date) {
  return {
    birthDay: birthday.day,
    birthMonth: birthday.month,
    ...(birthday.year === undefined ? {} : { birthYear: birthday.year }),
    birthdayKey: birthdayKey(birthday),
    birthdaySetAt: at,
    birthdayChanges: 0,
  };
}

/**
 * The one writer of Customer and ChannelIdentity (the steps of agreement, offers, inactivity
 * and erasure are in customer-privacy-records.ts). Other services change a customer only
 * through these named steps, so every invariant on the record (a role changes from a known
 * role, a balance only covers more ledger entries, a tier rises with points and is lowered
 * only by a correction) lives here.
 */
export function createCustomerRecords(models: Pick<Models, 'Customer' | 'ChannelIdentity'>, now: () => Date, timezone: string, staleDays: StaleDays) {
  const { Customer: customers, ChannelIdentity: identities } = models;

  /**
   * Creates the record with this id unless it exists, and makes `lastIdentity` where messages
   * go, in one command; returns the record and whether this call created it. Throws on a code
   * collision.
   */
  async function upsertForIdentity(customerId: Types.ObjectId, fields: NewCustomer): Promise<{ customer: Customer; created: boolean }> {
    const { lastIdentity, ...created } = fields;
    // Stamped here rather than by Mongoose, so that the day key is that of `createdAt` exactly.
    const stamp = new Date();
    const result = await customers
      .findOneAndUpdate(
        { _id: customerId },
        {
          $setOnInsert: { ...created, ...nameFields(created.name), role: 'customer', createdAt: stamp, createdDay: dayKey(stamp, timezone) },
          $set: { lastIdentity, updatedAt: stamp, lastSeenDay: dayKey(now(), timezone) },
          $unset: { inactiveNoticeDay: 1 },
        },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true, timestamps: false },
      )
      .lean<{ value: Customer | null; lastErrorObject?: { updatedExisting?: boolean } }>();
    if (!result.value) throw new Error(`customer ${String(customerId)} was not upserted`);
    return { customer: result.value, created: result.lastErrorObject?.updatedExisting === false };
  }

  /**
   * A customer from the shop's own list, with no chat yet: the phone as the shop typed it
   * (unverified), and no `createdDay`, so the import counts as nobody's join day.
   */
  async function createImported(customerId: Types.ObjectId, fields: { code: string; name: string; phone: string; locale: Locale } & ImportedFacts) {
    const { visits, birthday, ...created } = fields;
    const at = now();
    await customers.create({
      _id: customerId,
      ...created,
      ...nameFields(created.name),
      phoneVerified: false,
      importedAt: at,
      importedVisits: visits,
      ...(birthday ? birthdayFields(birthday, at) : {}),
    });
  }

  /** Marks a customer who chats already as one from the shop's list, once; a birthday they gave stays. */
  async function markImported(customerId: Types.ObjectId, facts: ImportedFacts): Promise<boolean> {
    const marked = await customers.updateOne(
      { _id: customerId, importedAt: { $exists: false } },
      { $set: { importedAt: now(), importedVisits: facts.visits } },
    );
    if (facts.birthday)
      await customers.updateOne({ _id: customerId, birthdayKey: { $exists: false } }, { $set: birthdayFields(facts.birthday, now()) });
    return marked.modifiedCount === 1;
  }

  /**
   * Where messages to this customer go from now on, and that they were seen today (in the same
   * command); returns the record, or undefined when there is none.
   */
  async function useIdentity(customerId: Types.ObjectId, identity: string): Promise<Customer | undefined> {
    return (
      (await customers
        .findOneAndUpdate(
          { _id: customerId },
          { $set: { lastIdentity: identity, lastSeenDay: dayKey(now(), timezone) }, $unset: { inactiveNoticeDay: 1 } },
          { returnDocument: 'after' },
        )
        .lean<Customer>()) ?? undefined
    );
  }

  /** Replaces the name while it still is `current` (a newer name written meanwhile stays). */
  async function rename(customerId: Types.ObjectId, current: string, name: string): Promise<void> {
    await customers.updateOne({ _id: customerId, name: current }, { $set: { name, ...nameFields(name) } });
  }

  async function setLocale(customerId: Types.ObjectId, locale: Locale): Promise<void> {
    await customers.updateOne({ _id: customerId }, { $set: { locale, localeChosen: true } });
  }

  async function setPhone(customerId: Types.ObjectId, phone: string, verified: boolean): Promise<void> {
    await customers.updateOne({ _id: customerId }, { $set: { phone, phoneVerified: verified } });
  }

  /** Takes the number off the account if it still has it; true when it did. */
  async function dropPhone(customerId: Types.ObjectId, phone: string): Promise<boolean> {
    const dropped = await customers.updateOne({ _id: customerId, phone }, { $unset: { phone: 1 }, $set: { phoneVerified: false } });
    return dropped.modifiedCount === 1;
  }

  /** Gives the role, only from the role `from` when given; returns the record when it changed. */
  async function setRole(customerId: Types.ObjectId, role: Role, from?: Role): Promise<Customer | undefined> {
    const filter = from ? { _id: customerId, role: from } : { _id: customerId };
    return (await customers.findOneAndUpdate(filter, { $set: { role } }, { returnDocument: 'after' }).lean<Customer>()) ?? undefined;
  }

  /** The friend's referrer, written once (the Referral collection decides who it is). */
  async function linkReferrer(friendId: Types.ObjectId, referrerId: Types.ObjectId, via: ReferralChannel): Promise<void> {
    await customers.updateOne({ _id: friendId, referrerId: { $exists: false } }, { $set: { referrerId, referredVia: via } });
  }

  async function recordFirstVisit(customerId: Types.ObjectId, at: Date): Promise<void> {
    await customers.updateOne({ _id: customerId, firstVisitAt: { $exists: false } }, { $set: { firstVisitAt: at } });
  }

  /** Raises the stored visit count to `count` (a slower writer never lowers it), and the person was seen today; returns the record. */
  async function setVisitCount(customerId: Types.ObjectId, count: number): Promise<Customer | undefined> {
    return (
      (await customers
        .findOneAndUpdate(
          { _id: customerId },
          { $max: { visitCount: count }, $set: { lastSeenDay: dayKey(now(), timezone) }, $unset: { inactiveNoticeDay: 1 } },
          { returnDocument: 'after' },
        )
        .lean<Customer>()) ?? undefined
    );
  }

  /** Stores the ledger's sums if they cover more entries than the stored ones (see the points ledger). */
  async function storeBalance(customerId: Types.ObjectId, { points, balance }: PointsTotals, ledgerCount: number): Promise<void> {
    await customers.updateOne({ _id: customerId, ledgerCount: { $lt: ledgerCount } }, { $set: { points, balance, ledgerCount } });
  }

  /** Raises the tier (tiers never go down). */
  async function raiseTier(customerId: Types.ObjectId, tier: string, rank: number): Promise<void> {
    await customers.updateOne({ _id: customerId, tierRank: { $lt: rank } }, { $set: { tier, tierRank: rank } });
  }

  /**
   * Keeps stored tiers in step with the rules: records naming the tier by an older name move to
   * its id, and a tier's rank follows its place in the list (a tier added below it moves it up).
   * Equality filters only, one tier at a time (FerretDB scans `$in`).
   */
  async function alignTier(id: string, formerKeys: readonly string[], rank: number): Promise<number> {
    let moved = 0;
    for (const key of formerKeys) {
      if (key !== id) moved += (await customers.updateMany({ tier: key }, { $set: { tier: id, tierRank: rank } })).modifiedCount;
    }
    await customers.updateMany({ tier: id, tierRank: { $ne: rank } }, { $set: { tierRank: rank } });
    return moved;
  }

  /** A first visit undone (see corrections): the customer has none until the next is confirmed. */
  async function clearFirstVisit(customerId: Types.ObjectId, at: Date): Promise<void> {
    await customers.updateOne({ _id: customerId, firstVisitAt: at }, { $unset: { firstVisitAt: 1 } });
  }

  /** The visit count after a visit was undone: the one step that may lower it. */
  async function recountVisits(customerId: Types.ObjectId, count: number): Promise<void> {
    await customers.updateOne({ _id: customerId }, { $set: { visitCount: count } });
  }

  /**
   * Lowers the tier to what corrected lifetime points give (an undone visit, a debit): only
   * from the rank `from` the caller read, so a raise stored meanwhile is not undone.
   */
  async function lowerTier(customerId: Types.ObjectId, tier: string | undefined, rank: number, from: number): Promise<void> {
    await customers.updateOne(
      { _id: customerId, tierRank: from },
      tier ? { $set: { tier, tierRank: rank } } : { $set: { tierRank: rank }, $unset: { tier: 1 } },
    );
  }

  /** Stores the birthday (see services/birthdays.ts, which decides whether it may change) as its `changes`-th setting. */
  async function setBirthday(customerId: Types.ObjectId, birthday: Birthday, at: Date, changes: number): Promise<void> {
    const fields = {
      birthDay: birthday.day,
      birthMonth: birthday.month,
      birthdayKey: birthdayKey(birthday),
      birthdaySetAt: at,
      birthdayChanges: changes,
    };
    await customers.updateOne(
      { _id: customerId },
      birthday.year === undefined ? { $set: fields, $unset: { birthYear: 1 } } : { $set: { ...fields, birthYear: birthday.year } },
    );
  }

  /** Stores the end of the membership chain's record `seq`, unless a later record's end is stored already. */
  async function storeMembership(customerId: Types.ObjectId, until: Date, seq: number): Promise<void> {
    await customers.updateOne({ _id: customerId, membershipSeq: { $not: { $gte: seq } } }, { $set: { memberUntil: until, membershipSeq: seq } });
  }

  /** Deletes an account left without any chat (its chat moved to another account). */
  async function remove(customerId: Types.ObjectId): Promise<void> {
    const removed = await customers.findOneAndDelete({ _id: customerId }).lean<Customer>();
    // One new customer fewer on the day it joined: that day's report rollup is rebuilt.
    await staleDays.touch(removed?.createdAt);
  }

  /** A chat identity writing again: when and from which chat; undefined when it is new. */
  async function seeIdentity(identity: string, chatId: string) {
    return identities.findOneAndUpdate({ identity }, { $set: { lastSeenAt: now(), chatId } }, { returnDocument: 'after' }).lean();
  }

  /** The chat app's name for an identity, kept once its person agreed to the notice (or works for the shop). */
  async function nameIdentity(identity: string, displayName: string): Promise<void> {
    await identities.updateOne({ identity }, { $set: { displayName } });
  }

  /**
   * Ties a new chat identity to a fresh customer id; the unique identity makes concurrent
   * first messages agree on one. Returns the customer id the identity belongs to.
   */
  async function claimIdentity(fields: NewIdentity): Promise<Types.ObjectId> {
    try {
      return (await identities.create({ ...fields, customerId: new Types.ObjectId(), lastSeenAt: now() })).customerId;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const winner = await identities.findOne({ identity: fields.identity }).lean();
      if (!winner) throw error;
      return winner.customerId;
    }
  }

  /** Moves a chat identity from one customer to another (only while it still belongs to `from`). */
  async function moveIdentity(identity: string, from: Types.ObjectId, to: Types.ObjectId): Promise<void> {
    await identities.updateOne({ identity, customerId: from }, { $set: { customerId: to } });
  }

  return {
    ...createCustomerPrivacyRecords(models, now),
    upsertForIdentity,
    createImported,
    markImported,
    useIdentity,
    rename,
    setLocale,
    setPhone,
    dropPhone,
    setRole,
    linkReferrer,
    recordFirstVisit,
    setVisitCount,
    storeBalance,
    raiseTier,
    alignTier,
    clearFirstVisit,
    recountVisits,
    lowerTier,
    setBirthday,
    storeMembership,
    remove,
    seeIdentity,
    nameIdentity,
    claimIdentity,
    moveIdentity,
  };
}

export type CustomerRecords = ReturnType<typeof createCustomerRecords>;
