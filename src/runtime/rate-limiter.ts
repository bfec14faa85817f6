/**
 * Rate limiters for work-queue retries, with client-go's semantics: `when(key)` says how long to
 * wait before the key's next try (and counts the try), `forget(key)` clears its history after a
 * success, `retries(key)` says how many tries are counted. Small limiters compose: the default
 * controller limiter is the larger of a per-key exponential backoff and an overall token bucket.
 */
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';

export interface RateLimiter<K> {
  /** Milliseconds to wait before retrying `key`; records one more failure of it. */
  when(key: K): number;
  /** Stops tracking `key`: its next failure starts from the beginning. */
  forget(key: K): void;
  /** Failures counted for `key` since it was last forgotten. */
  retries(key: K): number;
}

/** base × 2^failures, capped at max: 5 ms, 10 ms, 20 ms … up to 1000 s by default. */
export class ExponentialBackoffLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(key: K): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long after the cap is reached; min() keeps it finite.
    return Math.min(this.maxMs, this.baseMs * 2 ** failures);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * A token bucket over all keys: `ratePerSecond` tokens a second, at most `burst` saved up.
 * Each `when` reserves a token and returns how long until that token exists, so a storm of
 * failures is spread out instead of retried at once.
 */
export class TokenBucketLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond = 10,
    private readonly burst = 100,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_key: K): number {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.last) / 1000) * this.ratePerSecond,
    );
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSecond) * 1000;
  }

  forget(_key: K): void {}

  retries(_key: K): number {
    return 0;
  }
}

/** The longest wait any of the limiters asks for. */
export class MaxOfLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(key: K): number {
    // Every limiter must see the failure, so no short-circuit.
    return Math.max(...this.limiters.map((limiter) => limiter.when(key)));
  }

  forget(key: K): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }

  retries(key: K): number {
    return Math.max(...this.limiters.map((limiter) => limiter.retries(key)));
  }
}

/** Kubernetes' controller default: 5 ms doubling to 1000 s per key, and 10/s (burst 100) overall. */
export function defaultControllerLimiter<K>(clock: Clock = realClock): RateLimiter<K> {
  return new MaxOfLimiter<K>(
    new ExponentialBackoffLimiter<K>(5, 1_000_000),
    new TokenBucketLimiter<K>(10, 100, clock),
  );
}
