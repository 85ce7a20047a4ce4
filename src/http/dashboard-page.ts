import { fraudReviewLines, fraudRuleText, periodText } from '../channels/conversation/format.js';
import type { Locale, Translate } from '../i18n.js';
import type { Program } from '../program/schema.js';
import type { DashboardView } from '../services/dashboard.js';
import { eraseForm } from './back-office/erasure.js';
import { escapeHtml, htmlPage, otherLanguageLink } from './html.js';
import { tierName } from '../domain/loyalty.js';

// The owner dashboard's page, rendered on the server from the view the service gives (no scripts).

const periods = ['today', '7d', '30d'] as const;
export type Period = (typeof periods)[number];
export const isPeriod = (value: unknown): value is Period => typeof value === 'string' && (periods as readonly string[]).includes(value);

export const doneKeys = {
  dismissed: 'bot:flagDismissed',
  confirmed: 'bot:flagConfirmed',
  not_found: 'bot:flagNotFound',
  erased: 'erasure:web.erased',
} as const;
export type Done = keyof typeof doneKeys;

const channelKeys = {
  telegram: 'dashboard:channel.telegram',
  zalo: 'dashboard:channel.zalo',
  link: 'dashboard:channel.link',
  qr: 'dashboard:channel.qr',
} as const;

const actionKeys: Record<string, string> = {
  confirm_first_visit: 'dashboard:action.confirm_first_visit',
  record_visit: 'dashboard:action.record_visit',
  redeem: 'dashboard:action.redeem',
  staff_add: 'dashboard:action.staff_add',
  staff_remove: 'dashboard:action.staff_remove',
  staff_invite: 'dashboard:action.staff_invite',
  staff_invite_accept: 'dashboard:action.staff_invite_accept',
  resolve_flag: 'dashboard:action.resolve_flag',
  claim_ownership: 'dashboard:action.claim_ownership',
  dashboard_link: 'dashboard:action.dashboard_link',
  dashboard_logout: 'access:action.dashboard_logout',
  connect_code: 'dashboard:action.connect_code',
  open_card: 'dashboard:action.open_card',
  connect_link: 'dashboard:action.connect_link',
  connect_unlink: 'dashboard:action.connect_unlink',
  find: 'dashboard:action.find',
  stats: 'dashboard:action.stats',
  summary: 'dashboard:action.summary',
  staff_list: 'dashboard:action.staff_list',
  flags: 'dashboard:action.flags',
  dashboard_view: 'dashboard:action.dashboard_view',
  processing_record: 'mydata:action.processing_record',
  erase_customer: 'erasure:web.auditAction',
};

const outcomeKeys: Record<string, string> = {
  confirmed: 'dashboard:outcome.confirmed',
  already_confirmed: 'dashboard:outcome.already_confirmed',
  recorded: 'dashboard:outcome.recorded',
  already_recorded: 'dashboard:outcome.already_recorded',
  redeemed: 'dashboard:outcome.redeemed',
  already_redeemed: 'dashboard:outcome.already_redeemed',
  expired: 'dashboard:outcome.expired',
  cancelled: 'dashboard:outcome.cancelled',
  own_voucher: 'dashboard:outcome.own_voucher',
  own_visit: 'dashboard:outcome.own_visit',
  not_allowed: 'dashboard:outcome.not_allowed',
  not_found: 'dashboard:outcome.not_found',
  invalid_code: 'dashboard:outcome.invalid_code',
  is_owner: 'dashboard:outcome.is_owner',
  changed: 'dashboard:outcome.changed',
  unchanged: 'dashboard:outcome.unchanged',
  issued: 'dashboard:outcome.issued',
  invalid_invite: 'dashboard:outcome.invalid_invite',
  used: 'dashboard:outcome.used',
  dismissed: 'dashboard:outcome.dismissed',
  owner: 'dashboard:outcome.owner',
  invalid_setup_code: 'dashboard:outcome.invalid_setup_code',
  ended: 'access:outcome.ended',
  requested: 'dashboard:outcome.requested',
  same_app: 'dashboard:outcome.same_app',
  same_customer: 'dashboard:outcome.same_customer',
  has_history: 'dashboard:outcome.has_history',
  app_taken: 'dashboard:outcome.app_taken',
  linked: 'dashboard:outcome.linked',
  declined: 'dashboard:outcome.declined',
  unlinked: 'dashboard:outcome.unlinked',
  ambiguous_phone: 'dashboard:outcome.ambiguous_phone',
  erased: 'erasure:web.auditOutcome',
};

