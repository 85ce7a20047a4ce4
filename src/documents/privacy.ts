import path from 'node:path';
import { Eta } from 'eta';
import { basisText, dataCatalogue, retentionText, type Translator } from '../domain/personal-data.js';
import type { I18n, Locale } from '../i18n.js';
import { projectRoot } from '../paths.js';
import type { Program } from '../program/schema.js';

/**
 * The privacy documents as the templates under views/documents draw them: the public notice
 * page and the owner's processing record show the same data catalogue, and the record is also
 * the file the chat sends, so it is rendered here, for both the web and the chat.
 */

/** The facts of the record that come from the live shop rather than the rules. */
export interface RecordFacts {
  generatedAt: Date;
  owners: string[];
  staff: string[];
  publicUrl: string;
  databaseHost: string | undefined;
}

const rights = ['see', 'correct', 'delete', 'withdraw', 'object'] as const;

/** What both documents show: the shop's details, each category of data, the person's rights and whom to ask. */
export function privacyContent(t: Translator, program: Program) {
  const { business, privacy } = program;
  return {
    business: [
      [t('mydata:doc.businessName'), business.name],
      [t('mydata:doc.address'), business.address],
      [t('mydata:doc.phone'), business.phone],
      [t('mydata:doc.email'), business.email],
    ].filter(([, value]) => value),
    categories: dataCatalogue(privacy).map((category) => ({
      id: category.id,
      name: t(category.nameKey),
      what: t(category.whatKey),
      purpose: t(category.purposeKey),
      basis: basisText(t, category.basis),
      retention: retentionText(t, category.retention),
    })),
    rights: rights.map((right) => t(`mydata:rights.${right}`)),
    contact: t('mydata:rights.contact', { contact: [business.phone, business.email].filter(Boolean).join(', ') || business.name }),
  };
}

/** The file name of the record produced at `at` (its UTC date). */
export const recordFileName = (at: Date, locale: string) => `processing-record-${at.toISOString().slice(0, 10)}-${locale}.html`;

export function createDocuments(i18n: I18n, viewsDir = path.join(projectRoot, 'views')) {
  const eta = new Eta({ views: viewsDir, autoEscape: true, cache: true });

  /**
   * The shop's processing record as a whole HTML document (printable; the same file is the
   * download). `links` are the page's own links (download, other language, back), left out of the file.
   */
  function processingRecord(options: {
    locale: Locale;
    program: Program;
    facts: RecordFacts;
    links?: { download: string; other: { href: string; lang: Locale; name: string }; back: string };
  }): string {
    const t = i18n.forLocale(options.locale);
    const { program, facts } = options;
    const people = (names: string[]) => (names.length > 0 ? names.join(', ') : t('mydata:doc.nobody'));
    return eta.render('documents/record', {
      locale: options.locale,
      t,
      title: t('mydata:doc.recordTitle', { business: program.business.name }),
      styles: ['privacy'],
      program,
      facts,
      content: privacyContent(t, program),
      owners: people(facts.owners),
      staff: people(facts.staff),
      database: facts.databaseHost ? t('mydata:doc.databaseServer', { host: facts.databaseHost }) : t('mydata:doc.databaseEmbedded'),
      links: options.links,
    });
  }

  return { processingRecord };
}

export type Documents = ReturnType<typeof createDocuments>;
