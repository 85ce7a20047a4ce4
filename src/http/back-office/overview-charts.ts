import type { Translate } from '../../i18n.js';
import type { DayFigures } from '../../services/reports.js';

/**
 * The overview's charts as numbers: bar coordinates in an SVG viewBox, worked out here and
 * drawn by views/back-office/partials/overview-chart.eta. The viewBox is about a phone's width,
 * so the labels read at 360 px and the picture scales up on a wide screen.
 */
export const CHART = { width: 320, height: 150, top: 14, bottom: 22, left: 4, right: 4 } as const;

type Series = Exclude<keyof DayFigures, 'date'>;

export interface ChartBar {
  x: number;
  y: number;
  width: number;
  height: number;
  /** `series-0`, `series-1`: which series the bar belongs to (its colour). */
  series: number;
  /** The tooltip and the text a screen reader gets: the day and the value. */
  title: string;
}

export interface Chart {
  id: string;
  title: string;
  /** One sentence with the period's total (the chart's description). */
  summary: string;
  bars: ChartBar[];
  /** The value at the top of the scale, printed at the top left. */
  maxLabel: string;
  firstDay: string;
  lastDay: string;
  baseline: number;
  legend: Array<{ label: string; series: number }>;
}

const charts: Array<{ id: string; title: string; series: Series[]; money?: boolean }> = [
  { id: 'newCustomers', title: 'dashboard:newCustomers', series: ['newCustomers'] },
  { id: 'friendsJoined', title: 'dashboard:friendsJoined', series: ['friendsJoined'] },
  { id: 'firstVisits', title: 'dashboard:firstVisits', series: ['firstVisits'] },
  { id: 'referredRevenue', title: 'dashboard:referredRevenue', series: ['referredRevenue'], money: true },
  { id: 'vouchers', title: 'overview:chart.vouchers', series: ['rewardsIssued', 'rewardsRedeemed'] },
];

const seriesLabels: Record<Series, string> = {
  newCustomers: 'dashboard:newCustomers',
  friendsJoined: 'dashboard:friendsJoined',
  firstVisits: 'dashboard:firstVisits',
  referredRevenue: 'dashboard:referredRevenue',
  rewardsIssued: 'dashboard:rewardsIssued',
  rewardsRedeemed: 'dashboard:rewardsRedeemed',
};

const round = (n: number) => Math.round(n * 100) / 100;

/** The day as the chart labels it (dd/mm in either language: short enough for a phone). */
const dayLabel = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;

/** Every chart of the overview over `days` (each business day of the period, in order). */
export function overviewCharts(t: Translate, days: DayFigures[]): Chart[] {
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const baseline = CHART.height - CHART.bottom;
  const slot = (CHART.width - CHART.left - CHART.right) / Math.max(1, days.length);
  return charts.map((chart) => {
    const format = (value: number) => (chart.money ? t('dashboard:money', { amount: value }) : String(value));
    const max = Math.max(0, ...days.flatMap((day) => chart.series.map((name) => day[name])));
    // A gap between days while they are wide enough to show one.
    const gap = slot >= 4 ? slot * 0.2 : 0;
    const barWidth = (slot - gap) / chart.series.length;
    const bars = days.flatMap((day, i) =>
      chart.series.map((name, s) => {
        const value = day[name];
        const height = max === 0 ? 0 : (value / max) * plotHeight;
        return {
          x: round(CHART.left + i * slot + gap / 2 + s * barWidth),
          y: round(baseline - height),
          width: round(Math.max(barWidth, 0.5)),
          height: round(height),
          series: s,
          title: t('overview:chart.bar', { day: dayLabel(day.date), label: t(seriesLabels[name]), value: format(value) }),
        };
      }),
    );
    const totals = chart.series.map((name) => `${t(seriesLabels[name])}: ${format(days.reduce((sum, day) => sum + day[name], 0))}`);
    return {
      id: chart.id,
      title: t(chart.title),
      summary: t('overview:chart.summary', { days: days.length, totals: totals.join('; ') }),
      bars,
      maxLabel: format(max),
      firstDay: days[0] ? dayLabel(days[0].date) : '',
      lastDay: days.length > 1 ? dayLabel(days[days.length - 1]!.date) : '',
      baseline,
      legend: chart.series.length > 1 ? chart.series.map((name, s) => ({ label: t(seriesLabels[name]), series: s })) : [],
    };
  });
}
