import type { Program } from '../program/schema.js';
import { escapeHtml, htmlPage } from './html.js';
import { basisText, dataCatalogue, retentionText, type Translator } from './personal-data.js';

/**
 * The HTML both privacy documents are made of: the data catalogue as sections (the public
 * notice page and the processing record show the same text), the person's rights, and the
 * whole processing record, which the owner gets in the back office and in the chat.
 */

/** What the shop tells about itself: name and whichever contact details the rules give. */
export function businessBlock(t: Translator, business: Program['business']): string {
  const rows = [
    [t('mydata:doc.businessName'), business.name],
    [t('mydata:doc.address'), business.address],
    [t('mydata:doc.phone'), business.phone],
    [t('mydata:doc.email'), business.email],
  ].filter(([, value]) => value);
  return `<dl>${rows.map(([label, value]) => `<dt>${escapeHtml(label ?? '')}</dt><dd>${escapeHtml(value ?? '')}</dd>`).join('')}</dl>`;
}

/** Each category of data: what it is, why, on what basis, for how long. */
export function catalogueSections(t: Translator, privacy: Program['privacy']): string {
  return dataCatalogue(privacy)
    .map(
      (category) =>
        `<section class="category" data-category="${category.id}"><h3>${escapeHtml(t(category.nameKey))}</h3><p>${escapeHtml(t(category.whatKey))}</p><dl>` +
        `<dt>${escapeHtml(t('mydata:doc.purpose'))}</dt><dd>${escapeHtml(t(category.purposeKey))}</dd>` +
        `<dt>${escapeHtml(t('mydata:doc.basis'))}</dt><dd>${escapeHtml(basisText(t, category.basis))}</dd>` +
        `<dt>${escapeHtml(t('mydata:doc.retention'))}</dt><dd>${escapeHtml(retentionText(t, category.retention))}</dd></dl></section>`,
    )
    .join('');
}

const rights = ['see', 'correct', 'delete', 'withdraw', 'object'] as const;

/** The person's rights and how to use each (the chat commands, or the shop's contact). */
export function rightsList(t: Translator, business: Program['business']): string {
  const contact = [business.phone, business.email].filter(Boolean).join(', ') || business.name;
  return (
    `<ul>${rights.map((right) => `<li>${escapeHtml(t(`mydata:rights.${right}`))}</li>`).join('')}</ul>` +
    `<p>${escapeHtml(t('mydata:rights.contact', { contact }))}</p>`
  );
}

/** The facts of the record that come from the live shop rather than the rules. */
export interface RecordFacts {
  generatedAt: Date;
  owners: string[];
  staff: string[];
  publicUrl: string;
  databaseHost: string | undefined;
}

const recordStyle =
  `body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fff}main{max-width:48rem;margin:0 auto;padding:1.25rem}` +
  `h1{font-size:1.4rem}h2{font-size:1.15rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:1.6rem}h3{font-size:1rem;margin:.9rem 0 .2rem}` +
  `dl{margin:.3rem 0}dt{font-weight:600;margin-top:.3rem}dd{margin:0 0 0 1rem;overflow-wrap:anywhere}p,li{overflow-wrap:anywhere}` +
  `.category{break-inside:avoid}nav{margin:1rem 0}nav a{margin-right:1rem}@media print{nav{display:none}}`;

/** Who has access: owners and staff of the shop by given name, and the chat platforms as processors. */
function accessBlock(t: Translator, facts: RecordFacts): string {
  const people = (names: string[]) => (names.length > 0 ? names.join(', ') : t('mydata:doc.nobody'));
  return (
    `<dl><dt>${escapeHtml(t('mydata:doc.owners', { count: facts.owners.length }))}</dt><dd data-testid="owners">${escapeHtml(people(facts.owners))}</dd>` +
    `<dt>${escapeHtml(t('mydata:doc.staff', { count: facts.staff.length }))}</dt><dd data-testid="staff">${escapeHtml(people(facts.staff))}</dd>` +
    `<dt>${escapeHtml(t('mydata:doc.processors'))}</dt><dd>${escapeHtml(t('mydata:doc.processorsText'))}</dd></dl>`
  );
}

function storageBlock(t: Translator, facts: RecordFacts): string {
  const database = facts.databaseHost ? t('mydata:doc.databaseServer', { host: facts.databaseHost }) : t('mydata:doc.databaseEmbedded');
  return (
    `<dl><dt>${escapeHtml(t('mydata:doc.database'))}</dt><dd data-testid="database">${escapeHtml(database)}</dd>` +
    `<dt>${escapeHtml(t('mydata:doc.server'))}</dt><dd>${escapeHtml(facts.publicUrl)}</dd></dl>`
  );
}

/**
 * The shop's processing record as a whole HTML document (printable; the same file is the
 * download). `nav` is the page's own links (print, download, other language), left out of the file.
 */
export function renderProcessingRecord(options: { t: Translator; locale: string; program: Program; facts: RecordFacts; nav?: string }): string {
  const { t, program, facts } = options;
  const title = t('mydata:doc.recordTitle', { business: program.business.name });
  const body =
    `<main><h1>${escapeHtml(title)}</h1>` +
    `<p>${escapeHtml(t('mydata:doc.produced', { at: facts.generatedAt, version: program.privacy.noticeVersion }))}</p>${options.nav ?? ''}` +
    `<h2>${escapeHtml(t('mydata:doc.controller'))}</h2>${businessBlock(t, program.business)}` +
    `<h2>${escapeHtml(t('mydata:doc.categories'))}</h2>${catalogueSections(t, program.privacy)}` +
    `<h2>${escapeHtml(t('mydata:doc.access'))}</h2>${accessBlock(t, facts)}` +
    `<h2>${escapeHtml(t('mydata:doc.storage'))}</h2>${storageBlock(t, facts)}` +
    `<h2>${escapeHtml(t('mydata:doc.rights'))}</h2>${rightsList(t, program.business)}` +
    `<h2>${escapeHtml(t('mydata:doc.laws'))}</h2><p>${escapeHtml(t('mydata:doc.lawsText'))}</p></main>`;
  return htmlPage({ locale: options.locale, title, style: recordStyle, body });
}

/** The file name of the record produced at `at` (its UTC date). */
export const recordFileName = (at: Date, locale: string) => `processing-record-${at.toISOString().slice(0, 10)}-${locale}.html`;
