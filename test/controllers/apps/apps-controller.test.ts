/**
 * The apps controller for real: Controller + Informers + the reconciler against the in-process
 * Kv and against a real etcd. A tiny level-triggered fake bridge (`bridge.step`) plays Mesos:
 * it starts instances whose goal is running and kills the others.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentObjectName } from '../../../src/api/agent.ts';
import type { AppSpec, Condition } from '../../../src/api/app-types.ts';
import type { Instance } from '../../../src/api/instance.ts';
import { hasLiveTask } from '../../../src/api/instance.ts';
import {
  agentResource,
  appResource,
  appRevisionResource,
  eventResource,
  instanceResource,
  type StoredApp,
} from '../../../src/api/resources.ts';
import {
  AppsController,
  type AppsControllerOptions,
  appChangeMatters,
  mattersToApps,
  movesOnlyCounts,
} from '../../../src/controllers/apps/apps-controller.ts';
import { AppsReconciler, INSTANCES_FINALIZER } from '../../../src/controllers/apps/reconciler.ts';
import { realClock } from '../../../src/clock.ts';
import { TerminalError } from '../../../src/runtime/controller.ts';
import { Registry } from '../../../src/runtime/metrics.ts';
import { EventRecorder } from '../../../src/runtime/events.ts';
import { MesetaError } from '../../../src/errors.ts';
import { ConflictError } from '../../../src/store/errors.ts';
import type { Kv } from '../../../src/store/kv.ts';
import { ObjectStore } from '../../../src/store/object-store.ts';
import { controllerBackends } from '../../support/controller-backends.ts';
import { uniquePrefix } from '../../support/kv-backend.ts';
import { kvWith } from '../../support/kv-with.ts';
import { until } from '../../support/until.ts';
import { app, instance } from './fixtures.ts';

/** Plays Mesos, one level-triggered step at a time; lost races are simply retried next step. */
class FakeBridge {
  constructor(private readonly store: ObjectStore) {}

  async step(): Promise<void> {
    const { items } = await this.store.list(instanceResource);
    for (const instance of items) {
      const status = nextStatus(instance);
      if (!status) continue;
      await this.store
        .updateStatus(instanceResource, { ...instance, status })
        .catch((error: unknown) => {
          if (!(error instanceof MesetaError)) throw error;
        });
    }
  }
}

function nextStatus(instance: Instance): Instance['status'] | undefined {
  const name = instance.metadata.name;
  if (instance.spec.goal === 'running' && !instance.status?.state) {
    return { taskId: `${name}.1`, state: 'TASK_RUNNING', healthy: true, hostname: 'agent-1' };
  }
  if (instance.spec.goal !== 'running' && hasLiveTask(instance)) {
    return { ...instance.status, state: 'TASK_KILLED' };
  }
  return undefined;
}

