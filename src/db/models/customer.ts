import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const roles = ['customer', 'staff', 'owner'] as const;
export type Role = (typeof roles)[number];
/** How a friend came: the chat app of a deep link or a sent code, or the network a shared web link came through (domain/referral-source.ts). */
export const referralChannels = ['telegram', 'zalo', 'fb', 'messenger', 'link', 'qr'] as const;
export type ReferralChannel = (typeof referralChannels)[number];

/**
 * One person in the program, whatever app they use. `points`, `balance` and `tier` are derived from
 * the points ledger and kept here for reading; `ledgerCount` orders concurrent refreshes.
 * `phone` is the number on the account; `phoneVerified` says the chat app vouched for it (a
 * Telegram contact of the person themselves). Typed numbers are unverified and may be on several
 * accounts; the one verified holder of a number is in the PhoneNumber collection (a partial
 * unique index is not available on every server we support).
 */
const customerSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    name: { type: String, default: '' },
    /** What the back office's name search finds the person by (domain/names.ts nameSearchKeys), kept with every change of `name`. */
    nameWords: { type: [String], default: undefined },
    /** The name without diacritics, lower case: the list's sort by name ("Ánh" next to "Anh"). */
    nameKey: { type: String },
    phone: { type: String, index: true },
    phoneVerified: { type: Boolean, default: false },
    locale: { type: String, enum: ['vi', 'en'], required: true },
    /** False until the person picked a language (the bot asks on first contact). */
    localeChosen: { type: Boolean, default: false },
    role: { type: String, enum: roles, default: 'customer', index: true },
    referrerId: { type: Schema.Types.ObjectId, index: true },
    referredVia: { type: String, enum: referralChannels },
    firstVisitAt: { type: Date },
    visitCount: { type: Number, default: 0 },
    /** Lifetime points (what tiers follow). */
    points: { type: Number, default: 0 },
    /** The points balance (what can be spent); absent on records from before the wallet, where it equals `points`. */
    balance: { type: Number },
    ledgerCount: { type: Number, default: 0 },
    tier: { type: String },
    tierRank: { type: Number, default: 0 },
    /** The channel identity this person used last: where messages to them go. */
    lastIdentity: { type: String },
    /** The business day of `createdAt` (yyyy-mm-dd, shop time zone): the reports find a day's new customers by it. */
    createdDay: { type: String },
    /**
     * The birthday the customer gave (`/birthday`), the year optional; `birthdayKey` (mm-dd)
     * finds a day's birthdays by equality; `birthdaySetAt` and `birthdayChanges` enforce one
     * change a year (see services/birthdays.ts).
     */
    birthDay: { type: Number },
    birthMonth: { type: Number },
    birthYear: { type: Number },
    birthdayKey: { type: String, index: true },
    birthdaySetAt: { type: Date },
    birthdayChanges: { type: Number },
    /** The end of the paid membership, from the latest Membership record (its `seq` is `membershipSeq`). */
    memberUntil: { type: Date },
    membershipSeq: { type: Number },
    /**
     * Brought in from the shop's own list (npm run import:customers): an existing customer, never
     * a referred friend, joined to their chat when they share that number verified. Such a
     * record has no `createdDay`: the import is not a day of new customers in the reports.
     */
    importedAt: { type: Date },
    /** Visits the shop counted before the program (a count, not Visit records: they have no date or staff). */
    importedVisits: { type: Number },
    /**
     * The last business day the person wrote or came in (written with the join's and the visit's
     * own updates, no extra command): the inactive-customers policy counts from it.
     */
    lastSeenDay: { type: String },
    /** The business day the person was told their details would be removed for inactivity (cleared when they are seen). */
    inactiveNoticeDay: { type: String },
    /**
     * Erasure (services/erasure.ts): `started` while the personal data is being removed (a
     * crash leaves it for the maintenance job to finish), `done` with `erasedAt` once it is gone.
     */
    erasure: { type: String, enum: ['started', 'done'], index: true },
    erasedAt: { type: Date },
    /** The privacy notice version the person agreed to, and when (see services/consent.ts); absent: never agreed. */
    consentVersion: { type: String },
    consentAt: { type: Date },
    /** Offers and announcements: only after their own yes (default no); `marketingConsentAt` is the last change. */
    marketingConsent: { type: Boolean, default: false },
    marketingConsentAt: { type: Date },
    /** Set when /stop turned offers off, so that /start again turns them back on. */
    marketingStoppedAt: { type: Date },
    /** A referral code a person arrived with before agreeing (with the web source it came through, see domain/referral-source.ts), used once at agreement (valid a day). */
    pendingReferralCode: { type: String },
    pendingReferralAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);
customerSchema.index({ createdAt: 1 });
customerSchema.index({ createdDay: 1 });
// The dashboard counts customers per tier.
customerSchema.index({ tier: 1 });
// The back office's customer list: a name search and its sort orders.
customerSchema.index({ nameWords: 1 });
customerSchema.index({ nameKey: 1 });
customerSchema.index({ points: -1 });
customerSchema.index({ visitCount: -1 });
customerSchema.index({ lastSeenDay: -1 });

export type Customer = InferSchemaType<typeof customerSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

export function createCustomerModel(connection: Connection) {
  return connection.model('Customer', customerSchema, 'customers');
}
