import type { Types } from 'mongoose';
import type { ConsentKind } from '../db/models/consent.js';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import { channelOf } from '../domain/identity.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';

/** How long a referral code a person arrived with waits for their agreement. */
export const PENDING_REFERRAL_MS = 24 * 3600_000;

export type AgreeResult =
  /** `referralCode`: the code they arrived with, to attribute now; `askOffers`: they were never asked about offers. */
  | { ok: true; duplicate: boolean; version: string; at: Date; referralCode?: string; askOffers: boolean }
  | { ok: false; reason: 'stale_version' | 'not_allowed'; current: string };

export type DeclineResult = { ok: true; hadHistory: boolean } | { ok: false; reason: 'stale_version' | 'not_allowed'; current: string };

/** How the offers choice was made: the question after agreeing, /privacy's button, /stop, or /start again. */
export type MarketingSource = 'ask' | 'privacy' | 'stop' | 'start';
export type MarketingResult = { ok: true; changed: boolean } | { ok: false; reason: 'not_agreed' | 'not_allowed' };

export type ConsentServiceDeps = Pick<ServicePieces, 'program' | 'now' | 'records'> & { models: Pick<Models, 'Consent'> };

/**
 * Agreement to the privacy notice and the separate opt-in to offers: the one writer of the
 * Consent history, and the only caller of the customer records' consent steps. Every choice
 * is the person's own (the actor is the customer the join loaded). A history row is inserted
 * under a unique key, so a second press or a redelivered update records once.
 */
export function createConsentService(ctx: ConsentServiceDeps) {
  const { models, program, records } = ctx;
  const current = () => program.privacy.noticeVersion;
  const own = (actor: Actor, customer: Customer) => actor.customerId.equals(customer._id);

  /** True when the person agreed to the notice in force. */
  function hasAgreed(customer: Pick<Customer, 'consentVersion'>): boolean {
    return customer.consentVersion === current();
  }

  async function remember(key: string, customerId: Types.ObjectId, kind: ConsentKind, given: boolean, version: string, actor: Actor, at: Date) {
    try {
      await models.Consent.create({ key, customerId, kind, given, version, at, via: channelOf(actor.identity) });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /**
   * The person agrees to notice `version` (the one their button showed): refused when a newer
   * notice replaced it. The name the chat app gives them is kept from now on.
   */
  async function agree(actor: Actor, customer: Customer, version: string, name: string | undefined): Promise<AgreeResult> {
    if (!own(actor, customer)) return { ok: false, reason: 'not_allowed', current: current() };
    if (version !== current()) return { ok: false, reason: 'stale_version', current: current() };
    if (customer.consentVersion === version) return { ok: true, duplicate: true, version, at: customer.consentAt ?? ctx.now(), askOffers: false };
    const at = ctx.now();
    // A row left by a crash before the record was updated is fine: the record is written now.
    await remember(`program:${String(customer._id)}:${version}:yes`, customer._id, 'program', true, version, actor, at);
    // The chat app's name is kept from now on; a name the record has already stays.
    await records.recordAgreement(customer._id, version, at, customer.name ? undefined : name);
    if (name) await records.nameIdentity(actor.identity, name);
    const fresh =
      customer.pendingReferralCode && customer.pendingReferralAt && at.getTime() - customer.pendingReferralAt.getTime() < PENDING_REFERRAL_MS;
    return {
      ok: true,
      duplicate: false,
      version,
      at,
      referralCode: fresh ? (customer.pendingReferralCode ?? undefined) : undefined,
      askOffers: !customer.marketingConsentAt,
    };
  }

  /** The person does not agree to notice `version`: recorded once; a remembered referral code is dropped. */
  async function decline(actor: Actor, customer: Customer, version: string): Promise<DeclineResult> {
    if (!own(actor, customer)) return { ok: false, reason: 'not_allowed', current: current() };
    if (version !== current()) return { ok: false, reason: 'stale_version', current: current() };
    const at = ctx.now();
    await remember(`program:${String(customer._id)}:${version}:no`, customer._id, 'program', false, version, actor, at);
    if (customer.pendingReferralCode) await records.rememberReferral(customer._id, undefined, at);
    const hadHistory = !!customer.consentVersion || customer.visitCount > 0 || customer.points > 0 || !!customer.referrerId || !!customer.importedAt;
    return { ok: true, hadHistory };
  }

  /**
   * Offers on or off, from the person who agreed to the notice; `requestKey` (the update or the
   * card) records a redelivered choice once. Returns whether anything changed.
   */
  async function setMarketing(
    actor: Actor,
    customer: Customer,
    given: boolean,
    source: MarketingSource,
    requestKey: string,
  ): Promise<MarketingResult> {
    if (!own(actor, customer)) return { ok: false, reason: 'not_allowed' };
    if (!customer.consentVersion) return { ok: false, reason: 'not_agreed' };
    const stopped = source === 'stop';
    const unchanged = customer.marketingConsent === given && !!customer.marketingConsentAt && stopped === !!customer.marketingStoppedAt;
    if (unchanged) return { ok: true, changed: false };
    const at = ctx.now();
    await remember(`marketing:${String(customer._id)}:${requestKey}`, customer._id, 'marketing', given, customer.consentVersion, actor, at);
    await records.setMarketing(customer._id, given, at, stopped);
    return { ok: true, changed: customer.marketingConsent !== given };
  }

  /** A referral code a person arrived with before agreeing: kept for their agreement (a day at most). */
  async function holdReferral(actor: Actor, customer: Customer, code: string): Promise<void> {
    if (!own(actor, customer) || hasAgreed(customer)) return;
    await records.rememberReferral(customer._id, code, ctx.now());
  }

  /**
   * A person's chat joined another record of theirs (the shop's list): their choices go with
   * them, so they are not asked again. The history rows follow the person.
   */
  async function carry(from: Customer, toId: Types.ObjectId): Promise<void> {
    if (from.consentVersion) await records.recordAgreement(toId, from.consentVersion, from.consentAt ?? ctx.now(), undefined);
    if (from.marketingConsentAt) await records.setMarketing(toId, from.marketingConsent === true, from.marketingConsentAt, !!from.marketingStoppedAt);
    await models.Consent.updateMany({ customerId: from._id }, { $set: { customerId: toId } });
  }

  return { current, hasAgreed, agree, decline, setMarketing, holdReferral, carry };
}

export type ConsentService = ReturnType<typeof createConsentService>;
