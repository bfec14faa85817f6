/**
 * `meseta rollout status` as a user runs it — a separate process — while an App converges on
 * the simulator with every controller running: it waits through the rollout and exits 0 once the
 * App is fully available; for an App that cannot be placed it gives up at --timeout with exit 1,
 * saying what it was waiting for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { E2eEtcd, type Installation } from './harness.ts';
import { spawnMeseta } from './meseta-process.ts';

describe('rollout status against the simulator (real etcd, every controller)', () => {
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

  const rolloutStatus = (c: Installation, name: string, timeout: string) =>
    spawnMeseta([
      'rollout',
      'status',
      'app',
      name,
      '--timeout',
      timeout,
      '--etcd',
      c.endpoint,
      '--prefix',
      c.prefix,
      '-n',
      'default',
    ]);

  it('follows a converging App to "successfully rolled out", then a scale-up the same way', async () => {
    cluster = await etcd.installation();
    await cluster.createApp('web', { instances: 4, cpus: 0.1, mem: 32 });
    // Started before any controller runs: nothing is observed yet, so it must wait.
    const first = rolloutStatus(cluster, 'web', '60s');
    await first.waitFor(/Waiting for/);
    cluster.startControllers();
    expect(await first.exited).toBe(0);
    const { stdout } = first.output();
    expect(stdout).toContain('app.meseta.io/web successfully rolled out');
    expect(stdout).toMatch(/Waiting for .*(observed|instances)/);
    await cluster.untilRunning('web', 4);

    await cluster.scale('web', 7);
    const second = rolloutStatus(cluster, 'web', '60s');
    expect(await second.exited).toBe(0);
    await cluster.untilRunning('web', 7);
  });

  it('times out with exit 1 and says what it waited for when the App cannot be placed', async () => {
    cluster = await etcd.installation();
    cluster.startControllers();
    await cluster.createApp('huge', { instances: 2, cpus: 1000, mem: 32 });
    const status = rolloutStatus(cluster, 'huge', '3s');
    expect(await status.exited).toBe(1);
    const { stdout, stderr } = status.output();
    expect(stdout + stderr).toMatch(/timed out/i);
    expect(stdout + stderr).toMatch(/0 of 2/);
    expect(cluster.liveTasks()).toEqual([]);
  });
});
