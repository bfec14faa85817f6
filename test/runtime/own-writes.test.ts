import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { OwnWrites } from '../../src/runtime/own-writes.ts';
import type { StoredObject } from '../../src/store/object.ts';

const object = (name: string, resourceVersion: string): StoredObject => ({
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: { name, namespace: 'ns', resourceVersion },
});

describe('OwnWrites', () => {
  it('waits until the cache shows every written object at its version or newer', () => {
    const cache = new Map<string, StoredObject>();
    const writes = new OwnWrites(new VirtualClock(), 1000);
    expect(writes.seen('ns/app')).toBe(true);
    // One transaction: both at revision 7. The cache reaching 7 with `a` is not enough.
    writes.note('ns/app', cache, object('a', '7'));
    writes.note('ns/app', cache, object('b', '7'));
    cache.set('ns/a', object('a', '7'));
    expect(writes.seen('ns/app')).toBe(false);
    cache.set('ns/b', object('b', '9'));
    expect(writes.seen('ns/app')).toBe(true);
    expect(writes.seen('other')).toBe(true);
  });

  it('waits for deletions to leave the cache', () => {
    const cache = new Map([['ns/a', object('a', '3')]]);
    const writes = new OwnWrites(new VirtualClock(), 1000);
    writes.note('ns/app', cache, object('a', '8'), true);
    expect(writes.seen('ns/app')).toBe(false);
    cache.delete('ns/a');
    expect(writes.seen('ns/app')).toBe(true);
  });

  it('gives up on a write the cache never shows after its patience', () => {
    const clock = new VirtualClock();
    const writes = new OwnWrites(clock, 1000);
    writes.note('ns/app', new Map(), object('a', '7'));
    expect(writes.seen('ns/app')).toBe(false);
    clock.advance(1000);
    expect(writes.seen('ns/app')).toBe(true);
  });

  it('says when a put-off pass may run: once the caches show its writes, not before', () => {
    const cache = new Map<string, StoredObject>();
    const writes = new OwnWrites(new VirtualClock(), 1000);
    writes.note('ns/app', cache, object('a', '7'));
    writes.note('ns/app', cache, object('b', '7'));
    // No pass was put off yet: nothing to wake.
    cache.set('ns/a', object('a', '7'));
    expect(writes.caughtUp('ns/app')).toBe(false);
    expect(writes.seen('ns/app')).toBe(false);
    expect(writes.caughtUp('ns/app')).toBe(false);
    cache.set('ns/b', object('b', '7'));
    expect(writes.caughtUp('ns/app')).toBe(true);
    // Woken once; the pass it brings finds nothing pending.
    expect(writes.caughtUp('ns/app')).toBe(false);
    expect(writes.seen('ns/app')).toBe(true);
  });
});
