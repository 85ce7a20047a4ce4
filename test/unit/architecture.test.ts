import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';

/**
 * The layers' boundaries are the linter's job (eslint.config.js): each snippet is linted
 * with the project's own configuration as if it were the named file, which must exist so
 * the type-aware rules can see it (its text on disk is not used).
 */
const eslint = new ESLint({ cwd: projectRoot });

async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: `${projectRoot}/${filePath}` });
  const messages = result?.messages ?? [];
  const parseError = messages.find((m) => m.ruleId === null);
  if (parseError) throw new Error(`snippet does not parse: ${parseError.message}`);
  return messages;
}

/** The import specifiers the boundary rule refuses in `code`, once each, in order. */
async function refusedImports(filePath: string, code: string): Promise<string[]> {
  const refused = (await lint(filePath, code))
    .filter((m) => m.ruleId === 'no-restricted-imports')
    // "'x' import is restricted…" or, for a refused name, "'name' import from 'x' is restricted…".
    .map((m) => (/import from '([^']+)'/.exec(m.message) ?? /'([^']+)' import/.exec(m.message))?.[1] ?? m.message);
  return [...new Set(refused)];
}

describe('layer boundaries', () => {
  // The first lint builds the TypeScript program (seconds); the hook's time limit is the longer one.
  beforeAll(() => lint('src/domain/codes.ts', 'export const warm = 1;'));

  it('stops a service from importing a channel or the web layer', async () => {
    const found = await refusedImports(
      'src/services/index.ts',
      [
        "import { createTelegramChannel } from '../channels/telegram/channel.js';",
        "import type { Reply } from '../channels/conversation/reply.js';",
        "import { Bot } from 'grammy';",
        "import { createHttpApp } from '../http/app.js';",
        'export const parts: unknown[] = [createTelegramChannel, Bot, createHttpApp];',
        'export type R = Reply;',
      ].join('\n'),
    );
    expect(found).toEqual(['../channels/telegram/channel.js', '../channels/conversation/reply.js', 'grammy', '../http/app.js']);
  });

  it('stops a channel from importing models or a web page, and allows the document types services return', async () => {
    const found = await refusedImports(
      'src/channels/channel.ts',
      [
        "import type { Models } from '../db/models/index.js';",
        "import { customerSchema } from '../db/models/customer.js';",
        "import type { Customer } from '../db/models/customer.js';",
        "import { isDatabaseUnavailable } from '../db/connection.js';",
        "import { publishQrImage } from '../http/public-pages.js';",
        'export type M = Models;',
        'export type C = Customer;',
        'export const parts: unknown[] = [customerSchema, isDatabaseUnavailable, publishQrImage];',
      ].join('\n'),
    );
    expect(found).toEqual(['../db/models/index.js', '../db/models/customer.js', '../http/public-pages.js']);
  });

  it('stops the web pages from reaching into a chat adapter, and jobs from holding models', async () => {
    expect(
      await refusedImports(
        'src/http/app.ts',
        "import { TELEGRAM_WEBHOOK_PATH } from '../channels/telegram/channel.js';\nexport const l = TELEGRAM_WEBHOOK_PATH;",
      ),
    ).toEqual(['../channels/telegram/channel.js']);
    expect(
      await refusedImports('src/jobs/agenda.ts', "import { createModels } from '../db/models/index.js';\nexport const m = createModels;"),
    ).toEqual(['../db/models/index.js']);
  });

  it('keeps the domain free of I/O', async () => {
    const found = await refusedImports(
      'src/domain/codes.ts',
      [
        "import mongoose from 'mongoose';",
        "import { readFileSync } from 'node:fs';",
        "import type { Services } from '../services/index.js';",
        "import { DateTime } from 'luxon';",
        'export const parts: unknown[] = [mongoose, readFileSync, DateTime];',
        'export type S = Services;',
      ].join('\n'),
    );
    expect(found).toEqual(['mongoose', 'node:fs', '../services/index.js']);
  });

  it('refuses an async function that awaits nothing', async () => {
    const found = await lint('src/domain/codes.ts', 'export async function code(): Promise<string> {\n  return "A";\n}');
    expect(found.map((m) => m.ruleId)).toContain('@typescript-eslint/require-await');
  });
});
