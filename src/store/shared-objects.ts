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

interface Entry {
  revision: Revision;
  /** Absent until `text` is first asked for. */
  object?: StoredObject;
  /** What this process wrote, until it is parsed. */
  text?: string;
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

  /**
   * The object stored under `key` at `revision`, if this process decoded or wrote it; `parse`
   * turns the text of a write into the object (once).
   */
  get(
    key: string,
    revision: Revision,
    parse: (text: string) => StoredObject,
  ): StoredObject | undefined {
    const entry = this.#entries.get(key);
    if (entry?.revision !== revision) return undefined;
    if (!entry.object) {
      entry.object = deepFreeze(parse(entry.text!));
      delete entry.text;
    }
    return entry.object;
  }

  /** Remembers `object` (frozen here) as `key` at `revision`, unless a newer one is known. */
  remember(key: string, revision: Revision, object: StoredObject): StoredObject {
    const known = this.#entries.get(key);
    if (known && compareRevisions(known.revision, revision) >= 0) {
      if (known.revision !== revision) return deepFreeze(object);
      known.object ??= deepFreeze(object);
      delete known.text;
      return known.object;
    }
    this.#set(key, { revision, object: deepFreeze(object) });
    return object;
  }

  /** Remembers what this process wrote under `key` at `revision`, unless a newer one is known. */
  wrote(key: string, revision: Revision, text: string): void {
    const known = this.#entries.get(key);
    if (known && compareRevisions(known.revision, revision) >= 0) return;
    this.#set(key, { revision, text });
  }

  #set(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
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
