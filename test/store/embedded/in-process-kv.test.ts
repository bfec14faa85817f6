import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.ts';
import { openInProcessKv } from '../../../src/store/embedded/in-process-kv.ts';
import { startEmbeddedEtcd } from '../../../src/store/embedded/server.ts';
import {
  CompactedError,
  NotFoundError,
  UnavailableError,
  WatchBrokenError,
} from '../../../src/store/errors.ts';
import type { Kv, WatchBatch } from '../../../src/store/kv.ts';

const opened: Kv[] = [];
const dirs: string[] = [];
const kvWith = async (options: Parameters<typeof openInProcessKv>[0] = {}) => {
  const kv = await openInProcessKv(options);
  opened.push(kv);
  return kv;
};
afterEach(async () => {
  for (const kv of opened.splice(0)) await kv.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function take(batches: AsyncIterable<WatchBatch>, count: number): Promise<WatchBatch[]> {
  const out: WatchBatch[] = [];
  for await (const batch of batches) {
    out.push(batch);
    if (out.length === count) break;
  }
  return out;
}

describe('in-process Kv', () => {
  it('creates with a compare-and-swap on create revision 0, and updates on mod revision', async () => {
    const kv = await kvWith();
    const key = '/meseta/registry/meseta.io/apps/default/web';
    const create = await kv.txn(
      [{ key, target: 'create', result: '==', revision: '0' }],
      [{ type: 'put', key, value: '{"v":1}' }],
      [{ type: 'range', range: { key } }],
    );
    expect(create).toMatchObject({ succeeded: true, revision: '2' });
    const stale = await kv.txn(
      [{ key, target: 'mod', result: '==', revision: '1' }],
      [{ type: 'put', key, value: '{"v":2}' }],
      [{ type: 'range', range: { key } }],
    );
    expect(stale.succeeded).toBe(false);
    expect(stale.results[0]).toMatchObject({
      type: 'range',
      count: 1,
      kvs: [{ key, value: '{"v":1}', modRevision: '2', createRevision: '2', version: '1' }],
    });
  });

  it('lists a prefix in key order with limit and reads an older revision', async () => {
    const kv = await kvWith();
    await kv.put('p/b', '1');
    await kv.put('p/a', '1');
    await kv.put('p/a', '2');
    await kv.put('q', 'x');
    const page = await kv.range({ prefix: 'p/' }, { limit: 1 });
    expect(page).toMatchObject({ more: true, count: 2, revision: '5' });
    expect(page.kvs.map((k) => k.key)).toEqual(['p/a']);
    const old = await kv.range({ key: 'p/a' }, { revision: '3' });
    expect(old.kvs[0]?.value).toBe('1');
    expect((await kv.range({ prefix: '' })).count).toBe(3);
  });

  it('keeps non-ASCII keys and values intact, in UTF-8 byte order', async () => {
    const kv = await kvWith();
    await kv.put('k/é', 'ünïcødé');
    await kv.put('k/z', 'z');
    const { kvs } = await kv.range({ prefix: 'k/' });
    expect(kvs.map((k) => [k.key, k.value])).toEqual([
      ['k/z', 'z'],
      ['k/é', 'ünïcødé'],
    ]);
  });

  it('throws CompactedError for reads and watches below the compact revision', async () => {
    const kv = await kvWith();
    await kv.put('a', '1');
    await kv.put('a', '2');
    await kv.compact('3');
    await expect(kv.range({ key: 'a' }, { revision: '2' })).rejects.toBeInstanceOf(CompactedError);
    const watch = kv.watch({ range: { key: 'a' }, startRevision: '2' });
    const error = await take(watch.batches, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompactedError);
    expect((error as CompactedError).compactRevision).toBe('3');
  });

  it('replays a watch one revision per batch with previous values, then streams', async () => {
    const kv = await kvWith();
    await kv.put('w/a', '1'); // 2
    await kv.put('w/a', '2'); // 3
    const watch = kv.watch({ range: { prefix: 'w/' }, startRevision: '2', prevKv: true });
    const replayed = await take(watch.batches, 2);
    expect(replayed.map((b) => b.revision)).toEqual(['2', '3']);
    expect(replayed[1]!.events[0]).toMatchObject({
      type: 'put',
      kv: { value: '2' },
      prevKv: { value: '1' },
    });
    const next = take(watch.batches, 1);
    await kv.delete({ key: 'w/a' });
    expect((await next)[0]).toMatchObject({
      revision: '4',
      events: [{ type: 'delete', kv: { key: 'w/a', modRevision: '4' }, prevKv: { value: '2' } }],
    });
    await watch.close();
    expect(await take(watch.batches, 1)).toEqual([]);
  });

  it('ends a watch with WatchBrokenError when the store it watches closes', async () => {
    const server = await startEmbeddedEtcd();
    const kv = server.inProcessKv();
    const watch = kv.watch({ range: { prefix: 'x/' } });
    const ended = take(watch.batches, 1).catch((e: unknown) => e);
    await server.close();
    expect(await ended).toBeInstanceOf(WatchBrokenError);
  });

  it('runs leases on the injected clock: keep-alive, time to live, expiry', async () => {
    const clock = new VirtualClock(0);
    const kv = await kvWith({ clock });
    const { id, ttl } = await kv.grantLease(10);
    expect(ttl).toBe(10);
    await kv.put('leader', 'me', { lease: id });
    clock.advance(4_000);
    expect(await kv.leaseTimeToLive(id)).toBe(6);
    expect(await kv.keepAliveOnce(id)).toBe(10);
    clock.advance(10_000);
    expect(await kv.leaseTimeToLive(id)).toBe(-1);
    expect(await kv.keepAliveOnce(id)).toBe(0);
    expect((await kv.range({ key: 'leader' })).count).toBe(0);
    // Gone is gone: revoking it again is a no-op, attaching a key to it is NotFound (as on etcd).
    await expect(kv.revokeLease(id)).resolves.toBeUndefined();
    await expect(kv.put('late', 'x', { lease: id })).rejects.toThrow(NotFoundError);
  });

  it('fails every call after close, as a client whose connection is gone', async () => {
    const kv = await kvWith({});
    await kv.put('a', '1');
    await kv.close();
    await expect(kv.put('a', '2')).rejects.toThrow(UnavailableError);
    await expect(kv.keepAliveOnce('1')).rejects.toThrow('this client is closed');
  });

  it('persists to a data directory and reopens with the same content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meseta-kv-'));
    dirs.push(dir);
    const first = await openInProcessKv({ dataDir: dir });
    await Promise.all(Array.from({ length: 100 }, (_, i) => first.put(`k${i}`, String(i))));
    await first.close();
    const second = await kvWith({ dataDir: dir });
    const status = await second.status();
    expect(status).toMatchObject({ revision: '101', version: '3.4.0-meseta' });
    expect(status.dbSize).toBeGreaterThan(0);
    expect((await second.range({ prefix: 'k' })).count).toBe(100);
  });
});
