import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n as I18nInstance, type TFunction } from 'i18next';
import { givenName } from './domain/names.js';
import { maskPhone, nationalPhone } from './domain/phone.js';
import { projectRoot } from './paths.js';

export const locales = ['vi', 'en'] as const;
export type Locale = (typeof locales)[number];
export type Translate = TFunction;

export const localesDir = path.join(projectRoot, 'locales');

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** Reads locales/<lang>/<namespace>.json for every language: { vi: { ns: {...} }, en: ... }. */
export function readLocaleFiles(dir = localesDir): Record<Locale, Record<string, Record<string, unknown>>> {
  const result = {} as Record<Locale, Record<string, Record<string, unknown>>>;
  for (const locale of locales) {
    result[locale] = {};
    for (const file of readdirSync(path.join(dir, locale)).filter((f) => f.endsWith('.json'))) {
      result[locale][file.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(dir, locale, file), 'utf8')) as Record<string, unknown>;
    }
  }
  return result;
}

export interface I18n {
  /** A translator fixed to one person's language; never switch a shared global language per update. */
  forLocale(locale: Locale): Translate;
  defaultLocale: Locale;
  instance: I18nInstance;
}

/**
 * One i18next instance for the process. Formatters: `{{amount, vnd}}` money in VND and
 * `{{change, vndChange}}` a signed difference of money, `{{when, date}}` / `{{when, datetime}}`
 * in the business time zone, `{{name, given}}` the name a person is called by (see givenName),
 * `{{phone, phone}}` a stored number in national form, `{{phone, maskedPhone}}` a number (or its
 * last digits) as staff see it, all but the last digits hidden (see maskPhone).
 */
export async function createI18n(options: { defaultLocale: Locale; timezone: string }): Promise<I18n> {
  const instance = i18next.createInstance();
  const resources = readLocaleFiles();
  await instance.init({
    resources,
    lng: options.defaultLocale,
    fallbackLng: options.defaultLocale,
    supportedLngs: [...locales],
    ns: Object.keys(resources.vi),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const intlLocale = (lng: string | undefined) => (lng === 'en' ? 'en-GB' : 'vi-VN');
  const money = (lng: string | undefined, signDisplay: 'auto' | 'exceptZero') =>
    new Intl.NumberFormat(intlLocale(lng), { style: 'currency', currency: 'VND', maximumFractionDigits: 0, signDisplay });
  instance.services.formatter?.add('vnd', (value: number, lng) => money(lng, 'auto').format(value));
  instance.services.formatter?.add('vndChange', (value: number, lng) => money(lng, 'exceptZero').format(value));
  instance.services.formatter?.add('given', (value: string) => givenName(value));
  instance.services.formatter?.add('phone', (value: string) => nationalPhone(value));
  instance.services.formatter?.add('maskedPhone', (value: string) => maskPhone(value));
  instance.services.formatter?.add('date', (value: Date, lng) =>
    new Intl.DateTimeFormat(intlLocale(lng), { timeZone: options.timezone, dateStyle: 'medium' }).format(value),
  );
  instance.services.formatter?.add('datetime', (value: Date, lng) =>
    new Intl.DateTimeFormat(intlLocale(lng), {
      timeZone: options.timezone,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(value),
  );
  return {
    forLocale: (locale) => instance.getFixedT(locale),
    defaultLocale: options.defaultLocale,
    instance,
  };
}
