import { expect, it } from 'vitest';
import { appResource } from '../../src/api/resources.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

describeBackends('meseta describe', (backend) => {
  it('shows metadata, spec, status, rollout progress and conditions', async () => {
    const { flags, objects } = backend.fresh();
    const manifest = appManifest(
      'web',
      {
        instances: 2,
        portDefinitions: [{ name: 'http' }],
        constraints: [{ field: 'hostname', operator: 'UNIQUE' }],
        healthChecks: [{ protocol: 'MESOS_HTTP', path: '/health' }],
      },
      { labels: { tier: 'web' } },
    );
    await runInProcess(['apply', '-f', manifestDir({ 'web.yaml': manifest }), ...flags]);
    const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    await objects.updateStatus(appResource, {
      ...live,
      status: {
        observedGeneration: 1,
        instances: 2,
        running: 2,
        healthy: 1,
        updated: 2,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'Unhealthy',
            message: '1 of 2 healthy',
            lastTransitionTime: new Date().toISOString(),
          },
        ],
      },
    });
    const result = await runInProcess(['describe', 'app', 'web', ...flags]);
    expect(result.code).toBe(0);
    const text = result.stdout;
    for (const line of [
      'Name:           web',
      'Namespace:      default',
      'Labels:         tier=web',
      'Annotations:    <none>',
      'Generation:     1 (observed 1)',
      '  Instances:    2',
      '  Resources:    cpus 1, mem 128 MiB, disk 0 MiB, gpus 0',
      '  Command:      sleep 1000',
      '  Ports:        http any/tcp',
      '  Constraints:  hostname UNIQUE',
      '  Instances:    2 (running 2, healthy 1, ready 0, updated 2) of 2 wanted',
      '  Rollout:      Waiting for rollout to finish: 1 of 2 instances are healthy...',
      '  TYPE        STATUS   REASON      AGE   MESSAGE',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/ {2}Health checks: MESOS_HTTP \/health every 60s/);
    expect(text).toMatch(/ {2}Available {3}False {4}Unhealthy {3}\d+s +1 of 2 healthy\n/);
    expect(text).not.toContain('last-applied');
    const missing = await runInProcess(['describe', 'app', 'nope', ...flags]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'error: app.meseta.io "nope" not found in namespace default\n',
    });
  });
});
