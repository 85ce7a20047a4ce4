import QRCode from 'qrcode';
import type { Customer } from '../../db/models/customer.js';
import { isLocale, type I18n, type Locale, type Translate } from '../../i18n.js';
import type { Logger } from '../../logger.js';
import type { Program } from '../../program/schema.js';
import type { Actor, Services } from '../../services/index.js';
import type { ConfirmFirstVisitResult } from '../../services/visits.js';
import { normalizeCode } from '../../domain/codes.js';
import { parseCommand, type Command, type CommandName } from './commands.js';
import { fraudRuleText, periodText, rewardLabel, tierText, voucherLine } from './format.js';
import { renderDailySummary } from './summary.js';
import type { Button, Incoming, Reply } from './reply.js';

/** Where the bot's links point: the channel decides (t.me deep links, or the web page). */
export interface Links {
  /** The personal referral link a customer shares. */
  referral(code: string): string;
  /** What the member QR encodes: scanned by staff, it opens this customer's card. */
  memberCard(code: string): string;
  /** A link that opens the bot with `/start <payload>`, where the app has such links (Telegram). */
  startLink?(payload: string): string;
}

/** How a channel differs in what people can do in it. */
export interface ChannelTraits {
  /**
   * No deep-link payload (Zalo): a newcomer sends the referral code as a message, so a
   * bare code is read as `/start <code>`, and the welcome asks who invited them.
   */
  bareCodes: boolean;
  /** No contact button: people type `/phone <number>`. */
  typedPhone: boolean;
}

export interface ConversationDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  logger: Logger;
  /** Base of web pages the bot links to (the owner's dashboard). */
  publicUrl: string;
}

/** Payload prefix of a member-card deep link (`/start m_<code>`). */
export const MEMBER_CARD_PREFIX = 'm_';
/** Payload prefix of a staff invite (`/start s_<invite>`). */
export const STAFF_INVITE_PREFIX = 's_';

async function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', width: 480, margin: 2, errorCorrectionLevel: 'M' });
}

const usageKeys: Record<CommandName, string> = {
  start: 'bot:usage.start',
  help: 'bot:usage.help',
  lang: 'bot:usage.lang',
  link: 'bot:usage.link',
  me: 'bot:usage.me',
  rewards: 'bot:usage.rewards',
  phone: 'bot:usage.phone',
  confirm: 'bot:usage.confirm',
  visit: 'bot:usage.visit',
  redeem: 'bot:usage.redeem',
  find: 'bot:usage.find',
  stats: 'bot:usage.stats',
  summary: 'bot:usage.summary',
  staff: 'bot:usage.staff',
  flags: 'bot:usage.flags',
  flag: 'bot:usage.flag',
  program: 'bot:usage.program',
  dashboard: 'bot:usage.dashboard',
  connect: 'bot:usage.connect',
};

/**
 * The whole conversation, channel-neutral: an incoming message becomes a command, the
 * command becomes one service call, and the result becomes replies in the person's
 * language. Telegram and Zalo only translate their updates in and these replies out.
 */
