/**
 * The controller manager: one leader per controller among replicas, a controller stopped the
 * moment its lease is lost and its writes fenced, hand-over on shutdown and on failure, the
 * probe endpoints, and the real apps controller from the registry against a real etcd.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { instanceResource, appResource } from '../../src/api/resources.ts';
import { Manager } from '../../src/controllers/manager.ts';
import {
  controllerFactories,
  selectControllers,
  type ControllerDeps,
  type ControllerFactory,
} from '../../src/controllers/registry.ts';
import { UsageError } from '../../src/errors.ts';
import { openInProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import { LeaseLostError } from '../../src/store/errors.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import type { Kv } from '../../src/store/kv.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { startEtcd, type EtcdServer } from '../support/etcd.ts';
import { uniquePrefix } from '../support/kv-backend.ts';
import { until } from '../support/until.ts';
import { app } from './apps/fixtures.ts';

const fast = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 200 };

/** A controller that ticks a fenced record while it runs, and notes who runs it. */
class Ticker {
  readonly running = new Set<string>();
  maxConcurrent = 0;
  ticks = 0;
  readonly terms: { identity: string; deps: ControllerDeps; stopReason?: unknown }[] = [];
  failFor = new Set<string>();

  factory(name = 'ticker'): ControllerFactory {
    return {
      name,
      summary: 'ticks',
      create: (deps) => ({
        run: async (signal) => {
          if (this.failFor.has(deps.identity)) throw new Error(`${deps.identity} is broken`);
          const term: (typeof this.terms)[number] = { identity: deps.identity, deps };
          this.terms.push(term);
          this.running.add(deps.identity);
          this.maxConcurrent = Math.max(this.maxConcurrent, this.running.size);
          try {
            while (!signal.aborted) {
              await deps.records.update<number>(name, (n) => (n ?? 0) + 1).catch(() => {});
              this.ticks++;
              await deps.clock.sleep(20, signal).catch(() => {});
            }
            term.stopReason = signal.reason;
          } finally {
            this.running.delete(deps.identity);
          }
        },
      }),
    };
  }
}

const settings = (prefix: string) => ({ mesos: ['http://127.0.0.1:5050'], prefix });

