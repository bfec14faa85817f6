/**
 * The contract of `watchObjects` over any Kv backend: initial list, live events with their
 * revisions, resuming after compaction by a re-list diff, selectors, a quiet watch restarted,
 * and (for restartable backends) a watch that carries on across a server restart.
 * Run it with `describeWatchContract('<backend>', factory)`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kv, KvWatch } from '../../src/store/kv.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { watchObjects, type ObjectEvent, type WatchObjectsOptions } from '../../src/store/watch.ts';
import { until } from '../support/until.ts';
import { uniquePrefix, type KvBackend, type KvBackendFactory } from '../support/kv-backend.ts';
import { kvWith } from '../support/kv-with.ts';
import { widget, widgetType, type Widget } from './store-contract.ts';

class Collector {
  readonly events: ObjectEvent<Widget>[] = [];
  readonly relists: string[] = [];
  error: unknown;
  private readonly controller = new AbortController();
  private readonly loop: Promise<void>;

  constructor(store: ObjectStore, options: WatchObjectsOptions<Widget> = {}) {
    const stream = watchObjects(store, widgetType, {
      quietTimeoutMs: 10_000,
      retry: { initialMs: 50, maxMs: 500 },
      ...options,
      signal: this.controller.signal,
      onRelist: (reason) => this.relists.push(reason),
    });
    this.loop = (async () => {
      try {
        for await (const event of stream) this.events.push(event);
      } catch (error) {
        this.error = error;
      }
    })();
  }

  summary(): string[] {
    return this.events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.spec?.size}`);
  }

  until(count: number, within = 15_000): Promise<void> {
    return until(() => this.events.length >= count || this.error !== undefined, {
      within,
      what: `${count} watch events (have ${this.events.length})`,
    }).then(() => {
      if (this.error) throw this.error;
    });
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }
}

export function describeWatchContract(name: string, factory: KvBackendFactory): void {
  describe(`watchObjects contract: ${name}`, () => {
    let backend: KvBackend;
    let kv: Kv;
    let store: ObjectStore;
    const collectors: Collector[] = [];
    const collect = (options: WatchObjectsOptions<Widget> = {}, on = store) => {
      const collector = new Collector(on, options);
      collectors.push(collector);
      return collector;
    };

    beforeAll(async () => {
      backend = await factory.open();
      kv = backend.kv;
    });
    afterAll(async () => {
      await kv.close();
    });
    beforeEach(() => {
      store = new ObjectStore({ kv, prefix: uniquePrefix() });
    });
    afterEach(async () => {
      await Promise.all(collectors.splice(0).map((c) => c.stop()));
    });

    it('lists first, then delivers added, modified and deleted with their revisions', async () => {
      await store.create(widgetType, widget('old', 1));
      const watcher = collect();
      await watcher.until(1);
      const a = await store.create(widgetType, widget('a', 1));
      const a2 = await store.update(widgetType, { ...a, spec: { size: 2 } });
      const gone = await store.delete(widgetType, a2.metadata);
      await watcher.until(4);
      expect(watcher.summary()).toEqual([
        'added old 1',
        'added a 1',
        'modified a 2',
        'deleted a 2',
      ]);
      expect(watcher.events.slice(1).map((e) => e.revision)).toEqual([
        a.metadata.resourceVersion,
        a2.metadata.resourceVersion,
        gone.object.metadata.resourceVersion,
      ]);
      expect(watcher.relists).toEqual(['initial']);
    });

    it('asks for previous values only when it does not hold every object', async () => {
      const asked: boolean[] = [];
      const spying = kvWith(kv, {
        watch: (options) => {
          asked.push(options.prevKv ?? false);
          return kv.watch(options);
        },
      });
      const spied = new ObjectStore({ kv: spying, prefix: store.keys.prefix });
      const a = await store.create(widgetType, widget('a', 1));
      const complete = collect({}, spied);
      await complete.until(1);
      const partial = collect({ fromRevision: a.metadata.resourceVersion! }, spied);
      await store.delete(widgetType, a.metadata);
      await complete.until(2);
      await partial.until(1);
      expect(asked).toEqual([false, true]);
      expect(complete.summary()).toEqual(['added a 1', 'deleted a 1']);
      // It never saw `a`: the deletion names it from its previous value.
      expect(partial.summary()).toEqual(['deleted a 1']);
    });

    it('delivers only what changed after fromRevision', async () => {
      const a = await store.create(widgetType, widget('a', 1));
      const { revision, items } = await store.list(widgetType);
      await store.update(widgetType, { ...a, spec: { size: 5 } });
      await store.create(widgetType, widget('b', 1));
      const watcher = collect({ fromRevision: revision, known: items });
      await watcher.until(2);
      expect(watcher.summary()).toEqual(['modified a 5', 'added b 1']);
      expect(watcher.relists).toEqual([]);
    });

    it('without known objects, tells additions from changes by the key version', async () => {
      const a = await store.create(widgetType, widget('a', 1));
      const from = a.metadata.resourceVersion!;
      await store.update(widgetType, { ...a, spec: { size: 2 } });
      await store.create(widgetType, widget('b', 1));
      await store.delete(widgetType, a.metadata);
      const watcher = collect({ fromRevision: from });
      await watcher.until(3);
      expect(watcher.summary()).toEqual(['modified a 2', 'added b 1', 'deleted a 2']);
    });

    it('resumes from a compacted revision by re-listing, missing nothing', async () => {
      const a = await store.create(widgetType, widget('a', 1));
      await store.create(widgetType, widget('b', 1));
      const unchanged = await store.create(widgetType, widget('c', 1));
      const { revision, items } = await store.list(widgetType);
      await store.update(widgetType, { ...a, spec: { size: 2 } });
      await store.delete(widgetType, { namespace: 'default', name: 'b' });
      const d = await store.create(widgetType, widget('d', 1));
      await kv.compact(d.metadata.resourceVersion!);

      const watcher = collect({ fromRevision: revision, known: items });
      await watcher.until(3);
      expect(watcher.relists).toEqual(['compacted']);
      expect(watcher.summary().sort()).toEqual(['added d 1', 'deleted b 1', 'modified a 2']);
      expect(
        watcher.events.every((e) => BigInt(e.revision) >= BigInt(d.metadata.resourceVersion!)),
      ).toBe(true);
      // After the re-list it carries on watching.
      await store.update(widgetType, { ...unchanged, spec: { size: 7 } });
      await watcher.until(4);
      expect(watcher.summary()[3]).toBe('modified c 7');
    });

    it('treats objects leaving the label selector as deleted', async () => {
      const watcher = collect({ labelSelector: 'app=web' });
      const web = await store.create(widgetType, widget('w', 1, { app: 'web' }));
      await store.create(widgetType, widget('x', 1, { app: 'db' }));
      await watcher.until(1);
      await store.update(widgetType, {
        ...web,
        metadata: { ...web.metadata, labels: { app: 'db' } },
      });
      await watcher.until(2);
      expect(watcher.summary()).toEqual(['added w 1', 'deleted w 1']);
    });

    it('restarts a watch that went quiet, from its last revision', async () => {
      // The first watch this Kv opens is dead: it never delivers anything.
      let opened = 0;
      const deadFirst: Kv = Object.create(kv) as Kv;
      deadFirst.watch = (options) => {
        opened++;
        const real = kv.watch(options);
        if (opened > 1) return real;
        const silent: KvWatch = {
          // The stream looks alive to the transport but delivers nothing until it ends.
          batches: {
            [Symbol.asyncIterator]: () => {
              const inner = real.batches[Symbol.asyncIterator]();
              return {
                next: async () => {
                  for (;;) {
                    const result = await inner.next();
                    if (result.done) return result;
                  }
                },
              };
            },
          },
          close: () => real.close(),
        };
        return silent;
      };
      const quietStore = new ObjectStore({ kv: deadFirst, prefix: store.keys.prefix });
      const watcher = collect({ quietTimeoutMs: 400 }, quietStore);
      await until(() => opened === 1, { within: 5000, what: 'the first watch' });
      await store.create(widgetType, widget('late', 1));
      await watcher.until(1);
      expect(watcher.summary()).toEqual(['added late 1']);
      expect(opened).toBeGreaterThanOrEqual(2);
    });

    if (factory.restartable) {
      it('carries on across a server restart without missing or repeating events', async () => {
        const watcher = collect();
        const a = await store.create(widgetType, widget('a', 1));
        await watcher.until(1);
        await backend.restart!();
        await until(
          () =>
            store.list(widgetType).then(
              () => true,
              () => false,
            ),
          { within: 15_000, what: 'the store to answer after the restart', every: 100 },
        );
        await store.create(widgetType, widget('b', 1));
        await store.update(widgetType, { ...a, spec: { size: 3 } });
        await watcher.until(3);
        expect(watcher.summary()).toEqual(['added a 1', 'added b 1', 'modified a 3']);
      });
    }
  });
}