export const style =
  `body{font-family:system-ui,sans-serif;margin:0;background:#f6f4f1;color:#2d2a26}main{max-width:60rem;margin:0 auto;padding:1.25rem}` +
  `h1{font-size:1.4rem;margin:.25rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}nav a{display:inline-block;margin:.25rem .5rem .25rem 0;padding:.4rem .8rem;border-radius:1rem;background:#fff;color:#2d2a26;text-decoration:none;border:1px solid #ddd}` +
  `nav a[aria-current]{background:#c2185b;color:#fff;border-color:#c2185b}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.75rem}` +
  `.card{background:#fff;border-radius:.75rem;padding:.8rem;box-shadow:0 1px 2px #0001}.card b{display:block;font-size:1.5rem;margin-top:.25rem}` +
  `.scroll{overflow-x:auto;border-radius:.75rem}table{width:100%;border-collapse:collapse;background:#fff;border-radius:.75rem;overflow:hidden}th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #eee}` +
  `.funnel td:last-child{width:50%}.bar{background:#c2185b;height:.6rem;border-radius:.3rem;min-width:2px}.notice{background:#e8f5e9;padding:.6rem .8rem;border-radius:.5rem}small{color:#6b645c}` +
  `form{display:inline}button{margin:.1rem;padding:.35rem .7rem;border-radius:.5rem;border:1px solid #bbb;background:#fff;cursor:pointer}`;

/** The session id from the request's cookie header, if any. */
export interface DashboardPage {
  t: Translate;
  locale: Locale;
  program: Program;
  view: DashboardView;
  /** Sent back by every form, proving the post comes from this session's page. */
  csrf: string;
  period: Period;
  done: Done | undefined;
  owner: string;
}

