import { describe, expect, it } from '@jest/globals';
import { ScaledClock } from '../../src/clock.js';
import { SeededRandom } from '../../src/random.js';

describe('SeededRandom', () => {
  it('repeats exactly for a seed and differs for another', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 20 },
        (
          (random) => () =>
            random.next()
        )(new SeededRandom(seed)),
      );
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    for (const value of draw(3)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('gives forks independent, repeatable streams', () => {
    const a = new SeededRandom(9).fork(0);
    const b = new SeededRandom(9).fork(1);
    const a2 = new SeededRandom(9).fork(0);
    const seq = (random: SeededRandom) => Array.from({ length: 5 }, () => random.int(0, 1000));
    const first = seq(a);
    expect(seq(a2)).toEqual(first);
    expect(seq(b)).not.toEqual(first);
  });

  it('draws integers in range and weighted keys in proportion', () => {
    const random = new SeededRandom(123);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 10_000; i++) counts[random.weighted({ a: 3, b: 1, never: 0 })]++;
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.6);
    expect(counts.a / counts.b).toBeLessThan(3.4);
    const ints = new Set(Array.from({ length: 1000 }, () => random.int(1, 3)));
    expect([...ints].sort()).toEqual([1, 2, 3]);
    expect(() => random.weighted({ a: 0 })).toThrow(RangeError);
    expect(random.chance(0)).toBe(false);
  });
});

describe('ScaledClock', () => {
  it('divides simulated durations by the time factor', async () => {
    const clock = new ScaledClock(600);
    expect(clock.realMs(300_000)).toBe(500);
    expect(clock.simulatedMs(500)).toBe(300_000);
    const started = Date.now();
    await expect(clock.sleep(30_000, new AbortController().signal)).resolves.toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(() => new ScaledClock(0)).toThrow(RangeError);
  });

  it('wakes early with false when aborted', async () => {
    const clock = new ScaledClock(1);
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBe(false);
    await expect(clock.sleep(1, controller.signal)).resolves.toBe(false);
  });
});
