/**
 * Records Events about objects. Repeats of the same type, reason and message about the same
 * object (by uid) are aggregated into one Event: its count grows and lastTimestamp moves, the
 * way `kubectl describe` shows "x5 over 3m". Each Event's name is derived from what it
 * aggregates, so that every recorder (in any process) finds the same one; counts are kept with
 * compare-and-swap updates. Recording is best-effort: a failure is logged, never thrown, since
 * an Event must not make the work it describes fail. Expiry is the EventSweeper's job
 * (src/controllers/events/sweeper.ts).
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

export class EventRecorder {
  private readonly store: ObjectStore;
  private readonly component: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** Writes to one Event, in order: a recorder never races itself. */
  private readonly pending = new Map<string, Promise<void>>();

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
    const previous = this.pending.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.write({ namespace, name }, object, type, reason, message))
      .catch((error: unknown) =>
        this.logger.warn('recording an event failed', { event: key, reason, error }),
      )
      .finally(() => {
        if (this.pending.get(key) === next) this.pending.delete(key);
      });
    this.pending.set(key, next);
    return next;
  }

  private async write(
    ref: { namespace: string; name: string },
    object: StoredObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const now = new Date(this.clock.now()).toISOString();
      try {
        const existing = await this.store.get(eventResource, ref);
        if (existing) {
          await this.store.update(eventResource, {
            ...existing,
            count: existing.count + 1,
            lastTimestamp: now,
          });
        } else {
          await this.store.create(
            eventResource,
            this.fresh(ref, object, type, reason, message, now),
          );
        }
        return;
      } catch (error) {
        const raced =
          error instanceof ConflictError ||
          error instanceof AlreadyExistsError ||
          error instanceof NotFoundError;
        if (!raced || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private fresh(
    ref: { namespace: string; name: string },
    object: StoredObject,
    type: EventType,
    reason: string,
    message: string,
    now: string,
  ): Event {
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
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component },
    };
  }
}
