import { pino, type Logger } from 'pino';

export type { Logger };

const REDACTED = '[redacted]';
/** Query parameters that carry a secret (the dashboard's one-time `token`, any `secret`). */
const secretName = /token|secret/i;

const decoded = (text: string) => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
};

/**
 * A URL as it may be logged: the value of every secret-looking query parameter replaced,
 * whatever its spelling (`token=`, `to%6Ben=`, `token[$gt]=`), and the secret path segment
 * of `/m/<member token>`, `/qr/<image token>.png` and `/download/<download token>`.
 */
export function redactUrl(rawUrl: string): string {
  // The member card page, QR images and one-time downloads carry their secret in the path (a QR image can show a member token).
  const url = rawUrl.replace(/^((?:https?:\/\/[^/]+)?\/(?:m|qr|download)\/)[^/?#]+/i, `$1${REDACTED}`);
  const start = url.indexOf('?');
  if (start < 0) return url;
  const hashAt = url.indexOf('#', start);
  const end = hashAt < 0 ? url.length : hashAt;
  const query = url
    .slice(start + 1, end)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      return secretName.test(decoded(name)) ? `${name}=${REDACTED}` : part;
    })
    .join('&');
  return `${url.slice(0, start + 1)}${query}${url.slice(end)}`;
}

const redactQuery = (query: unknown) =>
  query && typeof query === 'object'
    ? Object.fromEntries(Object.entries(query).map(([name, value]) => [name, secretName.test(name) ? REDACTED : (value as unknown)]))
    : query;

type Serialized = Record<string, unknown> & { headers?: Record<string, unknown> };

const redactHeaderUrls = (headers: Record<string, unknown> | undefined, names: string[]) => {
  if (!headers) return headers;
  const copy = { ...headers };
  for (const name of names) if (typeof copy[name] === 'string') copy[name] = redactUrl(copy[name]);
  return copy;
};

/**
 * Serializers for pino-http (they get the already-serialized request and response): the
 * URL, the parsed query and the referer of a request, and the Location of a redirect, lose
 * their secrets. The serialized objects are copies, so the live request is untouched.
 */
export const httpLogSerializers = {
  req: (req: Serialized): Serialized => ({
    ...req,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    query: redactQuery(req.query),
    // Route parameters repeat the path's secrets (a member token, an image token).
    params: undefined,
    headers: redactHeaderUrls(req.headers, ['referer']),
  }),
  res: (res: Serialized): Serialized => ({ ...res, headers: redactHeaderUrls(res.headers, ['location']) }),
};

/**
 * Errors as they may be logged: pino's standard form (causes are folded into the message)
 * without what a failed platform call carries of its request (grammY's `payload`: the
 * message text, which can hold a phone number, and the chat it went to).
 */
export function logError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (!serialized || typeof serialized !== 'object') return serialized;
  const { payload: _request, ...rest } = serialized as Record<string, unknown>;
  return rest;
}

/**
 * One JSON logger for the process. Secrets that can appear in logged objects (bot tokens
 * inside URLs, webhook secret headers, cookies) are redacted by path; URLs by httpLogSerializers;
 * errors lose the request of a failed platform call (logError). Message texts and phone
 * numbers are never passed to the logger (README "Personal data").
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: logError, error: logError },
      redact: {
        paths: [
          'req.headers["x-telegram-bot-api-secret-token"]',
          'req.headers["x-bot-api-secret-token"]',
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          'token',
          '*.token',
          // Never passed to the logger; should a future line pass them, they still do not appear.
          'phone',
          '*.phone',
          'text',
          '*.text',
        ],
        censor: REDACTED,
      },
    },
    destination,
  );
}
