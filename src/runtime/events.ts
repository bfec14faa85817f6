/**
 * Records Events about objects. Repeats of the same type, reason and message about the same
 * object (by uid) are aggregated into one Event: its count grows and lastTimestamp moves, the
 * way `kubectl describe` shows "x5 over 3m". Each Event's name is derived from what it
 * aggregates, so that every recorder (in any process) finds the same one; counts are kept with
 * compare-and-swap updates. Recording is best-effort: a failure is logged, never thrown, since
 * an Event must not make the work it describes fail. Expiry is the EventSweeper's job
 * (src/controllers/events/sweeper.ts).
 *
 * Callers on a hot path need not await a record: writes to one Event run one after another in
 * the order recorded, repeats recorded while a write is queued join it (one write adds them all
 * to the count), and the recorder remembers the Events it wrote, so a new Event costs one
 * create and a repeat one update, without a read first (a conflict re-reads). `flush` waits
 * for every record made so far, e.g. before a controller stops.
 */
import { createHash } from 'node:crypto';
import { childName } from '../api/child-name.ts';
import type { Event, EventType } from '../api/event.ts';
import { eventResource } from '../api/resources.ts';
import { realClock, type Clock } from '../clock.ts';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../store/errors.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { StoredObject } from '../store/object.ts';
import { silentLogger, type Logger } from '../log.ts';

export interface EventRecorderOptions {
  store: ObjectStore;
  /** Who reports, e.g. `apps-controller`. */
  component: string;
  clock?: Clock;
  logger?: Logger;
}

const MAX_MESSAGE = 1024;
const ATTEMPTS = 5;
/** Events remembered (for an update without a read); the oldest are forgotten first. */
const REMEMBERED = 4096;

/** Repeats of one Event waiting for their write. */
interface Queued {
  object: StoredObject;
  type: EventType;
  reason: string;
  message: string;
  times: number;
  done: Promise<void>;
}

export class EventRecorder {
  private readonly store: ObjectStore;
  private readonly component: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** The last write queued for each Event, in order: a recorder never races itself. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Per Event, the repeats whose write has not started yet: new repeats join them. */
  private readonly queued = new Map<string, Queued>();
  /** Per Event, what this recorder last wrote (insertion order is age). */
  private readonly known = new Map<string, Event>();

  constructor(options: EventRecorderOptions) {
    this.store = options.store;
    this.component = options.component;
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger).child({ events: options.component });
  }

  normal(object: StoredObject, reason: string, message: string): Promise<void> {
    return this.record(object, 'Normal', reason, message);
  }

  warning(object: StoredObject, reason: string, message: string): Promise<void> {
    return this.record(object, 'Warning', reason, message);
  }

  /** Resolves when the Event is written (or the write has failed and been logged). */
  record(object: StoredObject, type: EventType, reason: string, text: string): Promise<void> {
    const message = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
    const namespace = object.metadata.namespace ?? 'default';
    const identity = [
      object.kind,
      object.metadata.uid ?? object.metadata.name,
      type,
      reason,
      message,
    ];
    const hash = createHash('sha256').update(identity.join('\0')).digest('hex').slice(0, 16);
    const name = childName(object.metadata.name, hash);
    const key = `${namespace}/${name}`;
    const waiting = this.queued.get(key);
    if (waiting) {
      waiting.times++;
      return waiting.done;
    }
    const previous = this.pending.get(key) ?? Promise.resolve();
    const entry = { object, type, reason, message, times: 1 } as Queued;
    entry.done = previous
      .then(() => {
        // From here on, repeats queue a write of their own, after this one.
        if (this.queued.get(key) === entry) this.queued.delete(key);
        return this.write(key, { namespace, name }, entry);
      })
      .catch((error: unknown) =>
        this.logger.warn('recording an event failed', { event: key, reason, error }),
      )
      .finally(() => {
        if (this.pending.get(key) === entry.done) this.pending.delete(key);
      });
    this.queued.set(key, entry);
    this.pending.set(key, entry.done);
    return entry.done;
  }

  /**
   * Resolves once every record made so far is written (or has failed and been logged), or
   * after `withinMs`, whichever comes first; says whether everything was written by then.
   * Records still running after that carry on (they never throw).
   */
  async flush(withinMs = 5_000): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), withinMs);
    });
    try {
      while (this.pending.size > 0) {
        const all = Promise.all(this.pending.values()).then(() => true as const);
        if (!(await Promise.race([all, late]))) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  private async write(
    key: string,
    ref: { namespace: string; name: string },
    entry: Queued,
  ): Promise<void> {
    let existing = this.known.get(key);
    for (let attempt = 1; ; attempt++) {
      const now = new Date(this.clock.now()).toISOString();
      try {
        const written = existing
          ? await this.store.update(eventResource, {
              ...existing,
              count: existing.count + entry.times,
              lastTimestamp: now,
            })
          : await this.store.create(eventResource, this.fresh(ref, entry, now));
        this.remember(key, written);
        return;
      } catch (error) {
        const raced =
          error instanceof ConflictError ||
          error instanceof AlreadyExistsError ||
          error instanceof NotFoundError;
        this.known.delete(key);
        if (!raced || attempt >= ATTEMPTS) throw error;
        existing = await this.store.get(eventResource, ref);
      }
    }
  }

  private remember(key: string, event: Event): void {
    this.known.delete(key);
    this.known.set(key, event);
    if (this.known.size > REMEMBERED) this.known.delete(this.known.keys().next().value!);
  }

  private fresh(ref: { namespace: string; name: string }, entry: Queued, now: string): Event {
    const { object, type, reason, message } = entry;
    const { namespace, name, uid } = object.metadata;
    return {
      apiVersion: 'meseta.io/v1',
      kind: 'Event',
      metadata: ref,
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        ...(namespace !== undefined ? { namespace } : {}),
        name,
        ...(uid !== undefined ? { uid } : {}),
      },
      type,
      reason,
      message,
      count: entry.times,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component },
    };
  }
}
