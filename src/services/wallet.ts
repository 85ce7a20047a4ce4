import type { Voucher } from '../db/models/voucher.js';
import type { CatalogueItem } from '../program/schema.js';
import { balanceOf, catalogueItem, pointsExpiryDates } from '../domain/wallet.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { PointsLedger } from './points.js';
import type { VoucherService } from './vouchers.js';

export type ClaimResult =
  | { ok: true; item: CatalogueItem; voucher: Voucher; balance: number }
  /** No item has this number; `numbers` are the ones there are. */
  | { ok: false; reason: 'unknown_item'; numbers: number[] }
  | { ok: false; reason: 'not_enough_points'; item: CatalogueItem; balance: number }
  /** Another claim of the same person held the wallet too long: nothing changed. */
  | { ok: false; reason: 'busy' };

/**
 * The points wallet: a customer turns balance into a catalogue voucher. The spend and the
 * voucher share one cause key derived from the request (the chat update, or the pressed
 * card), so a redelivered update or a second press of the card spends once and issues one
 * voucher, and a retry after a crash between the two issues the voucher it paid for.
 */
export function createWalletService(
  ctx: Pick<ServicePieces, 'program' | 'now' | 'timezone' | 'outbox'> & { models: Pick<Models, 'Customer'> },
  points: PointsLedger,
  vouchers: VoucherService,
) {
  const { program, models } = ctx;

  async function claim(actor: Actor, number: number, requestKey: string): Promise<ClaimResult> {
    const item = catalogueItem(program.catalogue, number);
    if (!item) return { ok: false, reason: 'unknown_item', numbers: program.catalogue.map((candidate) => candidate.number) };
    const causeKey = `claim:${String(actor.customerId)}:${requestKey}`;
    const spent = await points.spend(actor.customerId, item.price, 'claim', causeKey);
    if (!spent.ok) return spent.reason === 'busy' ? spent : { ok: false, reason: 'not_enough_points', item, balance: spent.balance };
    const voucher = await vouchers.issue(actor.customerId, item.reward, 'catalogue', causeKey);
    return { ok: true, item, voucher, balance: spent.totals.balance };
  }

  /**
   * With expiry on: a balance whose ledger last changed `months` ago expires (an `expiry`
   * entry, balance only), and is announced `reminderDays` before. Both are keyed by the
   * customer and the moment of that last change (the period), so a rerun repeats nothing and
   * a new visit starts a new period.
   */
  async function expirePoints(): Promise<void> {
    if (!program.pointsExpiry.enabled) return;
    const now = ctx.now();
    // A scan of every customer once per reminders pass, only when the owner turned expiry on:
    // a balance is not an equality FerretDB can look up by, and the pass is hourly.
    const holders = (await models.Customer.find({}, { points: 1, balance: 1 }).lean()).filter((c) => balanceOf(c) > 0);
    for (const { _id: customerId } of holders) {
      const since = await points.lastChange(customerId);
      const dates = since && pointsExpiryDates(program.pointsExpiry, since, ctx.timezone);
      if (!since || !dates || now < dates.remindAt) continue;
      const period = `${String(customerId)}:${since.getTime()}`;
      if (now >= dates.expiresAt) {
        await points.spend(customerId, { idleSince: since }, 'expiry', `expiry:${period}`);
      } else {
        const balance = balanceOf((await models.Customer.findById(customerId, { points: 1, balance: 1 }).lean()) ?? {});
        await ctx.outbox.record(`points_expiry_reminder:${period}`, 'points_expiry_reminder', customerId, { balance, expiresAt: dates.expiresAt });
      }
    }
  }

  return { claim, expirePoints };
}

export type WalletService = ReturnType<typeof createWalletService>;
