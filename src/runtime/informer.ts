/**
 * An informer keeps a local, indexed cache of all objects of one type, current to the last
 * store revision it has seen, and tells handlers about every change. Controllers read from the
 * cache (never the store) on their hot path, and enqueue keys from the handlers.
 *
 * It lists once, then watches from the list's revision through `watchObjects`, which resumes
 * broken watches and re-lists after compaction, so the cache never silently misses a change.
 * Indexes (e.g. Instances by app, by agent) are kept incrementally: one map update per change.
 * The objects it holds are the store's shared ones (`ObjectStore.decodeShared`): one copy per
 * change for every informer of the process, deep-frozen — copy what you change.
 */
import type { Clock, Timer } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { Revision } from '../store/kv.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { ResourceType, StoredObject } from '../store/object.ts';
import { watchObjects } from '../store/watch.ts';

/** Computes the values an object is filed under in one index (none, one or several). */
export type IndexFunc<T> = (object: T) => string[];

export interface InformerHandlers<T> {
  added?(object: T): void;
  /** `old` is the cached object before the change; on a resync, `old === object`. */
  modified?(old: T, object: T): void;
  deleted?(object: T): void;
}

export interface InformerOptions<T> {
  namespace?: string;
  labelSelector?: string | Record<string, string>;
  indexers?: Record<string, IndexFunc<T>>;
  /** Re-deliver every cached object as `modified(o, o)` this often (level-triggered safety net). */
  resyncMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Passed to watchObjects: a watch silent this long is restarted. */
  quietTimeoutMs?: number;
}

const NO_VALUES: readonly string[] = [];

/** `namespace/name` for namespaced objects, `name` otherwise: the key controllers queue. */
export function objectKey(object: StoredObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

export class Informer<T extends StoredObject> {
  private readonly cache = new Map<string, T>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly indexers: { indexer: IndexFunc<T>; index: Map<string, Set<string>> }[] = [];
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private lastRevision: Revision | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly type: ResourceType<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger).child({ informer: type.plural });
    for (const [name, indexer] of Object.entries(options.indexers ?? {})) {
      const index = new Map<string, Set<string>>();
      this.indexes.set(name, index);
      this.indexers.push({ indexer, index });
    }
  }

  /** Registers handlers; objects already cached are delivered to them as added. */
  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
    if (this.synced) for (const object of this.cache.values()) handlers.added?.(object);
  }

  /** Lists, then watches until `signal` aborts. Rejects only on an error it cannot recover. */
  async run(signal: AbortSignal): Promise<void> {
    const filter = {
      ...(this.options.namespace !== undefined ? { namespace: this.options.namespace } : {}),
      ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
    };
    const listed = await this.store.list(this.type, filter);
    for (const object of listed.items) this.apply('added', object);
    this.lastRevision = listed.revision;
    this.markSynced();
    this.logger.debug('synced', { objects: this.cache.size, revision: listed.revision });

    let resync: Timer | undefined;
    const scheduleResync = () => {
      if (!this.options.resyncMs || signal.aborted) return;
      resync = this.clock.setTimeout(() => {
        for (const object of this.cache.values()) this.notify('modified', object, object);
        scheduleResync();
      }, this.options.resyncMs);
    };
    scheduleResync();
    try {
      const events = watchObjects(this.store, this.type, {
        ...filter,
        fromRevision: listed.revision,
        known: this.cache.values(),
        signal,
        clock: this.clock,
        logger: this.logger,
        ...(this.options.quietTimeoutMs ? { quietTimeoutMs: this.options.quietTimeoutMs } : {}),
      });
      for await (const event of events) {
        this.apply(event.type, event.object);
        this.lastRevision = event.revision;
      }
    } finally {
      resync?.cancel();
    }
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the cache. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The store revision the cache reflects. */
  get revision(): Revision | undefined {
    return this.lastRevision;
  }

  get size(): number {
    return this.cache.size;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /** Objects filed under `value` in the index `name`. */
  byIndex(name: string, value: string): T[] {
    const index = this.index(name);
    const keys = index.get(value);
    if (!keys) return [];
    const objects: T[] = [];
    for (const key of keys) objects.push(this.cache.get(key)!);
    return objects;
  }

  /** How many objects are filed under `value` in the index `name`, without listing them. */
  countByIndex(name: string, value: string): number {
    return this.index(name).get(value)?.size ?? 0;
  }

  private index(name: string): Map<string, Set<string>> {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer for ${this.type.plural} has no index "${name}"`);
    return index;
  }

  /** Index values with at least one object, e.g. every app that has instances. */
  indexValues(name: string): string[] {
    return [...(this.indexes.get(name)?.keys() ?? [])];
  }

  private apply(type: 'added' | 'modified' | 'deleted', object: T): void {
    const key = objectKey(object);
    const old = this.cache.get(key);
    if (type === 'deleted') {
      if (old) this.reindex(key, old, undefined);
      this.cache.delete(key);
      if (this.synced) this.notify('deleted', old ?? object);
      return;
    }
    this.cache.set(key, object);
    this.reindex(key, old, object);
    if (!this.synced) return;
    if (old) this.notify('modified', old, object);
    else this.notify('added', object);
  }

  private notify(type: 'added' | 'modified' | 'deleted', first: T, second?: T): void {
    for (const handlers of this.handlers) {
      try {
        if (type === 'added') handlers.added?.(first);
        else if (type === 'modified') handlers.modified?.(first, second!);
        else handlers.deleted?.(first);
      } catch (error) {
        // A handler's bug must not stop the cache from following the store.
        this.logger.error('informer handler failed', { type, key: objectKey(first), error });
      }
    }
  }

  /** Moves `key` from the index values of `old` to those of `now` (either may be absent). */
  private reindex(key: string, old: T | undefined, now: T | undefined): void {
    for (const { indexer, index } of this.indexers) {
      const before = old ? indexer(old) : NO_VALUES;
      const after = now ? indexer(now) : NO_VALUES;
      // Most changes (a status update) leave an object where it was filed.
      if (before.length === after.length && before.every((v, i) => v === after[i])) continue;
      for (const value of before) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
      for (const value of after) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private markSynced(): void {
    this.synced = true;
    for (const object of this.cache.values()) this.notify('added', object);
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }
}

/**
 * Runs `informers` until `signal` aborts and, once every one has synced, `work` with a signal
 * that aborts with them. An informer that fails for good stops the rest and the work, and its
 * error is what this rejects with; work that fails stops the informers. Either way nothing is
 * left running when this settles. How every controller starts: caches first, then decisions.
 */
export async function runInformed(
  informers: readonly { run(signal: AbortSignal): Promise<void>; waitForSync(): Promise<void> }[],
  signal: AbortSignal,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const abort = () => stop.abort();
  signal.addEventListener('abort', abort, { once: true });
  if (signal.aborted) abort();
  const watching = informers.map((informer) =>
    informer.run(stop.signal).catch((error: unknown) => {
      stop.abort();
      throw error;
    }),
  );
  const watched = Promise.all(watching);
  try {
    await Promise.race([Promise.all(informers.map((i) => i.waitForSync())), watched]);
    if (stop.signal.aborted) return;
    await Promise.all([work(stop.signal), watched]);
  } finally {
    signal.removeEventListener('abort', abort);
    stop.abort();
    await Promise.allSettled(watching);
  }
}
