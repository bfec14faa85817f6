import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventResource } from '../../../src/api/resources.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { EventSweeper } from '../../../src/controllers/events/sweeper.ts';
import { EventRecorder } from '../../../src/runtime/events.ts';
import { openInProcessKv } from '../../../src/store/embedded/in-process-kv.ts';
import type { Kv } from '../../../src/store/kv.ts';
import { ObjectStore } from '../../../src/store/object-store.ts';
import type { StoredObject } from '../../../src/store/object.ts';
import { until } from '../../support/until.ts';

let kv: Kv;
let store: ObjectStore;
let clock: VirtualClock;

beforeEach(async () => {
  kv = await openInProcessKv();
  clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  store = new ObjectStore({ kv, clock });
});

afterEach(async () => {
  await kv.close();
});

const object = (name: string): StoredObject => ({
  apiVersion: 'meseta.io/v1',
  kind: 'App',
  metadata: { name, namespace: 'default', uid: name },
});

const remaining = async () =>
  (await store.list(eventResource)).items.map((e) => e.involvedObject.name).sort();

describe('EventSweeper', () => {
  it('removes Events whose last occurrence is older than the TTL, keeping repeated ones', async () => {
    const recorder = new EventRecorder({ store, component: 'test', clock });
    const sweeper = new EventSweeper({ store, ttlMs: 60_000, clock });
    await recorder.normal(object('old'), 'Happened', 'once');
    await recorder.normal(object('repeated'), 'Happened', 'often');
    clock.advance(50_000);
    await recorder.normal(object('repeated'), 'Happened', 'often');
    await recorder.normal(object('fresh'), 'Happened', 'now');
    clock.advance(20_000);
    expect(await sweeper.sweep()).toBe(1);
    expect(await remaining()).toEqual(['fresh', 'repeated']);
    clock.advance(60_000);
    expect(await sweeper.sweep()).toBe(2);
    expect(await remaining()).toEqual([]);
  });

  it('sweeps on its interval while running', async () => {
    const recorder = new EventRecorder({ store, component: 'test', clock });
    const sweeper = new EventSweeper({ store, ttlMs: 1000, intervalMs: 500, clock });
    await recorder.normal(object('a'), 'Happened', 'once');
    const stop = new AbortController();
    const running = sweeper.run(stop.signal);
    // The first sweep finds nothing expired; it then sleeps on the virtual clock.
    await until(() => clock.pending() > 0, { what: 'the sweeper to sleep' });
    clock.advance(1500);
    await until(async () => (await remaining()).length === 0, { what: 'the event to expire' });
    stop.abort();
    await running;
  });
});
