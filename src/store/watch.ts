/**
 * Watches the objects of one type as added / modified / deleted events, for informers. It never
 * silently misses state:
 * - when the stream breaks (server restart, network cut, a watch gone quiet), it resumes from
 *   the last revision it delivered, backing off while the store is unreachable;
 * - when that revision has been compacted away, it re-lists, emits the difference between the
 *   list and what it had delivered (synthesised events at the list's revision), and watches on
 *   from the list's revision;
 * - a watch that delivers nothing, not even a progress mark, for `quietTimeoutMs` is presumed
 *   dead and restarted from the last revision.
 * Without `fromRevision` it starts with a list and emits every object as added. The objects it
 * emits are shared with every other watcher of the process and frozen (`decodeShared`).
 */
import { realClock, type Clock, type Timer } from '../clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import { Backoff } from '../runtime/backoff.ts';
import { CompactedError, UnavailableError, WatchBrokenError } from './errors.ts';
import type { KeyValue, Revision, WatchEvent } from './kv.ts';
import { matchesLabels, toLabelSelector, type LabelSelector } from './label-selector.ts';
import type { ObjectStore } from './object-store.ts';
import type { ResourceType, StoredObject } from './object.ts';

export type ObjectEventType = 'added' | 'modified' | 'deleted';

export interface ObjectEvent<T> {
  type: ObjectEventType;
  /** The object after the change; for `deleted`, its last known state. */
  object: T;
  /** The store revision of the change (the list's revision for synthesised events). */
  revision: Revision;
}

export interface WatchObjectsOptions<T> {
  namespace?: string;
  labelSelector?: string | Record<string, string> | LabelSelector;
  /** Deliver the changes after this revision (typically a list's revision). */
  fromRevision?: Revision;
  /** What the caller holds as of `fromRevision`; a re-list is diffed against it. */
  known?: Iterable<T>;
  signal?: AbortSignal;
  clock?: Clock;
  logger?: Logger;
  /** A watch silent (no events, no progress marks) this long is restarted. Default 60000. */
  quietTimeoutMs?: number;
  /** Backoff while the store is unreachable. Defaults 100 ms doubling to 5000 ms. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Told about every re-list, with why it happened. */
  onRelist?(reason: 'initial' | 'compacted'): void;
}

/** The stream of changes to objects of `type`; ends when `signal` aborts. */
export function watchObjects<T extends StoredObject>(
  store: ObjectStore,
  type: ResourceType<T>,
  options: WatchObjectsOptions<T> = {},
): AsyncIterable<ObjectEvent<T>> {
  return { [Symbol.asyncIterator]: () => run(store, type, options)[Symbol.asyncIterator]() };
}

async function* run<T extends StoredObject>(
  store: ObjectStore,
  type: ResourceType<T>,
  options: WatchObjectsOptions<T>,
): AsyncGenerator<ObjectEvent<T>> {
  const clock = options.clock ?? realClock;
  const log = (options.logger ?? silentLogger).child({ watch: type.plural });
  const signal = options.signal ?? new AbortController().signal;
  const quietMs = options.quietTimeoutMs ?? 60_000;
  const retry = new Backoff(options.retry?.initialMs ?? 100, options.retry?.maxMs ?? 5000, 0.25);
  const selector = options.labelSelector
    ? Array.isArray(options.labelSelector)
      ? options.labelSelector
      : toLabelSelector(options.labelSelector)
    : undefined;
  const prefix = store.keys.typePrefix(type, options.namespace);
  const matches = (object: T) => !selector || matchesLabels(selector, object.metadata.labels);

  const known = new Map<string, T>();
  for (const object of options.known ?? []) known.set(store.keyOf(type, object.metadata), object);
  // Whether `known` is all the caller has: then a put of an unknown key is an addition.
  let complete = options.known !== undefined;
  let revision = options.fromRevision;

  const backoff = async (error: unknown) => {
    const delayMs = retry.next();
    log.warn('watch interrupted, retrying', { error, revision, delayMs });
    await clock.sleep(delayMs, signal).catch(() => {});
  };

  async function* relist(reason: 'initial' | 'compacted'): AsyncGenerator<ObjectEvent<T>> {
    for (;;) {
      if (signal.aborted) return;
      try {
        const listed = await store.list(type, {
          shared: true,
          ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
          ...(selector ? { labelSelector: selector } : {}),
        });
        options.onRelist?.(reason);
        const at = listed.revision;
        const present = new Set<string>();
        const changes: ObjectEvent<T>[] = [];
        for (const object of listed.items) {
          const key = store.keyOf(type, object.metadata);
          present.add(key);
          const before = known.get(key);
          if (!before) changes.push({ type: 'added', object, revision: at });
          else if (before.metadata.resourceVersion !== object.metadata.resourceVersion) {
            changes.push({ type: 'modified', object, revision: at });
          }
          known.set(key, object);
        }
        for (const [key, object] of known) {
          if (present.has(key)) continue;
          known.delete(key);
          changes.push({ type: 'deleted', object, revision: at });
        }
        complete = true;
        revision = at;
        yield* changes;
        return;
      } catch (error) {
        if (!(error instanceof UnavailableError)) throw error;
        await backoff(error);
      }
    }
  }

  const translate = (event: WatchEvent): ObjectEvent<T> | undefined => {
    const key = event.kv.key;
    const at = event.kv.modRevision;
    const before = known.get(key);
    if (event.type === 'delete') {
      const last = before ?? (event.prevKv ? decodeIfMatching(event.prevKv) : undefined);
      known.delete(key);
      store.forgetShared(key, at);
      return last ? { type: 'deleted', object: last, revision: at } : undefined;
    }
    const object = store.decodeShared(type, event.kv);
    if (!matches(object)) {
      // An object leaving the selector is, to this watcher, deleted.
      known.delete(key);
      return before ? { type: 'deleted', object, revision: at } : undefined;
    }
    known.set(key, object);
    const added = !before && (complete || event.kv.version === '1');
    return { type: added ? 'added' : 'modified', object, revision: at };
  };
  const decodeIfMatching = (kv: KeyValue) => {
    const object = store.decodeShared(type, kv);
    return matches(object) ? object : undefined;
  };

  if (revision === undefined) yield* relist('initial');
  while (!signal.aborted) {
    const watch = store.kv.watch({
      range: { prefix },
      startRevision: (BigInt(revision!) + 1n).toString(),
      // The previous value only names a deleted object the caller never held: when it holds
      // everything (`complete`), asking for it would double what every event carries.
      prevKv: !complete,
      progressNotify: true,
    });
    let quiet = false;
    let watchdog: Timer | undefined;
    const arm = () => {
      watchdog?.cancel();
      watchdog = clock.setTimeout(() => {
        quiet = true;
        void watch.close();
      }, quietMs);
    };
    const stop = () => void watch.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      arm();
      for await (const batch of watch.batches) {
        // The watchdog measures the store's silence, not the time the consumer takes.
        watchdog?.cancel();
        retry.reset();
        for (const event of batch.events) {
          const out = translate(event);
          if (out) yield out;
        }
        revision = batch.revision;
        arm();
      }
      if (quiet) log.warn('watch went quiet, restarting it', { revision, quietMs });
    } catch (error) {
      if (error instanceof CompactedError) {
        log.info('watch revision compacted, re-listing', { revision });
        yield* relist('compacted');
      } else if (error instanceof WatchBrokenError || error instanceof UnavailableError) {
        await backoff(error);
      } else {
        throw error;
      }
    } finally {
      watchdog?.cancel();
      signal.removeEventListener('abort', stop);
      await watch.close();
    }
  }
}
