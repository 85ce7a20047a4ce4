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
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
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

  it('hold every key the source uses', () => {
    const known = new Set(keys('vi'));
    const used = sourceFiles(path.join(projectRoot, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-z][\w-]*:[\w.-]+)'/g)].map((m) => `${m[1]} (${path.relative(projectRoot, file)})`),
    );
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((entry) => !known.has(entry.split(' ')[0]!))).toEqual([]);
  });
});
