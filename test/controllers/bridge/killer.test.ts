import { describe, expect, it } from 'vitest';
import type { AppRevision } from '../../../src/api/app-revision.ts';
import type { Instance } from '../../../src/api/instance.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { BridgeMetrics } from '../../../src/controllers/bridge/bridge-metrics.ts';
import { Killer } from '../../../src/controllers/bridge/killer.ts';
import type { Informer } from '../../../src/runtime/informer.ts';
import { silentLogger } from '../../../src/log.ts';
import { NotSubscribedError } from '../../../src/mesos/client/index.ts';
import type { AgentID, KillPolicy, TaskID } from '../../../src/mesos/types.ts';

function instance(
  name: string,
  goal: Instance['spec']['goal'],
  state: string,
  taskId: string,
): Instance {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Instance',
    metadata: { name, namespace: 'default' },
    spec: { app: 'web', revision: 1, goal },
    status: { taskId, state: state as NonNullable<Instance['status']>['state'], agentId: 'S1' },
  };
}

function setup() {
  const clock = new VirtualClock(0);
  const instances = new Map<string, Instance>();
  const toKill = new Set<string>();
  const kills: { task: string; agent?: string; grace?: string }[] = [];
  let subscribed = true;
  const killer = new Killer({
    view: {
      toKill,
      get: (key) => instances.get(key),
      byTask: (taskId) => [...instances.values()].find((i) => i.status?.taskId === taskId),
    },
    revisions: {
      byIndex: () => [{ spec: { template: { taskKillGracePeriodSeconds: 4 } } } as AppRevision],
    } as unknown as Informer<AppRevision>,
    client: {
      async kill(taskId: TaskID, agentId?: AgentID, policy?: KillPolicy) {
        if (!subscribed) throw new NotSubscribedError('KILL', 'reconnecting');
        kills.push({
          task: taskId.value,
          ...(agentId ? { agent: agentId.value } : {}),
          ...(policy?.grace_period ? { grace: policy.grace_period.nanoseconds } : {}),
        });
      },
    },
    clock,
    logger: silentLogger,
    metrics: new BridgeMetrics(undefined, { offersHeld: () => 0, statusBacklog: () => 0 }),
    orphanGraceMs: 30_000,
    retryMs: 1000,
    maxRetryMs: 4000,
  });
  return {
    clock,
    instances,
    toKill,
    kills,
    killer,
    disconnect: () => (subscribed = false),
    connect: () => (subscribed = true),
  };
}

describe('Killer', () => {
  it('kills a stopped instance with its kill policy, again on a backoff until it ends', async () => {
    const t = setup();
    t.instances.set('default/web-1-0', instance('web-1-0', 'decommissioned', 'TASK_RUNNING', 'T1'));
    t.toKill.add('default/web-1-0');
    await t.killer.tick();
    expect(t.kills).toEqual([{ task: 'T1', agent: 'S1', grace: '4000000000' }]);
    await t.killer.tick();
    expect(t.kills).toHaveLength(1); // not yet due
    t.clock.advance(1000);
    await t.killer.tick();
    expect(t.kills).toHaveLength(2);
    t.clock.advance(1999);
    await t.killer.tick();
    expect(t.kills).toHaveLength(2); // twice as long now
    t.clock.advance(1);
    await t.killer.tick();
    expect(t.kills).toHaveLength(3);
    t.instances.set('default/web-1-0', instance('web-1-0', 'decommissioned', 'TASK_KILLED', 'T1'));
    t.clock.advance(60_000);
    await t.killer.tick();
    expect(t.kills).toHaveLength(3);
  });

  it('retries at the next tick a KILL that could not be sent', async () => {
    const t = setup();
    t.instances.set('default/web-1-0', instance('web-1-0', 'stopped', 'TASK_STAGING', 'T1'));
    t.toKill.add('default/web-1-0');
    t.disconnect();
    await t.killer.tick();
    expect(t.kills).toEqual([]);
    t.connect();
    await t.killer.tick();
    expect(t.kills.map((k) => k.task)).toEqual(['T1']);
  });

  it('kills an orphan after its grace period unless it is claimed or ends', async () => {
    const t = setup();
    t.killer.orphan('O1', 'S2', t.clock.now());
    t.killer.orphan('O2', 'S2', t.clock.now());
    t.killer.orphan('O3', undefined, t.clock.now());
    t.clock.advance(29_999);
    await t.killer.tick();
    expect(t.kills).toEqual([]);
    // O2 is claimed by an instance, O3 ends.
    t.instances.set('default/web-1-9', instance('web-1-9', 'running', 'TASK_RUNNING', 'O2'));
    t.killer.ended('O3');
    t.clock.advance(1);
    await t.killer.tick();
    expect(t.kills).toEqual([{ task: 'O1', agent: 'S2' }]);
    expect(t.killer.orphanCount).toBe(1);
    t.killer.ended('O1');
    expect(t.killer.orphanCount).toBe(0);
  });
});
