import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import { givenName } from '../domain/names.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';

/** How long a download link from /mydata (Zalo) or /record can be opened, once. */
export const DOWNLOAD_LINK_MINUTES = 60;

export type DownloadKind = 'mydata' | 'record';

/** A stored record as it leaves the shop: ids as strings (dates stay dates; JSON writes them as ISO text). */
type Plain = Record<string, unknown>;

/**
 * Everything the shop holds about one person. Other people appear only by a friend's or
 * referrer's given name; secrets (member token, link tokens) and other people's ids are left out.
 */
export interface PersonalDataExport {
  /** Who holds it (the shop's name in the program rules) and when this copy was made. */
  shop: string;
  generatedAt: Date;
  profile: Plain;
  identities: Plain[];
  phones: Plain[];
  visits: Plain[];
  pointsLedger: Plain[];
  vouchers: Plain[];
  /** Friends invited and who invited them: only the other person's given name ('' when they have none). */
  referrals: { friends: Array<Plain & { givenName: string }>; referredBy?: Plain & { givenName: string } };
  linkOpens: Plain[];
  memberships: Plain[];
  /** Each agreement to (or refusal of) a notice version, and each change of the offers opt-in. */
  consents: Plain[];
  messages: Plain[];
  staffActionsOnYou: Plain[];
  yourStaffActions: Plain[];
  reviews: Plain[];
}

export type DownloadLinkResult = { ok: true; token: string; minutes: number } | { ok: false; reason: 'not_allowed' };
export type DownloadOpen = { ok: true; kind: DownloadKind; actor: Actor; locale: Customer['locale'] } | { ok: false; reason: 'used_or_expired' };

/** The facts of the shop's processing record; the caller writes the document. */
export interface ProcessingRecordFacts {
  generatedAt: Date;
  owners: string[];
  staff: string[];
  publicUrl: string;
  /** The database server's host(s), or undefined for the embedded database on this machine. */
  databaseHost: string | undefined;
}

export type ProcessingRecordResult = { ok: true; facts: ProcessingRecordFacts } | { ok: false; reason: 'not_allowed' };

