import { describe, expect, it } from 'vitest';
import { PUBLIC_URL, useServices } from '../../support/services.js';

describe('QR images', () => {
  const h = useServices('qr-images');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

  it('publishes a PNG once per key under an unguessable public URL and reads it back', async () => {
    const urls = await Promise.all(Array.from({ length: 5 }, () => h.services.qrImages.publish('zalo:1:link', png)));
    expect(new Set(urls).size).toBe(1);
    const url = urls[0]!;
    const token = new RegExp(`^${PUBLIC_URL}/qr/([0-9a-f]{32})\\.png$`).exec(url)?.[1];
    expect(token).toBeDefined();
    expect(await h.db.models.QrImage.countDocuments({})).toBe(1);
    expect(await h.services.qrImages.read(token!)).toEqual(png);

    const other = await h.services.qrImages.publish('zalo:2:link', Buffer.from([9]));
    expect(other).not.toBe(url);
  });

  it('reads nothing for an unknown or malformed token', async () => {
    expect(await h.services.qrImages.read('0'.repeat(32))).toBeUndefined();
    expect(await h.services.qrImages.read('../etc/passwd')).toBeUndefined();
  });
});