describe('Manager (in-process store)', () => {
  let kv: Kv;
  const stops: AbortController[] = [];
  const runs: Promise<void>[] = [];

  beforeAll(async () => {
    kv = await openInProcessKv();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop.abort();
    await Promise.all(runs.splice(0));
  });

  function start(store: Store, factories: ControllerFactory[], identity: string) {
    const manager = new Manager({
      store,
      controllers: factories,
      settings: settings('/x'),
      identity,
      election: fast,
    });
    const stop = new AbortController();
    stops.push(stop);
    const done = manager.run(stop.signal);
    runs.push(done);
    return { manager, stop, done };
  }

  it('runs a controller in one replica only, and hands over at once when it stops', async () => {
    const store = openStore({ kv, prefix: uniquePrefix() });
    const ticker = new Ticker();
    const a = start(store, [ticker.factory()], 'a');
    const b = start(store, [ticker.factory()], 'b');
    await until(() => ticker.ticks >= 20, { what: 'twenty ticks' });
    expect(ticker.maxConcurrent).toBe(1);
    const [leader] = [...ticker.running];
    const [first, second] = leader === 'a' ? [a, b] : [b, a];
    expect(first.manager.controllers()[0]).toMatchObject({ leading: true, terms: 1 });
    expect(second.manager.controllers()[0]).toMatchObject({ leading: false, terms: 0 });

    const stoppedAt = Date.now();
    first.stop.abort();
    await first.done;
    const successor = leader === 'a' ? 'b' : 'a';
    await until(() => ticker.running.has(successor), { what: `${successor} to take over` });
    // Resigning revokes the lease: the standby takes over within a retry period or two, not
    // after the 3 s lease runs out.
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(ticker.maxConcurrent).toBe(1);
    expect((await store.records.get<number>('ticker'))!.value).toBeGreaterThan(20);
  });

  it('stops the controller the moment the lease is lost, fences its writes, and campaigns again', async () => {
    const prefix = uniquePrefix();
    const store = openStore({ kv, prefix });
    const ticker = new Ticker();
    const { manager } = start(store, [ticker.factory()], 'a');
    await until(() => ticker.running.has('a'), { what: 'a to lead' });

    // Someone deletes the leader key (an operator, or the lease expired during a partition).
    await kv.delete({ key: `${prefix}/leases/ticker` });
    await until(() => ticker.terms.length === 2 && ticker.running.has('a'), {
      what: 'a second term',
    });
    const [first] = ticker.terms;
    expect(first!.stopReason).toBeInstanceOf(LeaseLostError);
    expect(manager.controllers()[0]).toMatchObject({ leading: true, terms: 2 });
    // The first term's store still holds the old fence: its writes are refused.
    await expect(first!.deps.records.put('stale', 1, '0')).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store.records.get('stale')).toBeUndefined();
  });

  it('gives up leadership when its controller fails, so that a healthy replica takes over', async () => {
    const store = openStore({ kv, prefix: uniquePrefix() });
    const ticker = new Ticker();
    ticker.failFor.add('broken');
    const broken = start(store, [ticker.factory()], 'broken');
    await until(() => broken.manager.metrics.render().includes('failures_total'), {
      what: 'the broken replica to fail once',
    });
    start(store, [ticker.factory()], 'healthy');
    await until(() => ticker.running.has('healthy'), { what: 'the healthy replica to lead' });
    expect(broken.manager.metrics.render()).toMatch(
      /meseta_controller_failures_total\{controller="ticker"\} [1-9]/,
    );
  });

  it('serves /healthz, /readyz with the store and synced caches, and /metrics with leader gauges', async () => {
    const store = openStore({ kv, prefix: uniquePrefix() });
    const apps = selectControllers(['apps'], settings('/x'));
    const leader = start(store, apps, 'leader');
    const probes = await leader.manager.startProbes();
    await until(() => leader.manager.controllers()[0]!.leading, { what: 'leading' });
    const standby = start(store, selectControllers(['apps'], settings('/x')), 'standby');
    const standbyProbes = await standby.manager.startProbes();
    try {
      const ready = await until(
        async () => {
          const response = await fetch(`${probes.url}/readyz`);
          return response.status === 200 ? response.text() : undefined;
        },
        { what: '/readyz to pass' },
      );
      expect(ready).toContain('[+] store ok');
      expect(ready).toContain('[+] controller-apps ok');
      expect((await fetch(`${probes.url}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`${probes.url}/metrics`)).text();
      expect(metrics).toContain('meseta_leader{controller="apps"} 1');
      expect(metrics).toContain('meseta_workqueue_depth{controller="apps"}');
      expect(metrics).toMatch(/process_resident_memory_bytes \d+/);
      const standbyMetrics = await (await fetch(`${standbyProbes.url}/metrics`)).text();
      expect(standbyMetrics).toContain('meseta_leader{controller="apps"} 0');
      expect((await fetch(`${standbyProbes.url}/readyz`)).status).toBe(200);
    } finally {
      await probes.close();
      await standbyProbes.close();
    }
  });

  it('is not ready while the store does not answer', async () => {
    const real = openStore({ kv, prefix: uniquePrefix() });
    const down = new Error('connection refused');
    const unreachable: Store = {
      ...real,
      kv: { ...real.kv, status: () => Promise.reject(down) } as Kv,
    };
    const manager = new Manager({
      store: unreachable,
      controllers: [],
      settings: settings('/x'),
      election: fast,
    });
    const probes = await manager.startProbes();
    try {
      const response = await fetch(`${probes.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('[-] store failed: connection refused');
      // Not running yet: not alive either.
      expect((await fetch(`${probes.url}/healthz`)).status).toBe(503);
    } finally {
      await probes.close();
    }
  });
});

describe('controller registry', () => {
  it('selects every controller by default, or the ones --only names, in registry order', () => {
    const all = selectControllers(undefined, settings('/x')).map((f) => f.name);
    expect(all).toEqual(controllerFactories.map((f) => f.name));
    expect(all).toEqual(['apps', 'placement', 'bridge', 'events']);
    expect(selectControllers(['events', 'apps'], settings('/x')).map((f) => f.name)).toEqual([
      'apps',
      'events',
    ]);
  });

  it('refuses the bridge without Mesos master URLs', () => {
    expect(() => selectControllers(['bridge'], { mesos: [], prefix: '/x' })).toThrow(
      /controller bridge: needs the Mesos master URLs: pass --mesos/,
    );
    expect(selectControllers(['apps'], { mesos: [], prefix: '/x' })).toHaveLength(1);
  });

  it('refuses unknown names and an empty list, naming the known ones', () => {
    expect(() => selectControllers(['apps', 'nope'], settings('/x'))).toThrow(
      /no controller named "nope" \(known: apps.*events/,
    );
    expect(() => selectControllers([], settings('/x'))).toThrow(UsageError);
  });
});

describe('Manager with the registry (real etcd)', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.remove();
  });

  it('runs the apps controller from the registry and resigns every role on shutdown', async () => {
    const prefix = uniquePrefix();
    const kv = openEtcdKv({ endpoints: [etcd.endpoint] });
    const store = openStore({ kv, prefix });
    try {
      const manager = new Manager({
        store,
        controllers: selectControllers(['apps', 'events'], settings(prefix)),
        settings: settings(prefix),
        identity: 'one',
        election: fast,
      });
      const stop = new AbortController();
      const done = manager.run(stop.signal);
      await store.objects.create(appResource, app('web', { instances: 3 }));
      await until(
        async () => (await store.objects.list(instanceResource)).items.length === 3 || undefined,
        { what: 'three instances' },
      );
      const holders = await kv.range({ prefix: `${prefix}/leases/` });
      expect(holders.kvs.map((k) => k.value)).toEqual(['one', 'one']);
      stop.abort();
      await done;
      expect((await kv.range({ prefix: `${prefix}/leases/` })).kvs).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
