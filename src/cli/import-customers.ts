import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { readCustomerCsv, refusalLines } from '../domain/customer-csv.js';
import { EmbeddedMongoError } from '../db/embedded.js';
import { createI18n, isLocale, type Locale, type Translate } from '../i18n.js';
import { createLogger } from '../logger.js';
import { loadProgram, ProgramConfigError } from '../program/load.js';
import type { CustomerImportService } from '../services/customer-import.js';
import { createServices } from '../services/index.js';
import { startDatabase } from '../startup/database.js';

/**
 * `npm run import:customers -- <file.csv> [--dry-run] [--lang en]`: the shop's regulars into
 * the program. The file is read and checked first; a file with the wrong columns changes
 * nothing. Bad rows are reported by line and reason (never with the number in them), the good
 * ones imported; running it again with the same file adds nothing.
 */

export interface ImportOptions {
  dryRun: boolean;
  locale: Locale;
  t: Translate;
  /** One line for the operator. */
  say: (line: string) => void;
  /** Connects only when there is something to write. */
  imports: () => Promise<CustomerImportService>;
  /** A progress display for `total` rows; `tick` after each. */
  progress?: (total: number) => { tick: () => void; stop: () => void };
  thisYear?: number;
}

export type ImportSummary = { ok: false } | { ok: true; valid: number; bad: number; written?: Record<string, number> };

/** Reads, checks and (unless a dry run) imports the file's bytes; says what happened. */
export async function importCustomers(bytes: Uint8Array, options: ImportOptions): Promise<ImportSummary> {
  const { t, say } = options;
  const result = readCustomerCsv(bytes, options.thisYear ?? new Date().getFullYear());
  if (!result.ok) {
    for (const line of refusalLines(result, t)) say(line);
    say(t('imports:nothingChanged'));
    return { ok: false };
  }
  say(t('imports:encoding', { encoding: t(`imports:encodingName.${result.encoding}`) }));
  for (const error of result.errors) say(t(`imports:row.${error.problem}`, { line: error.line, firstLine: error.firstLine }));
  say(t('imports:checked', { valid: result.rows.length, bad: result.errors.length }));
  if (options.dryRun) {
    say(t('imports:dryRun'));
    return { ok: true, valid: result.rows.length, bad: result.errors.length };
  }
  const imports = await options.imports();
  const bar = options.progress?.(result.rows.length);
  const written = await imports.importAll(result.rows, options.locale, () => bar?.tick()).finally(() => bar?.stop());
  say(t('imports:done', written));
  return { ok: true, valid: result.rows.length, bad: result.errors.length, written };
}

function parseArgs(argv: string[]): { file?: string; dryRun: boolean; lang?: string } {
  const lang = argv.find((arg) => arg.startsWith('--lang='))?.slice(7) ?? (argv.includes('--lang') ? argv[argv.indexOf('--lang') + 1] : undefined);
  const file = argv.find((arg, i) => !arg.startsWith('--') && argv[i - 1] !== '--lang');
  return { file, dryRun: argv.includes('--dry-run'), lang };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  loadDotEnv();
  const config = loadConfig();
  const locale: Locale = isLocale(args.lang) ? args.lang : 'vi';
  const t = (await createI18n({ defaultLocale: locale, timezone: config.timezone })).forLocale(locale);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (!args.file || (args.lang !== undefined && !isLocale(args.lang))) {
    say(t('imports:usage'));
    return 1;
  }
  const bytes = await readFile(args.file).catch(() => undefined);
  if (!bytes) {
    say(t('imports:unreadable'));
    return 1;
  }
  const logger = createLogger(config.logLevel);
  let stop: (() => Promise<void>) | undefined;
  try {
    const summary = await importCustomers(bytes, {
      dryRun: args.dryRun,
      // Customers get the shop's language until they pick theirs in the chat.
      locale: config.defaultLocale,
      t,
      say,
      imports: async () => {
        const db = await startDatabase(config, logger, {});
        stop = db.stop;
        const program = loadProgram(config.programConfigPath);
        const services = createServices({ models: db.models, program, logger, timezone: config.timezone, publicUrl: config.publicUrl });
        // The rules saved in the back office (tiers, points) are the ones in force, not the file's.
        await services.programRules.start(program);
        return services.customerImport;
      },
      progress: (total) => {
        const bar = new cliProgress.SingleBar(
          { format: `${t('imports:progress')} [{bar}] {value}/{total}`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
        return { tick: () => bar.increment(), stop: () => bar.stop() };
      },
    });
    return summary.ok ? 0 : 1;
  } finally {
    await stop?.();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      // Set-up problems are for the operator to fix and say so themselves; anything else is a bug with its trace.
      if (error instanceof ConfigError || error instanceof EmbeddedMongoError || error instanceof ProgramConfigError) {
        process.stderr.write(`${error.message}\n`);
      } else {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
      process.exit(1);
    },
  );
}
