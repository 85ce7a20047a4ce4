import { z } from 'zod';
import { plainText } from '../domain/names.js';

/** Text shown to customers, in both languages. */
const localizedText = z.object({ vi: z.string().min(1), en: z.string().min(1) });

export const rewardSchema = z
  .object({
    kind: z.enum(['percent_off', 'amount_off', 'free_service', 'bonus_points']),
    /** percent (1-100), VND amount, or points; unused for free_service. */
    value: z.number().int().nonnegative().default(0),
    /** What the customer reads, e.g. "20% off your next service". */
    label: localizedText,
  })
  .superRefine((reward, ctx) => {
    if (reward.kind === 'percent_off' && (reward.value < 1 || reward.value > 100)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percent must be between 1 and 100', params: { key: 'percent' } });
    }
    if ((reward.kind === 'amount_off' || reward.kind === 'bonus_points') && reward.value < 1) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be at least 1', params: { key: 'atLeastOne' } });
    }
  });

/**
 * Checks that each item's `field` is larger than the previous item's. Custom issues carry
 * `params.key`, the form's message for them (locales/<lang>/rules.json `error.<key>`).
 */
function increasing<K extends string>(field: K, message: string) {
  return (items: Array<Record<K, number>>, ctx: z.RefinementCtx) => {
    items.forEach((item, i) => {
      const previous = items[i - 1];
      if (previous && item[field] <= previous[field]) ctx.addIssue({ code: 'custom', path: [i, field], message, params: { key: 'increasing' } });
    });
  };
}

const tierIdShape = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** A tier id from a name: "Khách Vàng" → "khach-vang" (made once, then kept when the name changes). */
export function tierIdFrom(name: string): string {
  return plainText(name).replace(/ /g, '-').slice(0, 32).replace(/-+$/, '') || 'tier';
}

const httpsUrl = z.string().regex(/^https:\/\/\S+$/, 'must be an https:// link');

/**
 * What a partner earns: `revenue_share`, `percent` of what the customers they bring spend in
 * their first `days` days from the first visit; `first_visit`, `amount` VND per confirmed first visit.
 */
const commissionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('revenue_share'), percent: z.number().positive().max(100), days: z.number().int().positive().max(3650) }),
  z.object({ kind: z.literal('first_visit'), amount: z.number().int().positive() }),
]);

const DEFAULT_PARTNER_PLAN = {
  id: 'standard',
  name: { vi: 'Đối tác', en: 'Partner' },
  commission: { kind: 'revenue_share' as const, percent: 10, days: 90 },
  welcome: null,
};

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour clock)');

