/**
 * The placement controller for real: informers, rounds, compare-and-swap bindings and App
 * reporting, against the in-process Kv and a real etcd. Agents are published by hand, the way
 * the Mesos bridge publishes them.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../../src/api/agent.ts';
import { appTemplate, templateHash, type AppRevision } from '../../../src/api/app-revision.ts';
import type { Condition } from '../../../src/api/app-types.ts';
import type { Instance } from '../../../src/api/instance.ts';
import {
  agentResource,
  appResource,
  appRevisionResource,
  eventResource,
  instanceResource,
  type StoredApp,
} from '../../../src/api/resources.ts';
import { placementController } from '../../../src/controllers/placement/index.ts';
import {
  agentChangeMatters,
  instanceChangeMatters,
  PlacementController,
} from '../../../src/controllers/placement/placement-controller.ts';
import { EventRecorder } from '../../../src/runtime/events.ts';
import { Registry } from '../../../src/runtime/metrics.ts';
import type { Kv } from '../../../src/store/kv.ts';
import { ObjectStore } from '../../../src/store/object-store.ts';
import { controllerBackends } from '../../support/controller-backends.ts';
import { uniquePrefix } from '../../support/kv-backend.ts';
import { kvWith } from '../../support/kv-with.ts';
import { until } from '../../support/until.ts';
import { app } from '../apps/fixtures.ts';
import {
  agentObject,
  instanceObject,
  type AgentOptions,
} from '../../placement/cluster-fixtures.ts';

function fresh<T extends { metadata: { resourceVersion?: string; generation?: number } }>(
  object: T,
): T {
  const { resourceVersion: _rv, generation: _g, ...metadata } = object.metadata;
  return { ...object, metadata } as T;
}

describe.each(controllerBackends)('the placement controller against %s', (_, backend) => {
  let kv: Kv;
  let store: ObjectStore;
  let stop: AbortController;
  let running: Promise<void>;
  let metrics: Registry;

  beforeAll(async () => {
    await backend.open().then((k) => k.close());
  }, 30_000);
  afterAll(() => backend.close());

  beforeEach(async () => {
    kv = await backend.open();
    store = new ObjectStore({ kv, prefix: uniquePrefix() });
    stop = new AbortController();
    metrics = new Registry();
  });

  afterEach(async () => {
    stop.abort();
    await running;
    await kv.close();
  });

  function start(
    options: {
      staleBindingMs?: number;
      resyncMs?: number;
      unschedulableAfterMs?: number;
      maxInstancesPerOffer?: number;
    } = {},
  ): void {
    const recorder = new EventRecorder({ store, component: 'placement' });
    const controller = placementController.create(
      { store, recorder, metrics },
      { settleMs: 20, reportIntervalMs: 0, ...options },
    );
    running = controller.run(stop.signal);
  }

  async function addApp(
    name: string,
    spec: Parameters<typeof app>[1],
    count: number,
  ): Promise<StoredApp> {
    const created = await store.create(appResource, app(name, spec));
    const template = appTemplate(created.spec);
    const revision: AppRevision = {
      apiVersion: 'meseta.io/v1',
      kind: 'AppRevision',
      metadata: { name: `${name}-1`, namespace: 'default' },
      spec: { app: name, revision: 1, templateHash: templateHash(template), template },
    };
    await store.create(appRevisionResource, revision);
    const ops = Array.from({ length: count }, (_, i) => ({
      op: 'create' as const,
      type: instanceResource,
      object: fresh(instanceObject(`${name}-1-${i}`, { app: name })),
    }));
    if (ops.length > 0) await store.batch(ops);
    return created;
  }

  const addAgent = (id: string, options: AgentOptions = {}) =>
    store.create(agentResource, fresh(agentObject(id, options)) as Agent);
  const instances = async () => (await store.list(instanceResource)).items;
  const bound = (list: Instance[]) => list.filter((i) => i.spec.agentId !== undefined);
  const placed = async (app: string): Promise<Condition | undefined> =>
    (await store.get(appResource, { namespace: 'default', name: app }))?.status?.conditions?.find(
      (c) => c.type === 'Placed',
    );

  it('binds pending instances to agents, within what each offers', async () => {
    await addAgent('A', { cpus: 2 });
    await addAgent('B', { cpus: 1 });
    await addApp('web', { cpus: 1, mem: 128 }, 3);
    start();
    const list = await until(
      async () => {
        const all = await instances();
        return bound(all).length === 3 ? all : undefined;
      },
      { what: '3 bindings' },
    );
    const perAgent = new Map<string, number>();
    for (const i of list) perAgent.set(i.spec.agentId!, (perAgent.get(i.spec.agentId!) ?? 0) + 1);
    expect(perAgent).toEqual(
      new Map([
        ['A', 2],
        ['B', 1],
      ]),
    );
    expect(list.every((i) => i.spec.boundAt && i.metadata.generation === 2)).toBe(true);
    expect(await placed('web')).toBeUndefined();
  });

  it('says why an App cannot be placed once it stayed unplaced a while, and clears it once it is', async () => {
    await addAgent('A', { cpus: 1 });
    await addApp('web', { cpus: 2, mem: 128 }, 1);
    // Nothing changes after the first round, and no resync comes within the test: the round
    // that reports the App is the one placement asks for when the wait is over.
    start({ unschedulableAfterMs: 300, resyncMs: 60_000 });
    const condition = await until(() => placed('web'), { what: 'the Placed condition' });
    expect(condition).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message:
        '1 instance not placed: no agent can take an instance (1 agent): cpus: need 2, largest offer 1 (1 agent)',
    });
    const events = await until(
      async () => {
        const items = (await store.list(eventResource)).items.filter(
          (e) => e.reason === 'FailedPlacement',
        );
        return items.length > 0 ? items : undefined;
      },
      { what: 'a FailedPlacement event' },
    );
    expect(events[0]).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'App', name: 'web' },
    });

    await addAgent('B', { cpus: 4 });
    const cleared = await until(
      async () => {
        const c = await placed('web');
        return c?.status === 'True' ? c : undefined;
      },
      { what: 'Placed True' },
    );
    expect(cleared).toMatchObject({ reason: 'AllPlaced', message: 'every instance is placed' });
    expect(bound(await instances()).map((i) => i.spec.agentId)).toEqual(['B']);
  });

  it('binds again a binding that waited too long for its launch', async () => {
    await addAgent('A');
    await addApp('web', {}, 1);
    start({ staleBindingMs: 300, resyncMs: 100 });
    const first = await until(async () => bound(await instances())[0], { what: 'a binding' });
    const again = await until(
      async () => {
        const now = bound(await instances())[0];
        return now && now.spec.boundAt !== first.spec.boundAt ? now : undefined;
      },
      { what: 'a new binding' },
    );
    expect(again.spec.agentId).toBe('A');
    expect(again.metadata.generation).toBeGreaterThan(first.metadata.generation!);
  });

  it('binds again at once a binding whose agent lost its offer, with nothing else to place', async () => {
    await addAgent('A', { cpus: 1 });
    await addApp('web', { cpus: 1, mem: 128 }, 1);
    start();
    const first = await until(async () => bound(await instances())[0], { what: 'a binding' });
    expect(first.spec.agentId).toBe('A');
    // Before the bridge launched it, A's offer went (declined, rescinded, used) and B came.
    await addAgent('B', { cpus: 1 });
    const a = (await store.get(agentResource, { name: 'a' }))!;
    await store.updateStatus(agentResource, { ...a, status: { ...a.status!, offered: [] } });
    const again = await until(
      async () => {
        const now = bound(await instances())[0];
        return now?.spec.agentId === 'B' ? now : undefined;
      },
      { what: 'a binding to B' },
    );
    expect(again.metadata.generation).toBeGreaterThan(first.metadata.generation!);
  });

  it('places many instances in a few rounds, not one per instance', async () => {
    await addAgent('A', { cpus: 1000, mem: 1_000_000, ports: [20000, 30000] });
    await addApp('big', { cpus: 0.1, mem: 1 }, 400);
    // One agent takes them all: no limit per offer (nothing launches them in this test).
    start({ maxInstancesPerOffer: Infinity });
    await until(async () => bound(await instances()).length === 400, {
      what: '400 bindings',
      within: 20_000,
    });
    const rounds = metrics.counter('meseta_placement_rounds_total', '').get({ outcome: 'ran' });
    expect(rounds).toBeGreaterThan(0);
    expect(rounds).toBeLessThan(50);
    expect(metrics.counter('meseta_placement_bindings_total', '').get()).toBe(400);
  });

  it('does not read the cluster for rounds with nothing to place', async () => {
    const rounds = (outcome: string) =>
      metrics.counter('meseta_placement_rounds_total', '').get({ outcome });
    await addAgent('A', { cpus: 4 });
    await addApp('web', { cpus: 0.1, mem: 1 }, 3);
    start({ resyncMs: 30 });
    const list = await until(
      async () => {
        const all = await instances();
        return bound(all).length === 3 && rounds('idle') > 0 ? all : undefined;
      },
      { what: '3 bindings, then a round with nothing to do' },
    );
    const ran = rounds('ran');
    const idle = rounds('idle');
    // The tasks start: every status change pokes a round, and none of them has anything to place.
    for (const instance of list) {
      await store.updateStatus(instanceResource, {
        ...instance,
        status: {
          observedGeneration: instance.metadata.generation!,
          taskId: `task-${instance.metadata.name}`,
          state: 'TASK_RUNNING',
          agentId: 'A',
          stagedAt: new Date().toISOString(),
        },
      });
    }
    await until(() => rounds('idle') >= idle + 3, { what: 'three more idle rounds' });
    expect(rounds('ran')).toBe(ran);
    expect(bound(await instances())).toHaveLength(3);
  });

  it('counts its own bindings before its cache shows them, without waiting for them', async () => {
    // The controller's watches deliver everything 400 ms late, as a busy etcd's might.
    const lagMs = 400;
    const lagging = kvWith(kv, {
      watch: (options) => {
        const inner = kv.watch(options);
        async function* late() {
          for await (const batch of inner.batches) {
            const due = Date.now() + lagMs;
            await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
            yield batch;
          }
        }
        return { batches: late(), close: () => inner.close() };
      },
    });
    await addAgent('A', { cpus: 1 });
    await addAgent('B', { cpus: 1 });
    await addApp('web', { cpus: 0.5, mem: 1 }, 6);
    // Rounds every 30 ms: most decide before the cache shows the bindings of the first.
    const controller = placementController.create(
      { store: new ObjectStore({ kv: lagging, prefix: store.keys.prefix }), metrics },
      { settleMs: 10, resyncMs: 30, reportIntervalMs: 0 },
    );
    running = controller.run(stop.signal);
    const rounds = () =>
      metrics.counter('meseta_placement_rounds_total', '').get({ outcome: 'ran' });
    await until(async () => bound(await instances()).length === 4 || undefined, {
      what: '4 bindings',
    });
    const after = rounds();
    await until(() => rounds() >= after + 5, { what: 'five more rounds' });
    const list = await instances();
    const perAgent = (id: string) => list.filter((i) => i.spec.agentId === id).length;
    expect([perAgent('A'), perAgent('B')]).toEqual([2, 2]);
    expect(metrics.counter('meseta_placement_conflicts_total', '').get()).toBe(0);
  });

  it('counts where the running instances of an App are for its constraints', async () => {
    await addAgent('A', { cpus: 2 });
    await addAgent('B', { cpus: 2 });
    await addApp('web', { constraints: [{ field: 'hostname', operator: 'UNIQUE' }] }, 2);
    // web-1-0 runs on A, launched long before A's offer: only UNIQUE keeps web-1-1 off A.
    const first = (await instances()).find((i) => i.metadata.name === 'web-1-0')!;
    await store.updateStatus(instanceResource, {
      ...first,
      status: {
        taskId: 't',
        state: 'TASK_RUNNING',
        agentId: 'A',
        stagedAt: '2020-01-01T00:00:00Z',
      },
    });
    start();
    const second = await until(
      async () => (await instances()).find((i) => i.metadata.name === 'web-1-1' && i.spec.agentId),
      { what: 'web-1-1 bound' },
    );
    expect(second.spec.agentId).toBe('B');
    expect((await instances()).find((i) => i.metadata.name === 'web-1-0')!.spec.agentId).toBe(
      undefined,
    );
  });

  it('never binds to a cordoned agent and keeps instances with live tasks where they are', async () => {
    await addAgent('A', { unschedulable: true });
    await addAgent('B', { cpus: 1 });
    await addApp('web', {}, 2);
    const [first] = await instances();
    // web-1-0 runs on B, launched after B's offer was read: that launch used B's offer.
    await store.updateStatus(instanceResource, {
      ...first!,
      status: {
        taskId: 't',
        state: 'TASK_RUNNING',
        agentId: 'B',
        stagedAt: '2026-01-01T00:05:00.000Z',
      },
    });
    start();
    const condition = await until(() => placed('web'), { what: 'the Placed condition' });
    expect(condition?.message).toBe(
      '1 instance not placed: no agent can take an instance (2 agents): 1 agent cordoned (spec.unschedulable); 1 agent whose offer a launch just used',
    );
    expect(bound(await instances())).toEqual([]);
  });
});

describe('what pokes a round', () => {
  const agent = agentObject('A');
  const instance = instanceObject('web-1-0');

  it('ignores an Agent change of lastSeenAt alone', () => {
    expect(
      agentChangeMatters(agent, { ...agent, status: { ...agent.status!, lastSeenAt: 'x' } }),
    ).toBe(false);
    expect(agentChangeMatters(agent, { ...agent, spec: { unschedulable: true } })).toBe(true);
    expect(agentChangeMatters(agent, { ...agent, status: { ...agent.status!, offered: [] } })).toBe(
      true,
    );
    expect(agentChangeMatters(agent, agent)).toBe(true);
  });

  it('ignores health changes of an Instance, not its binding or task', () => {
    const withHealth = { ...instance, status: { healthy: true } };
    expect(instanceChangeMatters(instance, withHealth)).toBe(false);
    expect(
      instanceChangeMatters(instance, { ...instance, spec: { ...instance.spec, agentId: 'A' } }),
    ).toBe(true);
    expect(instanceChangeMatters(instance, { ...instance, status: { state: 'TASK_FAILED' } })).toBe(
      true,
    );
  });

  it('is what the factory builds', () => {
    expect(placementController.name).toBe('placement');
    expect(PlacementController).toBeTypeOf('function');
  });
});
