import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localesDir, readLocaleFiles } from '../../src/i18n.js';
import { projectRoot } from '../../src/paths.js';

function flatten(value: unknown, prefix = ''): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return { [prefix]: value };
  return Object.entries(value).reduce<Record<string, unknown>>(
    (all, [key, inner]) => ({ ...all, ...flatten(inner, prefix ? `${prefix}.${key}` : key) }),
    {},
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|eta)$/.test(full) ? [full] : [];
  });
}

describe('locales', () => {
  const files = readLocaleFiles(localesDir);
  const keys = (locale: 'vi' | 'en') =>
    Object.entries(files[locale]).flatMap(([ns, content]) => Object.keys(flatten(content)).map((k) => `${ns}:${k}`));

  it('have the same namespaces and keys in Vietnamese and English', () => {
    expect(Object.keys(files.vi).sort()).toEqual(Object.keys(files.en).sort());
    expect(keys('vi').sort()).toEqual(keys('en').sort());
  });

  it('have no empty texts', () => {
    for (const locale of ['vi', 'en'] as const) {
      for (const [ns, content] of Object.entries(files[locale])) {
        for (const [key, text] of Object.entries(flatten(content))) {
          expect(typeof text === 'string' && text.trim().length > 0, `${locale} ${ns}:${key}`).toBe(true);
        }
      }
    }
  });

  describe('and the source', () => {
    const known = keys('vi');
    const namespaces = Object.keys(files.vi).join('|');
    // Page templates (views/) read keys as well as the TypeScript.
    const sources = [...sourceFiles(path.join(projectRoot, 'src')), ...sourceFiles(path.join(projectRoot, 'views'))].map((file) => ({
      file: path.relative(projectRoot, file),
      text: readFileSync(file, 'utf8'),
    }));
    /** i18next's plural forms (`visits_one`, `visits_other`) are looked up by their base key. */
    const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
    const knownBases = new Set(known.map(base));
    /** Strings in src that look like keys but are not: identities and claim keys. */
    const notKeys = new Set(['web:dashboard']);
    const literals = sources.flatMap(({ file, text }) =>
      [...text.matchAll(new RegExp(`(['"\`])((?:${namespaces}):[\\w.-]+)\\1`, 'g'))].map((m) => ({ key: m[2]!, file })),
    );
    /**
     * A key built at run time, `t(\`connect:${reason}\`)`: the family is every key one segment
     * below the prefix whose last segment is itself a string literal somewhere in src (a
     * reason, outcome or rule name the code produces).
     */
    const templates = sources.flatMap(({ file, text }) =>
      [...text.matchAll(new RegExp(`\`((?:${namespaces}):[\\w.-]*)\\$\\{`, 'g'))].map((m) => ({
        prefix: m[1]!,
        file,
        inT: /\bt\(\s*(?:[^()]*\?\s*)?$/.test(text.slice(Math.max(0, m.index - 80), m.index)),
      })),
    );
    const words = new Set(sources.flatMap(({ text }) => [...text.matchAll(/(['"`])([\w.-]+)\1/g)].map((m) => m[2]!)));
    // `exports:column.${kind}.${column}` builds two segments: each must be a word the source names.
    const family = (prefix: string) =>
      known.filter(
        (key) =>
          key.startsWith(prefix) &&
          /^[\w-]+(\.[\w-]+)*$/.test(base(key).slice(prefix.length)) &&
          base(key)
            .slice(prefix.length)
            .split('.')
            .every((segment) => words.has(segment)),
      );
    const localeTexts = Object.values(files.vi)
      .flatMap((content) => Object.values(flatten(content)))
      .join('\n');
    const nested = new Set([...localeTexts.matchAll(/\$t\(([\w-]+:[\w.-]+)/g)].map((m) => m[1]!));

    it('hold every key the source names, in calls and in maps alike', () => {
      expect(literals.length).toBeGreaterThan(0);
      const missing = literals.filter(({ key }) => !notKeys.has(key) && !knownBases.has(key)).map(({ key, file }) => `${key} (${file})`);
      expect(missing).toEqual([]);
    });

    it('hold a key for every family the source builds at run time', () => {
      const built = templates.filter((t) => t.inT);
      expect(built.length).toBeGreaterThan(0);
      expect(built.filter(({ prefix }) => family(prefix).length === 0).map(({ prefix, file }) => `${prefix}\${…} (${file})`)).toEqual([]);
    });

    it('hold no key that nothing uses', () => {
      const literal = new Set(literals.map(({ key }) => key));
      const dynamic = new Set(templates.flatMap(({ prefix }) => family(prefix)));
      const unused = known.filter((key) => !literal.has(base(key)) && !nested.has(base(key)) && !dynamic.has(key));
      expect(unused).toEqual([]);
    });
  });
});
