import { DateTime } from 'luxon';
import type { DayRollup } from '../db/models/day-rollup.js';
import type { Models } from '../db/models/index.js';
import { businessDay } from '../domain/schedule.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import {
  addFigures,
  countDayFigures,
  countDayPartFigures,
  countFigures,
  emptyFigures,
  prunedChannelFigures,
  prunedFigures,
  type ChannelFigures,
  type FigureModels,
  type PrunedKind,
  type RangeFigures,
} from './figures.js';
import { deleteEach } from '../db/each-value.js';

/**
 * How long after a business day ends its rollup may be built. Records are stamped with the
 * time they are written, so by then nothing new lands on the day unless a correction does
 * (and marks it); it also covers clocks of several processes that differ a little.
 */
export const ROLLUP_GRACE_MS = 10 * 60_000;
/** The days the start-up and nightly catch-up keep built: the 30-day report and the summary's week. */
export const ROLLUP_DAYS = 35;
/** Raised when RangeFigures changes shape, so every stored day is built again (3: byChannel holds each channel's funnel). */
const ROLLUP_VERSION = 3;
/** A rebuild holding its claim longer than this died; another may take over. */
const BUILD_LEASE_MS = 2 * 60_000;
/** Days the retention job seals (and so removes records of) in one run, at most. */
const SEAL_DAYS = 62;
/** What rollups.seal kept: the days (yyyy-mm-dd) and the end of the last, before which records may go. */
export interface Sealed {
  days: string[];
  until: Date;
}
/** Days built at once when a report finds several missing. */
const BUILDS_AT_ONCE = 4;
/**
 * A range ending less than this before now ends "now" (the instant the report was asked):
 * what was stamped since is part of the day so far, which is counted by its day key.
 */
const SO_FAR_MS = 60_000;

interface Day {
  start: Date;
  end: Date;
  date: string;
}

const dayOf = (at: Date, timezone: string): Day => businessDay(at, timezone);

/**
 * Where corrections say a closed day's figures changed. A change to a day not closed yet
 * needs no mark: its rollup is built later and reads it.
 */
export function createStaleDays(models: Pick<Models, 'StaleDay'>, timezone: string, now: () => Date) {
  /** The figures of the business day containing `at` changed (after the fact). */
  async function touch(at: Date | null | undefined): Promise<void> {
    if (!at) return;
    const day = dayOf(at, timezone);
    if (day.end.getTime() + ROLLUP_GRACE_MS > now().getTime()) return;
    await models.StaleDay.create({ start: day.start, at: now() });
  }
  return { touch };
}

export type StaleDays = ReturnType<typeof createStaleDays>;

/** `counted` with the figures of the kinds of records already removed for the day taken from its stored rollup. */
function keepPruned(counted: RangeFigures, stored: Pick<DayRollup, 'figures' | 'pruned'> | null): RangeFigures {
  const figures = { ...counted, byChannel: structuredClone(counted.byChannel) };
  const from = (stored?.figures ?? {}) as Partial<RangeFigures>;
  for (const kind of (stored?.pruned ?? []) as PrunedKind[]) {
    // A figure added after the records were gone cannot be counted any more: it stays 0.
    for (const name of prunedFigures[kind] ?? []) figures[name] = from[name] ?? 0;
    for (const [channel, own] of Object.entries(figures.byChannel)) {
      // Before version 3 a channel's entry was its friends joined (a number): no opens kept.
      const kept = (from.byChannel as Record<string, Partial<ChannelFigures> | number | undefined> | undefined)?.[channel];
      for (const name of prunedChannelFigures[kind] ?? []) own[name] = kept && typeof kept === 'object' ? (kept[name] ?? 0) : 0;
    }
  }
  return figures;
}

export type RollupDeps = Pick<ServicePieces, 'timezone' | 'now' | 'claims' | 'logger' | 'dayKeys'> & {
  models: FigureModels & Pick<Models, 'DayRollup' | 'StaleDay'>;
};

/**
 * Daily rollups of the report figures: one document per closed business day, computed from
 * that day's records and written whole (never incremented by many writers, which FerretDB
 * does not make atomic). A report over N days reads N small documents plus today's records.
 * This service is the one writer of day_rollups and stale_days (corrections go through
 * StaleDays.touch); a day marked stale, or missing, is rebuilt by the next report or job.
 */
