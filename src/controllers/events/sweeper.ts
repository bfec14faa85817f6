/**
 * Expires Events: every `intervalMs`, deletes the Events whose lastTimestamp is older than
 * `ttlMs` (default one hour, as Kubernetes' event TTL). Each delete is conditional on the
 * resourceVersion that was read, so an Event that repeats while being swept survives.
 *
 * A sweeper rather than a TTL lease on each key: the object store writes objects through its
 * admission and compare-and-swap path, which has no lease option, and one lease per Event
 * would cost etcd a lease per Event. A repeat would also have to move the key to a new lease.
 */
import type { Event } from '../../api/event.ts';
import { eventResource } from '../../api/resources.ts';
import { realClock, type Clock } from '../../clock.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { BatchFailedError, type BatchOp, type ObjectStore } from '../../store/object-store.ts';

export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

export interface EventSweeperOptions {
  store: ObjectStore;
  ttlMs?: number;
  /** Default: a tenth of the TTL. */
  intervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export class EventSweeper {
  private readonly store: ObjectStore;
  private readonly ttlMs: number;
  private readonly intervalMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: EventSweeperOptions) {
    this.store = options.store;
    this.ttlMs = options.ttlMs ?? DEFAULT_EVENT_TTL_MS;
    this.intervalMs = options.intervalMs ?? this.ttlMs / 10;
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'event-sweeper' });
  }

  /** Deletes the expired Events once; resolves to how many went. */
  async sweep(): Promise<number> {
    const cutoff = this.clock.now() - this.ttlMs;
    const { items } = await this.store.list(eventResource);
    const ops: BatchOp[] = items.filter(expiredBefore(cutoff)).map((event) => ({
      op: 'delete',
      type: eventResource,
      ref: { namespace: event.metadata.namespace!, name: event.metadata.name },
      resourceVersion: event.metadata.resourceVersion!,
    }));
    try {
      await this.store.batch(ops);
      return ops.length;
    } catch (error) {
      // A repeat (or another sweeper) changed an Event: what was committed stays, the rest
      // waits for the next sweep.
      if (error instanceof BatchFailedError) return error.committed;
      throw error;
    }
  }

  /** Sweeps every interval until `signal` aborts; a failed sweep is logged and retried. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const removed = await this.sweep();
        if (removed > 0) this.logger.debug('expired events removed', { removed });
      } catch (error) {
        this.logger.warn('sweeping events failed', { error });
      }
      await this.clock.sleep(this.intervalMs, signal).catch(() => {});
    }
  }
}

function expiredBefore(cutoff: number): (event: Event) => boolean {
  return (event) => Date.parse(event.lastTimestamp) < cutoff;
}
