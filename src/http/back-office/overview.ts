import type { Request, Router } from 'express';
import { fraudReviewLines, fraudRuleText } from '../../channels/conversation/format.js';
import { tierName } from '../../domain/loyalty.js';
import { changeOf, isNamedPeriod, namedPeriods, type PeriodChoice } from '../../domain/periods.js';
import type { I18n, Translate } from '../../i18n.js';
import type { Program } from '../../program/schema.js';
import type { OverviewView } from '../../services/overview.js';
import type { SummaryFigure } from '../../services/reports.js';
import type { Services } from '../../services/index.js';
import { overviewCharts } from './overview-charts.js';
import { localsOf, type BackOffice } from './session.js';

export interface OverviewRoutesDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  backOffice: BackOffice;
}

/** The notices a post sends the overview back with (`done=`). */
const doneKeys = {
  dismissed: 'bot:flagDismissed',
  confirmed: 'bot:flagConfirmed',
  not_found: 'bot:flagNotFound',
  erased: 'erasure:web.erased',
} as const;
type Done = keyof typeof doneKeys;

const rangeErrors = {
  invalid_date: 'overview:range.invalidDate',
  from_after_to: 'overview:range.fromAfterTo',
  in_future: 'overview:range.inFuture',
  too_long: 'overview:range.tooLong',
} as const;

const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 10) : '');

/** The period asked in the address: a named one, a custom range of two dates, else the last 30 days. */
function choiceOf(query: Request['query']): PeriodChoice {
  if (query.period === 'custom') return { period: 'custom', from: text(query.from), to: text(query.to) };
  return { period: isNamedPeriod(query.period) ? query.period : '30d' };
}

/** "+12 (+20%)", "−3 (−10%)", "new" or "no change", with the direction for its colour. */
function changeText(t: Translate, current: number, previous: number, money = false) {
  const change = changeOf(current, previous);
  if (change.kind === 'same') return { text: t('overview:change.same'), direction: 'same' };
  if (change.kind === 'new') return { text: t('overview:change.new'), direction: 'up' };
  const sign = change.delta > 0 ? '+' : '−';
  const delta = money ? t('overview:change.money', { change: change.delta }) : `${sign}${Math.abs(change.delta)}`;
  return {
    text: t('overview:change.delta', { delta, percent: `${sign}${Math.abs(change.percent)}%` }),
    direction: change.delta > 0 ? 'up' : 'down',
  };
}

/** The figure cards: each with its value and its change against the period before. */
function figureCards(t: Translate, view: OverviewView) {
  const { stats, previous } = view;
  const count = (id: SummaryFigure, label: string, money = false) => ({
    id,
    label: t(label),
    value: money ? t('dashboard:money', { amount: stats[id] }) : String(stats[id]),
    change: changeText(t, stats[id], previous[id], money),
  });
  const points = Math.round(stats.conversionRate * 100) - Math.round(previous.conversionRate * 100);
  return [
    count('newCustomers', 'dashboard:newCustomers'),
    count('linksOpened', 'dashboard:linksOpened'),
    count('friendsJoined', 'dashboard:friendsJoined'),
    count('firstVisits', 'dashboard:firstVisits'),
    {
      id: 'conversion',
      label: t('dashboard:conversion'),
      value: `${Math.round(stats.conversionRate * 100)}%`,
      change:
        points === 0
          ? { text: t('overview:change.same'), direction: 'same' }
          : { text: t('overview:change.points', { points: `${points > 0 ? '+' : '−'}${Math.abs(points)}` }), direction: points > 0 ? 'up' : 'down' },
    },
    count('rewardsIssued', 'dashboard:rewardsIssued'),
    count('rewardsRedeemed', 'dashboard:rewardsRedeemed'),
    count('referredRevenue', 'dashboard:referredRevenue', true),
    count('tierUpgrades', 'dashboard:tierUpgrades'),
    count('undeliverable', 'dashboard:undeliverable'),
    count('memberships', 'members:dashboard.memberships'),
    count('membershipRevenue', 'members:dashboard.membershipRevenue', true),
    // Members running now is a state, not a count of the period: no change.
    { id: 'activeMembers', label: t('members:dashboard.activeMembers'), value: String(stats.activeMembers), change: undefined },
  ];
}

