import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyZaloError } from '../../../../src/channels/zalo/channel.js';
import { createZaloClient, splitText, ZaloApiError } from '../../../../src/channels/zalo/client.js';
import { ZaloEmulator } from '../../../support/zalo-emulator.js';

describe('Zalo client', () => {
  const emulator = new ZaloEmulator();
  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());
  const client = () => createZaloClient({ token: emulator.token, apiRoot: emulator.apiRoot, timeoutMs: 5_000 });

  it('reads the bot identity and one update per long poll, and reports "no update" on 408', async () => {
    expect(await client().getMe()).toMatchObject({ account_name: 'bot.SalonMai' });
    emulator.user('u1', 'An').send('xin chào');
    expect(await client().getUpdates(1)).toMatchObject({ event_name: 'message.text.received', message: { text: 'xin chào', chat: { id: 'u1' } } });
    expect(await client().getUpdates(1)).toBeUndefined();
  });

  it('splits a reply longer than 2,000 characters at line breaks, never over the limit', async () => {
    const long = Array.from({ length: 120 }, (_, i) => `Dòng ${i}: ${'ưu đãi '.repeat(4)}`).join('\n');
    expect(long.length).toBeGreaterThan(4000);
    await client().sendMessage('u2', long);
    const parts = emulator.messagesTo('u2');
    expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(long.length / 2000));
    expect(parts.every((p) => p.text.length <= 2000 && p.text.length > 0)).toBe(true);
    // Cut at line breaks: every line arrives whole, in order.
    expect(parts.flatMap((p) => p.text.split('\n')).map((line) => line.trim())).toEqual(long.split('\n').map((line) => line.trim()));
    expect(splitText('😀'.repeat(1500)).every((part) => !/^[\uDC00-\uDFFF]/.test(part))).toBe(true);
  });

  it('sends a photo by URL and continues a caption over the limit in text messages', async () => {
    const caption = Array.from({ length: 300 }, (_, i) => `Mã ${i}: ưu đãi`).join('\n');
    expect(caption.length).toBeGreaterThan(2000);
    await client().sendPhoto('u5', 'https://salon.example.vn/qr/abc.png', caption);
    const sent = emulator.messagesTo('u5');
    expect(sent[0]).toMatchObject({ photo: 'https://salon.example.vn/qr/abc.png' });
    expect(sent.slice(1).every((m) => m.photo === undefined)).toBe(true);
    expect(sent.map((m) => m.text).join('\n')).toBe(caption);
  });

  it('turns refusals into typed errors that never contain the token', async () => {
    await expect(client().sendPhoto('u3', 'file:///etc/passwd')).rejects.toMatchObject({ errorCode: 400, method: 'sendPhoto' });
    const wrongToken = createZaloClient({ token: '999:secret-token-value', apiRoot: emulator.apiRoot });
    const error = await wrongToken.getMe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloApiError);
    expect(String((error as Error).message)).not.toContain('secret-token-value');
    const offline = createZaloClient({ token: '1:abc', apiRoot: 'http://127.0.0.1:1' });
    await expect(offline.getMe()).rejects.toMatchObject({ errorCode: 0, description: 'network error' });
  });

  it('waits and retries on 429, and reports a 429 that persists as a typed error', async () => {
    const fast = createZaloClient({ token: emulator.token, apiRoot: emulator.apiRoot, rateLimitBackoffMs: 10 });
    emulator.failNext({ error_code: 429, description: 'quota exceeded' });
    await fast.sendMessage('u4', 'Xin chào');
    expect(emulator.messagesTo('u4').map((m) => m.text)).toEqual(['Xin chào']);

    const quota = { error_code: 429, description: 'quota exceeded' };
    emulator.failNext(quota, quota, quota);
    await expect(fast.sendMessage('u4', 'lần hai')).rejects.toMatchObject({ errorCode: 429, method: 'sendMessage' });
    expect(emulator.messagesTo('u4')).toHaveLength(1);
  });

  it('registers and removes a webhook, with the platform checks on url and secret', async () => {
    const c = client();
    expect(await c.getWebhookInfo()).toEqual({ url: '' });
    await expect(c.setWebhook('http://salon.example.vn/zalo/webhook', 'long-enough-secret')).rejects.toMatchObject({ errorCode: 400 });
    await expect(c.setWebhook('https://salon.example.vn/zalo/webhook', 'short')).rejects.toMatchObject({ errorCode: 400 });
    await c.setWebhook('https://salon.example.vn/zalo/webhook', 'long-enough-secret');
    expect(await c.getWebhookInfo()).toMatchObject({ url: 'https://salon.example.vn/zalo/webhook' });
    await expect(c.getUpdates(1)).rejects.toMatchObject({ errorCode: 400, method: 'getUpdates' });
    expect(await c.deleteWebhook()).toMatchObject({ url: '' });
    expect(await c.getWebhookInfo()).toEqual({ url: '' });
  });

  it('classifies send failures for the notifier: 429 and network retry, others are permanent', () => {
    expect(classifyZaloError(new ZaloApiError('sendMessage', 429, 'quota exceeded'))).toMatchObject({ kind: 'retry', retryAfterMs: 30_000 });
    expect(classifyZaloError(new ZaloApiError('sendMessage', 0, 'network error'))).toMatchObject({ kind: 'retry' });
    expect(classifyZaloError(new ZaloApiError('sendMessage', 400, 'bad chat_id'))).toMatchObject({ kind: 'permanent' });
    expect(classifyZaloError(new ZaloApiError('sendMessage', 404, 'not found'))).toMatchObject({ kind: 'permanent' });
    // Our own token being wrong, or Zalo's "internal server error" 403, must not lose the customer's message.
    expect(classifyZaloError(new ZaloApiError('sendMessage', 401, 'token invalid'))).toMatchObject({ kind: 'retry' });
    expect(classifyZaloError(new ZaloApiError('sendMessage', 403, 'internal server error'))).toMatchObject({ kind: 'retry' });
  });
});
