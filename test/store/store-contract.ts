/**
 * The object store's contract, run over any Kv backend: CAS semantics, metadata, finalizers,
 * label selectors, paging, batches. Run it with `describeStoreContract('<backend>', factory)`.
 * Watch and leader election have their own suites (watch-contract.ts, leader-contract.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import {
  AlreadyExistsError,
  ConflictError,
  LeaseLostError,
  NotFoundError,
} from '../../src/store/errors.ts';
import type { Kv } from '../../src/store/kv.ts';
import { InternalRecords } from '../../src/store/internal-records.ts';
import { BatchFailedError, ObjectStore, type BatchOp } from '../../src/store/object-store.ts';
import type { ResourceType, StoredObject } from '../../src/store/object.ts';
import { uniquePrefix, type KvBackendFactory } from '../support/kv-backend.ts';
import { kvWith } from '../support/kv-with.ts';

export type Widget = StoredObject<{ size: number; tags?: string[] }, { seen?: number }>;

export const widgetType: ResourceType<Widget> = {
  group: 'test.meseta.io',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
};

export function widget(name: string, size = 1, labels?: Record<string, string>): Widget {
  return {
    apiVersion: 'test.meseta.io/v1',
    kind: 'Widget',
    metadata: { namespace: 'default', name, ...(labels ? { labels } : {}) },
    spec: { size },
  };
}

export function describeStoreContract(name: string, factory: KvBackendFactory): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let kv: Kv;
    let store: ObjectStore;

    beforeAll(async () => {
      kv = (await factory.open()).kv;
    });
    afterAll(async () => {
      await kv.close();
    });
    beforeEach(() => {
      store = new ObjectStore({ kv, prefix: uniquePrefix(), pageSize: 7 });
    });

    it('creates with store-owned metadata under the registry key', async () => {
      const created = await store.create(widgetType, widget('a', 3, { app: 'web' }));
      expect(created.metadata).toMatchObject({
        namespace: 'default',
        name: 'a',
        generation: 1,
        labels: { app: 'web' },
      });
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(created.metadata.creationTimestamp!)).not.toBeNaN();
      const key = `${store.keys.prefix}/registry/test.meseta.io/widgets/default/a`;
      const raw = (await kv.range({ key })).kvs[0]!;
      expect(created.metadata.resourceVersion).toBe(raw.modRevision);
      expect(JSON.parse(raw.value).metadata.resourceVersion).toBeUndefined();
      expect(await store.get(widgetType, { namespace: 'default', name: 'a' })).toEqual(created);
      expect(await store.get(widgetType, { namespace: 'default', name: 'b' })).toBeUndefined();
    });

    it('refuses to create what exists, and names the object', async () => {
      await store.create(widgetType, widget('a'));
      await expect(store.create(widgetType, widget('a'))).rejects.toThrow(AlreadyExistsError);
      await expect(store.create(widgetType, widget('a'))).rejects.toThrow('Widget default/a');
    });

    it('refuses bad names, a missing namespace and a wrong kind with the field path', async () => {
      const bad = widget('Not_Valid');
      await expect(store.create(widgetType, bad)).rejects.toThrow(ValidationError);
      const noNamespace = widget('x');
      delete noNamespace.metadata.namespace;
      const error = await store.create(widgetType, noNamespace).catch((e: unknown) => e);
      expect((error as ValidationError).where.path).toBe('metadata.namespace');
      const wrongKind = { ...widget('y'), kind: 'Gadget' };
      const kindError = await store.create(widgetType, wrongKind).catch((e: unknown) => e);
      expect((kindError as ValidationError).where.path).toBe('kind');
    });

    it('updates as compare-and-swap on resourceVersion', async () => {
      const v1 = await store.create(widgetType, widget('a', 1));
      const v2 = await store.update(widgetType, { ...v1, spec: { size: 2 } });
      expect(BigInt(v2.metadata.resourceVersion!)).toBeGreaterThan(
        BigInt(v1.metadata.resourceVersion!),
      );
      const stale = store.update(widgetType, { ...v1, spec: { size: 5 } });
      await expect(stale).rejects.toThrow(ConflictError);
      expect((await store.get(widgetType, v1.metadata))!.spec).toEqual({ size: 2 });
      const { resourceVersion: _rv, ...noVersion } = v2.metadata;
      await expect(store.update(widgetType, { ...v2, metadata: noVersion })).rejects.toThrow(
        ValidationError,
      );
      await store.delete(widgetType, v2.metadata);
      await expect(store.update(widgetType, v2)).rejects.toThrow(NotFoundError);
    });

    it('lets exactly one of many concurrent writers win each round', async () => {
      let current = await store.create(widgetType, widget('race', 0));
      for (let round = 0; round < 5; round++) {
        const attempts = await Promise.allSettled(
          Array.from({ length: 8 }, (_, writer) =>
            store.update(widgetType, { ...current, spec: { size: round * 100 + writer + 1 } }),
          ),
        );
        const won = attempts.filter((a) => a.status === 'fulfilled');
        const lost = attempts.filter((a) => a.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.every((a) => a.reason instanceof ConflictError)).toBe(true);
        current = (won[0] as PromiseFulfilledResult<Widget>).value;
        expect(await store.get(widgetType, current.metadata)).toEqual(current);
      }
      expect(current.metadata.generation).toBe(6);
    });

    it('shares watched objects frozen, and writes on a shared revision without a read', async () => {
      const prefix = uniquePrefix();
      let txns = 0;
      const counted = kvWith(kv, {
        txn: (...args) => {
          txns++;
          return kv.txn(...args);
        },
      });
      const mine = new ObjectStore({ kv: counted, prefix });
      const other = new ObjectStore({ kv, prefix });
      await mine.create(widgetType, widget('a', 1));
      const [shared] = (await mine.list(widgetType, { shared: true })).items;
      expect((await mine.list(widgetType, { shared: true })).items[0]).toBe(shared);
      expect(() => {
        (shared!.spec as { size: number }).size = 9;
      }).toThrow(TypeError);
      const own = (await mine.list(widgetType)).items[0]!;
      expect(own).not.toBe(shared);
      own.spec!.size = 3; // a plain read is the caller's own copy

      txns = 0;
      const v2 = await mine.update(widgetType, { ...shared!, spec: { size: 2 } });
      expect(txns).toBe(1);
      expect(v2.spec).toEqual({ size: 2 });
      // Its own last write is known too.
      txns = 0;
      const v3 = await mine.updateStatus(widgetType, { ...v2, status: { seen: 1 } });
      expect(txns).toBe(1);
      // Someone else's write is not: read, then write.
      const theirs = await other.updateStatus(widgetType, { ...v3, status: { seen: 2 } });
      txns = 0;
      await mine.updateStatus(widgetType, { ...theirs, status: { seen: 3 } });
      expect(txns).toBe(2);
      // The shared copy is stale now: the write's compare-and-swap refuses it.
      const v5 = (await other.list(widgetType)).items[0]!;
      await other.update(widgetType, { ...v5, spec: { size: 4 } });
      await expect(mine.update(widgetType, { ...shared!, spec: { size: 5 } })).rejects.toThrow(
        ConflictError,
      );
      await expect(
        mine.batch([{ op: 'update', type: widgetType, object: { ...shared!, spec: { size: 6 } } }]),
      ).rejects.toThrow(BatchFailedError);
      expect((await other.get(widgetType, v3.metadata))!).toMatchObject({
        spec: { size: 4 },
        status: { seen: 3 },
      });
    });

    it('bumps generation on spec changes only; status never bumps it', async () => {
      const v1 = await store.create(widgetType, widget('g', 1));
      const relabelled = await store.update(widgetType, {
        ...v1,
        metadata: { ...v1.metadata, labels: { tier: 'x' } },
        spec: { size: 1 },
      });
      expect(relabelled.metadata.generation).toBe(1);
      expect(relabelled.metadata.labels).toEqual({ tier: 'x' });
      const resized = await store.update(widgetType, { ...relabelled, spec: { size: 9 } });
      expect(resized.metadata.generation).toBe(2);
      const statused = await store.updateStatus(widgetType, { ...resized, status: { seen: 2 } });
      expect(statused.metadata.generation).toBe(2);
      expect(statused.status).toEqual({ seen: 2 });
      // A status write ignores spec and metadata changes; an update ignores status.
      const sneaky = await store.updateStatus(widgetType, {
        ...statused,
        metadata: { ...statused.metadata, labels: { other: 'y' } },
        spec: { size: 100 },
        status: { seen: 3 },
      });
      expect(sneaky.spec).toEqual({ size: 9 });
      expect(sneaky.metadata.labels).toEqual({ tier: 'x' });
      const ignored = await store.update(widgetType, { ...sneaky, status: { seen: 99 } });
      expect(ignored.status).toEqual({ seen: 3 });
      expect(ignored.metadata.generation).toBe(2);
      // The store's own metadata cannot be overwritten by an update.
      const forged = await store.update(widgetType, {
        ...ignored,
        metadata: { ...ignored.metadata, uid: 'forged', generation: 77 },
      });
      expect(forged.metadata.uid).toBe(v1.metadata.uid);
      expect(forged.metadata.generation).toBe(2);
    });

    it('deletes with CAS, and keeps finalized objects until the last finalizer goes', async () => {
      const plain = await store.create(widgetType, widget('plain'));
      await expect(
        store.delete(widgetType, plain.metadata, { resourceVersion: '1' }),
      ).rejects.toThrow(ConflictError);
      expect((await store.delete(widgetType, plain.metadata)).gone).toBe(true);
      await expect(store.delete(widgetType, plain.metadata)).rejects.toThrow(NotFoundError);

      const guarded = await store.create(widgetType, {
        ...widget('guarded'),
        metadata: { ...widget('guarded').metadata, finalizers: ['a', 'b'] },
      });
      const marked = await store.delete(widgetType, guarded.metadata);
      expect(marked.gone).toBe(false);
      expect(marked.object.metadata.deletionTimestamp).toBeDefined();
      const again = await store.delete(widgetType, guarded.metadata);
      expect(again.object.metadata.deletionTimestamp).toBe(
        marked.object.metadata.deletionTimestamp,
      );
      const one = await store.update(widgetType, {
        ...marked.object,
        metadata: { ...marked.object.metadata, finalizers: ['b'], deletionTimestamp: undefined },
      });
      expect(one.metadata.deletionTimestamp).toBe(marked.object.metadata.deletionTimestamp);
      expect(await store.get(widgetType, guarded.metadata)).toBeDefined();
      await store.update(widgetType, { ...one, metadata: { ...one.metadata, finalizers: [] } });
      expect(await store.get(widgetType, guarded.metadata)).toBeUndefined();
    });

    it('deletes without a resourceVersion even when a write slips in between', async () => {
      const target = await store.create(widgetType, widget('busy'));
      let writes = 0;
      const racing: Kv = Object.create(kv) as Kv;
      racing.txn = async (compares, success, failure) => {
        // Just before the delete's own transaction, someone else updates the object.
        if (compares.length > 0 && writes++ === 0) {
          await store.updateStatus(widgetType, { ...target, status: { seen: 1 } });
        }
        return kv.txn(compares, success, failure);
      };
      const deleting = new ObjectStore({ kv: racing, prefix: store.keys.prefix });
      expect((await deleting.delete(widgetType, target.metadata)).gone).toBe(true);
      expect(writes).toBe(2);
      expect(await store.get(widgetType, target.metadata)).toBeUndefined();
    });

    it('lists by namespace and label selector with the list revision', async () => {
      await store.create(widgetType, widget('a', 1, { app: 'web', tier: 'front' }));
      await store.create(widgetType, widget('b', 1, { app: 'web', tier: 'back' }));
      const last = await store.create(widgetType, widget('c', 1, { app: 'db' }));
      await store.create(widgetType, {
        ...widget('d'),
        metadata: { namespace: 'other', name: 'd' },
      });
      const names = async (options: Parameters<ObjectStore['list']>[1]) =>
        (await store.list(widgetType, options)).items.map((w) => w.metadata.name);
      expect(await names({})).toEqual(['a', 'b', 'c', 'd']);
      expect(await names({ namespace: 'default' })).toEqual(['a', 'b', 'c']);
      expect(await names({ labelSelector: 'app=web' })).toEqual(['a', 'b']);
      expect(await names({ labelSelector: 'app=web,tier!=front' })).toEqual(['b']);
      expect(await names({ labelSelector: 'app in (web, db),!tier' })).toEqual(['c']);
      expect(await names({ labelSelector: 'tier' })).toEqual(['a', 'b']);
      expect(await names({ labelSelector: 'app notin (web)' })).toEqual(['c', 'd']);
      expect(await names({ labelSelector: { app: 'db' } })).toEqual(['c']);
      await expect(names({ labelSelector: 'app in (web' })).rejects.toThrow(ValidationError);
      const { revision } = await store.list(widgetType);
      expect(BigInt(revision)).toBeGreaterThan(BigInt(last.metadata.resourceVersion!));
    });

    it('pages large lists at one revision', async () => {
      const ops: BatchOp[] = Array.from({ length: 50 }, (_, i) => ({
        op: 'create',
        type: widgetType,
        object: widget(`w${String(i).padStart(2, '0')}`, i),
      }));
      await store.batch(ops);
      const listed = await store.list(widgetType, { pageSize: 7 });
      expect(listed.items.map((w) => w.spec!.size)).toEqual(ops.map((_, i) => i));
      const [first] = listed.items;
      expect(
        listed.items.every((w) => w.metadata.resourceVersion === first!.metadata.resourceVersion),
      ).toBe(true);
    });

    it('splits a batch larger than 128 operations into atomic transactions', async () => {
      const created = await store.batch(
        Array.from({ length: 300 }, (_, i) => ({
          op: 'create' as const,
          type: widgetType,
          object: widget(`b${i}`, i),
        })),
      );
      expect(created).toHaveLength(300);
      const revisions = new Set(created.map((r) => r.object.metadata.resourceVersion));
      expect(revisions.size).toBe(3);
      expect((await store.list(widgetType)).items).toHaveLength(300);

      const updated = await store.batch(
        created.map(({ object }) => ({
          op: 'updateStatus' as const,
          type: widgetType,
          object: { ...object, status: { seen: 1 } },
        })),
      );
      expect(updated.every((r) => r.object.metadata.generation === 1)).toBe(true);
      expect((await store.list(widgetType)).items.every((w) => w.status?.seen === 1)).toBe(true);
    });

    it('stops a batch at a conflicting chunk, keeping the chunks before it', async () => {
      const objects = (
        await store.batch(
          Array.from({ length: 200 }, (_, i) => ({
            op: 'create' as const,
            type: widgetType,
            object: widget(`c${String(i).padStart(3, '0')}`, 0),
          })),
        )
      ).map((r) => r.object as Widget);
      // Someone else changes object 150 between our read and our batch.
      await store.update(widgetType, { ...objects[150]!, spec: { size: -1 } });
      const error = await store
        .batch(
          objects.map((object) => ({
            op: 'update' as const,
            type: widgetType,
            object: { ...object, spec: { size: 1 } },
          })),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatchFailedError);
      expect((error as BatchFailedError).index).toBe(150);
      expect((error as BatchFailedError).committed).toBe(128);
      expect((error as BatchFailedError).cause).toBeInstanceOf(ConflictError);
      const sizes = (await store.list(widgetType)).items.map((w) => w.spec!.size);
      expect(sizes.slice(0, 128).every((s) => s === 1)).toBe(true);
      expect(sizes.slice(128).every((s) => s !== 1)).toBe(true);
    });

    it('runs the admission hook before every write', async () => {
      const seen: string[] = [];
      const admitted: ResourceType<Widget> = {
        ...widgetType,
        admit(object, { operation }) {
          seen.push(operation);
          if ((object.spec?.size ?? 0) < 0) throw new ValidationError([]);
          return { ...object, spec: { tags: [], ...object.spec!, size: object.spec!.size } };
        },
      };
      const created = await store.create(admitted, widget('h', 1));
      expect(created.spec).toEqual({ tags: [], size: 1 });
      await expect(store.update(admitted, { ...created, spec: { size: -5 } })).rejects.toThrow(
        ValidationError,
      );
      const status = await store.updateStatus(admitted, { ...created, status: { seen: 1 } });
      expect(status.metadata.generation).toBe(1);
      expect(seen).toEqual(['create', 'update', 'updateStatus']);
      // Written before the hook existed: a status write must not sneak the hook's defaults
      // into the spec (nor bump generation).
      const legacy = await store.create(widgetType, widget('legacy', 1));
      const legacyStatus = await store.updateStatus(admitted, { ...legacy, status: { seen: 1 } });
      expect(legacyStatus.spec).toEqual({ size: 1 });
      expect(legacyStatus.metadata.generation).toBe(1);
    });

    it('adds fence compares to every write and reports a broken fence as LeaseLostError', async () => {
      const fenceKey = `${store.keys.prefix}/leases/test`;
      const rev = await kv.put(fenceKey, 'me');
      let violated = 0;
      const fenced = store.withFence({
        compares: [{ key: fenceKey, target: 'create', result: '==', revision: rev }],
        onViolated: () => violated++,
      });
      const created = await fenced.create(widgetType, widget('f'));
      await kv.delete({ key: fenceKey });
      await kv.put(fenceKey, 'someone else');
      await expect(fenced.update(widgetType, { ...created, spec: { size: 2 } })).rejects.toThrow(
        LeaseLostError,
      );
      await expect(
        fenced.batch([{ op: 'create', type: widgetType, object: widget('g') }]),
      ).rejects.toThrow(LeaseLostError);
      expect(violated).toBe(2);
      // The unfenced store is not affected.
      await store.update(widgetType, { ...created, spec: { size: 2 } });
    });

    it('keeps internal records with compare-and-swap', async () => {
      const records = new InternalRecords(kv, { prefix: store.keys.prefix });
      expect(await records.get('mesos/framework-id')).toBeUndefined();
      const first = await records.put('mesos/framework-id', { id: 'f-1' }, '0');
      await expect(records.put('mesos/framework-id', { id: 'f-2' }, '0')).rejects.toThrow(
        AlreadyExistsError,
      );
      expect(await records.get('mesos/framework-id')).toEqual({
        value: { id: 'f-1' },
        revision: first,
      });
      const second = await records.put('mesos/framework-id', { id: 'f-2' }, first);
      await expect(records.put('mesos/framework-id', { id: 'f-3' }, first)).rejects.toThrow(
        ConflictError,
      );
      await expect(records.delete('mesos/framework-id', first)).rejects.toThrow(ConflictError);
      await records.delete('mesos/framework-id', second);
      expect(await records.get('mesos/framework-id')).toBeUndefined();
      const raw = await kv.range({ prefix: `${store.keys.prefix}/internal/` });
      expect(raw.count).toBe(0);
    });

    it('serialises concurrent read-modify-write updates of an internal record', async () => {
      const records = new InternalRecords(kv, { prefix: store.keys.prefix });
      await Promise.all(
        Array.from({ length: 6 }, () =>
          records.update<{ n: number }>('counter', (current) => ({ n: (current?.n ?? 0) + 1 }), 50),
        ),
      );
      expect((await records.get<{ n: number }>('counter'))?.value).toEqual({ n: 6 });
    });

    it('fences internal records like objects', async () => {
      const fenceKey = `${store.keys.prefix}/leases/records`;
      const rev = await kv.put(fenceKey, 'me');
      const records = new InternalRecords(kv, { prefix: store.keys.prefix }).withFence({
        compares: [{ key: fenceKey, target: 'create', result: '==', revision: rev }],
      });
      const written = await records.put('applysets/web', ['a'], '0');
      await kv.delete({ key: fenceKey });
      await expect(records.put('applysets/web', ['a', 'b'], written)).rejects.toThrow(
        LeaseLostError,
      );
    });
  });
}