describe.each(controllerBackends)('the apps controller against %s', (_, backend) => {
  let kv: Kv;
  let store: ObjectStore;
  let stop: AbortController;
  let running: Promise<void>;
  let bridge: FakeBridge;
  let controller: AppsController;
  let recorder: EventRecorder;
  const ref = { namespace: 'default', name: 'web' };

  beforeAll(async () => {
    await backend.open().then((k) => k.close());
  }, 30_000);
  afterAll(() => backend.close());

  beforeEach(async () => {
    kv = await backend.open();
    store = new ObjectStore({ kv, prefix: uniquePrefix() });
    bridge = new FakeBridge(store);
    stop = new AbortController();
    recorder = new EventRecorder({ store, component: 'apps' });
    controller = new AppsController({ store, recorder, workers: 2 });
    running = controller.run(stop.signal);
  });

  afterEach(async () => {
    stop.abort();
    await running;
    await kv.close();
  });

  const instances = async () => (await store.list(instanceResource)).items;
  const revisions = async () => (await store.list(appRevisionResource)).items;
  const names = (list: Instance[]) => list.map((i) => i.metadata.name).sort();
  const condition = (object: StoredApp | undefined, type: string): Condition | undefined =>
    object?.status?.conditions?.find((c) => c.type === type);

  /** Runs the fake bridge until `check` holds. */
  const converge = <T>(what: string, check: () => Promise<T>) =>
    until(
      async () => {
        await bridge.step();
        return check();
      },
      { what, within: 15_000 },
    );

  /** Restarts the controller with a launch queue of 4, all of it open at once (no slow start). */
  async function restartWithQueueOf4(over: Partial<AppsControllerOptions> = {}): Promise<void> {
    stop.abort();
    await running;
    stop = new AbortController();
    controller = new AppsController({
      store,
      recorder,
      workers: 2,
      launchQueueLimit: 4,
      launchQueueFirstWindow: 4,
      ...over,
    });
    running = controller.run(stop.signal);
  }

  /** Like a client's apply: read, change, write; re-read and retry when the controller wrote first. */
  async function apply(spec: Partial<AppSpec>): Promise<StoredApp> {
    for (;;) {
      const current = await store.get(appResource, ref);
      try {
        if (!current) return await store.create(appResource, app('web', spec));
        return await store.update(appResource, { ...current, spec: { ...current.spec, ...spec } });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  it('creates the instances of the first revision and reports them in the status', async () => {
    await apply({ instances: 3 });
    const created = await until(
      async () => ((await instances()).length === 3 ? instances() : undefined),
      {
        what: '3 instances',
      },
    );
    expect(names(created)).toEqual(['web-1-0', 'web-1-1', 'web-1-2']);
    expect(created.every((i) => i.spec.revision === 1 && i.spec.goal === 'running')).toBe(true);
    const owner = created[0]!.metadata.ownerReferences?.[0];
    expect(owner).toMatchObject({ kind: 'App', name: 'web', controller: true });
    expect((await revisions()).map((r) => r.metadata.name)).toEqual(['web-1']);
    const stored = await store.get(appResource, ref);
    expect(stored?.metadata.finalizers).toContain(INSTANCES_FINALIZER);
    expect(owner?.uid).toBe(stored?.metadata.uid);

    const done = await converge('status Complete', async () => {
      const web = await store.get(appResource, ref);
      return condition(web, 'Progressing')?.reason === 'Complete' ? web : undefined;
    });
    expect(done.status).toMatchObject({
      observedGeneration: 1,
      instances: 3,
      running: 3,
      healthy: 3,
      updated: 3,
      currentRevision: 1,
      targetRevision: 1,
    });
    expect(condition(done, 'Available')?.status).toBe('True');
    expect(condition(done, 'Degraded')?.status).toBe('False');
    const events = (await store.list(eventResource)).items.map((e) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['RevisionCreated', 'InstancesCreated']));
  });

  it('scales up and down without a new revision, stopping the youngest first', async () => {
    await apply({ instances: 2 });
    await converge(
      '2 running',
      async () => (await store.get(appResource, ref))?.status?.running === 2,
    );
    await apply({ instances: 5 });
    await converge(
      '5 running',
      async () => (await store.get(appResource, ref))?.status?.running === 5,
    );
    expect(names(await instances())).toEqual([
      'web-1-0',
      'web-1-1',
      'web-1-2',
      'web-1-3',
      'web-1-4',
    ]);

    const scaled = await apply({ instances: 2 });
    expect(scaled.metadata.generation).toBe(3);
    const left = await converge('scaled down to 2', async () => {
      const list = await instances();
      return list.length === 2 ? list : undefined;
    });
    expect(names(left)).toEqual(['web-1-0', 'web-1-1']);
    expect((await revisions()).map((r) => r.spec.revision)).toEqual([1]);
    const web = await converge('status of the scale-down', async () => {
      const current = await store.get(appResource, ref);
      return current?.status?.observedGeneration === 3 && current.status.instances === 2
        ? current
        : undefined;
    });
    expect(condition(web, 'Progressing')?.reason).toBe('Complete');
  });

  it('scales down GROUP_BY apps to balance first (Marathon kill order), then youngest first', async () => {
    for (const [id, rack] of [
      ['S1', 'rack-a'],
      ['S2', 'rack-b'],
    ] as const) {
      await store.create(agentResource, {
        apiVersion: 'meseta.io/v1',
        kind: 'Agent',
        metadata: { name: agentObjectName(id) },
        status: {
          agentId: id,
          hostname: `host-${id}`,
          attributes: [{ name: 'rack', type: 'TEXT', text: { value: rack } }],
        },
      });
    }
    await apply({ instances: 4, constraints: [{ field: 'rack', operator: 'GROUP_BY' }] });
    await converge(
      '4 running',
      async () => (await store.get(appResource, ref))?.status?.running === 4,
    );
    // Three on rack-a, one on rack-b: youngest first alone would stop web-1-3 and web-1-2.
    for (const i of await instances()) {
      const agentId = i.metadata.name === 'web-1-3' ? 'S2' : 'S1';
      await store.updateStatus(instanceResource, { ...i, status: { ...i.status, agentId } });
    }
    await until(() => controller.instances.list().every((i) => i.status?.agentId), {
      what: 'the agents in the cache',
    });
    await apply({ instances: 2 });
    const left = await converge('scaled down to 2', async () => {
      const list = await instances();
      return list.length === 2 ? list : undefined;
    });
    expect(names(left)).toEqual(['web-1-0', 'web-1-3']);
  });

  it('makes a new revision for a task change, replaces the old instances, and not for instances alone', async () => {
    await apply({ instances: 2, cmd: 'v1' });
    await converge(
      'v1 running',
      async () => (await store.get(appResource, ref))?.status?.running === 2,
    );
    await apply({ cmd: 'v2' });
    const replaced = await converge('v2 replaced v1', async () => {
      const list = await instances();
      return list.length === 2 &&
        list.every((i) => i.spec.revision === 2 && i.status?.state === 'TASK_RUNNING')
        ? list
        : undefined;
    });
    expect(names(replaced)).toEqual(['web-2-0', 'web-2-1']);
    const revs = await revisions();
    expect(revs.map((r) => r.spec.revision).sort()).toEqual([1, 2]);
    expect(revs.find((r) => r.spec.revision === 2)?.spec.template.cmd).toBe('v2');
    await converge('currentRevision 2', async () => {
      const status = (await store.get(appResource, ref))?.status;
      return status?.currentRevision === 2 && status.targetRevision === 2;
    });

    await apply({ instances: 3 });
    await converge('3 instances of revision 2', async () => {
      const list = await instances();
      return list.length === 3 && list.every((i) => i.spec.revision === 2);
    });
    expect(await revisions()).toHaveLength(2);
  });

  it('removes instances whose App does not exist, and keeps those of a live App with that name', async () => {
    const orphan = {
      apiVersion: 'meseta.io/v1' as const,
      kind: 'Instance' as const,
      metadata: {
        name: 'gone-1-0',
        namespace: 'default',
        ownerReferences: [
          { apiVersion: 'meseta.io/v1', kind: 'App', name: 'gone', uid: 'old', controller: true },
        ],
      },
      spec: { app: 'gone', revision: 1, goal: 'running' as const },
    };
    await store.create(instanceResource, orphan);
    await until(async () => (await instances()).length === 0, { what: 'the orphan removed' });
  });

  it('removes instances of an earlier App of the same name (another owner uid)', async () => {
    const stray = instance('web-1-0', { uid: 'earlier-app' });
    const { resourceVersion: _, creationTimestamp: __, ...metadata } = stray.metadata;
    await store.create(instanceResource, { ...stray, metadata });
    const web = await apply({ instances: 1 });
    const mine = await until(
      async () => {
        const list = await instances();
        return list.length === 1 && list[0]!.metadata.ownerReferences?.[0]?.uid === web.metadata.uid
          ? list
          : undefined;
      },
      { what: "the stray replaced by the App's own instance" },
    );
    expect(mine[0]!.metadata.name).toBe('web-1-0');
  });

  it('creates many instances in batches and scales them to zero', async () => {
    await apply({ instances: 2500 });
    // The launch queue (2,000 by default) lets the rest be created as the first ones start.
    await until(
      async () => {
        await bridge.step();
        return (await store.get(appResource, ref))?.status?.updated === 2500;
      },
      { what: '2500 instances', within: 30_000 },
    );
    expect(await instances()).toHaveLength(2500);
    await apply({ instances: 0 });
    await until(
      async () => {
        await bridge.step();
        return (await instances()).length === 0;
      },
      { what: 'none left', within: 30_000 },
    );
    const web = await until(
      async () => {
        const current = await store.get(appResource, ref);
        return current?.status?.instances === 0 ? current : undefined;
      },
      { what: 'status of zero' },
    );
    expect(condition(web, 'Progressing')?.reason).toBe('Complete');
    expect(condition(web, 'Available')?.status).toBe('True');
  }, 60_000);

  it('records a terminal failure as Degraded with its reason, and as a Warning event', async () => {
    await apply({ instances: 1 });
    await until(() => controller.apps.get('default/web')?.status?.targetRevision === 1, {
      what: 'the first status',
    });
    // Stop the controller so that no reconcile rewrites the condition under the assertion.
    stop.abort();
    await running;
    const reconciler = new AppsReconciler({
      store,
      clock: realClock,
      apps: controller.apps,
      revisions: controller.revisions,
      instances: controller.instances,
      recorder,
    });
    await reconciler.onTerminal('default/web', new TerminalError('InvalidObject', 'it broke'));
    // The reconciler does not wait for its Events; the recorder says when they are written.
    expect(await recorder.flush()).toBe(true);
    const web = await store.get(appResource, ref);
    expect(condition(web, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'InvalidObject',
      message: 'it broke',
    });
    const events = (await store.list(eventResource)).items;
    expect(events.find((e) => e.reason === 'InvalidObject')).toMatchObject({ type: 'Warning' });
  });

  it('writes a pass in one transaction (finalizer or status with the plan) and still records its Events', async () => {
    stop.abort();
    await running;
    await apply({ instances: 3 });
    // The controller's writes, as the keys each transaction puts or deletes.
    const transactions: string[][] = [];
    const txn: Kv['txn'] = (compares, success, failure) => {
      const keys = success.flatMap((op) =>
        op.type === 'put'
          ? [op.key]
          : op.type === 'delete' && 'key' in op.range
            ? [op.range.key]
            : [],
      );
      if (keys.length > 0) transactions.push(keys);
      return kv.txn(compares, success, failure);
    };
    const counting = kvWith(kv, { txn });
    const counted = new ObjectStore({ kv: counting, prefix: store.keys.prefix });
    const events = new EventRecorder({ store, component: 'apps' });
    const apps = new AppsController({ store: counted, recorder: events, workers: 1 });
    const again = new AbortController();
    const ran = apps.run(again.signal);
    try {
      const web = await until(
        async () => {
          const current = await store.get(appResource, ref);
          return current?.status?.instances === 3 ? current : undefined;
        },
        { what: 'the status of 3 instances' },
      );
      expect(web.metadata.finalizers).toEqual([INSTANCES_FINALIZER]);
      const appKey = store.keyOf(appResource, ref);
      // First pass: the finalizer, the revision and the 3 instances together; second (brought
      // by the first's events): the status alone. Nothing else.
      expect(transactions).toHaveLength(2);
      expect(transactions[0]).toHaveLength(5);
      expect(transactions[0]![0]).toBe(appKey);
      expect(transactions[1]).toEqual([appKey]);

      // Three tasks start one after another: their counts wait for each other, one status write.
      for (const instance of await instances()) {
        await store.updateStatus(instanceResource, {
          ...instance,
          status: { taskId: `task-${instance.metadata.name}`, state: 'TASK_RUNNING' },
        });
      }
      await until(
        async () => (await store.get(appResource, ref))?.status?.running === 3 || undefined,
        { what: '3 running in the status' },
      );
      expect(transactions.slice(2)).toEqual([[appKey]]);
    } finally {
      again.abort();
      await ran;
    }
    // Stopping flushed the Events the passes did not wait for.
    const recorded = (await store.list(eventResource)).items;
    expect(recorded.map((e) => [e.reason, e.count]).sort()).toEqual([
      ['InstancesCreated', 1],
      ['RevisionCreated', 1],
    ]);
  });

  it('paces creation through the launch queue: the rest are created as the first ones start', async () => {
    const metrics = new Registry();
    await restartWithQueueOf4({ metrics });

    await apply({ instances: 10 });
    const held = await until(
      async () => {
        const web = await store.get(appResource, ref);
        return web?.status?.instances === 4 ? web : undefined;
      },
      { what: 'the first 4 created' },
    );
    // The status is written with the creations: exactly what the queue let through.
    expect(condition(held, 'Progressing')).toMatchObject({
      reason: 'ScalingUp',
      message: '4 of 10 instances created, the rest wait their turn in the launch queue',
    });
    expect(await instances()).toHaveLength(4);
    expect(metrics.render()).toContain('meseta_apps_launch_queue_apps 1');

    const done = await converge('10 running', async () => {
      const web = await store.get(appResource, ref);
      return web?.status?.running === 10 ? web : undefined;
    });
    expect(await instances()).toHaveLength(10);
    expect(condition(done, 'Progressing')?.reason).toBe('Complete');
    expect(metrics.render()).toContain('meseta_apps_launch_queue_apps 0');
  });

  it('gives the launch queue its room back when a creation fails', async () => {
    // The first transaction that creates instances fails; the pass is retried.
    let failed = false;
    const txn: Kv['txn'] = (compares, success, failure) => {
      const creates = success.some((op) => op.type === 'put' && op.key.includes('/instances/'));
      if (creates && !failed) {
        failed = true;
        return Promise.reject(new Error('the store went away for a moment'));
      }
      return kv.txn(compares, success, failure);
    };
    const flaky = new ObjectStore({ kv: kvWith(kv, { txn }), prefix: store.keys.prefix });
    await restartWithQueueOf4({ store: flaky });

    await apply({ instances: 4 });
    // Had the failed pass kept its room, the retry would wait 30 s for it.
    const created = await until(
      async () => ((await instances()).length === 4 ? instances() : undefined),
      { what: '4 instances after the failed write', within: 5_000 },
    );
    expect(failed).toBe(true);
    expect(names(created)).toEqual(['web-1-0', 'web-1-1', 'web-1-2', 'web-1-3']);
  });

  it('does not let the instances of an App no agent fits hold the launch queue', async () => {
    await restartWithQueueOf4();
    const stuckRef = { namespace: 'default', name: 'stuck' };
    await store.create(appResource, app('stuck', { instances: 6 }));
    const stuck = await until(
      async () => {
        const current = await store.get(appResource, stuckRef);
        return current?.status?.instances === 4 ? current : undefined;
      },
      { what: '4 instances of the stuck App' },
    );
    await apply({ instances: 2 });
    await until(() => controller.launchQueue?.isQueued('default/web'), {
      what: 'web queued behind the stuck App',
    });
    expect((await instances()).filter((i) => i.spec.app === 'web')).toEqual([]);

    // Placement finds no agent for it (as src/controllers/placement/report.ts writes it).
    const unschedulable: Condition = {
      type: 'Placed',
      status: 'False',
      reason: 'Unschedulable',
      message: '4 instances not placed: no agent fits',
      lastTransitionTime: new Date().toISOString(),
    };
    await store.updateStatus(appResource, {
      ...stuck,
      status: { ...stuck.status, conditions: [...(stuck.status?.conditions ?? []), unschedulable] },
    });
    const web = await until(
      async () => {
        const list = (await instances()).filter((i) => i.spec.app === 'web');
        return list.length === 2 ? list : undefined;
      },
      { what: "web's instances created" },
    );
    expect(names(web)).toEqual(['web-1-0', 'web-1-1']);
    // Nor do they hold back the stuck App's own last two, which only wait for the cluster.
    await until(
      async () => (await instances()).filter((i) => i.spec.app === 'stuck').length === 6,
      { what: 'all 6 of the stuck App' },
    );
  });

  it('stops and removes every instance and revision before a deleted App goes', async () => {
    await apply({ instances: 3 });
    await converge(
      '3 running',
      async () => (await store.get(appResource, ref))?.status?.running === 3,
    );
    const marked = await store.delete(appResource, ref);
    expect(marked.gone).toBe(false);
    // Without the bridge nothing is killed, so the App must wait for its instances.
    const stopping = await until(
      async () => {
        const list = await instances();
        return list.length === 3 && list.every((i) => i.spec.goal === 'decommissioned')
          ? list
          : undefined;
      },
      { what: 'instances decommissioned' },
    );
    expect(stopping).toHaveLength(3);
    expect(await store.get(appResource, ref)).toBeDefined();

    await converge('the App gone', async () => (await store.get(appResource, ref)) === undefined);
    expect(await instances()).toEqual([]);
    expect(await revisions()).toEqual([]);
  });
});

describe('mattersToApps and movesOnlyCounts', () => {
  const base = instance('web-1-0', {
    status: { taskId: 't', state: 'TASK_RUNNING', updatedAt: '2026-01-01T00:00:00Z' },
  });
  const withStatus = (status: Instance['status']) => ({ ...base, status });

  it('ignores status changes that change no decision and no count', () => {
    expect(
      mattersToApps(base, withStatus({ ...base.status, updatedAt: '2026-01-01T00:01:00Z' })),
    ).toBe(false);
    expect(
      mattersToApps(
        withStatus({ ...base.status, failures: 1 }),
        withStatus({ ...base.status, failures: 2 }),
      ),
    ).toBe(false);
  });

  it('sees goal, task, state, health, readiness and first-failure changes, and resyncs', () => {
    expect(mattersToApps(base, base)).toBe(true);
    expect(mattersToApps(base, { ...base, spec: { ...base.spec, goal: 'decommissioned' } })).toBe(
      true,
    );
    for (const change of [
      { taskId: 'u' },
      { state: 'TASK_KILLED' as const },
      { healthy: false },
      { ready: false },
      { failures: 1 },
    ]) {
      expect(mattersToApps(base, withStatus({ ...base.status, ...change }))).toBe(true);
    }
  });

  it('lets live-state, health and readiness changes wait; ends, goals and failures go at once', () => {
    const staging = withStatus({ taskId: 'u', state: 'TASK_STAGING' });
    expect(movesOnlyCounts(withStatus(undefined), staging)).toBe(true);
    expect(movesOnlyCounts(staging, base)).toBe(true);
    expect(movesOnlyCounts(base, withStatus({ ...base.status, healthy: false }))).toBe(true);
    expect(movesOnlyCounts(base, withStatus({ ...base.status, state: 'TASK_FAILED' }))).toBe(false);
    expect(movesOnlyCounts(base, withStatus({ ...base.status, failures: 1 }))).toBe(false);
    expect(movesOnlyCounts(base, { ...base, spec: { ...base.spec, goal: 'decommissioned' } })).toBe(
      false,
    );
    expect(movesOnlyCounts(base, base)).toBe(false);
  });
});

describe('appChangeMatters', () => {
  it("ignores the controller's own status writes, and sees spec, deletion and finalizer changes", () => {
    const web = { ...app('web'), metadata: { ...app('web').metadata, generation: 1, uid: 'u' } };
    expect(appChangeMatters(web, web)).toBe(true);
    expect(appChangeMatters(web, { ...web, status: { running: 3 } })).toBe(false);
    const meta = (m: object) => ({ ...web, metadata: { ...web.metadata, ...m } });
    expect(appChangeMatters(web, meta({ generation: 2 }))).toBe(true);
    expect(appChangeMatters(web, meta({ deletionTimestamp: '2026-01-01T00:00:00Z' }))).toBe(true);
    expect(appChangeMatters(web, meta({ finalizers: ['x'] }))).toBe(true);
  });
});
