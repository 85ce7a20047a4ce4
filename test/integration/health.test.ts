import type { Server } from 'node:http';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { pingMongo } from '../../src/db/connection.js';
import { summarizeHealth } from '../../src/health.js';
import { createHttpApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { testDatabaseUri } from '../support/database.js';

async function serve(connection: mongoose.Connection): Promise<{ url: string; server: Server }> {
  const app = createHttpApp({
    logger: createLogger('silent'),
    health: async () =>
      summarizeHealth({
        mongodb: (await pingMongo(connection)) ? 'up' : 'down',
        agenda: 'up',
        channels: { telegram: 'off', zalo: 'off' },
      }),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

describe('GET /healthz', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('answers 200 with each part up, then 503 once MongoDB is gone', async () => {
    const connection = await mongoose.createConnection(testDatabaseUri('health')).asPromise();
    const { url, server } = await serve(connection);
    servers.push(server);

    const up = await fetch(`${url}/healthz`);
    expect(up.status).toBe(200);
    expect(up.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    expect(await up.json()).toEqual({ ok: true, mongodb: 'up', agenda: 'up', channels: { telegram: 'off', zalo: 'off' } });

    await connection.close();
    const down = await fetch(`${url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ ok: false, mongodb: 'down' });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const connection = await mongoose.createConnection(testDatabaseUri('health404')).asPromise();
    const { url, server } = await serve(connection);
    servers.push(server);
    const response = await fetch(`${url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found' });
    await connection.close();
  });
});
