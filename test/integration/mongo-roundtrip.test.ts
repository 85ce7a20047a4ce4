import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';

describe('MongoDB round trip on the real server', () => {
  const db = useTestDatabase('roundtrip');

  it('stores and reads a document through a Mongoose model', async () => {
    await db.models.ProcessedUpdate.create({ key: 'telegram:1001' });
    const found = await db.models.ProcessedUpdate.findOne({ key: 'telegram:1001' }).lean();
    expect(found?.key).toBe('telegram:1001');
    expect(found?.processedAt).toBeInstanceOf(Date);
  });

  it('rejects a duplicate of a unique key with error 11000 and keeps one document', async () => {
    await db.models.ProcessedUpdate.create({ key: 'zalo:abc' });
    await expect(db.models.ProcessedUpdate.create({ key: 'zalo:abc' })).rejects.toMatchObject({ code: 11000 });
    expect(await db.models.ProcessedUpdate.countDocuments({ key: 'zalo:abc' })).toBe(1);
  });
});
