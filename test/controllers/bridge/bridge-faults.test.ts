/**
 * The bridge when things go wrong: the store goes away while Mesos reports, a launch loses its
 * compare-and-swap, a second leader takes over the framework, the Mesos master fails over, and
 * tasks that no instance owns.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/api/instance.ts';
import { instanceResource } from '../../../src/api/resources.ts';
import { FrameworkFailedOverError } from '../../../src/mesos/client/index.ts';
import { ObjectStore, type BatchOp } from '../../../src/store/object-store.ts';
import type { StoredObject } from '../../../src/store/object.ts';
import { startEtcd, type EtcdServer } from '../../support/etcd.ts';
import { until } from '../../support/until.ts';
import { Harness } from './harness.ts';

let etcd: EtcdServer;
let h: Harness;

beforeAll(async () => {
  etcd = await startEtcd();
}, 30_000);
afterAll(() => etcd.remove());
afterEach(() => h?.close());

async function state(name: string, wanted: string, within = 10_000): Promise<Instance> {
  return until(
    async () => {
      const instance = await h.get(name);
      return instance?.status?.state === wanted ? instance : undefined;
    },
    { within, what: `${name} to reach ${wanted}` },
  );
}

const counter = (text: string, name: string): number =>
  [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );

describe('the Mesos bridge under faults', () => {
  it('does not acknowledge an update while the store is down, and writes it once back', async () => {
    h = await Harness.start(etcd, {
      sim: {
        timings: {
          startingDelayMs: 10,
          runningDelayMs: 10,
          killDelayMs: 10,
          statusUpdateRetryMinMs: 100,
          statusUpdateRetryMaxMs: 200,
        },
      },
    });
    await h.revision('web', 1);
    const { bridge, metrics } = h.bridge();
    const agentId = h.agentIds()[0]!;
    await h.instance('web-1-0', { agentId });
    const running = await state('web-1-0', 'TASK_RUNNING');
    const taskId = running.status!.taskId!;
    const frameworkId = bridge.frameworkId!;
    const simTask = () => h.sim.master.framework(frameworkId)!.tasks.get(taskId);

    await etcd.stop();
    try {
      const updatesBefore = counter(
        metrics.render(),
        'meseta_mesos_events_total\\{type="update"\\}',
      );
      h.sim.master.agent(agentId)!.sim.kill(frameworkId, taskId, 0);
      // TASK_KILLING arrives and is resent (every 100 ms) because it is never acknowledged.
      await until(
        () =>
          counter(metrics.render(), 'meseta_mesos_events_total\\{type="update"\\}') >=
          updatesBefore + 3,
        { what: 'the unacknowledged update to be resent' },
      );
      expect(bridge.statusBacklog).toBeGreaterThan(0);
      expect(simTask()?.statusUpdateState).toBe('TASK_KILLING');
    } finally {
      await etcd.start();
    }
    const killed = await state('web-1-0', 'TASK_KILLED', 20_000);
    expect(killed.status?.taskId).toBe(taskId);
    // The terminal update was acknowledged: the master forgot the task.
    await until(() => simTask() === undefined, { what: 'the task to complete in Mesos' });
    expect(h.tasks(frameworkId).completed.map((t) => t.info.task_id.value)).toContain(taskId);
  }, 40_000);

  it('launches nothing for an instance whose status write lost its compare-and-swap', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    const agentId = h.agentIds()[0]!;
    // A store that, just before the first launch is recorded, has someone stop web-1-0.
    let interfered = false;
    const harness = h;
    class InterferingStore extends ObjectStore {
      override async batch(ops: BatchOp[]) {
        const target = ops.find(
          (op): op is BatchOp & { object: StoredObject } =>
            op.op === 'updateStatus' && 'object' in op && op.object.metadata.name === 'web-1-0',
        );
        if (target && !interfered) {
          interfered = true;
          await harness.change('web-1-0', (spec) => ({ ...spec, goal: 'stopped' }));
        }
        return super.batch(ops);
      }
    }
    const store = new InterferingStore({ kv: h.kv, prefix: h.prefix });
    const { bridge, metrics } = h.bridge({ store });
    await h.instance('web-1-0', { agentId });
    await h.instance('web-1-1', { agentId });
    // Launch passes ran (web-1-1's launch proves it) and every one that planned web-1-0 lost its
    // compare-and-swap: from the stale cache before the goal change showed, never after.
    await state('web-1-1', 'TASK_RUNNING');
    expect(interfered).toBe(true);
    const lost = await h.get('web-1-0');
    expect(lost?.spec.goal).toBe('stopped');
    expect(lost?.status?.taskId).toBeUndefined();
    const live = h.tasks(bridge.frameworkId!).live;
    expect(
      live.map((t) => t.info.labels?.labels?.find((l) => l.key === 'meseta.io/instance')?.value),
    ).toEqual(['web-1-1']);
    expect(metrics.render()).toMatch(
      /meseta_bridge_launch_failures_total\{reason="status-write"\} [1-9]/,
    );
  });

  it('re-reads and writes again when a status update loses its compare-and-swap', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    // A store that, just before TASK_RUNNING is written, has someone label the instance.
    let interfered = false;
    const harness = h;
    class InterferingStore extends ObjectStore {
      override async batch(ops: BatchOp[]) {
        const running = ops.some(
          (op) =>
            op.op === 'updateStatus' &&
            (op.object as Instance).status?.state === 'TASK_RUNNING' &&
            op.object.metadata.name === 'web-1-0',
        );
        if (running && !interfered) {
          interfered = true;
          const current = (await harness.get('web-1-0'))!;
          await harness.store.update(instanceResource, {
            ...current,
            metadata: { ...current.metadata, labels: { touched: 'yes' } },
          });
        }
        return super.batch(ops);
      }
    }
    const store = new InterferingStore({ kv: h.kv, prefix: h.prefix });
    const { bridge } = h.bridge({ store });
    await h.instance('web-1-0', { agentId: h.agentIds()[0]! });
    const running = await state('web-1-0', 'TASK_RUNNING');
    expect(interfered).toBe(true);
    expect(running.metadata.labels).toEqual({ touched: 'yes' });
    expect(running.status?.taskId).toBe(h.tasks(bridge.frameworkId!).live[0]!.info.task_id.value);
  });

  it('fails over to a new leader with the same framework id: reconciled, nothing lost or doubled', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    const first = h.bridge();
    const agentId = h.agentIds()[0]!;
    await h.instance('web-1-0', { agentId });
    await h.instance('web-1-1', { agentId: h.agentIds()[1]! });
    const a = await state('web-1-0', 'TASK_RUNNING');
    const b = await state('web-1-1', 'TASK_RUNNING');
    const frameworkId = first.bridge.frameworkId!;

    const second = h.bridge({ reconcileBatchSize: 1 });
    await expect(first.done).rejects.toBeInstanceOf(FrameworkFailedOverError);
    await until(
      () => second.bridge.frameworkId === frameworkId && second.bridge.mesosState === 'subscribed',
    );
    // It asked Mesos about both tasks, one per call here.
    await until(
      () =>
        counter(
          second.metrics.render(),
          'meseta_bridge_reconcile_calls_total\\{kind="explicit"\\}',
        ) >= 2,
    );
    await until(() => second.bridge.unreconciled === 0, { what: 'answers for both tasks' });
    expect([...h.sim.master.listFrameworks()][0]!.id).toBe(frameworkId);
    expect([...h.sim.master.listFrameworks()]).toHaveLength(1);
    expect(
      h
        .tasks(frameworkId)
        .live.map((t) => t.info.task_id.value)
        .sort(),
    ).toEqual([a.status!.taskId!, b.status!.taskId!].sort());
    // The new leader launches as the old one did.
    await h.instance('web-1-2', { agentId });
    await state('web-1-2', 'TASK_RUNNING');
    expect(h.tasks(frameworkId).live).toHaveLength(3);
    expect((await h.get('web-1-0'))?.status?.taskId).toBe(a.status?.taskId);
  });

  it('resubscribes and reconciles explicitly after a Mesos master failover', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    const { bridge, metrics } = h.bridge();
    await h.instance('web-1-0', { agentId: h.agentIds()[0]! });
    const before = await state('web-1-0', 'TASK_RUNNING');
    const frameworkId = bridge.frameworkId!;
    const explicit = () =>
      counter(metrics.render(), 'meseta_bridge_reconcile_calls_total\\{kind="explicit"\\}');
    const reconciledBefore = explicit();

    h.sim.faults.failoverMaster({ recoveryMs: 100, agentReregisterMs: 100 });
    await until(
      () => counter(metrics.render(), 'meseta_mesos_events_total\\{type="subscribed"\\}') >= 2,
      {
        what: 'a resubscription',
      },
    );
    await until(() => explicit() > reconciledBefore, { what: 'an explicit reconciliation' });
    expect(bridge.frameworkId).toBe(frameworkId);
    expect(h.tasks(frameworkId).live.map((t) => t.info.task_id.value)).toEqual([
      before.status!.taskId,
    ]);
    expect((await h.get('web-1-0'))?.status?.state).toBe('TASK_RUNNING');
    // And it still launches.
    await h.instance('web-1-1', { agentId: h.agentIds()[1]! });
    await state('web-1-1', 'TASK_RUNNING');
    expect(h.tasks(frameworkId).live).toHaveLength(2);
  });

  it('kills a task no instance owns once its grace period is over', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    const { bridge, metrics } = h.bridge({ implicitReconcileMs: 200, orphanGraceMs: 300 });
    await h.instance('web-1-0', { agentId: h.agentIds()[0]! });
    const running = await state('web-1-0', 'TASK_RUNNING');
    const taskId = running.status!.taskId!;
    const frameworkId = bridge.frameworkId!;

    // Its instance goes (as if deleted by hand): the task is now an orphan.
    await h.store.delete(instanceResource, { namespace: 'default', name: 'web-1-0' });
    await until(() => bridge.orphans === 1, { what: 'the orphan to be noticed' });
    expect(h.sim.master.framework(frameworkId)!.tasks.get(taskId)?.state).toBe('TASK_RUNNING');
    await until(() => !h.sim.master.framework(frameworkId)!.tasks.has(taskId), {
      what: 'the orphan to be killed',
    });
    expect(h.tasks(frameworkId).completed.find((t) => t.info.task_id.value === taskId)?.state).toBe(
      'TASK_KILLED',
    );
    expect(metrics.render()).toMatch(/meseta_bridge_kills_total\{kind="orphan"\} [1-9]/);
  });

  it('does not kill an orphan that an instance claims within the grace period', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    const { bridge, metrics } = h.bridge({ implicitReconcileMs: 100, orphanGraceMs: 400 });
    await h.instance('web-1-0', { agentId: h.agentIds()[0]! });
    const running = await state('web-1-0', 'TASK_RUNNING');
    const taskId = running.status!.taskId!;

    await h.store.delete(instanceResource, { namespace: 'default', name: 'web-1-0' });
    await until(() => bridge.orphans === 1, { what: 'the orphan to be noticed' });
    // Restored (say, from a backup) with its task before the grace period is over.
    const { resourceVersion: _rv, uid: _uid, ...metadata } = running.metadata;
    await h.store.create(instanceResource, { ...running, metadata });
    await until(() => bridge.orphans === 0, { what: 'the orphan to be claimed' });
    const implicit = () =>
      counter(metrics.render(), 'meseta_bridge_reconcile_calls_total\\{kind="implicit"\\}');
    const seen = implicit();
    // Several implicit reconciliations (100 ms apart) later: well past the grace period.
    await until(() => implicit() >= seen + 6, { what: 'more implicit reconciliations' });
    expect(h.sim.master.framework(bridge.frameworkId!)!.tasks.get(taskId)?.state).toBe(
      'TASK_RUNNING',
    );
    expect(metrics.render()).not.toMatch(/meseta_bridge_kills_total\{kind="orphan"\}/);
    expect((await h.get('web-1-0'))?.status?.state).toBe('TASK_RUNNING');
  });

  it('records an unreachable task and its agent Removed; a returning agent is Active and its tasks reconciled', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    await h.instance('web-1-0', { agentId: h.agentIds()[0]! });
    // A pending, unbound instance keeps offers coming (and Agents' `offered` current).
    await h.instance('web-1-1');
    const { metrics } = h.bridge({ offerHoldMs: 60_000 });
    const explicit = () =>
      counter(metrics.render(), 'meseta_bridge_reconcile_calls_total\\{kind="explicit"\\}');
    const agentId = h.agentIds()[0]!;
    await state('web-1-0', 'TASK_RUNNING');

    h.sim.faults.markUnreachable(agentId);
    const away = await state('web-1-0', 'TASK_UNREACHABLE');
    expect(away.status?.unreachableSince).toBeTruthy();
    expect(away.status?.reason).toBe('REASON_AGENT_REMOVED');
    const agent = async () => (await h.agents()).find((a) => a.status?.agentId === agentId);
    await until(async () => (await agent())?.status?.state === 'Removed');

    // It reregisters: offered again, it is Active again, and the bridge asks Mesos about the
    // tasks it had there, whose answer brings the instance back to running.
    const asked = explicit();
    h.sim.faults.healAgent(agentId);
    await until(async () => (await agent())?.status?.state === 'Active');
    expect((await agent())?.status?.removedAt).toBeUndefined();
    await until(() => explicit() > asked, { what: "the returned agent's tasks reconciled" });
    const back = await state('web-1-0', 'TASK_RUNNING');
    expect(back.status?.taskId).toBe(away.status?.taskId);
    expect(back.status?.unreachableSince).toBeUndefined();
  });
});
