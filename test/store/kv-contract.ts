/**
 * The Kv contract: what every Kv implementation (etcd through etcd3, the embedded server
 * through etcd3, the embedded engine in process) must do the same way. Run it with
 * `describeKvContract('<backend>', factory)` from a `*.test.ts` file.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MesetaError } from '../../src/errors.ts';
import { CompactedError, UnavailableError, WatchBrokenError } from '../../src/store/errors.ts';
import type { Kv, KvWatch, WatchBatch } from '../../src/store/kv.ts';
import { MAX_TXN_OPS } from '../../src/store/kv.ts';
import { until } from '../support/until.ts';
import { uniquePrefix, type KvBackend, type KvBackendFactory } from '../support/kv-backend.ts';

/** Collects a watch's batches in the background; `until` waits for a condition on them. */
export class WatchRecorder {
  readonly batches: WatchBatch[] = [];
  error: unknown;
  ended = false;
  private readonly loop: Promise<void>;

  constructor(readonly watch: KvWatch) {
    this.loop = (async () => {
      try {
        for await (const batch of watch.batches) this.batches.push(batch);
        this.ended = true;
      } catch (error) {
        this.error = error;
      }
    })();
  }

  get events() {
    return this.batches.flatMap((batch) => batch.events);
  }

  async until(
    condition: (recorder: this) => boolean,
    what: string,
    within = 10_000,
  ): Promise<void> {
    await until(() => condition(this), { within, what });
  }

  async close(): Promise<void> {
    await this.watch.close();
    await this.loop;
  }
}