export function renderDashboard(page: DashboardPage): string {
  const { t, locale, program, view, csrf, period } = page;
  const { stats } = view;
  const business = program.business.name;
  const link = (params: Record<string, string>) => `/dashboard?${new URLSearchParams({ period, lang: locale, ...params }).toString()}`;
  const table = (headers: string[] | undefined, rows: string[][], className = '') =>
    `<div class="scroll"><table${className ? ` class="${className}"` : ''}>${headers ? `<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` : ''}` +
    `<tbody>${rows.map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;

  const nav = periods
    .map((p) => `<a href="${escapeHtml(link({ period: p }))}"${p === period ? ' aria-current="page"' : ''}>${escapeHtml(periodText(t, p))}</a>`)
    .join('');

  const figures: Array<[string, string, string]> = [
    ['newCustomers', t('dashboard:newCustomers'), String(stats.newCustomers)],
    ['linksOpened', t('dashboard:linksOpened'), String(stats.linksOpened)],
    ['friendsJoined', t('dashboard:friendsJoined'), String(stats.friendsJoined)],
    ['firstVisits', t('dashboard:firstVisits'), String(stats.firstVisits)],
    ['conversion', t('dashboard:conversion'), `${Math.round(stats.conversionRate * 100)}%`],
    ['rewardsIssued', t('dashboard:rewardsIssued'), String(stats.rewardsIssued)],
    ['rewardsRedeemed', t('dashboard:rewardsRedeemed'), String(stats.rewardsRedeemed)],
    ['referredRevenue', t('dashboard:referredRevenue'), t('dashboard:money', { amount: stats.referredRevenue })],
    ['tierUpgrades', t('dashboard:tierUpgrades'), String(stats.tierUpgrades)],
    ['undeliverable', t('dashboard:undeliverable'), String(stats.undeliverable)],
    ['activeMembers', t('members:dashboard.activeMembers'), String(stats.activeMembers)],
    ['memberships', t('members:dashboard.memberships'), String(stats.memberships)],
    ['membershipRevenue', t('members:dashboard.membershipRevenue'), t('dashboard:money', { amount: stats.membershipRevenue })],
  ];
  const cards = figures
    .map(([id, label, value]) => `<div class="card" data-figure="${id}">${escapeHtml(label)}<b>${escapeHtml(value)}</b></div>`)
    .join('');

  const funnelSteps: Array<[string, number]> = [
    [t('dashboard:linksOpened'), stats.linksOpened],
    [t('dashboard:friendsJoined'), stats.friendsJoined],
    [t('dashboard:firstVisits'), stats.firstVisits],
  ];
  const widest = Math.max(1, ...funnelSteps.map(([, n]) => n));
  const funnel = table(
    undefined,
    funnelSteps.map(([label, n]) => [escapeHtml(label), String(n), `<div class="bar" style="width:${Math.round((n / widest) * 100)}%"></div>`]),
    'funnel',
  );

  const channels = table(
    undefined,
    Object.entries(channelKeys).map(([channel, key]) => [escapeHtml(t(key)), String(stats.byChannel[channel as keyof typeof channelKeys])]),
  );

  const top =
    stats.topReferrers.length === 0
      ? `<p>${escapeHtml(t('dashboard:noTopReferrers'))}</p>`
      : table(
          [t('dashboard:name'), t('dashboard:code'), t('dashboard:friends')],
          stats.topReferrers.map((r) => [escapeHtml(r.name || r.code), escapeHtml(r.code), String(r.friends)]),
        );

  const tiers = table(
    [t('dashboard:tier'), t('dashboard:fromPoints'), t('dashboard:customers')],
    view.tiers.map(({ tier, customers }) => [escapeHtml(tierName(tier, locale)), String(tier.minPoints), String(customers)]),
  );

  const staffRows = view.staff.map((person) => [
    escapeHtml(person.name || person.code),
    escapeHtml(person.code),
    escapeHtml(t(person.role === 'owner' ? 'dashboard:role.owner' : 'dashboard:role.staff')),
  ]);
  const staff =
    table([t('dashboard:name'), t('dashboard:code'), ''], staffRows) +
    (view.staff.some((p) => p.role === 'staff') ? '' : `<p><small>${escapeHtml(t('dashboard:noStaff'))}</small></p>`);

  const personText = (p: { name: string; code: string } | undefined) => (p ? escapeHtml(`${p.name || p.code} (${p.code})`) : '');
  const flagForm = (id: string, decision: 'dismissed' | 'confirmed', label: string) =>
    `<form method="post" action="/dashboard/flags/${escapeHtml(id)}">` +
    `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}"><input type="hidden" name="period" value="${period}">` +
    `<input type="hidden" name="lang" value="${locale}"><input type="hidden" name="decision" value="${decision}">` +
    `<button type="submit">${escapeHtml(label)}</button></form>`;
  const flags =
    view.flags.length === 0
      ? `<p>${escapeHtml(t('bot:flagsNone'))}</p>`
      : table(
          [t('dashboard:rule'), t('dashboard:customer'), t('dashboard:when'), ''],
          view.flags.map((flag) => [
            escapeHtml(fraudRuleText(t, flag.rule)),
            fraudReviewLines(t, flag).map(escapeHtml).join('<br>'),
            escapeHtml(t('dashboard:at', { at: flag.createdAt })),
            flagForm(String(flag._id), 'dismissed', t('bot:flagDismiss')) + flagForm(String(flag._id), 'confirmed', t('bot:flagConfirm')),
          ]),
        );

  const activity =
    view.activity.length === 0
      ? `<p>${escapeHtml(t('dashboard:noActivity'))}</p>`
      : table(
          [t('dashboard:when'), t('dashboard:who'), t('dashboard:what'), t('dashboard:result'), t('dashboard:customer')],
          view.activity.map((entry) => [
            escapeHtml(t('dashboard:at', { at: entry.at })),
            personText(entry.actor),
            escapeHtml(t(actionKeys[entry.action] ?? 'dashboard:action.other')),
            escapeHtml(t(outcomeKeys[entry.outcome] ?? 'dashboard:outcome.other')),
            // One object per person in the view: an action on oneself names nobody twice.
            entry.target === entry.actor ? '' : personText(entry.target),
          ]),
        );

  const refused =
    view.refused.length === 0
      ? `<p>${escapeHtml(t('dashboard:noRefused'))}</p>`
      : table(
          [t('dashboard:refusedHour'), t('dashboard:who'), t('dashboard:refusedTries'), t('dashboard:refusedCount')],
          view.refused.map((entry) => [
            escapeHtml(t('dashboard:at', { at: entry.hour })),
            personText(entry.actor),
            escapeHtml(
              entry.actions
                .map((a) => t('dashboard:actionCount', { action: t(actionKeys[a.action] ?? 'dashboard:action.other'), count: a.count }))
                .join(', '),
            ),
            String(entry.count),
          ]),
        );

  const body =
    `<main><h1>${escapeHtml(t('dashboard:heading', { business }))}</h1>` +
    `<p><small>${escapeHtml(t('dashboard:signedInAs', { name: page.owner }))} · ` +
    `${otherLanguageLink(locale, (lang) => link({ lang }))} · ` +
    `<a href="/dashboard/record?lang=${locale}">${escapeHtml(t('mydata:doc.recordLink'))}</a></small></p>` +
    (page.done ? `<p class="notice" role="status">${escapeHtml(t(doneKeys[page.done]))}</p>` : '') +
    `<nav>${nav}</nav><p><small>${escapeHtml(t('dashboard:periodRange', { from: stats.from, to: stats.to }))} · ` +
    `${escapeHtml(t('dashboard:totalCustomers', { count: view.customers }))}</small></p>` +
    `<h2>${escapeHtml(t('dashboard:figures'))}</h2><div class="cards">${cards}</div>` +
    `<h2>${escapeHtml(t('dashboard:funnel'))}</h2>${funnel}` +
    `<h2>${escapeHtml(t('dashboard:byChannel'))}</h2>${channels}` +
    `<h2>${escapeHtml(t('dashboard:topReferrers'))}</h2>${top}` +
    `<h2>${escapeHtml(t('dashboard:tiers'))}</h2>${tiers}` +
    `<h2>${escapeHtml(t('dashboard:staff'))}</h2>${staff}` +
    `<h2 id="flags">${escapeHtml(t('dashboard:flags'))}</h2>${flags}` +
    `<h2 id="activity">${escapeHtml(t('dashboard:activity'))}</h2>${activity}` +
    `<h2 id="refused">${escapeHtml(t('dashboard:refused'))}</h2>${refused}` +
    eraseForm({ t, locale, csrf }) +
    `</main>`;
  return htmlPage({ locale, title: t('dashboard:title', { business }), style, body });
}
