import type { Voucher } from '../db/models/voucher.js';
import type { CatalogueItem } from '../program/schema.js';
import { catalogueItem } from '../domain/wallet.js';
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
export function createWalletService(ctx: Pick<ServicePieces, 'program'>, points: PointsLedger, vouchers: VoucherService) {
  const { program } = ctx;

  async function claim(actor: Actor, number: number, requestKey: string): Promise<ClaimResult> {
    const item = catalogueItem(program.catalogue, number);
    if (!item) return { ok: false, reason: 'unknown_item', numbers: program.catalogue.map((candidate) => candidate.number) };
    const causeKey = `claim:${String(actor.customerId)}:${requestKey}`;
    const spent = await points.spend(actor.customerId, item.price, 'claim', causeKey);
    if (!spent.ok) return spent.reason === 'busy' ? spent : { ok: false, reason: 'not_enough_points', item, balance: spent.balance };
    const voucher = await vouchers.issue(actor.customerId, item.reward, 'catalogue', causeKey);
    return { ok: true, item, voucher, balance: spent.totals.balance };
  }

  return { claim };
}

export type WalletService = ReturnType<typeof createWalletService>;
