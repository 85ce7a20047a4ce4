import { describe, expect, it } from 'vitest';
import { freePort, runApp } from '../support/app-process.js';
import { testDatabaseName, testDatabaseUri } from '../support/database.js';

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

  it('exits 1 with a readable message, not a stack trace, when the configuration is wrong', async () => {
    const app = runApp({ PORT: 'eighty', TELEGRAM_MODE: 'sometimes' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('Invalid configuration:');
    expect(app.output()).toContain('  - PORT:');
    expect(app.output()).toContain('  - TELEGRAM_MODE:');
    expect(app.output()).not.toMatch(/\n\s+at /);
  });
});
