import { describe, expect, it } from 'vitest';
import { createLogger, httpLogSerializers, logError, redactUrl } from '../../src/logger.js';

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

describe('errors in the log', () => {
  /** What a failed grammY call carries: the request, with the message text. */
  const failedCall = () =>
    Object.assign(new Error("Call to 'sendMessage' failed! (400: Bad Request)"), {
      method: 'sendMessage',
      error_code: 400,
      payload: { chat_id: 301, text: 'Đã lưu số điện thoại 0912 345 678' },
    });

  it('keep what failed and why, not the request of a failed platform call', () => {
    const logged = logError(failedCall());
    expect(JSON.stringify(logged)).not.toContain('0912');
    expect(logged).toMatchObject({ type: 'Error', method: 'sendMessage', error_code: 400 });
    // A cause is folded into the message, without its request either.
    const wrapped = logError(new Error('could not deliver', { cause: failedCall() }));
    expect(wrapped).toMatchObject({ message: "could not deliver: Call to 'sendMessage' failed! (400: Bad Request)" });
    expect(JSON.stringify(wrapped)).not.toContain('0912');
  });

  it('a phone number or a message text passed by mistake is redacted', () => {
    const lines: string[] = [];
    createLogger('info', { write: (line: string) => void lines.push(line) }).warn({ phone: '+84912345678', update: { text: 'hẹn 3 giờ' } }, 'oops');
    expect(lines.join('')).not.toMatch(/912345678|hẹn/);
  });

  it('the process logger applies it to `err`', () => {
    const lines: string[] = [];
    createLogger('info', { write: (line: string) => void lines.push(line) }).error({ err: failedCall() }, 'send failed');
    expect(lines.join('')).toContain('"error_code":400');
    expect(lines.join('')).not.toContain('345 678');
  });
});
