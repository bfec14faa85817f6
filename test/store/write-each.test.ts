import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openInProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import { ConflictError, NotFoundError } from '../../src/store/errors.ts';
import type { Kv } from '../../src/store/kv.ts';
import { BatchFailedError, ObjectStore, type BatchOp } from '../../src/store/object-store.ts';
import { writeEach } from '../../src/store/write-each.ts';
import { kvWith } from '../support/kv-with.ts';
import { widget, widgetType, type Widget } from './store-contract.ts';

describe('writeEach', () => {
  let kv: Kv;
  let store: ObjectStore;
  let txns: number;

  beforeEach(async () => {
    kv = await openInProcessKv();
    txns = 0;
    const counted = kvWith(kv, {
      txn: (...args) => {
        txns++;
        return kv.txn(...args);
      },
    });
    store = new ObjectStore({ kv: counted });
  });
  afterEach(() => kv.close());

  async function widgets(count: number): Promise<Widget[]> {
    const made: Widget[] = [];
    for (let i = 0; i < count; i++) made.push(await store.create(widgetType, widget(`w${i}`, i)));
    return made;
  }

  it('sets aside every write of a chunk that lost its race at once, and writes the rest', async () => {
    const [a, b, c, d, e] = await widgets(5);
    // Two writers got there first; one object is gone.
    await store.update(widgetType, { ...b!, spec: { size: 100 } });
    await store.update(widgetType, { ...d!, spec: { size: 100 } });
    await store.delete(widgetType, e!.metadata);
    const ops: BatchOp[] = [a, b, c, d, e].map((w) => ({
      op: 'update',
      type: widgetType,
      object: { ...w!, spec: { size: 7 } },
    }));
    txns = 0;
    const outcomes = await writeEach(store, ops);
    expect(outcomes.map((o) => o.error?.constructor.name ?? 'written')).toEqual([
      'written',
      ConflictError.name,
      'written',
      ConflictError.name,
      NotFoundError.name,
    ]);
    expect((outcomes[0]!.object as Widget).spec).toEqual({ size: 7 });
    // One read (of the three not known at the revisions named) finds all three failures; the
    // remaining two, this store's own last writes, are written without one.
    expect(txns).toBe(2);
    expect((await store.get(widgetType, b!.metadata))!.spec).toEqual({ size: 100 });
  });

  it('hears of every failing operation of a chunk from the batch', async () => {
    const [a, b, c] = await widgets(3);
    await store.update(widgetType, { ...a!, spec: { size: 9 } });
    await store.update(widgetType, { ...c!, spec: { size: 9 } });
    const error = await store
      .batch([a, b, c].map((w) => ({ op: 'update', type: widgetType, object: w! })))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchFailedError);
    const failed = error as BatchFailedError;
    expect(failed.index).toBe(0);
    expect([...failed.failures.keys()]).toEqual([0, 2]);
    expect((await store.get(widgetType, b!.metadata))!.metadata.resourceVersion).toBe(
      b!.metadata.resourceVersion,
    );
  });
});
