/**
 * The objects a process decoded from watches, one per key at its latest revision, shared by
 * every informer of that process: four controllers watching Instances parse each change once,
 * not four times, and hold one copy. A write naming a resourceVersion found here needs no read
 * of the stored object first — its compare-and-swap on that revision is the proof that the
 * object is still what the write was decided against. The process's own writes are remembered
 * too, as the text written, parsed only if a later write is based on them before a watch
 * delivers them (a controller writing twice in a row: launch, then the task's first update).
 *
 * Shared objects are deep-frozen: a consumer that mutates one (and would corrupt what every
 * other consumer sees, and what the next write is based on) fails at once with a TypeError.
 */
import { compareRevisions, type Revision } from './kv.ts';
import type { StoredObject } from './object.ts';

interface Known<V> {
  revision: Revision;
  value: V;
}

/** More than every object of a 100,000-instance installation; beyond it the oldest go. */
const DEFAULT_CAPACITY = 1 << 18;
/**
 * Written texts wait only for the watch that delivers them (or the next write): a few
 * thousand in flight. Bounded apart, so that a process writing what it never watches (Events,
 * say) keeps no copy of everything it wrote.
 */
const DEFAULT_TEXT_CAPACITY = 1 << 14;

export class SharedObjects {
  readonly #objects: Bounded<StoredObject>;
  readonly #texts: Bounded<string>;

  constructor(capacity = DEFAULT_CAPACITY, textCapacity = DEFAULT_TEXT_CAPACITY) {
    this.#objects = new Bounded(capacity);
    this.#texts = new Bounded(textCapacity);
  }

  get size(): number {
    return this.#objects.size + this.#texts.size;
  }

  /**
   * The object stored under `key` at `revision`, if this process decoded or wrote it; `parse`
   * turns the text of a write into the object (once).
   */
  get(
    key: string,
    revision: Revision,
    parse: (text: string) => StoredObject,
  ): StoredObject | undefined {
    const known = this.#objects.get(key);
    if (known?.revision === revision) return known.value;
    const written = this.#texts.get(key);
    if (written?.revision !== revision) return undefined;
    this.#texts.delete(key);
    return this.#objects.set(key, revision, deepFreeze(parse(written.value)));
  }

  /** Remembers `object` (frozen here) as `key` at `revision`, unless a newer one is known. */
  remember(key: string, revision: Revision, object: StoredObject): StoredObject {
    const known = this.#objects.get(key);
    if (known && compareRevisions(known.revision, revision) >= 0) {
      return known.revision === revision ? known.value : deepFreeze(object);
    }
    const written = this.#texts.get(key);
    if (written && compareRevisions(written.revision, revision) <= 0) this.#texts.delete(key);
    return this.#objects.set(key, revision, deepFreeze(object));
  }

  /** Remembers what this process wrote under `key` at `revision`, unless a newer one is known. */
  wrote(key: string, revision: Revision, text: string): void {
    const known = this.#objects.get(key);
    if (known && compareRevisions(known.revision, revision) >= 0) return;
    // The object it replaced is stale now: a write based on it could only fail.
    if (known) this.#objects.delete(key);
    this.#texts.set(key, revision, text);
  }

  /** The key was deleted at `revision`. */
  forget(key: string, revision: Revision): void {
    for (const map of [this.#objects, this.#texts] as Bounded<unknown>[]) {
      const known = map.get(key);
      if (known && compareRevisions(known.revision, revision) < 0) map.delete(key);
    }
  }
}

/** A map of the latest revision per key that lets the least recently changed keys go. */
class Bounded<V> {
  // Map order is insertion order: re-inserting on each change keeps the oldest first.
  readonly #entries = new Map<string, Known<V>>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Known<V> | undefined {
    return this.#entries.get(key);
  }

  set(key: string, revision: Revision, value: V): V {
    this.#entries.delete(key);
    this.#entries.set(key, { revision, value });
    if (this.#entries.size > this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
