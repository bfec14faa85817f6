/**
 * Capped exponential backoff with jitter for resubscription: initial × 2^n up to the cap (the
 * runtime's ExponentialBackoffLimiter does that math), then shortened by a random fraction of
 * up to `jitter`, so that many schedulers cut off by one master failover do not come back in
 * lockstep. `reset` after a successful subscription starts the sequence over.
 */
import { ExponentialBackoffLimiter } from '../../runtime/rate-limiter.ts';

export class Backoff {
  private readonly limiter: ExponentialBackoffLimiter<'subscribe'>;

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
    const full = this.limiter.when('subscribe');
    return Math.round(full * (1 - this.jitter * this.random()));
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.limiter.retries('subscribe');
  }

  reset(): void {
    this.limiter.forget('subscribe');
  }
}
