import { isLocale, type Locale, type Translate } from '../../../i18n.js';
import { rewardLabel, tierText, voucherLine } from '../format.js';
import { landingLink } from '../../../domain/referral-source.js';
import { qrPng, type ConversationKit, type Session } from '../kit.js';
import { shareButtons } from '../share-buttons.js';
import { defineCommand, noArgs, type Command, type Turn } from '../registry.js';
import type { Reply } from '../reply.js';
import type { WalletFeature } from './wallet.js';
import { tierName } from '../../../domain/loyalty.js';
import { friendRewardOf } from '../../../domain/partners.js';
import type { PartnerPlan } from '../../../program/schema.js';

/** What every customer can ask for: help, language, their link, status, the wallet's rewards (listed after /me), phone, the rules. */
export function createCustomerFeature(kit: ConversationKit, wallet: WalletFeature) {
  const { services, program, i18n, links, traits } = kit;

  function languageChoice(t: Translate): Reply {
    return {
      text: t('bot:langAsk'),
      buttons: [
        [
          { label: 'Tiếng Việt', action: '/lang vi' },
          { label: 'English', action: '/lang en' },
        ],
      ],
    };
  }

  /** The program in two sentences; on Zalo, with the question who invited them. */
  function welcomeText(s: Session): Reply {
    const text = s.t('bot:welcome', {
      business: program.business.name,
      referrerReward: rewardLabel(program.rewards.referrer, s.locale),
      friendReward: rewardLabel(program.rewards.friend, s.locale),
    });
    const askReferrer = traits.bareCodes && !s.customer.referrerId && !s.customer.firstVisitAt;
    return { text: askReferrer ? `${text}\n\n${s.t('bot:askReferrer')}` : text };
  }

  function welcome(s: Session): Reply[] {
    return [welcomeText(s), languageChoice(s.t)];
  }

  async function setLanguage(s: Session, locale: Locale): Promise<Reply[]> {
    await services.customers.setLocale(s.customer._id, locale);
    Object.assign(s.customer, { locale, localeChosen: true });
    await kit.personChanged?.(s.customer);
    const t = i18n.forLocale(locale);
    return [{ text: t('bot:langSet') }, ...kit.help({ ...s, locale, t })];
  }

  /**
   * The link with the ways to share it, the invitation to forward, and the invite QR; a
   * partner's (their `plan`) offer the plan's welcome and speak of commission.
   */
  async function inviteLink(s: Session, plan?: PartnerPlan): Promise<Reply[]> {
    const link = links.referral(s.customer.code);
    const friendReward = friendRewardOf(program, plan);
    const invitation = s.t('bot:invitation', {
      business: program.business.name,
      reward: rewardLabel(friendReward, s.locale),
      link,
      code: s.customer.code,
    });
    const shareText = s.t('bot:shareText', { business: program.business.name, reward: rewardLabel(friendReward, s.locale) });
    const intro = plan
      ? s.t('partners:linkIntro', { link, code: s.customer.code, reward: rewardLabel(friendReward, s.locale) })
      : s.t('bot:linkIntro', { link, code: s.customer.code, reward: rewardLabel(program.rewards.referrer, s.locale) });
    return [
      { text: intro, buttons: shareButtons(kit, s, shareText) },
      { text: invitation },
      // The QR opens the web page (either app from there), which counts the friend as come by QR.
      { text: s.t('bot:inviteQrCaption'), photo: await qrPng(landingLink(kit.publicUrl, s.customer.code, 'qr')) },
    ];
  }

  async function myStatus(s: Session): Promise<Reply[]> {
    const [status, memberToken] = await Promise.all([services.status.getCustomerStatus(s.customer), services.memberCards.tokenFor(s.customer._id)]);
    if (!status) return [{ text: s.t('common:genericError') }];
    const { customer } = status;
    const lines = [
      s.t('bot:meHeader', { name: customer.name || s.t('bot:aFriend'), code: customer.code }),
      s.t('bot:mePoints', { points: customer.points, balance: status.balance }),
      s.t('bot:meTier', { tier: tierText(s.t, program, customer.tier, s.locale) }),
      status.next ? s.t('bot:meNextTier', { tier: tierName(status.next.tier, s.locale), points: status.next.pointsToGo }) : s.t('bot:meTopTier'),
      ...membershipLines(s, status.memberUntil),
      s.t('bot:meReferrals', { joined: status.referralsJoined, confirmed: status.referralsConfirmed }),
      status.activeVouchers.length > 0
        ? [s.t('bot:meVouchers'), ...status.activeVouchers.map((v) => `• ${voucherLine(s.t, v, s.locale)}`)].join('\n')
        : s.t('bot:meNoVouchers'),
    ];
    return [{ text: lines.join('\n') }, await memberQr(s, memberToken, 'bot:memberQrCaption')];
  }

  /** The paid membership while it runs: its name, end date and perks. */
  function membershipLines(s: Session, until: Date | undefined): string[] {
    const rules = program.membership;
    return rules && until ? [s.t('members:me.membership', { membership: rules.name[s.locale], until, perks: rules.perks[s.locale] })] : [];
  }

  /** The member QR (it carries the secret member token), with the button that replaces it. */
  async function memberQr(s: Session, memberToken: string, captionKey: string): Promise<Reply> {
    return {
      text: s.t(captionKey, { code: s.customer.code }),
      photo: await qrPng(links.memberCard(memberToken)),
      buttons: [[{ label: s.t('card:newQrButton'), action: '/newqr' }]],
    };
  }

  /** A new member QR: the old one stops working (a photo of it can no longer spend anything). */
  async function newMemberQr(s: Session): Promise<Reply[]> {
    return [await memberQr(s, await services.memberCards.rotate(s.customer._id), 'card:newQrCaption')];
  }

  function askPhone(s: Session): Reply[] {
    return traits.typedPhone ? [{ text: s.t('bot:phoneAskTyped') }] : [{ text: s.t('bot:phoneAsk'), requestContact: true }];
  }

  /**
   * Saves a number: `verified` only for the person's own Telegram contact. The answer never
   * depends on whether anybody else has the number.
   */
  async function sharePhone({ s, actor }: Turn, phone: string, verified: boolean): Promise<Reply[]> {
    // A regular from the shop's list finds their points here, once the app vouched for the number.
    const joined = await services.customerImport.joinExisting(actor, phone, verified);
    if (joined.ok) return [{ text: s.t('imports:joinedExisting', { name: joined.name, points: joined.points }) }];
    const result = await services.customers.setPhone(s.customer._id, phone, { verified });
    if (!result.ok) return [{ text: s.t('bot:phoneInvalid') }];
    // Where a contact button exists, a typed number is saved with the way to verify it.
    if (result.verified || traits.typedPhone) return [{ text: s.t('bot:phoneSaved', { phone: result.phone }) }];
    return [{ text: s.t('card:phoneSavedUnverified', { phone: result.phone }), requestContact: true }];
  }

  function programRules(s: Session): Reply[] {
    const tiers = program.tiers.map((tier) =>
      s.t('bot:programTier', { tier: tierName(tier, s.locale), points: tier.minPoints, perk: tier.perk[s.locale] }),
    );
    const milestones = program.milestones.map((m) => s.t('bot:programMilestone', { friends: m.friends, reward: rewardLabel(m.reward, s.locale) }));
    const text = [
      s.t('bot:programHeader', { business: program.business.name }),
      s.t('bot:programRewards', {
        referrerReward: rewardLabel(program.rewards.referrer, s.locale),
        friendReward: rewardLabel(program.rewards.friend, s.locale),
      }),
      s.t('bot:programPoints', { perVisit: program.points.perVisit, perReferral: program.points.perReferral }),
      program.points.perAmount
        ? s.t('bot:programPointsPerAmount', { points: program.points.perAmount.points, amount: program.points.perAmount.amount })
        : undefined,
      [s.t('bot:programTiers'), ...tiers].join('\n'),
      milestones.length > 0 ? [s.t('bot:programMilestones'), ...milestones].join('\n') : undefined,
      s.t('bot:programVouchers', { days: program.vouchers.validityDays, window: program.attribution.windowDays }),
    ].filter((part): part is string => !!part);
    return [{ text: text.join('\n\n') }];
  }

  const commands: Command[] = [
    defineCommand({
      name: 'link',
      role: 'customer',
      usage: 'commands:usage.link',
      menu: 'commands:menu.link',
      parse: noArgs,
      run: async ({ s }) => inviteLink(s, await services.partners.activePlanOf(s.customer._id)),
    }),
    defineCommand({ name: 'me', role: 'customer', usage: 'commands:usage.me', menu: 'commands:menu.me', parse: noArgs, run: ({ s }) => myStatus(s) }),
    ...wallet.commands,
    defineCommand({
      name: 'phone',
      role: 'customer',
      usage: 'commands:usage.phone',
      menu: 'commands:menu.phone',
      parse: (args) => ({ phone: args.length > 0 ? args.join(' ') : undefined }),
      run: (turn, { phone }) => (phone ? sharePhone(turn, phone, false) : askPhone(turn.s)),
    }),
    defineCommand({
      name: 'lang',
      beforeAgreement: true,
      role: 'customer',
      usage: 'commands:usage.lang',
      menu: 'commands:menu.lang',
      parse: (args) => {
        const locale = args[0]?.toLowerCase();
        if (locale === undefined) return {};
        return isLocale(locale) ? { locale } : undefined;
      },
      run: ({ s }, { locale }) => (locale ? setLanguage(s, locale) : [languageChoice(s.t)]),
    }),
    defineCommand({
      name: 'program',
      role: 'customer',
      usage: 'commands:usage.program',
      menu: 'commands:menu.program',
      parse: noArgs,
      run: ({ s }) => programRules(s),
    }),
    defineCommand({
      name: 'help',
      beforeAgreement: true,
      role: 'customer',
      usage: 'commands:usage.help',
      menu: 'commands:menu.help',
      parse: noArgs,
      run: async ({ s }) => {
        // /partner is in the owner's part of the help; a partner who is a customer or staff is told here.
        const partner =
          s.customer.role !== 'owner' &&
          s.customer.consentVersion === program.privacy.noticeVersion &&
          (await services.partners.activePlanOf(s.customer._id));
        const help = kit.help(s);
        return partner ? [...help, { text: s.t('partners:helpLine') }] : help;
      },
    }),
    // The member QR's own button: no menu entry.
    defineCommand({ name: 'newqr', role: 'customer', usage: 'commands:usage.newqr', parse: noArgs, run: ({ s }) => newMemberQr(s) }),
  ];

  return { commands, languageChoice, welcome, welcomeText, sharePhone, inviteLink };
}

export type CustomerFeature = ReturnType<typeof createCustomerFeature>;
