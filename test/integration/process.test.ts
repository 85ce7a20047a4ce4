import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, runApp } from '../support/app-process.js';
import { testDatabaseName, testDatabaseUri } from '../support/database.js';

/** Preloaded into the app: at exit, every CommonJS file it loaded (ESM imports of CommonJS packages too) goes to a file. */
const writeLoadedModulesAtExit = [
  "import{createRequire}from'node:module';import{writeFileSync}from'node:fs';",
  "const cache=createRequire('/').cache;",
  "process.on('exit',()=>writeFileSync(process.env.LOADED_MODULES_FILE,Object.keys(cache).join(String.fromCharCode(10))));",
].join('');

describe('the app process', () => {
  it('starts, serves /healthz, and stops cleanly with exit code 0 on SIGTERM', async () => {
    const port = await freePort();
    const app = runApp({
      PORT: String(port),
      MONGODB_URI: testDatabaseUri(testDatabaseName('process')),
      DEFAULT_LOCALE: 'en',
      LOG_LEVEL: 'info',
    });
    await app.waitFor('Health check:');
    expect(app.output()).toContain('Telegram channel: off');
    expect(app.output()).toContain('No owner yet: send /start');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, mongodb: 'up', agenda: 'up' });

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain('stopped cleanly');
  });

  // Memory at idle: what only some paths use is loaded when first used (see README "Memory").
  it('does not load mongodb-memory-server nor qrcode at start when MONGODB_URI is set', async () => {
    const listFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'loaded-modules-')), 'loaded.txt');
    const app = runApp({
      PORT: String(await freePort()),
      MONGODB_URI: testDatabaseUri(testDatabaseName('process-modules')),
      NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(writeLoadedModulesAtExit)}`,
      DEFAULT_LOCALE: 'en',
      LOADED_MODULES_FILE: listFile,
    });
    await app.waitFor('Health check:', 80_000);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const loaded = readFileSync(listFile, 'utf8').split('\n');
    // The list is real: the driver and Mongoose are in it.
    expect(loaded.some((file) => file.includes('/node_modules/mongoose/'))).toBe(true);
    expect(loaded.filter((file) => /\/node_modules\/(mongodb-memory-server-core|qrcode)\//.test(file))).toEqual([]);
    // A start on a shared, loaded database server can take a minute.
  }, 90_000);

  it('exits 1 with a readable message, not a stack trace, when the configuration is wrong', async () => {
    const app = runApp({ PORT: 'eighty', TELEGRAM_MODE: 'sometimes' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('Invalid configuration:');
    expect(app.output()).toContain('  - PORT:');
    expect(app.output()).toContain('  - TELEGRAM_MODE:');
    expect(app.output()).not.toMatch(/\n\s+at /);
  });
});
