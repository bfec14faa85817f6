import { describe, expect, it } from 'vitest';
import type { App } from '../../src/api/index.ts';
import { appResource } from '../../src/api/resources.ts';
import { rolloutProgress } from '../../src/cli/rollout-progress.ts';
import { until } from '../support/until.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

const app = (status: App['status'], generation = 2): App =>
  ({
    apiVersion: 'meseta.io/v1',
    kind: 'App',
    metadata: { name: 'web', namespace: 'default', generation },
    spec: { instances: 3 },
    ...(status ? { status } : {}),
  }) as App;

describe('rolloutProgress', () => {
  it('waits for the spec to be observed, then updated, old gone, running and healthy', () => {
    const cases: [App['status'], string][] = [
      [{ observedGeneration: 1 }, 'Waiting for app.meseta.io/web spec update to be observed...'],
      [
        { observedGeneration: 2, updated: 1, instances: 3 },
        'Waiting for rollout to finish: 1 of 3 updated instances are running...',
      ],
      [
        { observedGeneration: 2, updated: 3, instances: 4 },
        'Waiting for rollout to finish: 1 old instances are pending termination...',
      ],
      [
        { observedGeneration: 2, updated: 3, instances: 3, running: 2 },
        'Waiting for rollout to finish: 2 of 3 instances are running...',
      ],
      [
        { observedGeneration: 2, updated: 3, instances: 3, running: 3, healthy: 1 },
        'Waiting for rollout to finish: 1 of 3 instances are healthy...',
      ],
      [
        { observedGeneration: 2, updated: 3, instances: 3, running: 3, healthy: 3 },
        'app.meseta.io/web successfully rolled out',
      ],
    ];
    for (const [status, message] of cases)
      expect(rolloutProgress(app(status)).message).toBe(message);
    expect(rolloutProgress(app(cases[5]![0])).done).toBe(true);
  });

  it('reports a rollout past its progress deadline as failed', () => {
    const failed = rolloutProgress(
      app({
        observedGeneration: 2,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'no offers',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      }),
    );
    expect(failed.failed).toBe(
      'app.meseta.io/web rollout exceeded its progress deadline: no offers',
    );
  });
});

describeBackends('meseta rollout status', (backend) => {
  it('follows the App as its status converges, then exits 0', async () => {
    const { flags, objects } = backend.fresh();
    await runInProcess([
      'apply',
      '-f',
      manifestDir({ 'web.yaml': appManifest('web', { instances: 2 }) }),
      ...flags,
    ]);
    let seen = '';
    const running = runInProcess(
      ['rollout', 'status', 'app', 'web', '--timeout', '20s', ...flags],
      {
        onStdout: (text) => (seen = text),
      },
    );
    await until(() => seen.includes('spec update to be observed'), {
      what: 'the first progress line',
    });
    // Stand-in for the controllers: the status moves one step per write.
    const steps: App['status'][] = [
      { observedGeneration: 1, instances: 2, updated: 2, running: 1, healthy: 0 },
      { observedGeneration: 1, instances: 2, updated: 2, running: 2, healthy: 1 },
      { observedGeneration: 1, instances: 2, updated: 2, running: 2, healthy: 2 },
    ];
    for (const status of steps) {
      const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
      await objects.updateStatus(appResource, { ...live, status });
    }
    const result = await running;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .split(/[\r\n]/)
      .map((l) => l.replace('\x1b[K', ''))
      .filter(Boolean);
    expect(lines[0]).toBe('Waiting for app.meseta.io/web spec update to be observed...');
    expect(lines).toContain('Waiting for rollout to finish: 1 of 2 instances are running...');
    expect(lines.at(-1)).toBe('app.meseta.io/web successfully rolled out');
  });

  it('exits 1 on timeout saying what it waited for, and on a missing App', async () => {
    const { flags } = backend.fresh();
    await runInProcess(['apply', '-f', manifestDir({ 'web.yaml': appManifest('web') }), ...flags]);
    const timedOut = await runInProcess([
      'rollout',
      'status',
      'app/web',
      '--timeout',
      '300ms',
      ...flags,
    ]);
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toBe(
      'error: timed out after 0.3s waiting for the rollout of app.meseta.io/web: Waiting for app.meseta.io/web spec update to be observed...\n',
    );
    const missing = await runInProcess(['rollout', 'status', 'app', 'nope', ...flags]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'error: app.meseta.io "nope" not found in namespace default\n',
    });
  });
});
