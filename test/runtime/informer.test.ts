import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Informer, objectKey } from '../../src/runtime/informer.ts';
import { openInProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import type { Kv } from '../../src/store/kv.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { widget, widgetType, type Widget } from '../store/store-contract.ts';
import { until } from '../support/until.ts';

let kv: Kv;
let store: ObjectStore;
let stop: AbortController;

beforeEach(async () => {
  kv = await openInProcessKv();
  store = new ObjectStore({ kv });
  stop = new AbortController();
});

afterEach(async () => {
  stop.abort();
  await kv.close();
});

const bySize = { size: (w: Widget) => [String(w.spec?.size)] };

function start(informer: Informer<Widget>) {
  const running = informer.run(stop.signal);
  running.catch(() => {});
  return running;
}

describe('Informer', () => {
  it('lists what exists, then follows every change with indexes kept current', async () => {
    await store.create(widgetType, widget('a', 1));
    await store.create(widgetType, widget('b', 2));
    const informer = new Informer(store, widgetType, { indexers: bySize });
    const seen: string[] = [];
    informer.addHandlers({
      added: (w) => seen.push(`added ${w.metadata.name}`),
      modified: (old, w) =>
        seen.push(`modified ${w.metadata.name} ${old.spec?.size}→${w.spec?.size}`),
      deleted: (w) => seen.push(`deleted ${w.metadata.name}`),
    });
    start(informer);
    await informer.waitForSync();
    expect(seen.sort()).toEqual(['added a', 'added b']);
    expect(informer.byIndex('size', '1').map(objectKey)).toEqual(['default/a']);

    const a = informer.get('default/a')!;
    await store.update(widgetType, { ...a, spec: { size: 2 } });
    await store.create(widgetType, widget('c', 3));
    await store.delete(widgetType, { namespace: 'default', name: 'b' });
    await until(() => informer.size === 2 && informer.get('default/c'), { what: 'the cache' });
    expect(seen.slice(2)).toEqual(['modified a 1→2', 'added c', 'deleted b']);
    expect(informer.byIndex('size', '2').map(objectKey)).toEqual(['default/a']);
    expect(informer.byIndex('size', '1')).toEqual([]);
    expect(informer.countByIndex('size', '2')).toBe(1);
    expect(informer.countByIndex('size', '1')).toBe(0);
    expect(informer.indexValues('size').sort()).toEqual(['2', '3']);
  });

  it('gives handlers added late what is already cached', async () => {
    await store.create(widgetType, widget('a'));
    const informer = new Informer(store, widgetType);
    start(informer);
    await informer.waitForSync();
    const late: string[] = [];
    informer.addHandlers({ added: (w) => late.push(w.metadata.name) });
    expect(late).toEqual(['a']);
  });

  it('follows a burst of changes and a compaction: the cache matches the store', async () => {
    const informer = new Informer(store, widgetType, { indexers: bySize });
    start(informer);
    await informer.waitForSync();
    await store.create(widgetType, widget('a', 1));
    await until(() => informer.get('default/a'));
    // (Re-listing after a compacted watch revision is pinned down in the watch contract suite.)
    const { revision } = await kv.status();
    for (let i = 0; i < 20; i++) await store.create(widgetType, widget(`n${i}`, 5));
    await store.delete(widgetType, { namespace: 'default', name: 'a' });
    await kv.compact((await kv.status()).revision);
    expect(BigInt((await kv.status()).revision)).toBeGreaterThan(BigInt(revision));
    await until(() => informer.size === 20 && !informer.get('default/a'), { what: 'catch-up' });
    const listed = await store.list(widgetType);
    expect(informer.list().map(objectKey).sort()).toEqual(listed.items.map(objectKey).sort());
    expect(informer.byIndex('size', '5')).toHaveLength(20);
  });

  it('re-delivers the cache on resync', async () => {
    await store.create(widgetType, widget('a'));
    const informer = new Informer(store, widgetType, { resyncMs: 20 });
    let resyncs = 0;
    informer.addHandlers({ modified: (old, w) => void (old === w && resyncs++) });
    start(informer);
    await until(() => resyncs >= 2, { what: 'two resyncs' });
  });

  it('fails loudly on an index that does not exist', () => {
    const informer = new Informer(store, widgetType);
    expect(() => informer.byIndex('agent', 'x')).toThrow('no index "agent"');
  });
});
