import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appResource, eventResource, type StoredApp } from '../../../src/api/resources.ts';
import {
  BY_PLACED,
  PlacementReporter,
  placedIndex,
} from '../../../src/controllers/placement/report.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { EventRecorder } from '../../../src/runtime/events.ts';
import { Informer } from '../../../src/runtime/informer.ts';
import type { AppOutcome } from '../../../src/placement/round.ts';
import { openInProcessKv } from '../../../src/store/embedded/in-process-kv.ts';
import type { Kv } from '../../../src/store/kv.ts';
import { ObjectStore } from '../../../src/store/object-store.ts';
import { uniquePrefix } from '../../support/kv-backend.ts';
import { until } from '../../support/until.ts';
import { app } from '../apps/fixtures.ts';

describe('PlacementReporter', () => {
  let kv: Kv;
  let store: ObjectStore;
  let apps: Informer<StoredApp>;
  let stop: AbortController;
  let running: Promise<void>;
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00.000Z'));

  beforeEach(async () => {
    kv = await openInProcessKv();
    store = new ObjectStore({ kv, prefix: uniquePrefix() });
    await store.create(appResource, app('web'));
    apps = new Informer(store, appResource, { indexers: { [BY_PLACED]: placedIndex } });
    stop = new AbortController();
    running = apps.run(stop.signal);
    await apps.waitForSync();
  });

  afterEach(async () => {
    stop.abort();
    await running;
    await kv.close();
  });

  const outcome = (unplaced: number, message?: string): Map<string, AppOutcome> =>
    new Map([
      [
        'default/web',
        { namespace: 'default', app: 'web', placed: 0, unplaced, ...(message ? { message } : {}) },
      ],
    ]);
  const condition = async () =>
    (await store.get(appResource, { namespace: 'default', name: 'web' }))?.status?.conditions?.find(
      (c) => c.type === 'Placed',
    );
  const events = async () => (await store.list(eventResource)).items;
  /** Waits until the informer shows the App's latest version, as a round would see it. */
  const settled = () =>
    until(async () => {
      const stored = await store.get(appResource, { namespace: 'default', name: 'web' });
      return apps.get('default/web')?.metadata.resourceVersion === stored?.metadata.resourceVersion;
    });

  it('sets Placed False with the message and a Warning, rate-limits changes, and clears it', async () => {
    const recorder = new EventRecorder({ store, component: 'placement', clock });
    const reporter = new PlacementReporter({
      store,
      apps,
      recorder,
      clock,
      logger: silentLogger,
      unschedulableAfterMs: 0,
    });

    await reporter.report(outcome(2, 'cpus: need 2, largest offer 1 (3 agents)'));
    expect(await condition()).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message: '2 instances not placed: cpus: need 2, largest offer 1 (3 agents)',
    });
    expect((await events()).map((e) => [e.type, e.reason])).toEqual([
      ['Warning', 'FailedPlacement'],
    ]);

    // The figures change a moment later: not rewritten within 10 s...
    await settled();
    clock.advance(1000);
    await reporter.report(outcome(2, 'cpus: need 2, largest offer 0.5 (3 agents)'));
    expect((await condition())!.message).toMatch(/largest offer 1 /);
    // ...but after.
    clock.advance(10_000);
    await reporter.report(outcome(2, 'cpus: need 2, largest offer 0.5 (3 agents)'));
    expect((await condition())!.message).toMatch(/largest offer 0.5 /);
    expect((await events()).length).toBe(2);

    await settled();
    await reporter.report(new Map());
    expect(await condition()).toMatchObject({ status: 'True', reason: 'AllPlaced' });
    const reasons = (await events()).map((e) => e.reason).sort();
    expect(reasons).toEqual(['FailedPlacement', 'FailedPlacement', 'Placed']);
  });

  it('reports an App only once its instances stayed unplaced for 3 s, and says when to look again', async () => {
    const recorder = new EventRecorder({ store, component: 'placement', clock });
    const reporter = new PlacementReporter({ store, apps, recorder, clock, logger: silentLogger });
    const start = clock.now();
    // Every offer in use for a moment, as when a burst starts: not worth a warning yet.
    expect(await reporter.report(outcome(2, 'no agent has anything on offer'))).toBe(start + 3000);
    clock.advance(2000);
    expect(await reporter.report(outcome(1, 'no agent has anything on offer'))).toBe(start + 3000);
    // Placed meanwhile: the wait starts over the next time.
    await reporter.report(new Map());
    clock.advance(500);
    expect(await reporter.report(outcome(1, 'cpus: need 2, largest offer 1 (3 agents)'))).toBe(
      start + 5500,
    );
    clock.advance(2999);
    await reporter.report(outcome(1, 'cpus: need 2, largest offer 1 (3 agents)'));
    expect(await condition()).toBeUndefined();
    clock.advance(1);
    expect(await reporter.report(outcome(1, 'cpus: need 2, largest offer 1 (3 agents)'))).toBe(
      undefined,
    );
    expect(await condition()).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(await recorder.flush()).toBe(true);
    expect((await events()).map((e) => e.reason)).toEqual(['FailedPlacement']);
    // Once reported, a change of the message is no longer held back by the wait.
    await settled();
    clock.advance(10_000);
    await reporter.report(outcome(3, 'cpus: need 2, largest offer 1 (3 agents)'));
    expect((await condition())!.message).toMatch(/^3 instances not placed/);
  });

  it('writes nothing for an App that never had trouble', async () => {
    const reporter = new PlacementReporter({ store, apps, clock, logger: silentLogger });
    const before = (await store.get(appResource, { namespace: 'default', name: 'web' }))!;
    await reporter.report(outcome(0));
    await reporter.report(new Map());
    const after = (await store.get(appResource, { namespace: 'default', name: 'web' }))!;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});
