/**
 * Read-your-writes for a controller that decides from informer caches: remembers, per key, the
 * objects its last writes touched (and the store revision of each write) and says whether the
 * caches show all of them yet. A reconcile that started before its cache showed its own writes
 * would decide again from older state (e.g. create instances that already exist); waiting costs
 * nothing, since the events of those writes enqueue the key again.
 *
 * It checks objects, not the informer's revision: one transaction writes up to 128 objects at
 * one revision, and the informer reaches that revision with the first of their events.
 * Checks resume where the last one stopped, so each write is verified once: O(writes) in all.
 * A write the caches never show (someone deleted the object we created before our informer saw
 * it) is given up after `patienceMs`, and the controller decides from what it sees.
 *
 * A pass put off by `seen` should run again as soon as the caches catch up, not after a poll:
 * `caughtUp`, asked from the informers' handlers, says when that moment has come, so that
 * even a change the handlers would otherwise ignore (a status the controller wrote itself)
 * brings the key back.
 */
import type { Clock } from '../clock.ts';
import { compareRevisions, type Revision } from '../store/kv.ts';
import type { StoredObject } from '../store/object.ts';

/** What OwnWrites needs of an informer: its cache, by `namespace/name`. */
export interface CacheView {
  get(key: string): StoredObject | undefined;
}

interface Write {
  cache: CacheView;
  objectKey: string;
  /** The revision of the write: the cache must hold this version or a newer one (or none). */
  revision: Revision;
  gone: boolean;
}

export class OwnWrites {
  private readonly pending = new Map<string, { since: number; writes: Write[]; putOff: boolean }>();

  constructor(
    private readonly clock: Clock,
    private readonly patienceMs: number,
  ) {}

  /** Records that a write for `key` left `object` (or removed it) at its resourceVersion. */
  note(key: string, cache: CacheView, object: StoredObject, gone = false): void {
    const revision = object.metadata.resourceVersion;
    if (revision === undefined) return;
    const { namespace, name } = object.metadata;
    let entry = this.pending.get(key);
    if (!entry) {
      this.pending.set(key, (entry = { since: this.clock.now(), writes: [], putOff: false }));
    }
    entry.since = this.clock.now();
    entry.writes.push({
      cache,
      objectKey: namespace ? `${namespace}/${name}` : name,
      revision,
      gone,
    });
  }

  /** Whether the caches show every write noted for `key`; forgets the writes they show. */
  seen(key: string): boolean {
    const entry = this.pending.get(key);
    if (!entry) return true;
    const writes = entry.writes;
    let done = 0;
    while (done < writes.length && shows(writes[done]!)) done++;
    writes.splice(0, done);
    if (writes.length > 0 && this.clock.now() - entry.since < this.patienceMs) {
      entry.putOff = true;
      return false;
    }
    this.pending.delete(key);
    return true;
  }

  /**
   * Whether a pass for `key` was put off (`seen` said no) and the caches now show every write
   * it waited for. Cheap when nothing was put off: one map lookup.
   */
  caughtUp(key: string): boolean {
    const entry = this.pending.get(key);
    if (!entry?.putOff) return false;
    const writes = entry.writes;
    let done = 0;
    while (done < writes.length && shows(writes[done]!)) done++;
    writes.splice(0, done);
    if (writes.length > 0) return false;
    // The pass that runs now will find nothing pending.
    this.pending.delete(key);
    return true;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}

function shows(write: Write): boolean {
  const cached = write.cache.get(write.objectKey);
  if (!cached) return write.gone;
  // A version at or after the write: ours, or one that replaced it.
  return compareRevisions(cached.metadata.resourceVersion ?? '0', write.revision) >= 0;
}
