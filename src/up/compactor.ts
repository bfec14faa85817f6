/**
 * Periodic compaction for a store nobody else compacts (the embedded one under `meseta up`):
 * every interval it notes the store's revision, and discards the history that is both more
 * than `keepRevisions` revisions old and older than `keepMs`. Keeping both bounds means a
 * burst of writes never compacts away what a watcher fell behind on a moment ago, and a quiet
 * store still sheds old history. Watchers that were that far behind re-list (see
 * src/store/watch.ts), so compaction costs them time, never correctness.
 */
import { realClock, type Clock } from '../clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import { CompactedError } from '../store/errors.ts';
import type { Kv, Revision } from '../store/kv.ts';

export interface CompactorOptions {
  kv: Kv;
  /** Default 10,000. */
  keepRevisions?: number;
  /** Default 5 minutes. */
  keepMs?: number;
  /** Default 1 minute. */
  intervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export class Compactor {
  private readonly kv: Kv;
  private readonly keepRevisions: bigint;
  private readonly keepMs: number;
  private readonly intervalMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** (time, revision) samples, oldest first; only the newest one older than keepMs matters. */
  private samples: { at: number; revision: bigint }[] = [];
  private compacted = 0n;

  constructor(options: CompactorOptions) {
    this.kv = options.kv;
    this.keepRevisions = BigInt(options.keepRevisions ?? 10_000);
    this.keepMs = options.keepMs ?? 5 * 60_000;
    this.intervalMs = options.intervalMs ?? 60_000;
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'compactor' });
  }

  /** Samples the revision and compacts if history is old enough; resolves to what it compacted to. */
  async compactOnce(): Promise<Revision | undefined> {
    const now = this.clock.now();
    const current = BigInt((await this.kv.status()).revision);
    this.samples.push({ at: now, revision: current });
    const cutoff = now - this.keepMs;
    let oldest: { at: number; revision: bigint } | undefined;
    while (this.samples.length > 0 && this.samples[0]!.at <= cutoff) oldest = this.samples.shift();
    if (oldest === undefined) return undefined;
    // Keep the newest sample older than keepMs: it bounds the next compaction as well.
    this.samples.unshift(oldest);
    const aged = oldest.revision;
    const byCount = current - this.keepRevisions;
    const target = aged < byCount ? aged : byCount;
    if (target <= this.compacted || target <= 1n) return undefined;
    try {
      await this.kv.compact(target.toString());
    } catch (error) {
      // Someone compacted further already: nothing to do.
      if (!(error instanceof CompactedError)) throw error;
    }
    this.compacted = target;
    this.logger.info('compacted the store', {
      revision: target.toString(),
      current: current.toString(),
    });
    return target.toString();
  }

  /** Compacts every interval until `signal` aborts; a failure is logged and tried again later. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.compactOnce();
      } catch (error) {
        this.logger.warn('compacting the store failed', { error });
      }
      await this.clock.sleep(this.intervalMs, signal).catch(() => {});
    }
  }
}
