import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/runtime/backoff.ts';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const backoff = new Backoff(100, 1000, 0);
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoff.attempts).toBe(6);
  });

  it('shortens each delay by at most the jitter fraction', () => {
    const low = new Backoff(1000, 60_000, 0.5, () => 0.999999);
    const high = new Backoff(1000, 60_000, 0.5, () => 0);
    expect(low.next()).toBe(500);
    expect(high.next()).toBe(1000);
    const random = new Backoff(1000, 60_000, 0.5);
    for (let i = 0; i < 100; i++) {
      const delay = random.next();
      const full = Math.min(60_000, 1000 * 2 ** i);
      expect(delay).toBeGreaterThanOrEqual(full / 2);
      expect(delay).toBeLessThanOrEqual(full);
    }
  });

  it('starts over after reset', () => {
    const backoff = new Backoff(10, 1000, 0);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(10);
  });
});