export const programSchema = z.object({
  /** Who the shop is: the name in messages; the contact details in the privacy notice and the processing record. */
  business: z.object({
    name: z.string().min(1),
    address: z.string().default(''),
    phone: z.string().default(''),
    email: z.string().default(''),
    /** Opening hours as the shop writes them, in each language (e.g. "9:00–21:00, every day"); empty: not shown. */
    hours: z.object({ vi: z.string(), en: z.string() }).default({ vi: '', en: '' }),
    /** A link to the shop on a map (Google Maps, Apple Maps...); empty: not shown. */
    mapUrl: z
      .string()
      .default('')
      .refine((url) => url === '' || /^https:\/\/\S+$/.test(url), { message: 'mapUrl must be an https:// link', params: { key: 'https' } }),
  }),
  rewards: z.object({ referrer: rewardSchema, friend: rewardSchema }),
  points: z.object({
    perVisit: z.number().int().nonnegative(),
    /** Optional points for money spent: `points` for every `amount` VND. */
    perAmount: z.object({ points: z.number().int().positive(), amount: z.number().int().positive() }).nullable().default(null),
    perReferral: z.number().int().nonnegative(),
  }),
  /**
   * Customers store a tier's `id`, so a tier can be renamed (or its points changed) without
   * losing the people in it. Older rules files name tiers with one string and no id: the name
   * serves both languages and the id is made from it once.
   */
  tiers: z
    .array(
      z.preprocess(
        (raw) => {
          if (!raw || typeof raw !== 'object') return raw;
          const tier = raw as Record<string, unknown>;
          const name = typeof tier.name === 'string' ? { vi: tier.name, en: tier.name } : tier.name;
          const id = tier.id ?? (typeof tier.name === 'string' ? tierIdFrom(tier.name) : undefined);
          return { ...tier, id, name };
        },
        z.object({
          id: z.string().regex(tierIdShape, 'expected lowercase letters, digits and dashes (a-z, 0-9, -)'),
          name: localizedText,
          minPoints: z.number().int().positive(),
          perk: localizedText,
        }),
      ),
    )
    .min(1)
    .superRefine(increasing('minPoints', 'tiers must be in increasing order of points'))
    .superRefine((tiers, ctx) => {
      tiers.forEach((tier, i) => {
        if (tiers.findIndex((other) => other.id === tier.id) !== i)
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'two tiers have this id', params: { key: 'uniqueId' } });
      });
    }),
  milestones: z
    .array(z.object({ friends: z.number().int().positive(), reward: rewardSchema }))
    .default([])
    .superRefine(increasing('friends', 'milestones must be in increasing order')),
  /** What points buy: `/claim <number>` turns `price` points of the balance into a voucher for `reward`. */
  catalogue: z
    .array(z.object({ number: z.number().int().positive(), price: z.number().int().positive(), reward: rewardSchema }))
    .default([])
    .superRefine((items, ctx) => {
      items.forEach((item, i) => {
        if (items.findIndex((other) => other.number === item.number) < i) {
          ctx.addIssue({ code: 'custom', path: [i, 'number'], message: 'catalogue numbers must be unique', params: { key: 'unique' } });
        }
      });
    }),
  /**
   * Optional: a balance left unused (no points earned or spent) for `months` expires, with a
   * reminder `reminderDays` before. Lifetime points and tiers stay.
   */
  pointsExpiry: z
    .object({ enabled: z.boolean(), months: z.number().int().positive(), reminderDays: z.number().int().positive() })
    .default({ enabled: false, months: 12, reminderDays: 14 }),
  vouchers: z.object({ validityDays: z.number().int().positive() }),
  attribution: z.object({
    /** A friend's first visit must come within this many days of joining through a link. */
    windowDays: z.number().int().positive(),
  }),
  reminders: z.object({
    friendVisitReminder: z.object({ enabled: z.boolean(), afterDays: z.number().int().positive() }),
    voucherExpiryReminder: z.object({ enabled: z.boolean(), daysBefore: z.number().int().positive() }),
    dailySummary: z.object({ enabled: z.boolean(), localTime }),
  }),
  fraud: z.object({
    /** More friends joining one referrer in one day than this is flagged for review. */
    maxJoinsPerReferrerPerDay: z.number().int().positive(),
    /** This many friends of one referrer confirmed by one staff member within `minutes` is flagged. */
    sameStaffBurst: z.object({ friends: z.number().int().min(2), minutes: z.number().int().positive() }).default({ friends: 3, minutes: 30 }),
    /** More friends of one referrer converted in 7 days than this is flagged. */
    maxConversionsPerReferrerPerWeek: z.number().int().positive().default(5),
    /** A friend's first visit must be at least this amount (VND) for the referral rewards; null: no minimum. */
    minFirstVisitAmount: z.number().int().positive().nullable().default(null),
  }),
  /** A voucher sent once a year, `daysBefore` the customer's birthday at `localTime`; null: no birthday reward. */
  birthday: z
    .object({
      reward: rewardSchema,
      daysBefore: z.number().int().min(0).max(30),
      validityDays: z.number().int().positive(),
      localTime: localTime.default('10:00'),
    })
    .nullable()
    .default(null),
  /** The paid membership staff sell at the counter (price in VND per `periodMonths`); null: the shop sells none. */
  membership: z
    .object({
      name: localizedText,
      price: z.number().int().positive(),
      periodMonths: z.number().int().positive().max(36),
      perks: localizedText,
      /** The member is reminded this many days before the membership ends. */
      reminderDaysBefore: z.number().int().positive().default(7),
    })
    .nullable()
    .default(null),
  /**
   * The partner program (README "Partners"): businesses and people with an audience bring
   * customers for a commission. The owner gives each partner one of these plans.
   */
  partners: z
    .object({
      plans: z
        .array(
          z.object({
            id: z.string().regex(tierIdShape, 'an id is lowercase letters, digits and dashes'),
            name: localizedText,
            commission: commissionSchema,
            /** The partner's own welcome offer for the friends they bring, instead of `rewards.friend`; null: the usual one. */
            welcome: rewardSchema.nullable().default(null),
          }),
        )
        .default([DEFAULT_PARTNER_PLAN])
        .superRefine((plans, ctx) => {
          plans.forEach((plan, i) => {
            if (plans.findIndex((other) => other.id === plan.id) !== i)
              ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'two plans have this id', params: { key: 'uniqueId' } });
          });
        }),
      /** How long a `/partner invite` link can be used (once). */
      inviteHours: z
        .number()
        .int()
        .positive()
        .max(24 * 30)
        .default(72),
    })
    .prefault({}),
  /**
   * Review rewards (README "Review rewards"): after a visit the customer is asked, at most once
   * every `periodDays`, to review the shop at one of `links`; an approved review earns `reward`
   * once per customer per period. null: the shop asks for no reviews.
   */
  reviews: z
    .object({
      links: z.array(z.object({ name: z.string().min(1), url: httpsUrl })).min(1),
      reward: rewardSchema,
      periodDays: z.number().int().positive().default(180),
      /** How long after a visit the customer is asked. */
      askAfterHours: z.number().int().min(0).max(72).default(2),
    })
    .nullable()
    .default(null),
  /**
   * Personal data (see README "Personal data"). `noticeVersion` names the privacy notice people
   * agree to: a new value asks everyone again. Retention: how long what only matters for a while
   * is kept; customers who have not written or come in for `inactiveCustomers.afterMonths` are
   * kept, or pseudonymised `noticeDays` after being told.
   */
  privacy: z
    .object({
      noticeVersion: z.string().min(1).default('1'),
      retention: z
        .object({
          linkOpensDays: z.number().int().positive().default(180),
          notificationsDays: z.number().int().positive().default(180),
          auditLogDays: z.number().int().positive().default(730),
          inactiveCustomers: z
            .object({
              action: z.enum(['keep', 'pseudonymise']).default('keep'),
              afterMonths: z.number().int().positive().default(24),
              noticeDays: z.number().int().positive().default(30),
            })
            .prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type Program = z.infer<typeof programSchema>;
export type Reward = z.infer<typeof rewardSchema>;
export type Tier = Program['tiers'][number];
export type Milestone = Program['milestones'][number];
export type CatalogueItem = Program['catalogue'][number];
export type MembershipRules = NonNullable<Program['membership']>;
export type BirthdayRules = NonNullable<Program['birthday']>;
export type PrivacyRules = Program['privacy'];
export type PartnerPlan = Program['partners']['plans'][number];
export type Commission = PartnerPlan['commission'];
export type ReviewRules = NonNullable<Program['reviews']>;
