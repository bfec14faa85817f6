/**
 * An App's life end to end, with every controller (apps, placement, bridge, events) running in
 * this process through the Manager, a real etcd and the simulator over HTTP: apply → N tasks
 * RUNNING and the status counts right; scale up and down; delete → every task killed, every
 * instance removed, then the App gone.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appResource } from '../../src/api/resources.ts';
import { until } from '../support/until.ts';
import { E2eEtcd, type Installation } from './harness.ts';

describe('an App end to end (real etcd, simulator over HTTP)', () => {
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

  it('runs N tasks, scales up and down, and on delete kills every task before the App goes', async () => {
    cluster = await etcd.installation();
    cluster.startControllers();
    await cluster.createApp('web', { instances: 5, cpus: 0.1, mem: 32 });
    await cluster.untilRunning('web', 5);
    const status = (await cluster.app('web'))!.status!;
    expect(status).toMatchObject({ instances: 5, running: 5, healthy: 5, updated: 5, staged: 0 });
    expect(status.observedGeneration).toBe(1);

    await cluster.scale('web', 9);
    await cluster.untilRunning('web', 9);
    await cluster.scale('web', 2);
    await cluster.untilRunning('web', 2);

    await cluster.store.objects.delete(appResource, { namespace: 'default', name: 'web' });
    await until(async () => (await cluster!.app('web')) === undefined, {
      within: 20_000,
      what: 'the App to be gone',
    });
    expect(await cluster.instances('web')).toEqual([]);
    expect(cluster.liveTasks()).toEqual([]);
  });
});
