/**
 * The objects a process decoded from watches, one per key at its latest revision, shared by
 * every informer of that process: four controllers watching Instances parse each change once,
 * not four times, and hold one copy. A write naming a resourceVersion found here needs no read
 * of the stored object first — its compare-and-swap on that revision is the proof that the
 * object is still what the write was decided against.
 *
 * Shared objects are deep-frozen: a consumer that mutates one (and would corrupt what every
 * other consumer sees, and what the next write is based on) fails at once with a TypeError.
 */
import { compareRevisions, type Revision } from './kv.ts';
import type { StoredObject } from './object.ts';

interface Entry {
  revision: Revision;
  object: StoredObject;
}

/** More than every object of a 100,000-instance installation; beyond it the oldest go. */
const DEFAULT_CAPACITY = 1 << 18;

export class SharedObjects {
  // Map order is insertion order: re-inserting on each change keeps the oldest first.
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The object stored under `key` at `revision`, if this process decoded it. */
  get(key: string, revision: Revision): StoredObject | undefined {
    const entry = this.#entries.get(key);
    return entry?.revision === revision ? entry.object : undefined;
  }

  /** Remembers `object` (frozen here) as `key` at `revision`, unless a newer one is known. */
  remember(key: string, revision: Revision, object: StoredObject): StoredObject {
    const known = this.#entries.get(key);
    if (known && compareRevisions(known.revision, revision) >= 0) {
      return known.revision === revision ? known.object : deepFreeze(object);
    }
    this.#entries.delete(key);
    this.#entries.set(key, { revision, object: deepFreeze(object) });
    if (this.#entries.size > this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return object;
  }

  /** The key was deleted at `revision`. */
  forget(key: string, revision: Revision): void {
    const known = this.#entries.get(key);
    if (known && compareRevisions(known.revision, revision) < 0) this.#entries.delete(key);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