export function createConversation(deps: ConversationDeps, links: Links, traits: ChannelTraits = { bareCodes: false, typedPhone: false }) {
  const { services, program, i18n } = deps;

  async function handle(incoming: Incoming): Promise<Reply[]> {
    const appLocale = incoming.languageCode?.slice(0, 2);
    const { customer, created } = await services.customers.join({
      identity: incoming.identity,
      chatId: incoming.chatId,
      displayName: incoming.displayName,
      locale: isLocale(appLocale) ? appLocale : i18n.defaultLocale,
    });
    const session = { customer, locale: customer.locale, t: i18n.forLocale(customer.locale) };
    const actor: Actor = { customerId: customer._id, identity: incoming.identity };

    if (incoming.contactPhone) return sharePhone(session, incoming.contactPhone);
    const parsed = parseCommand(incoming.text ?? '');
    if (!parsed.ok && parsed.reason === 'not_a_command' && traits.bareCodes) {
      const bare = await bareMessage(session, actor, incoming.text ?? '', created);
      if (bare) return bare;
    }
    if (!parsed.ok) {
      if (parsed.reason === 'usage') return [{ text: session.t('bot:usageIntro', { usage: session.t(usageKeys[parsed.command]) }) }];
      return created ? welcome(session) : [{ text: session.t('bot:notUnderstood') }];
    }
    return run(parsed.command, session, actor, incoming, created);
  }

  type Session = { customer: Customer; locale: Locale; t: Translate };

  async function run(command: Command, s: Session, actor: Actor, incoming: Incoming, created: boolean): Promise<Reply[]> {
    switch (command.name) {
      case 'start':
        return command.payload ? startWithPayload(s, actor, command.payload) : created || !s.customer.localeChosen ? welcome(s) : help(s);
      case 'help':
        return help(s);
      case 'lang':
        return command.locale ? setLanguage(s, command.locale) : [languageChoice(s.t)];
      case 'link':
        return inviteLink(s);
      case 'me':
        return myStatus(s);
      case 'rewards':
        return myRewards(s);
      case 'phone':
        if (command.phone) return sharePhone(s, command.phone);
        return traits.typedPhone ? [{ text: s.t('bot:phoneAskTyped') }] : [{ text: s.t('bot:phoneAsk'), requestContact: true }];
      case 'confirm':
        return visitResult(s, await services.visits.confirmFirstVisit(actor, command.query, command.amount), true);
      case 'visit':
        return visitResult(s, await services.visits.recordVisit(actor, command.query, command.amount, incoming.requestKey), false);
      case 'redeem':
        return redeem(s, actor, command.code);
      case 'find':
        return find(s, actor, command.query);
      case 'stats':
        return stats(s, actor, command.period);
      case 'summary':
        return summary(s);
      case 'staff':
        return staff(s, actor, command);
      case 'flags':
        return flags(s, actor);
      case 'flag':
        return resolveFlag(s, actor, command.flagId, command.decision);
      case 'program':
        return programRules(s);
      case 'dashboard':
        return command.logout ? endDashboardSessions(s, actor) : dashboardLink(s, actor);
      case 'connect':
        return connectApps(s, actor, command.code);
    }
  }

  /** On channels without deep links: a code sent on its own, or skipping the referrer question. */
  async function bareMessage(s: Session, actor: Actor, text: string, created: boolean): Promise<Reply[] | undefined> {
    const word = text.trim();
    if (/^(bỏ qua|bo qua|skip)$/i.test(word)) return [{ text: s.t('bot:referrerSkipped') }];
    const mayBeReferred = !s.customer.referrerId && !s.customer.firstVisitAt;
    if (mayBeReferred && !created && normalizeCode(word) && (await services.referrals.findReferrer(word))) {
      return startWithPayload(s, actor, normalizeCode(word)!);
    }
    if (created && normalizeCode(word) && (await services.referrals.findReferrer(word))) {
      return [...welcome(s), ...(await startWithPayload(s, actor, normalizeCode(word)!))];
    }
    return undefined;
  }

  function languageChoice(t: Translate): Reply {
    return {
      text: t('bot:langAsk'),
      buttons: [[{ label: 'Tiếng Việt', action: '/lang vi' }, { label: 'English', action: '/lang en' }]],
    };
  }

  function welcome(s: Session): Reply[] {
    const text = s.t('bot:welcome', {
      business: program.business.name,
      referrerReward: rewardLabel(program.rewards.referrer, s.locale),
      friendReward: rewardLabel(program.rewards.friend, s.locale),
    });
    const askReferrer = traits.bareCodes && !s.customer.referrerId && !s.customer.firstVisitAt;
    return [{ text: askReferrer ? `${text}\n\n${s.t('bot:askReferrer')}` : text }, languageChoice(s.t)];
  }

  async function help(s: Session): Promise<Reply[]> {
    const lines = [s.t('bot:helpCustomer')];
    if (s.customer.role === 'staff' || s.customer.role === 'owner') lines.push(s.t('bot:helpStaff'));
    if (s.customer.role === 'owner') lines.push(s.t('bot:helpOwner'));
    return Promise.resolve([{ text: lines.join('\n\n') }]);
  }

  async function setLanguage(s: Session, locale: Locale): Promise<Reply[]> {
    await services.customers.setLocale(s.customer._id, locale);
    const t = i18n.forLocale(locale);
    return [{ text: t('bot:langSet') }, ...(await help({ ...s, locale, t }))];
  }

  async function startWithPayload(s: Session, actor: Actor, payload: string): Promise<Reply[]> {
    if (payload.toLowerCase().startsWith(STAFF_INVITE_PREFIX)) {
      return [...(await acceptStaffInvite(s, actor, payload.slice(STAFF_INVITE_PREFIX.length))), ...(s.customer.localeChosen ? [] : [languageChoice(s.t)])];
    }
    if (payload.startsWith(MEMBER_CARD_PREFIX)) {
      const code = payload.slice(MEMBER_CARD_PREFIX.length);
      if (await services.roles.isStaff(s.customer._id)) return find(s, actor, code);
      return help(s);
    }
    if (await services.roles.isSetupCode(payload)) {
      const claimed = await services.roles.claimOwnership(actor, payload);
      return [{ text: claimed.ok ? `${s.t('bot:ownerClaimed')}\n\n${s.t('bot:helpOwner')}` : s.t('bot:ownerClaimFailed') }];
    }
    const via = actor.identity.startsWith('zalo:') ? 'zalo' : 'telegram';
    await services.referrals.recordLinkOpen(payload, via, actor.identity);
    const result = await services.referrals.attribute(s.customer._id, payload, via);
    if (result.ok) {
      return [
        {
          text: s.t(result.duplicate ? 'bot:attributedAgain' : 'bot:attributed', {
            referrer: result.referrer.name || s.t('bot:aFriend'),
            business: program.business.name,
            reward: rewardLabel(result.friendReward, s.locale),
          }),
        },
        ...(s.customer.localeChosen ? [] : [languageChoice(s.t)]),
      ];
    }
    switch (result.reason) {
      case 'unknown_code':
        return [{ text: s.t('bot:attributeUnknownCode') }];
      case 'own_code':
        return [{ text: s.t('bot:attributeOwnCode') }];
      case 'already_referred':
        return [{ text: s.t('bot:attributeAlreadyReferred', { referrer: result.referrerName || s.t('bot:aFriend') }) }];
      case 'already_customer':
        return [{ text: s.t('bot:attributeAlreadyCustomer') }];
    }
  }

  async function inviteLink(s: Session): Promise<Reply[]> {
    const link = links.referral(s.customer.code);
    const invitation = s.t('bot:invitation', {
      business: program.business.name,
      reward: rewardLabel(program.rewards.friend, s.locale),
      link,
      code: s.customer.code,
    });
    const share = `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(
      s.t('bot:shareText', { business: program.business.name, reward: rewardLabel(program.rewards.friend, s.locale) }),
    )}`;
    return [
      { text: s.t('bot:linkIntro', { link, code: s.customer.code, reward: rewardLabel(program.rewards.referrer, s.locale) }) },
      { text: invitation, buttons: [[{ label: s.t('bot:shareButton'), url: share }]] },
      { text: s.t('bot:inviteQrCaption'), photo: await qrPng(link) },
    ];
  }

  async function myStatus(s: Session): Promise<Reply[]> {
    const status = await services.status.getCustomerStatus(s.customer._id);
    if (!status) return [{ text: s.t('common:genericError') }];
    const { customer } = status;
    const lines = [
      s.t('bot:meHeader', { name: customer.name || s.t('bot:aFriend'), code: customer.code }),
      s.t('bot:mePoints', { points: customer.points }),
      s.t('bot:meTier', { tier: tierText(s.t, program, customer.tier, s.locale) }),
      status.next
        ? s.t('bot:meNextTier', { tier: status.next.tier.name, points: status.next.pointsToGo })
        : s.t('bot:meTopTier'),
      s.t('bot:meReferrals', { joined: status.referralsJoined, confirmed: status.referralsConfirmed }),
      status.activeVouchers.length > 0
        ? [s.t('bot:meVouchers'), ...status.activeVouchers.map((v) => `• ${voucherLine(s.t, v, s.locale)}`)].join('\n')
        : s.t('bot:meNoVouchers'),
    ];
    return [
      { text: lines.join('\n') },
      { text: s.t('bot:memberQrCaption', { code: customer.code }), photo: await qrPng(links.memberCard(customer.code)) },
    ];
  }

  async function myRewards(s: Session): Promise<Reply[]> {
    const status = await services.status.getCustomerStatus(s.customer._id);
    if (!status) return [{ text: s.t('common:genericError') }];
    const lines = [
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
    ];
    return [{ text: lines.join('\n\n') }];
  }

  async function sharePhone(s: Session, phone: string): Promise<Reply[]> {
    const result = await services.customers.setPhone(s.customer._id, phone);
    if (result.ok) return [{ text: s.t('bot:phoneSaved', { phone: result.phone }) }];
    return [{ text: s.t(result.reason === 'phone_taken' ? 'bot:phoneTaken' : 'bot:phoneInvalid') }];
  }

  function staffRefusal(s: Session, reason: string): Reply[] | undefined {
    switch (reason) {
      case 'not_allowed':
        return [{ text: s.t('bot:notAllowed') }];
      case 'not_found':
        return [{ text: s.t('bot:customerNotFound') }];
      case 'own_visit':
        return [{ text: s.t('bot:ownVisit') }];
      case 'invalid_amount':
        return [{ text: s.t('bot:invalidAmount') }];
      default:
        return undefined;
    }
  }

  function visitResult(s: Session, result: ConfirmFirstVisitResult, first: boolean): Reply[] {
    if (!result.ok) return staffRefusal(s, result.reason) ?? [{ text: s.t('common:genericError') }];
    const name = result.customer.name || result.customer.code;
    const lines: string[] = [];
    if (result.alreadyConfirmed) {
      lines.push(s.t(result.visit.first ? 'bot:firstVisitAlready' : 'bot:visitAlready', { name, at: result.visit.at }));
    } else {
      lines.push(
        s.t(result.visit.first ? 'bot:firstVisitConfirmed' : 'bot:visitRecorded', {
          name,
          points: result.visit.points,
          total: result.points,
        }),
      );
      if (!first && result.visit.first) lines.push(s.t('bot:visitWasFirst'));
    }
    if (result.referral) {
      lines.push(
        s.t('bot:referralConverted', {
          referrer: result.referral.referrerName || s.t('bot:aFriend'),
          friendReward: rewardLabel(result.referral.friendVoucher.reward, s.locale),
          voucher: result.referral.friendVoucher.code,
        }),
      );
    }
    if (result.referralExpired) lines.push(s.t('bot:referralExpired'));
    if (result.tierUpgrade) lines.push(s.t('bot:customerTierUp', { name, tier: result.tierUpgrade.tier }));
    return [{ text: lines.join('\n') }];
  }

  async function redeem(s: Session, actor: Actor, code: string): Promise<Reply[]> {
    const result = await services.vouchers.redeem(actor, code);
    if (result.ok) {
      return [
        {
          text: s.t('bot:redeemed', {
            code: result.voucher.code,
            reward: rewardLabel(result.voucher.reward, s.locale),
            name: result.customerName,
          }),
        },
      ];
    }
    switch (result.reason) {
      case 'not_allowed':
        return [{ text: s.t('bot:notAllowed') }];
      case 'invalid_code':
        return [{ text: s.t('bot:usageIntro', { usage: s.t('bot:usage.redeem') }) }];
      case 'not_found':
        return [{ text: s.t('bot:voucherNotFound') }];
      case 'own_voucher':
        return [{ text: s.t('bot:ownVoucher') }];
      case 'already_redeemed':
        return [{ text: s.t('bot:voucherAlreadyRedeemed', { at: result.redeemedAt }) }];
      case 'expired':
        return [{ text: s.t('bot:voucherExpired', { at: result.expiresAt }) }];
      case 'cancelled':
        return [{ text: s.t('bot:voucherCancelled') }];
    }
  }

  /** The customer card staff see: facts plus one-tap actions. */
  async function find(s: Session, actor: Actor, query: string): Promise<Reply[]> {
    if (!(await services.roles.isStaff(actor.customerId))) return [{ text: s.t('bot:notAllowed') }];
    const found = await services.customers.findByCodeOrPhone(query);
    if (!found) return [{ text: s.t('bot:customerNotFound') }];
    const status = await services.status.getCustomerStatus(found._id);
    if (!status) return [{ text: s.t('bot:customerNotFound') }];
    const buttons: Button[][] = [];
    if (!found.firstVisitAt) buttons.push([{ label: s.t('bot:cardConfirmButton'), action: `/confirm ${found.code}` }]);
    else buttons.push([{ label: s.t('bot:cardVisitButton'), action: `/visit ${found.code}` }]);
    for (const voucher of status.activeVouchers.slice(0, 5)) {
      buttons.push([{ label: s.t('bot:cardRedeemButton', { code: voucher.code, reward: rewardLabel(voucher.reward, s.locale) }), action: `/redeem ${voucher.code}` }]);
    }
    const lines = [
      s.t('bot:cardHeader', { name: found.name || found.code, code: found.code }),
      found.phone ? s.t('bot:cardPhone', { phone: found.phone }) : undefined,
      s.t('bot:mePoints', { points: found.points }),
      s.t('bot:meTier', { tier: tierText(s.t, program, found.tier, s.locale) }),
      found.firstVisitAt ? s.t('bot:cardVisits', { count: found.visitCount, since: found.firstVisitAt }) : s.t('bot:cardNoVisit'),
      status.activeVouchers.length > 0
        ? [s.t('bot:meVouchers'), ...status.activeVouchers.map((v) => `• ${voucherLine(s.t, v, s.locale)}`)].join('\n')
        : s.t('bot:meNoVouchers'),
    ].filter((line): line is string => !!line);
    return [{ text: lines.join('\n'), buttons }];
  }

  async function requireOwner(s: Session): Promise<Reply[] | undefined> {
    return (await services.roles.isOwner(s.customer._id)) ? undefined : [{ text: s.t('bot:notAllowed') }];
  }

  async function stats(s: Session, _actor: Actor, period: 'today' | '7d' | '30d'): Promise<Reply[]> {
    const refused = await requireOwner(s);
    if (refused) return refused;
    const report = await services.reports.getPeriodStats(period);
    const top = report.topReferrers.map((r, i) => s.t('bot:statsTopLine', { rank: i + 1, name: r.name || r.code, friends: r.friends }));
    const text = [
      s.t('bot:statsHeader', { period: periodText(s.t, period), from: report.from, to: report.to }),
      s.t('bot:statsBody', {
        newCustomers: report.newCustomers,
        linksOpened: report.linksOpened,
        friendsJoined: report.friendsJoined,
        firstVisits: report.firstVisits,
        conversion: Math.round(report.conversionRate * 100),
        rewardsIssued: report.rewardsIssued,
        rewardsRedeemed: report.rewardsRedeemed,
        revenue: report.referredRevenue,
        telegram: report.byChannel.telegram,
        zalo: report.byChannel.zalo,
        link: report.byChannel.link,
        qr: report.byChannel.qr,
        tierUpgrades: report.tierUpgrades,
        openFlags: report.openFlags,
      }),
      top.length > 0 ? [s.t('bot:statsTop'), ...top].join('\n') : s.t('bot:statsNoTop'),
    ].join('\n\n');
    return [{ text }];
  }

  async function summary(s: Session): Promise<Reply[]> {
    const refused = await requireOwner(s);
    if (refused) return refused;
    return [{ text: renderDailySummary(s.t, await services.reports.getDailySummary(new Date()), program.business.name) }];
  }

  async function staff(s: Session, actor: Actor, command: Extract<Command, { name: 'staff' }>): Promise<Reply[]> {
    const refused = await requireOwner(s);
    if (refused) return refused;
    if (command.action === 'invite') return staffInvite(s, actor);
    if (command.action === 'list') {
      const people = await services.roles.listStaff();
      const lines = people.map((p) =>
        s.t(p.role === 'owner' ? 'bot:staffLineOwner' : 'bot:staffLine', { name: p.name || p.code, code: p.code }),
      );
      return [{ text: [s.t('bot:staffHeader'), ...lines, '', s.t('bot:staffHowTo')].join('\n') }];
    }
    const result =
      command.action === 'add' ? await services.roles.addStaff(actor, command.code) : await services.roles.removeStaff(actor, command.code);
    if (!result.ok) {
      switch (result.reason) {
        case 'not_allowed':
          return [{ text: s.t('bot:notAllowed') }];
        case 'invalid_code':
          return [{ text: s.t('bot:usageIntro', { usage: s.t('bot:usage.staff') }) }];
        case 'not_found':
          return [{ text: s.t('bot:customerNotFound') }];
        case 'is_owner':
          return [{ text: s.t('bot:staffIsOwner') }];
      }
    }
    const name = result.customer.name || result.customer.code;
    if (command.action === 'add') return [{ text: s.t(result.changed ? 'bot:staffAdded' : 'bot:staffAlready', { name }) }];
    return [{ text: s.t(result.changed ? 'bot:staffRemoved' : 'bot:staffNotStaff', { name }) }];
  }

  async function staffInvite(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.roles.createStaffInvite(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    const payload = `${STAFF_INVITE_PREFIX}${result.code}`;
    const text = links.startLink
      ? s.t('bot:staffInviteLink', { link: links.startLink(payload), hours: result.hours })
      : s.t('bot:staffInviteTyped', { command: `start ${payload}`, hours: result.hours });
    return [{ text }];
  }

  async function acceptStaffInvite(s: Session, actor: Actor, code: string): Promise<Reply[]> {
    const result = await services.roles.acceptStaffInvite(actor, code);
    if (!result.ok) return [{ text: s.t(result.reason === 'is_owner' ? 'bot:staffInviteOwner' : 'bot:staffInviteInvalid') }];
    if (!result.changed) return [{ text: s.t('bot:staffInviteAlready') }];
    return [{ text: `${s.t('bot:staffInviteAccepted', { business: program.business.name })}\n\n${s.t('bot:helpStaff')}` }];
  }

  async function flags(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.fraud.listOpen(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    if (result.flags.length === 0) return [{ text: s.t('bot:flagsNone') }];
    return result.flags.map((flag) => ({
      text: s.t('bot:flagLine', { rule: fraudRuleText(s.t, flag.rule), at: flag.createdAt }),
      buttons: [
        [
          { label: s.t('bot:flagDismiss'), action: `/flag dismiss ${String(flag._id)}` },
          { label: s.t('bot:flagConfirm'), action: `/flag confirm ${String(flag._id)}` },
        ],
      ],
    }));
  }

  async function resolveFlag(s: Session, actor: Actor, flagId: string, decision: 'dismissed' | 'confirmed'): Promise<Reply[]> {
    const result = await services.fraud.resolve(actor, flagId, decision);
    if (!result.ok) return [{ text: s.t(result.reason === 'not_allowed' ? 'bot:notAllowed' : 'bot:flagNotFound') }];
    return [{ text: s.t(decision === 'dismissed' ? 'bot:flagDismissed' : 'bot:flagConfirmed') }];
  }

  async function dashboardLink(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.dashboard.createLink(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    // The link goes in the text, not a URL button: Telegram refuses buttons to localhost, which is where it points until PUBLIC_URL is set.
    const url = `${deps.publicUrl}/dashboard?token=${result.token}`;
    return [
      {
        text: s.t('access:dashboardLink', { url, minutes: result.minutes, days: result.days }),
        buttons: [[{ label: s.t('access:endSessionsButton'), action: '/dashboard logout' }]],
      },
    ];
  }

  async function endDashboardSessions(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.dashboard.endSessions(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    return [{ text: result.ended > 0 ? s.t('access:sessionsEnded', { count: result.ended }) : s.t('access:sessionsNone') }];
  }

  async function connectApps(s: Session, actor: Actor, code: string | undefined): Promise<Reply[]> {
    if (!code) {
      const link = await services.identityLink.createLinkCode(s.customer._id);
      return [{ text: s.t('bot:connectCode', { code: link.code, minutes: link.minutes }) }];
    }
    const result = await services.identityLink.linkApps(actor, code);
    if (result.ok) return [{ text: s.t('bot:connectDone', { name: result.customer.name || result.customer.code, points: result.customer.points }) }];
    switch (result.reason) {
      case 'invalid_code':
        return [{ text: s.t('bot:connectInvalid') }];
      case 'same_customer':
        return [{ text: s.t('bot:connectAlready') }];
      case 'has_history':
        return [{ text: s.t('bot:connectHasHistory') }];
    }
  }

  function programRules(s: Session): Reply[] {
    const tiers = program.tiers.map((tier) => s.t('bot:programTier', { tier: tier.name, points: tier.minPoints, perk: tier.perk[s.locale] }));
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

  return { handle };
}

export type Conversation = ReturnType<typeof createConversation>;
