/**
 * `meseta controller` as real processes against a real etcd and the simulator over HTTP: a
 * controller killed with SIGKILL mid-way is replaced by another without a duplicate task, and
 * of two replicas only the leader of each controller acts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.ts';
import { E2eEtcd, metricValue, scrape, type Installation } from './harness.ts';

/** Follows the simulator: the most tasks of `prefix` that were ever live at once. */
function peakLiveTasks(cluster: Installation, prefix: string): () => number {
  const live = new Set<string>();
  let peak = 0;
  const terminal = /^TASK_(FINISHED|FAILED|KILLED|ERROR|LOST|DROPPED|GONE|GONE_BY_OPERATOR)$/;
  cluster.sim.master.watch((change) => {
    if (change.kind !== 'task_added' && change.kind !== 'task_updated') return;
    const id = change.task.info.task_id.value;
    if (!id.startsWith(prefix)) return;
    if (terminal.test(change.task.state)) live.delete(id);
    else live.add(id);
    peak = Math.max(peak, live.size);
  });
  return () => peak;
}

describe('meseta controller processes (real etcd, simulator over HTTP)', () => {
  let etcd: E2eEtcd;
  let cluster: Installation | undefined;
  beforeAll(async () => {
    etcd = await E2eEtcd.start();
  });
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it('a controller killed with SIGKILL mid-way is replaced by another: no duplicate task, converges', async () => {
    cluster = await etcd.installation();
    const peak = peakLiveTasks(cluster, 'default.batch-');
    const first = await cluster.controllerProcess('first');
    await cluster.createApp('batch', { instances: 40, cpus: 0.1, mem: 16 });
    // Mid-way: some tasks launched, not all running yet.
    await until(async () => (await cluster!.instances('batch')).some((i) => i.status?.taskId), {
      within: 15_000,
      what: 'a first launch',
    });
    await first.process.kill();
    await cluster.controllerProcess('second');
    await cluster.untilRunning('batch', 40, 30_000);
    expect(peak()).toBe(40);
    const owners = cluster.liveTasks().map((t) => t.info.task_id.value.split('.')[1]);
    expect(new Set(owners).size).toBe(40);
  });

  it('of two replicas only the leader acts, and the other takes over when it stops', async () => {
    cluster = await etcd.installation();
    const a = await cluster.controllerProcess('a');
    const b = await cluster.controllerProcess('b');
    await cluster.createApp('web', { instances: 6, cpus: 0.1, mem: 16 });
    await cluster.untilRunning('web', 6);

    const holders = await cluster.store.kv.range({ prefix: `${cluster.prefix}/leases/` });
    const leaderOf = new Map(holders.kvs.map((kv) => [kv.key.split('/').pop()!, kv.value]));
    expect([...leaderOf.keys()].sort()).toEqual(['apps', 'bridge', 'events', 'placement']);
    const pages = { a: await scrape(a.probes), b: await scrape(b.probes) };
    for (const [role, holder] of leaderOf) {
      const other = holder === 'a' ? 'b' : 'a';
      expect(metricValue(pages[holder as 'a' | 'b'], `meseta_leader{controller="${role}"}`)).toBe(
        1,
      );
      expect(metricValue(pages[other], `meseta_leader{controller="${role}"}`)).toBe(0);
    }
    // The standby of the apps controller never reconciled anything.
    const appsStandby = leaderOf.get('apps') === 'a' ? pages.b : pages.a;
    expect(appsStandby).not.toContain('meseta_reconcile_total{controller="apps"');
    // One framework talks to Mesos: the bridge leader's.
    const subscribed = [...cluster.sim.master.listFrameworks()].filter((f) => f.active);
    expect(subscribed).toHaveLength(1);

    // Stop whoever leads the bridge; the other replica takes every role and keeps going.
    const leader = leaderOf.get('bridge') === 'a' ? a : b;
    const survivor = leader === a ? b : a;
    expect(await leader.process.stop('SIGTERM')).toBe(0);
    await until(
      async () => {
        const now = await cluster!.store.kv.range({ prefix: `${cluster!.prefix}/leases/` });
        return now.kvs.length === 4 && now.kvs.every((kv) => kv.value === survivor.identity);
      },
      { within: 10_000, what: `${survivor.identity} to lead everything` },
    );
    await cluster.scale('web', 8);
    await cluster.untilRunning('web', 8);
  });
});
