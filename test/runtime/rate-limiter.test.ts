import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import {
  ExponentialBackoffLimiter,
  MaxOfLimiter,
  TokenBucketLimiter,
  defaultControllerLimiter,
} from '../../src/runtime/rate-limiter.ts';

describe('ExponentialBackoffLimiter', () => {
  it('doubles per failure from the base, per key, up to the cap', () => {
    const limiter = new ExponentialBackoffLimiter<string>(5, 1_000_000);
    expect([1, 2, 3, 4].map(() => limiter.when('a'))).toEqual([5, 10, 20, 40]);
    expect(limiter.when('b')).toBe(5);
    for (let i = 0; i < 100; i++) limiter.when('a');
    expect(limiter.when('a')).toBe(1_000_000);
    expect(limiter.retries('a')).toBe(105);
  });

  it('starts again after forget', () => {
    const limiter = new ExponentialBackoffLimiter<string>(5, 1000);
    limiter.when('a');
    limiter.when('a');
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
    expect(limiter.when('a')).toBe(5);
  });
});

describe('TokenBucketLimiter', () => {
  it('lets a burst through, then spaces tries at the rate, and refills with time', () => {
    const clock = new VirtualClock();
    const limiter = new TokenBucketLimiter<string>(10, 3, clock);
    expect([1, 2, 3].map((i) => limiter.when(`k${i}`))).toEqual([0, 0, 0]);
    expect(limiter.when('k4')).toBeCloseTo(100);
    expect(limiter.when('k5')).toBeCloseTo(200);
    clock.advance(1000);
    expect(limiter.when('k6')).toBe(0);
  });
});

describe('MaxOfLimiter', () => {
  it('waits as long as the slowest limiter and counts the failure in each', () => {
    const clock = new VirtualClock();
    const limiter = new MaxOfLimiter<string>(
      new ExponentialBackoffLimiter<string>(5, 1000),
      new TokenBucketLimiter<string>(10, 1, clock),
    );
    expect(limiter.when('a')).toBe(5);
    expect(limiter.when('a')).toBeCloseTo(100);
    expect(limiter.retries('a')).toBe(2);
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
  });

  it('is what controllers get by default: 5 ms first, then doubling', () => {
    const limiter = defaultControllerLimiter<string>(new VirtualClock());
    expect([1, 2, 3].map(() => limiter.when('x'))).toEqual([5, 10, 20]);
  });
});
