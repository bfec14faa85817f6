import { describe, expect, it } from 'vitest';
import { SharedObjects } from '../../src/store/shared-objects.ts';
import type { StoredObject } from '../../src/store/object.ts';

const parse = (text: string) => JSON.parse(text) as StoredObject;

const object = (name: string, size: number): StoredObject =>
  ({ metadata: { name }, spec: { size, tags: ['a'] } }) as StoredObject;

describe('SharedObjects', () => {
  it('keeps one frozen object per key, at its newest revision', () => {
    const shared = new SharedObjects();
    const first = shared.remember('k', '5', object('a', 1));
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen((first.spec as { tags: string[] }).tags)).toBe(true);
    expect(shared.get('k', '5', parse)).toBe(first);
    // A watcher that lags behind gets its own (frozen) copy; the newer one stays.
    const newer = shared.remember('k', '9', object('a', 2));
    const late = shared.remember('k', '7', object('a', 3));
    expect(late).not.toBe(newer);
    expect(Object.isFrozen(late)).toBe(true);
    expect(shared.get('k', '9', parse)).toBe(newer);
    expect(shared.get('k', '5', parse)).toBeUndefined();
    // Revisions compare as numbers, not strings.
    shared.remember('k', '10', object('a', 4));
    expect(shared.get('k', '10', parse)).toBeDefined();
  });

  it('parses what this process wrote only when a write is based on it, once', () => {
    const shared = new SharedObjects();
    let parsed = 0;
    const counting = (text: string) => (parsed++, parse(text));
    shared.wrote('k', '5', JSON.stringify(object('a', 1)));
    expect(parsed).toBe(0);
    const first = shared.get('k', '5', counting)!;
    expect(first.spec).toEqual({ size: 1, tags: ['a'] });
    expect(Object.isFrozen(first)).toBe(true);
    expect(shared.get('k', '5', counting)).toBe(first);
    // The watch delivers the same revision: watchers get the object already parsed.
    expect(shared.remember('k', '5', object('a', 1))).toBe(first);
    expect(parsed).toBe(1);
    // A write never replaces what a newer revision already shows.
    shared.remember('k', '9', object('a', 2));
    shared.wrote('k', '7', JSON.stringify(object('a', 3)));
    expect(shared.get('k', '9', counting)?.spec).toEqual({ size: 2, tags: ['a'] });
  });

  it('keeps a bounded number of written texts, and drops the object a write replaced', () => {
    const shared = new SharedObjects(100, 2);
    shared.remember('a', '1', object('a', 1));
    shared.wrote('a', '2', JSON.stringify(object('a', 2)));
    expect(shared.get('a', '1', parse)).toBeUndefined();
    shared.wrote('b', '3', JSON.stringify(object('b', 1)));
    shared.wrote('c', '4', JSON.stringify(object('c', 1)));
    expect(shared.size).toBe(2);
    expect(shared.get('a', '2', parse)).toBeUndefined();
    expect(shared.get('c', '4', parse)?.metadata.name).toBe('c');
  });

  it('forgets a deleted key, unless it was written again after the delete', () => {
    const shared = new SharedObjects();
    shared.remember('k', '5', object('a', 1));
    shared.forget('k', '6');
    expect(shared.get('k', '5', parse)).toBeUndefined();
    shared.remember('k', '8', object('a', 1));
    shared.forget('k', '6');
    expect(shared.get('k', '8', parse)).toBeDefined();
  });

  it('lets the least recently changed keys go beyond its capacity', () => {
    const shared = new SharedObjects(2);
    shared.remember('a', '1', object('a', 1));
    shared.remember('b', '2', object('b', 1));
    shared.remember('a', '3', object('a', 2));
    shared.remember('c', '4', object('c', 1));
    expect(shared.size).toBe(2);
    expect(shared.get('b', '2', parse)).toBeUndefined();
    expect(shared.get('a', '3', parse)).toBeDefined();
    expect(shared.get('c', '4', parse)).toBeDefined();
  });
});
