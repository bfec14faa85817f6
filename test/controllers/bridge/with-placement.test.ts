/**
 * The bridge with the real placement controller: instances created unbound are bound by
 * placement from the Agents the bridge publishes, then launched by the bridge on exactly the
 * agent placement chose; a task that ends is placed and launched again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/api/instance.ts';
import { PlacementController } from '../../../src/controllers/placement/placement-controller.ts';
import { startEtcd, type EtcdServer } from '../../support/etcd.ts';
import { until } from '../../support/until.ts';
import { Harness } from './harness.ts';

let etcd: EtcdServer;
let h: Harness;
let stopPlacement: AbortController | undefined;
let placementDone: Promise<void> | undefined;

beforeAll(async () => {
  etcd = await startEtcd();
}, 30_000);
afterAll(() => etcd.remove());
afterEach(async () => {
  stopPlacement?.abort();
  await placementDone;
  await h?.close();
});

describe('the bridge with placement', () => {
  it('launches what placement binds, where it binds it, and again after a task ends', async () => {
    h = await Harness.start(etcd, { agents: 3 });
    await h.revision('web', 1, { constraints: [{ field: 'hostname', operator: 'UNIQUE' }] });
    const { bridge } = h.bridge();
    stopPlacement = new AbortController();
    placementDone = new PlacementController({
      store: h.store,
      role: 'apps',
      settleMs: 10,
      resyncMs: 500,
      // The harness's bridge holds offers for 500 ms only.
      offerMarginMs: 100,
    }).run(stopPlacement.signal);
    for (let i = 0; i < 3; i++) await h.instance(`web-1-${i}`);

    const running = async (): Promise<Instance[] | undefined> => {
      const list = await h.list();
      return list.length === 3 && list.every((i) => i.status?.state === 'TASK_RUNNING')
        ? list
        : undefined;
    };
    const all = await until(running, { within: 20_000, what: 'three instances running' });
    for (const instance of all) expect(instance.status?.agentId).toBe(instance.spec.agentId);
    expect(new Set(all.map((i) => i.spec.agentId)).size).toBe(3); // UNIQUE hostname

    // One task ends: the instance needs placement, is bound again and relaunched.
    const victim = all[0]!;
    const frameworkId = bridge.frameworkId!;
    h.sim.master.agent(victim.spec.agentId!)!.sim.kill(frameworkId, victim.status!.taskId!, 0);
    const again = await until(
      async () => {
        const instance = await h.get(victim.metadata.name);
        return instance?.status?.state === 'TASK_RUNNING' &&
          instance.status.taskId !== victim.status!.taskId
          ? instance
          : undefined;
      },
      { within: 20_000, what: 'the instance relaunched' },
    );
    expect(again.metadata.generation).toBeGreaterThan(victim.metadata.generation!);
    expect(again.status?.observedGeneration).toBe(again.metadata.generation);
    expect(h.tasks(frameworkId).live).toHaveLength(3);
  }, 40_000);
});
