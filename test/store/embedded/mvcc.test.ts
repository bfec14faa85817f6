import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.ts';
import { EtcdServerError, RevisionCompactedError } from '../../../src/store/embedded/errors.ts';
import { MvccEngine } from '../../../src/store/embedded/mvcc.ts';
import type { Change, KeyRevision, RequestOp } from '../../../src/store/embedded/requests.ts';

const v = (s: string) => s;
const put = (key: string, value: string, lease?: string): RequestOp => ({
  put: { key, value: v(value), ...(lease ? { lease } : {}) },
});
const summary = (kv: KeyRevision) => ({
  key: kv.key,
  value: kv.value.toString(),
  create: kv.create,
  mod: kv.mod,
  version: kv.version,
});

let engine: MvccEngine;
afterEach(async () => {
  await engine?.close();
});

describe('MvccEngine revisions', () => {
  it('starts at revision 1 and gives each write one new revision', async () => {
    engine = await MvccEngine.open();
    expect(engine.revision).toBe(1);
    expect((await engine.put({ key: 'a', value: v('1') })).revision).toBe(2);
    expect((await engine.put({ key: 'a', value: v('2') })).revision).toBe(3);
    const { kvs } = await engine.range({ key: 'a' });
    expect(kvs.map(summary)).toEqual([{ key: 'a', value: '2', create: 2, mod: 3, version: 2 }]);
  });

  it('gives every put of one transaction the same revision, ordered by sub-revision', async () => {
    engine = await MvccEngine.open();
    const res = await engine.txn({
      compare: [],
      success: [put('x', '1'), put('y', '2')],
      failure: [],
    });
    expect(res.revision).toBe(2);
    const { kvs } = await engine.range({ key: 'x', rangeEnd: 'z' });
    expect(kvs.map((kv) => [kv.key, kv.mod, kv.sub])).toEqual([
      ['x', 2, 0],
      ['y', 2, 1],
    ]);
  });

  it('resets create revision and version after a delete', async () => {
    engine = await MvccEngine.open();
    await engine.put({ key: 'k', value: v('1') }); // 2
    await engine.put({ key: 'k', value: v('2') }); // 3
    const del = await engine.deleteRange({ key: 'k', prevKv: true }); // 4
    expect(del).toMatchObject({ revision: 4, deleted: 1 });
    expect(del.prevKvs.map(summary)).toEqual([
      { key: 'k', value: '2', create: 2, mod: 3, version: 2 },
    ]);
    await engine.put({ key: 'k', value: v('3') }); // 5
    const { kvs } = await engine.range({ key: 'k' });
    expect(kvs.map(summary)).toEqual([{ key: 'k', value: '3', create: 5, mod: 5, version: 1 }]);
  });

  it('does not bump the revision for a delete of nothing or a read-only transaction', async () => {
    engine = await MvccEngine.open();
    await engine.put({ key: 'a', value: v('1') });
    expect(await engine.deleteRange({ key: 'missing' })).toMatchObject({ deleted: 0, revision: 2 });
    const res = await engine.txn({ compare: [], success: [{ range: { key: 'a' } }], failure: [] });
    expect(res.revision).toBe(2);
    expect(engine.revision).toBe(2);
  });

  it('reads any past revision, and refuses future ones with etcd’s message', async () => {
    engine = await MvccEngine.open();
    await engine.put({ key: 'a', value: v('1') }); // 2
    await engine.put({ key: 'a', value: v('2') }); // 3
    await engine.deleteRange({ key: 'a' }); // 4
    const at = async (revision: number) =>
      (await engine.range({ key: 'a', revision })).kvs.map((kv) => kv.value.toString());
    expect(await at(1)).toEqual([]);
    expect(await at(2)).toEqual(['1']);
    expect(await at(3)).toEqual(['2']);
    expect(await at(4)).toEqual([]);
    expect(() => engine.range({ key: 'a', revision: 5 })).toThrow(
      'etcdserver: mvcc: required revision is a future revision',
    );
  });
});

