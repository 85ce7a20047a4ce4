import { describe, expect, it } from 'vitest';
import type { FlatRules } from '../../../src/program/diff.js';
import { errorsByField, formValues, rulesFromForm } from '../../../src/http/back-office/rules-form.js';
import { checkProgram, parseProgram } from '../../../src/program/load.js';
import type { Program } from '../../../src/program/schema.js';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };

const fileRules = () => parseProgram(structuredClone(defaultProgram));
const withPartnersAndReviews = (): Program => ({
  ...fileRules(),
  partners: {
    inviteHours: 48,
    plans: [
      { id: 'standard', name: { vi: 'Đối tác', en: 'Partner' }, commission: { kind: 'revenue_share', percent: 7.5, days: 60 }, welcome: null },
      {
        id: 'kol',
        name: { vi: 'Người có ảnh hưởng', en: 'Influencer' },
        commission: { kind: 'first_visit', amount: 50_000 },
        welcome: { kind: 'amount_off', value: 100_000, label: { vi: 'Giảm 100.000₫', en: '100,000₫ off' } },
      },
    ],
  },
  reviews: {
    links: [{ name: 'Google Maps', url: 'https://maps.app.goo.gl/abc' }],
    reward: { kind: 'bonus_points', value: 50, label: { vi: '50 điểm', en: '50 points' } },
    periodDays: 90,
    askAfterHours: 3,
  },
});
/** The form posted back as the owner saw it (plus each list's blank row left empty). */
const posted = (rules: Program): FlatRules => ({
  ...formValues(rules),
  'partners.plans.9.commission.kind': 'revenue_share',
  'reviews.links.9.name': '',
});

describe('the rules form', () => {
  it('posted back unchanged, gives the same rules: partners, welcome offers and review rewards included', () => {
    for (const rules of [fileRules(), withPartnersAndReviews()]) {
      const check = checkProgram(rulesFromForm(posted(rules)).rules);
      expect(check).toEqual({ ok: true, program: rules });
    }
  });

  it('review rewards switched off are null, whatever their fields hold; switched on they need a link', () => {
    const values = posted(withPartnersAndReviews());
    delete values['reviews.on'];
    const off = checkProgram(rulesFromForm(values).rules);
    expect(off.ok && off.program.reviews).toBeNull();

    const on = {
      ...posted(fileRules()),
      'reviews.on': 'on',
      'reviews.reward.kind': 'free_service',
      'reviews.reward.label.vi': 'Gội đầu',
      'reviews.reward.label.en': 'Hair wash',
    };
    const check = checkProgram(rulesFromForm(on).rules);
    expect(check.ok ? [] : check.issues.map((i) => [i.path, i.key])).toEqual([['reviews.links', 'atLeastOneRow']]);
    const linked = checkProgram(rulesFromForm({ ...on, 'reviews.links.0.name': 'Facebook', 'reviews.links.0.url': 'http://fb.com/salon' }).rules);
    expect(linked.ok ? [] : linked.issues.map((i) => [i.path, i.key])).toEqual([['reviews.links.0.url', 'https']]);
  });

  it('a new plan gets an id from its name; "none" as welcome offer is no offer; a missing percent is shown at its row', () => {
    const values: FlatRules = {
      ...posted(fileRules()),
      'partners.plans.1.name.vi': 'Khách sạn gần tiệm',
      'partners.plans.1.name.en': 'Nearby hotel',
      'partners.plans.1.commission.kind': 'first_visit',
      'partners.plans.1.commission.amount': '30.000',
      'partners.plans.1.welcome.kind': '',
      'partners.plans.2.name.vi': 'Blogger',
      'partners.plans.2.name.en': 'Blogger',
      'partners.plans.2.commission.kind': 'revenue_share',
      'partners.plans.2.commission.days': '30',
    };
    values['partners.plans.0.remove'] = 'on';
    const { rules, rowOf } = rulesFromForm(values);
    const check = checkProgram(rules);
    if (check.ok) throw new Error('expected the missing percent');
    expect([...errorsByField(check.issues, rowOf).keys()]).toEqual(['partners.plans.2.commission.percent']);
    // A Vietnamese decimal comma is a decimal point.
    const fixed = checkProgram(rulesFromForm({ ...values, 'partners.plans.2.commission.percent': '7,5' }).rules);
    expect(fixed.ok && fixed.program.partners.plans).toEqual([
      {
        id: 'khach-san-gan-tiem',
        name: { vi: 'Khách sạn gần tiệm', en: 'Nearby hotel' },
        commission: { kind: 'first_visit', amount: 30_000 },
        welcome: null,
      },
      { id: 'blogger', name: { vi: 'Blogger', en: 'Blogger' }, commission: { kind: 'revenue_share', percent: 7.5, days: 30 }, welcome: null },
    ]);
  });
});
