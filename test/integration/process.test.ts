import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { testDatabaseName, testDatabaseUri } from '../support/database.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs the app as `npm start` would (its entry point, through tsx), and collects output. */
function runApp(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'main.ts')], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (text: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no "${text}" in output:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

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