type Deps = Pick<ServicePieces, 'program' | 'access' | 'audit' | 'claims' | 'tickets' | 'now'> & {
  models: Pick<
    Models,
    | 'Customer'
    | 'ChannelIdentity'
    | 'PhoneHistory'
    | 'PhoneNumber'
    | 'PointsEntry'
    | 'Visit'
    | 'Voucher'
    | 'Referral'
    | 'LinkOpen'
    | 'Membership'
    | 'Notification'
    | 'AuditLog'
    | 'FraudFlag'
    | 'Consent'
  >;
  publicUrl: string;
  databaseHost: string | undefined;
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** Download tokens are bearer secrets: only their hashes are stored. */
const downloadKey = (token: string) => `download:${sha256(token)}`;
const tokenShape = /^[\w-]{32}$/;

/** A lean record made plain (ObjectIds to strings), without the named fields. */
function plain(record: object, without: readonly string[] = []): Plain {
  const out: Plain = {};
  for (const [name, value] of Object.entries(record)) {
    if (without.includes(name) || value === undefined || value === null) continue;
    out[name] = isObjectId(value) ? String(value) : value;
  }
  return out;
}

const isObjectId = (value: unknown) => typeof value === 'object' && value !== null && (value as { _bsontype?: string })._bsontype === 'ObjectId';

/** The given name of another customer, or '' when they have none (or are gone). */
async function nameOf(models: Deps['models'], id: Types.ObjectId): Promise<string> {
  const other = await models.Customer.findById(id, { name: 1 }).lean();
  return other?.name ? givenName(other.name) : '';
}

/**
 * A person's own data (/mydata) and the shop's processing record (/record): the export,
 * one-time download links for them (Zalo cannot send files; the record in a browser), and
 * the record's live facts. Reads every collection that holds personal data; writes only
 * tickets and claims.
 */
export function createPersonalDataService(ctx: Deps) {
  const { models, access, audit, claims, tickets, now } = ctx;

  async function exportFor(actor: Actor): Promise<PersonalDataExport | undefined> {
    const customerId = actor.customerId;
    const customer = await models.Customer.findById(customerId).lean<Customer>();
    if (!customer) return undefined;
    const mine = { customerId };
    const [identities, history, verified, ledger, visits, vouchers, memberships, messages, flags] = await Promise.all([
      models.ChannelIdentity.find(mine).lean(),
      models.PhoneHistory.find(mine).lean(),
      models.PhoneNumber.find(mine).lean(),
      models.PointsEntry.find(mine).sort({ at: 1 }).lean(),
      models.Visit.find(mine).sort({ at: 1 }).lean(),
      models.Voucher.find(mine).sort({ issuedAt: 1 }).lean(),
      models.Membership.find(mine).sort({ seq: 1 }).lean(),
      models.Notification.find(mine).sort({ createdAt: 1 }).lean(),
      models.FraudFlag.find(mine).lean(),
    ]);
    const [asReferrer, asFriend, opens, onYou, byYou, consents] = await Promise.all([
      models.Referral.find({ referrerId: customerId }).sort({ joinedAt: 1 }).lean(),
      models.Referral.findOne({ friendId: customerId }).lean(),
      models.LinkOpen.find({ referrerId: customerId }).sort({ at: 1 }).lean(),
      models.AuditLog.find({ targetId: customerId }).sort({ at: 1 }).lean(),
      models.AuditLog.find({ actorId: customerId }).sort({ at: 1 }).lean(),
      models.Consent.find(mine).sort({ at: 1 }).lean(),
    ]);
    // Staff ids, a friend's id, a visitor's hash and free-form details describe other people.
    const referral = (r: (typeof asReferrer)[number], name: string) => ({
      ...plain(r, ['_id', 'friendId', 'referrerId', 'visitId', 'confirmedBy', 'joinNoticeKey', 'rewardKey']),
      givenName: name,
    });
    return {
      shop: ctx.program.business.name,
      generatedAt: now(),
      // A code waiting from before the agreement is the inviting person's.
      profile: plain(customer, ['pendingReferralCode']),
      identities: identities.map((i) => plain(i, ['_id', 'customerId'])),
      phones: [
        ...history.map((p) => plain(p, ['_id', 'customerId'])),
        ...verified.map((p) => ({ ...plain(p, ['_id', 'customerId']), holder: true })),
      ],
      visits: visits.map((v) => plain(v, ['customerId', 'staffId', 'undoneBy', 'key'])),
      pointsLedger: ledger.map((e) => plain(e, ['_id', 'customerId'])),
      vouchers: vouchers.map((v) => plain(v, ['customerId', 'redeemedBy'])),
      referrals: {
        friends: await Promise.all(asReferrer.map(async (r) => referral(r, await nameOf(models, r.friendId)))),
        ...(asFriend ? { referredBy: referral(asFriend, await nameOf(models, asFriend.referrerId)) } : {}),
      },
      linkOpens: opens.map((o) => plain(o, ['_id', 'key', 'referrerId'])),
      memberships: memberships.map((m) => plain(m, ['_id', 'customerId', 'soldBy', 'requestKey'])),
      consents: consents.map((c) => plain(c, ['_id', 'customerId', 'key'])),
      // What the message said is rendered from facts about others too (a friend's name): its kind and fate are theirs.
      messages: messages.map((n) => plain(n, ['_id', 'customerId', 'key', 'data', 'leaseUntil', 'lastError', 'toIdentity'])),
      staffActionsOnYou: onYou.map((a) => plain(a, ['_id', 'actorId', 'actorIdentity', 'targetId', 'details', 'key', 'actions'])),
      yourStaffActions: byYou.map((a) => plain(a, ['_id', 'actorId', 'targetId', 'details', 'key', 'actions'])),
      reviews: flags.map((f) => plain(f, ['_id', 'customerId', 'key', 'details', 'resolvedBy'])),
    };
  }

  /** A one-time link to the person's own data, or (owners only) to the processing record. */
  async function issueDownload(actor: Actor, kind: DownloadKind): Promise<DownloadLinkResult> {
    if (kind === 'record') {
      const allowed = await access.authorize(actor, 'processing_record', ['owner']);
      if (!allowed.ok) return allowed;
      await audit.action(actor, 'processing_record', 'link_issued', actor.customerId);
    }
    const token = randomBytes(24).toString('base64url');
    await tickets.issue(downloadKey(token), `${kind}:${String(actor.customerId)}`, DOWNLOAD_LINK_MINUTES * 60_000);
    return { ok: true, token, minutes: DOWNLOAD_LINK_MINUTES };
  }

  /** Spends a download link: the first opening gets it, every later one (or a late one) is refused. */
  async function openDownload(token: unknown): Promise<DownloadOpen> {
    const refused = { ok: false, reason: 'used_or_expired' } as const;
    if (typeof token !== 'string' || !tokenShape.test(token)) return refused;
    const key = downloadKey(token);
    const value = await tickets.read(key);
    const match = value ? /^(mydata|record):([a-f\d]{24})$/.exec(value) : null;
    if (!match || !(await claims.take(key, 'download'))) return refused;
    await tickets.revoke(key);
    const customer = await models.Customer.findById(match[2], { locale: 1 }).lean();
    if (!customer) return refused;
    return { ok: true, kind: match[1] as DownloadKind, actor: { customerId: customer._id, identity: 'download-link' }, locale: customer.locale };
  }

  /** The live facts of the processing record: who has access (by given name) and where the data is. */
  async function processingRecord(actor: Actor): Promise<ProcessingRecordResult> {
    const allowed = await access.authorize(actor, 'processing_record', ['owner']);
    if (!allowed.ok) return allowed;
    const names = async (role: 'owner' | 'staff') =>
      (await models.Customer.find({ role }, { name: 1, code: 1 }).lean()).map((p) => (p.name ? givenName(p.name) : p.code));
    const [owners, staff] = await Promise.all([names('owner'), names('staff')]);
    await audit.action(allowed.actor, 'processing_record', 'produced', actor.customerId);
    return { ok: true, facts: { generatedAt: now(), owners, staff, publicUrl: ctx.publicUrl, databaseHost: ctx.databaseHost } };
  }

  return { exportFor, issueDownload, openDownload, processingRecord };
}

export type PersonalDataService = ReturnType<typeof createPersonalDataService>;
