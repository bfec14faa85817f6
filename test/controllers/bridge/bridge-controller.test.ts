/**
 * The bridge end to end: a real etcd, the Mesos simulator over HTTP, Instances bound by hand.
 * What Mesos ran is checked in the simulator's own records of the tasks.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/api/instance.ts';
import { FRAMEWORK_ID_RECORD } from '../../../src/controllers/bridge/bridge-controller.ts';
import { taskOwner } from '../../../src/controllers/bridge/task-id.ts';
import type { TaskInfo } from '../../../src/mesos/types.ts';
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

const env = (task: TaskInfo) =>
  Object.fromEntries(
    (task.command?.environment?.variables ?? []).map((v) => [v.name, v.value ?? '']),
  );
const labels = (task: TaskInfo) =>
  Object.fromEntries((task.labels?.labels ?? []).map((l) => [l.key, l.value ?? '']));

async function state(name: string, wanted: string, within = 10_000): Promise<Instance> {
  return until(
    async () => {
      const instance = await h.get(name);
      return instance?.status?.state === wanted ? instance : undefined;
    },
    { within, what: `${name} to reach ${wanted}` },
  );
}

describe('the Mesos bridge', () => {
  it('subscribes, stores the framework id and publishes the agents it is offered', async () => {
    h = await Harness.start(etcd);
    const { bridge } = h.bridge();
    const record = await until(() => h.records.get<{ frameworkId: string }>(FRAMEWORK_ID_RECORD), {
      what: 'the framework id record',
    });
    expect(record.value.frameworkId).toBe([...h.sim.master.listFrameworks()][0]!.id);
    await until(() => bridge.frameworkId === record.value.frameworkId);

    const agents = await until(async () => {
      const list = await h.agents();
      return list.length === 2 ? list : undefined;
    });
    const simAgent = [...h.sim.master.listAgents()][0]!;
    const published = agents.find((a) => a.status?.agentId === simAgent.id)!;
    expect(published.metadata.name).toBe(simAgent.id.toLowerCase());
    expect(published.status).toMatchObject({
      hostname: simAgent.info.hostname,
      state: 'Active',
      attributes: simAgent.info.attributes,
    });
    expect(published.status?.domain).toEqual({
      region: simAgent.info.domain?.fault_domain?.region.name,
      zone: simAgent.info.domain?.fault_domain?.zone.name,
    });
    expect(published.status?.lastSeenAt).toBeTruthy();
  });

  it('launches the next instances without waiting for Mesos to answer an earlier ACCEPT', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    const { bridge } = h.bridge();
    // An instance no one places keeps the bridge wanting offers: it holds them, no REVIVE needed.
    await h.instance('web-1-9');
    await until(async () => (await h.agents()).every((a) => a.status?.offered?.length), {
      what: 'both agents offered',
    });
    const [first, second] = h.agentIds();
    // Mesos answers every call 3 s late from now on.
    h.sim.faults.slowApi(3000);
    await h.instance('web-1-0', { agentId: first });
    await until(async () => (await h.get('web-1-0'))?.status?.taskId, { what: 'web-1-0 launched' });
    await h.instance('web-1-1', { agentId: second });
    // Recorded and sent while the first ACCEPT still waits for its answer (no task yet).
    await until(async () => (await h.get('web-1-1'))?.status?.taskId, {
      what: 'web-1-1 launched',
      within: 1500,
    });
    expect(h.tasks(bridge.frameworkId!).live).toEqual([]);
    h.sim.faults.slowApi(0);
    await until(
      async () => (await h.get('web-1-1'))?.status?.state === 'TASK_RUNNING' || undefined,
      {
        what: 'web-1-1 running',
      },
    );
  });

  it('launches a bound instance on its agent: status written before, TaskInfo as Mesos saw it', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1, {
      cmd: 'python3 -m http.server $PORT0',
      cpus: 0.25,
      mem: 64,
      portDefinitions: [
        { name: 'http', port: 0, protocol: 'tcp' },
        { name: 'admin', port: 0, protocol: 'tcp' },
      ],
      env: { GREETING: 'hello' },
      labels: { team: 'shop' },
      taskKillGracePeriodSeconds: 7,
      healthChecks: [
        {
          protocol: 'MESOS_HTTP',
          path: '/health',
          portIndex: 1,
          gracePeriodSeconds: 30,
          intervalSeconds: 10,
          timeoutSeconds: 5,
          maxConsecutiveFailures: 4,
          delaySeconds: 2,
        },
      ],
    });
    const { bridge } = h.bridge();
    const agentId = h.agentIds()[1]!;
    await h.instance('web-1-0', { agentId });

    const running = await state('web-1-0', 'TASK_RUNNING');
    const status = running.status!;
    expect(taskOwner(status.taskId!)).toEqual({ namespace: 'default', instance: 'web-1-0' });
    expect(status).toMatchObject({
      agentId,
      hostname: h.sim.master.agent(agentId)!.info.hostname,
      observedGeneration: running.metadata.generation,
    });
    expect(status.ports).toHaveLength(2);
    expect(new Set(status.ports).size).toBe(2);
    expect(status.stagedAt && status.startedAt && status.updatedAt).toBeTruthy();
    expect(status.failures ?? 0).toBe(0);

    const { live } = h.tasks(bridge.frameworkId!);
    expect(live).toHaveLength(1);
    const task = live[0]!.info;
    expect(task.task_id.value).toBe(status.taskId);
    expect(task.agent_id.value).toBe(agentId);
    expect(task.command).toMatchObject({ shell: true, value: 'python3 -m http.server $PORT0' });
    const [p0, p1] = status.ports!;
    expect(env(task)).toMatchObject({
      PORT0: String(p0),
      PORT1: String(p1),
      PORT: String(p0),
      PORTS: `${p0},${p1}`,
      PORT_HTTP: String(p0),
      PORT_ADMIN: String(p1),
      HOST: status.hostname,
      MESOS_TASK_ID: status.taskId,
      MESETA_APP: 'web',
      MESETA_INSTANCE: 'web-1-0',
      MESETA_APP_REVISION: '1',
      MESETA_APP_LABEL_TEAM: 'shop',
      GREETING: 'hello',
    });
    expect(labels(task)).toEqual({
      team: 'shop',
      'meseta.io/namespace': 'default',
      'meseta.io/app': 'web',
      'meseta.io/instance': 'web-1-0',
      'meseta.io/revision': '1',
    });
    expect(task.health_check).toMatchObject({
      type: 'HTTP',
      http: { scheme: 'http', port: p1, path: '/health' },
      grace_period_seconds: 30,
      interval_seconds: 10,
      timeout_seconds: 5,
      consecutive_failures: 4,
      delay_seconds: 2,
    });
    expect(task.kill_policy?.grace_period?.nanoseconds).toBe('7000000000');
    const ports = task.resources!.find((r) => r.name === 'ports')!;
    expect(ports.allocation_info).toEqual({ role: 'apps' });
    const cpus = task.resources!.find((r) => r.name === 'cpus')!;
    expect(cpus.scalar?.value).toBe(0.25);
    expect(task.discovery?.ports?.ports?.map((p) => [p.name, p.number])).toEqual([
      ['http', p0],
      ['admin', p1],
    ]);
  });

  it('kills the task of an instance whose goal is no longer running and writes the end', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1, { taskKillGracePeriodSeconds: 1 });
    const { bridge, metrics } = h.bridge();
    await h.instance('web-1-0', { agentId: h.agentIds()[0]! });
    await h.instance('web-1-1', { agentId: h.agentIds()[0]! });
    const before = await state('web-1-0', 'TASK_RUNNING');
    await state('web-1-1', 'TASK_RUNNING');

    await h.change('web-1-0', (spec) => ({ ...spec, goal: 'decommissioned' }));
    const killed = await state('web-1-0', 'TASK_KILLED');
    expect(killed.status?.taskId).toBe(before.status?.taskId);
    expect(killed.status?.failures ?? 0).toBe(0);
    expect(metrics.render()).toMatch(/meseta_bridge_kills_total\{kind="instance"\} [1-9]/);
    // The other instance keeps running; the killed task is gone from Mesos once acknowledged.
    await until(() => h.tasks(bridge.frameworkId!).live.length === 1);
    expect((await h.get('web-1-1'))?.status?.state).toBe('TASK_RUNNING');
  });

  it('declines and suppresses offers when idle, and revives them when an instance is pending', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    const { bridge, metrics } = h.bridge();
    await until(() => bridge.suppressed, { what: 'offers suppressed' });
    await until(async () => {
      const agents = await h.agents();
      return agents.length === 2 && agents.every((a) => a.status?.offered?.length === 0);
    });
    expect(metrics.render()).toMatch(/meseta_bridge_offers_declined_total\{filter="idle"\} [1-9]/);

    await h.instance('web-1-0', { agentId: h.agentIds()[0]! });
    await state('web-1-0', 'TASK_RUNNING');
    expect(metrics.render()).toMatch(/meseta_bridge_offer_calls_total\{type="revive"\} 1/);
    // Nothing pending any more: suppressed again.
    await until(() => bridge.suppressed, { what: 'offers suppressed again' });
  });

  it('publishes what it holds on offer while something is pending, and Removed agents', async () => {
    h = await Harness.start(etcd);
    await h.revision('web', 1);
    // An unbound instance needs placement: the bridge holds offers for placement to read.
    await h.instance('web-1-0');
    h.bridge({ offerHoldMs: 60_000 });
    const agentId = h.agentIds()[0]!;
    const agent = await until(async () => {
      const found = (await h.agents()).find((a) => a.status?.agentId === agentId);
      return found?.status?.offered?.length ? found : undefined;
    });
    const offered = Object.fromEntries(
      agent.status!.offered!.map((r) => [r.name, r.scalar?.value ?? r.ranges?.range]),
    );
    expect(offered).toMatchObject({
      cpus: 4,
      mem: 4096,
      ports: [{ begin: '31000', end: '32000' }],
    });
    expect(agent.status!.offered![0]!.allocation_info).toEqual({ role: 'apps' });
    expect(agent.status?.offeredAt).toBeTruthy();
    // Held for 60 s from its arrival (at most a moment before it was published).
    const until60 = Date.parse(agent.status!.offeredUntil!) - Date.parse(agent.status!.offeredAt!);
    expect(until60).toBeGreaterThan(59_000);
    expect(until60).toBeLessThanOrEqual(60_000);

    h.sim.faults.removeAgent(agentId);
    await until(async () => {
      const found = (await h.agents()).find((a) => a.status?.agentId === agentId);
      return found?.status?.state === 'Removed' && found.status.offered?.length === 0;
    });
  });

  it('launches many instances at once: no port twice on an agent, status updates written in batches', async () => {
    h = await Harness.start(etcd, { agents: 5 });
    await h.revision('web', 1, {
      cpus: 0.1,
      mem: 32,
      portDefinitions: [{ name: 'http', port: 0, protocol: 'tcp' }],
    });
    const { bridge, metrics } = h.bridge();
    const agents = h.agentIds();
    const names = Array.from({ length: 200 }, (_, i) => `web-1-${i}`);
    await h.bound(names, (i) => agents[i % agents.length]!);

    const all = await until(
      async () => {
        const list = await h.list();
        return list.every((i) => i.status?.state === 'TASK_RUNNING') ? list : undefined;
      },
      { within: 30_000, what: 'all 200 instances running' },
    );
    expect(all).toHaveLength(200);
    const live = h.tasks(bridge.frameworkId!).live;
    expect(live).toHaveLength(200);
    for (const agentId of agents) {
      const ports = all
        .filter((i) => i.status?.agentId === agentId)
        .flatMap((i) => i.status!.ports!);
      expect(ports).toHaveLength(40);
      expect(new Set(ports).size).toBe(40);
    }
    const text = metrics.render();
    const count = Number(/meseta_bridge_status_batch_size_count (\d+)/.exec(text)![1]);
    const single = Number(/meseta_bridge_status_batch_size_bucket\{le="1"\} (\d+)/.exec(text)![1]);
    expect(count).toBeGreaterThan(0);
    expect(single).toBeLessThan(count); // some batch wrote several instances at once
  }, 40_000);

  it('writes health, failures and exact ports from the task lifecycle', async () => {
    h = await Harness.start(etcd);
    const check = {
      protocol: 'MESOS_TCP' as const,
      gracePeriodSeconds: 0,
      intervalSeconds: 1,
      timeoutSeconds: 1,
      maxConsecutiveFailures: 3,
      delaySeconds: 0,
    };
    await h.revision('web', 1, {
      requirePorts: true,
      portDefinitions: [{ name: 'http', port: 31500, protocol: 'tcp' }],
      healthChecks: [check],
    });
    await h.revision('crash', 1, {
      labels: { 'meseta.sim/exit-after': '0', 'meseta.sim/exit-code': '3' },
    });
    h.bridge();
    await h.instance('web-1-0', { agentId: h.agentIds()[0]! });
    await h.instance('crash-1-0', { app: 'crash', agentId: h.agentIds()[1]! });

    const healthy = await until(async () => {
      const instance = await h.get('web-1-0');
      return instance?.status?.healthy === true ? instance : undefined;
    });
    expect(healthy.status).toMatchObject({ state: 'TASK_RUNNING', ports: [31500] });

    const failed = await state('crash-1-0', 'TASK_FAILED');
    expect(failed.status).toMatchObject({ failures: 1, message: 'Command exited with status 3' });
    expect(failed.status?.lastFailureAt).toBeTruthy();
    expect(failed.status?.healthy).toBeUndefined();
  });
});
