import type { ClaimResult } from '../../../services/wallet.js';
import { rewardLabel, voucherLine } from '../format.js';
import type { ConversationKit, Session } from '../kit.js';
import { defineCommand, noArgs, type Command, type Turn } from '../registry.js';
import type { Reply } from '../reply.js';

/** A reward number as people type it: "2" or "#2". */
const CATALOGUE_NUMBER = /^#?(\d{1,6})$/;

/** The points wallet: /rewards (balance, catalogue, vouchers, milestones) and /claim <number>. */
export function createWalletFeature(kit: ConversationKit) {
  const { services, program } = kit;

  async function myRewards(s: Session): Promise<Reply[]> {
    const status = await services.status.getCustomerStatus(s.customer);
    if (!status) return [{ text: s.t('common:genericError') }];
    const reward = (item: (typeof program.catalogue)[number]) => rewardLabel(item.reward, s.locale);
    const catalogue =
      status.catalogue.length > 0
        ? [
            s.t('wallet:catalogueHeader'),
            ...status.catalogue.map(({ item, affordable }) =>
              s.t(affordable ? 'wallet:itemAffordable' : 'wallet:itemLocked', { number: item.number, reward: reward(item), price: item.price }),
            ),
            status.nextItem
              ? s.t('wallet:nextItem', {
                  points: status.nextItem.pointsToGo,
                  number: status.nextItem.item.number,
                  reward: reward(status.nextItem.item),
                })
              : s.t('wallet:allAffordable'),
            s.t('wallet:howToClaim'),
          ].join('\n')
        : undefined;
    const parts = [
      s.t('wallet:balance', { balance: status.balance, points: status.customer.points }),
      catalogue,
      status.activeVouchers.length > 0
        ? [s.t('bot:meVouchers'), ...status.activeVouchers.map((v) => `• ${voucherLine(s.t, v, s.locale)}`)].join('\n')
        : s.t('bot:meNoVouchers'),
      status.nextMilestone
        ? s.t('bot:milestoneProgress', {
            confirmed: status.referralsConfirmed,
            friends: status.nextMilestone.milestone.friends,
            toGo: status.nextMilestone.friendsToGo,
            reward: rewardLabel(status.nextMilestone.milestone.reward, s.locale),
          })
        : s.t('bot:milestonesAllReached', { confirmed: status.referralsConfirmed }),
    ].filter((part): part is string => !!part);
    // One button per affordable item, all on one card: the card acts once, so a double tap claims once.
    const buttons = status.catalogue
      .filter(({ affordable }) => affordable)
      .map(({ item }) => [{ label: s.t('wallet:claimButton', { number: item.number, price: item.price }), action: `/claim ${item.number}` }]);
    return [{ text: parts.join('\n\n'), ...(buttons.length > 0 ? { buttons } : {}) }];
  }

  async function claim({ s, actor, requestKey }: Turn, number: number): Promise<Reply[]> {
    if (program.catalogue.length === 0) return [{ text: s.t('wallet:noCatalogue') }];
    return [{ text: claimText(s, number, await services.wallet.claim(actor, number, requestKey)) }];
  }

  function claimText(s: Session, number: number, result: ClaimResult): string {
    if (result.ok) {
      const { item, voucher } = result;
      return s.t('wallet:claimed', {
        price: item.price,
        reward: rewardLabel(item.reward, s.locale),
        code: voucher.code,
        expiresAt: voucher.expiresAt,
        balance: result.balance,
      });
    }
    switch (result.reason) {
      case 'unknown_item':
        return s.t('wallet:unknownItem', { number, numbers: result.numbers.join(', ') });
      case 'not_enough_points':
        return s.t('wallet:notEnough', {
          number,
          reward: rewardLabel(result.item.reward, s.locale),
          price: result.item.price,
          balance: result.balance,
          missing: result.item.price - result.balance,
        });
      case 'busy':
        return s.t('wallet:busy');
    }
  }

  const commands: Command[] = [
    defineCommand({
      name: 'rewards',
      role: 'customer',
      usage: 'commands:usage.rewards',
      menu: 'commands:menu.rewards',
      parse: noArgs,
      run: ({ s }) => myRewards(s),
    }),
    defineCommand({
      name: 'claim',
      role: 'customer',
      usage: 'wallet:usage.claim',
      menu: 'wallet:menu.claim',
      parse: (args) => {
        const match = args.length === 1 ? CATALOGUE_NUMBER.exec(args[0] ?? '') : null;
        return match ? { number: Number(match[1]) } : undefined;
      },
      run: (turn, { number }) => claim(turn, number),
    }),
  ];

  return { commands };
}

export type WalletFeature = ReturnType<typeof createWalletFeature>;