describe('MvccEngine ranges', () => {
  it('scans [key, rangeEnd) ascending, with limit, count and more', async () => {
    engine = await MvccEngine.open();
    for (const key of ['b', 'a', 'd', 'c', 'e']) await engine.put({ key, value: v(key) });
    const res = await engine.range({ key: 'b', rangeEnd: 'e', limit: 2 });
    expect(res.kvs.map((kv) => kv.key)).toEqual(['b', 'c']);
    expect(res).toMatchObject({ count: 3, more: true });
    const all = await engine.range({ key: 'b', rangeEnd: 'e' });
    expect(all).toMatchObject({ count: 3, more: false });
  });

  it('reads rangeEnd "\\0" as every key from key on, and "\\0"/"\\0" as all keys', async () => {
    engine = await MvccEngine.open();
    for (const key of ['a', 'b', 'c']) await engine.put({ key, value: v(key) });
    expect((await engine.range({ key: 'b', rangeEnd: '\0' })).kvs.map((kv) => kv.key)).toEqual([
      'b',
      'c',
    ]);
    expect((await engine.range({ key: '\0', rangeEnd: '\0' })).count).toBe(3);
  });

  it('keeps 100,000 keys in order and scans a prefix of them', async () => {
    engine = await MvccEngine.open();
    const ops: Promise<unknown>[] = [];
    for (let i = 99_999; i >= 0; i--) {
      ops.push(engine.put({ key: `k/${String(i).padStart(6, '0')}`, value: v('x') }));
    }
    await Promise.all(ops);
    const res = await engine.range({ key: 'k/', rangeEnd: 'k0', countOnly: true });
    expect(res.count).toBe(100_000);
    const page = await engine.range({ key: 'k/050000', rangeEnd: 'k0', limit: 3 });
    expect(page.kvs.map((kv) => kv.key)).toEqual(['k/050000', 'k/050001', 'k/050002']);
    expect(page.count).toBe(50_000);
  });

  it('sorts by another target when asked, and honours keys-only', async () => {
    engine = await MvccEngine.open();
    await engine.put({ key: 'a', value: v('3') });
    await engine.put({ key: 'b', value: v('1') });
    await engine.put({ key: 'a', value: v('2') });
    const res = await engine.range({
      key: 'a',
      rangeEnd: 'c',
      sortOrder: 'DESCEND',
      sortTarget: 'MOD',
      keysOnly: true,
    });
    expect(res.kvs.map((kv) => [kv.key, kv.value.length])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
  });
});

describe('MvccEngine transactions', () => {
  it('creates only when the key is missing (create revision 0), as etcd clients do', async () => {
    engine = await MvccEngine.open();
    const create = () =>
      engine.txn({
        compare: [{ key: 'k', target: 'CREATE', result: 'EQUAL', number: 0 }],
        success: [put('k', 'v')],
        failure: [{ range: { key: 'k' } }],
      });
    expect((await create()).succeeded).toBe(true);
    const second = await create();
    expect(second.succeeded).toBe(false);
    expect(second.responses).toHaveLength(1);
  });

  it('compares mod revision, version, value and lease with a missing key as 0', async () => {
    engine = await MvccEngine.open();
    await engine.put({ key: 'k', value: v('b') }); // 2
    const holds = async (compare: Parameters<MvccEngine['txn']>[0]['compare'][number]) =>
      (await engine.txn({ compare: [compare], success: [], failure: [] })).succeeded;
    expect(await holds({ key: 'k', target: 'MOD', result: 'EQUAL', number: 2 })).toBe(true);
    expect(await holds({ key: 'k', target: 'MOD', result: 'LESS', number: 3 })).toBe(true);
    expect(await holds({ key: 'k', target: 'VERSION', result: 'GREATER', number: 0 })).toBe(true);
    expect(await holds({ key: 'k', target: 'VALUE', result: 'GREATER', value: v('a') })).toBe(true);
    expect(await holds({ key: 'k', target: 'LEASE', result: 'EQUAL', lease: '0' })).toBe(true);
    expect(await holds({ key: 'nope', target: 'VERSION', result: 'EQUAL', number: 0 })).toBe(true);
    expect(await holds({ key: 'nope', target: 'MOD', result: 'EQUAL', number: 0 })).toBe(true);
    // A missing key has no value: every value compare on it fails.
    expect(await holds({ key: 'nope', target: 'VALUE', result: 'NOT_EQUAL', value: v('x') })).toBe(
      false,
    );
  });

  it('lets a read in a transaction see the transaction’s earlier writes', async () => {
    engine = await MvccEngine.open();
    const res = await engine.txn({
      compare: [],
      success: [put('a', '1'), { range: { key: 'a' } }],
      failure: [],
    });
    const read = res.responses[1] as { range: { kvs: KeyRevision[] } };
    expect(read.range.kvs.map(summary)).toEqual([
      { key: 'a', value: '1', create: 2, mod: 2, version: 1 },
    ]);
  });

  it('refuses more than 128 operations and duplicate keys, applying nothing', async () => {
    engine = await MvccEngine.open();
    const many = Array.from({ length: 129 }, (_, i) => put(`k${i}`, 'v'));
    expect(() => engine.txn({ compare: [], success: many, failure: [] })).toThrow(
      'etcdserver: too many operations in txn request',
    );
    expect(() =>
      engine.txn({ compare: [], success: [put('a', '1'), put('a', '2')], failure: [] }),
    ).toThrow('etcdserver: duplicate key given in txn request');
    expect(engine.revision).toBe(1);
    const ok = Array.from({ length: 128 }, (_, i) => put(`k${i}`, 'v'));
    expect((await engine.txn({ compare: [], success: ok, failure: [] })).revision).toBe(2);
  });

  it('refuses a put on a lease that does not exist, with etcd’s NOT_FOUND', async () => {
    engine = await MvccEngine.open();
    let caught: unknown;
    try {
      await engine.put({ key: 'a', value: v('1'), lease: '42' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EtcdServerError);
    expect(caught).toMatchObject({ grpcCode: 5, message: 'etcdserver: requested lease not found' });
    expect(engine.revision).toBe(1);
  });
});

describe('MvccEngine compaction', () => {
  it('keeps the newest version at or before the compact revision and drops what is older', async () => {
    engine = await MvccEngine.open();
    await engine.put({ key: 'a', value: v('1') }); // 2
    await engine.put({ key: 'a', value: v('2') }); // 3
    await engine.put({ key: 'gone', value: v('x') }); // 4
    await engine.deleteRange({ key: 'gone' }); // 5
    await engine.put({ key: 'a', value: v('3') }); // 6
    await engine.compact(5);
    expect((await engine.range({ key: 'a', revision: 5 })).kvs[0]!.value.toString()).toBe('2');
    expect((await engine.range({ key: 'a' })).kvs[0]!.value.toString()).toBe('3');
    expect(() => engine.range({ key: 'a', revision: 4 })).toThrow(RevisionCompactedError);
    expect(() => engine.range({ key: 'a', revision: 4 })).toThrow(
      'etcdserver: mvcc: required revision has been compacted',
    );
    expect(() => engine.compact(5)).toThrow('required revision has been compacted');
    expect(() => engine.compact(7)).toThrow('required revision is a future revision');
  });
});

describe('MvccEngine leases', () => {
  it('expires a lease on the clock and deletes its keys in one revision', async () => {
    const clock = new VirtualClock(1_000_000);
    engine = await MvccEngine.open({ clock });
    const { id, ttl } = await engine.leaseGrant(10);
    expect(ttl).toBe(10);
    await engine.txn({ compare: [], success: [put('a', '1', id), put('b', '2', id)], failure: [] });
    clock.advance(5_000);
    expect(engine.leaseTimeToLive(id, true)).toMatchObject({
      ttl: 5,
      grantedTtl: 10,
      keys: ['a', 'b'],
    });
    expect((await engine.leaseKeepAlive(id)).ttl).toBe(10);
    clock.advance(9_000);
    expect(engine.leaseTimeToLive(id, false).ttl).toBe(1);
    const before = engine.revision;
    clock.advance(1_000);
    expect(engine.revision).toBe(before + 1);
    expect((await engine.range({ key: 'a', rangeEnd: 'c' })).count).toBe(0);
    expect(engine.leaseTimeToLive(id, false).ttl).toBe(-1);
    expect((await engine.leaseKeepAlive(id)).ttl).toBe(0);
  });

  it('raises a TTL below etcd’s minimum to 2 seconds and revokes on request', async () => {
    engine = await MvccEngine.open({ clock: new VirtualClock() });
    const { id, ttl } = await engine.leaseGrant(1);
    expect(ttl).toBe(2);
    expect(engine.leaseList()).toEqual([id]);
    await engine.put({ key: 'k', value: v('1'), lease: id });
    const { revision } = await engine.leaseRevoke(id);
    expect(revision).toBe(3);
    expect((await engine.range({ key: 'k' })).count).toBe(0);
    expect(() => engine.leaseRevoke(id)).toThrow('etcdserver: requested lease not found');
  });
});

describe('MvccEngine watches', () => {
  const collect = () => {
    const batches: { revision: number; changes: Change[] }[] = [];
    return {
      batches,
      sink: {
        events: (revision: number, changes: Change[]) => batches.push({ revision, changes }),
        progress: (revision: number) => batches.push({ revision, changes: [] }),
        closed: () => batches.push({ revision: -1, changes: [] }),
      },
    };
  };
  const spec = { interval: { start: 'a', end: 'z' }, prevKv: true, noPut: false, noDelete: false };

  it('replays history from a past revision, then streams new changes', async () => {
    engine = await MvccEngine.open();
    await engine.put({ key: 'a', value: v('1') }); // 2
    await engine.put({ key: 'b', value: v('1') }); // 3
    await engine.put({ key: 'a', value: v('2') }); // 4
    const { batches, sink } = collect();
    const started = engine.watch({ ...spec, startRevision: 3, progressNotify: false }, sink);
    expect('cancel' in started).toBe(true);
    expect(batches.flatMap((b) => b.changes.map((c) => [c.type, c.kv.key, c.kv.mod]))).toEqual([
      ['put', 'b', 3],
      ['put', 'a', 4],
    ]);
    expect(batches[0]!.changes[1]!.prev?.value.toString()).toBe('1');
    await engine.deleteRange({ key: 'b' }); // 5
    const last = batches[batches.length - 1]!;
    expect(last.revision).toBe(5);
    expect(last.changes.map((c) => [c.type, c.kv.key, c.prev?.mod])).toEqual([['delete', 'b', 3]]);
  });

  it('reports the compact revision instead of starting below it', async () => {
    engine = await MvccEngine.open();
    await engine.put({ key: 'a', value: v('1') });
    await engine.put({ key: 'a', value: v('2') });
    await engine.compact(3);
    const { sink } = collect();
    expect(engine.watch({ ...spec, startRevision: 2, progressNotify: false }, sink)).toEqual({
      compacted: 3,
    });
  });

  it('sends progress marks to a quiet watch that asked for them', async () => {
    const clock = new VirtualClock();
    engine = await MvccEngine.open({ clock, progressNotifyIntervalMs: 1000 });
    await engine.put({ key: 'a', value: v('1') });
    const { batches, sink } = collect();
    engine.watch({ ...spec, startRevision: 0, progressNotify: true }, sink);
    clock.advance(1000);
    expect(batches).toEqual([{ revision: 2, changes: [] }]);
  });

  it('filters out puts or deletes when asked', async () => {
    engine = await MvccEngine.open();
    const { batches, sink } = collect();
    engine.watch({ ...spec, noPut: true, startRevision: 0, progressNotify: false }, sink);
    await engine.put({ key: 'a', value: v('1') });
    await engine.deleteRange({ key: 'a' });
    expect(batches.flatMap((b) => b.changes.map((c) => c.type))).toEqual(['delete']);
  });
});
