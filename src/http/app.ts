import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { httpLogSerializers, type Logger } from '../logger.js';
import type { HealthReport } from '../health.js';
import { projectRoot } from '../paths.js';

export interface HttpAppDependencies {
  logger: Logger;
  health: () => Promise<HealthReport>;
  /** Feature routers (webhooks, landing page, dashboard), mounted in order. */
  routers?: Router[];
}

/** Builds the Express app without listening, so tests can serve it on any port. */
export function createHttpApp({ logger, health, routers = [] }: HttpAppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // Health probes every few seconds would drown the log.
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      serializers: httpLogSerializers,
    }),
  );
  // A fresh nonce per response: the only scripts that run are the ones a template marks with it.
  app.use((_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    next();
  });
  // Security headers on every response. Pages are server-rendered with stylesheets from
  // /assets and images from this server; forms post to this origin only.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: ["'self'"],
          scriptSrc: [(_req, res) => `'nonce-${(res as express.Response).locals.cspNonce as string}'`],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  app.use('/assets', express.static(path.join(projectRoot, 'assets'), { maxAge: '1h', index: false, fallthrough: false }));

  app.get('/healthz', async (_req, res) => {
    const report = await health();
    res.status(report.ok ? 200 : 503).json(report);
  });

  for (const router of routers) app.use(router);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status = (error as { status?: number }).status;
    if (status && status < 500) {
      req.log.info({ err: error }, 'client error');
      res.status(status).json({ error: 'bad_request' });
      return;
    }
    req.log.error({ err: error }, 'request failed');
    res.status(500).json({ error: 'internal_error' });
  };
  app.use(onError);
  return app;
}
