import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, loadConfig } from '../../src/config.js';
import { projectRoot } from '../../src/paths.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('runs with no variables at all: embedded database, channels off, Vietnamese, Ho Chi Minh City time', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      publicUrlIsLocal: true,
      mongodbUri: undefined,
      timezone: 'Asia/Ho_Chi_Minh',
      defaultLocale: 'vi',
      ownerIds: [],
      telegram: { mode: 'off' },
      zalo: { mode: 'off' },
    });
  });

  it('reads channels, owners and the public address', () => {
    const config = loadConfig({
      PUBLIC_URL: 'https://salon.example.vn/',
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: 'a-long-secret-123',
      ZALO_BOT_TOKEN: '12345689:abc-xyz',
      OWNER_IDS: 'telegram:123456789, zalo:6ede9afa66b88fe6d6a9',
    });
    expect(config.publicUrl).toBe('https://salon.example.vn');
    expect(config.telegram).toEqual({
      mode: 'webhook',
      token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      apiRoot: 'https://api.telegram.org',
      webhookSecret: 'a-long-secret-123',
    });
    expect(config.zalo).toEqual({ mode: 'polling', token: '12345689:abc-xyz', apiRoot: 'https://bot-api.zaloplatforms.com', botLink: undefined });
    expect(config.ownerIds).toEqual(['telegram:123456789', 'zalo:6ede9afa66b88fe6d6a9']);
  });

  it('names every bad variable in one readable message', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      BUSINESS_TIMEZONE: 'Mars/Olympus',
      DEFAULT_LOCALE: 'fr',
      MONGODB_URI: 'postgres://db',
      OWNER_IDS: 'telegram:abc',
      TELEGRAM_BOT_TOKEN: 'not-a-token',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT', 'BUSINESS_TIMEZONE', 'DEFAULT_LOCALE', 'MONGODB_URI', 'OWNER_IDS', 'TELEGRAM_BOT_TOKEN']),
    );
    expect(problems.join('\n')).toContain('BUSINESS_TIMEZONE: not a known IANA time zone');
    expect(problems.join('\n')).toContain('"telegram:abc" is not telegram:<numeric id> or zalo:<id>');
  });

  it('requires a webhook secret and an https PUBLIC_URL in webhook mode', () => {
    const problems = problemsOf({ TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', TELEGRAM_MODE: 'webhook' });
    expect(problems).toEqual([
      'TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE=webhook',
      'PUBLIC_URL: must be an https:// URL when TELEGRAM_MODE=webhook',
    ]);
    expect(problemsOf({ ZALO_BOT_TOKEN: 'x:y', ZALO_MODE: 'webhook', ZALO_WEBHOOK_SECRET: 'short', PUBLIC_URL: 'https://a.vn' })).toEqual([
      'ZALO_WEBHOOK_SECRET: Too small: expected string to have >=8 characters',
    ]);
  });

  it('gives each channel the settings of its mode only: a webhook always with its secret', () => {
    const config = loadConfig({
      PUBLIC_URL: 'https://salon.example.vn',
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      TELEGRAM_WEBHOOK_SECRET: 'a-long-secret-123',
      ZALO_BOT_TOKEN: '12345689:abc-xyz',
      ZALO_MODE: 'webhook',
      ZALO_WEBHOOK_SECRET: 'zalo-secret',
      ZALO_BOT_LINK: 'https://zalo.me/s/botsalonmai',
    });
    expect(config.telegram).toEqual({ mode: 'polling', token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', apiRoot: 'https://api.telegram.org' });
    expect(config.zalo).toEqual({
      mode: 'webhook',
      token: '12345689:abc-xyz',
      apiRoot: 'https://bot-api.zaloplatforms.com',
      webhookSecret: 'zalo-secret',
      botLink: 'https://zalo.me/s/botsalonmai',
    });
    expect(loadConfig({ ZALO_BOT_LINK: 'https://zalo.me/s/botsalonmai' }).zalo).toEqual({ mode: 'off' });
  });

  it('refuses a rules file that does not exist', () => {
    expect(problemsOf({ PROGRAM_CONFIG: '/nowhere/rules.json' })).toEqual(['PROGRAM_CONFIG: file not found: /nowhere/rules.json']);
  });

  it('is documented: every variable in .env.example and in the README table, and nothing extra', () => {
    const example = readFileSync(path.join(projectRoot, '.env.example'), 'utf8');
    const exampleNames = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(exampleNames.sort()).toEqual([...configVariables].sort());
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const tableNames = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
    expect(tableNames.sort()).toEqual([...configVariables].sort());
  });
});
