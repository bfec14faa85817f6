/**
 * Capped exponential backoff with jitter, for anything that reconnects — a Mesos subscription,
 * an etcd watch, a call to an unreachable store: initial × 2^n up to the cap (the
 * ExponentialBackoffLimiter's math), shortened by a random fraction of up to `jitter`, so that
 * many clients cut off by one failure do not come back in lockstep. `reset` after a success
 * starts the sequence over.
 */
import { ExponentialBackoffLimiter } from './rate-limiter.ts';

export class Backoff {
  private readonly limiter: ExponentialBackoffLimiter<'retry'>;

  constructor(
    initialMs: number,
    maxMs: number,
    private readonly jitter: number,
    private readonly random: () => number = Math.random,
  ) {
    this.limiter = new ExponentialBackoffLimiter(initialMs, maxMs);
  }

  /** The next delay, in milliseconds; each call counts one more failure. */
  next(): number {
    const full = this.limiter.when('retry');
    return Math.round(full * (1 - this.jitter * this.random()));
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.limiter.retries('retry');
  }

  reset(): void {
    this.limiter.forget('retry');
  }
}
