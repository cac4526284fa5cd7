import { describe, expect, it } from '@jest/globals';
import { mapConcurrently } from '../../src/concurrency.js';

describe('mapConcurrently', () => {
  it('runs at most `limit` at a time, every item once, results in the items order', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const results = await mapConcurrently([...Array(16).keys()], 4, async (item) => {
      running++;
      most = Math.max(most, running);
      seen.push(item);
      // Later items finish first: the order of results must not follow the order of completion.
      await new Promise((resolve) => setTimeout(resolve, 16 - item));
      running--;
      return item * 10;
    });
    expect(most).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
    expect(results).toEqual([...Array(16).keys()].map((item) => item * 10));
  });

  it('answers an empty list at once, runs one at a time for a limit below 1, and starts nothing after a failure', async () => {
    await expect(mapConcurrently([], 4, async () => 1)).resolves.toEqual([]);
    await expect(mapConcurrently([1, 2, 3], 0, async (item) => item)).resolves.toEqual([1, 2, 3]);
    const started: number[] = [];
    await expect(
      mapConcurrently([1, 2, 3, 4, 5, 6], 2, async (item) => {
        started.push(item);
        if (item === 2) throw new Error('item 2');
        await new Promise((resolve) => setTimeout(resolve, 10));
        return item;
      }),
    ).rejects.toThrow('item 2');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toEqual([1, 2]);
  });
});
