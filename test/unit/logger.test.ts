import { describe, expect, it } from 'vitest';
import { httpLogSerializers, redactUrl } from '../../src/logger.js';

describe('log redaction of secrets in URLs', () => {
  it('replaces the value of every secret-looking query parameter, however it is spelled', () => {
    expect(redactUrl('/dashboard?token=abc&lang=vi')).toBe('/dashboard?token=[redacted]&lang=vi');
    expect(redactUrl('/dashboard?lang=vi&to%6Ben=abc#top')).toBe('/dashboard?lang=vi&to%6Ben=[redacted]#top');
    expect(redactUrl('/dashboard?token[$gt]=x&Secret=y&tokenless')).toBe('/dashboard?token[$gt]=[redacted]&Secret=[redacted]&tokenless=[redacted]');
    expect(redactUrl('/r/ABC234?lang=en&via=zalo')).toBe('/r/ABC234?lang=en&via=zalo');
    expect(redactUrl('/dashboard?%E0%A4%A=1')).toBe('/dashboard?%E0%A4%A=1');
    expect(redactUrl('/healthz')).toBe('/healthz');
    expect(redactUrl('/m/K7QX2M9PZ4WD8HTR?lang=en')).toBe('/m/[redacted]?lang=en');
    expect(redactUrl('https://shop.example/qr/0123456789abcdef0123456789abcdef.png')).toBe('https://shop.example/qr/[redacted]');
    expect(redactUrl('/me/settings')).toBe('/me/settings');
    expect(redactUrl('/download/Zx8_q-0123456789abcdefghijklmnopq?lang=en')).toBe('/download/[redacted]?lang=en');
    expect(redactUrl('https://shop.example/download/Zx8_q-0123456789abcdefghijklmnopq')).toBe('https://shop.example/download/[redacted]');
  });

  it('covers the parsed query, the referer and a redirect Location, without touching the request', () => {
    const headers = { referer: 'https://x.example/dashboard?token=abc', host: 'x.example' };
    const req = { url: '/dashboard?token=abc', query: { token: 'abc', lang: 'vi' }, headers };
    expect(httpLogSerializers.req(req)).toEqual({
      url: '/dashboard?token=[redacted]',
      query: { token: '[redacted]', lang: 'vi' },
      params: undefined,
      headers: { referer: 'https://x.example/dashboard?token=[redacted]', host: 'x.example' },
    });
    expect(headers.referer).toContain('token=abc');
    expect(httpLogSerializers.res({ statusCode: 303, headers: { location: '/dashboard?token=abc' } })).toEqual({
      statusCode: 303,
      headers: { location: '/dashboard?token=[redacted]' },
    });
  });
});
