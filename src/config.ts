import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EMBEDDED_KINDS, type EmbeddedKind } from './db/embedded-kinds.js';
import { parseIdentity } from './domain/identity.js';
import { projectRoot } from './paths.js';

/** A channel identity as the program stores it: `telegram:<numeric id>` or `zalo:<id>`. */
export const channelIdentitySchema = z.string().refine((text) => parseIdentity(text) !== undefined, 'expected telegram:<numeric id> or zalo:<id>');

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const defaultProgramConfigPath = path.join(projectRoot, 'src', 'program', 'default-program.json');

/** The variables as read, one field each; `configSchema` below turns them into the `Config` shape. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  MONGODB_URI: optionalText.pipe(
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  DATA_DIR: z.string().default('./data'),
  EMBEDDED_DATABASE: optionalText.transform((v, ctx) => {
    const kinds = (v ?? EMBEDDED_KINDS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const kind of kinds) {
      if (!(EMBEDDED_KINDS as readonly string[]).includes(kind))
        ctx.addIssue({ code: 'custom', message: `"${kind}" is not one of ${EMBEDDED_KINDS.join(', ')}` });
    }
    return kinds as EmbeddedKind[];
  }),
  BUSINESS_TIMEZONE: z.string().refine(isTimeZone, 'not a known IANA time zone').default('Asia/Ho_Chi_Minh'),
  DEFAULT_LOCALE: z.enum(['vi', 'en']).default('vi'),
  PROGRAM_CONFIG: optionalText,
  /** How often each process looks for rules saved in the back office (by any process). */
  PROGRAM_REFRESH_SECONDS: z.coerce.number().int().min(1).max(60).default(30),
  OWNER_IDS: optionalText.transform((v, ctx) => {
    const ids = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const id of ids) {
      if (!channelIdentitySchema.safeParse(id).success) {
        ctx.addIssue({ code: 'custom', message: `"${id}" is not telegram:<numeric id> or zalo:<id>` });
      }
    }
    return ids;
  }),
  TELEGRAM_BOT_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'does not look like a BotFather token (123456:ABC...)')
      .optional(),
  ),
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).default('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TELEGRAM_WEBHOOK_SECRET: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{12,256}$/, '12-256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
  ),
  ZALO_BOT_TOKEN: optionalText,
  ZALO_API_ROOT: z.url({ protocol: /^https?$/ }).default('https://bot-api.zaloplatforms.com'),
  ZALO_MODE: z.enum(['polling', 'webhook']).default('polling'),
  ZALO_WEBHOOK_SECRET: optionalText.pipe(z.string().min(8).max(256).optional()),
  ZALO_BOT_LINK: optionalText.pipe(z.url().optional()),
});

export type Env = z.input<typeof envSchema>;

/** Every environment variable the app reads (documented in .env.example and the README). */
export const configVariables = Object.keys(envSchema.shape);

type ParsedEnv = z.output<typeof envSchema>;
type Issues = z.core.$RefinementCtx<ParsedEnv>;

/**
 * One chat channel's bot: off without a token; in webhook mode only with its secret and an
 * https PUBLIC_URL (reported as problems otherwise), so no webhook config lacks a secret.
 */
function botOf<Extra extends object>(
  env: ParsedEnv,
  ctx: Issues,
  channel: 'TELEGRAM' | 'ZALO',
  settings: { token: string | undefined; apiRoot: string; extra: Extra },
) {
  const { token, extra } = settings;
  if (!token) return { mode: 'off' as const };
  const bot = { token, apiRoot: settings.apiRoot.replace(/\/+$/, ''), ...extra };
  if (env[`${channel}_MODE`] === 'polling') return { mode: 'polling' as const, ...bot };
  const secretKey = `${channel}_WEBHOOK_SECRET` as const;
  const webhookSecret = env[secretKey];
  if (!webhookSecret) ctx.addIssue({ code: 'custom', path: [secretKey], message: `required when ${channel}_MODE=webhook` });
  if (!env.PUBLIC_URL?.startsWith('https://')) {
    ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: `must be an https:// URL when ${channel}_MODE=webhook` });
  }
  // The issue above fails the parse; z.NEVER keeps the secret's type a plain string.
  if (!webhookSecret) return z.NEVER;
  return { mode: 'webhook' as const, ...bot, webhookSecret };
}

/** The environment, validated and turned into the application's settings. */
const configSchema = envSchema.transform((e, ctx) => {
  const programConfigPath = path.resolve(e.PROGRAM_CONFIG ?? defaultProgramConfigPath);
  if (!existsSync(programConfigPath)) {
    ctx.addIssue({ code: 'custom', path: ['PROGRAM_CONFIG'], message: `file not found: ${programConfigPath}` });
  }
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    /** Base of referral links, QR images and webhooks, without a trailing slash. */
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    /** True when PUBLIC_URL was not set and links point at this machine only. */
    publicUrlIsLocal: e.PUBLIC_URL === undefined,
    mongodbUri: e.MONGODB_URI,
    dataDir: path.resolve(e.DATA_DIR),
    /** The embedded database kinds to try, in the chain's order, when MONGODB_URI is unset. */
    embeddedKinds: e.EMBEDDED_DATABASE,
    timezone: e.BUSINESS_TIMEZONE,
    defaultLocale: e.DEFAULT_LOCALE,
    programConfigPath,
    programRefreshMs: e.PROGRAM_REFRESH_SECONDS * 1000,
    ownerIds: e.OWNER_IDS,
    telegram: botOf(e, ctx, 'TELEGRAM', { token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT, extra: {} }),
    // Zalo's share link, shown on the landing page, only means something while the bot runs.
    zalo: botOf(e, ctx, 'ZALO', { token: e.ZALO_BOT_TOKEN, apiRoot: e.ZALO_API_ROOT, extra: { botLink: e.ZALO_BOT_LINK } }),
  };
});

/** The application's settings, parsed once from the environment. */
export type Config = z.output<typeof configSchema>;
/** A chat channel's settings while it runs: polling, or webhook with its secret. */
export type BotConfig = Exclude<Config['telegram'], { mode: 'off' }>;

/** Start-up stops with this error; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  return parsed.data;
}

/** Loads `.env` from the working directory when present (real environment variables win). */
export function loadDotEnv(file = path.resolve('.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