export function describeKvContract(name: string, factory: KvBackendFactory): void {
  describe(`Kv contract: ${name}`, () => {
    let backend: KvBackend;
    let kv: Kv;
    let p: string;
    const recorders: WatchRecorder[] = [];
    const record = (watch: KvWatch) => {
      const recorder = new WatchRecorder(watch);
      recorders.push(recorder);
      return recorder;
    };

    beforeAll(async () => {
      backend = await factory.open();
      kv = backend.kv;
    });
    afterAll(async () => {
      await kv.close();
    });
    beforeEach(() => {
      p = uniquePrefix();
    });
    afterEach(async () => {
      await Promise.all(recorders.splice(0).map((r) => r.close()));
    });

    it('puts and reads keys with etcd revision semantics', async () => {
      const first = await kv.put(`${p}/a`, 'one');
      const second = await kv.put(`${p}/a`, 'two');
      expect(BigInt(second)).toBeGreaterThan(BigInt(first));
      const got = await kv.range({ key: `${p}/a` });
      expect(got.kvs).toHaveLength(1);
      expect(got.kvs[0]).toMatchObject({
        key: `${p}/a`,
        value: 'two',
        createRevision: first,
        modRevision: second,
        version: '2',
        lease: '0',
      });
      expect(BigInt(got.revision)).toBeGreaterThanOrEqual(BigInt(second));
      expect((await kv.range({ key: `${p}/missing` })).kvs).toEqual([]);
    });

    it('ranges by prefix in key order, with limit, more and count', async () => {
      for (const key of ['c', 'a', 'b', 'd']) await kv.put(`${p}/r/${key}`, key);
      await kv.put(`${p}/rx`, 'outside the prefix');
      const all = await kv.range({ prefix: `${p}/r/` });
      expect(all.kvs.map((kv) => kv.value)).toEqual(['a', 'b', 'c', 'd']);
      expect(all.count).toBe(4);
      const page = await kv.range({ prefix: `${p}/r/` }, { limit: 2 });
      expect(page.kvs.map((kv) => kv.value)).toEqual(['a', 'b']);
      expect(page.more).toBe(true);
      expect(page.count).toBe(4);
      const rest = await kv.range({ key: `${p}/r/b\0`, rangeEnd: `${p}/r0` });
      expect(rest.kvs.map((kv) => kv.value)).toEqual(['c', 'd']);
      const counted = await kv.range({ prefix: `${p}/r/` }, { countOnly: true });
      expect(counted.count).toBe(4);
      expect(counted.kvs).toEqual([]);
      const keys = await kv.range({ prefix: `${p}/r/` }, { keysOnly: true });
      expect(keys.kvs.map((kv) => [kv.key, kv.value])).toEqual(
        ['a', 'b', 'c', 'd'].map((k) => [`${p}/r/${k}`, '']),
      );
    });

    it('reads as of an old revision, and refuses a compacted one', async () => {
      const old = await kv.put(`${p}/k`, 'old');
      const next = await kv.put(`${p}/k`, 'new');
      const then = await kv.range({ key: `${p}/k` }, { revision: old });
      expect(then.kvs[0]?.value).toBe('old');
      await kv.compact(next);
      await expect(kv.range({ key: `${p}/k` }, { revision: old })).rejects.toBeInstanceOf(
        CompactedError,
      );
      expect((await kv.range({ key: `${p}/k` }, { revision: next })).kvs[0]?.value).toBe('new');
    });

    it('deletes a key or a range and says how many went', async () => {
      await kv.put(`${p}/d/1`, 'x');
      await kv.put(`${p}/d/2`, 'x');
      await kv.put(`${p}/e`, 'x');
      expect((await kv.delete({ prefix: `${p}/d/` })).deleted).toBe(2);
      expect((await kv.delete({ key: `${p}/e` })).deleted).toBe(1);
      expect((await kv.delete({ key: `${p}/e` })).deleted).toBe(0);
      expect((await kv.range({ prefix: `${p}/` })).count).toBe(0);
    });

    it('creates only when absent: compare create revision == 0', async () => {
      const create = (value: string) =>
        kv.txn(
          [{ key: `${p}/c`, target: 'create', result: '==', revision: '0' }],
          [{ type: 'put', key: `${p}/c`, value }],
          [{ type: 'range', range: { key: `${p}/c` } }],
        );
      const won = await create('first');
      expect(won.succeeded).toBe(true);
      expect(won.results[0]).toEqual({ type: 'put', revision: won.revision });
      const lost = await create('second');
      expect(lost.succeeded).toBe(false);
      const current = lost.results[0];
      expect(current?.type === 'range' && current.kvs[0]?.value).toBe('first');
    });

    it('swaps only on the expected mod revision, and reports deletes in a txn', async () => {
      const rev = await kv.put(`${p}/s`, 'v1');
      const swap = (expected: string, value: string) =>
        kv.txn(
          [{ key: `${p}/s`, target: 'mod', result: '==', revision: expected }],
          [{ type: 'put', key: `${p}/s`, value }],
        );
      expect((await swap(rev, 'v2')).succeeded).toBe(true);
      const stale = await swap(rev, 'v3');
      expect(stale.succeeded).toBe(false);
      expect(stale.results).toEqual([]);
      expect((await kv.range({ key: `${p}/s` })).kvs[0]?.value).toBe('v2');

      const deleted = await kv.txn(
        [{ key: `${p}/s`, target: 'value', result: '==', value: 'v2' }],
        [{ type: 'delete', range: { key: `${p}/s` } }],
      );
      expect(deleted.succeeded).toBe(true);
      const result = deleted.results[0];
      expect(result?.type).toBe('delete');
      if (result?.type === 'delete') {
        expect(result.deleted).toBe(1);
        expect(result.prevKvs.map((kv) => kv.value)).toEqual(['v2']);
      }
    });

    it('evaluates version, greater/less and lease compares like etcd', async () => {
      const rev = await kv.put(`${p}/v`, 'x');
      const holds = async (compare: Parameters<Kv['txn']>[0][number]) =>
        (await kv.txn([compare], [])).succeeded;
      expect(await holds({ key: `${p}/v`, target: 'version', result: '==', version: '1' })).toBe(
        true,
      );
      expect(await holds({ key: `${p}/v`, target: 'mod', result: '<', revision: rev })).toBe(false);
      expect(
        await holds({
          key: `${p}/v`,
          target: 'mod',
          result: '>',
          revision: String(BigInt(rev) - 1n),
        }),
      ).toBe(true);
      expect(await holds({ key: `${p}/v`, target: 'lease', result: '==', lease: '0' })).toBe(true);
      expect(await holds({ key: `${p}/nope`, target: 'version', result: '==', version: '0' })).toBe(
        true,
      );
    });

    it(`applies ${MAX_TXN_OPS} operations atomically and refuses more`, async () => {
      const ops = (n: number) =>
        Array.from({ length: n }, (_, i) => ({
          type: 'put' as const,
          key: `${p}/many/${String(i).padStart(3, '0')}`,
          value: String(i),
        }));
      const done = await kv.txn([], ops(MAX_TXN_OPS));
      expect(done.succeeded).toBe(true);
      const all = await kv.range({ prefix: `${p}/many/` });
      expect(all.count).toBe(MAX_TXN_OPS);
      expect(new Set(all.kvs.map((kv) => kv.modRevision))).toEqual(new Set([done.revision]));
      await expect(kv.txn([], ops(MAX_TXN_OPS + 1))).rejects.toBeInstanceOf(MesetaError);
    });

    it('watches from a revision: puts and deletes in order, with their revisions', async () => {
      const start = await kv.put(`${p}/w/a`, '1');
      const second = await kv.put(`${p}/w/b`, '2');
      const watcher = record(kv.watch({ range: { prefix: `${p}/w/` }, startRevision: start }));
      const deleted = (await kv.delete({ key: `${p}/w/a` })).revision;
      await kv.put(`${p}/outside`, 'not watched');
      await watcher.until((r) => r.events.length >= 3, 'three watch events');
      expect(watcher.events.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([
        ['put', `${p}/w/a`, start],
        ['put', `${p}/w/b`, second],
        ['delete', `${p}/w/a`, deleted],
      ]);
      expect(watcher.batches.map((b) => b.revision)).toEqual([start, second, deleted]);
    });

    it('gives the previous value when asked, and one batch for one transaction', async () => {
      await kv.put(`${p}/pv/a`, 'before');
      const watcher = record(kv.watch({ range: { prefix: `${p}/pv/` }, prevKv: true }));
      // A watch without a start revision begins at "now": wait until it is established.
      await waitForWatch(kv, watcher, `${p}/pv/probe`);
      const txn = await kv.txn(
        [],
        [
          { type: 'put', key: `${p}/pv/a`, value: 'after' },
          { type: 'put', key: `${p}/pv/b`, value: 'new' },
        ],
      );
      await watcher.until((r) => r.batches.at(-1)?.revision === txn.revision, 'the txn batch');
      const batch = watcher.batches.at(-1)!;
      expect(batch.events.map((e) => [e.kv.key, e.kv.value, e.prevKv?.value])).toEqual([
        [`${p}/pv/a`, 'after', 'before'],
        [`${p}/pv/b`, 'new', undefined],
      ]);
    });

    it('fails a watch from a compacted revision with CompactedError', async () => {
      const old = await kv.put(`${p}/cw`, '1');
      const now = await kv.put(`${p}/cw`, '2');
      await kv.compact(now);
      const watcher = record(kv.watch({ range: { prefix: `${p}/` }, startRevision: old }));
      await watcher.until((r) => r.error !== undefined, 'the watch to fail');
      expect(watcher.error).toBeInstanceOf(CompactedError);
      expect(BigInt((watcher.error as CompactedError).compactRevision)).toBe(BigInt(now));
    });

    it('sends progress marks on a quiet watch when asked', async () => {
      const { revision } = await kv.status();
      const watcher = record(kv.watch({ range: { prefix: `${p}/quiet/` }, progressNotify: true }));
      await watcher.until((r) => r.batches.length > 0, 'a progress mark', 25_000);
      expect(watcher.batches[0]!.events).toEqual([]);
      expect(BigInt(watcher.batches[0]!.revision)).toBeGreaterThanOrEqual(BigInt(revision));
    });

    it('ends a watch normally on close', async () => {
      const watcher = record(kv.watch({ range: { prefix: `${p}/` } }));
      await watcher.close();
      expect(watcher.ended).toBe(true);
      expect(watcher.error).toBeUndefined();
    });

    it('keeps keys on a lease alive, and deletes them when it is revoked', async () => {
      const lease = await kv.grantLease(30);
      expect(lease.ttl).toBeGreaterThanOrEqual(29);
      await kv.put(`${p}/leased`, 'x', { lease: lease.id });
      expect((await kv.range({ key: `${p}/leased` })).kvs[0]?.lease).toBe(lease.id);
      expect(await kv.keepAliveOnce(lease.id)).toBeGreaterThanOrEqual(29);
      expect(await kv.leaseTimeToLive(lease.id)).toBeGreaterThan(0);
      await kv.revokeLease(lease.id);
      expect((await kv.range({ key: `${p}/leased` })).kvs).toEqual([]);
      expect(await kv.keepAliveOnce(lease.id)).toBe(0);
      expect(await kv.leaseTimeToLive(lease.id)).toBe(-1);
      await kv.revokeLease(lease.id);
      await expect(kv.put(`${p}/leased`, 'y', { lease: lease.id })).rejects.toBeInstanceOf(
        MesetaError,
      );
    });

    it('expires a lease that is not kept alive, deleting its keys', async () => {
      const lease = await kv.grantLease(2);
      await kv.put(`${p}/expiring`, 'x', { lease: lease.id });
      await until(async () => (await kv.range({ key: `${p}/expiring` })).count === 0, {
        within: 10_000,
        what: 'the leased key to expire',
        every: 100,
      });
      expect(await kv.leaseTimeToLive(lease.id)).toBe(-1);
    });

    it('reports its revision', async () => {
      const rev = await kv.put(`${p}/status`, 'x');
      expect(BigInt((await kv.status()).revision)).toBeGreaterThanOrEqual(BigInt(rev));
    });

    if (factory.restartable) {
      it('survives a server restart: data kept, watch broken, client reconnects', async () => {
        const rev = await kv.put(`${p}/durable`, 'kept');
        const watcher = record(kv.watch({ range: { prefix: `${p}/` }, startRevision: rev }));
        await watcher.until((r) => r.events.length === 1, 'the first event');
        await backend.restart!();
        await watcher.until((r) => r.error !== undefined, 'the watch to break', 30_000);
        expect(watcher.error).toBeInstanceOf(WatchBrokenError);
        await until(
          async () => {
            try {
              return (await kv.range({ key: `${p}/durable` })).kvs[0]?.value === 'kept';
            } catch {
              return false;
            }
          },
          { within: 15_000, what: 'the client to reconnect', every: 100 },
        );
        const resumed = record(kv.watch({ range: { prefix: `${p}/` }, startRevision: rev }));
        const later = await kv.put(`${p}/after`, 'x');
        await resumed.until((r) => r.events.length === 2, 'both events after resuming');
        expect(resumed.events.map((e) => e.kv.modRevision)).toEqual([rev, later]);
      });

      it('names the endpoint when the server is gone', async () => {
        await backend.stop!();
        try {
          const error = await kv.range({ key: `${p}/x` }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(UnavailableError);
          expect((error as UnavailableError).endpoint).not.toBe('');
          expect((error as Error).message).toContain((error as UnavailableError).endpoint);
        } finally {
          await backend.start!();
        }
      });
    }
  });
}

/** Writes `probe` until the watch reports it: proof that the watch is established. */
export async function waitForWatch(kv: Kv, watcher: WatchRecorder, probe: string): Promise<void> {
  await until(
    async () => {
      if (watcher.events.some((e) => e.kv.key === probe)) return true;
      await kv.put(probe, 'probe');
      return false;
    },
    { within: 10_000, what: 'the watch to be established', every: 50 },
  );
}
