import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventResource } from '../../src/api/resources.ts';
import { VirtualClock } from '../../src/clock.ts';
import { EventRecorder } from '../../src/runtime/events.ts';
import { openInProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import type { Kv } from '../../src/store/kv.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import type { StoredObject } from '../../src/store/object.ts';
import { kvWith } from '../support/kv-with.ts';

let kv: Kv;
let store: ObjectStore;
const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));

beforeEach(async () => {
  kv = await openInProcessKv();
  store = new ObjectStore({ kv, clock });
});

afterEach(async () => {
  await kv.close();
});

const web: StoredObject = {
  apiVersion: 'meseta.io/v1',
  kind: 'App',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1' },
};

describe('EventRecorder', () => {
  it('aggregates repeats into one Event with a count and first and last times', async () => {
    const recorder = new EventRecorder({ store, component: 'apps', clock });
    await recorder.normal(web, 'InstancesCreated', 'created 3 instances');
    clock.advance(60_000);
    await Promise.all([
      recorder.normal(web, 'InstancesCreated', 'created 3 instances'),
      recorder.normal(web, 'InstancesCreated', 'created 3 instances'),
    ]);
    await recorder.warning(web, 'InstancesCreated', 'created 3 instances');
    await recorder.normal(web, 'InstancesCreated', 'created 1 instances');
    const { items } = await store.list(eventResource, { namespace: 'shop' });
    expect(items).toHaveLength(3);
    const repeated = items.find((e) => e.count === 3)!;
    expect(repeated).toMatchObject({
      type: 'Normal',
      reason: 'InstancesCreated',
      message: 'created 3 instances',
      firstTimestamp: '2026-01-01T00:00:00.000Z',
      lastTimestamp: '2026-01-01T00:01:00.000Z',
      involvedObject: {
        apiVersion: 'meseta.io/v1',
        kind: 'App',
        namespace: 'shop',
        name: 'web',
        uid: 'u-1',
      },
      source: { component: 'apps' },
    });
    expect(repeated.metadata.name).toMatch(/^web-[0-9a-f]{16}$/);
  });

  it('aggregates across recorders (processes) through compare-and-swap', async () => {
    const recorders = [1, 2, 3].map(() => new EventRecorder({ store, component: 'apps', clock }));
    await Promise.all(
      recorders.flatMap((r) => [r.normal(web, 'Scaled', 'x'), r.normal(web, 'Scaled', 'x')]),
    );
    const { items } = await store.list(eventResource);
    expect(items.map((e) => e.count)).toEqual([6]);
  });

  it('joins repeats recorded while a write is queued, and writes without reading first', async () => {
    let transactions = 0;
    const counting = kvWith(kv, {
      txn: (...args) => {
        transactions++;
        return kv.txn(...args);
      },
    });
    const recorder = new EventRecorder({
      store: new ObjectStore({ kv: counting, clock }),
      component: 'apps',
      clock,
    });
    // Not awaited, as a controller's pass records them: repeats made before the write starts
    // join it. A new Event is one create, without a read before it.
    const records = Array.from({ length: 10 }, () => recorder.normal(web, 'Scaled', 'to 3'));
    void recorder.normal(web, 'Scaled', 'to 4');
    expect(await recorder.flush()).toBe(true);
    await Promise.all(records);
    expect(transactions).toBe(2);
    // Repeats of a known Event: one update — a single compare-and-swap write, as the store
    // knows its own last write of the Event — and no get before it.
    for (let i = 0; i < 3; i++) void recorder.normal(web, 'Scaled', 'to 3');
    expect(await recorder.flush()).toBe(true);
    expect(transactions).toBe(3);
    const { items } = await store.list(eventResource);
    expect(items.map((e) => [e.message, e.count]).sort()).toEqual([
      ['to 3', 13],
      ['to 4', 1],
    ]);
  });

  it('re-reads an Event another recorder changed, and keeps counting', async () => {
    const mine = new EventRecorder({ store, component: 'apps', clock });
    const theirs = new EventRecorder({ store, component: 'apps', clock });
    await mine.normal(web, 'Scaled', 'x');
    await theirs.normal(web, 'Scaled', 'x');
    await mine.normal(web, 'Scaled', 'x');
    const { items } = await store.list(eventResource);
    expect(items.map((e) => e.count)).toEqual([3]);
  });

  it('flush gives up after its time when the store does not answer, and says so', async () => {
    let answer: () => void = () => {};
    const held = new Promise<void>((resolve) => (answer = resolve));
    const slow = kvWith(kv, {
      txn: async (...args) => {
        await held;
        return kv.txn(...args);
      },
    });
    const recorder = new EventRecorder({
      store: new ObjectStore({ kv: slow, clock }),
      component: 'apps',
      clock,
    });
    const recorded = recorder.normal(web, 'Scaled', 'x');
    expect(await recorder.flush(20)).toBe(false);
    answer();
    await recorded;
    expect(await recorder.flush(20)).toBe(true);
    expect((await store.list(eventResource)).items.map((e) => e.count)).toEqual([1]);
  });

  it('never throws: a failed write is logged', async () => {
    const lines: string[] = [];
    const { createLogger } = await import('../../src/log.ts');
    const recorder = new EventRecorder({
      store,
      component: 'apps',
      clock,
      logger: createLogger({ sink: (line) => lines.push(line) }),
    });
    await recorder.normal(web, 'not camel case', 'm');
    expect(lines.join('\n')).toContain('recording an event failed');
    expect((await store.list(eventResource)).items).toEqual([]);
  });
});
