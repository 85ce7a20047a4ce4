import type { Request, Response, Router } from 'express';
import type { FlatRules } from '../../program/diff.js';
import type { RulesIssue } from '../../program/load.js';
import type { I18n } from '../../i18n.js';
import type { Services } from '../../services/index.js';
import { errorsByField, formValues, formView, rulesFromForm } from './rules-form.js';
import { localsOf, type BackOffice } from './session.js';

/** Every rule of the schema in one post (about 150 fields, texts in two languages). */
const RULES_FORM_LIMIT = '256kb';

export interface RulesRoutesDeps {
  services: Services;
  i18n: I18n;
  backOffice: BackOffice;
}

const notices = ['saved', 'rolledBack', 'unchanged', 'stale', 'not_found', 'inUse', 'duplicate'] as const;
type Notice = (typeof notices)[number];
const isNotice = (value: unknown): value is Notice => (notices as readonly unknown[]).includes(value);

/** The posted form as text by field name (urlencoded bodies give strings; anything else is ignored). */
function postedValues(body: unknown): FlatRules {
  const values: FlatRules = {};
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) if (typeof value === 'string') values[key] = value;
  return values;
}

const numberOf = (value: unknown) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN);

/**
 * The owner's program rules: the form for every rule (errors next to their field, the owner's
 * input kept), the versions with who and when, what an older one would change, and the
 * rollback to it (a confirmation page first). Saving and rolling back go through
 * services.programRules, which checks the owner and stores the version.
 */
export function registerRulesRoutes(router: Router, deps: RulesRoutesDeps): void {
  const { services, i18n, backOffice } = deps;

  async function show(
    req: Request,
    res: Response,
    state: { values?: FlatRules; issues?: RulesIssue[]; rowOf?: Map<string, number>; notice?: Notice; base?: number; note?: string },
    status = 200,
  ) {
    const { access, locale } = localsOf(res);
    const [current, history] = await Promise.all([services.programRules.current(access.actor), services.programRules.history(access.actor)]);
    if (!current.ok || !history.ok) return backOffice.refuse(res, locale, 'signedOut');
    const t = i18n.forLocale(locale);
    const say = (issue: RulesIssue) => t(`rules:error.${issue.key}`, { ...issue.values, name: locale === 'vi' ? issue.values.vi : issue.values.en });
    const errors = errorsByField(state.issues ?? [], state.rowOf ?? new Map<string, number>());
    backOffice.frame(
      req,
      res,
      'back-office/rules',
      'rules',
      {
        title: t('rules:title'),
        styles: ['rules'],
        notice: state.notice ? t(`rules:notice.${state.notice}`) : undefined,
        errorCount: errors.size,
        sections: formView(state.values ?? formValues(current.rules), errors, say, t),
        base: state.base ?? current.version,
        version: current.version,
        note: state.note ?? '',
        versions: history.versions,
        lang: locale,
      },
      status,
    );
  }

  router.get('/dashboard/rules', backOffice.page('owner'), async (req, res) => {
    await show(req, res, { notice: isNotice(req.query.done) ? req.query.done : undefined });
  });

  router.post('/dashboard/rules', ...backOffice.formUpTo(RULES_FORM_LIMIT, 'owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const values = postedValues(req.body);
    const { rules, rowOf } = rulesFromForm(values);
    const base = numberOf(values.base);
    const note = (values.note ?? '').slice(0, 200);
    const result = await services.programRules.save(access.actor, rules, { base, note });
    if (result.ok) return res.redirect(303, `/dashboard/rules?${new URLSearchParams({ lang: locale, done: 'saved' }).toString()}`);
    if (result.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    if (result.reason === 'invalid') return show(req, res, { values, issues: result.issues, rowOf, base, note }, 422);
    // Someone saved meanwhile: the owner's input stays; saving again is a choice made knowing it.
    if (result.reason === 'stale') return show(req, res, { values, notice: 'stale', base: result.latest, note }, 409);
    return show(req, res, { values, notice: result.reason === 'unchanged' ? 'unchanged' : 'not_found', base, note });
  });

  /** What rolling back to version N would change, and the confirmation of the rollback. */
  router.get('/dashboard/rules/versions/:number', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const number = numberOf(req.params.number);
    const [compared, current] = await Promise.all([services.programRules.compare(access.actor, number), services.programRules.current(access.actor)]);
    if (!current.ok) return backOffice.refuse(res, locale, 'signedOut');
    if (!compared.ok) return res.redirect(303, `/dashboard/rules?${new URLSearchParams({ lang: locale, done: 'not_found' }).toString()}`);
    const t = i18n.forLocale(locale);
    backOffice.frame(req, res, 'back-office/rules-version', 'rules', {
      title: t('rules:versionTitle', { number }),
      styles: ['rules'],
      number,
      base: current.version,
      changes: compared.changes,
      lang: locale,
    });
  });

  router.post('/dashboard/rules/rollback', ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const values = postedValues(req.body);
    const result = await services.programRules.rollback(access.actor, numberOf(values.number), {
      base: numberOf(values.base),
      note: (values.note ?? '').slice(0, 200),
    });
    if (!result.ok && result.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    // A rollback can only be refused as invalid for a tier or partner plan it would drop while in use.
    const done: Notice = result.ok
      ? result.duplicate
        ? 'duplicate'
        : 'rolledBack'
      : result.reason === 'invalid'
        ? 'inUse'
        : (result.reason as Notice);
    res.redirect(303, `/dashboard/rules?${new URLSearchParams({ lang: locale, done }).toString()}`);
  });
}
