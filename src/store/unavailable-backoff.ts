/**
 * How long-running processes live with an etcd that comes and goes: `whileUnavailable` runs an
 * operation and, while it fails with UnavailableError, retries with exponential backoff (and
 * jitter), logging each failure with the endpoint. Any other error, or the signal aborting,
 * ends it. Short-lived commands should not use it: they report the error and exit.
 */
import { realClock, type Clock } from '../clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import { Backoff } from '../runtime/backoff.ts';
import { UnavailableError } from './errors.ts';

export interface BackoffOptions {
  signal?: AbortSignal;
  clock?: Clock;
  logger?: Logger;
  /** First delay (default 200 ms), doubling up to `maxMs` (default 10 s). */
  initialMs?: number;
  maxMs?: number;
  /** What is being attempted, for the log. */
  what?: string;
}

export async function whileUnavailable<T>(
  operation: () => Promise<T>,
  options: BackoffOptions = {},
): Promise<T> {
  const clock = options.clock ?? realClock;
  const log = options.logger ?? silentLogger;
  const backoff = new Backoff(options.initialMs ?? 200, options.maxMs ?? 10_000, 0.25);
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      const wait = backoff.next();
      log.warn('store unavailable, retrying', {
        what: options.what,
        endpoint: error.endpoint,
        attempt: backoff.attempts,
        retryInMs: wait,
      });
      await clock.sleep(wait, options.signal);
    }
  }
}