export function createRollups(ctx: RollupDeps) {
  const { models, timezone, now, claims, logger, dayKeys } = ctx;

  const isClosed = (day: Day) => day.end.getTime() + ROLLUP_GRACE_MS <= now().getTime();

  /** The whole business days inside [from, to), in order. */
  function daysWithin(from: Date, to: Date): Day[] {
    const days: Day[] = [];
    let day = dayOf(from, timezone);
    if (day.start < from) day = dayOf(day.end, timezone);
    while (day.end <= to) {
      days.push(day);
      day = dayOf(day.end, timezone);
    }
    return days;
  }

  /** The whole business days inside [from, to) whose rollup can be built, in order. */
  const closedDaysWithin = (from: Date, to: Date) => daysWithin(from, to).filter(isClosed);

  /** A whole day from the records: by its day keys when all its records have them, else by its range. */
  async function countDay(day: Day): Promise<RangeFigures> {
    return (await dayKeys.keyed(day.date)) ? countDayFigures(models, day.date) : countFigures(models, day.start, day.end);
  }

  /**
   * [from, to) inside one business day from the records: the day so far (from its start to
   * now) is the day by its keys, since nothing is stamped after now; other pieces by range.
   */
  async function countPart(from: Date, to: Date): Promise<RangeFigures> {
    if (from >= to) return emptyFigures();
    const day = dayOf(from, timezone);
    const soFar = day.start.getTime() === from.getTime() && to <= day.end && to.getTime() >= now().getTime() - SO_FAR_MS;
    if (soFar) return countDay(day);
    return to <= day.end && (await dayKeys.keyed(day.date)) ? countDayPartFigures(models, day.date, from, to) : countFigures(models, from, to);
  }

  /**
   * Computes and stores one day, under a claim so that two builders never overwrite each
   * other's newer result with an older one. The stale marks read before counting are removed
   * after the write; one made meanwhile stays, and the day is built again. When another
   * process is building the day, its figures are counted here without storing them. The
   * figures of the kinds of records the retention job removed (`pruned`, plus `sealing`,
   * about to be removed) are kept from the stored rollup, never counted from what is left.
   */
  async function build(day: Day, sealing: PrunedKind[] = []): Promise<RangeFigures> {
    const previous = await models.DayRollup.findOne({ start: day.start }, { figures: 1, pruned: 1 }).lean<DayRollup>();
    const kept = (counted: RangeFigures) => keepPruned(counted, previous);
    const key = `rollup:${day.start.toISOString()}`;
    if (!(await claims.take(key, 'rollup'))) {
      const holder = await claims.holder(key);
      if (!holder || now().getTime() - holder.at.getTime() < BUILD_LEASE_MS) return kept(await countDay(day));
      await claims.release(key, holder.at);
      if (!(await claims.take(key, 'rollup'))) return kept(await countDay(day));
    }
    try {
      const marks = await models.StaleDay.find({ start: { $gte: day.start, $lt: day.end } }, { _id: 1 }).lean();
      const figures = kept(await countDay(day));
      const pruned = [...new Set([...(previous?.pruned ?? []), ...sealing])];
      const rollup = { start: day.start, end: day.end, date: day.date, version: ROLLUP_VERSION, figures, builtAt: now(), pruned };
      await models.DayRollup.replaceOne({ start: day.start }, rollup, { upsert: true }).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
      await deleteEach(
        marks.map((mark) => mark._id),
        (_id) => models.StaleDay.deleteMany({ _id }),
      );
      return figures;
    } finally {
      await claims.release(key);
    }
  }

  /**
   * Before the retention job removes a kind of record up to `before`: makes sure every day
   * from the one of `oldest` has a current rollup that keeps that kind's figures, at most
   * SEAL_DAYS a run (a first run over a long history spreads over several nights). Returns
   * the day keys sealed and the end of the last one (what may be removed), or undefined when
   * a day is being built by someone else right now (nothing is removed; the next run tries again).
   */
  async function seal(kind: PrunedKind, oldest: Date, before: Date): Promise<Sealed | undefined> {
    const days = closedDaysWithin(dayOf(oldest, timezone).start, before).slice(0, SEAL_DAYS);
    const first = days[0];
    const last = days[days.length - 1];
    if (!first || !last) return { days: [], until: oldest };
    const span = { $gte: first.start, $lt: last.end };
    const ready = async () =>
      new Set(
        (await models.DayRollup.find({ start: span, version: ROLLUP_VERSION, pruned: kind }, { start: 1 }).lean()).map((rollup) =>
          rollup.start.getTime(),
        ),
      );
    const marks = await models.StaleDay.find({ start: span }, { start: 1 }).lean();
    const stale = new Set(marks.map((mark) => dayOf(mark.start, timezone).start.getTime()));
    const sealed = await ready();
    for (const day of days) if (!sealed.has(day.start.getTime()) || stale.has(day.start.getTime())) await build(day, [kind]);
    const after = await ready();
    return days.every((day) => after.has(day.start.getTime())) ? { days: days.map((day) => day.date), until: last.end } : undefined;
  }

  /** Each day's figures, from its rollup when it is built and not stale, else built now. */
  async function figuresOfDays(days: Day[]): Promise<RangeFigures[]> {
    const first = days[0];
    const last = days[days.length - 1];
    if (!first || !last) return [];
    const span = { $gte: first.start, $lt: last.end };
    const [rollups, marks] = await Promise.all([
      models.DayRollup.find({ start: span }, { start: 1, end: 1, version: 1, figures: 1 }).lean<DayRollup[]>(),
      models.StaleDay.find({ start: span }, { start: 1 }).lean(),
    ]);
    const stored = new Map(rollups.map((rollup) => [rollup.start.getTime(), rollup]));
    const stale = new Set(marks.map((mark) => dayOf(mark.start, timezone).start.getTime()));
    const usable = (day: Day) => {
      const rollup = stored.get(day.start.getTime());
      const fits = rollup && rollup.version === ROLLUP_VERSION && rollup.end.getTime() === day.end.getTime();
      return fits && !stale.has(day.start.getTime()) ? (rollup.figures as RangeFigures) : undefined;
    };
    const result = days.map(usable);
    const missing = days.flatMap((day, i) => (result[i] ? [] : [i]));
    for (let at = 0; at < missing.length; at += BUILDS_AT_ONCE) {
      const batch = missing.slice(at, at + BUILDS_AT_ONCE);
      const built = await Promise.all(batch.map((i) => build(days[i]!)));
      batch.forEach((i, j) => (result[i] = built[j]));
    }
    return result.map((figures) => figures ?? emptyFigures());
  }

  /**
   * The figures of [from, to): closed whole days from their rollups, whole days not closed
   * yet (today, or yesterday within the grace period) and today so far by their day keys, the
   * ragged ends of a range that does not start or end on a day boundary by range. Equal to
   * counting the whole range from the records.
   */
  async function figuresBetween(from: Date, to: Date): Promise<RangeFigures> {
    const days = daysWithin(from, to);
    const first = days[0];
    const last = days[days.length - 1];
    if (!first || !last) {
      // No whole day inside: at most the end of one day and the start of the next.
      const next = dayOf(from, timezone).end;
      const parts = await Promise.all([countPart(from, next < to ? next : to), next < to ? countPart(next, to) : emptyFigures()]);
      return parts.reduce(addFigures, emptyFigures());
    }
    const closed = days.filter(isClosed);
    const parts = await Promise.all([
      countPart(from, first.start),
      figuresOfDays(closed),
      Promise.all(days.filter((day) => !isClosed(day)).map(countDay)),
      countPart(last.end, to),
    ]);
    return parts.flat().reduce(addFigures, emptyFigures());
  }

  /**
   * The figures of [from, to) day by day (the charts), each business day it touches in order:
   * closed whole days from their rollups, the rest from the records as figuresBetween counts
   * them. Their sum is figuresBetween(from, to), so a report reads each day once for both.
   */
  async function figuresByDay(from: Date, to: Date): Promise<Array<{ date: string; figures: RangeFigures }>> {
    const touched: Day[] = [];
    for (let day = dayOf(from, timezone); day.start < to; day = dayOf(day.end, timezone)) touched.push(day);
    const inside = (day: Day) => day.start >= from && day.end <= to;
    const closed = touched.filter((day) => inside(day) && isClosed(day));
    const stored = new Map((await figuresOfDays(closed)).map((figures, i) => [closed[i]!.date, figures]));
    const figures = await Promise.all(
      touched.map((day) => {
        if (!inside(day)) return countPart(day.start < from ? from : day.start, day.end > to ? to : day.end);
        const built = stored.get(day.date);
        return built ? Promise.resolve(built) : countDay(day);
      }),
    );
    return touched.map((day, i) => ({ date: day.date, figures: figures[i]! }));
  }

  /**
   * Builds every closed day of the last `days` that is missing or stale, and every stale day
   * further back (run at start-up and after each day closes). Returns how many it built.
   */
  async function catchUp(days = ROLLUP_DAYS): Promise<number> {
    const today = dayOf(now(), timezone);
    const from = DateTime.fromJSDate(today.start, { zone: timezone }).minus({ days }).toJSDate();
    const span = { $gte: from, $lt: today.end };
    const [built, marks, firstCustomer] = await Promise.all([
      models.DayRollup.find({ start: span, version: ROLLUP_VERSION }, { start: 1 }).lean(),
      models.StaleDay.find({}, { start: 1 }).lean(),
      models.Customer.findOne({}, { createdAt: 1 }).sort({ createdAt: 1 }).lean(),
    ]);
    // Days before the shop's first customer are left to the reports (a new shop builds none).
    const recent = firstCustomer
      ? closedDaysWithin(from < firstCustomer.createdAt ? dayOf(firstCustomer.createdAt, timezone).start : from, today.end)
      : [];
    const have = new Set(built.map((rollup) => rollup.start.getTime()));
    const due = new Map<number, Day>();
    for (const day of recent) if (!have.has(day.start.getTime())) due.set(day.start.getTime(), day);
    for (const mark of marks) {
      const day = dayOf(mark.start, timezone);
      if (isClosed(day)) due.set(day.start.getTime(), day);
    }
    for (const day of due.values()) await build(day);
    if (due.size > 0) logger.info({ days: due.size }, 'report rollups built');
    return due.size;
  }

  return { figuresBetween, figuresByDay, catchUp, seal };
}

export type Rollups = ReturnType<typeof createRollups>;
