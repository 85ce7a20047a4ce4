import type { Customer } from '../../../db/models/customer.js';
import type { ConversationKit, Session } from '../kit.js';
import { defineCommand, mayUse, noArgs, type Command, type Parsed, type Turn } from '../registry.js';
import type { Reply } from '../reply.js';
import type { CustomerFeature } from './customer.js';

/** The notice's own buttons: they answer only as pressed buttons (or numbers), never typed. */
const NOTICE_ACTIONS = new Set(['agree', 'decline']);

/** What the agreement leads to: the start feature's arrival (the remembered referral code's attribution, or the welcome). */
export type Arrival = (turn: Turn, referralCode: string | undefined) => Promise<Reply[]>;

/**
 * The privacy notice and the gate before it: the notice on first contact (and again for a new
 * notice version), the agreement and refusal, the separate offers opt-in, /privacy and /stop.
 */
export function createConsentFeature(kit: ConversationKit, customer: CustomerFeature, arrival: Arrival) {
  const { services, program, i18n } = kit;
  const agreed = (person: Pick<Customer, 'consentVersion'>) => services.consent.hasAgreed(person);

  /** The short notice: who, what and why, how long, the person's rights and the full page. */
  function noticeText(s: Session): string {
    const { business, privacy } = program;
    const { retention } = privacy;
    const details = [business.address, business.phone, business.email].filter(Boolean).join(' · ');
    const inactive = retention.inactiveCustomers;
    return [
      s.t('consent:notice.title', { business: business.name }),
      [s.t('consent:notice.who', { business: business.name }), details ? s.t('consent:notice.contact', { details }) : undefined]
        .filter(Boolean)
        .join('\n'),
      s.t('consent:notice.what'),
      s.t('consent:notice.why'),
      [
        s.t('consent:notice.keep', { linkDays: Math.max(retention.linkOpensDays, retention.notificationsDays), auditDays: retention.auditLogDays }),
        inactive.action === 'pseudonymise'
          ? s.t('consent:notice.keepInactive', { months: inactive.afterMonths, days: inactive.noticeDays })
          : undefined,
      ]
        .filter(Boolean)
        .join(' '),
      s.t('consent:notice.rights'),
      `${s.t('consent:notice.full', { url: `${kit.publicUrl}/privacy` })}\n${s.t('consent:notice.version', { version: privacy.noticeVersion })}`,
    ].join('\n\n');
  }

  /** The notice with its two buttons (numbered on Zalo), for the version in force. */
  function notice(s: Session): Reply[] {
    const version = services.consent.current();
    return [
      {
        text: `${noticeText(s)}\n\n${s.t('consent:notice.ask')}\n${s.t('consent:notice.otherLanguage')}`,
        buttons: [
          [
            { label: s.t('consent:agreeButton'), action: `/agree ${version}` },
            { label: s.t('consent:declineButton'), action: `/decline ${version}` },
          ],
        ],
      },
    ];
  }

  /**
   * The gate: undefined when the message may be answered as usual, else the notice. It reads
   * only the customer the join loaded. `pressed`: the command came from a button or a number.
   */
  function held(turn: Turn, parsed: Parsed, pressed: boolean): Reply[] | undefined {
    if (agreed(turn.s.customer)) return undefined;
    if (parsed.ok || parsed.reason === 'usage') {
      const { command } = parsed;
      // Staff and owner commands are the person's job, not held (an owner's /partner too); the open ones are declared `beforeAgreement`.
      const job = command.role !== 'customer' || (command.shownFrom !== undefined && mayUse(turn.s.customer.role, command.shownFrom));
      if (job || command.beforeAgreement || (pressed && NOTICE_ACTIONS.has(command.name))) return undefined;
    }
    return notice(turn.s);
  }

  /** A language picked before agreeing: the notice follows in that language instead of /help. */
  function afterOpenCommand(turn: Turn, name: string, replies: Reply[]): Reply[] {
    if (agreed(turn.s.customer) || name !== 'lang' || replies.length < 2) return replies;
    const locale = turn.s.customer.locale;
    return [...replies.slice(0, 1), ...notice({ ...turn.s, locale, t: i18n.forLocale(locale) })];
  }

  function offersAsk(s: Session): Reply {
    return {
      text: s.t('consent:offers.ask', { business: program.business.name }),
      buttons: [
        [
          { label: s.t('consent:offers.yesButton'), action: '/offers on' },
          { label: s.t('consent:offers.noButton'), action: '/offers off' },
        ],
      ],
    };
  }

  /** True for a person the program knew before this notice: agreed to an older one, or has points, visits or a referrer. */
  const hasHistory = (person: Customer) =>
    !!person.consentVersion || person.visitCount > 0 || person.points > 0 || !!person.referrerId || !!person.importedAt;

  async function agree(turn: Turn, version: string): Promise<Reply[]> {
    const { s, actor } = turn;
    const known = hasHistory(s.customer);
    const result = await services.consent.agree(actor, s.customer, version, turn.displayName);
    if (!result.ok) return result.reason === 'stale_version' ? [{ text: s.t('consent:stale') }, ...notice(s)] : [{ text: s.t('bot:notAllowed') }];
    if (result.duplicate) return [{ text: s.t('consent:alreadyAgreed') }];
    Object.assign(s.customer, {
      consentVersion: result.version,
      consentAt: result.at,
      name: s.customer.name || turn.displayName || '',
      pendingReferralCode: undefined,
      pendingReferralAt: undefined,
    });
    const replies = known ? [{ text: s.t('consent:agreedAgain', { version: result.version }) }] : await arrival(turn, result.referralCode);
    return [...replies, ...(result.askOffers ? [offersAsk(s)] : languageChoiceIfNew(s))];
  }

  const languageChoiceIfNew = (s: Session): Reply[] => (s.customer.localeChosen ? [] : [customer.languageChoice(s.t)]);

  async function decline({ s, actor }: Turn, version: string): Promise<Reply[]> {
    const result = await services.consent.decline(actor, s.customer, version);
    if (!result.ok) return result.reason === 'stale_version' ? [{ text: s.t('consent:stale') }, ...notice(s)] : [{ text: s.t('bot:notAllowed') }];
    Object.assign(s.customer, { pendingReferralCode: undefined, pendingReferralAt: undefined });
    return [{ text: s.t(result.hadHistory ? 'consent:declinedExisting' : 'consent:declinedNew') }];
  }

  /** Offers on or off from the question after agreeing or from /privacy; the first answer leads to the language choice. */
  async function offers(turn: Turn, given: boolean): Promise<Reply[]> {
    const { s, actor, requestKey } = turn;
    const result = await services.consent.setMarketing(actor, s.customer, given, 'ask', requestKey);
    if (!result.ok) return result.reason === 'not_agreed' ? notice(s) : [{ text: s.t('bot:notAllowed') }];
    Object.assign(s.customer, { marketingConsent: given, marketingConsentAt: new Date(), marketingStoppedAt: undefined });
    const text = s.t(given ? 'consent:offers.on' : 'consent:offers.off');
    if (s.customer.localeChosen) return [{ text }];
    const choice = customer.languageChoice(s.t);
    return [{ ...choice, text: `${text}\n\n${choice.text}` }];
  }

  async function stop({ s, actor, requestKey }: Turn): Promise<Reply[]> {
    if (!s.customer.consentVersion) return [{ text: s.t('consent:stop.notAgreed') }];
    const result = await services.consent.setMarketing(actor, s.customer, false, 'stop', requestKey);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    Object.assign(s.customer, { marketingConsent: false, marketingStoppedAt: new Date() });
    return [{ text: s.t('consent:stop.done') }];
  }

  /** /start from a person who turned offers off with /stop: they are back on, and the person is told. */
  async function resumeIfStopped({ s, actor, requestKey }: Turn): Promise<Reply[]> {
    if (!s.customer.marketingStoppedAt || !agreed(s.customer)) return [];
    const result = await services.consent.setMarketing(actor, s.customer, true, 'start', requestKey);
    if (!result.ok) return [];
    Object.assign(s.customer, { marketingConsent: true, marketingStoppedAt: undefined });
    return [{ text: s.t('consent:resumed') }];
  }

  /** /privacy: the notice, what the person agreed to and when, their offers choice with the button to change it. */
  function privacy(turn: Turn): Reply[] {
    const { s } = turn;
    if (!agreed(s.customer)) return notice(s);
    const on = s.customer.marketingConsent === true;
    const lines = [
      noticeText(s),
      s.t('consent:privacy.agreed', { version: s.customer.consentVersion, at: s.customer.consentAt }),
      s.t(on ? 'consent:privacy.offersOn' : 'consent:privacy.offersOff'),
    ];
    return [
      {
        text: lines.join('\n\n'),
        buttons: [[{ label: s.t(on ? 'consent:privacy.turnOff' : 'consent:privacy.turnOn'), action: on ? '/offers off' : '/offers on' }]],
      },
    ];
  }

  const version = (args: string[]) => (args.length > 0 ? { version: args.join(' ') } : undefined);
  const commands: Command[] = [
    defineCommand({
      name: 'privacy',
      beforeAgreement: true,
      role: 'customer',
      usage: 'consent:usage.privacy',
      menu: 'consent:menu.privacy',
      parse: noArgs,
      run: (turn) => privacy(turn),
    }),
    defineCommand({
      name: 'stop',
      beforeAgreement: true,
      role: 'customer',
      usage: 'consent:usage.stop',
      menu: 'consent:menu.stop',
      parse: noArgs,
      run: (turn) => stop(turn),
    }),
    // The notice's and the offers question's buttons: no menu entry.
    defineCommand({ name: 'agree', role: 'customer', usage: 'consent:usage.agree', parse: version, run: (turn, args) => agree(turn, args.version) }),
    defineCommand({
      name: 'decline',
      role: 'customer',
      usage: 'consent:usage.decline',
      parse: version,
      run: (turn, args) => decline(turn, args.version),
    }),
    defineCommand({
      name: 'offers',
      role: 'customer',
      usage: 'consent:usage.offers',
      parse: (args) => (args.length === 1 && (args[0] === 'on' || args[0] === 'off') ? { given: args[0] === 'on' } : undefined),
      run: (turn, { given }) => offers(turn, given),
    }),
  ];

  return { commands, agreed, notice, held, afterOpenCommand, resumeIfStopped };
}

export type ConsentFeature = ReturnType<typeof createConsentFeature>;