/** The overview `/dashboard` and the fraud review's forms. */
export function registerOverviewRoutes(router: Router, deps: OverviewRoutesDeps): void {
  const { services, i18n, backOffice, program } = deps;

  router.get('/dashboard', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const choice = choiceOf(req.query);
    const done = typeof req.query.done === 'string' && Object.hasOwn(doneKeys, req.query.done) ? (req.query.done as Done) : undefined;
    let result = await services.overview.getOverview(access.actor, choice);
    // A custom range that cannot be read: the page says why next to the dates, with the last 30 days.
    const rangeError = !result.ok && result.reason !== 'not_allowed' ? t(rangeErrors[result.reason]) : undefined;
    if (rangeError) result = await services.overview.getOverview(access.actor, { period: '30d' });
    if (!result.ok) return backOffice.refuse(res, locale, 'signedOut');
    const { view } = result;
    const periodQuery =
      choice.period === 'custom' && !rangeError ? { period: 'custom', from: choice.from, to: choice.to } : { period: choice.period };
    const shown = rangeError ? '30d' : choice.period;
    const widest = Math.max(1, view.stats.linksOpened, view.stats.friendsJoined, view.stats.firstVisits);
    backOffice.frame(req, res, 'back-office/overview', 'overview', {
      title: t('dashboard:title', { business: program.business.name }),
      styles: ['overview'],
      notice: done ? t(doneKeys[done]) : undefined,
      periods: namedPeriods.map((period) => ({
        href: `/dashboard?${new URLSearchParams({ period, lang: locale }).toString()}`,
        label: t(`overview:period.${period}`),
        current: period === shown,
      })),
      custom: {
        current: shown === 'custom',
        from: choice.period === 'custom' ? choice.from : view.range.firstDay,
        to: choice.period === 'custom' ? choice.to : view.range.lastDay,
        error: rangeError,
      },
      periodQuery,
      view,
      // The last instant inside each period names its last day.
      shown: { from: view.range.from, to: new Date(view.range.to.getTime() - 1) },
      before: { from: view.range.previous.from, to: new Date(view.range.previous.to.getTime() - 1) },
      figures: figureCards(t, view),
      charts: overviewCharts(t, view.days),
      funnel: [
        { label: t('dashboard:linksOpened'), value: view.stats.linksOpened },
        { label: t('dashboard:friendsJoined'), value: view.stats.friendsJoined },
        { label: t('dashboard:firstVisits'), value: view.stats.firstVisits },
      ].map((step) => ({ ...step, percent: Math.round((step.value / widest) * 100) })),
      // Every channel in the reports' order, each with its funnel through to revenue.
      channels: Object.entries(view.stats.byChannel).map(([channel, figures]) => ({
        channel,
        label: t(`dashboard:channel.${channel}`),
        ...figures,
        revenue: t('dashboard:money', { amount: figures.revenue }),
      })),
      tiers: view.tiers.map(({ tier, customers }) => ({ name: tierName(tier, locale), minPoints: tier.minPoints, customers })),
      flags: view.flags.map((flag) => ({
        id: String(flag._id),
        rule: fraudRuleText(t, flag.rule),
        lines: fraudReviewLines(t, flag),
        at: flag.createdAt,
      })),
    });
  });

  router.post('/dashboard/flags/:id', ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const body = req.body as Record<string, unknown>;
    const decision = body.decision === 'dismissed' || body.decision === 'confirmed' ? body.decision : undefined;
    const result = decision ? await services.fraud.resolve(access.actor, req.params.id as string, decision) : undefined;
    const done: Done = result?.ok && decision ? decision : 'not_found';
    const back = new URLSearchParams({ ...choiceQuery(body), lang: locale, done });
    res.redirect(303, `/dashboard?${back.toString()}#flags`);
  });
}

/** The period the form was posted from, to go back to it. */
function choiceQuery(body: Record<string, unknown>): Record<string, string> {
  if (body.period === 'custom') return { period: 'custom', from: text(body.from), to: text(body.to) };
  return { period: isNamedPeriod(body.period) ? body.period : '30d' };
}
