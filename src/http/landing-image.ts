import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { Locale } from '../i18n.js';
import type { Views } from './views.js';

/**
 * The picture chat apps show in a landing page's preview card (Open Graph `og:image`): the
 * shop's name, the friend's offer and who invites, drawn from an SVG template
 * (views/public/preview.eta) by resvg into a 1200×630 PNG. The font is DejaVu Sans from npm
 * (`dejavu-fonts-ttf`), loaded from its files and never from the system, so Vietnamese
 * diacritics draw the same on every server.
 */
export const PREVIEW = { width: 1200, height: 630 } as const;

const fontDir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const fontFiles = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => path.join(fontDir, file));

/** Images kept in memory at most (one per code, language and wording); the oldest goes first. */
const CACHED = 500;

/** Splits `text` into lines of about `width` characters (words kept whole), at most `lines` lines. */
export function wrapText(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = out[out.length - 1];
    if (last !== undefined && (last + ' ' + word).length <= width) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  if (out.length <= lines) return out;
  const kept = out.slice(0, lines);
  kept[lines - 1] = `${kept[lines - 1]!.slice(0, Math.max(1, width - 1))}…`;
  return kept;
}

export interface PreviewText {
  locale: Locale;
  business: string;
  offer: string;
  /** "Hoa invites you" (the referrer's given name), or the generic line. */
  invite: string;
  code: string;
}

export function createLandingImages(views: Views) {
  const cache = new Map<string, Buffer>();

  /** The PNG for these words: drawn once, then served from memory while the words stay the same. */
  function render(text: PreviewText): Buffer {
    const key = JSON.stringify(text);
    const hit = cache.get(key);
    if (hit) return hit;
    const svg = views.renderToString('public/preview', {
      locale: text.locale,
      title: text.business,
      ...PREVIEW,
      business: wrapText(text.business, 26, 2),
      offer: wrapText(text.offer, 34, 2),
      invite: text.invite,
      code: text.code,
    });
    const png = new Resvg(svg, {
      fitTo: { mode: 'width', value: PREVIEW.width },
      font: { fontFiles, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    })
      .render()
      .asPng();
    if (cache.size >= CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, png);
    return png;
  }

  return { render };
}

export type LandingImages = ReturnType<typeof createLandingImages>;
