import { describe, expect, it } from 'vitest';
import { deleteEach, findEach } from '../../../src/db/each-value.js';

describe('findEach and deleteEach', () => {
  it('asks each distinct value once and returns every answer in one list', async () => {
    const asked: string[] = [];
    const found = await findEach(['a', 'b', 'a', 'c'], async (value) => {
      asked.push(value);
      return Promise.resolve(value === 'b' ? [] : [`${value}1`, `${value}2`]);
    });
    expect(asked).toEqual(['a', 'b', 'c']);
    expect(found).toEqual(['a1', 'a2', 'c1', 'c2']);
  });

  it('keeps at most 20 queries in flight however long the list', async () => {
    let inFlight = 0;
    let most = 0;
    const values = Array.from({ length: 65 }, (_, i) => i);
    const deleted = await deleteEach(values, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      return { deletedCount: 2 };
    });
    expect(most).toBe(20);
    expect(deleted).toBe(130);
  });

  it('asks nothing for an empty list', async () => {
    expect(await findEach([], () => Promise.reject(new Error('asked')))).toEqual([]);
  });
});
