/**
 * `meseta controller` as a real process against meseta's embedded store on loopback: it runs
 * the controllers it is asked for, serves its probes, and stops cleanly on SIGTERM, handing
 * its leadership back. Bad flags are usage errors (exit 2) naming the flag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appResource, instanceResource } from '../../src/api/resources.ts';
import { appsSettings, placementSettings } from '../../src/cli/controller-run.ts';
import { startEmbeddedEtcd, type EmbeddedEtcd } from '../../src/store/embedded/server.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import type { Kv } from '../../src/store/kv.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { app } from '../controllers/apps/fixtures.ts';
import { spawnMeseta } from '../e2e/meseta-process.ts';
import { uniquePrefix } from '../support/kv-backend.ts';
import { until } from '../support/until.ts';
import { runInProcess } from './run-meseta.ts';

describe('meseta controller', () => {
  let server: EmbeddedEtcd;
  let kv: Kv;
  beforeAll(async () => {
    server = await startEmbeddedEtcd();
    kv = openEtcdKv({ endpoints: [server.endpoint] });
  });
  afterAll(async () => {
    await kv?.close();
    await server?.close();
  });

  it('runs the controllers --only names, serves probes, and stops cleanly on SIGTERM', async () => {
    const prefix = uniquePrefix();
    const objects = new ObjectStore({ kv, prefix });
    const process = spawnMeseta([
      'controller',
      '--etcd',
      server.endpoint,
      '--prefix',
      prefix,
      '--only',
      'apps',
      '--probe-port',
      '0',
      '--identity',
      'replica-a',
    ]);
    try {
      const [, probes] = await process.waitFor(/probes on (http:\/\/\S+)/);
      expect(process.output().stdout).toContain('meseta controller: apps as replica-a');
      await objects.create(appResource, app('web', { instances: 2 }));
      await until(
        async () => (await objects.list(instanceResource)).items.length === 2 || undefined,
        { within: 15_000, what: 'two instances' },
      );
      await until(async () => (await fetch(`${probes}/readyz`)).status === 200, {
        what: '/readyz',
      });
      const metrics = await (await fetch(`${probes}/metrics`)).text();
      expect(metrics).toContain('meseta_leader{controller="apps"} 1');
      expect(metrics).not.toContain('controller="events"');
      const { kvs } = await kv.range({ prefix: `${prefix}/leases/` });
      expect(kvs.map((k) => [k.key, k.value])).toEqual([[`${prefix}/leases/apps`, 'replica-a']]);

      expect(await process.stop('SIGTERM')).toBe(0);
      // Resigned: the next replica need not wait for the lease to run out.
      expect((await kv.range({ prefix: `${prefix}/leases/` })).kvs).toEqual([]);
      expect(process.output().stderr).toContain('"msg":"resigned leadership"');
    } finally {
      await process.kill();
    }
  });

  it.each([
    [['--only', 'apps,nope'], /no controller named "nope" \(known: apps/],
    [['--only', ','], /--only needs at least one controller name/],
    [['--only', 'bridge'], /controller bridge: needs the Mesos master URLs: pass --mesos/],
    [['--failover-timeout', 'soon'], /--failover-timeout must be a number of seconds/],
    [['--launch-queue-limit', '1.5'], /--launch-queue-limit must be a whole number >= 0/],
    [['--max-instances-per-offer', '-2'], /--max-instances-per-offer must be a whole number >= 0/],
    [['--probe-port', 'x'], /--probe-port must be a port number/],
    [['--mesos', 'ftp://mesos:5050'], /--mesos "ftp:\/\/mesos:5050" must look like http/],
    [['--retry-period', '20'], /--retry-period < --renew-deadline < --lease-duration/],
    [['--lease-duration', '-1'], /--lease-duration must be a number of seconds > 0/],
  ])('refuses %j with a usage error', async (flags, message) => {
    const only = flags.includes('--only') ? [] : ['--only', 'apps'];
    const result = await runInProcess(['controller', '--etcd', server.endpoint, ...only, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('lists the controllers in --help', async () => {
    const result = await runInProcess(['controller', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/apps\s+keeps each App's instances/);
    expect(result.stdout).toMatch(/events\s+deletes Events/);
  });
});

describe('--launch-queue-limit', () => {
  it('reaches the apps controller as its limit, 0 meaning none, and is left out when not given', () => {
    const flags = { probePort: '0', probeHost: '127.0.0.1' };
    expect(appsSettings({ ...flags, launchQueueLimit: '250' })).toEqual({
      apps: { launchQueueLimit: 250 },
    });
    expect(appsSettings({ ...flags, launchQueueLimit: '0' })).toEqual({
      apps: { launchQueueLimit: Infinity },
    });
    expect(appsSettings(flags)).toEqual({});
  });
});

describe('--max-instances-per-offer', () => {
  it('reaches the placement controller, 0 meaning no limit, and is left out when not given', () => {
    const flags = { probePort: '0', probeHost: '127.0.0.1' };
    expect(placementSettings({ ...flags, maxInstancesPerOffer: '20' })).toEqual({
      placement: { maxInstancesPerOffer: 20 },
    });
    expect(placementSettings({ ...flags, maxInstancesPerOffer: '0' })).toEqual({
      placement: { maxInstancesPerOffer: Infinity },
    });
    expect(placementSettings(flags)).toEqual({});
  });
});
